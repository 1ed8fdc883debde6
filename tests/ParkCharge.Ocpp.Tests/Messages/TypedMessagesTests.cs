using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Tests.Validation;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// The typed records are faithful to the official schemas: what they write validates, and
/// whatever the schema allows reads into them and writes back without losing a field.
/// </summary>
public sealed class TypedMessagesTests
{
    private static readonly Dictionary<string, MessageExample> s_examples =
        V16Examples.All.Concat(V201Examples.All).ToDictionary(static e => e.ToString());

    public static TheoryData<string> Examples => [.. s_examples.Keys];

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_typed_example_serializes_to_payloads_the_official_schemas_accept(string example)
    {
        MessageExample message = s_examples[example];
        OfficialSchemas schemas = OfficialSchemas.For(message.Action.Version);

        foreach ((bool request, JsonElement json) in new[] { (true, message.SerializeRequest()), (false, message.SerializeResponse()) })
        {
            string schemaId = OfficialSchemas.SchemaId(message.Action.Name, request);
            Assert.True(schemas.Check(schemaId, json).IsValid, $"{schemaId}: {schemas.Check(schemaId, json).Violation?.Description}\n{json}");
            Assert.True(schemas.OracleAccepts(schemaId, json), $"JsonSchema.Net rejects {schemaId}: {json}");
        }
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void A_typed_example_reads_back_into_the_same_json(string example)
    {
        MessageExample message = s_examples[example];
        JsonElement request = message.SerializeRequest();
        JsonElement response = message.SerializeResponse();

        JsonEquivalence.AssertEquivalent(request, message.RoundTripRequest(request));
        JsonEquivalence.AssertEquivalent(response, message.RoundTripResponse(response));
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void Any_schema_valid_payload_reads_into_the_records_and_writes_back_unchanged(string example)
    {
        MessageExample message = s_examples[example];
        OfficialSchemas schemas = OfficialSchemas.For(message.Action.Version);

        foreach (bool request in new[] { true, false })
        {
            JsonElement schema = schemas.Raw(OfficialSchemas.SchemaId(message.Action.Name, request));
            Func<JsonElement, JsonElement> roundTrip = request ? message.RoundTripRequest : message.RoundTripResponse;
            Gen<JsonNode> payloads = Gen.Frequency((3, SchemaInstances.Valid(schema)), (1, SchemaInstances.Valid(schema, allOptional: true)));

            payloads.Sample(payload =>
            {
                JsonElement json = JsonSerializer.SerializeToElement(payload);
                JsonEquivalence.AssertEquivalent(json, roundTrip(json));
            }, iter: 100, print: static p => p.ToJsonString());
        }
    }

    [Fact]
    public void Every_typed_action_has_a_typed_example()
    {
        Assert.Equal(
            TypedActions.All.Select(static a => $"{a.Version} {a.Action}").Order(StringComparer.Ordinal),
            s_examples.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_catalogues_hold_exactly_the_typed_actions_in_order()
    {
        Assert.Equal(TypedActions.Ocpp16, V16Actions.All.Select(static a => a.Name));
        Assert.Equal(TypedActions.Ocpp201, V201Actions.All.Select(static a => a.Name));
        Assert.All(V16Actions.All, static a => Assert.Equal(OcppVersion.Ocpp16, a.Version));
        Assert.All(V201Actions.All, static a => Assert.Equal(OcppVersion.Ocpp201, a.Version));
    }

    [Fact]
    public void Every_catalogued_action_is_defined_by_its_version_schemas()
    {
        foreach (OcppAction action in V16Actions.All.Concat(V201Actions.All))
        {
            Assert.True(Ocpp.Validation.OcppSchemas.For(action.Version).HasAction(action.Name), action.ToString());
        }
    }
}
