using System.Text.Json;
using System.Text.Json.Nodes;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>One way to damage (or, for optional properties, harmlessly change) a valid payload.</summary>
internal sealed record SchemaMutation(string Description, Func<JsonNode, JsonNode> Apply)
{
    public override string ToString() => Description;
}

/// <summary>
/// Lists the mutations that apply to one payload, guided by its schema: drop a property, change
/// a value's JSON type, add an unknown property, overlong string, bad enum value, bad date,
/// out-of-range or fractional number. Each mutation works on a copy.
/// </summary>
internal static class SchemaMutations
{
    private static readonly string[] BadDates =
    [
        "2024-13-01T10:00:00Z", "2024-02-30T10:00:00Z", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T10:60:00Z", "2024-01-01T10:00:00", "2024-01-01T10:00:00+0100", "2024-01-01T10:00:00+24:00",
        "2024-01-01", "10:00:00Z", "2024-01-01T10:00:00.Z", "yesterday", "", "2024-1-01T10:00:00Z",
        "2024-01-01T10:00:61Z", "2024-01-01T12:00:60Z",
    ];

    public static List<SchemaMutation> For(JsonNode payload, JsonElement rootSchema)
    {
        var mutations = new List<SchemaMutation>();
        Collect(payload, rootSchema, rootSchema, [], mutations);
        return mutations;
    }

    private static void Collect(JsonNode? node, JsonElement schema, JsonElement root, object[] path, List<SchemaMutation> mutations)
    {
        schema = SchemaInstances.Resolve(root, schema);
        string at = "/" + string.Join('/', path);
        mutations.Add(Replace(path, $"{at}: change type", OtherType(node)));
        mutations.Add(Replace(path, $"{at}: null", null));

        switch (node)
        {
            case JsonObject obj:
                foreach ((string name, JsonNode? child) in obj.ToList())
                {
                    object[] childPath = [.. path, name];
                    mutations.Add(new($"{at}: drop {name}", payload =>
                    {
                        ((JsonObject)Navigate(payload, path)!).Remove(name);
                        return payload;
                    }));
                    if (schema.TryGetProperty("properties", out JsonElement properties) && properties.TryGetProperty(name, out JsonElement childSchema))
                    {
                        Collect(child, childSchema, root, childPath, mutations);
                    }
                }

                mutations.Add(new($"{at}: add unknown property", payload =>
                {
                    ((JsonObject)Navigate(payload, path)!)["unknownProperty"] = "surprise";
                    return payload;
                }));
                break;

            case JsonArray array:
                mutations.Add(Replace(path, $"{at}: empty array", new JsonArray()));
                for (int i = 0; i < array.Count; i++)
                {
                    Collect(array[i], schema.GetProperty("items"), root, [.. path, i], mutations);
                }

                break;

            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                if (schema.TryGetProperty("enum", out _))
                {
                    mutations.Add(Replace(path, $"{at}: bad enum", JsonValue.Create("Bogus")));
                    mutations.Add(Replace(path, $"{at}: enum in wrong case", JsonValue.Create(value.GetValue<string>().ToUpperInvariant() + "x")));
                }

                if (schema.TryGetProperty("maxLength", out JsonElement maxLength))
                {
                    int max = maxLength.GetInt32();
                    mutations.Add(Replace(path, $"{at}: overlong", JsonValue.Create(new string('x', max + 1))));
                    mutations.Add(Replace(path, $"{at}: overlong in astral characters", JsonValue.Create(string.Concat(Enumerable.Repeat("😀", max + 1)))));
                    mutations.Add(Replace(path, $"{at}: exactly maxLength astral characters", JsonValue.Create(string.Concat(Enumerable.Repeat("😀", max)))));
                }

                if (schema.TryGetProperty("format", out JsonElement format))
                {
                    if (format.GetString() == "date-time")
                    {
                        foreach (string bad in BadDates)
                        {
                            mutations.Add(Replace(path, $"{at}: bad date {bad}", JsonValue.Create(bad)));
                        }
                    }
                    else
                    {
                        mutations.Add(Replace(path, $"{at}: relative uri", JsonValue.Create("firmware/latest.bin")));
                        mutations.Add(Replace(path, $"{at}: uri with space", JsonValue.Create("https://example.com/a b")));
                    }
                }

                break;

            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                mutations.Add(Replace(path, $"{at}: fraction", JsonValue.Create(1.5m)));
                mutations.Add(Replace(path, $"{at}: integral written as 2.0", JsonNode.Parse("2.0")));
                mutations.Add(Replace(path, $"{at}: exponent", JsonNode.Parse("1e3")));
                if (schema.TryGetProperty("minimum", out JsonElement minimum))
                {
                    mutations.Add(Replace(path, $"{at}: below minimum", JsonValue.Create(minimum.GetDecimal() - 1)));
                }

                if (schema.TryGetProperty("maximum", out JsonElement maximum))
                {
                    mutations.Add(Replace(path, $"{at}: above maximum", JsonValue.Create(maximum.GetDecimal() + 1)));
                }

                if (schema.TryGetProperty("multipleOf", out _))
                {
                    mutations.Add(Replace(path, $"{at}: not a multiple", JsonValue.Create(0.15m)));
                }

                break;
        }
    }

    private static JsonNode? OtherType(JsonNode? node) => node switch
    {
        JsonObject => JsonValue.Create("an object was expected"),
        JsonArray => new JsonObject(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(12),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonValue.Create("12"),
        JsonValue => JsonValue.Create("true"),
        null => JsonValue.Create(0),
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private static SchemaMutation Replace(object[] path, string description, JsonNode? replacement) =>
        new(description, payload =>
        {
            JsonNode? copy = replacement?.DeepClone();
            if (path.Length == 0)
            {
                return copy ?? JsonValue.Create("null payload");
            }

            JsonNode parent = Navigate(payload, path[..^1])!;
            if (path[^1] is string name)
            {
                parent[name] = copy;
            }
            else
            {
                parent[(int)path[^1]] = copy;
            }

            return payload;
        });

    private static JsonNode? Navigate(JsonNode? node, object[] path)
    {
        foreach (object segment in path)
        {
            node = segment is string name ? node![name] : node![(int)segment];
        }

        return node;
    }
}
