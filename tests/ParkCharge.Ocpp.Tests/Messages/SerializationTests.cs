using System.Text.Json;

using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Messages;

public sealed class SerializationTests
{
    [Fact]
    public void Enumeration_values_keep_the_protocol_spelling()
    {
        var value = new V16.SampledValue
        {
            Value = "1.5",
            Measurand = Measurand.EnergyActiveImportRegister,
            Phase = Phase.L1N,
            Unit = UnitOfMeasure.KWh,
            Context = ReadingContext.TransactionBegin,
        };

        string json = JsonSerializer.Serialize(new V16.MeterValuesRequest
        {
            ConnectorId = 1,
            MeterValue = [new MeterValue { Timestamp = DateTimeOffset.UnixEpoch, SampledValue = [value] }],
        }, V16JsonContext.Default.MeterValuesRequest);

        Assert.Contains("\"measurand\":\"Energy.Active.Import.Register\"", json, StringComparison.Ordinal);
        Assert.Contains("\"phase\":\"L1-N\"", json, StringComparison.Ordinal);
        Assert.Contains("\"unit\":\"kWh\"", json, StringComparison.Ordinal);
        Assert.Contains("\"context\":\"Transaction.Begin\"", json, StringComparison.Ordinal);
        Assert.Equal("\"eMAID\"", JsonSerializer.Serialize(IdTokenEnumType.EMAID));
    }

    [Fact]
    public void Absent_optional_fields_are_omitted_and_names_are_camel_case()
    {
        string json = JsonSerializer.Serialize(new V16.StatusNotificationRequest
        {
            ConnectorId = 1,
            ErrorCode = ChargePointErrorCode.NoError,
            Status = ChargePointStatus.Available,
        }, V16JsonContext.Default.StatusNotificationRequest);

        Assert.Equal("""{"connectorId":1,"errorCode":"NoError","status":"Available"}""", json);
    }

    [Theory]
    [InlineData(0, 0, "2024-05-01T10:00:00Z")]
    [InlineData(250, 120, "2024-05-01T10:00:00.25+02:00")]
    [InlineData(1, -330, "2024-05-01T10:00:00.001-05:30")]
    public void Timestamps_are_written_in_RFC_3339_with_their_offset(int milliseconds, int offsetMinutes, string expected)
    {
        var response = new V16.HeartbeatResponse
        {
            CurrentTime = new DateTimeOffset(2024, 5, 1, 10, 0, 0, milliseconds, TimeSpan.FromMinutes(offsetMinutes)),
        };

        Assert.Equal($$"""{"currentTime":"{{expected}}"}""", JsonSerializer.Serialize(response, V16JsonContext.Default.HeartbeatResponse));
    }

    [Theory]
    [InlineData("2024-05-01 10:00:00z")]
    [InlineData("2024-05-01t12:00:00.000000000+02:00")]
    public void Timestamps_in_any_form_the_schema_allows_are_read(string text)
    {
        V16.HeartbeatResponse? response = JsonSerializer.Deserialize($$"""{"currentTime":"{{text}}"}""", V16JsonContext.Default.HeartbeatResponse);

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), response?.CurrentTime);
    }

    [Theory]
    [InlineData("""{"currentTime":"2024-05-01T10:00:00"}""")]
    [InlineData("""{"currentTime":"2024-05-01T10:00:00Z","extra":1}""")]
    [InlineData("""{}""")]
    [InlineData("""{"currentTime":null}""")]
    public void Payloads_the_schema_forbids_do_not_read(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, V16JsonContext.Default.HeartbeatResponse));
    }

    [Theory]
    [InlineData("1250", 1250)]
    [InlineData("1250.0", 1250)]
    [InlineData("1.25e3", 1250)]
    [InlineData("-0.0", 0)]
    public void Integers_are_read_as_JSON_Schema_counts_them(string number, int expected)
    {
        string json = $$"""{"connectorId":1,"idTag":"A","meterStart":{{number}},"timestamp":"2024-05-01T10:00:00Z"}""";

        Assert.Equal(expected, JsonSerializer.Deserialize(json, V16JsonContext.Default.StartTransactionRequest)?.MeterStart);
    }

    [Theory]
    [InlineData("1250.5")]
    [InlineData("3000000000")]
    [InlineData("1e40")]
    [InlineData("\"1250\"")]
    public void Numbers_that_are_not_Int32_integers_do_not_read_as_int(string number)
    {
        string json = $$"""{"connectorId":1,"idTag":"A","meterStart":{{number}},"timestamp":"2024-05-01T10:00:00Z"}""";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, V16JsonContext.Default.StartTransactionRequest));
    }

    [Fact]
    public void Enumeration_case_is_enforced_by_the_schema_check_not_by_the_reader()
    {
        // System.Text.Json matches enum names case-insensitively; the schema check, which runs on
        // every inbound payload before it is read, is what holds senders to the exact spelling.
        using JsonDocument payload = JsonDocument.Parse("""{"status":"accepted"}""");

        Assert.Equal(ResetStatus.Accepted, payload.RootElement.Deserialize(V16JsonContext.Default.ResetResponse)?.Status);
        Assert.Equal("enum", Ocpp.Validation.OcppSchemas.For(Core.Charging.OcppVersion.Ocpp16).ValidateResponse("Reset", payload.RootElement).Violation?.Keyword);
    }

    [Fact]
    public void Custom_data_keeps_vendor_members_on_a_round_trip()
    {
        const string json = """{"customData":{"vendorId":"com.example","bay":12,"plate":{"text":"AB123C"}},"currentTime":"2024-05-01T10:00:00Z"}""";

        V201.HeartbeatResponse? response = JsonSerializer.Deserialize(json, V201JsonContext.Default.HeartbeatResponse);

        Assert.Equal(12, response?.CustomData?.Extensions?["bay"].GetInt32());
        Assert.Equal(json, JsonSerializer.Serialize(response, V201JsonContext.Default.HeartbeatResponse));
    }

    [Fact]
    public void DataTransfer_data_in_2_0_1_may_be_any_json()
    {
        const string json = """{"data":[1,{"a":null},"x"],"vendorId":"com.example"}""";

        V201.DataTransferRequest? request = JsonSerializer.Deserialize(json, V201JsonContext.Default.DataTransferRequest);

        Assert.Equal(JsonValueKind.Array, request?.Data?.ValueKind);
        Assert.Equal(json, JsonSerializer.Serialize(request, V201JsonContext.Default.DataTransferRequest));
    }
}
