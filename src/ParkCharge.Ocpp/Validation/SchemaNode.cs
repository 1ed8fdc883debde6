using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Validation;

/// <summary>The JSON Schema <c>type</c> keyword as flags; <see cref="Any"/> when the keyword is absent.</summary>
[Flags]
internal enum JsonTypes
{
    Any = 0,
    Object = 1,
    Array = 2,
    String = 4,
    Number = 8,
    Integer = 16,
    Boolean = 32,
    Null = 64,
}

internal enum StringFormat
{
    None,
    DateTime,
    Uri,
}

/// <summary>One named property of an object schema, with its name pre-encoded for comparison against the raw payload.</summary>
internal sealed record SchemaProperty(string Name, byte[] Utf8Name, SchemaNode Node);

/// <summary>One allowed value of a string <c>enum</c>.</summary>
internal sealed record SchemaEnumValue(string Text, byte[] Utf8);

/// <summary>
/// One compiled (sub)schema: every keyword of the subset the OCPP schemas use, checked in a
/// single pass over a <see cref="JsonElement"/>. Nothing is allocated unless the value is
/// invalid; then a <see cref="SchemaFailure"/> collects the path on the way back up.
/// </summary>
/// <remarks>
/// Keyword semantics are JSON Schema draft-07 (the schemas' <c>$schema</c>), with two choices
/// where implementations differ: string lengths count Unicode code points, as draft-07 §6.3.1
/// says (JsonSchema.Net counts grapheme clusters); <c>multipleOf</c> allows the 1e-6 tolerance
/// ocpp-rpc uses, so that 0.3 is a multiple of 0.1 whatever the sender's float formatting.
/// </remarks>
internal sealed class SchemaNode
{
    private const double MultipleOfTolerance = 1e-6;
    private const int PreviewLength = 40;

    public required JsonTypes Types { get; init; }

    // object
    public SchemaProperty[] Properties { get; init; } = [];
    public bool AdditionalPropertiesAllowed { get; init; } = true;
    /// <summary>Indices into <see cref="Properties"/>, in the order of the <c>required</c> keyword.</summary>
    public int[] Required { get; init; } = [];
    public ulong RequiredMask { get; init; }

    // array
    public SchemaNode? Items { get; init; }
    public int MinItems { get; init; }
    public int MaxItems { get; init; } = int.MaxValue;

    // string
    public SchemaEnumValue[]? Enum { get; init; }
    /// <summary>The allowed values as one comma-separated list, for error descriptions.</summary>
    public string EnumList { get; init; } = "";
    public int MinLength { get; init; }
    public int MaxLength { get; init; } = int.MaxValue;
    public StringFormat Format { get; init; }

    // number
    public decimal? Minimum { get; init; }
    public decimal? Maximum { get; init; }
    public double? MultipleOf { get; init; }

    public SchemaFailure? Validate(JsonElement value)
    {
        JsonValueKind kind = value.ValueKind;
        if (Types != JsonTypes.Any && !HasType(value, kind))
        {
            return new SchemaFailure("type", RpcErrorCode.TypeConstraintViolation,
                $"{Preview(value)} is not of type {TypeNames(Types)}");
        }

        return kind switch
        {
            JsonValueKind.Object => ValidateObject(value),
            JsonValueKind.Array => ValidateArray(value),
            JsonValueKind.String => ValidateString(value),
            JsonValueKind.Number => ValidateNumber(value),
            _ => Enum is null ? null : EnumFailure(value),
        };
    }

    private bool HasType(JsonElement value, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => (Types & JsonTypes.Object) != 0,
        JsonValueKind.Array => (Types & JsonTypes.Array) != 0,
        JsonValueKind.String => (Types & JsonTypes.String) != 0,
        JsonValueKind.Number => (Types & JsonTypes.Number) != 0
            || ((Types & JsonTypes.Integer) != 0 && IsIntegral(JsonMarshal.GetRawUtf8Value(value))),
        JsonValueKind.True or JsonValueKind.False => (Types & JsonTypes.Boolean) != 0,
        JsonValueKind.Null => (Types & JsonTypes.Null) != 0,
        _ => false,
    };

