using System.Collections;
using System.Reflection;

namespace ParkCharge.Testing;

/// <summary>
/// Compares two objects field by field, all the way down, by reflection and without the snapshot format: a field the
/// snapshot forgot (or read back wrong) shows as a difference with its path. Dictionaries are compared by key (their
/// enumeration order after later removals and additions is the runtime's, not the state's), lists and arrays in order.
/// </summary>
public static class StateComparison
{
    public static IReadOnlyList<string> Differences(object? expected, object? actual, int max = 20)
    {
        var found = new List<string>();
        Compare(expected, actual, "state", found, max, new HashSet<(object, object)>(new PairComparer()));
        return found;
    }

    private static void Compare(object? a, object? b, string path, List<string> found, int max, HashSet<(object, object)> seen)
    {
        if (found.Count >= max)
        {
            return;
        }

        if (a is null || b is null)
        {
            if (a is not null || b is not null)
            {
                found.Add($"{path}: {a ?? "null"} vs {b ?? "null"}");
            }

            return;
        }

        var type = a.GetType();
        if (type != b.GetType() && !(a is IEnumerable && b is IEnumerable && a is not string && a is not IDictionary))
        {
            found.Add($"{path}: a {type.Name} vs a {b.GetType().Name}");
            return;
        }

        if (type.IsPrimitive || type.IsEnum || a is string or decimal or DateTimeOffset or DateTime or TimeSpan or DateOnly or TimeOnly or Guid or Type)
        {
            if (!a.Equals(b))
            {
                found.Add($"{path}: {a} vs {b}");
            }

            return;
        }

        if (a is Delegate || a is IComparer || a is IEqualityComparer || (type.IsGenericType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() is { } d && (d == typeof(IEqualityComparer<>) || d == typeof(IComparer<>)))))
        {
            return;
        }

        if (!type.IsValueType && !seen.Add((a, b)))
        {
            return;
        }

        if (a is IDictionary da && b is IDictionary db)
        {
            if (da.Count != db.Count)
            {
                found.Add($"{path}: {da.Count} entries vs {db.Count}");
            }

            foreach (DictionaryEntry entry in da)
            {
                if (!db.Contains(entry.Key))
                {
                    found.Add($"{path}[{entry.Key}]: missing after the snapshot");
                    continue;
                }

                Compare(entry.Value, db[entry.Key], $"{path}[{entry.Key}]", found, max, seen);
            }

            return;
        }

        if (a is IEnumerable ea && b is IEnumerable eb && a is not string)
        {
            var la = ea.Cast<object?>().ToList();
            var lb = eb.Cast<object?>().ToList();
            if (la.Count != lb.Count)
            {
                found.Add($"{path}: {la.Count} items vs {lb.Count}");
                return;
            }

            for (var i = 0; i < la.Count; i++)
            {
                Compare(la[i], lb[i], $"{path}[{i}]", found, max, seen);
            }

            return;
        }

        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                Compare(field.GetValue(a), field.GetValue(b), $"{path}.{field.Name}", found, max, seen);
            }
        }
    }

    private sealed class PairComparer : IEqualityComparer<(object, object)>
    {
        public bool Equals((object, object) x, (object, object) y) => ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((object, object) obj) => HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
