using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;

namespace ParkCharge.Server.Apis;

/// <summary>
/// Bounds on every value an API call brings, checked before the endpoint runs, so that nothing absurd is
/// stored or computed with: every text (a request's fields, route and query values) has a length limit
/// (<see cref="MaxLengthAttribute"/> where a field says so, <see cref="MaxText"/> otherwise), every list a
/// count limit, every instant lies between <see cref="Earliest"/> and <see cref="Latest"/>, every number is
/// of a size a car park can have, and <c>limit</c> and sequence numbers in queries are in range. A value out
/// of bounds is a 400 validation problem that names it; it is never echoed back. So is text with a NUL
/// character (which no text needs and PostgreSQL cannot store), and a field the request
/// type declares non-nullable but that came as null or not at all, and a null inside a list: JSON does not
/// know C#'s nullability, and an endpoint should not have to check every field for it.
/// </summary>
internal static class RequestBounds
{
    /// <summary>Free text (reasons, descriptions, notes, references) has at most this many characters unless its field says less.</summary>
    public const int MaxText = 1_000;

    /// <summary>Lists in a request have at most this many items unless their field says less.</summary>
    public const int MaxItems = 100;

    /// <summary>The largest number (amounts, limits, energy) a request may carry, in absolute value.</summary>
    public const decimal MaxNumber = 1_000_000_000_000m;

    /// <summary>The largest page a list returns.</summary>
    public const int MaxPageSize = 10_000;

    public static readonly DateTimeOffset Earliest = new(1970, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset Latest = new(3000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly ConcurrentDictionary<Type, Field[]> Fields = new();

    /// <summary>Checks the values of every endpoint of the group before it runs.</summary>
    public static TBuilder WithRequestBounds<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilterFactory((context, next) =>
        {
            var parameters = context.MethodInfo.GetParameters();
            return async invocation =>
            {
                var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
                for (var i = 0; i < parameters.Length && i < invocation.Arguments.Count; i++)
                {
                    var parameter = parameters[i];
                    Check(invocation.Arguments[i], Name(parameter.Name ?? $"argument{i}"), parameter.GetCustomAttribute<MaxLengthAttribute>()?.Length, IsQueryCounter(parameter), errors, depth: 0);
                }

                return errors.Count == 0
                    ? await next(invocation)
                    : TypedResults.ValidationProblem(errors, title: "The request has a value out of bounds");
            };
        });
        return builder;
    }

    /// <summary>Query values that count or page: <c>limit</c> (1 to <see cref="MaxPageSize"/>) and sequence numbers (not negative).</summary>
    private static string? IsQueryCounter(ParameterInfo parameter) =>
        parameter.ParameterType == typeof(int?) && parameter.Name == "limit" ? "limit"
        : parameter.ParameterType == typeof(long?) && parameter.Name is "before" or "after" ? "sequence"
        : null;

    private static void Check(object? value, string path, int? maxLength, string? counter, Dictionary<string, string[]> errors, int depth)
    {
        switch (value)
        {
            case null:
                return;
            case string text:
                var max = maxLength ?? MaxText;
                if (text.Length > max)
                {
                    errors[path] = [$"At most {max} characters (this has {text.Length})."];
                }
                else if (text.Contains('\0', StringComparison.Ordinal))
                {
                    // No text needs it, and PostgreSQL cannot store it.
                    errors[path] = ["Text without the NUL character (U+0000)."];
                }

                return;
            case DateTimeOffset instant:
                if (instant < Earliest || instant >= Latest)
                {
                    errors[path] = [$"A time between {Earliest:yyyy-MM-dd} and {Latest:yyyy-MM-dd}."];
                }

                return;
            case decimal number when Math.Abs(number) > MaxNumber:
                errors[path] = [$"A number of at most {MaxNumber:0} in size."];
                return;
            case double number when !double.IsFinite(number) || Math.Abs(number) > (double)MaxNumber:
                errors[path] = [$"A number of at most {MaxNumber:0} in size."];
                return;
            case int number when counter == "limit" && number is < 1 or > MaxPageSize:
                errors[path] = [$"From 1 to {MaxPageSize}."];
                return;
            case long number when counter == "sequence" && number < 0:
                errors[path] = ["A sequence number, 0 or more."];
                return;
            case JsonElement:
                return;
            case IEnumerable items when value.GetType() != typeof(string) && IsRequestType(value.GetType()) is false:
                var count = 0;
                foreach (var item in items)
                {
                    if (++count > (maxLength ?? MaxItems))
                    {
                        errors[path] = [$"At most {maxLength ?? MaxItems} items."];
                        return;
                    }

                    if (item is null)
                    {
                        errors[$"{path}[{count - 1}]"] = ["A list holds no nulls."];
                        continue;
                    }

                    Check(item, $"{path}[{count - 1}]", null, null, errors, depth + 1);
                }

                return;
        }

        if (depth < 8 && IsRequestType(value.GetType()))
        {
            foreach (var field in Fields.GetOrAdd(value.GetType(), FieldsOf))
            {
                var at = $"{(depth == 0 ? "" : path + ".")}{Name(field.Property.Name)}";
                var fieldValue = field.Property.GetValue(value);
                if (fieldValue is null && field.Required)
                {
                    errors[at] = ["Required."];
                    continue;
                }

                Check(fieldValue, at, field.MaxLength, null, errors, depth + 1);
            }
        }
    }

    /// <summary>A field of a request type: its property, its length limit, and whether it may be null.</summary>
    private sealed record Field(PropertyInfo Property, int? MaxLength, bool Required);

    private static Field[] FieldsOf(Type type)
    {
        var nullability = new NullabilityInfoContext();
        return [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .Select(p => new Field(
                p,
                p.GetCustomAttribute<MaxLengthAttribute>()?.Length,
                !p.PropertyType.IsValueType && nullability.Create(p).ReadState == NullabilityState.NotNull))];
    }

    /// <summary>A request body type of ours (a record under ParkCharge), as opposed to a service the endpoint is given.</summary>
    private static bool IsRequestType(Type type) =>
        type.Namespace?.StartsWith("ParkCharge.", StringComparison.Ordinal) == true && type.GetMethod("<Clone>$") is not null;

    private static string Name(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);
}
