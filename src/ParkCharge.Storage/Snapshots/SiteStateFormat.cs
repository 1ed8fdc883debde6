using System.Collections;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Storage.Snapshots;

/// <summary>A snapshot could not be read by this version (another format, a state shape it does not know, a damaged row).</summary>
public sealed class SnapshotUnreadableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// How a site engine's state is written into a snapshot and read back (docs/operators.md, "Snapshots and compaction").
/// </summary>
/// <remarks>
/// The state is written <em>whole and generically</em>: every instance field of <see cref="SiteState"/> and of the rule
/// modules' state objects it holds (<c>ParkingState</c>, <c>BindingState</c>, ...), found by reflection, each value
/// through System.Text.Json's source-generated metadata (<see cref="SnapshotJsonContext"/>). The state's fields are
/// private to Core by design, and a hand-written list of them is exactly what a new rule would forget: here a new field
/// is written without anyone touching this file, and one whose type the context does not know fails the snapshot
/// (and the snapshot tests) with its name rather than being left out. Dictionaries are written as lists of key and
/// value in their enumeration order (keys need not be strings; the order of what the engine walks is kept) and read
/// back into the state's own dictionary objects, so their comparers stay the state's.
/// <para>
/// The document is gzip-compressed UTF-8 JSON: <c>{"format":1,"engine":"…","site":"…","state":{…}}</c>.
/// <see cref="EngineVersion"/> names the build of the engine that made it: a snapshot of another build is used only as
/// the beginning of a compacted log (<see cref="SiteStateFormat.Read"/> with <c>tolerant</c>).
/// </para>
/// </remarks>
public static class SiteStateFormat
{
    /// <summary>The layout of the document. Raise it when the way fields are written changes (not when the state gains a field).</summary>
    public const int FormatVersion = 1;

    /// <summary>
    /// The build of the engine (ParkCharge.Core's module version id: builds are deterministic and Core's version leaves
    /// out the git commit, so it changes when Core's code, the compiler or the configuration do, not at every commit).
    /// Rules and state shape may differ between builds; a snapshot is exact only for its own build.
    /// </summary>
    public static string EngineVersion { get; } = typeof(SiteState).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    private static readonly JsonSerializerOptions Options = SnapshotJsonContext.Default.Options;

