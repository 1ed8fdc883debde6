using System.Text;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Rpc;

public sealed class RpcFrameWriterTests
{
    [Fact]
    public void Writes_a_CALL_with_a_typed_payload()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp201);

        ReadOnlyMemory<byte> frame = writer.Call("m-1", "RequestStopTransaction", new RequestStopTransactionRequest { TransactionId = "tx-1" },
            V201JsonContext.Default.RequestStopTransactionRequest);

        Assert.Equal("""[2,"m-1","RequestStopTransaction",{"transactionId":"tx-1"}]""", Encoding.UTF8.GetString(frame.Span));
    }

    [Fact]
    public void Writes_a_CALLRESULT_from_a_typed_or_a_raw_payload()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp201);
        using JsonDocument raw = JsonDocument.Parse("""{"status":"Accepted"}""");

        string typed = Encoding.UTF8.GetString(writer.CallResult("m-1", new ResetResponse { Status = ResetStatusEnumType.Accepted }, V201JsonContext.Default.ResetResponse).Span);
        string copied = Encoding.UTF8.GetString(writer.CallResult("m-2", raw.RootElement).Span);

        Assert.Equal("""[3,"m-1",{"status":"Accepted"}]""", typed);
        Assert.Equal("""[3,"m-2",{"status":"Accepted"}]""", copied);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, """[4,"m-1","OccurenceConstraintViolation","idTag is missing",{}]""")]
    [InlineData(OcppVersion.Ocpp201, """[4,"m-1","OccurrenceConstraintViolation","idTag is missing",{}]""")]
    public void Writes_a_CALLERROR_in_the_version_s_spelling_with_empty_details(OcppVersion version, string expected)
    {
        using var writer = new RpcFrameWriter(version);

        ReadOnlyMemory<byte> frame = writer.CallError("m-1", RpcErrorCode.OccurrenceConstraintViolation, "idTag is missing");

        Assert.Equal(expected, Encoding.UTF8.GetString(frame.Span));
    }

    [Fact]
    public void Writes_a_2_1_CALLRESULTERROR_as_message_type_5_and_reads_it_back()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp21);

        ReadOnlyMemory<byte> frame = writer.CallResultError("m-9", RpcErrorCode.OccurrenceConstraintViolation, "/status: required property \"status\" is missing");
        Assert.True(RpcFrameReader.TryRead(frame.Span, OcppVersion.Ocpp21, out RpcFrame? read, out RpcFrameFault? fault), fault?.Description);
        using RpcFrame owned = read;

        Assert.Equal("""[5,"m-9","OccurrenceConstraintViolation","/status: required property \"status\" is missing",{}]""", Encoding.UTF8.GetString(frame.Span));
        Assert.Equal(RpcMessageType.CallResultError, Assert.IsType<RpcCallErrorFrame>(owned).MessageType);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16)]
    [InlineData(OcppVersion.Ocpp201)]
    public void Versions_before_2_1_have_no_CALLRESULTERROR_to_write(OcppVersion version)
    {
        using var writer = new RpcFrameWriter(version);

        Assert.Throws<InvalidOperationException>(() => writer.CallResultError("m-1", RpcErrorCode.GenericError, "x"));
    }

    [Fact]
    public void Error_descriptions_are_cut_to_255_characters()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp201);

        ReadOnlyMemory<byte> frame = writer.CallError("m-1", RpcErrorCode.GenericError, new string('x', 300));

        using JsonDocument document = JsonDocument.Parse(frame);
        Assert.Equal(255, document.RootElement[3].GetString()!.Length);
    }

    [Fact]
    public void Only_what_JSON_requires_is_escaped()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp201);

        ReadOnlyMemory<byte> frame = writer.CallError("m-1", RpcErrorCode.GenericError, "Zählerstand \"+5\" <ok>");

        Assert.Equal("""[4,"m-1","GenericError","Zählerstand \"+5\" <ok>",{}]""", Encoding.UTF8.GetString(frame.Span));
    }

    [Fact]
    public void What_the_writer_writes_the_reader_reads()
    {
        using var writer = new RpcFrameWriter(OcppVersion.Ocpp16);
        using JsonDocument details = JsonDocument.Parse("""{"pointer":"/idTag"}""");

        ReadOnlyMemory<byte> frame = writer.CallError("m-1", RpcErrorCode.FormatViolation, "bad", details.RootElement);
        Assert.True(RpcFrameReader.TryRead(frame.Span, OcppVersion.Ocpp16, out RpcFrame? read, out RpcFrameFault? fault), fault?.Description);
        using RpcFrame owned = read;

        RpcCallErrorFrame error = Assert.IsType<RpcCallErrorFrame>(owned);
        Assert.Equal((RpcErrorCode.FormatViolation, "FormationViolation", "/idTag"), (error.KnownErrorCode!.Value, error.ErrorCode, error.Details.GetProperty("pointer").GetString()));
    }
}
