using System.Text.Json;
using System.Text.Json.Serialization;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Storage.Json;

/// <summary>
/// How observations, replies and events are written in the log. Source-generated (no reflection on
/// the hot path); camelCase, enums as their names, nulls omitted. Changing a name here changes the
/// stored format: only add. PostgreSQL's JSONB reorders keys, so the type discriminator may come last.
/// </summary>
[JsonSourceGenerationOptions(
    AllowOutOfOrderMetadataProperties = true,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ObservationPayload))]
[JsonSerializable(typeof(Reply))]
[JsonSerializable(typeof(DomainEvent))]
[JsonSerializable(typeof(SiteConfiguration))]
[JsonSerializable(typeof(IReadOnlyList<SightingRead>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyList<BindingCandidate>))]
[JsonSerializable(typeof(Queries.StoredBill))]
[JsonSerializable(typeof(Core.Commands.ChargerCommand))]
internal sealed partial class StorageJsonContext : JsonSerializerContext;

/// <summary>Shortcuts for (de)serialising log entries.</summary>
public static class LogJson
{
    public static string Serialize(ObservationPayload payload) => JsonSerializer.Serialize(payload, StorageJsonContext.Default.ObservationPayload);

    public static string Serialize(Reply reply) => JsonSerializer.Serialize(reply, StorageJsonContext.Default.Reply);

    public static string Serialize(DomainEvent e) => JsonSerializer.Serialize(e, StorageJsonContext.Default.DomainEvent);

    public static string Serialize(SiteConfiguration configuration) => JsonSerializer.Serialize(configuration, StorageJsonContext.Default.SiteConfiguration);

    public static SiteConfiguration DeserializeSite(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.SiteConfiguration) ?? throw new JsonException("A site configuration is null.");

    public static string Serialize(IReadOnlyList<SightingRead> reads) => JsonSerializer.Serialize(reads, StorageJsonContext.Default.IReadOnlyListSightingRead);

    public static IReadOnlyList<SightingRead> DeserializeReads(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.IReadOnlyListSightingRead) ?? [];

    public static string Serialize(IReadOnlyList<string> values) => JsonSerializer.Serialize(values, StorageJsonContext.Default.IReadOnlyListString);

    public static IReadOnlyList<string> DeserializeStrings(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.IReadOnlyListString) ?? [];

    public static string Serialize(IReadOnlyList<BindingCandidate> candidates) => JsonSerializer.Serialize(candidates, StorageJsonContext.Default.IReadOnlyListBindingCandidate);

    public static IReadOnlyList<BindingCandidate> DeserializeCandidates(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.IReadOnlyListBindingCandidate) ?? [];

    public static string Serialize(Queries.StoredBill bill) => JsonSerializer.Serialize(bill, StorageJsonContext.Default.StoredBill);

    public static Queries.StoredBill DeserializeBill(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.StoredBill) ?? throw new JsonException("A bill is null.");

    public static string Serialize(Core.Commands.ChargerCommand command) => JsonSerializer.Serialize(command, StorageJsonContext.Default.ChargerCommand);

    public static Core.Commands.ChargerCommand DeserializeCommand(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.ChargerCommand) ?? throw new JsonException("A command is null.");

    public static ObservationPayload DeserializePayload(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.ObservationPayload) ?? throw new JsonException("An observation payload is null.");

    public static Reply DeserializeReply(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.Reply) ?? throw new JsonException("A reply is null.");

    public static DomainEvent DeserializeEvent(string json) =>
        JsonSerializer.Deserialize(json, StorageJsonContext.Default.DomainEvent) ?? throw new JsonException("An event is null.");
}
