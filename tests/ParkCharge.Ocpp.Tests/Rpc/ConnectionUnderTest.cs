using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Rpc;

/// <summary>
/// An <see cref="RpcConnection"/> running on the server end of a loopback socket pair, with a
/// <see cref="RawPeer"/> on the other end, a fake clock, a recording observer and logger.
/// </summary>
internal sealed class ConnectionUnderTest : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private readonly LoopbackSockets _sockets;

    private ConnectionUnderTest(LoopbackSockets sockets, OcppVersion version, IRpcCallHandler handler, Func<RpcConnectionOptions, RpcConnectionOptions>? configure)
    {
        _sockets = sockets;
        Peer = new RawPeer(sockets.Client);
        RpcConnectionOptions options = new() { Version = version, ChargerId = "CP-TEST-1", ValidateOwnResponses = true };
        Options = configure?.Invoke(options) ?? options;
        Connection = new RpcConnection(sockets.Server, handler, Options, Time, Logger, Observer);
        Running = Connection.RunAsync(CancellationToken.None);
    }

    public RpcConnection Connection { get; }

    public RpcConnectionOptions Options { get; }

    public RawPeer Peer { get; }

    public FakeTimeProvider Time { get; } = new(Start);

    public RecordingObserver Observer { get; } = new();

    public RecordingLogger Logger { get; } = new();

    public Task Running { get; }

    public LoopbackSockets Sockets => _sockets;

    /// <summary>Answers Heartbeat in every version; anything else is NotSupported.</summary>
    public static IRpcCallHandler HeartbeatHandler { get; } = new CallHandler((call, _) =>
    {
        if (call.TryRead(V16Actions.Heartbeat, out V16.HeartbeatRequest? _))
        {
            return ValueTask.FromResult(RpcReply.Result(V16Actions.Heartbeat, new V16.HeartbeatResponse { CurrentTime = Start }));
        }

        if (call.TryRead(V201Actions.Heartbeat, out V201.HeartbeatRequest? _))
        {
            return ValueTask.FromResult(RpcReply.Result(V201Actions.Heartbeat, new V201.HeartbeatResponse { CurrentTime = Start }));
        }

        if (call.TryRead(V21.V21Actions.Heartbeat, out V21.HeartbeatRequest? _))
        {
            return ValueTask.FromResult(RpcReply.Result(V21.V21Actions.Heartbeat, new V21.HeartbeatResponse { CurrentTime = Start }));
        }

        return ValueTask.FromResult(RpcReply.Error(RpcErrorCode.NotSupported, $"{call.Action} is not supported by this test."));
    });

    public static async Task<ConnectionUnderTest> StartAsync(OcppVersion version, IRpcCallHandler? handler = null,
        Func<RpcConnectionOptions, RpcConnectionOptions>? configure = null)
    {
        LoopbackSockets sockets = await LoopbackSockets.ConnectAsync(OcppSubprotocol.NameOf(version));
        return new ConnectionUnderTest(sockets, version, handler ?? HeartbeatHandler, configure);
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await _sockets.DisposeAsync();
    }
}
