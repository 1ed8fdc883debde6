using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Tests.Validation;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// Walks every typed action's schemas alongside the records' serialization metadata: the same
/// members, <c>required</c> exactly where the schema requires, the right JSON kind for each
/// member, and enumerations with exactly the schema's values.
/// </summary>
public sealed class RecordShapeTests
{
    public static TheoryData<string> Actions => [.. TypedActions.Catalogued.Select(static a => $"{a.Version} {a.Name}")];

    [Theory]
    [MemberData(nameof(Actions))]
    public void Records_mirror_the_schema_members_optionality_and_types(string key)
    {
        OcppAction action = TypedActions.Catalogued.Single(a => $"{a.Version} {a.Name}" == key);
        OfficialSchemas schemas = OfficialSchemas.For(action.Version);

        foreach ((string schemaId, JsonTypeInfo type) in TypedMessagesTests.Payloads(action))
        {
            JsonElement root = schemas.Raw(schemaId);
            CompareObject(root, root, type, schemaId);
        }
    }

    private static void CompareObject(JsonElement root, JsonElement schema, JsonTypeInfo type, string path)
    {
        Assert.True(type.Kind == JsonTypeInfoKind.Object, $"{path}: {type.Type.Name} is not an object type");
        var required = schema.TryGetProperty("required", out JsonElement names)
            ? names.EnumerateArray().Select(static n => n.GetString()!).ToHashSet()
            : [];
        var schemaMembers = schema.TryGetProperty("properties", out JsonElement properties)
            ? properties.EnumerateObject().ToDictionary(static p => p.Name, static p => p.Value)
            : [];
        var recordMembers = type.Properties.Where(static p => !p.IsExtensionData).ToDictionary(static p => p.Name);

        Assert.Equal(schemaMembers.Keys.Order(StringComparer.Ordinal), recordMembers.Keys.Order(StringComparer.Ordinal));
        bool open = !(schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False);
        Assert.True(open == type.Properties.Any(static p => p.IsExtensionData), $"{path}: extension data iff the schema allows other members");

        foreach ((string name, JsonElement member) in schemaMembers)
        {
            JsonPropertyInfo property = recordMembers[name];
            string at = $"{path}/{name}";
            Assert.True(required.Contains(name) == property.IsRequired, $"{at}: required in schema = {required.Contains(name)}, in record = {property.IsRequired}");
            Type memberType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            Assert.True(required.Contains(name) || memberType != property.PropertyType || !memberType.IsValueType, $"{at}: optional value types must be nullable");
            CompareValue(root, SchemaInstances.Resolve(root, member), memberType, type.Options, at);
        }
    }

    private static void CompareValue(JsonElement root, JsonElement schema, Type type, JsonSerializerOptions options, string path)
    {
        if (!schema.TryGetProperty("type", out JsonElement kind))
        {
            Assert.Equal(typeof(JsonElement), type);
            return;
        }

        switch (kind.GetString())
        {
            case "object":
                CompareObject(root, schema, options.GetTypeInfo(type), path);
                break;
            case "array":
                JsonTypeInfo list = options.GetTypeInfo(type);
                Assert.Equal(JsonTypeInfoKind.Enumerable, list.Kind);
                Assert.True(type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>), $"{path}: arrays are IReadOnlyList<T>");
                CompareValue(root, SchemaInstances.Resolve(root, schema.GetProperty("items")), list.ElementType!, options, path + "/items");
                break;
            case "string" when schema.TryGetProperty("enum", out JsonElement values):
                Assert.True(type.IsEnum, $"{path}: {type.Name} should be an enum");
                Assert.Equal(
                    values.EnumerateArray().Select(static v => v.GetString()!).Order(StringComparer.Ordinal),
                    Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.SerializeToElement(v, options.GetTypeInfo(type)).GetString()!).Order(StringComparer.Ordinal));
                break;
            case "string" when schema.TryGetProperty("format", out JsonElement format) && format.GetString() == "date-time":
                Assert.Equal(typeof(DateTimeOffset), type);
                break;
            case "string":
                Assert.Equal(typeof(string), type);
                break;
            case "integer":
                Assert.Equal(typeof(int), type);
                break;
            case "number":
                Assert.Equal(typeof(decimal), type);
                break;
            case "boolean":
                Assert.Equal(typeof(bool), type);
                break;
            default:
                Assert.Fail($"{path}: unexpected schema type {kind}");
                break;
        }
    }
}
