using System.Net;
using System.Net.Sockets;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// A TCP forwarder on loopback between a node and its PostgreSQL server, which a test can cut (every
/// connection dropped, new ones refused, as when the database host goes away) and restore on the same
/// port. The outage is real for the node: its driver sees broken and refused connections.
/// </summary>
internal sealed class CuttableProxy : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    private CuttableProxy(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    public static async Task<CuttableProxy> StartAsync(string host, int port)
    {
        var addresses = await Dns.GetHostAddressesAsync(host);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var proxy = new CuttableProxy(new IPEndPoint(addresses.First(a => a.AddressFamily == AddressFamily.InterNetwork), port), ((IPEndPoint)listener.LocalEndpoint).Port);
        proxy.Listen(listener);
        return proxy;
    }

    /// <summary>Drops every connection and refuses new ones.</summary>
    public async Task CutAsync()
    {
        TcpListener? listener;
        lock (_lock)
        {
            listener = _listener;
            _listener = null;
            foreach (var client in _open)
            {
                if (client.Client is { } socket)
                {
                    socket.LingerState = new LingerOption(true, 0); // RST, as a vanished host would
                }

                client.Dispose();
            }

            _open.Clear();
        }

        listener?.Stop();
        await _accepting;
    }

    /// <summary>Accepts connections again on the same port.</summary>
    public void Restore()
    {
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Start();
        Listen(listener);
    }

    public async ValueTask DisposeAsync() => await CutAsync();

    private void Listen(TcpListener listener)
    {
        lock (_lock)
        {
            _listener = listener;
        }

        _accepting = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient inbound;
                try
                {
                    inbound = await listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                _ = ForwardAsync(inbound);
            }
        });
    }

    private async Task ForwardAsync(TcpClient inbound)
    {
        var outbound = new TcpClient();
        try
        {
            await outbound.ConnectAsync(_target);
            lock (_lock)
            {
                if (_listener is null)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    return;
                }

                _open.Add(inbound);
                _open.Add(outbound);
            }

            using var stop = new CancellationTokenSource();
            var up = inbound.GetStream().CopyToAsync(outbound.GetStream(), stop.Token);
            var down = outbound.GetStream().CopyToAsync(inbound.GetStream(), stop.Token);
            await Task.WhenAny(up, down);
            await stop.CancelAsync();
        }
        catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Cut, or one side closed.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
