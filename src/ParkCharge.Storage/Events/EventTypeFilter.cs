using System.Diagnostics.CodeAnalysis;

namespace ParkCharge.Storage.Events;

/// <summary>
/// Which event types a consumer wants: exact names (<c>charging.started</c>), a family
/// (<c>charging.*</c>: every type whose name starts with <c>charging.</c>) or everything (<c>*</c>).
/// </summary>
public sealed class EventTypeFilter
{
    public static readonly EventTypeFilter All = new(["*"]);

    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly List<string> _prefixes = [];

    private EventTypeFilter(IReadOnlyList<string> patterns)
    {
        Patterns = patterns;
        foreach (var pattern in patterns)
        {
            if (pattern == "*")
            {
                MatchesEverything = true;
            }
            else if (pattern.EndsWith(".*", StringComparison.Ordinal))
            {
                _prefixes.Add(pattern[..^1]);
            }
            else
            {
                _exact.Add(pattern);
            }
        }
    }

    /// <summary>The patterns as given (normalised: trimmed, lower case, without repeats).</summary>
    public IReadOnlyList<string> Patterns { get; }

    public bool MatchesEverything { get; }

    /// <summary>Exact type names.</summary>
    public IReadOnlyCollection<string> Exact => _exact;

    /// <summary>Name prefixes, each ending with a dot (<c>charging.</c> for <c>charging.*</c>).</summary>
    public IReadOnlyList<string> Prefixes => _prefixes;

    public bool Matches(string type) =>
        MatchesEverything || _exact.Contains(type) || _prefixes.Exists(p => type.StartsWith(p, StringComparison.Ordinal));

    /// <summary>
    /// Reads patterns; none (or only blanks) means everything. A pattern is <c>*</c>, a type name of
    /// lower-case dot-separated words, or such a name's family ending in <c>.*</c>.
    /// </summary>
    public static bool TryParse(IEnumerable<string>? patterns, [NotNullWhen(true)] out EventTypeFilter? filter, [NotNullWhen(false)] out string? error)
    {
        var list = new List<string>();
        foreach (var raw in patterns ?? [])
        {
            var pattern = raw?.Trim().ToLowerInvariant() ?? "";
            if (pattern.Length == 0 || list.Contains(pattern))
            {
                continue;
            }

            if (!IsValid(pattern))
            {
                filter = null;
                error = $"'{raw}' is not an event type pattern: use a type name (charging.started), a family (charging.*) or * for all.";
                return false;
            }

            list.Add(pattern);
        }

        filter = list.Count == 0 ? All : new EventTypeFilter(list);
        error = null;
        return true;
    }

    /// <summary>Reads a comma-separated list, as query strings carry it.</summary>
    public static bool TryParse(string? patterns, [NotNullWhen(true)] out EventTypeFilter? filter, [NotNullWhen(false)] out string? error) =>
        TryParse(patterns?.Split(',') ?? [], out filter, out error);

    private static bool IsValid(string pattern)
    {
        if (pattern == "*")
        {
            return true;
        }

        var name = pattern.EndsWith(".*", StringComparison.Ordinal) ? pattern[..^2] : pattern;
        return name.Length is > 0 and <= 100
            && name.Split('.').All(word => word.Length > 0 && word.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'));
    }
}
