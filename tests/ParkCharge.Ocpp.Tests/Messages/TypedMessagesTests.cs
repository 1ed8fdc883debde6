using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Tests.Validation;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;
using ParkCharge.Ocpp.V21;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// The typed records are faithful to the official schemas: what they write validates, and
/// whatever the schema allows reads into them and writes back without losing a field.
/// </summary>
public sealed class TypedMessagesTests
{
    private static readonly Dictionary<string, MessageExample> ExamplesByKey =
        V16Examples.All.Concat(V201Examples.All).Concat(V21Examples.All).ToDictionary(static e => e.ToString());

    private static readonly Dictionary<string, OcppAction> ActionsByKey = TypedActions.Catalogued.ToDictionary(static a => $"{a.Version} {a.Name}");

    public static TheoryData<string> Examples => [.. ExamplesByKey.Keys];

    public static TheoryData<string> Actions => [.. ActionsByKey.Keys];

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_typed_example_serializes_to_payloads_the_official_schemas_accept(string example)
    {
        MessageExample message = ExamplesByKey[example];
        OfficialSchemas schemas = OfficialSchemas.For(message.Action.Version);

        foreach (MessageExample.Payload payload in message.Payloads)
        {
            JsonElement json = payload.Serialize();
            Assert.True(schemas.Check(payload.SchemaId, json).IsValid, $"{payload.SchemaId}: {schemas.Check(payload.SchemaId, json).Violation?.Description}\n{json}");
            Assert.True(schemas.OracleAccepts(payload.SchemaId, json), $"JsonSchema.Net rejects {payload.SchemaId}: {json}");
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_typed_example_reads_back_into_the_same_json(string example)
    {
        foreach (MessageExample.Payload payload in ExamplesByKey[example].Payloads)
        {
            JsonElement json = payload.Serialize();
            JsonEquivalence.AssertEquivalent(json, payload.RoundTrip(json));
        }
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public void Any_schema_valid_payload_reads_into_the_records_and_writes_back_unchanged(string key)
    {
        OcppAction action = ActionsByKey[key];
        OfficialSchemas schemas = OfficialSchemas.For(action.Version);

        foreach ((string schemaId, JsonTypeInfo type) in Payloads(action))
        {
            JsonElement schema = schemas.Raw(schemaId);
            Gen<JsonNode> payloads = Gen.Frequency((3, SchemaInstances.Valid(schema)), (1, SchemaInstances.Valid(schema, allOptional: true)));

            payloads.Sample(payload =>
            {
                JsonElement json = JsonSerializer.SerializeToElement(payload);
                JsonEquivalence.AssertEquivalent(json, JsonSerializer.SerializeToElement(json.Deserialize(type), type));
            }, iter: action.Version == OcppVersion.Ocpp21 ? 40 : 100, print: static p => p.ToJsonString());
        }
    }

    [Fact]
    public void Every_typed_1_6_and_2_0_1_action_and_every_2_1_message_parkcharge_exchanges_has_a_typed_example()
    {
        Assert.Equal(
            TypedActions.WithExamples.Select(static a => $"{a.Version} {a.Action}").Order(StringComparer.Ordinal),
            ExamplesByKey.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_catalogues_hold_exactly_the_typed_actions_in_order()
    {
        Assert.Equal(TypedActions.Ocpp16, V16Actions.All.Select(static a => a.Name));
        Assert.Equal(TypedActions.Ocpp201, V201Actions.All.Select(static a => a.Name));
        Assert.Equal(TypedActions.Ocpp21, V21Actions.All.Select(static a => a.Name));
        Assert.All(V16Actions.All, static a => Assert.Equal(OcppVersion.Ocpp16, a.Version));
        Assert.All(V201Actions.All, static a => Assert.Equal(OcppVersion.Ocpp201, a.Version));
        Assert.All(V21Actions.All, static a => Assert.Equal(OcppVersion.Ocpp21, a.Version));
    }

    [Fact]
    public void Every_message_of_the_2_1_schema_file_is_typed_and_its_one_SEND_is_typed_as_a_SEND()
    {
        OcppSchemas schemas = OcppSchemas.For(OcppVersion.Ocpp21);

        Assert.Equal(schemas.Actions.Count + schemas.SendActions.Count, V21Actions.All.Count);
        Assert.Equal(["NotifyPeriodicEventStream"], V21Actions.All.Where(static a => a is OcppSendAction<V21.NotifyPeriodicEventStream>).Select(static a => a.Name));
    }

    [Fact]
    public void Every_catalogued_action_is_defined_by_its_version_schemas()
    {
        foreach (OcppAction action in TypedActions.Catalogued)
        {
            OcppSchemas schemas = OcppSchemas.For(action.Version);
            Assert.True(action is OcppSendAction<V21.NotifyPeriodicEventStream> ? schemas.SendActions.Contains(action.Name) : schemas.HasAction(action.Name), action.ToString());
        }
    }

    /// <summary>The schema id and type info of each payload of an action: request and response, or a SEND's one message.</summary>
    internal static IEnumerable<(string SchemaId, JsonTypeInfo Type)> Payloads(OcppAction action)
    {
        if (action is OcppSendAction<V21.NotifyPeriodicEventStream> send)
        {
            yield return ($"urn:{action.Name}", send.Message);
            yield break;
        }

        yield return (OfficialSchemas.SchemaId(action.Version, action.Name, request: true), TypeInfo(action, "Request"));
        yield return (OfficialSchemas.SchemaId(action.Version, action.Name, request: false), TypeInfo(action, "Response"));

        static JsonTypeInfo TypeInfo(OcppAction action, string property) => (JsonTypeInfo)action.GetType().GetProperty(property)!.GetValue(action)!;
    }
}