    private SchemaFailure? ValidateObject(JsonElement value)
    {
        ulong seen = 0;
        SchemaProperty[] properties = Properties;
        foreach (JsonProperty property in value.EnumerateObject())
        {
            int index = -1;
            for (int i = 0; i < properties.Length; i++)
            {
                if (property.NameEquals(properties[i].Utf8Name))
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                if (!AdditionalPropertiesAllowed)
                {
                    return new SchemaFailure("additionalProperties", RpcErrorCode.PropertyConstraintViolation,
                        "property is not allowed here").At(property.Name);
                }

                continue;
            }

            seen |= 1UL << index;
            if (properties[index].Node.Validate(property.Value) is { } failure)
            {
                return failure.At(properties[index].Name);
            }
        }

        if ((seen & RequiredMask) != RequiredMask)
        {
            foreach (int index in Required)
            {
                if ((seen & (1UL << index)) == 0)
                {
                    return new SchemaFailure("required", RpcErrorCode.OccurrenceConstraintViolation,
                        $"required property \"{properties[index].Name}\" is missing");
                }
            }
        }

        return null;
    }

    private SchemaFailure? ValidateArray(JsonElement value)
    {
        int count = value.GetArrayLength();
        if (count < MinItems)
        {
            return new SchemaFailure("minItems", RpcErrorCode.OccurrenceConstraintViolation,
                $"array has {count} items, fewer than the minimum of {MinItems}");
        }

        if (count > MaxItems)
        {
            return new SchemaFailure("maxItems", RpcErrorCode.OccurrenceConstraintViolation,
                $"array has {count} items, more than the maximum of {MaxItems}");
        }

        if (Items is not null)
        {
            int index = 0;
            foreach (JsonElement item in value.EnumerateArray())
            {
                if (Items.Validate(item) is { } failure)
                {
                    return failure.At(index.ToString(CultureInfo.InvariantCulture));
                }

                index++;
            }
        }

        return null;
    }

    private SchemaFailure? ValidateString(JsonElement value)
    {
        if (Enum is not null)
        {
            bool found = false;
            foreach (SchemaEnumValue allowed in Enum)
            {
                if (value.ValueEquals(allowed.Utf8))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return EnumFailure(value);
            }
        }

        // Raw text including the quotes; escapes are counted, not decoded, to stay allocation-free.
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(value);
        ReadOnlySpan<byte> content = raw[1..^1];
        if (MinLength > 0 || MaxLength < int.MaxValue)
        {
            int length = CodePointLength(content);
            if (length > MaxLength)
            {
                return new SchemaFailure("maxLength", RpcErrorCode.PropertyConstraintViolation,
                    $"{Preview(value)} has {length} characters, more than the maximum of {MaxLength}");
            }

            if (length < MinLength)
            {
                return new SchemaFailure("minLength", RpcErrorCode.PropertyConstraintViolation,
                    $"{Preview(value)} has {length} characters, fewer than the minimum of {MinLength}");
            }
        }

        return Format switch
        {
            StringFormat.DateTime when !IsDateTime(value, content) => new SchemaFailure("format",
                RpcErrorCode.PropertyConstraintViolation, $"{Preview(value)} is not an RFC 3339 date-time with offset"),
            StringFormat.Uri when !IsAbsoluteUri(value) => new SchemaFailure("format",
                RpcErrorCode.PropertyConstraintViolation, $"{Preview(value)} is not an absolute URI"),
            _ => null,
        };
    }

