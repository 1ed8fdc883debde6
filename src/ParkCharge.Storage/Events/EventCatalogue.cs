using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Core.Engine;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Events;

/// <summary>A published event type: its public name, the version of its shape, and what it means.</summary>
/// <param name="Name">The public name, e.g. <c>charging.started</c>; never renamed.</param>
/// <param name="Version">The version of the event's data shape (see <see cref="EventCatalogue.Version"/>).</param>
/// <param name="Description">What happened, for people (the type's <see cref="DescriptionAttribute"/>).</param>
/// <param name="DataType">The domain event it is published from.</param>
public sealed record EventType(string Name, int Version, string? Description, Type DataType);

/// <summary>
/// The catalogue of published events, read from the domain's own event types (the derived types of
/// <see cref="DomainEvent"/> and their <c>type</c> discriminators), so a new domain event is published,
/// listed and described by a schema without anything else to change. Schemas are exported by
/// System.Text.Json from the very contract the log is written with, so they cannot drift from it.
/// </summary>
public static class EventCatalogue
{
    /// <summary>
    /// Every type is at version 1. The log's format only ever gains fields (see <see cref="LogJson"/>),
    /// and consumers must ignore fields they do not know, so additions keep the version; a change that
    /// is not an addition gets a new type name rather than silently changing the meaning of an old one.
    /// </summary>
    public const int Version = 1;

    private const string SchemaDialect = "https://json-schema.org/draft/2020-12/schema";

    private static readonly ConcurrentDictionary<string, JsonObject> Schemas = new(StringComparer.Ordinal);

    private static readonly JsonSchemaExporterOptions ExporterOptions = new()
    {
        TreatNullObliviousAsNonNullable = true,
        TransformSchemaNode = Describe,
    };

    /// <summary>Every published type, ordered by name.</summary>
    public static IReadOnlyList<EventType> Types { get; } = Read();

    private static readonly Dictionary<string, EventType> ByName = Types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public static EventType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>
    /// The JSON schema (2020-12) of a published event of the type: the envelope with the type's
    /// <c>data</c>. A fresh copy the caller may change.
    /// </summary>
    public static JsonObject Schema(EventType type) =>
        (JsonObject)Schemas.GetOrAdd(type.Name, _ => BuildSchema(type)).DeepClone();

    /// <summary>
    /// An event's <c>data</c> from its stored form: the domain event without the type discriminator and
    /// the event time (both are in the envelope), with fields in the contract's order whatever order the
    /// database kept (PostgreSQL's JSONB reorders keys). A type this node does not know (written by a
    /// newer node) is passed on as stored.
    /// </summary>
    public static string Data(string stored)
    {
        JsonObject data;
        try
        {
            var e = LogJson.DeserializeEvent(stored);
            data = JsonSerializer.SerializeToNode(e, StorageJsonContext.Default.GetTypeInfo(e.GetType())!)!.AsObject();
        }
        catch (JsonException)
        {
            data = JsonNode.Parse(stored)!.AsObject();
            data.Remove("type");
        }

        data.Remove("eventTime");
        return data.ToJsonString();
    }

    private static List<EventType> Read()
    {
        var options = StorageJsonContext.Default.DomainEvent.PolymorphismOptions
            ?? throw new InvalidOperationException("DomainEvent is not declared polymorphic.");
        return [.. options.DerivedTypes
            .Select(d => new EventType(
                (string)d.TypeDiscriminator!,
                Version,
                d.DerivedType.GetCustomAttribute<DescriptionAttribute>()?.Description,
                d.DerivedType))
            .OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    private static JsonObject BuildSchema(EventType type)
    {
        var info = StorageJsonContext.Default.GetTypeInfo(type.DataType)
            ?? throw new InvalidOperationException($"{type.DataType.Name} is not in the log's JSON contract.");
        var data = info.GetJsonSchemaAsNode(ExporterOptions).AsObject();
        (data["properties"] as JsonObject)?.Remove("eventTime");
        if (data["required"] is JsonArray required && required.FirstOrDefault(r => r?.GetValue<string>() == "eventTime") is { } eventTime)
        {
            required.Remove(eventTime);
        }

        // The exporter refers to a repeated part by its path from the root; data is one level down.
        Rebase(data, "#/properties/data");
        var schema = new JsonObject
        {
            ["$schema"] = SchemaDialect,
            ["title"] = type.Name,
            ["description"] = type.Description,
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["id"] = Field("string", "The event's stable id: the same on every delivery and replay. De-duplicate on it."),
                ["type"] = new JsonObject { ["const"] = type.Name },
                ["version"] = new JsonObject { ["const"] = type.Version },
                ["site"] = Field("string", "The site the event belongs to."),
                ["sequence"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "The event's number in its site's sequence: events of one site are delivered in this order." },
                ["eventTime"] = Instant("When it happened, by the clock of the source that reported it (a charger, a camera, an operator)."),
                ["recordedAt"] = Instant("When ParkCharge recorded (published) it: the time it was committed to the log."),
                ["data"] = data,
            },
            ["required"] = new JsonArray("id", "type", "version", "site", "sequence", "eventTime", "recordedAt", "data"),
        };
        if (type.Description is null)
        {
            schema.Remove("description");
        }

        return schema;
    }

    private static JsonObject Field(string type, string description) => new() { ["type"] = type, ["description"] = description };

    private static JsonObject Instant(string description) => new() { ["type"] = "string", ["format"] = "date-time", ["description"] = description };

    private static void Rebase(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue reference && reference.GetValue<string>() is { } target && target.StartsWith('#'))
                {
                    o["$ref"] = prefix + target[1..];
                }

                foreach (var (_, child) in o.ToList())
                {
                    Rebase(child, prefix);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Rebase(child, prefix);
                }

                break;
        }
    }

    /// <summary>
    /// Makes the exported schema say what the log's contract writes: strongly typed ids (<c>ChargerId</c>,
    /// <c>SiteId</c>) are strings (their converters are opaque to the exporter, which would allow anything);
    /// flags are a comma-separated list; and a field that may be null is not required, because nulls are
    /// left out rather than written.
    /// </summary>
    private static JsonNode Describe(JsonSchemaExporterContext context, JsonNode schema)
    {
        var declared = context.TypeInfo.Type;
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        if (context.TypeInfo.Kind == JsonTypeInfoKind.None
            && schema is JsonObject { Count: 0 } or JsonValue
            && type.GetProperty("Value")?.PropertyType == typeof(string))
        {
            return new JsonObject { ["type"] = type == declared ? "string" : new JsonArray("string", "null") };
        }

        if (type.IsEnum && type.IsDefined(typeof(FlagsAttribute)) && schema is JsonObject flags)
        {
            flags["description"] = $"Comma-separated flags of: {string.Join(", ", Enum.GetNames(type))}.";
        }

        if (schema is JsonObject { } obj && obj["properties"] is JsonObject properties && obj["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()).ToList())
            {
                if (properties[name] is JsonObject property && AllowsNull(property))
                {
                    required.Remove(required.First(r => r!.GetValue<string>() == name));
                }
            }
        }

        return schema;
    }

    private static bool AllowsNull(JsonObject property) =>
        property["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null")
        || property["enum"] is JsonArray values && values.Any(v => v is null);
}
