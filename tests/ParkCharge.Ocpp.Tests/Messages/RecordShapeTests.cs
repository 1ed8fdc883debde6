using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Tests.Validation;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// Walks every typed action's schemas alongside the records' serialization metadata: the same
/// members, <c>required</c> exactly where the schema requires, the right JSON kind for each
/// member, and enumerations with exactly the schema's values.
/// </summary>
public sealed class RecordShapeTests
{
    public static TheoryData<string> Actions =>
        [.. V16Actions.All.Concat(V201Actions.All).Select(static a => $"{a.Version} {a.Name}")];

    [Theory]
    [MemberData(nameof(Actions))]
    public void Records_mirror_the_schema_members_optionality_and_types(string key)
    {
        OcppAction action = V16Actions.All.Concat(V201Actions.All).Single(a => $"{a.Version} {a.Name}" == key);
        OfficialSchemas schemas = OfficialSchemas.For(action.Version);
        JsonSerializerOptions options = action.Version == Core.Charging.OcppVersion.Ocpp16
            ? V16JsonContext.Default.Options
            : V201JsonContext.Default.Options;
        (Type request, Type response) = action.GetType().GetGenericArguments() switch { [var a, var b] => (a, b), _ => throw new InvalidOperationException() };

        foreach ((bool isRequest, Type type) in new[] { (true, request), (false, response) })
        {
            JsonElement root = schemas.Raw(OfficialSchemas.SchemaId(action.Name, isRequest));
            CompareObject(root, root, options.GetTypeInfo(type), OfficialSchemas.SchemaId(action.Name, isRequest));
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
