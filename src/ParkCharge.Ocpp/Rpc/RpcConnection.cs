using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

using Microsoft.Extensions.Logging;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// One OCPP-J connection over a WebSocket (OCPP-J 1.6 §4, 2.0.1 and 2.1 §4), the same whichever end is
/// the charger: it answers the peer's CALLs through an <see cref="IRpcCallHandler"/> and sends
/// our own CALLs with <see cref="CallAsync{TRequest, TResponse}"/>. It knows frames, schemas and
/// timeouts, nothing of sessions.
/// </summary>
/// <remarks>
/// <para>Three activities share the socket: the receive loop (<see cref="RunAsync"/>) reads and
/// checks every frame and completes our outstanding CALL; a dispatcher task hands the peer's
/// CALLs to the handler one at a time, in arrival order, so the receive loop keeps reading
/// answers to our calls while a handler runs; callers of <see cref="CallAsync{TRequest, TResponse}"/>
/// send, one CALL outstanding at a time (OCPP-J §4.1.1). Sends are serialised by a lock; every
/// frame, in and out, is shown to the <see cref="IRpcFrameObserver"/> first.</para>
/// <para>The socket belongs to the caller; <see cref="DisposeAsync"/> aborts it only if
/// <see cref="RunAsync"/> is still running.</para>
/// </remarks>
public sealed class RpcConnection : IAsyncDisposable
{
    // The first read of a message asks for this much; most OCPP frames fit, a larger one grows the buffer.
    private const int ReceiveChunk = 4 * 1024;

    private static readonly RpcReply InternalErrorReply = RpcReply.Error(RpcErrorCode.InternalError, "An internal error occurred while handling the call.");
    private const int Created = 0, Running = 1, Closed = 2;

    private readonly WebSocket _socket;
    private readonly IRpcCallHandler _handler;
    private readonly RpcConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IRpcFrameObserver? _observer;
    private readonly OcppSchemas _schemas;
    private readonly RpcFrameWriter _writer;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly SemaphoreSlim _callGate = new(1, 1);
    private readonly Channel<InboundWork> _inbound;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PendingCall? _pending;
    private ITimer? _closeTimer;
    private int _state;