    private SchemaFailure? ValidateNumber(JsonElement value)
    {
        if (Minimum is { } minimum && CompareTo(value, minimum) < 0)
        {
            return new SchemaFailure("minimum", RpcErrorCode.PropertyConstraintViolation,
                $"{Preview(value)} is less than the minimum of {minimum.ToString(CultureInfo.InvariantCulture)}");
        }

        if (Maximum is { } maximum && CompareTo(value, maximum) > 0)
        {
            return new SchemaFailure("maximum", RpcErrorCode.PropertyConstraintViolation,
                $"{Preview(value)} is more than the maximum of {maximum.ToString(CultureInfo.InvariantCulture)}");
        }

        if (MultipleOf is { } step && !IsMultipleOf(value, step))
        {
            return new SchemaFailure("multipleOf", RpcErrorCode.PropertyConstraintViolation,
                $"{Preview(value)} is not a multiple of {step.ToString(CultureInfo.InvariantCulture)}");
        }

        return Enum is null ? null : EnumFailure(value);
    }

    private SchemaFailure EnumFailure(JsonElement value) =>
        new("enum", RpcErrorCode.PropertyConstraintViolation,
            $"{Preview(value)} is not one of {EnumList}");

    private static int CompareTo(JsonElement value, decimal bound)
    {
        if (value.TryGetDecimal(out decimal number))
        {
            return number.CompareTo(bound);
        }

        // Only magnitudes beyond decimal's ±7.9e28 get here: the sign decides.
        return JsonMarshal.GetRawUtf8Value(value)[0] == '-' ? -1 : 1;
    }

    private static bool IsMultipleOf(JsonElement value, double step)
    {
        // As ocpp-rpc: |round(x/m) - x/m| < 1e-6. Infinity (1e400) yields NaN and fails.
        double quotient = value.GetDouble() / step;
        return Math.Abs(Math.Round(quotient) - quotient) < MultipleOfTolerance;
    }

    /// <summary>
    /// Draft-07 integers are numbers whose fractional part is zero, so <c>1.0</c> and <c>1e2</c>
    /// qualify. Decided exactly on the number's text: no rounding through double.
    /// </summary>
    internal static bool IsIntegral(ReadOnlySpan<byte> number)
    {
        int i = number[0] == '-' ? 1 : 0;
        int intStart = i;
        while (i < number.Length && IsDigit(number[i]))
        {
            i++;
        }

        ReadOnlySpan<byte> integerDigits = number[intStart..i];
        ReadOnlySpan<byte> fractionDigits = [];
        if (i < number.Length && number[i] == '.')
        {
            int start = ++i;
            while (i < number.Length && IsDigit(number[i]))
            {
                i++;
            }

            fractionDigits = number[start..i];
        }

        long exponent = 0;
        if (i < number.Length && (number[i] | 0x20) == 'e')
        {
            i++;
            bool negative = number[i] == '-';
            if (number[i] is (byte)'-' or (byte)'+')
            {
                i++;
            }

            for (; i < number.Length; i++)
            {
                // Clamp: beyond a million digits of shift the answer no longer changes.
                exponent = Math.Min((exponent * 10) + (number[i] - '0'), 1_000_000);
            }

            if (negative)
            {
                exponent = -exponent;
            }
        }

        int significantFraction = fractionDigits.TrimEnd((byte)'0').Length;
        if (significantFraction > 0)
        {
            return exponent >= significantFraction;
        }

        if (exponent >= 0 || integerDigits.TrimStart((byte)'0').IsEmpty)
        {
            return true;
        }

        int trailingZeros = integerDigits.Length - integerDigits.TrimEnd((byte)'0').Length;
        return trailingZeros >= -exponent;
    }

