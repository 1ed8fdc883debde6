using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

public sealed class SchemaCompilerTests
{
    [Theory]
    [InlineData("""{"$id":"urn:X.req","type":"string","pattern":"^a"}""", "keyword \"pattern\"")]
    [InlineData("""{"$id":"urn:X.req","type":"string","format":"email"}""", "format \"email\"")]
    [InlineData("""{"$id":"urn:X.req","type":"object","additionalProperties":{"type":"string"}}""", "additionalProperties given as a schema")]
    [InlineData("""{"$id":"urn:X.req","type":"object","properties":{},"required":["a"]}""", "required property \"a\"")]
    [InlineData("""{"$id":"urn:X.req","type":"object","properties":{"a":{"$ref":"#/definitions/A","type":"string"}},"definitions":{"A":{"type":"string"}}}""", "next to $ref")]
    [InlineData("""{"$id":"urn:X.req","type":"object","properties":{"a":{"$ref":"#/definitions/A"}},"definitions":{"A":{"type":"object","properties":{"b":{"$ref":"#/definitions/A"}}}}}""", "recursive $ref")]
    [InlineData("""{"$id":"urn:X.req","type":"array","items":[{"type":"string"}]}""", "tuple validation")]
    [InlineData("""{"$id":"urn:X.req","type":"object","properties":{"a":{"$id":"urn:nested","type":"string"}}}""", "keyword \"$id\"")]
    [InlineData("""{"$id":"urn:X.req","type":"object","properties":{"a":{"type":"string","enum":[1,2]}}}""", "not a string")]
    [InlineData("""{"$id":"urn:X.req","type":"integer","exclusiveMinimum":0}""", "keyword \"exclusiveMinimum\"")]
    public void A_schema_using_anything_beyond_the_supported_subset_fails_at_load(string schema, string expected)
    {
        using JsonDocument document = JsonDocument.Parse(schema);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SchemaCompiler.CompileRoot(document.RootElement));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("urn:X.req#", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, 39, 0)]
    [InlineData(OcppVersion.Ocpp201, 64, 0)]
    [InlineData(OcppVersion.Ocpp21, 90, 1)]
    public void The_official_schema_files_compile_with_a_request_and_response_per_action_and_2_1_s_SEND(OcppVersion version, int actions, int sends)
    {
        OcppSchemas schemas = OcppSchemas.For(version);

        Assert.Equal(actions, schemas.Actions.Count);
        Assert.Equal(sends, schemas.SendActions.Count);
        Assert.True(schemas.HasAction("BootNotification"));
        Assert.False(schemas.HasAction("bootnotification"));
        Assert.Same(schemas, OcppSchemas.For(version));
    }

    [Theory]
    [InlineData("0", true)]
    [InlineData("-7", true)]
    [InlineData("1.0", true)]
    [InlineData("1.50e1", true)]
    [InlineData("1e2", true)]
    [InlineData("100e-2", true)]
    [InlineData("0.0e-9", true)]
    [InlineData("1.5", false)]
    [InlineData("1e-1", false)]
    [InlineData("10e-2", false)]
    [InlineData("1.0000000000000000001", false)]
    [InlineData("12345678901234567890123", true)]
    public void Integers_are_numbers_whose_fraction_is_zero(string number, bool integral)
    {
        Assert.Equal(integral, SchemaNode.IsIntegral(System.Text.Encoding.UTF8.GetBytes(number)));
    }
}
