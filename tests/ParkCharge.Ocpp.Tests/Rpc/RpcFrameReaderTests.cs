using System.Text;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Tests.Rpc;

public sealed class RpcFrameReaderTests
{
    [Fact]
    public void A_CALL_is_read_with_its_id_action_and_payload()
    {
        using RpcFrame frame = Read("""[2,"19223201","BootNotification",{"chargePointVendor":"VendorX","chargePointModel":"SingleSocketCharger"}]""");

        RpcCallFrame call = Assert.IsType<RpcCallFrame>(frame);
        Assert.Equal(("19223201", "BootNotification"), (call.MessageId, call.Action));
        Assert.Equal("VendorX", call.Payload.GetProperty("chargePointVendor").GetString());
    }

    [Fact]
    public void A_CALLRESULT_is_read_with_its_payload()
    {
        using RpcFrame frame = Read("""[3,"19223201",{"currentTime":"2013-02-01T20:53:32.486Z","interval":300,"status":"Accepted"}]""");

        RpcCallResultFrame result = Assert.IsType<RpcCallResultFrame>(frame);
        Assert.Equal(300, result.Payload.GetProperty("interval").GetInt32());
    }

    [Theory]
    [InlineData("OccurenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData("OccurrenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData("FormationViolation", RpcErrorCode.FormatViolation)]
    [InlineData("VendorSpecificTrouble", null)]
    public void A_CALLERROR_keeps_the_code_as_received_and_maps_known_spellings(string code, RpcErrorCode? known)
    {
        using RpcFrame frame = Read($$"""[4,"162376037","{{code}}","idTag too long",{"field":"idTag"}]""");

        RpcCallErrorFrame error = Assert.IsType<RpcCallErrorFrame>(frame);
        Assert.Equal((code, known, "idTag too long"), (error.ErrorCode, error.KnownErrorCode, error.Description));
        Assert.Equal("idTag", error.Details.GetProperty("field").GetString());
    }

    [Theory]
    [InlineData("""[4,"1","GenericError","no details"]""")]
    [InlineData("""[4,"1","GenericError","null details",null]""")]
    public void A_CALLERROR_without_details_is_accepted(string text)
    {
        using RpcFrame frame = Read(text);

        Assert.Equal(JsonValueKind.Undefined, Assert.IsType<RpcCallErrorFrame>(frame).Details.ValueKind);
    }

    [Theory]
    [InlineData("""[2,"1","Heartbeat",{}""", "not valid JSON")]
    [InlineData("""{"messageTypeId":2}""", "non-empty JSON array")]
    [InlineData("[]", "non-empty JSON array")]
    [InlineData("""[2]""", "message id")]
    [InlineData("""[2,17,"Heartbeat",{}]""", "message id")]
    [InlineData("\"[2,\\\"1\\\",\\\"Heartbeat\\\",{}]\"", "non-empty JSON array")]
    public void A_frame_whose_id_cannot_be_read_is_answered_with_id_minus_one(string text, string problem)
    {
        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp201);

        Assert.Equal(("-1", RpcErrorCode.RpcFrameworkError), (fault.ReplyMessageId, fault.ErrorCode));
        Assert.Contains(problem, fault.Description, StringComparison.Ordinal);
        Assert.Equal("FormationViolation", fault.ErrorCode.ToWireName(OcppVersion.Ocpp16));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(50_000)]
    public void A_call_nested_deeper_than_the_parser_follows_is_answered_with_its_own_id_as_a_format_violation(int depth)
    {
        string text = $"[2,\"deep-1\",\"DataTransfer\",{{\"vendorId\":\"v\",\"data\":{new string('[', depth)}{new string(']', depth)}}}]";

        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp201);

