using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// A document read from YAML or JSON, written back as JSON: plain numbers and true/false as JSON numbers and booleans,
/// everything quoted as a string. For objects kept as given (an OCPI energy mix, a CDR to fill in).
/// </summary>
public static partial class DocumentJson
{
    public static string Write(DocumentNode node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, DocumentNode node)
    {
        switch (node)
        {
            case DocumentMapping m:
                writer.WriteStartObject();
                foreach (var entry in m.Entries)
                {
                    writer.WritePropertyName(entry.Key);
                    Write(writer, entry.Value);
                }

                writer.WriteEndObject();
                break;
            case DocumentSequence s:
                writer.WriteStartArray();
                foreach (var item in s.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case DocumentScalar { IsNull: true }:
                writer.WriteNullValue();
                break;
            case DocumentScalar { IsPlain: true, Value: "true" or "false" } b:
                writer.WriteBooleanValue(b.Value == "true");
                break;
            case DocumentScalar { IsPlain: true } n when Number().IsMatch(n.Value) && decimal.TryParse(n.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number):
                writer.WriteNumberValue(number);
                break;
            case DocumentScalar s:
                writer.WriteStringValue(s.Value);
                break;
        }
    }

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Number();
}