    public RpcConnection(WebSocket socket, IRpcCallHandler handler, RpcConnectionOptions options, TimeProvider timeProvider,
        ILogger logger, IRpcFrameObserver? observer = null)
    {
        _socket = socket;
        _handler = handler;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _observer = observer;
        _schemas = OcppSchemas.For(options.Version);
        _writer = new RpcFrameWriter(options.Version);
        _inbound = Channel.CreateBounded<InboundWork>(new BoundedChannelOptions(options.MaxQueuedCalls)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public OcppVersion Version => _options.Version;

    public string ChargerId => _options.ChargerId;

    private bool IsClosed => Volatile.Read(ref _state) == Closed;

    /// <summary>
    /// Reads frames until the socket closes, then fails our outstanding CALL as
    /// <see cref="RpcCallStatus.Disconnected"/> and stops the dispatcher (queued CALLs are dropped:
    /// there is no one left to answer). Cancelling aborts the socket. Runs once per connection.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Running, Created) != Created)
        {
            throw new InvalidOperationException("RunAsync runs once per connection.");
        }

        var receiveBuffer = new PooledByteBuffer();
        Task dispatcher = DispatchAsync();
        try
        {
            await ReceiveLoopAsync(receiveBuffer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _socket.Abort();
            throw;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or OperationCanceledException)
        {
            RpcConnectionLog.Lost(_logger, ChargerId, exception);
        }
        finally
        {
            Shutdown();
            try
            {
                await dispatcher;
            }
            finally
            {
                receiveBuffer.Dispose();
                _stopped.TrySetResult();
            }
        }
    }

    /// <summary>
    /// Sends a CALL and waits for its outcome. Only one CALL is outstanding per connection
    /// (OCPP-J 1.6 §4.1.1, 2.0.1 §4.1.1): later calls wait their turn, and each one's timeout
    /// (<see cref="RpcConnectionOptions.CallTimeout"/>) starts when it is sent.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; an answer arriving later is ignored.</exception>
    public async Task<RpcCallOutcome<TResponse>> CallAsync<TRequest, TResponse>(
        OcppAction<TRequest, TResponse> action, TRequest request, CancellationToken cancellationToken = default)
    {
        if (!Version.Carries(action.Version))
        {
            throw new ArgumentException($"{action} belongs to {action.Version}; this connection speaks {Version}.", nameof(action));
        }

        if (IsClosed)
        {
            return RpcCallOutcome<TResponse>.Disconnected;
        }

        // A 2.1 record sent over 2.0.1 must fit 2.0.1's schema: no 2.1-only field or value.
        if ((action.Version != Version || _options.ValidateOwnResponses) && CheckOwnRequest(action, request) is { } problem)
        {
            return RpcCallOutcome<TResponse>.NotSent(problem);
        }

        await _callGate.WaitAsync(cancellationToken);
        var pending = new PendingCall<TRequest, TResponse>(Guid.NewGuid().ToString(), action);
        try
        {
            // Published before the closed check: either Shutdown sees this call and fails it, or we see Closed.
            Interlocked.Exchange(ref _pending, pending);

            // Armed before the CALL leaves, so that no answer (and no test clock) can overtake it.
            using var timeout = new CancellationTokenSource(_options.CallTimeout, _time);
            using CancellationTokenRegistration onTimeout = timeout.Token.Register(
                static state => ((PendingCall)state!).Fail(RpcCallStatus.TimedOut), pending);
            if (IsClosed || !await SendCallAsync(pending.MessageId, action.Name, request, action.Request))
            {
                return RpcCallOutcome<TResponse>.Disconnected;
            }

            RpcCallOutcome<TResponse> outcome = await pending.Outcome.WaitAsync(cancellationToken);
            if (outcome.Status == RpcCallStatus.TimedOut)
            {
                RpcConnectionLog.CallTimedOut(_logger, ChargerId, action.Name, pending.MessageId, _options.CallTimeout);
            }

            return outcome;
        }
        finally
        {
            Interlocked.CompareExchange(ref _pending, null, pending);
            _callGate.Release();
        }
    }

    /// <summary>
    /// Sends a CALL of any action with its payload as is, and returns the answer as it came: a proxy
    /// forwarding one peer's CALL to the other. It waits its turn with our own CALLs (one outstanding per
    /// connection), gets a message id of its own (so a forwarded id can never collide with one of ours),
    /// and its answer is not checked unless asked: it goes back to the peer that asked, which checks it.
    /// </summary>
    /// <param name="timeout">How long the answer may take; <see cref="RpcConnectionOptions.CallTimeout"/> when null.</param>
    /// <param name="checkAnswer">
    /// Check the answer against the action's response schema (for an action this version defines): an invalid one
    /// ends the call as <see cref="RpcCallStatus.InvalidResponse"/> and is refused as our own calls' answers are
    /// (logged, kept in the message log with the problem, and in OCPP 2.1 answered with a CALLRESULTERROR).
    /// </param>
    public async Task<RpcCallOutcome<JsonElement>> ForwardAsync(string action, JsonElement payload, TimeSpan? timeout = null, bool checkAnswer = false,
        CancellationToken cancellationToken = default)
    {
        if (IsClosed)
        {
            return RpcCallOutcome<JsonElement>.Disconnected;
        }

        await _callGate.WaitAsync(cancellationToken);
        var pending = new ForwardedPendingCall(Guid.NewGuid().ToString(), action, checkAnswer);
        try
        {
            Interlocked.Exchange(ref _pending, pending);
            var wait = timeout ?? _options.CallTimeout;
            using var timer = new CancellationTokenSource(wait, _time);
            using CancellationTokenRegistration onTimeout = timer.Token.Register(
                static state => ((PendingCall)state!).Fail(RpcCallStatus.TimedOut), pending);
            if (IsClosed || !await SendForwardedCallAsync(pending.MessageId, action, payload))
            {
                return RpcCallOutcome<JsonElement>.Disconnected;
            }

            var outcome = await pending.Outcome.WaitAsync(cancellationToken);
            if (outcome.Status == RpcCallStatus.TimedOut)
            {
                RpcConnectionLog.CallTimedOut(_logger, ChargerId, action, pending.MessageId, wait);
            }

            return outcome;
        }
        finally
        {
            Interlocked.CompareExchange(ref _pending, null, pending);
            _callGate.Release();
        }
    }

    private async ValueTask<bool> SendForwardedCallAsync(string messageId, string action, JsonElement payload)
    {
        await _sendLock.WaitAsync(CancellationToken.None);
        try
        {
            return !IsClosed && await SendLockedAsync(_writer.Call(messageId, action, payload), RpcMessageType.Call, messageId, action);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>
    /// Starts the closing handshake: sends our close frame; <see cref="RunAsync"/> ends when the
    /// peer answers with its own, or after <see cref="RpcConnectionOptions.CloseTimeout"/>.
    /// </summary>
    public async Task CloseAsync(WebSocketCloseStatus closeStatus, string description, CancellationToken cancellationToken = default)
    {
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await SendCloseLockedAsync(closeStatus, description);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.CompareExchange(ref _state, Closed, Created) == Created)
        {
            _stopped.TrySetResult();
        }
        else if (!IsClosed)
        {
            _socket.Abort();
        }

        await _stopped.Task;
        await _sendLock.WaitAsync();
        _writer.Dispose();
        _sendLock.Release();
        _closeTimer?.Dispose();
        _lifetime.Dispose();
    }

    private async Task ReceiveLoopAsync(PooledByteBuffer buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            buffer.Reset();

            // A zero-byte receive waits for the next message without a buffer (Kestrel and the WebSocket wait
            // the same way), so an idle connection holds none; the buffer is rented when the message is there.
            ValueWebSocketReceiveResult received = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            while (true)
            {
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await OnPeerClosedAsync();
                    return;
                }

                buffer.Advance(received.Count);
                if (buffer.WrittenCount > _options.MaxMessageBytes)
                {
                    await RefuseOversizedAsync(buffer);
                    return;
                }

                if (received.EndOfMessage)
                {
                    break;
                }

                // Never ask for more than one byte beyond the limit: that byte is enough to refuse.
                int limit = _options.MaxMessageBytes + 1 - buffer.WrittenCount;
                Memory<byte> free = buffer.GetMemory(Math.Min(ReceiveChunk, limit));
                received = await _socket.ReceiveAsync(free[..Math.Min(free.Length, limit)], cancellationToken);
            }

            if (received.MessageType == WebSocketMessageType.Binary)
            {
                // OCPP-J frames are text; answer as for a frame whose id cannot be read, and carry on.
                const string problem = "OCPP-J frames are WebSocket text messages, not binary.";
                Observe(RpcFrameDirection.Inbound, buffer.WrittenMemory, isBinary: true, null, null, null, RpcErrorCode.RpcFrameworkError, problem);
                RpcConnectionLog.FrameRefused(_logger, ChargerId, problem, RpcErrorCode.RpcFrameworkError, RpcFrameReader.UnreadableMessageId);
                await _inbound.Writer.WriteAsync(InboundWork.Refusal(RpcFrameReader.UnreadableMessageId, null, RpcErrorCode.RpcFrameworkError, problem), cancellationToken);
                continue;
            }

            byte[] bytes = buffer.Detach(out int length);
            if (RpcFrameReader.TryRead(bytes, length, Version, out RpcFrame? frame, out RpcFrameFault? fault))
            {
                await OnFrameAsync(frame, bytes.AsMemory(0, length), cancellationToken);
            }
            else
            {
                await OnFaultAsync(fault, bytes.AsMemory(0, length), cancellationToken);
                if (bytes.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(bytes);
                }
            }
        }
    }

    private async ValueTask OnFrameAsync(RpcFrame frame, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        switch (frame)
        {
            case RpcCallFrame { MessageType: RpcMessageType.Send } send:
                using (send)
                {
                    OnSend(send, raw);
                }

                return;

            case RpcCallFrame call:
                // The schema check runs here so the handler only ever sees valid payloads. A proxy takes
                // actions its OCPP version does not define too (a vendor's own): the peer it forwards them to decides.
                if (_schemas.ValidateRequest(call.Action, call.Payload).Violation is { } violation
                    && !(_options.PassUnknownActions && violation.ErrorCode == RpcErrorCode.NotImplemented && !_schemas.HasAction(call.Action)))
                {
                    Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.Call, call.MessageId, call.Action, violation.ErrorCode, violation.Description);
                    RpcConnectionLog.CallRefused(_logger, ChargerId, call.Action, call.MessageId, violation.Pointer, violation.Keyword, violation.ErrorCode);
                    RpcConnectionLog.CallRefusedDetail(_logger, ChargerId, call.Action, call.MessageId, violation.Description);
                    await _inbound.Writer.WriteAsync(InboundWork.Refusal(call.MessageId, call.Action, violation.ErrorCode, violation.Description), cancellationToken);
                    call.Dispose();
                    return;
                }

                Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.Call, call.MessageId, call.Action, null, null);
                await _inbound.Writer.WriteAsync(InboundWork.Handle(call), cancellationToken);
                return;

            case RpcCallResultFrame result:
                using (result)
                {
                    PendingCall? answered = TakePending(result.MessageId);
                    var invalid = answered?.CompleteWithResult(result.Payload, _schemas);
                    string? problem = invalid?.Problem;
                    Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.CallResult, result.MessageId, answered?.Action, invalid?.ErrorCode,
                        answered is null ? "Answers no outstanding CALL of ours." : problem);
                    if (answered is null)
                    {
                        RpcConnectionLog.UnmatchedAnswer(_logger, ChargerId, result.MessageId);
                    }
                    else if (problem is not null)
                    {
                        RpcConnectionLog.InvalidAnswer(_logger, ChargerId, answered.Action, result.MessageId);
                        RpcConnectionLog.InvalidAnswerDetail(_logger, ChargerId, answered.Action, result.MessageId, problem);
                        await RefuseAnswerAsync(result.MessageId, invalid!.Value.ErrorCode, problem);
                    }
                }

