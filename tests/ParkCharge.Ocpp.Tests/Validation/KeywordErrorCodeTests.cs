using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>Each schema keyword maps to the CALLERROR code OCPP-J prescribes for that kind of violation.</summary>
public sealed class KeywordErrorCodeTests
{
    public static TheoryData<OcppVersion, string, string, string, RpcErrorCode> Violations => new()
    {
        { OcppVersion.Ocpp201, "Authorize", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation },
        { OcppVersion.Ocpp201, "MeterValues", """{"evseId":1,"meterValue":[]}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation },
        { OcppVersion.Ocpp201, "GetReport", """{"requestId":1,"componentCriteria":["Active","Available","Enabled","Problem","Active"]}""", "maxItems", RpcErrorCode.OccurrenceConstraintViolation },
        { OcppVersion.Ocpp16, "Authorize", """{"idTag":42}""", "type", RpcErrorCode.TypeConstraintViolation },
        { OcppVersion.Ocpp16, "Reset", """{"type":"Harder"}""", "enum", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp16, "Authorize", """{"idTag":"123456789012345678901"}""", "maxLength", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp201, "NotifyEVChargingNeeds", """{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"DC","dcChargingParameters":{"evMaxCurrent":100,"evMaxVoltage":400,"stateOfCharge":-1}}}""", "minimum", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp201, "NotifyEVChargingNeeds", """{"evseId":1,"chargingNeeds":{"requestedEnergyTransfer":"DC","dcChargingParameters":{"evMaxCurrent":100,"evMaxVoltage":400,"stateOfCharge":101}}}""", "maximum", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp16, "SetChargingProfile", """{"connectorId":1,"csChargingProfiles":{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Relative","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":6.25}]}}}""", "multipleOf", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp201, "Heartbeat", "{}", "", RpcErrorCode.NotImplemented },
        { OcppVersion.Ocpp16, "UpdateFirmware", """{"location":"firmware.bin","retrieveDate":"2024-05-01T10:00:00Z"}""", "format", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp16, "StartTransaction", """{"connectorId":1,"idTag":"A","meterStart":0,"timestamp":"2024-05-01T10:00:00"}""", "format", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp16, "Heartbeat", """{"extra":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp21, "StatusNotification", """{"timestamp":"2026-05-01T10:00:00Z","connectorStatus":"Available","evseId":-1,"connectorId":1}""", "minimum", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp21, "Authorize", """{"idToken":{"idToken":"A","type":"ThisTypeNameIsTooLong1"}}""", "maxLength", RpcErrorCode.PropertyConstraintViolation },
        { OcppVersion.Ocpp21, "Heartbeat", "{}", "", RpcErrorCode.NotImplemented },
    };

    [Fact]
    public void The_same_payload_can_be_valid_2_0_1_and_invalid_2_1_and_the_other_way_round()
    {
        using JsonDocument negativeEvse = JsonDocument.Parse("""{"timestamp":"2026-05-01T10:00:00Z","connectorStatus":"Available","evseId":-1,"connectorId":1}""");
        using JsonDocument vinToken = JsonDocument.Parse("""{"idToken":{"idToken":"WVWZZZ1JZXW000001","type":"VIN"}}""");

        Assert.True(OcppSchemas.For(OcppVersion.Ocpp201).ValidateRequest("StatusNotification", negativeEvse.RootElement).IsValid);
        Assert.False(OcppSchemas.For(OcppVersion.Ocpp21).ValidateRequest("StatusNotification", negativeEvse.RootElement).IsValid);
        Assert.False(OcppSchemas.For(OcppVersion.Ocpp201).ValidateRequest("Authorize", vinToken.RootElement).IsValid);
        Assert.True(OcppSchemas.For(OcppVersion.Ocpp21).ValidateRequest("Authorize", vinToken.RootElement).IsValid);
    }

    [Fact]
    public void A_2_1_SEND_is_checked_against_its_own_schema_and_is_no_CALL()
    {
        using JsonDocument document = JsonDocument.Parse("""{"id":1,"pending":0,"basetime":"2026-05-01T10:00:00Z","data":[{"t":0,"v":"1"}]}""");
        OcppSchemas schemas = OcppSchemas.For(OcppVersion.Ocpp21);

        Assert.True(schemas.ValidateSend("NotifyPeriodicEventStream", document.RootElement).IsValid);
        Assert.Equal(RpcErrorCode.NotImplemented, schemas.ValidateRequest("NotifyPeriodicEventStream", document.RootElement).Violation?.ErrorCode);
        Assert.Equal(RpcErrorCode.NotImplemented, schemas.ValidateSend("Heartbeat", document.RootElement).Violation?.ErrorCode);
        Assert.Equal(RpcErrorCode.NotImplemented, OcppSchemas.For(OcppVersion.Ocpp201).ValidateSend("NotifyPeriodicEventStream", document.RootElement).Violation?.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void Keyword_maps_to_its_error_code(OcppVersion version, string action, string json, string keyword, RpcErrorCode code)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        OcppSchemas schemas = OcppSchemas.For(version);
        if (keyword.Length == 0)
        {
            // Heartbeat is a request in both versions; an action unknown to the version is NotImplemented.
            Assert.Equal(code, schemas.ValidateRequest("NoSuchAction", document.RootElement).Violation?.ErrorCode);
            return;
        }

        SchemaViolation? violation = schemas.ValidateRequest(action, document.RootElement).Violation;

        Assert.NotNull(violation);
        Assert.Equal((keyword, code), (violation.Keyword, violation.ErrorCode));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    [InlineData("42")]
    public void A_payload_that_is_not_an_object_is_a_format_violation(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);

        SchemaViolation? violation = OcppSchemas.For(OcppVersion.Ocpp201).ValidateRequest("Heartbeat", document.RootElement).Violation;

        Assert.Equal(RpcErrorCode.FormatViolation, violation?.ErrorCode);
    }

    [Fact]
    public void MinLength_maps_to_property_constraint_violation()
    {
        // No official schema uses minLength; the compiler supports it for the next schema that does.
        using JsonDocument schema = JsonDocument.Parse("""{"$id":"urn:Test.req","type":"object","properties":{"pin":{"type":"string","minLength":4}}}""");
        using JsonDocument payload = JsonDocument.Parse("""{"pin":"12😀"}""");

        SchemaViolation? violation = SchemaCompiler.CompileRoot(schema.RootElement).Validate(payload.RootElement)?.ToViolation();

        Assert.Equal(("minLength", RpcErrorCode.PropertyConstraintViolation, "/pin"), (violation?.Keyword, violation?.ErrorCode, violation?.Pointer));
    }

    [Fact]
    public void The_description_names_the_pointer_the_value_and_the_allowed_values()
    {
        using JsonDocument document = JsonDocument.Parse(
            """{"eventType":"Updated","timestamp":"2024-05-01T10:00:00Z","triggerReason":"ChargingStateChanged","seqNo":3,"transactionInfo":{"transactionId":"tx-1","chargingState":"Bogus"}}""");

        SchemaViolation? violation = OcppSchemas.For(OcppVersion.Ocpp201).ValidateRequest("TransactionEvent", document.RootElement).Violation;

        Assert.Equal("/transactionInfo/chargingState: \"Bogus\" is not one of Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle", violation?.Description);
    }

    [Fact]
    public void A_missing_property_is_reported_at_the_object_that_lacks_it()
    {
        using JsonDocument document = JsonDocument.Parse("""{"idTagInfo":{}}""");

        SchemaViolation? violation = OcppSchemas.For(OcppVersion.Ocpp16).ValidateResponse("Authorize", document.RootElement).Violation;

        Assert.Equal("/idTagInfo: required property \"status\" is missing", violation?.Description);
    }

    [Fact]
    public void Pointer_segments_are_escaped_as_RFC_6901_requires()
    {
        using JsonDocument document = JsonDocument.Parse("""{"a/b~c":1}""");

        SchemaViolation? violation = OcppSchemas.For(OcppVersion.Ocpp16).ValidateRequest("Heartbeat", document.RootElement).Violation;

        Assert.Equal("/a~1b~0c", violation?.Pointer);
    }

    [Fact]
    public void Long_values_are_shortened_in_descriptions()
    {
        string tag = new('A', 500);
        using JsonDocument document = JsonDocument.Parse($$"""{"idTag":"{{tag}}"}""");

        string? description = OcppSchemas.For(OcppVersion.Ocpp16).ValidateRequest("Authorize", document.RootElement).Violation?.Description;

        Assert.NotNull(description);
        Assert.True(description.Length < 120, description);
        Assert.Contains("500 characters", description, StringComparison.Ordinal);
    }
}