    /// <summary>The state as a snapshot document, compressed.</summary>
    /// <exception cref="NotSupportedException">A field of the state has a type <see cref="SnapshotJsonContext"/> does not know.</exception>
    public static byte[] Write(SiteState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new Utf8JsonWriter(zip))
        {
            writer.WriteStartObject();
            writer.WriteNumber("format", FormatVersion);
            writer.WriteString("engine", EngineVersion);
            writer.WriteString("site", state.Site.Value);
            writer.WritePropertyName("state");
            WriteObject(writer, state);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// A copy of the state as it is now, for <see cref="Write"/> to serialise elsewhere while the engine goes on
    /// (<c>Write(Copy(state))</c> is <c>Write(state)</c>, whatever the state takes afterwards). Cheap: the state's values
    /// are records, strings and immutable collections, which the copy shares; only its containers are copied
    /// (dictionaries with their comparers and enumeration order, and the lists and dictionaries they hold), no value
    /// is serialised. Found by reflection like <see cref="Write"/>'s fields, so a new field is copied too.
    /// </summary>
    /// <exception cref="NotSupportedException">A field holds a mutable class this copy does not know how to copy.</exception>
    public static SiteState Copy(SiteState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var copy = new SiteState(state.Site);
        CopyObject(state, copy);
        return copy;
    }

    /// <summary>
    /// The state a snapshot holds. With <paramref name="tolerant"/> false, the document must have been written by this
    /// very engine build and hold exactly the state's fields; with it true (the beginning of a compacted log, which has
    /// nothing older to fall back on), a field the state has and the document lacks is left as a new state has it, and
    /// a field the document has and the state lacks is ignored; both are listed in <paramref name="differences"/>.
    /// </summary>
    /// <exception cref="SnapshotUnreadableException">The document cannot be read as a state of <paramref name="site"/>.</exception>
    public static SiteState Read(SiteId site, byte[] document, bool tolerant, out IReadOnlyList<string> differences)
    {
        var found = new List<string>();
        differences = found;
        try
        {
            using var zip = new GZipStream(new MemoryStream(document), CompressionMode.Decompress);
            using var json = JsonDocument.Parse(zip);
            var root = json.RootElement;
            if (!root.TryGetProperty("format", out var format) || format.GetInt32() != FormatVersion)
            {
                throw new SnapshotUnreadableException($"The snapshot's format is {(format.ValueKind == JsonValueKind.Number ? format.GetInt32() : "unknown")}, this version reads {FormatVersion}.");
            }

            var engine = root.GetProperty("engine").GetString();
            if (!tolerant && engine != EngineVersion)
            {
                throw new SnapshotUnreadableException($"The snapshot was made by engine build {engine}, this is {EngineVersion}.");
            }

            if (root.GetProperty("site").GetString() != site.Value)
            {
                throw new SnapshotUnreadableException($"The snapshot is of site '{root.GetProperty("site").GetString()}', not '{site}'.");
            }

            var state = new SiteState(site);
            ReadObject(root.GetProperty("state"), state, "state", found);
            if (!tolerant && found.Count > 0)
            {
                throw new SnapshotUnreadableException($"The snapshot does not fit this state: {string.Join("; ", found)}.");
            }

            return state;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or KeyNotFoundException or NotSupportedException or FormatException or ArgumentException)
        {
            throw new SnapshotUnreadableException($"The snapshot cannot be read: {e.Message}", e);
        }
    }

    /// <summary>A snapshot document's JSON text.</summary>
    internal static string Text(byte[] document)
    {
        using var zip = new GZipStream(new MemoryStream(document), CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    /// <summary>JSON text as a snapshot document.</summary>
    internal static byte[] Compress(string json)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var writer = new StreamWriter(zip))
        {
            writer.Write(json);
        }

        return buffer.ToArray();
    }

    /// <summary>The fields a snapshot holds of an object of the state: every instance field, public or not, of the type and its bases.</summary>
    internal static IEnumerable<FieldInfo> Fields(Type type)
    {
        for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
        {
            foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly).OrderBy(f => f.MetadataToken))
            {
                yield return field;
            }
        }
    }

    /// <summary>A field's name as written: <c>_sessions</c> is <c>sessions</c>, an auto-property's backing field its property's name.</summary>
    internal static string NameOf(FieldInfo field)
    {
        var name = field.Name;
        if (name.StartsWith('<') && name.IndexOf('>', StringComparison.Ordinal) is var end and > 0)
        {
            return name[1..end];
        }

        return name.TrimStart('_');
    }

    /// <summary>
    /// An object of the state that is written field by field: a class of Core (not a record, not a collection) that the
    /// state holds in a read-only field and creates itself (<c>ParkingState</c>, <c>BindingState</c>, ...).
    /// </summary>
    internal static bool IsStatePart(FieldInfo field) =>
        field.IsInitOnly && field.FieldType.IsClass && field.FieldType.Assembly == typeof(SiteState).Assembly
        && field.FieldType.GetMethod("<Clone>$") is null && !typeof(IEnumerable).IsAssignableFrom(field.FieldType);

    private static bool IsDictionary(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>);

    private static void WriteObject(Utf8JsonWriter writer, object value)
    {
        writer.WriteStartObject();
        foreach (var field in Fields(value.GetType()))
        {
            writer.WritePropertyName(NameOf(field));
            var fieldValue = field.GetValue(value);
            if (fieldValue is null)
            {
                writer.WriteNullValue();
            }
            else if (IsStatePart(field))
            {
                WriteObject(writer, fieldValue);
            }
            else if (IsDictionary(field.FieldType))
            {
                var (keyType, valueType) = (field.FieldType.GenericTypeArguments[0], field.FieldType.GenericTypeArguments[1]);
                var (keyInfo, valueInfo) = (TypeInfo(keyType, field), TypeInfo(valueType, field));
                writer.WriteStartArray();
                foreach (DictionaryEntry entry in (IDictionary)fieldValue)
                {
                    writer.WriteStartArray();
                    JsonSerializer.Serialize(writer, entry.Key, keyInfo);
                    JsonSerializer.Serialize(writer, entry.Value, valueInfo);
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
            }
            else
            {
                JsonSerializer.Serialize(writer, fieldValue, TypeInfo(field.FieldType, field));
            }
        }

        writer.WriteEndObject();
    }

    private static void CopyObject(object source, object target)
    {
        foreach (var field in Fields(source.GetType()))
        {
            var value = field.GetValue(source);
            if (value is not null && IsStatePart(field))
            {
                CopyObject(value, field.GetValue(target)!);
            }
            else if (value is IDictionary from && IsDictionary(field.FieldType) && field.GetValue(target) is IDictionary into)
            {
                // Filled in place, in the source's order: the state's own dictionary keeps its comparer.
                into.Clear();
                foreach (DictionaryEntry entry in from)
                {
                    into.Add(entry.Key, CopyValue(entry.Value, field));
                }
            }
            else
            {
                field.SetValue(target, CopyValue(value, field));
            }
        }
    }

    /// <summary>A value of the state, shared when immutable, its container copied when not (its items are values).</summary>
    private static object? CopyValue(object? value, FieldInfo field)
    {
        if (value is null || value is string || value.GetType().IsValueType)
        {
            return value;
        }

        var type = value.GetType();
        if (type.GetMethod("<Clone>$") is not null || type.Namespace == "System.Collections.Immutable")
        {
            return value;
        }

        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        if (definition == typeof(Dictionary<,>) || definition == typeof(HashSet<>))
        {
            // With the source's comparer, and its enumeration order (a copy made by enumerating has no free slots).
            return Activator.CreateInstance(type, value, type.GetProperty("Comparer")!.GetValue(value));
        }

        if (definition == typeof(List<>))
        {
            return Activator.CreateInstance(type, value);
        }

        throw new NotSupportedException(
            $"The snapshot cannot copy {field.DeclaringType?.Name}.{field.Name}: it holds a {type}, which is neither a record, an immutable collection nor a known container.");
    }

    private static void ReadObject(JsonElement element, object target, string path, List<string> differences)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in Fields(target.GetType()))
        {
            var name = NameOf(field);
            seen.Add(name);
            if (!element.TryGetProperty(name, out var value))
            {
                differences.Add($"{path}.{name} is not in the snapshot");
                continue;
            }

            if (IsStatePart(field))
            {
                ReadObject(value, field.GetValue(target)!, $"{path}.{name}", differences);
            }
            else if (IsDictionary(field.FieldType) && field.GetValue(target) is IDictionary dictionary)
            {
                // Filled in place: the dictionary the state made keeps its comparer.
                var (keyInfo, valueInfo) = (TypeInfo(field.FieldType.GenericTypeArguments[0], field), TypeInfo(field.FieldType.GenericTypeArguments[1], field));
                dictionary.Clear();
                foreach (var pair in value.EnumerateArray())
                {
                    dictionary.Add(pair[0].Deserialize(keyInfo)!, pair[1].Deserialize(valueInfo));
                }
            }
            else
            {
                field.SetValue(target, value.Deserialize(TypeInfo(field.FieldType, field)));
            }
        }

        foreach (var property in element.EnumerateObject().Where(p => !seen.Contains(p.Name)))
        {
            differences.Add($"{path}.{property.Name} is in the snapshot but not in this state");
        }
    }

    private static JsonTypeInfo TypeInfo(Type type, FieldInfo field) =>
        Options.TypeInfoResolver?.GetTypeInfo(type, Options)
        ?? throw new NotSupportedException(
            $"The snapshot cannot hold {field.DeclaringType?.Name}.{field.Name}: its type {type} is not in {nameof(SnapshotJsonContext)} (add it there).");
}