    /// <summary>
    /// Code points of a JSON string's raw content: UTF-8 lead bytes, plus one per escape
    /// sequence, with an escaped surrogate pair counting once.
    /// </summary>
    internal static int CodePointLength(ReadOnlySpan<byte> content)
    {
        int count = 0;
        int i = 0;
        while (i < content.Length)
        {
            byte b = content[i];
            if (b != '\\')
            {
                if ((b & 0xC0) != 0x80)
                {
                    count++;
                }

                i++;
                continue;
            }

            count++;
            if (content[i + 1] != 'u')
            {
                i += 2;
                continue;
            }

            bool highSurrogate = content[i + 2] is (byte)'d' or (byte)'D'
                && content[i + 3] is (byte)'8' or (byte)'9' or (byte)'a' or (byte)'b' or (byte)'A' or (byte)'B';
            i += 6;
            if (highSurrogate && i + 5 < content.Length && content[i] == '\\' && content[i + 1] == 'u'
                && content[i + 2] is (byte)'d' or (byte)'D'
                && content[i + 3] is (byte)'c' or (byte)'d' or (byte)'e' or (byte)'f' or (byte)'C' or (byte)'D' or (byte)'E' or (byte)'F')
            {
                i += 6;
            }
        }

        return count;
    }

    private static bool IsDateTime(JsonElement value, ReadOnlySpan<byte> content)
    {
        if (content.IndexOf((byte)'\\') < 0)
        {
            return Rfc3339Timestamp.TryParse(content, out _);
        }

        // Escaped timestamps are legal JSON but unheard of; decoding them may allocate.
        return TryGetString(value, out string? text) && Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out _);
    }

    /// <summary>
    /// RFC 3986 absolute URI: a scheme, then no characters that must be percent-encoded. Only
    /// two rarely sent 1.6 fields (firmware and diagnostics locations) use it, so it may allocate.
    /// </summary>
    private static bool IsAbsoluteUri(JsonElement value)
    {
        if (!TryGetString(value, out string? text))
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c > 127 || c is ' ' or '<' or '>' or '{' or '}' or '|' or '\\' or '^' or '`' or '"')
            {
                return false;
            }
        }

        return text.IndexOf(':', StringComparison.Ordinal) > 0
            && Uri.TryCreate(text, UriKind.Absolute, out Uri? uri)
            && !string.IsNullOrEmpty(uri.Scheme);
    }

    private static bool TryGetString(JsonElement value, out string text)
    {
        try
        {
            text = value.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate: not text any format could accept.
            text = "";
            return false;
        }
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static string TypeNames(JsonTypes types)
    {
        var names = new List<string>();
        foreach (JsonTypes type in System.Enum.GetValues<JsonTypes>())
        {
            if (type != JsonTypes.Any && (types & type) != 0)
            {
                names.Add(type.ToString().ToLowerInvariant());
            }
        }

        return string.Join(" or ", names);
    }

    /// <summary>A short rendering of the offending value for error descriptions (which go back to its sender).</summary>
    internal static string Preview(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return "an object";
            case JsonValueKind.Array:
                return "an array";
            case JsonValueKind.String:
                string raw = value.GetRawText();
                return raw.Length <= PreviewLength + 2 ? raw : string.Concat(raw.AsSpan(0, PreviewLength + 1), "...\"");
            default:
                string text = value.GetRawText();
                return text.Length <= PreviewLength ? text : string.Concat(text.AsSpan(0, PreviewLength), "...");
        }
    }
}

/// <summary>
/// A violation on its way up from the node that found it: path segments are added by each
/// parent, so the pointer is only built when something is actually wrong.
/// </summary>
internal sealed class SchemaFailure(string keyword, RpcErrorCode errorCode, string message)
{
    private readonly List<string> _reversedPath = [];

    public SchemaFailure At(string segment)
    {
        _reversedPath.Add(segment);
        return this;
    }

    public SchemaViolation ToViolation()
    {
        var pointer = new StringBuilder();
        for (int i = _reversedPath.Count - 1; i >= 0; i--)
        {
            // RFC 6901 §3: '~' and '/' in a reference token are escaped as ~0 and ~1.
            pointer.Append('/').Append(_reversedPath[i].Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal));
        }

        return new SchemaViolation(errorCode, pointer.ToString(), keyword, message);
    }
}
