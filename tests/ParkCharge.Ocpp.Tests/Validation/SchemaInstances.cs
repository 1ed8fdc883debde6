using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>
/// CsCheck generators of payloads that are valid for a given official schema, read straight
/// from the schema JSON (independently of the validator under test).
/// </summary>
internal sealed class SchemaInstances
{
    /// <summary>
    /// Text is built from whole code points that are also whole grapheme clusters (no combining
    /// marks), so that code-point and grapheme counting (JsonSchema.Net) agree on lengths.
    /// </summary>
    private static readonly string[] TextElements =
        ["a", "b", "Z", "7", "0", " ", "-", "_", ".", ":", "é", "ß", "€", "😀", "𝄞", "\"", "\\", "\n"];

    private static readonly string[] Uris = ["https://example.com/firmware.bin", "ftp://user@files.example.com/diag", "urn:ocpp:charger"];

    private readonly JsonElement _root;
    private readonly bool _allOptional;

    private SchemaInstances(JsonElement root, bool allOptional)
    {
        _root = root;
        _allOptional = allOptional;
    }

    /// <summary>Valid payloads; with <paramref name="allOptional"/> every optional property is present, at every depth.</summary>
    public static Gen<JsonNode> Valid(JsonElement rootSchema, bool allOptional = false) =>
        new SchemaInstances(rootSchema, allOptional).For(rootSchema)!;

