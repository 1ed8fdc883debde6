using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>
/// Property tests: for every schema of the three files, our compiled validator and JsonSchema.Net
/// give the same verdict on generated valid payloads and on mutations of them.
/// </summary>
public sealed class ValidatorAgreementTests
{
    private static readonly JsonSerializerOptions Escaped = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions Unescaped = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<OcppVersion, string> AllSchemas()
    {
        var data = new TheoryData<OcppVersion, string>();
        foreach (OcppVersion version in Enum.GetValues<OcppVersion>())
        {
            foreach (string id in OfficialSchemas.For(version).SchemaIds)
            {
                data.Add(version, id);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllSchemas))]
    public void Generated_valid_payloads_are_valid_for_both_validators(OcppVersion version, string schemaId)
    {
        OfficialSchemas schemas = OfficialSchemas.For(version);
        JsonElement schema = schemas.Raw(schemaId);

        Gen.Select(SchemaInstances.Valid(schema), Gen.Bool).Sample((payload, escapeNonAscii) =>
        {
            using JsonDocument document = Parse(payload, escapeNonAscii);
            SchemaCheck ours = schemas.Check(schemaId, document.RootElement);
            Assert.True(ours.IsValid, ours.Violation?.Description);
            Assert.True(schemas.OracleAccepts(schemaId, document.RootElement));
        }, iter: 50, print: p => p.Item1.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(AllSchemas))]
    public void A_payload_with_every_optional_property_is_valid_for_both_validators(OcppVersion version, string schemaId)
    {
        OfficialSchemas schemas = OfficialSchemas.For(version);

        SchemaInstances.Valid(schemas.Raw(schemaId), allOptional: true).Sample(payload =>
        {
            using JsonDocument document = Parse(payload, escapeNonAscii: false);
            SchemaCheck ours = schemas.Check(schemaId, document.RootElement);
            Assert.True(ours.IsValid, ours.Violation?.Description);
            Assert.True(schemas.OracleAccepts(schemaId, document.RootElement));
        }, iter: 10, print: p => p.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(AllSchemas))]
    public void Mutated_payloads_get_the_same_verdict_from_both_validators(OcppVersion version, string schemaId)
    {
        OfficialSchemas schemas = OfficialSchemas.For(version);
        JsonElement schema = schemas.Raw(schemaId);

        Gen<(SchemaMutation Mutation, JsonNode Mutated, bool Escape)> mutated =
            Gen.Select(SchemaInstances.Valid(schema), Gen.Int[0, int.MaxValue], Gen.Bool, (payload, pick, escape) =>
            {
                List<SchemaMutation> candidates = SchemaMutations.For(payload, schema);
                SchemaMutation mutation = candidates[pick % candidates.Count];
                return (mutation, mutation.Apply(payload.DeepClone()), escape);
            });

        mutated.Sample(m =>
        {
            using JsonDocument document = Parse(m.Mutated, m.Escape);
            bool oracle = schemas.OracleAccepts(schemaId, document.RootElement);
            SchemaCheck ours = schemas.Check(schemaId, document.RootElement);
            Assert.True(oracle == ours.IsValid,
                $"{m.Mutation}: JsonSchema.Net says {(oracle ? "valid" : "invalid")}, ours says {ours.Violation?.Description ?? "valid"}");
        }, iter: 300, print: m => $"{m.Mutation} => {m.Mutated.ToJsonString()}");
    }

    private static JsonDocument Parse(JsonNode payload, bool escapeNonAscii) =>
        JsonDocument.Parse(payload.ToJsonString(escapeNonAscii ? Escaped : Unescaped));
}
