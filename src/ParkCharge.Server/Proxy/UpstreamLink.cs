using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Ocpp;

namespace ParkCharge.Server.Proxy;

/// <summary>How an upstream connection is doing, for the API and the dashboard.</summary>
public enum UpstreamConnectionState
{
    Connecting,
    Connected,

    /// <summary>Lost or refused; waiting before the next attempt (back-off).</summary>
    Waiting,

    Closed,
}

/// <summary>
/// One outbound OCPP-J connection from ParkCharge, acting as the charger, to one of its upstream backends:
/// the charger's identity and OCPP version, Basic auth or a client certificate, reconnecting with back-off
/// (1 s doubling to a minute, on the node's <see cref="TimeProvider"/>) until the charger itself goes away.
/// Every frame is kept in the charger's message log under the connection id <c>upstream:NAME</c>.
/// </summary>
internal sealed class UpstreamLink : IAsyncDisposable
{
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1), LastRetry = TimeSpan.FromMinutes(1);

    private const int MaxCopiesWaiting = 1_000;

    private readonly ProxyServices _services;
    private readonly ChargerId _charger;
    private readonly OcppVersion _version;
    private readonly IRpcCallHandler _backendCalls;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<(string Action, JsonElement Payload)> _copies =
        Channel.CreateBounded<(string, JsonElement)>(new BoundedChannelOptions(MaxCopiesWaiting) { SingleReader = true, FullMode = BoundedChannelFullMode.DropWrite });
    private TaskCompletionSource<RpcConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _run = Task.CompletedTask;
    private Task _copying = Task.CompletedTask;
    private Task _replaying = Task.CompletedTask;
    private long _droppedCopies;
    private long _backlog;
    private long _replayed;
    private long _queued;
    private TaskCompletionSource _queuedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public UpstreamLink(ProxyServices services, ChargerId charger, OcppVersion version, ChargerUpstream upstream, IRpcCallHandler backendCalls)
    {
        _services = services;
        _charger = charger;
        _version = version;
        Upstream = upstream;
        _backendCalls = backendCalls;
    }

    public ChargerUpstream Upstream { get; }

    public UpstreamConnectionState State { get; private set; } = UpstreamConnectionState.Connecting;

    public DateTimeOffset? ConnectedSince { get; private set; }

    public string? LastError { get; private set; }

    public DateTimeOffset? LastErrorAt { get; private set; }

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long DroppedCopies => Interlocked.Read(ref _droppedCopies);

    /// <summary>
    /// Charger messages waiting for this upstream: for a primary, the durable queue of what ParkCharge answered
    /// while it was away; for an observer, the copies waiting for it to come back.
    /// </summary>
    public long QueueLength => Upstream.Role == UpstreamRole.Primary ? Interlocked.Read(ref _backlog) : _copies.Reader.Count;

    /// <summary>A primary's messages that wait in the queue: later ones must queue behind them, so that the backend gets all in order.</summary>
    public bool HasBacklog => Interlocked.Read(ref _backlog) > 0;

    /// <summary>Messages queued while the backend was away, since the charger connected.</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Queued messages delivered to the backend since the charger connected.</summary>
    public long Replayed => Interlocked.Read(ref _replayed);

    /// <summary>A primary's 1.6 transaction ids mapped both ways (ParkCharge's while the backend was away, the backend's).</summary>
    public TransactionIdMap TransactionIds { get; } = new();

    private long _forwarded;

    /// <summary>The connection id the upstream's frames are logged under in the charger's message log.</summary>
    public string ConnectionId => $"upstream:{Upstream.Name}";

    /// <summary>Opens the connection; a primary first reads what its durable queue still holds from before (a restart, an earlier connection).</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        if (Upstream.Role == UpstreamRole.Primary)
        {
            Interlocked.Exchange(ref _backlog, await _services.Store.UpstreamQueue.CountAsync(_charger.Value, Upstream.Name, ct));
            foreach (var (local, backend) in await _services.Store.UpstreamQueue.TransactionIdsAsync(_charger.Value, Upstream.Name, ct))
            {
                TransactionIds.Add(local, backend);
            }
        }

        _run = RunAsync(_stop.Token);
        if (Upstream.Role == UpstreamRole.Observer)
        {
            _copying = CopyLoopAsync(_stop.Token);
        }
        else
        {
            _replaying = ReplayLoopAsync(_stop.Token);
        }
    }

    /// <summary>
    /// A charger message ParkCharge answered itself, kept for the backend: durable when this completes (so the
    /// charger gets its answer only after), delivered in order once the backend is back.
    /// </summary>
    public async Task EnqueueAsync(string action, JsonElement payload, int? localTransactionId)
    {
        await _services.Store.UpstreamQueue.AppendAsync(_charger.Value, Upstream.Name, action, payload.GetRawText(), localTransactionId, _services.Time.GetUtcNow(), CancellationToken.None);
        Interlocked.Increment(ref _backlog);
        Interlocked.Increment(ref _queued);
        Interlocked.Exchange(ref _queuedSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>
    /// Delivers the durable queue to the backend whenever it is connected, oldest first, each message with its
    /// own payload (its own timestamps), 1.6 transaction ids mapped to the backend's as they become known. A
    /// message leaves the queue only once the backend answered it (a CALLERROR counts: it would refuse it again).
    /// </summary>
    private async Task ReplayLoopAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var signal = Volatile.Read(ref _queuedSignal).Task;
                if (!HasBacklog)
                {
                    await signal.WaitAsync(ct);
                    continue;
                }

                var rpc = await _connected.Task.WaitAsync(ct);
                var batch = await _services.Store.UpstreamQueue.PeekAsync(_charger.Value, Upstream.Name, 100, ct);
                if (batch.Count == 0)
                {
                    Interlocked.Exchange(ref _backlog, 0);
                    continue;
                }

                var delivered = 0;
                var failure = RpcCallStatus.Completed;
                foreach (var message in batch)
                {
                    using var document = JsonDocument.Parse(message.Payload);
                    var outcome = await rpc.ForwardAsync(message.Action, TransactionIds.ToBackend(document.RootElement), Upstream.Timeout, checkAnswer: true, cancellationToken: ct);
                    if (outcome.Status is not (RpcCallStatus.Completed or RpcCallStatus.Rejected or RpcCallStatus.InvalidResponse))
                    {
                        Failed($"replaying {message.Action}: {outcome.Status}");
                        failure = outcome.Status;
                        break;
                    }

                    int? backendTransaction = outcome.IsCompleted && message.LocalTransactionId is not null
                        && outcome.Response.TryGetProperty("transactionId", out var issued) && issued.TryGetInt32(out var id) ? id : null;
                    await _services.Store.UpstreamQueue.DeliveredAsync(message, backendTransaction, _services.Time.GetUtcNow(), CancellationToken.None);
                    if (backendTransaction is { } backend)
                    {
                        TransactionIds.Add(message.LocalTransactionId!.Value, backend);
                    }

                    Interlocked.Decrement(ref _backlog);
                    Interlocked.Increment(ref _replayed);
                    delivered++;
                }

                if (delivered > 0)
                {
                    ProxyLog.Replayed(_services.Logger, _charger.Value, Upstream.Name, delivered);
                }

                if (failure == RpcCallStatus.TimedOut)
                {
                    // The backend is slow, not gone: its connection is up, so the message goes again on it (a late
                    // answer to the first try is ignored). Waiting for the next connection here stalled the whole
                    // queue for as long as the connection stayed up.
                    await Task.Delay(FirstRetry, _services.Time, ct);
                }
                else if (delivered < batch.Count)
                {
                    // The connection that failed us is gone or going; wait for the next one.
                    await WaitForNextConnectionAsync(rpc, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The charger went away; what is left stays queued for its next connection.
        }
    }

    private async Task WaitForNextConnectionAsync(RpcConnection failed, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var next = await _connected.Task.WaitAsync(ct);
            if (!ReferenceEquals(next, failed))
            {
                return;
            }

            await Task.Delay(FirstRetry, _services.Time, ct);
        }
    }

    /// <summary>
    /// Sends one of the charger's CALLs to this backend and returns its answer as it came, waiting at most the
    /// upstream's timeout in all (for the connection to come up, then for the answer). TimedOut or Disconnected
    /// when the backend could not answer in that time.
    /// </summary>
    public async Task<RpcCallOutcome<JsonElement>> ForwardAsync(string action, JsonElement payload, CancellationToken ct)
    {
        var started = _services.Time.GetTimestamp();
        RpcConnection rpc;
        try
        {
            rpc = await _connected.Task.WaitAsync(Upstream.Timeout, _services.Time, ct);
        }
        catch (TimeoutException)
        {
            return RpcCallOutcome<JsonElement>.Disconnected;
        }

        var left = Upstream.Timeout - _services.Time.GetElapsedTime(started);
        var outcome = await rpc.ForwardAsync(action, payload, left > TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100), checkAnswer: true, cancellationToken: ct);
        if (outcome.Status is RpcCallStatus.Completed or RpcCallStatus.Rejected)
        {
            Interlocked.Increment(ref _forwarded);
        }
        else
        {
            Failed(outcome.Status == RpcCallStatus.InvalidResponse ? $"{action} got an invalid answer ({outcome.Problem})" : $"{action} got no answer ({outcome.Status})");
        }

        return outcome;
    }

    /// <summary>An observer's copy of a charger message: sent in order when connected; its answer is only logged.</summary>
    public void Copy(string action, JsonElement payload)
    {
        if (!_copies.Writer.TryWrite((action, payload.Clone())))
        {
            var dropped = Interlocked.Increment(ref _droppedCopies);
            if (dropped == 1 || dropped % 100 == 0)
            {
                ProxyLog.CopiesDropped(_services.Logger, _charger.Value, Upstream.Name, dropped);
            }
        }
    }

    private async Task CopyLoopAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var (action, payload) in _copies.Reader.ReadAllAsync(ct))
            {
                while (true)
                {
                    var rpc = await _connected.Task.WaitAsync(ct);
                    var outcome = await rpc.ForwardAsync(action, payload, Upstream.Timeout, checkAnswer: true, cancellationToken: ct);
                    if (outcome.Status != RpcCallStatus.Disconnected)
                    {
                        Interlocked.Increment(ref _forwarded);
                        break; // answered, refused or timed out: an observer's answer changes nothing
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The charger went away.
        }
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var delay = FirstRetry;
        UpstreamTls? tls = null;
        try
        {
            tls = UpstreamTls.Load(Upstream);
        }
        catch (InvalidOperationException e)
        {
            ProxyLog.Misconfigured(_services.Logger, _charger.Value, Upstream.Name, e.Message);
            Failed(e.Message);
            State = UpstreamConnectionState.Closed;
            return;
        }

        using (tls)
        {
            while (!ct.IsCancellationRequested)
            {
                State = UpstreamConnectionState.Connecting;
                var connectedOnce = false;
                try
                {
                    using var socket = new ClientWebSocket();
                    Configure(socket, tls);
                    using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
                    {
                        connectTimeout.CancelAfter(Upstream.Timeout);
                        await socket.ConnectAsync(Upstream.Endpoint, connectTimeout.Token);
                    }

                    if (socket.SubProtocol != OcppSubprotocol.NameOf(_version))
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.ProtocolError, "OCPP version not accepted", CancellationToken.None);
                        throw new WebSocketException($"the backend did not accept {OcppSubprotocol.NameOf(_version)} (it chose '{socket.SubProtocol ?? "none"}')");
                    }

                    var recorder = new MessageLogRecorder(_services.Store.Writer, _charger, ConnectionId, _version, touchesCharger: false);
                    await using var rpc = new RpcConnection(socket, _backendCalls, new RpcConnectionOptions
                    {
                        Version = _version,
                        // Logs name the backend's side as the message log does, so a backend's bad frame is not read as the charger's.
                        ChargerId = $"{_charger.Value} {ConnectionId}",
                        CallTimeout = Upstream.Timeout,
                        MaxMessageBytes = _services.Options.Ocpp.MaxMessageBytes,
                        PassUnknownActions = true,
                    }, _services.Time, _services.RpcLogger, recorder);
                    connectedOnce = true;
                    ConnectedSince = _services.Time.GetUtcNow();
                    State = UpstreamConnectionState.Connected;
                    delay = FirstRetry;
                    ProxyLog.Connected(_services.Logger, _charger.Value, Upstream.Name, Upstream.Endpoint, Upstream.Role);
                    var running = rpc.RunAsync(ct);
                    _connected.TrySetResult(rpc);
                    await running;
                    Failed(socket.CloseStatus is { } status ? $"closed by the backend ({(int)status} {socket.CloseStatusDescription})".TrimEnd() : "connection lost");
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or HttpRequestException or System.Security.Authentication.AuthenticationException)
                {
                    Failed(Describe(e));
                }
                finally
                {
                    ConnectedSince = null;
                    if (connectedOnce)
                    {
                        _connected = new TaskCompletionSource<RpcConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }

                if (ct.IsCancellationRequested)
                {
                    break;
                }

                State = UpstreamConnectionState.Waiting;
                ProxyLog.Unreachable(_services.Logger, _charger.Value, Upstream.Name, LastError ?? "?", delay);
                try
                {
                    await Task.Delay(delay, _services.Time, ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = delay * 2 > LastRetry ? LastRetry : delay * 2;
            }
        }

        State = UpstreamConnectionState.Closed;
    }

    private void Configure(ClientWebSocket socket, UpstreamTls tls)
    {
        socket.Options.AddSubProtocol(OcppSubprotocol.NameOf(_version));
        socket.Options.KeepAliveInterval = _services.Options.Ocpp.PingInterval > TimeSpan.Zero ? _services.Options.Ocpp.PingInterval : TimeSpan.Zero;
        socket.Options.Proxy = null;
        if (Upstream.Password is { } password)
        {
            // OCPP security profiles 1 and 2: HTTP Basic auth, the identity as user name.
            socket.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Upstream.Identity}:{password}")));
        }

        if (tls.ClientCertificate is { } certificate)
        {
            socket.Options.ClientCertificates = [certificate];
        }

        if (tls.Roots is not null)
        {
            socket.Options.RemoteCertificateValidationCallback = tls.Validate;
        }
    }

    private void Failed(string error)
    {
        LastError = error;
        LastErrorAt = _services.Time.GetUtcNow();
    }

    /// <summary>What went wrong, without anything secret (the exception messages name the url at most; ours is credential-free).</summary>
    private static string Describe(Exception e) => e switch
    {
        WebSocketException { InnerException: HttpRequestException inner } => inner.Message,
        WebSocketException w when w.Message.Contains("'401'", StringComparison.Ordinal) => "the backend refused the credentials (HTTP 401)",
        OperationCanceledException => "no connection within the timeout",
        _ => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message,
    };

    public async ValueTask DisposeAsync()
    {
        _copies.Writer.TryComplete();
        if (_connected.Task.IsCompletedSuccessfully)
        {
            // The backend sees the charger go as it would without ParkCharge: a closed connection.
            try
            {
                await _connected.Task.Result.CloseAsync(WebSocketCloseStatus.NormalClosure, "the charger disconnected");
            }
            catch (Exception e) when (e is WebSocketException or ObjectDisposedException or OperationCanceledException)
            {
                // Already gone.
            }
        }

        _stop.Cancel();

        try
        {
            await Task.WhenAll(_run, _copying, _replaying);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }
}
