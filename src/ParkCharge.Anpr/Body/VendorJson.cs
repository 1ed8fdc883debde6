using System.Globalization;
using System.Text.Json;

namespace ParkCharge.Anpr.Body;

/// <summary>
/// Reading members of vendors' JSON the way vendors write it: numbers sent as strings (<c>"0.852"</c>), ids
/// sent as numbers, <c>""</c> or <c>"-"</c> for "no value". Members that are absent or <c>null</c> are null;
/// a value of the wrong kind is an error naming its path, never quoting text that may be a plate.
/// </summary>
internal sealed class VendorJson(PushLimits limits, List<AnprParseError> errors)
{
    public List<AnprParseError> Errors => errors;

    public PushLimits Limits => limits;

    /// <summary>The member's value, or default when the owner is not an object or has no such member (or it is null).</summary>
    public static JsonElement Member(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : default;

    /// <summary>Text of a string member; a number is taken as its digits (ids). Longer than the limit, or NUL: an error.</summary>
    public string? Text(JsonElement owner, string at, string name, int? maxLength = null)
    {
        var value = Member(owner, name);
        var path = JsonFields.Member(at, name);
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.String:
                return JsonFields.BoundedText(value, path, maxLength ?? limits.MaxTextLength, errors);
            case JsonValueKind.Number:
                var digits = value.GetRawText();
                if (digits.Length <= (maxLength ?? limits.MaxTextLength))
                {
                    return digits;
                }

                errors.Add(new AnprParseError(path, $"is {digits.Length} characters long; at most {maxLength ?? limits.MaxTextLength}"));
                return null;
            default:
                errors.Add(new AnprParseError(path, $"{JsonFields.Kind(value)} is not text"));
                return null;
        }
    }

    /// <summary>Plate text (bounded by the plate length).</summary>
    public string? Plate(JsonElement owner, string at, string name) => Text(owner, at, name, limits.MaxPlateLength);

    /// <summary>A finite number, written as a JSON number or as a string (<c>"0.85"</c>); <c>""</c> and <c>"-"</c> are no value.</summary>
    public double? Number(JsonElement owner, string at, string name)
    {
        var value = Member(owner, name);
        var path = JsonFields.Member(at, name);
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Number when JsonFields.Number(value) is { } number:
                return number;
            case JsonValueKind.String:
                var text = value.GetString()!.Trim();
                if (text.Length == 0 || text == "-")
                {
                    return null;
                }

                if (text.Length <= 40 && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed))
                {
                    return parsed;
                }

                errors.Add(new AnprParseError(path, $"\"{JsonFields.Shorten(text)}\" is not a number"));
                return null;
            default:
                errors.Add(new AnprParseError(path, $"{JsonFields.Quote(value)} is not a number"));
                return null;
        }
    }

    /// <summary>A confidence written as a fraction (0..1); out of range is an error.</summary>
    public double? Fraction(JsonElement owner, string at, string name)
    {
        var number = Number(owner, at, name);
        if (number is null or (>= 0 and <= 1))
        {
            return number;
        }

        errors.Add(new AnprParseError(JsonFields.Member(at, name), $"{number.Value.ToString(CultureInfo.InvariantCulture)} is not a confidence between 0 and 1"));
        return null;
    }

    /// <summary>A confidence written in percent (0..100), as a fraction; out of range is an error.</summary>
    public double? Percent(JsonElement owner, string at, string name)
    {
        var number = Number(owner, at, name);
        if (number is null or (>= 0 and <= 100))
        {
            return number / 100;
        }

        errors.Add(new AnprParseError(JsonFields.Member(at, name), $"{number.Value.ToString(CultureInfo.InvariantCulture)} is not a confidence between 0 and 100"));
        return null;
    }

    /// <summary>A whole number of pixels (or a string of one); null when absent or not one (pictures' geometry is optional).</summary>
    public static int? Pixels(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number when value.TryGetInt32(out var n) => n,
        JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => n,
        _ => null,
    };

    /// <summary>The items of an array member (none when absent); another kind is an error; more than <paramref name="max"/> is an error.</summary>
    public IReadOnlyList<(JsonElement Item, string Path)> Items(JsonElement owner, string at, string name, int max)
    {
        var value = Member(owner, name);
        var path = JsonFields.Member(at, name);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new AnprParseError(path, $"{JsonFields.Kind(value)} is not an array"));
            return [];
        }

        var count = value.GetArrayLength();
        if (count > max)
        {
            errors.Add(new AnprParseError(path, $"has {count} items; at most {max}"));
            return [];
        }

        return [.. value.EnumerateArray().Select((item, i) => (item, $"{path}[{i}]"))];
    }

    /// <summary>A base64 picture member (a <c>data:</c> URI too); <c>""</c> is no picture, text that is not base64 an error.</summary>
    public byte[]? Picture(JsonElement owner, string at, string name)
    {
        var value = Member(owner, name);
        var path = JsonFields.Member(at, name);
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new AnprParseError(path, $"{JsonFields.Kind(value)} is not a base64 picture"));
            return null;
        }

        return Base64Picture.Decode(value.GetString()!, path, errors);
    }
}

/// <summary>Pictures sent as base64 text inside a document.</summary>
internal static class Base64Picture
{
    /// <summary>The bytes of base64 text (whitespace ignored, a <c>data:image/...;base64,</c> prefix accepted); null for "" or an error.</summary>
    public static byte[]? Decode(string text, string path, List<AnprParseError> errors)
    {
        var start = text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && text.IndexOf("base64,", StringComparison.OrdinalIgnoreCase) is var at and >= 0
            ? at + "base64,".Length
            : 0;
        var base64 = text.AsSpan(start).Trim();
        if (base64.IsEmpty)
        {
            return null;
        }

        var buffer = new byte[base64.Length * 3 / 4 + 3];
        if (Convert.TryFromBase64Chars(base64, buffer, out var written))
        {
            return buffer.AsSpan(0, written).ToArray();
        }

        errors.Add(new AnprParseError(path, "is not base64 picture data"));
        return null;
    }

    /// <summary>The content type of picture bytes by their signature (JPEG, PNG, BMP); <c>application/octet-stream</c> otherwise.</summary>
    public static string ContentType(ReadOnlySpan<byte> picture) =>
        picture.StartsWith([(byte)0xFF, (byte)0xD8]) ? "image/jpeg"
        : picture.StartsWith([(byte)0x89, (byte)'P', (byte)'N', (byte)'G']) ? "image/png"
        : picture.StartsWith("BM"u8) ? "image/bmp"
        : "application/octet-stream";
}
