using System.Globalization;
using System.Text;

namespace ParkCharge.Storage.Postgres;

/// <summary>
/// Text as PostgreSQL can hold it. TEXT refuses U+0000 and cannot be sent an unpaired UTF-16 surrogate
/// (it is not UTF-8); JSONB also refuses the escapes <c>\u0000</c> and unpaired <c>\uD800</c>–<c>\uDFFF</c>.
/// A charger or camera can send any of them in a JSON string, so each becomes U+FFFD instead of
/// failing the group commit it rides in. Strings without them are returned as they are (no copy).
/// </summary>
internal static class StorableText
{
    public static string Plain(string text)
    {
        var span = text.AsSpan();
        if (span.IndexOf('\0') < 0 && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A JSON document as System.Text.Json writes it, with the escapes JSONB refuses replaced by <c>\uFFFD</c>.</summary>
    public static string Json(string json)
    {
        json = Plain(json); // raw characters first (escaping normally leaves none)
        if (!json.Contains("\\u", StringComparison.Ordinal))
        {
            return json;
        }

        StringBuilder? builder = null;
        var copied = 0;
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\' || i + 1 >= json.Length)
            {
                continue;
            }

            if (json[i + 1] != 'u' || Escaped(json, i) is not { } code)
            {
                i++; // an escape like \\ or \" : its second character is not the start of another
                continue;
            }

            var length = 6;
            var refused = code == 0 || char.IsLowSurrogate(code);
            if (char.IsHighSurrogate(code))
            {
                if (Escaped(json, i + 6) is { } next && char.IsLowSurrogate(next))
                {
                    length = 12; // a proper pair
                }
                else
                {
                    refused = true;
                }
            }

            if (refused)
            {
                builder ??= new StringBuilder(json.Length);
                builder.Append(json, copied, i - copied).Append("\\uFFFD");
                copied = i + 6;
            }

            i += length - 1;
        }

        return builder is null ? json : builder.Append(json, copied, json.Length - copied).ToString();
    }

    /// <summary>The character of a <c>\uXXXX</c> escape starting at <paramref name="at"/>, if there is one.</summary>
    private static char? Escaped(string json, int at) =>
        at + 6 <= json.Length && json[at] == '\\' && json[at + 1] == 'u'
        && ushort.TryParse(json.AsSpan(at + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? (char)value
            : null;
}
