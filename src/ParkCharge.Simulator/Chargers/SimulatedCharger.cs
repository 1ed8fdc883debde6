using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

using Microsoft.Extensions.Logging;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Simulator.Running;
using ParkCharge.Simulator.Scenarios.Files;
using ParkCharge.Simulator.Sites;

using V16 = ParkCharge.Ocpp.V16;
using V2 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Simulator.Chargers;

/// <summary>
/// A charger speaking real OCPP 1.6J, 2.0.1 or 2.1 over a WebSocket: boots, reports its connectors,
/// sends heartbeats, runs charging sessions for the vehicles that plug in (meter values, SuspendedEV
/// when the battery is full, the stop when the driver unplugs), goes offline and comes back
/// (transaction messages queued meanwhile and delivered in order, 2.x events marked offline),
/// reports faults, and answers the server's calls (see <c>SimulatedCharger.Commands.cs</c>).
/// </summary>
/// <remarks>
/// Every message is stamped with simulated time; the RPC layer's own timeouts run on real time.
/// All CALLs leave through one outbox in order, so a queued StartTransaction is answered (and its
/// transaction id known) before the MeterValues and StopTransaction that need it.
/// </remarks>
public sealed partial class SimulatedCharger : IAsyncDisposable
{
    private readonly SiteCharger _site;
    private readonly Uri _ocppBase;
    private readonly TimeProvider _clock;
    private readonly Scenario _scenario;
    private readonly SimulationProgress _progress;
    private readonly ILogger _logger;
    private readonly Channel<Outbound> _outbox = Channel.CreateUnbounded<Outbound>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, Connector> _connectors;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changed = new(0);
    private TaskCompletionSource _online = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private RpcConnection? _rpc;
    private ClientWebSocket? _socket;
    private Task? _rpcRun;
    private bool _wantOnline = true;
    private bool _isOnline;
    private int _transactionCounter;

    public SimulatedCharger(SiteCharger site, IEnumerable<int> connectors, Uri ocppBase, TimeProvider clock, Scenario scenario, SimulationProgress progress, ILogger logger)
    {
        _site = site;
        _ocppBase = ocppBase;
        _clock = clock;
        _scenario = scenario;
        _progress = progress;
        _logger = logger;
        Version = scenario.VersionOf(site.Id);
        _connectors = connectors.Distinct().ToDictionary(c => c, c => new Connector(c, 100_000 + (c * 10_000)));
    }

    public string Id => _site.Id;

    public OcppVersion Version { get; }

    /// <summary>True while connected and booted.</summary>
    public bool IsOnline
    {
        get
        {
            lock (_gate)
            {
                return _isOnline;
            }
        }
    }

    /// <summary>Runs the charger until <paramref name="ct"/> ends: keeps it connected (unless told to be offline), sends its outbox, heartbeats.</summary>
    public Task RunAsync(CancellationToken ct) => Task.WhenAll(SuperviseAsync(ct), SendAsync(ct), HeartbeatAsync(ct));

    /// <summary>Drops the connection (as a lost mobile network would) until <see cref="ComeBackOnline"/>.</summary>
    public void GoOffline()
    {
        lock (_gate)
        {
            _wantOnline = false;
        }

        _changed.Release();
    }

    public void ComeBackOnline()
    {
        lock (_gate)
        {
            _wantOnline = true;
        }

        _changed.Release();
    }

