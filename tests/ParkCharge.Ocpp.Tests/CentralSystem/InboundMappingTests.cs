using System.Text;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Tests.CentralSystem;

/// <summary>How charger messages of every version become observations, and replies become answers.</summary>
public sealed class InboundMappingTests
{
    private static readonly ChargerId Charger = new("CP-1");
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(300);

    [Fact]
    public void A_1_6_meter_value_in_kWh_becomes_Wh_and_a_sample_without_measurand_is_the_energy_register()
    {
        var message = Read16("""[2,"1","MeterValues",{"connectorId":2,"transactionId":7,"meterValue":[{"timestamp":"2026-06-01T11:59:00Z","sampledValue":[{"value":"12.5","unit":"kWh","context":"Sample.Periodic"},{"value":"1500"},{"value":"7.2","measurand":"Power.Active.Import","unit":"kW","phase":"L1-N"},{"value":"abcdef","format":"SignedData"}]}]}]""");

        var values = Assert.IsType<MeterValuesReported>(message!.Payload);
        Assert.Equal(ConnectorRef.Ocpp16(2), values.Connector);
        Assert.Equal(7, values.TransactionId);
        Assert.Equal(
            [("Energy.Active.Import.Register", 12_500m, "Wh", null, "Sample.Periodic"), ("Energy.Active.Import.Register", 1_500m, "Wh", null, null), ("Power.Active.Import", 7_200m, "W", "L1-N", null)],
            values.Samples.Select(s => (s.Measurand, s.Value, s.Unit, s.Phase, s.Context)));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 11, 59, 0, TimeSpan.Zero), message.EventTime);
    }

    [Fact]
    public void A_2_0_1_sampled_value_applies_its_unit_and_multiplier()
    {
        var message = Read201("""[2,"1","MeterValues",{"evseId":3,"meterValue":[{"timestamp":"2026-06-01T11:00:00Z","sampledValue":[{"value":42.5,"unitOfMeasure":{"unit":"kWh","multiplier":1}},{"value":11,"measurand":"Power.Active.Import","unitOfMeasure":{"unit":"kW"}}]}]}]""");

        var values = Assert.IsType<MeterValuesReported>(message!.Payload);
        Assert.Equal(new ConnectorRef(3, 1), values.Connector);
        Assert.Equal([425_000m, 11_000m], values.Samples.Select(s => s.Value));
    }

    [Fact]
    public void A_1_6_status_uses_its_own_timestamp_and_falls_back_to_the_arrival_time()
    {
        var stamped = Read16("""[2,"1","StatusNotification",{"connectorId":1,"errorCode":"GroundFailure","status":"Faulted","timestamp":"2026-06-01T10:00:00+02:00","info":"RCD"}]""");
        var unstamped = Read16("""[2,"2","StatusNotification",{"connectorId":0,"errorCode":"NoError","status":"Available"}]""");

        var status = Assert.IsType<ConnectorStatusReported>(stamped!.Payload);
        Assert.Equal((ConnectorStatus.Faulted, "GroundFailure", "RCD"), (status.Status, status.ErrorCode, status.Info));
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero), stamped.EventTime);
        Assert.Equal(Now, unstamped!.EventTime);
    }

    [Fact]
    public void A_1_6_start_and_its_reply_carry_the_issued_transaction_id()
    {
        var message = Read16("""[2,"1","StartTransaction",{"connectorId":1,"idTag":"TAG","meterStart":1000,"timestamp":"2026-06-01T09:00:00Z"}]""");

        var start = Assert.IsType<TransactionStartReported>(message!.Payload);
        Assert.Equal((1, "TAG", 1_000m), (start.ConnectorId, start.IdTag, start.MeterStartWh));
        var answer = Write(message.Answer(new TransactionStartReply(17, AuthorizationStatus.Accepted)), OcppVersion.Ocpp16, "1");
        Assert.Equal("""[3,"1",{"idTagInfo":{"status":"Accepted"},"transactionId":17}]""", answer);
    }

    [Fact]
    public void A_2_0_1_transaction_event_keeps_its_seqNo_state_token_and_evse()
    {
        var message = Read201("""[2,"1","TransactionEvent",{"eventType":"Started","timestamp":"2026-06-01T09:00:00Z","triggerReason":"CablePluggedIn","seqNo":4,"offline":true,"transactionInfo":{"transactionId":"abc","chargingState":"EVConnected","remoteStartId":9},"evse":{"id":2},"idToken":{"idToken":"AA11","type":"ISO14443"}}]""");

        var e = Assert.IsType<TransactionEventReported>(message!.Payload);
        Assert.Equal((TransactionEventType.Started, "abc", 4, true), (e.EventType, e.TransactionId, e.SeqNo, e.Offline));
        Assert.Equal(ChargingState.EVConnected, e.ChargingState);
        Assert.Equal(new ConnectorRef(2, 1), e.Connector);
        Assert.Equal(new IdToken("AA11", "ISO14443"), e.IdToken);
        Assert.Equal(9, e.RemoteStartId);
        Assert.Equal("CablePluggedIn", e.TriggerReason);
    }

    [Fact]
    public void A_2_1_transaction_event_maps_as_2_0_1_s_does_and_its_additions_do_not_get_in_the_way()
    {
        const string common = """
            "eventType":"Updated","timestamp":"2026-06-01T09:30:00Z","triggerReason":"ChargingStateChanged","seqNo":5,
            "evse":{"id":2,"connectorId":1},"meterValue":[{"timestamp":"2026-06-01T09:30:00Z","sampledValue":[{"value":7.5,"unitOfMeasure":{"unit":"kWh"}}]}]
            """;
        var e201 = Assert.IsType<TransactionEventReported>(Read201($$$"""[2,"1","TransactionEvent",{{{{common}}},"transactionInfo":{"transactionId":"abc","chargingState":"SuspendedEV"}}]""")!.Payload);
        var e21 = Assert.IsType<TransactionEventReported>(Read21($$$"""
            [2,"1","TransactionEvent",{{{{common}}},"preconditioningStatus":"Ready","evseSleep":false,
             "transactionInfo":{"transactionId":"abc","chargingState":"SuspendedEV","operationMode":"ChargingOnly","tariffId":"t-1","transactionLimit":{"maxEnergy":20000}},
             "costDetails":{"totalCost":{"currency":"EUR","typeOfCost":"NormalCost","total":{"inclTax":3.1}},"totalUsage":{"energy":7500,"chargingTime":1800,"idleTime":0}}
            }]
            """)!.Payload);

        Assert.Equal(e201 with { Samples = [] }, e21 with { Samples = [] });
        Assert.Equal(e201.Samples, e21.Samples);
        Assert.Equal((ChargingState.SuspendedEV, 7_500m), (e21.ChargingState, e21.Samples.Single().Value));
    }

    [Fact]
    public void A_2_1_token_type_2_0_1_does_not_know_is_kept_as_the_charger_spelt_it()
    {
        var message = Read21("""[2,"1","Authorize",{"idToken":{"idToken":"WVWZZZ1JZXW000001","type":"VIN"}}]""");

        Assert.Equal(new IdToken("WVWZZZ1JZXW000001", "VIN"), Assert.IsType<IdTokenPresented>(message!.Payload).IdToken);
        Assert.Equal("""[3,"1",{"idTokenInfo":{"status":"Unknown"}}]""", Write(message.Answer(new AuthorizationReply(AuthorizationStatus.Unknown)), OcppVersion.Ocpp21, "1"));
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public void The_2_x_answers_fit_the_schema_of_the_version_the_charger_speaks(OcppVersion version)
    {
        (string Frame, Reply Reply)[] calls =
        [
            ("""[2,"1","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]""", Acknowledged.Instance),
            ("""[2,"1","Authorize",{"idToken":{"idToken":"AA11","type":"ISO14443"}}]""", new AuthorizationReply(AuthorizationStatus.Blocked)),
            ("""[2,"1","TransactionEvent",{"eventType":"Started","timestamp":"2026-06-01T09:00:00Z","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"t"},"idToken":{"idToken":"AA11","type":"ISO14443"}}]""", new AuthorizationReply(AuthorizationStatus.Accepted)),
            ("""[2,"1","StatusNotification",{"timestamp":"2026-06-01T09:00:00Z","connectorStatus":"Occupied","evseId":1,"connectorId":1}]""", Acknowledged.Instance),
            ("""[2,"1","DataTransfer",{"vendorId":"com.example"}]""", new DataTransferReply(DataTransferStatus.UnknownVendorId)),
        ];

        foreach ((string frame, Reply reply) in calls)
        {
            using var call = Call(version, frame);
            string answer = Write(V2Inbound.Read(Charger, call.Inbound, Now, Heartbeat)!.Answer(reply), version, "1");
            using var document = System.Text.Json.JsonDocument.Parse(answer);
            var check = Ocpp.Validation.OcppSchemas.For(version).ValidateResponse(call.Inbound.Action, document.RootElement[2]);
            Assert.True(check.IsValid, $"{call.Inbound.Action}: {answer} {check.Violation?.Description}");
        }
    }

    [Fact]
    public void Boot_is_answered_with_the_heartbeat_interval_and_rejected_when_the_engine_refuses()
    {
        var message = Read201("""[2,"b","BootNotification",{"reason":"PowerUp","chargingStation":{"model":"M","vendorName":"V"}}]""");

        Assert.Contains("\"interval\":300", Write(message!.Answer(Acknowledged.Instance), OcppVersion.Ocpp201, "b"), StringComparison.Ordinal);
        Assert.Contains("\"status\":\"Rejected\"", Write(message.Answer(new Refused("no")), OcppVersion.Ocpp201, "b"), StringComparison.Ordinal);
    }

    [Fact]
    public void Notifications_parkcharge_does_not_interpret_are_kept_and_answered_with_an_empty_object()
    {
        var message = Read201("""[2,"1","NotifyReport",{"requestId":1,"generatedAt":"2026-06-01T10:00:00Z","seqNo":0}]""");

        var kept = Assert.IsType<ChargerNotificationReceived>(message!.Payload);
        Assert.Equal(("NotifyReport", """{"requestId":1,"generatedAt":"2026-06-01T10:00:00Z","seqNo":0}"""), (kept.Action, kept.PayloadJson));
        Assert.Equal("""[3,"1",{}]""", Write(message.Answer(Acknowledged.Instance), OcppVersion.Ocpp201, "1"));
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, """[2,"f","FirmwareStatusNotification",{"status":"Installed"}]""", "Firmware", "Installed", null)]
    [InlineData(OcppVersion.Ocpp16, """[2,"f","SignedFirmwareStatusNotification",{"status":"InvalidSignature","requestId":7}]""", "Firmware", "InvalidSignature", 7)]
    [InlineData(OcppVersion.Ocpp16, """[2,"f","DiagnosticsStatusNotification",{"status":"UploadFailed"}]""", "Log", "UploadFailed", null)]
    [InlineData(OcppVersion.Ocpp16, """[2,"f","LogStatusNotification",{"status":"Uploading","requestId":3}]""", "Log", "Uploading", 3)]
    [InlineData(OcppVersion.Ocpp201, """[2,"f","FirmwareStatusNotification",{"status":"Downloading","requestId":9}]""", "Firmware", "Downloading", 9)]
    [InlineData(OcppVersion.Ocpp21, """[2,"f","LogStatusNotification",{"status":"AcceptedCanceled","requestId":4}]""", "Log", "AcceptedCanceled", 4)]
    public void Firmware_and_log_status_notifications_are_kept_with_their_request_and_answered_with_an_empty_object(OcppVersion version, string frame, string kind, string status, int? requestId)
    {
        using var call = Call(version, frame);
        var message = version == OcppVersion.Ocpp16 ? V16Inbound.Read(Charger, call.Inbound, Now, Heartbeat) : V2Inbound.Read(Charger, call.Inbound, Now, Heartbeat);

        var reported = Assert.IsType<ParkCharge.Core.Commands.FileTransferStatusReported>(message!.Payload);
        Assert.Equal((kind, status, requestId), (reported.Transfer.ToString(), reported.Status, reported.RequestId));
        Assert.Equal("""[3,"f",{}]""", Write(message.Answer(Acknowledged.Instance), version, "f"));
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16)]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public void A_security_event_is_kept_with_the_charger_s_own_time_and_answered_with_an_empty_object(OcppVersion version)
    {
        using var call = Call(version, """[2,"s","SecurityEventNotification",{"type":"InvalidCsmsCertificate","timestamp":"2026-06-01T11:58:00+02:00","techInfo":"issuer not trusted"}]""");
        var message = version == OcppVersion.Ocpp16 ? V16Inbound.Read(Charger, call.Inbound, Now, Heartbeat) : V2Inbound.Read(Charger, call.Inbound, Now, Heartbeat);

        var security = Assert.IsType<SecurityEventReported>(message!.Payload);
        Assert.Equal(("InvalidCsmsCertificate", new DateTimeOffset(2026, 6, 1, 9, 58, 0, TimeSpan.Zero), "issuer not trusted"), (security.SecurityEventType, security.OccurredAt, security.TechInfo));
        Assert.Equal(Now, message.EventTime);
        Assert.Equal("""[3,"s",{}]""", Write(message.Answer(Acknowledged.Instance), version, "s"));
    }

    [Fact]
    public void An_action_parkcharge_does_not_support_is_not_mapped()
    {
        Assert.Null(Read201("""[2,"1","Get15118EVCertificate",{"iso15118SchemaVersion":"x","action":"Install","exiRequest":"y"}]"""));
    }

    [Fact]
    public void The_idempotency_key_tells_a_resent_call_from_a_reused_message_id()
    {
        using var first = Call(OcppVersion.Ocpp16, """[2,"1","Heartbeat",{}]""");
        using var resent = Call(OcppVersion.Ocpp16, """[2,"1","Heartbeat",{}]""");
        using var reused = Call(OcppVersion.Ocpp16, """[2,"1","StatusNotification",{"connectorId":1,"errorCode":"NoError","status":"Available"}]""");

        Assert.Equal(ChargerCallHandler.Key(Charger, first.Inbound), ChargerCallHandler.Key(Charger, resent.Inbound));
        Assert.NotEqual(ChargerCallHandler.Key(Charger, first.Inbound), ChargerCallHandler.Key(Charger, reused.Inbound));
    }

    private static InboundMessage? Read16(string frame)
    {
        using var call = Call(OcppVersion.Ocpp16, frame);
        return V16Inbound.Read(Charger, call.Inbound, Now, Heartbeat);
    }

    private static InboundMessage? Read201(string frame) => Read2(OcppVersion.Ocpp201, frame);

    private static InboundMessage? Read21(string frame) => Read2(OcppVersion.Ocpp21, frame);

    private static InboundMessage? Read2(OcppVersion version, string frame)
    {
        using var call = Call(version, frame);
        return V2Inbound.Read(Charger, call.Inbound, Now, Heartbeat);
    }

    private static ParsedCall Call(OcppVersion version, string frame)
    {
        Assert.True(RpcFrameReader.TryRead(Encoding.UTF8.GetBytes(frame), version, out var parsed, out var fault), fault?.ToString());
        var call = Assert.IsType<RpcCallFrame>(parsed);
        return new ParsedCall(call, new RpcInboundCall(call, version));
    }

    private static string Write(RpcReply reply, OcppVersion version, string messageId)
    {
        using var writer = new RpcFrameWriter(version);
        return Encoding.UTF8.GetString(reply.Write(writer, messageId).Span);
    }

    private sealed record ParsedCall(RpcCallFrame Frame, RpcInboundCall Inbound) : IDisposable
    {
        public void Dispose() => Frame.Dispose();
    }
}