    /// <summary>Follows <c>#/definitions/...</c> references of a root schema.</summary>
    public static JsonElement Resolve(JsonElement root, JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out JsonElement reference))
        {
            schema = root.GetProperty("definitions").GetProperty(reference.GetString()!["#/definitions/".Length..]);
        }

        return schema;
    }

    private Gen<JsonNode> For(JsonElement schema)
    {
        schema = Resolve(_root, schema);
        if (!schema.TryGetProperty("type", out JsonElement type))
        {
            // Untyped ("any"), e.g. 2.0.1 DataTransfer data.
            return Gen.Int[0, 2].Select(static i => i switch
            {
                0 => (JsonNode)JsonValue.Create("vendor specific"),
                1 => JsonValue.Create(42),
                _ => new JsonObject { ["key"] = new JsonArray(1, "two") },
            });
        }

        return type.GetString() switch
        {
            "object" => ForObject(schema),
            "array" => ForArray(schema),
            "string" => ForString(schema),
            "integer" => ForInteger(schema),
            "number" => ForNumber(schema),
            "boolean" => Gen.Bool.Select(static b => (JsonNode)JsonValue.Create(b)),
            string other => throw new NotSupportedException($"type {other}"),
            null => throw new NotSupportedException("type null"),
        };
    }

    private Gen<JsonNode> ForObject(JsonElement schema)
    {
        var required = new HashSet<string>();
        if (schema.TryGetProperty("required", out JsonElement requiredNames))
        {
            foreach (JsonElement name in requiredNames.EnumerateArray())
            {
                required.Add(name.GetString()!);
            }
        }

        Gen<List<KeyValuePair<string, JsonNode?>>> members = Gen.Const(static () => new List<KeyValuePair<string, JsonNode?>>());
        if (schema.TryGetProperty("properties", out JsonElement properties))
        {
            foreach (JsonProperty property in properties.EnumerateObject())
            {
                string name = property.Name;
                bool always = _allOptional || required.Contains(name);
                members = Gen.Select(members, Gen.Bool, For(property.Value), (list, include, value) =>
                {
                    if (always || include)
                    {
                        list.Add(new(name, value));
                    }

                    return list;
                });
            }
        }

        return members.Select(static list => (JsonNode)new JsonObject(list));
    }

    private Gen<JsonNode> ForArray(JsonElement schema)
    {
        int min = schema.TryGetProperty("minItems", out JsonElement minItems) ? minItems.GetInt32() : 0;
        int max = schema.TryGetProperty("maxItems", out JsonElement maxItems) ? maxItems.GetInt32() : int.MaxValue;
        return For(schema.GetProperty("items")).List[min, Math.Min(max, Math.Max(min, _allOptional ? 1 : 0) + 2)]
            .Select(static items => (JsonNode)new JsonArray([.. items]));
    }

    private static Gen<JsonNode> ForString(JsonElement schema)
    {
        if (schema.TryGetProperty("enum", out JsonElement enumValues))
        {
            string[] values = [.. enumValues.EnumerateArray().Select(static v => v.GetString()!)];
            return Gen.Int[0, values.Length - 1].Select(i => (JsonNode)JsonValue.Create(values[i]));
        }

        if (schema.TryGetProperty("format", out JsonElement format))
        {
            return format.GetString() switch
            {
                "date-time" => DateTimes.Select(static s => (JsonNode)JsonValue.Create(s)),
                "uri" => Gen.Int[0, Uris.Length - 1].Select(static i => (JsonNode)JsonValue.Create(Uris[i])),
                string other => throw new NotSupportedException($"format {other}"),
                null => throw new NotSupportedException("format null"),
            };
        }

        int min = schema.TryGetProperty("minLength", out JsonElement minLength) ? minLength.GetInt32() : 0;
        int max = schema.TryGetProperty("maxLength", out JsonElement maxLength) ? maxLength.GetInt32() : 64;
        // Mostly short strings, sometimes exactly at the limit, where off-by-one bugs live.
        Gen<int> length = Gen.Frequency((8, Gen.Int[min, Math.Min(max, min + 16)]), (1, Gen.Const(max)));
        return length.SelectMany(n => Text(n)).Select(static s => (JsonNode)JsonValue.Create(s));
    }

    /// <summary>Strings of exactly <paramref name="codePoints"/> code points.</summary>
    public static Gen<string> Text(int codePoints) =>
        Gen.Int[0, TextElements.Length - 1].Array[codePoints].Select(static picks => string.Concat(picks.Select(static i => TextElements[i])));

    /// <summary>RFC 3339 timestamps in the shapes chargers send: Z or offsets, 0 to 9 fraction digits.</summary>
    public static Gen<string> DateTimes { get; } =
        Gen.Select(Gen.Int[1970, 2099], Gen.Int[1, 12], Gen.Int[1, 28], Gen.Int[0, 86399], Gen.Int[0, 9], Gen.Int[-14 * 4, 14 * 4],
            static (year, month, day, secondOfDay, fractionDigits, quarterHours) =>
            {
                string fraction = fractionDigits == 0 ? "" : "." + (secondOfDay * 7919 % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture)[..fractionDigits];
                string offset = quarterHours == 0 || quarterHours % 5 == 0
                    ? "Z"
                    : (quarterHours < 0 ? "-" : "+") + TimeSpan.FromMinutes(Math.Abs(quarterHours) * 15).ToString(@"hh\:mm", CultureInfo.InvariantCulture);
                return string.Create(CultureInfo.InvariantCulture,
                    $"{year:D4}-{month:D2}-{day:D2}T{secondOfDay / 3600:D2}:{secondOfDay / 60 % 60:D2}:{secondOfDay % 60:D2}{fraction}{offset}");
            });

    private static Gen<JsonNode> ForInteger(JsonElement schema)
    {
        int min = schema.TryGetProperty("minimum", out JsonElement minimum) ? minimum.GetInt32() : -1000;
        int max = schema.TryGetProperty("maximum", out JsonElement maximum) ? maximum.GetInt32() : 1_000_000;
        // Now and then written as 42.0: still an integer for draft-07, and what float-minded JSON libraries send.
        return Gen.Select(Gen.Int[min, max], Gen.Int[0, 4], static (i, form) => form == 0 ? (JsonNode)JsonValue.Create(i * 1.0m) : JsonValue.Create(i));
    }

    private static Gen<JsonNode> ForNumber(JsonElement schema)
    {
        // Decimal fractions as chargers write them; multipleOf 0.1 (1.6 charging limits) gets one decimal.
        // Within minimum/maximum where the schema sets them (2.1: a discharge limit is at most 0).
        bool tenths = schema.TryGetProperty("multipleOf", out JsonElement step) && step.GetDecimal() == 0.1m;
        decimal scale = tenths ? 10m : 1000m;
        decimal lowest = schema.TryGetProperty("minimum", out JsonElement minimum) ? minimum.GetDecimal() : tenths ? -1_000m : -1_000m;
        decimal highest = schema.TryGetProperty("maximum", out JsonElement maximum) ? maximum.GetDecimal() : tenths ? 100_000m : 100_000m;
        return Gen.Int[(int)Math.Ceiling(lowest * scale), (int)Math.Floor(highest * scale)].Select(k => (JsonNode)JsonValue.Create(k / scale));
    }
}