/// <summary>
/// The types the site state's fields hold, for <see cref="SiteStateFormat"/>. Fields (not only properties) are
/// included for the tuples the state keeps. A type missing here fails the snapshot with the field's name.
/// </summary>
[JsonSourceGenerationOptions(
    AllowOutOfOrderMetadataProperties = true,
    IncludeFields = true,
    UseStringEnumConverter = true,
    Converters = [typeof(OrdinalSortedDictionaryConverter)])]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(DateTimeOffset))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(SiteId))]
[JsonSerializable(typeof(SiteConfiguration))]
[JsonSerializable(typeof(Core.Charging.ChargerId))]
[JsonSerializable(typeof(Core.Charging.ChargerState))]
[JsonSerializable(typeof(Core.Charging.ChargingSession))]
[JsonSerializable(typeof((Core.Charging.ChargerId, string)))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ProcessedObservation))]
[JsonSerializable(typeof(Core.Parking.Sighting))]
[JsonSerializable(typeof(Dictionary<string, Core.Parking.Sighting>))]
[JsonSerializable(typeof(Core.Parking.ParkingSession))]
[JsonSerializable(typeof(Core.Parking.BayVisit))]
[JsonSerializable(typeof(Core.Parking.ParkingAnomaly))]
[JsonSerializable(typeof(Core.Parking.BayPresence))]
[JsonSerializable(typeof(ImmutableArray<TimeSpan>))]
[JsonSerializable(typeof(Core.Parking.CameraHealth))]
[JsonSerializable(typeof(Core.Automation.ChargerLocalList))]
[JsonSerializable(typeof(Dictionary<string, Core.Commands.LocalListEntry>))]
[JsonSerializable(typeof(Core.Automation.StopPlan))]
[JsonSerializable(typeof((string Id, Core.Automation.PowerShare Share)))]
[JsonSerializable(typeof(Core.Binding.ChargingBinding))]
[JsonSerializable(typeof(List<(string Source, string Plate)>))]
[JsonSerializable(typeof(Core.Commands.ChargerCommand))]
[JsonSerializable(typeof(Core.Billing.SettledBill))]
[JsonSerializable(typeof(List<Core.Billing.Payment>))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;

/// <summary>
/// The state's sorted dictionaries with string keys sort ordinally (a charger's local list): read back with the
/// default comparer they would sort by the culture's rules and walk in another order.
/// </summary>
internal sealed class OrdinalSortedDictionaryConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ImmutableSortedDictionary<,>) && typeToConvert.GenericTypeArguments[0] == typeof(string);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert.GenericTypeArguments[1]))!;

    private sealed class Converter<TValue> : JsonConverter<ImmutableSortedDictionary<string, TValue>>
    {
        public override ImmutableSortedDictionary<string, TValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var values = (JsonTypeInfo<Dictionary<string, TValue>>)options.GetTypeInfo(typeof(Dictionary<string, TValue>));
            return (JsonSerializer.Deserialize(ref reader, values) ?? []).ToImmutableSortedDictionary(StringComparer.Ordinal);
        }

        public override void Write(Utf8JsonWriter writer, ImmutableSortedDictionary<string, TValue> value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            var info = (JsonTypeInfo<TValue>)options.GetTypeInfo(typeof(TValue));
            foreach (var (key, item) in value)
            {
                writer.WritePropertyName(key);
                JsonSerializer.Serialize(writer, item, info);
            }

            writer.WriteEndObject();
        }
    }
}
