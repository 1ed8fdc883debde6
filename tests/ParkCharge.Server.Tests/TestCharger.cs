using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Server.Tests;

/// <summary>
/// A charger for tests: a real WebSocket client speaking OCPP-J through the same RPC connection the
/// server uses (it is symmetric), answering the server's calls with a handler the test supplies.
/// </summary>
internal sealed class TestCharger : IAsyncDisposable
{
    private readonly Task _run;

    private TestCharger(ClientWebSocket socket, RpcConnection rpc)
    {
        Socket = socket;
        Rpc = rpc;
        _run = Task.Run(() => rpc.RunAsync(CancellationToken.None));
    }

    public ClientWebSocket Socket { get; }

    public RpcConnection Rpc { get; }

    /// <summary>Completes when the connection ends (the server closed it, or we did).</summary>
    public Task Closed => _run;

    public static async Task<TestCharger> ConnectAsync(
        Uri uri,
        OcppVersion version,
        string? password = null,
        IRpcCallHandler? handler = null,
        Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(OcppSubprotocol.NameOf(version));
        if (password is not null)
        {
            var id = Uri.UnescapeDataString(uri.Segments[^1]);
            socket.Options.SetRequestHeader("Authorization", new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{password}"))).ToString());
        }

        configure?.Invoke(socket.Options);
        await socket.ConnectAsync(uri, CancellationToken.None);
        var rpc = new RpcConnection(
            socket,
            handler ?? new RefuseEverything(),
            new RpcConnectionOptions { Version = version, ChargerId = uri.Segments[^1], CallTimeout = TimeSpan.FromSeconds(20) },
            TimeProvider.System,
            NullLogger.Instance);
        return new TestCharger(socket, rpc);
    }

    public async Task<TResponse> CallAsync<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TRequest request)
    {
        var outcome = await Rpc.CallAsync(action, request);
        Assert.True(outcome.IsCompleted, $"{action.Name} ended {outcome.Status}: {outcome.Rejection?.ErrorCode} {outcome.Rejection?.Description} {outcome.Problem}");
        return outcome.Response;
    }

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            try
            {
                await Rpc.CloseAsync(WebSocketCloseStatus.NormalClosure, "test done");
            }
            catch (WebSocketException)
            {
                // The server went away first.
            }
        }

        try
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
        {
            // The connection is over either way.
        }

        await Rpc.DisposeAsync();
        Socket.Dispose();
    }

    private sealed class RefuseEverything : IRpcCallHandler
    {
        public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RpcReply.Error(RpcErrorCode.NotSupported, "This test charger answers nothing."));
    }
}