                return;

            case RpcCallErrorFrame { MessageType: RpcMessageType.CallResultError } refusal:
                using (refusal)
                {
                    // The peer found one of our CALLRESULTs invalid (2.1): nothing to answer, and no call of ours ends.
                    Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.CallResultError, refusal.MessageId, null, null,
                        $"The charger refused our answer to its message {refusal.MessageId}: {refusal.ErrorCode} {refusal.Description}".TrimEnd());
                    RpcConnectionLog.OurAnswerRefused(_logger, ChargerId, refusal.MessageId, refusal.ErrorCode, refusal.Description);
                }

                return;

            case RpcCallErrorFrame error:
                using (error)
                {
                    PendingCall? answered = TakePending(error.MessageId);
                    answered?.CompleteWithError(error);
                    Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.CallError, error.MessageId, answered?.Action, null,
                        answered is null ? "Answers no outstanding CALL of ours." : null);
                    if (answered is null)
                    {
                        RpcConnectionLog.UnmatchedAnswer(_logger, ChargerId, error.MessageId);
                    }
                    else
                    {
                        RpcConnectionLog.CallRejected(_logger, ChargerId, answered.Action, error.MessageId, error.ErrorCode);
                    }
                }

                return;
        }
    }

    private async ValueTask OnFaultAsync(RpcFrameFault fault, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        if (fault.ReplyMessageId is { } replyId)
        {
            Observe(RpcFrameDirection.Inbound, raw, false, fault.MessageType, fault.MessageId, null, fault.ErrorCode, fault.Description);
            RpcConnectionLog.FrameRefused(_logger, ChargerId, fault.Description, fault.ErrorCode, replyId);
            await _inbound.Writer.WriteAsync(InboundWork.Refusal(replyId, null, fault.ErrorCode, fault.Description), cancellationToken);
            return;
        }

        // A malformed CALLRESULT, CALLERROR, CALLRESULTERROR or SEND gets no CALLERROR; if it was meant
        // for our CALL, that CALL failed.
        PendingCall? answered = fault.MessageId is { } id && fault.MessageType is RpcMessageType.CallResult or RpcMessageType.CallError ? TakePending(id) : null;
        answered?.Fail(RpcCallStatus.InvalidResponse, fault.Description);
        Observe(RpcFrameDirection.Inbound, raw, false, fault.MessageType, fault.MessageId, answered?.Action, null, fault.Description);
        RpcConnectionLog.MalformedAnswer(_logger, ChargerId, fault.MessageType, fault.MessageId, fault.Description);
        if (answered is not null && fault.MessageType == RpcMessageType.CallResult)
        {
            await RefuseAnswerAsync(answered.MessageId, RpcErrorCode.FormatViolation, fault.Description);
        }
    }

    /// <summary>
    /// A 2.1 SEND: checked against its schema and kept in the message log, never answered (OCPP-J 2.1
    /// §4.2.4). ParkCharge opens no periodic event streams, so nothing else reads it.
    /// </summary>
    private void OnSend(RpcCallFrame send, ReadOnlyMemory<byte> raw)
    {
        string? problem = _schemas.ValidateSend(send.Action, send.Payload).Violation?.Description;
        Observe(RpcFrameDirection.Inbound, raw, false, RpcMessageType.Send, send.MessageId, send.Action, null, problem);
        if (problem is not null)
        {
            RpcConnectionLog.SendRefused(_logger, ChargerId, send.Action, send.MessageId, problem);
        }
    }

    /// <summary>
    /// OCPP 2.1 answers a CALLRESULT it finds invalid with a CALLRESULTERROR (2.1 Part 2 FR.06), so the
    /// peer learns that its answer did not count; 1.6 and 2.0.1 have no such message and stay silent.
    /// </summary>
    private async ValueTask RefuseAnswerAsync(string messageId, RpcErrorCode errorCode, string description)
    {
        if (Version != OcppVersion.Ocpp21)
        {
            return;
        }

        await _sendLock.WaitAsync(CancellationToken.None);
        try
        {
            if (!IsClosed)
            {
                await SendLockedAsync(_writer.CallResultError(messageId, errorCode, description), RpcMessageType.CallResultError, messageId, null);
            }
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task OnPeerClosedAsync()
    {
        RpcConnectionLog.Closed(_logger, ChargerId, _socket.CloseStatus, _socket.CloseStatusDescription);
        if (_socket.State == WebSocketState.CloseReceived)
        {
            // The peer started the handshake: echo its close frame to complete it (RFC 6455 §5.5.1).
            await _sendLock.WaitAsync();
            try
            {
                await SendCloseLockedAsync(_socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, _socket.CloseStatusDescription ?? "");
            }
            finally
            {
                _sendLock.Release();
            }
        }
    }

    private async Task RefuseOversizedAsync(PooledByteBuffer buffer)
    {
        const string problem = "The message exceeds the maximum size; the connection is closed with 1009.";
        Observe(RpcFrameDirection.Inbound, buffer.WrittenMemory, false, null, null, null, null, problem);
        RpcConnectionLog.MessageTooBig(_logger, ChargerId, _options.MaxMessageBytes);
        await CloseAsync(WebSocketCloseStatus.MessageTooBig, "Message too big");

        // Discard the rest of the message until the peer's close frame (or the close timer aborts the socket).
        while (_socket.State == WebSocketState.CloseSent)
        {
            buffer.Reset();
            ValueWebSocketReceiveResult received = await _socket.ReceiveAsync(buffer.GetMemory(ReceiveChunk), CancellationToken.None);
            if (received.MessageType == WebSocketMessageType.Close)
            {
                return;
            }
        }
    }

    private async Task SendCloseLockedAsync(WebSocketCloseStatus closeStatus, string description)
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            await _socket.CloseOutputAsync(closeStatus, description, CancellationToken.None);
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException)
        {
            RpcConnectionLog.Lost(_logger, ChargerId, exception);
            return;
        }

        if (_socket.State == WebSocketState.CloseSent)
        {
            // A peer that never answers our close frame must not keep the receive loop forever.
            _closeTimer ??= _time.CreateTimer(static state => ((WebSocket)state!).Abort(), _socket, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task DispatchAsync()
    {
        await foreach (InboundWork work in _inbound.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                if (IsClosed)
                {
                    continue; // draining: the socket is gone, there is no one to answer
                }

                if (work.Call is { } call)
                {
                    await HandleCallAsync(call);
                }
                else
                {
                    await SendReplyAsync(work.ReplyMessageId, work.Action, RpcReply.Error(work.ErrorCode, work.Description));
                }
            }
            catch (Exception exception)
            {
                // Handler and serialization failures are answered above; anything reaching here is our
                // own bug. Log it and keep answering: a dead dispatcher would silently stop all replies.
                RpcConnectionLog.DispatchFailed(_logger, ChargerId, work.Action, work.ReplyMessageId, exception);
            }
            finally
            {
                work.Call?.Dispose();
            }
        }
    }

    private async Task HandleCallAsync(RpcCallFrame call)
    {
        RpcReply reply;
        try
        {
            reply = await _handler.HandleAsync(new RpcInboundCall(call, Version), _lifetime.Token);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            return;
        }
        catch (RpcPayloadException exception)
        {
            RpcConnectionLog.PayloadDoesNotFit(_logger, ChargerId, call.Action, call.MessageId, exception);
            reply = RpcReply.Error(RpcErrorCode.PropertyConstraintViolation, exception.Message);
        }
        catch (RpcCallRefusedException refused)
        {
            RpcConnectionLog.CallRefused(_logger, ChargerId, call.Action, call.MessageId, refused.ErrorCode, refused.Message);
            reply = RpcReply.Error(refused.ErrorCode, refused.Message);
        }
        catch (Exception exception)
        {
            // A handler's bug costs one InternalError CALLERROR, not the connection.
            RpcConnectionLog.HandlerFailed(_logger, ChargerId, call.Action, call.MessageId, exception);
            reply = InternalErrorReply;
        }

        if (_options.ValidateOwnResponses && !reply.IsError)
        {
            reply = CheckOwnResponse(call, reply);
        }

        if (await SendReplyAsync(call.MessageId, call.Action, reply) is RpcReply.FollowedReply followed)
        {
            _ = FollowUpAsync(call.Action, call.MessageId, followed.AfterSent);
        }
    }

    /// <summary>Work that follows an answer (see <see cref="RpcReply.Then"/>); its failure is logged, never the connection's.</summary>
    private async Task FollowUpAsync(string action, string messageId, Func<RpcConnection, CancellationToken, Task> afterSent)
    {
        try
        {
            await Task.Yield();
            await afterSent(this, _lifetime.Token);
        }
        catch (OperationCanceledException) when (_lifetime.IsCancellationRequested)
        {
            // The connection ended first.
        }
        catch (Exception exception)
        {
            RpcConnectionLog.FollowUpFailed(_logger, ChargerId, action, messageId, exception);
        }
    }

    /// <summary>Our response, if it passes the response schema; otherwise, as for any bug of ours, InternalError.</summary>
    private RpcReply CheckOwnResponse(RpcCallFrame call, RpcReply reply)
    {
        try
        {
            using JsonDocument? payload = reply.SerializePayload();
            if (payload is not null && _schemas.ValidateResponse(call.Action, payload.RootElement).Violation is { } violation)
            {
                RpcConnectionLog.InvalidOwnResponse(_logger, ChargerId, call.Action, call.MessageId, violation.Pointer, violation.Keyword);
                return InternalErrorReply;
            }

            return reply;
        }
        catch (Exception exception)
        {
            RpcConnectionLog.ResponseNotSerializable(_logger, ChargerId, call.Action, call.MessageId, exception);
            return InternalErrorReply;
        }
    }

    /// <summary>Null when our request fits the schema of the version spoken; otherwise what is wrong with it.</summary>
    private string? CheckOwnRequest<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request)
    {
        using JsonDocument payload = JsonSerializer.SerializeToDocument(request, action.Request);
        if (_schemas.ValidateRequest(action.Name, payload.RootElement).Violation is not { } violation)
        {
            return null;
        }

        RpcConnectionLog.InvalidOwnRequest(_logger, ChargerId, action.Name, Version.Label(), violation.Pointer, violation.Keyword);
        return $"the {action.Name} request does not fit OCPP {Version.Label()}: {violation.Description}";
    }

    private async ValueTask<bool> SendCallAsync<TRequest>(string messageId, string action, TRequest request, JsonTypeInfo<TRequest> requestType)
    {
        await _sendLock.WaitAsync(CancellationToken.None);
        try
        {
            return !IsClosed && await SendLockedAsync(_writer.Call(messageId, action, request, requestType), RpcMessageType.Call, messageId, action);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Sends the answer; returns the reply that went out (it may have become an InternalError), or null when nothing did.</summary>
    private async ValueTask<RpcReply?> SendReplyAsync(string messageId, string? action, RpcReply reply)
    {
        await _sendLock.WaitAsync(CancellationToken.None);
        try
        {
            if (IsClosed)
            {
                return null;
            }

            ReadOnlyMemory<byte> frame;
            try
            {
                frame = reply.Write(_writer, messageId);
            }
            catch (Exception exception)
            {
                // A response the serializer refuses (a null in a required member, say) must not stop
                // the dispatcher: it is a bug like any other in a handler.
                RpcConnectionLog.ResponseNotSerializable(_logger, ChargerId, action ?? "?", messageId, exception);
                reply = InternalErrorReply;
                frame = reply.Write(_writer, messageId);
            }

            RpcMessageType type = reply.IsError ? RpcMessageType.CallError : RpcMessageType.CallResult;
            return await SendLockedAsync(frame, type, messageId, action) ? reply : null;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Shows the frame to the observer, then sends it. The caller holds the send lock.</summary>
    private async ValueTask<bool> SendLockedAsync(ReadOnlyMemory<byte> frame, RpcMessageType type, string messageId, string? action)
    {
        // Observed before sending, so the log never shows an answer before the CALL it answers.
        Observe(RpcFrameDirection.Outbound, frame, false, type, messageId, action, null, null);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _lifetime.Token);
            return true;
        }
        catch (Exception exception) when (exception is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The socket is closing or gone; the receive loop will notice and shut down.
            return false;
        }
        finally
        {
            // The frame was written into the writer's buffer: give it back now rather than keep it until the next send.
            _writer.Release();
        }
    }

    private PendingCall? TakePending(string messageId)
    {
        PendingCall? pending = Volatile.Read(ref _pending);
        return pending is not null && string.Equals(pending.MessageId, messageId, StringComparison.Ordinal)
            && Interlocked.CompareExchange(ref _pending, null, pending) == pending
            ? pending
            : null;
    }

    private void Shutdown()
    {
        if (Interlocked.Exchange(ref _state, Closed) == Closed)
        {
            return;
        }

        _inbound.Writer.TryComplete();
        Interlocked.Exchange(ref _pending, null)?.Fail(RpcCallStatus.Disconnected);
        _lifetime.Cancel();
    }

    private void Observe(RpcFrameDirection direction, ReadOnlyMemory<byte> utf8, bool isBinary, RpcMessageType? type, string? messageId,
        string? action, RpcErrorCode? errorReturned, string? problem)
    {
        if (_observer is null)
        {
            return;
        }

        try
        {
            _observer.OnFrame(new RpcFrameRecord(direction, _time.GetUtcNow(), utf8, isBinary, type, messageId, action, errorReturned, problem));
        }
        catch (Exception exception)
        {
            // The message log must never take the connection down.
            RpcConnectionLog.ObserverFailed(_logger, ChargerId, exception);
        }
    }

    /// <summary>A CALL for the handler, or a ready refusal; queued in arrival order so that answers keep that order.</summary>
    private readonly record struct InboundWork(RpcCallFrame? Call, string ReplyMessageId, string? Action, RpcErrorCode ErrorCode, string Description)
    {
        public static InboundWork Handle(RpcCallFrame call) => new(call, call.MessageId, call.Action, default, "");

        public static InboundWork Refusal(string replyMessageId, string? action, RpcErrorCode errorCode, string description) =>
            new(null, replyMessageId, action, errorCode, description);
    }
}
