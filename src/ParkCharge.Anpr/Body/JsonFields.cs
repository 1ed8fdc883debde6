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

    /// <summary>
    /// The document, or null with an error when the bytes are not JSON a string can be read from: besides
    /// the grammar, every string must be valid Unicode (an escaped lone surrogate such as <c>"\ud800"</c> is
    /// grammatical JSON, but no string can hold it), so that no later read of a value can fail.
    /// </summary>
    public static JsonDocument? Parse(ReadOnlyMemory<byte> json, string path, List<AnprParseError> errors)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            // The exception's line and position locate the fault; its text is not repeated because it may quote the body.
            errors.Add(new AnprParseError(path, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
            return null;
        }
        catch (InvalidOperationException)
        {
            // Checking member names for duplicates reads them as text, which fails for an invalid one.
            errors.Add(new AnprParseError(path, "a member name is not valid Unicode (a lone surrogate or invalid UTF-8)"));
            return null;
        }

        if (InvalidText(json.Span) is { } at)
        {
            document.Dispose();
            errors.Add(new AnprParseError(path, $"a string is not valid Unicode (a lone surrogate or invalid UTF-8, at byte {at + 1})"));
            return null;
        }

        return document;
    }

    /// <summary>The document when it is a JSON object; else null with an error saying it is not <paramref name="what"/> ("an OpenALPR post").</summary>
    public static JsonDocument? ParseObject(ReadOnlyMemory<byte> json, string path, string what, List<AnprParseError> errors)
    {
        var document = Parse(json, path, errors);
        if (document is null || document.RootElement.ValueKind == JsonValueKind.Object)
        {
            return document;
        }

        errors.Add(new AnprParseError(path, $"the JSON is {Kind(document.RootElement)}, not {what}"));
        document.Dispose();
        return null;
    }

    /// <summary>Where the first string or member name that cannot be read as text is, if any.</summary>
    private static long? InvalidText(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = Options.MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                try
                {
                    reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return reader.TokenStartIndex;
                }
            }
        }

        return null;
    }

    /// <summary>The text of a string value, or an error when it is longer than <paramref name="maxLength"/> or holds a NUL (the text is not quoted).</summary>
    public static string? BoundedText(JsonElement value, string at, int maxLength, List<AnprParseError> errors)
    {
        var text = value.GetString()!;
        if (text.Length > maxLength)
        {
            errors.Add(new AnprParseError(at, $"is {text.Length} characters long; at most {maxLength}"));
            return null;
        }

        if (text.Contains('\0', StringComparison.Ordinal))
        {
            // No camera text needs it, and PostgreSQL cannot store it.
            errors.Add(new AnprParseError(at, "contains the NUL character (U+0000)"));
            return null;
        }

        return text;
    }

    /// <summary>At most <paramref name="limit"/> errors, and a last one that says how many more there were.</summary>
    public static List<AnprParseError> Capped(List<AnprParseError> errors, int limit) =>
        errors.Count <= limit ? errors : [.. errors.Take(limit), new AnprParseError("body", $"and {errors.Count - limit} more problems")];

    /// <summary>A JSON number as a finite double; null for numbers no double holds (<c>1e400</c>).</summary>
    public static double? Number(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number) ? number : null;

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

    /// <summary>Text as quoted in a message, shortened (for values that are never personal data).</summary>
    public static string Shorten(string text) => text.Length <= 40 ? text : $"{text[..37]}...";

    /// <summary>A member path: <c>results[0]</c> + <c>score</c> = <c>results[0].score</c>; at the root just <c>score</c>.</summary>
    public static string Member(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
}
