using System.Text.Json;

namespace ParkCharge.Anpr.Body;

/// <summary>Reading JSON push bodies into documents, with errors that name the place.</summary>
internal static class JsonFields
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = 32,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        AllowDuplicateProperties = false,
    };

    public static JsonDocument? Parse(ReadOnlyMemory<byte> json, string path, List<AnprParseError> errors)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            // The exception's line and position locate the fault; its text is not repeated because it may quote the body.
            errors.Add(new AnprParseError(path, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
            return null;
        }
    }

    /// <summary>"a number", "an object", … for messages about wrong types.</summary>
    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>The value as written, shortened, for messages about values that are never personal data (times, scores, directions).</summary>
    public static string Quote(JsonElement value)
    {
        string raw = value.GetRawText();
        return raw.Length <= 40 ? raw : $"{raw[..37]}...";
    }

    /// <summary>A member path: <c>results[0]</c> + <c>score</c> = <c>results[0].score</c>; at the root just <c>score</c>.</summary>
    public static string Member(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
}