        Assert.Equal(("deep-1", RpcErrorCode.FormatViolation), (fault.ReplyMessageId, fault.ErrorCode));
        Assert.Contains("deeper than 64", fault.Description, StringComparison.Ordinal);
        Assert.Equal("-1", Fault(new string('[', depth) + new string(']', depth), OcppVersion.Ocpp16).ReplyMessageId);
        Assert.Equal("-1", Fault(text[..^1], OcppVersion.Ocpp16).ReplyMessageId);
    }

    [Theory]
    [InlineData("""[2,"dup-1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available","connectorId":-5}]""", OcppVersion.Ocpp16)]
    [InlineData("""[2,"dup-1","Heartbeat",{"a":{"b":1,"b":2}}]""", OcppVersion.Ocpp201)]
    [InlineData("""[2,"dup-1","DataTransfer",{"vendorId":"v","data":"x","vendorId":"w"}]""", OcppVersion.Ocpp21)]
    public void A_call_that_names_a_property_twice_in_one_object_is_a_format_violation_answered_with_its_own_id(string text, OcppVersion version)
    {
        // The schema check could see one value and the typed reading the other: the message is refused as a whole.
        RpcFrameFault fault = Fault(text, version);

        Assert.Equal(("dup-1", RpcErrorCode.FormatViolation), (fault.ReplyMessageId, fault.ErrorCode));
        Assert.Contains("repeats a property name", fault.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_answer_that_names_a_property_twice_is_refused_like_an_unreadable_frame_and_the_same_names_in_different_objects_are_fine()
    {
        RpcFrameFault fault = Fault("""[3,"abc",{"status":"Accepted","status":"Rejected"}]""", OcppVersion.Ocpp16);
        Assert.Equal(("-1", RpcErrorCode.RpcFrameworkError), (fault.ReplyMessageId, fault.ErrorCode));
        Assert.Contains("repeats a property name", fault.Description, StringComparison.Ordinal);

        Assert.True(RpcFrameReader.TryRead("""[2,"ok-1","DataTransfer",{"vendorId":"v","data":{"vendorId":"w"}}]"""u8, OcppVersion.Ocpp16, out var frame, out _));
        frame.Dispose();
    }

    [Theory]
    [InlineData("""[5,"abc","GenericError","",{}]""", "abc", OcppVersion.Ocpp201)]
    [InlineData("""[6,"abc","Heartbeat",{}]""", "abc", OcppVersion.Ocpp201)]
    [InlineData("""[5,"abc","GenericError","",{}]""", "abc", OcppVersion.Ocpp16)]
    [InlineData("""[6,"abc","NotifyPeriodicEventStream",{}]""", "abc", OcppVersion.Ocpp16)]
    [InlineData("""[9]""", "-1", OcppVersion.Ocpp201)]
    [InlineData("""[7,"abc"]""", "abc", OcppVersion.Ocpp21)]
    [InlineData("""[1,"abc","Heartbeat",{}]""", "abc", OcppVersion.Ocpp21)]
    public void An_unknown_message_type_is_not_supported(string text, string replyId, OcppVersion version)
    {
        RpcFrameFault fault = Fault(text, version);

        Assert.Equal((replyId, RpcErrorCode.MessageTypeNotSupported), (fault.ReplyMessageId, fault.ErrorCode));
        Assert.Equal("ProtocolError", fault.ErrorCode.ToWireName(OcppVersion.Ocpp16));
        Assert.Equal("MessageTypeNotSupported", fault.ErrorCode.ToWireName(OcppVersion.Ocpp21));
    }

    [Fact]
    public void A_2_1_SEND_is_read_like_a_CALL_with_its_own_message_type()
    {
        using RpcFrame frame = Read("""[6,"s-1","NotifyPeriodicEventStream",{"id":1,"pending":0,"basetime":"2026-06-01T10:00:00Z","data":[{"t":0,"v":"230.1"}]}]""", OcppVersion.Ocpp21);

        RpcCallFrame send = Assert.IsType<RpcCallFrame>(frame);
        Assert.Equal((RpcMessageType.Send, "s-1", "NotifyPeriodicEventStream"), (send.MessageType, send.MessageId, send.Action));
    }

    [Fact]
    public void A_2_1_CALLRESULTERROR_is_read_like_a_CALLERROR_with_its_own_message_type()
    {
        using RpcFrame frame = Read("""[5,"r-7","FormatViolation","tariff could not be parsed",{"at":"/tariff"}]""", OcppVersion.Ocpp21);

        RpcCallErrorFrame error = Assert.IsType<RpcCallErrorFrame>(frame);
        Assert.Equal((RpcMessageType.CallResultError, "r-7", RpcErrorCode.FormatViolation, "tariff could not be parsed"),
            (error.MessageType, error.MessageId, error.KnownErrorCode, error.Description));
    }

    [Theory]
    [InlineData("""[6,"abc","NotifyPeriodicEventStream"]""", "abc", RpcMessageType.Send)]
    [InlineData("""[6,"abc","NotifyPeriodicEventStream",[]]""", "abc", RpcMessageType.Send)]
    [InlineData("""[6,42,"NotifyPeriodicEventStream",{}]""", null, RpcMessageType.Send)]
    [InlineData("""[6,"0123456789012345678901234567890123456","NotifyPeriodicEventStream",{}]""", "0123456789012345678901234567890123456", RpcMessageType.Send)]
    [InlineData("""[5,"abc","GenericError"]""", "abc", RpcMessageType.CallResultError)]
    [InlineData("""[5,"abc",{},"x",{}]""", "abc", RpcMessageType.CallResultError)]
    public void A_malformed_2_1_SEND_or_CALLRESULTERROR_is_never_answered(string text, string? id, RpcMessageType type)
    {
        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp21);

        Assert.Null(fault.ReplyMessageId);
        Assert.Equal((id, type), (fault.MessageId, fault.MessageType));
    }

    [Theory]
    [InlineData("""["2","abc","Heartbeat",{}]""")]
    [InlineData("""[2.5,"abc","Heartbeat",{}]""")]
    public void A_message_type_that_is_not_an_integer_is_an_RPC_framework_error_with_the_id(string text)
    {
        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp201);

        Assert.Equal(("abc", RpcErrorCode.RpcFrameworkError), (fault.ReplyMessageId, fault.ErrorCode));
    }

    [Theory]
    [InlineData("""[2,"abc","Heartbeat"]""")]
    [InlineData("""[2,"abc","Heartbeat",{},{}]""")]
    [InlineData("""[2,"abc",7,{}]""")]
    [InlineData("""[2,"abc","Heartbeat",[]]""")]
    [InlineData("""[2,"abc","Heartbeat",null]""")]
    public void A_CALL_with_the_wrong_elements_is_a_format_violation_answered_with_its_id(string text)
    {
        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp16);

        Assert.Equal(("abc", RpcErrorCode.FormatViolation, RpcMessageType.Call), (fault.ReplyMessageId, fault.ErrorCode, fault.MessageType));
        Assert.Equal("FormationViolation", fault.ErrorCode.ToWireName(OcppVersion.Ocpp16));
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public void A_2_x_message_id_longer_than_36_characters_is_a_format_violation(OcppVersion version)
    {
        string id = new('7', 37);

        RpcFrameFault fault = Fault($$"""[2,"{{id}}","Heartbeat",{}]""", version);
        using RpcFrame accepted16 = Read($$"""[2,"{{id}}","Heartbeat",{}]""", OcppVersion.Ocpp16);
        using RpcFrame accepted36 = Read($$"""[2,"{{id[..36]}}","Heartbeat",{}]""", version);

        Assert.Equal((id, RpcErrorCode.FormatViolation), (fault.ReplyMessageId, fault.ErrorCode));
    }

    [Theory]
    [InlineData("""[3,"abc"]""", "abc", RpcMessageType.CallResult)]
    [InlineData("""[3,"abc",[]]""", "abc", RpcMessageType.CallResult)]
    [InlineData("""[3,42,{}]""", null, RpcMessageType.CallResult)]
    [InlineData("""[4,"abc","GenericError"]""", "abc", RpcMessageType.CallError)]
    [InlineData("""[4,"abc",7,"x",{}]""", "abc", RpcMessageType.CallError)]
    [InlineData("""[4,"abc","GenericError","x","details"]""", "abc", RpcMessageType.CallError)]
    public void A_malformed_CALLRESULT_or_CALLERROR_is_never_answered(string text, string? id, RpcMessageType type)
    {
        RpcFrameFault fault = Fault(text, OcppVersion.Ocpp201);

        Assert.Null(fault.ReplyMessageId);
        Assert.Equal((id, type), (fault.MessageId, fault.MessageType));
    }

    [Fact]
    public void A_frame_is_unreadable_after_it_is_disposed()
    {
        RpcCallFrame call = Assert.IsType<RpcCallFrame>(Read("""[2,"1","Heartbeat",{}]"""));

        call.Dispose();

        Assert.Throws<ObjectDisposedException>(() => call.Payload.ValueKind == JsonValueKind.Object && call.Payload.EnumerateObject().Any());
    }

    private static RpcFrame Read(string text, OcppVersion version = OcppVersion.Ocpp201)
    {
        Assert.True(RpcFrameReader.TryRead(Encoding.UTF8.GetBytes(text), version, out RpcFrame? frame, out RpcFrameFault? fault), fault?.Description);
        return frame;
    }

    private static RpcFrameFault Fault(string text, OcppVersion version)
    {
        Assert.False(RpcFrameReader.TryRead(Encoding.UTF8.GetBytes(text), version, out RpcFrame? frame, out RpcFrameFault? fault));
        Assert.Null(frame);
        return fault;
    }
}
