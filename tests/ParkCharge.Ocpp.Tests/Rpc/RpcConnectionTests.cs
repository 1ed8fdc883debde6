using System.Net.WebSockets;
using System.Text.Json;

using Microsoft.Extensions.Logging;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Rpc;

/// <summary>An <see cref="RpcConnection"/> over real loopback sockets, observed from the far end of the wire.</summary>
public sealed class RpcConnectionTests
{
    /// <summary>Guards against hangs only; nothing here is expected to take long.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(OcppVersion.Ocpp16)]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public async Task A_CALL_from_the_peer_is_answered_with_the_handler_s_result(OcppVersion version)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");

        Assert.Equal("""[3,"hb-1",{"currentTime":"2024-05-01T10:00:00Z"}]""", await test.Peer.ReceiveAsync());
    }

    [Fact]
    public async Task A_CALL_split_over_several_WebSocket_frames_is_reassembled()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        await test.Peer.SendFragmentedAsync("""[2,"hb-1","Heartbeat",{"customData":{"vendorId":"com.example","note":"split in three"}}]""", pieces: 3);

        Assert.Equal("""[3,"hb-1",{"currentTime":"2024-05-01T10:00:00Z"}]""", await test.Peer.ReceiveAsync());
    }

    [Fact]
    public async Task Peer_CALLs_are_handled_one_at_a_time_in_arrival_order_while_answers_to_our_own_CALL_still_arrive()
    {
        var events = new List<string>();
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var handler = new CallHandler(async (call, _) =>
        {
            Assert.True(call.TryRead(V201Actions.DataTransfer, out V201.DataTransferRequest? request));
            lock (events)
            {
                events.Add("start " + request.MessageId);
            }

            if (request.MessageId == "first")
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }

            lock (events)
            {
                events.Add("end " + request.MessageId);
            }

            return RpcReply.Result(V201Actions.DataTransfer, new V201.DataTransferResponse { Status = DataTransferStatusEnumType.Accepted });
        });
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, handler);

        await test.Peer.SendAsync("""[2,"a","DataTransfer",{"vendorId":"com.example","messageId":"first"}]""");
        await test.Peer.SendAsync("""[2,"b","DataTransfer",{"vendorId":"com.example","messageId":"second"}]""");
        await firstStarted.Task.WaitAsync(Patience, Ct);

        // While the first handler is blocked, our own CALL goes out and its answer is read.
        Task<RpcCallOutcome<V201.ResetResponse>> reset = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct);
        JsonElement call = await test.Peer.ReceiveJsonAsync();
        Assert.Equal("Reset", call[2].GetString());
        await test.Peer.SendAsync($$"""[3,"{{call[1].GetString()}}",{"status":"Scheduled"}]""");
        Assert.Equal(ResetStatusEnumType.Scheduled, (await reset.WaitAsync(Patience, Ct)).Response?.Status);
        lock (events)
        {
            Assert.Equal(["start first"], events);
        }

        releaseFirst.SetResult();

        Assert.Equal("a", (await test.Peer.ReceiveJsonAsync())[1].GetString());
        Assert.Equal("b", (await test.Peer.ReceiveJsonAsync())[1].GetString());
        Assert.Equal(["start first", "end first", "start second", "end second"], events);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, "FormationViolation")]
    [InlineData(OcppVersion.Ocpp201, "RpcFrameworkError")]
    [InlineData(OcppVersion.Ocpp21, "RpcFrameworkError")]
    public async Task Malformed_JSON_is_answered_with_id_minus_one_and_the_connection_survives(OcppVersion version, string code)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        await test.Peer.SendAsync("""[2,"x-1","Heartbeat",{""");
        JsonElement error = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync("""[2,"hb-2","Heartbeat",{}]""");

        Assert.Equal((4, "-1", code), (error[0].GetInt32(), error[1].GetString(), error[2].GetString()));
        Assert.Equal(JsonValueKind.Object, error[4].ValueKind);
        Assert.Equal("""[3,"hb-2",{"currentTime":"2024-05-01T10:00:00Z"}]""", await test.Peer.ReceiveAsync());
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, 6, "ProtocolError")]
    [InlineData(OcppVersion.Ocpp201, 6, "MessageTypeNotSupported")]
    [InlineData(OcppVersion.Ocpp201, 5, "MessageTypeNotSupported")]
    [InlineData(OcppVersion.Ocpp21, 7, "MessageTypeNotSupported")]
    public async Task An_unknown_message_type_is_answered_in_the_version_s_terms(OcppVersion version, int type, string code)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        await test.Peer.SendAsync($$"""[{{type}},"send-1","NotifyPeriodicEventStream",{}]""");

        JsonElement error = await test.Peer.ReceiveJsonAsync();
        Assert.Equal((4, "send-1", code), (error[0].GetInt32(), error[1].GetString(), error[2].GetString()));
    }

    [Fact]
    public async Task A_2_1_SEND_is_checked_and_kept_but_never_answered_not_even_when_invalid()
    {
        bool handled = false;
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21, new CallHandler((call, ct) =>
        {
            handled |= call.Action == "NotifyPeriodicEventStream";
            return ConnectionUnderTest.HeartbeatHandler.HandleAsync(call, ct);
        }));

        await test.Peer.SendAsync("""[6,"s-1","NotifyPeriodicEventStream",{"id":3,"pending":0,"basetime":"2024-05-01T10:00:00Z","data":[{"t":0.5,"v":"230.1"}]}]""");
        await test.Peer.SendAsync("""[6,"s-2","NotifyPeriodicEventStream",{"id":3}]""");
        await test.Peer.SendAsync("""[6,"s-3","Heartbeat",{}]""");
        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");

        // The first answer on the wire is the heartbeat's: none of the SENDs got one.
        Assert.StartsWith("""[3,"hb-1",""", await test.Peer.ReceiveAsync(), StringComparison.Ordinal);
        Assert.False(handled);
        IReadOnlyList<ObservedFrame> sends = [.. test.Observer.Frames.Where(f => f.MessageType == RpcMessageType.Send)];
        Assert.Equal(["s-1", "s-2", "s-3"], sends.Select(f => f.MessageId));
        Assert.Null(sends[0].Problem);
        Assert.Contains("required property", sends[1].Problem, StringComparison.Ordinal);
        Assert.Contains("not defined", sends[2].Problem, StringComparison.Ordinal);
        Assert.All(sends, f => Assert.Null(f.ErrorReturned));
    }

    [Fact]
    public async Task A_2_1_CALLRESULTERROR_from_the_peer_is_kept_and_logged_and_ends_none_of_our_CALLs()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21);

        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");
        await test.Peer.ReceiveAsync();
        Task<RpcCallOutcome<V21.ResetResponse>> reset = test.Connection.CallAsync(V21.V21Actions.Reset, new V21.ResetRequest { Type = V21.ResetEnumType.OnIdle }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync("""[5,"hb-1","FormatViolation","currentTime unreadable",{}]""");
        await test.Peer.SendAsync($$"""[3,"{{id}}",{"status":"Accepted"}]""");

        Assert.Equal(V21.ResetStatusEnumType.Accepted, (await reset.WaitAsync(Patience, Ct)).Response?.Status);
        ObservedFrame refusal = Assert.Single(test.Observer.Frames, f => f.MessageType == RpcMessageType.CallResultError);
        Assert.Equal((RpcFrameDirection.Inbound, "hb-1"), (refusal.Direction, refusal.MessageId));
        Assert.Contains("FormatViolation currentTime unreadable", refusal.Problem, StringComparison.Ordinal);
        Assert.Contains(test.Logger.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("CALLRESULTERROR FormatViolation", StringComparison.Ordinal));
        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Theory]
    [InlineData("""{"status":"Maybe"}""", "PropertyConstraintViolation", "/status")]
    [InlineData("""{}""", "OccurrenceConstraintViolation", "status")]
    [InlineData("""{"status":"Accepted","statusInfo":{"reasonCode":7}}""", "TypeConstraintViolation", "/statusInfo/reasonCode")]
    public async Task A_2_1_CALLRESULT_that_breaks_the_schema_is_answered_with_a_CALLRESULTERROR(string payload, string code, string problem)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21);

        Task<RpcCallOutcome<V21.ResetResponse>> outcome = test.Connection.CallAsync(V21.V21Actions.Reset, new V21.ResetRequest { Type = V21.ResetEnumType.Immediate }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{id}}",{{payload}}]""");

        JsonElement refusal = await test.Peer.ReceiveJsonAsync();
        Assert.Equal((5, id, code), (refusal[0].GetInt32(), refusal[1].GetString(), refusal[2].GetString()));
        Assert.Contains(problem, refusal[3].GetString(), StringComparison.Ordinal);
        Assert.Equal(RpcCallStatus.InvalidResponse, (await outcome.WaitAsync(Patience, Ct)).Status);
    }

    [Fact]
    public async Task A_malformed_2_1_CALLRESULT_for_our_CALL_is_answered_with_a_CALLRESULTERROR()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21);

        Task<RpcCallOutcome<V21.ResetResponse>> outcome = test.Connection.CallAsync(V21.V21Actions.Reset, new V21.ResetRequest { Type = V21.ResetEnumType.Immediate }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{id}}","Accepted"]""");

        JsonElement refusal = await test.Peer.ReceiveJsonAsync();
        Assert.Equal((5, id, "FormatViolation"), (refusal[0].GetInt32(), refusal[1].GetString(), refusal[2].GetString()));
        Assert.Equal(RpcCallStatus.InvalidResponse, (await outcome.WaitAsync(Patience, Ct)).Status);
    }

    [Fact]
    public async Task A_2_1_CALLRESULT_that_answers_none_of_our_CALLs_is_ignored_not_refused()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21);

        await test.Peer.SendAsync("""[3,"never-sent",{"status":"Maybe"}]""");

        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task A_2_1_record_goes_over_2_0_1_when_it_fits_2_0_1_s_schema()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V21.RequestStartTransactionResponse>> outcome = test.Connection.CallAsync(V21.V21Actions.RequestStartTransaction,
            new V21.RequestStartTransactionRequest { IdToken = new V21.IdTokenType { IdToken = "APP-1", Type = "Central" }, RemoteStartId = 4, EvseId = 1 }, Ct);
        JsonElement call = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($$"""[3,"{{call[1].GetString()}}",{"status":"Accepted","transactionId":"tx-4"}]""");

        Assert.Equal("""{"evseId":1,"idToken":{"idToken":"APP-1","type":"Central"},"remoteStartId":4}""", call[3].GetRawText());
        Assert.Equal("tx-4", (await outcome.WaitAsync(Patience, Ct)).Response?.TransactionId);
    }

    [Theory]
    [InlineData("VIN")]
    [InlineData("Central")]
    public async Task A_2_1_record_with_what_2_0_1_lacks_is_not_sent_to_a_2_0_1_charger(string tokenType)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);
        var request = new V21.RequestStartTransactionRequest
        {
            IdToken = new V21.IdTokenType { IdToken = tokenType == "VIN" ? "WVWZZZ1JZXW000001" : new string('7', 37), Type = tokenType },
            RemoteStartId = 4,
        };

        RpcCallOutcome<V21.RequestStartTransactionResponse> outcome = await test.Connection.CallAsync(V21.V21Actions.RequestStartTransaction, request, Ct);

        Assert.Equal(RpcCallStatus.InvalidRequest, outcome.Status);
        Assert.Contains("OCPP 2.0.1", outcome.Problem, StringComparison.Ordinal);
        Assert.Contains("/idToken/", outcome.Problem, StringComparison.Ordinal);
        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Empty(test.Observer.Frames);
    }

    [Fact]
    public async Task A_2_0_1_call_reads_as_2_1_s_record()
    {
        V21.TransactionEventRequest? read = null;
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, new CallHandler((call, _) =>
        {
            Assert.True(call.TryRead(V21.V21Actions.TransactionEvent, out read));
            return ValueTask.FromResult(RpcReply.Result(V21.V21Actions.TransactionEvent, new V21.TransactionEventResponse()));
        }));

        await test.Peer.SendAsync("""[2,"t-1","TransactionEvent",{"eventType":"Started","timestamp":"2024-05-01T10:00:00Z","triggerReason":"Authorized","seqNo":0,"transactionInfo":{"transactionId":"tx-1","chargingState":"Charging"},"idToken":{"idToken":"AA","type":"ISO14443"}}]""");

        Assert.Equal("""[3,"t-1",{}]""", await test.Peer.ReceiveAsync());
        Assert.Equal(("tx-1", "ISO14443", V21.ChargingStateEnumType.Charging), (read?.TransactionInfo.TransactionId, read?.IdToken?.Type, read?.TransactionInfo.ChargingState));
    }

    [Fact]
    public async Task A_binary_message_is_answered_like_an_unreadable_frame_and_the_connection_survives()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        await test.Peer.SendBinaryAsync([0x5B, 0x32, 0x5D]);
        JsonElement error = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");

        Assert.Equal(("-1", "RpcFrameworkError"), (error[1].GetString(), error[2].GetString()));
        Assert.StartsWith("""[3,"hb-1",""", await test.Peer.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains(test.Observer.Frames, f => f is { IsBinary: true, Direction: RpcFrameDirection.Inbound, ErrorReturned: RpcErrorCode.RpcFrameworkError });
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16)]
    [InlineData(OcppVersion.Ocpp201)]
    public async Task An_action_the_version_does_not_define_is_not_implemented(OcppVersion version)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        await test.Peer.SendAsync("""[2,"u-1","FlyToTheMoon",{}]""");

        JsonElement error = await test.Peer.ReceiveJsonAsync();
        Assert.Equal(("u-1", "NotImplemented"), (error[1].GetString(), error[2].GetString()));
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, "OccurenceConstraintViolation", "idTag")]
    [InlineData(OcppVersion.Ocpp201, "OccurrenceConstraintViolation", "idToken")]
    public async Task A_payload_missing_a_required_field_is_refused_with_the_version_s_spelling(OcppVersion version, string code, string field)
    {
        bool handled = false;
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version, new CallHandler((_, _) =>
        {
            handled = true;
            return ValueTask.FromResult(RpcReply.Error(RpcErrorCode.GenericError, "unreachable"));
        }));

        await test.Peer.SendAsync("""[2,"s-1","Authorize",{}]""");

        JsonElement error = await test.Peer.ReceiveJsonAsync();
        Assert.Equal(("s-1", code), (error[1].GetString(), error[2].GetString()));
        Assert.Contains(field, error[3].GetString(), StringComparison.Ordinal);
        Assert.False(handled);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, """{"connectorId":1,"errorCode":"NoError","status":"Occupied"}""", "PropertyConstraintViolation")]
    [InlineData(OcppVersion.Ocpp16, """{"connectorId":"1","errorCode":"NoError","status":"Available"}""", "TypeConstraintViolation")]
    [InlineData(OcppVersion.Ocpp201, """{"timestamp":"2024-05-01T10:00:00Z","connectorStatus":"Available","evseId":1,"connectorId":1,"extra":true}""", "PropertyConstraintViolation")]
    [InlineData(OcppVersion.Ocpp201, """{"timestamp":"2024-05-01T10:00:00Z","connectorStatus":"Available","evseId":true,"connectorId":1}""", "TypeConstraintViolation")]
    public async Task Other_schema_violations_get_their_mapped_codes(OcppVersion version, string payload, string code)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        await test.Peer.SendAsync($$"""[2,"s-2","StatusNotification",{{payload}}]""");

        Assert.Equal(code, (await test.Peer.ReceiveJsonAsync())[2].GetString());
    }

    [Fact]
    public async Task A_handler_that_throws_costs_an_InternalError_not_the_connection()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, new CallHandler((call, ct) =>
            call.Is(V201Actions.Heartbeat)
                ? ConnectionUnderTest.HeartbeatHandler.HandleAsync(call, ct)
                : throw new InvalidOperationException("database is down")));

        await test.Peer.SendAsync("""[2,"t-1","DataTransfer",{"vendorId":"com.example"}]""");
        JsonElement error = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");

        Assert.Equal(("t-1", "InternalError"), (error[1].GetString(), error[2].GetString()));
        Assert.DoesNotContain("database", error[3].GetString(), StringComparison.Ordinal);
        Assert.StartsWith("""[3,"hb-1",""", await test.Peer.ReceiveAsync(), StringComparison.Ordinal);
        LogEntry logged = Assert.Single(test.Logger.Entries, e => e.Level == LogLevel.Error);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Fact]
    public async Task A_value_the_schema_allows_but_the_record_cannot_hold_is_a_property_constraint_violation()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp16, new CallHandler((call, _) =>
        {
            call.TryRead(V16Actions.StartTransaction, out V16.StartTransactionRequest? _);
            return ValueTask.FromResult(RpcReply.Error(RpcErrorCode.GenericError, "unreachable"));
        }));

        await test.Peer.SendAsync("""[2,"big-1","StartTransaction",{"connectorId":1,"idTag":"A","meterStart":3000000000,"timestamp":"2024-05-01T10:00:00Z"}]""");

        Assert.Equal("PropertyConstraintViolation", (await test.Peer.ReceiveJsonAsync())[2].GetString());
    }

    [Fact]
    public async Task Our_own_invalid_response_is_replaced_by_an_InternalError_and_logged()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, new CallHandler((_, _) =>
            ValueTask.FromResult(RpcReply.Result(JsonDocument.Parse("""{"currentTime":"yesterday"}""").RootElement))));

        await test.Peer.SendAsync("""[2,"own-1","Heartbeat",{}]""");

        Assert.Equal("InternalError", (await test.Peer.ReceiveJsonAsync())[2].GetString());
        Assert.Contains(test.Logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("/currentTime", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_response_that_cannot_be_serialized_costs_an_InternalError_not_the_dispatcher(bool validateOwnResponses)
    {
        // An undefined JsonElement (default) cannot be written: the serializer throws.
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, new CallHandler((call, ct) =>
            call.Is(V201Actions.DataTransfer)
                ? ValueTask.FromResult(RpcReply.Result(V201Actions.DataTransfer,
                    new V201.DataTransferResponse { Status = DataTransferStatusEnumType.Accepted, Data = default(JsonElement) }))
                : ConnectionUnderTest.HeartbeatHandler.HandleAsync(call, ct)), o => o with { ValidateOwnResponses = validateOwnResponses });

        await test.Peer.SendAsync("""[2,"d-1","DataTransfer",{"vendorId":"com.example"}]""");
        JsonElement error = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync("""[2,"hb-1","Heartbeat",{}]""");

        Assert.Equal(("d-1", "InternalError"), (error[1].GetString(), error[2].GetString()));
        Assert.StartsWith("""[3,"hb-1",""", await test.Peer.ReceiveAsync(), StringComparison.Ordinal);
        Assert.Contains(test.Logger.Entries, e => e.Level == LogLevel.Error && e.Exception is not null);
    }

    [Fact]
    public async Task Work_that_follows_an_answer_starts_after_the_answer_is_on_the_wire_and_may_call_the_peer()
    {
        var followed = new TaskCompletionSource<RpcCallOutcome<V21.CertificateSignedResponse>>();
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21, new CallHandler((call, _) =>
            ValueTask.FromResult(RpcReply.Result(V21.V21Actions.SignCertificate, new V21.SignCertificateResponse { Status = V21.GenericStatusEnumType.Accepted })
                .Then(async (rpc, ct) => followed.SetResult(await rpc.CallAsync(V21.V21Actions.CertificateSigned, new V21.CertificateSignedRequest { CertificateChain = "chain" }, ct))))));

        await test.Peer.SendAsync("""[2,"sign-1","SignCertificate",{"csr":"x"}]""");
        string answer = await test.Peer.ReceiveAsync();
        JsonElement call = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($$"""[3,"{{call[1].GetString()}}",{"status":"Accepted"}]""");

        Assert.Equal("""[3,"sign-1",{"status":"Accepted"}]""", answer);
        Assert.Equal(("CertificateSigned", "chain"), (call[2].GetString(), call[3].GetProperty("certificateChain").GetString()));
        Assert.Equal(V21.CertificateSignedStatusEnumType.Accepted, (await followed.Task.WaitAsync(Patience, Ct)).Response?.Status);
    }

    [Fact]
    public async Task Work_that_follows_an_answer_does_not_start_when_the_answer_became_an_InternalError()
    {
        var started = false;
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21, new CallHandler((_, _) =>
            ValueTask.FromResult(RpcReply.Result(JsonDocument.Parse("""{"status":"Maybe"}""").RootElement).Then((_, _) =>
            {
                started = true;
                return Task.CompletedTask;
            }))));

        await test.Peer.SendAsync("""[2,"sign-1","SignCertificate",{"csr":"x"}]""");

        Assert.Equal("InternalError", (await test.Peer.ReceiveJsonAsync())[2].GetString());
        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(started);
    }

    [Fact]
    public async Task Our_CALL_completes_with_the_typed_response()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp16);

        Task<RpcCallOutcome<V16.RemoteStartTransactionResponse>> outcome = test.Connection.CallAsync(
            V16Actions.RemoteStartTransaction, new V16.RemoteStartTransactionRequest { IdTag = "APP-1", ConnectorId = 1 }, Ct);
        JsonElement call = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($$"""[3,"{{call[1].GetString()}}",{"status":"Accepted"}]""");

        Assert.Equal((2, "RemoteStartTransaction", "APP-1"), (call[0].GetInt32(), call[2].GetString(), call[3].GetProperty("idTag").GetString()));
        Assert.Equal(36, call[1].GetString()!.Length);
        RpcCallOutcome<V16.RemoteStartTransactionResponse> result = await outcome.WaitAsync(Patience, Ct);
        Assert.True(result.IsCompleted);
        Assert.Equal(RemoteStartStopStatus.Accepted, result.Response.Status);
    }

    [Fact]
    public async Task Our_CALL_times_out_on_the_injected_clock_and_a_late_answer_is_ignored()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V201.ResetResponse>> outcome = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.Immediate }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        test.Time.Advance(test.Options.CallTimeout - TimeSpan.FromMilliseconds(1));
        Assert.False(outcome.IsCompleted);
        test.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(RpcCallStatus.TimedOut, (await outcome.WaitAsync(Patience, Ct)).Status);

        await test.Peer.SendAsync($$"""[3,"{{id}}",{"status":"Accepted"}]""");
        Task<RpcCallOutcome<V201.ResetResponse>> next = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct);
        string nextId = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{nextId}}",{"status":"Rejected"}]""");
        Assert.Equal(ResetStatusEnumType.Rejected, (await next.WaitAsync(Patience, Ct)).Response?.Status);
        Assert.Contains(test.Observer.Frames, f => f.MessageId == id && f.MessageType == RpcMessageType.CallResult && f.Action is null && f.Problem is not null);
    }

    [Fact]
    public async Task A_second_CALL_waits_until_the_first_is_answered()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V201.ResetResponse>> first = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct);
        Task<RpcCallOutcome<V201.UnlockConnectorResponse>> second = test.Connection.CallAsync(
            V201Actions.UnlockConnector, new V201.UnlockConnectorRequest { EvseId = 1, ConnectorId = 1 }, Ct);
        JsonElement firstCall = await test.Peer.ReceiveJsonAsync();

        Assert.Equal("Reset", firstCall[2].GetString());
        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(300)), "a second CALL went out while the first was outstanding");
        Assert.False(second.IsCompleted);

        await test.Peer.SendAsync($$"""[3,"{{firstCall[1].GetString()}}",{"status":"Accepted"}]""");
        JsonElement secondCall = await test.Peer.ReceiveJsonAsync();
        await test.Peer.SendAsync($$"""[3,"{{secondCall[1].GetString()}}",{"status":"Unlocked"}]""");

        Assert.Equal("UnlockConnector", secondCall[2].GetString());
        Assert.Equal(ResetStatusEnumType.Accepted, (await first.WaitAsync(Patience, Ct)).Response?.Status);
        Assert.Equal(UnlockStatusEnumType.Unlocked, (await second.WaitAsync(Patience, Ct)).Response?.Status);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp16, "OccurenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData(OcppVersion.Ocpp201, "OccurrenceConstraintViolation", RpcErrorCode.OccurrenceConstraintViolation)]
    [InlineData(OcppVersion.Ocpp201, "FormationViolation", RpcErrorCode.FormatViolation)]
    [InlineData(OcppVersion.Ocpp201, "VendorSpecificTrouble", null)]
    public async Task A_CALLERROR_from_the_peer_rejects_our_CALL_with_its_code(OcppVersion version, string code, RpcErrorCode? known)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(version);

        Task<RpcCallOutcome<V16.ResetResponse>>? outcome16 = version == OcppVersion.Ocpp16
            ? test.Connection.CallAsync(V16Actions.Reset, new V16.ResetRequest { Type = ResetType.Hard }, Ct)
            : null;
        Task<RpcCallOutcome<V201.ResetResponse>>? outcome201 = version == OcppVersion.Ocpp201
            ? test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.Immediate }, Ct)
            : null;
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[4,"{{id}}","{{code}}","type is missing",{"field":"type"}]""");

        RpcCallRejection? rejection = outcome16 is not null
            ? (await outcome16.WaitAsync(Patience, Ct)).Rejection
            : (await outcome201!.WaitAsync(Patience, Ct)).Rejection;
        Assert.NotNull(rejection);
        Assert.Equal((code, known, "type is missing", "type"), (rejection.ErrorCode, rejection.KnownErrorCode, rejection.Description, rejection.Details.GetProperty("field").GetString()));
    }

    [Theory]
    [InlineData("""{"status":"Maybe"}""", "/status")]
    [InlineData("""{}""", "status")]
    public async Task A_CALLRESULT_that_breaks_the_response_schema_is_an_invalid_response(string payload, string problem)
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V201.ResetResponse>> outcome = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.Immediate }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{id}}",{{payload}}]""");

        RpcCallOutcome<V201.ResetResponse> result = await outcome.WaitAsync(Patience, Ct);
        Assert.Equal(RpcCallStatus.InvalidResponse, result.Status);
        Assert.Contains(problem, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_2_0_1_CALLRESULT_for_our_CALL_is_an_invalid_response_and_is_not_answered()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V201.ResetResponse>> outcome = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.Immediate }, Ct);
        string id = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{id}}","Accepted"]""");

        Assert.Equal(RpcCallStatus.InvalidResponse, (await outcome.WaitAsync(Patience, Ct)).Status);
        Assert.True(await test.Peer.NothingArrivesWithinAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task Our_CALL_ends_as_disconnected_when_the_peer_closes_and_later_CALLs_do_not_wait()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        Task<RpcCallOutcome<V201.ResetResponse>> outcome = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.Immediate }, Ct);
        await test.Peer.ReceiveJsonAsync();
        await test.Peer.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", Ct);

        Assert.Equal(RpcCallStatus.Disconnected, (await outcome.WaitAsync(Patience, Ct)).Status);
        await test.Running.WaitAsync(Patience, Ct);
        Assert.Equal(RpcCallStatus.Disconnected, (await test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct)).Status);
        Assert.Equal(WebSocketState.Closed, test.Sockets.Server.State);
    }

    [Fact]
    public async Task Our_CALL_ends_as_disconnected_when_the_connection_drops()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp16);

        Task<RpcCallOutcome<V16.ResetResponse>> outcome = test.Connection.CallAsync(V16Actions.Reset, new V16.ResetRequest { Type = ResetType.Soft }, Ct);
        await test.Peer.ReceiveJsonAsync();
        test.Sockets.CutClient();

        Assert.Equal(RpcCallStatus.Disconnected, (await outcome.WaitAsync(Patience, Ct)).Status);
        await test.Running.WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task An_oversized_message_closes_the_connection_with_1009()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, configure: o => o with { MaxMessageBytes = 1024 });

        await test.Peer.SendFragmentedAsync($$"""[2,"big","DataTransfer",{"vendorId":"com.example","data":"{{new string('x', 5000)}}"}]""", pieces: 4);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await test.Peer.ReceiveCloseAsync());
        await test.Running.WaitAsync(Patience, Ct);
        Assert.Contains(test.Observer.Frames, f => f.Direction == RpcFrameDirection.Inbound && f.Problem?.Contains("1009", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task A_message_of_exactly_the_maximum_size_is_accepted()
    {
        const int max = 1024;
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201, configure: o => o with { MaxMessageBytes = max });
        const string prefix = "[2,\"fit\",\"Heartbeat\",{\"customData\":{\"vendorId\":\"com.example\",\"pad\":\"";
        string message = prefix + new string('x', max - prefix.Length - 4) + "\"}}]";

        await test.Peer.SendAsync(message);

        Assert.Equal(max, System.Text.Encoding.UTF8.GetByteCount(message));
        Assert.StartsWith("""[3,"fit",""", await test.Peer.ReceiveAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_observer_sees_every_frame_both_ways_with_direction_time_and_action()
    {
        await using ConnectionUnderTest test = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp201);

        await test.Peer.SendAsync("""[2,"in-1","Heartbeat",{}]""");
        await test.Peer.ReceiveAsync();
        Task<RpcCallOutcome<V201.ResetResponse>> reset = test.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct);
        string outId = (await test.Peer.ReceiveJsonAsync())[1].GetString()!;
        await test.Peer.SendAsync($$"""[3,"{{outId}}",{"status":"Accepted"}]""");
        await reset.WaitAsync(Patience, Ct);
        await test.Peer.SendAsync("""[2,"in-2","Authorize",{}]""");
        await test.Peer.ReceiveAsync();
        await test.Peer.SendAsync("not json");
        await test.Peer.ReceiveAsync();

        IReadOnlyList<ObservedFrame> frames = test.Observer.Frames;
        Assert.Collection(frames,
            f => Assert.Equal((RpcFrameDirection.Inbound, RpcMessageType.Call, "in-1", "Heartbeat", (RpcErrorCode?)null, """[2,"in-1","Heartbeat",{}]"""),
                (f.Direction, f.MessageType, f.MessageId, f.Action, f.ErrorReturned, f.Text)),
            f => Assert.Equal((RpcFrameDirection.Outbound, RpcMessageType.CallResult, "in-1", "Heartbeat"), (f.Direction, f.MessageType, f.MessageId, f.Action)),
            f => Assert.Equal((RpcFrameDirection.Outbound, RpcMessageType.Call, outId, "Reset"), (f.Direction, f.MessageType, f.MessageId, f.Action)),
            f => Assert.Equal((RpcFrameDirection.Inbound, RpcMessageType.CallResult, outId, "Reset", (string?)null), (f.Direction, f.MessageType, f.MessageId, f.Action, f.Problem)),
            f => Assert.Equal((RpcFrameDirection.Inbound, RpcMessageType.Call, "in-2", "Authorize", RpcErrorCode.OccurrenceConstraintViolation),
                (f.Direction, f.MessageType, f.MessageId, f.Action, f.ErrorReturned)),
            f => Assert.Equal((RpcFrameDirection.Outbound, RpcMessageType.CallError, "in-2", "Authorize"), (f.Direction, f.MessageType, f.MessageId, f.Action)),
            f => Assert.Equal((RpcFrameDirection.Inbound, (RpcMessageType?)null, (string?)null, RpcErrorCode.RpcFrameworkError, "not json"),
                (f.Direction, f.MessageType, f.MessageId, f.ErrorReturned, f.Text)),
            f => Assert.Equal((RpcFrameDirection.Outbound, RpcMessageType.CallError, "-1"), (f.Direction, f.MessageType, f.MessageId)));
        Assert.All(frames, f => Assert.Equal(ConnectionUnderTest.Start, f.Time));
        Assert.All(frames.Where(f => f.Direction == RpcFrameDirection.Inbound && f.ErrorReturned is not null), f => Assert.NotNull(f.Problem));
    }

    [Fact]
    public async Task Two_connections_talk_to_each_other_as_charger_and_server()
    {
        await using LoopbackSockets sockets = await LoopbackSockets.ConnectAsync("ocpp2.0.1");
        var options = new RpcConnectionOptions { Version = OcppVersion.Ocpp201, ChargerId = "CP-42" };
        var serverHandler = new CallHandler((call, _) => ValueTask.FromResult(call.TryRead(V201Actions.BootNotification, out V201.BootNotificationRequest? boot)
            ? RpcReply.Result(V201Actions.BootNotification, new V201.BootNotificationResponse
            {
                CurrentTime = ConnectionUnderTest.Start,
                Interval = boot.Reason == BootReasonEnumType.PowerUp ? 300 : 60,
                Status = RegistrationStatusEnumType.Accepted,
            })
            : RpcReply.Error(RpcErrorCode.NotSupported, call.Action)));
        var chargerHandler = new CallHandler((call, _) => ValueTask.FromResult(call.TryRead(V201Actions.RequestStartTransaction, out V201.RequestStartTransactionRequest? start)
            ? RpcReply.Result(V201Actions.RequestStartTransaction, new V201.RequestStartTransactionResponse
            {
                Status = RequestStartStopStatusEnumType.Accepted,
                TransactionId = $"tx-{start.RemoteStartId}",
            })
            : RpcReply.Error(RpcErrorCode.NotSupported, call.Action)));
        await using var server = new RpcConnection(sockets.Server, serverHandler, options, TimeProvider.System, new RecordingLogger());
        await using var charger = new RpcConnection(sockets.Client, chargerHandler, options, TimeProvider.System, new RecordingLogger());
        Task serverRunning = server.RunAsync(Ct);
        Task chargerRunning = charger.RunAsync(Ct);

        Task<RpcCallOutcome<V201.BootNotificationResponse>> boot = charger.CallAsync(V201Actions.BootNotification, new V201.BootNotificationRequest
        {
            ChargingStation = new ChargingStationType { Model = "Sim", VendorName = "ParkCharge" },
            Reason = BootReasonEnumType.PowerUp,
        }, Ct);
        Task<RpcCallOutcome<V201.RequestStartTransactionResponse>> start = server.CallAsync(V201Actions.RequestStartTransaction, new V201.RequestStartTransactionRequest
        {
            IdToken = new IdTokenType { IdToken = "APP-1", Type = IdTokenEnumType.Central },
            RemoteStartId = 7,
        }, Ct);

        Assert.Equal(300, (await boot.WaitAsync(Patience, Ct)).Response?.Interval);
        Assert.Equal("tx-7", (await start.WaitAsync(Patience, Ct)).Response?.TransactionId);
        await charger.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Ct);
        await Task.WhenAll(serverRunning, chargerRunning).WaitAsync(Patience, Ct);
    }

    [Fact]
    public async Task A_CALL_of_another_version_is_a_programming_error()
    {
        await using ConnectionUnderTest test16 = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp16);
        await using ConnectionUnderTest test21 = await ConnectionUnderTest.StartAsync(OcppVersion.Ocpp21);

        await Assert.ThrowsAsync<ArgumentException>(() => test16.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => test16.Connection.CallAsync(V21.V21Actions.Reset, new V21.ResetRequest { Type = V21.ResetEnumType.OnIdle }, Ct));

        // 2.1 extends 2.0.1, not the other way round: a 2.0.1 record is not a 2.1 message.
        await Assert.ThrowsAsync<ArgumentException>(() => test21.Connection.CallAsync(V201Actions.Reset, new V201.ResetRequest { Type = ResetEnumType.OnIdle }, Ct));
    }
}
