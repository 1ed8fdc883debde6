using System.Text;
using System.Text.Json;

using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// Compares two JSON values by meaning: member order ignored, numbers by value, and date-time
/// strings by instant (a round trip may normalise <c>t</c> to <c>T</c> or drop trailing zeros).
/// </summary>
internal static class JsonEquivalence
{
    public static void AssertEquivalent(JsonElement expected, JsonElement actual, string path = "")
    {
        if (Describe(expected, actual, path) is { } difference)
        {
            Assert.Fail($"{difference}\nexpected: {expected.GetRawText()}\nactual:   {actual.GetRawText()}");
        }
    }

    private static string? Describe(JsonElement expected, JsonElement actual, string path)
    {
        if (expected.ValueKind != actual.ValueKind)
        {
            return $"{path}: {expected.ValueKind} became {actual.ValueKind}";
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var expectedNames = expected.EnumerateObject().Select(static p => p.Name).Order(StringComparer.Ordinal).ToList();
                var actualNames = actual.EnumerateObject().Select(static p => p.Name).Order(StringComparer.Ordinal).ToList();
                if (!expectedNames.SequenceEqual(actualNames))
                {
                    return $"{path}: members [{string.Join(",", expectedNames)}] became [{string.Join(",", actualNames)}]";
                }

                foreach (string name in expectedNames)
                {
                    if (Describe(expected.GetProperty(name), actual.GetProperty(name), $"{path}/{name}") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength())
                {
                    return $"{path}: {expected.GetArrayLength()} items became {actual.GetArrayLength()}";
                }

                for (int i = 0; i < expected.GetArrayLength(); i++)
                {
                    if (Describe(expected[i], actual[i], $"{path}/{i}") is { } difference)
                    {
                        return difference;
                    }
                }

                return null;
            case JsonValueKind.Number:
                return expected.GetDecimal() == actual.GetDecimal() ? null : $"{path}: {expected} became {actual}";
            case JsonValueKind.String:
                string a = expected.GetString()!, b = actual.GetString()!;
                return a == b || SameInstant(a, b) ? null : $"{path}: \"{a}\" became \"{b}\"";
            default:
                return null;
        }
    }

    private static bool SameInstant(string a, string b) =>
        Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(a), out Rfc3339Timestamp x) && x.TryToDateTimeOffset(out DateTimeOffset left)
        && Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(b), out Rfc3339Timestamp y) && y.TryToDateTimeOffset(out DateTimeOffset right)
        && left == right;
}