    /// <summary>Waits until the outbox is empty (or <paramref name="timeout"/> passes, real time): every message so far sent.</summary>
    public async Task<bool> DrainAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (Volatile.Read(ref _unsent) == 0)
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        await CloseConnectionAsync();
        _changed.Dispose();
    }

    /// <summary>Messages in the outbox or being sent.</summary>
    private int _unsent;

    private async Task SuperviseAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            bool want;
            lock (_gate)
            {
                want = _wantOnline;
            }

            try
            {
                if (want && _rpc is null)
                {
                    if (!await TryConnectAsync(ct))
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), ct);
                    }

                    continue;
                }

                if (!want && _rpc is not null)
                {
                    await CloseConnectionAsync();
                    continue;
                }

                var run = _rpcRun ?? Task.Delay(Timeout.Infinite, ct);
                var changed = _changed.WaitAsync(ct);
                await Task.WhenAny(run, changed);
                if (run.IsCompleted && _rpc is not null)
                {
                    LogConnectionLost(_logger, Id);
                    await CloseConnectionAsync();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
        }

        await CloseConnectionAsync();
    }

    private async Task<bool> TryConnectAsync(CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(OcppSubprotocol.NameOf(Version));
        if (_site.Password is { } password)
        {
            socket.Options.SetRequestHeader("Authorization", new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Id}:{password}"))).ToString());
        }

        try
        {
            await socket.ConnectAsync(new Uri(_ocppBase, Uri.EscapeDataString(Id)), ct);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            socket.Dispose();
            _progress.Error($"charger {Id}: could not connect ({e.Message})");
            return false;
        }

        var rpc = new RpcConnection(
            socket,
            new CallHandler(this),
            new RpcConnectionOptions { Version = Version, ChargerId = Id, CallTimeout = TimeSpan.FromSeconds(30) },
            TimeProvider.System,
            _logger);
        _socket = socket;
        _rpc = rpc;
        _rpcRun = Task.Run(() => rpc.RunAsync(CancellationToken.None), CancellationToken.None);

        if (!await BootAsync(rpc, ct))
        {
            await CloseConnectionAsync();
            return false;
        }

        List<Outbound> statuses;
        lock (_gate)
        {
            _isOnline = true;
            _online.TrySetResult();
            statuses = _connectors.Values.Select(c => StatusMessage(c, c.Status, _clock.GetUtcNow(), c.ErrorCode)).ToList();
        }

        _progress.Connected();
        LogOnline(_logger, Id, Version);
        foreach (var status in statuses)
        {
            Enqueue(status);
        }

        return true;
    }

    private async Task<bool> BootAsync(RpcConnection rpc, CancellationToken ct)
    {
        RpcCallStatus status;
        bool accepted;
        if (Version == OcppVersion.Ocpp16)
        {
            var outcome = await rpc.CallAsync(V16.V16Actions.BootNotification, new V16.BootNotificationRequest
            {
                ChargePointVendor = "ParkCharge Simulator",
                ChargePointModel = "SIM-2x22",
                ChargePointSerialNumber = "SIM-" + Id,
                FirmwareVersion = "1.0.0",
            }, ct);
            status = outcome.Status;
            accepted = outcome.IsCompleted && outcome.Response.Status == V16.RegistrationStatus.Accepted;
        }
        else
        {
            var outcome = await rpc.CallAsync(V2.V21Actions.BootNotification, new V2.BootNotificationRequest
            {
                ChargingStation = new V2.ChargingStationType { VendorName = "ParkCharge Simulator", Model = "SIM-2x22", SerialNumber = "SIM-" + Id, FirmwareVersion = "1.0.0" },
                Reason = V2.BootReasonEnumType.PowerUp,
            }, ct);
            status = outcome.Status;
            accepted = outcome.IsCompleted && outcome.Response.Status == V2.RegistrationStatusEnumType.Accepted;
        }

        if (!accepted)
        {
            _progress.Error($"charger {Id}: BootNotification {(status == RpcCallStatus.Completed ? "not accepted (is the charger registered at the site?)" : status.ToString())}");
        }
        else
        {
            _progress.OcppAnswered(wasQueued: false);
        }

        return accepted;
    }

    private async Task CloseConnectionAsync()
    {
        RpcConnection? rpc;
        ClientWebSocket? socket;
        Task? run;
        bool wasOnline;
        lock (_gate)
        {
            (rpc, socket, run, wasOnline) = (_rpc, _socket, _rpcRun, _isOnline);
            _rpc = null;
            _socket = null;
            _rpcRun = null;
            _isOnline = false;
            if (_online.Task.IsCompleted)
            {
                _online = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        if (wasOnline)
        {
            _progress.Disconnected();
        }

        if (rpc is null)
        {
            return;
        }

        try
        {
            if (socket!.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await rpc.CloseAsync(WebSocketCloseStatus.NormalClosure, "simulated charger going offline", timeout.Token);
            }

            await run!.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException or IOException)
        {
            // The connection is over either way.
        }

        await rpc.DisposeAsync();
        socket!.Dispose();
    }

    /// <summary>The outbox: one CALL at a time, in order; transaction messages wait for the connection, others are dropped while offline.</summary>
    private async Task SendAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(ct))
            {
                try
                {
                    await SendOneAsync(message, ct);
                }
                finally
                {
                    Interlocked.Decrement(ref _unsent);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task SendOneAsync(Outbound message, CancellationToken ct)
    {
        var queued = false;
        while (true)
        {
            RpcConnection? rpc;
            Task online;
            lock (_gate)
            {
                rpc = _isOnline ? _rpc : null;
                online = _online.Task;
            }

            if (rpc is null)
            {
                if (!message.TransactionRelated)
                {
                    return; // a status or heartbeat is not kept while offline: the current state is sent on reconnect
                }

                queued = true;
                await online.WaitAsync(ct);
                continue;
            }

            var (status, problem) = await message.Send(rpc, ct);
            if (problem == Outbound.NothingToSend)
            {
                return;
            }

            switch (status)
            {
                case RpcCallStatus.Completed:
                    _progress.OcppAnswered(queued);
                    return;
                case RpcCallStatus.Rejected or RpcCallStatus.InvalidResponse:
                    _progress.Error($"charger {Id}: {message.Action} was refused: {problem}");
                    return;
                default:
                    if (!message.TransactionRelated)
                    {
                        return;
                    }

                    // Lost or timed out: OCPP says to send a transaction message again until it is answered.
                    queued = true;
                    _changed.Release();
                    await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
                    break;
            }
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_scenario.HeartbeatInterval, _clock, ct);
                if (IsOnline)
                {
                    Enqueue(Version == OcppVersion.Ocpp16
                        ? Outbound.Of(V16.V16Actions.Heartbeat, new V16.HeartbeatRequest(), transactionRelated: false)
                        : Outbound.Of(V2.V21Actions.Heartbeat, new V2.HeartbeatRequest(), transactionRelated: false));
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private void Enqueue(Outbound message)
    {
        if (!message.TransactionRelated && !IsOnline)
        {
            return;
        }

        Interlocked.Increment(ref _unsent);
        if (!_outbox.Writer.TryWrite(message))
        {
            Interlocked.Decrement(ref _unsent);
        }
    }

    private bool IsOfflineNow() => !IsOnline;

    private string NewTransactionId() =>
        $"{Id}-{Interlocked.Increment(ref _transactionCounter).ToString("D4", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated charger {Charger} is offline and {IdTag} is not on its local list: no transaction at connector {Connector}")]
    private static partial void LogNotOnLocalList(ILogger logger, string charger, string idTag, int connector);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated charger {Charger} is online ({Version})")]
    private static partial void LogOnline(ILogger logger, string charger, OcppVersion version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulated charger {Charger} lost its connection; reconnecting")]
    private static partial void LogConnectionLost(ILogger logger, string charger);

    /// <summary>One CALL waiting in the outbox; <see cref="Send"/> reads what it needs (a transaction id) only when it leaves.</summary>
    private sealed record Outbound(string Action, bool TransactionRelated, Func<RpcConnection, CancellationToken, Task<(RpcCallStatus, string?)>> Send)
    {
        public const string NothingToSend = "(nothing to send)";

        public static Outbound Of<TRequest, TResponse>(Ocpp.Messages.OcppAction<TRequest, TResponse> action, TRequest request, bool transactionRelated, Action<TResponse>? answered = null) =>
            Deferred(action, () => request, transactionRelated, answered);

        /// <summary>A CALL whose request is made when it leaves; a null request means there is nothing to send any more.</summary>
        public static Outbound Deferred<TRequest, TResponse>(Ocpp.Messages.OcppAction<TRequest, TResponse> action, Func<TRequest?> request, bool transactionRelated, Action<TResponse>? answered = null) =>
            new(action.Name, transactionRelated, async (rpc, ct) =>
            {
                if (request() is not { } payload)
                {
                    return (RpcCallStatus.Completed, NothingToSend);
                }

                var outcome = await rpc.CallAsync(action, payload, ct);
                if (outcome.IsCompleted)
                {
                    answered?.Invoke(outcome.Response);
                }

                return (outcome.Status, outcome.Rejection is { } r ? $"{r.ErrorCode} {r.Description}" : outcome.Problem);
            });
    }
}
