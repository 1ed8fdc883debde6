using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Server.Ocpp;

/// <summary>A charger's open connection on this node.</summary>
/// <param name="ClientCertificate">Security profile 3: the certificate the charger authenticated with (its expiry is watched).</param>
/// <param name="BaseUri">The node as the charger reached it (https://host:port/ for wss://): where it fetches the files the node serves it.</param>
public sealed record LiveConnection(ChargerId Charger, SiteId Site, string ConnectionId, OcppVersion Version, RpcConnection Rpc,
    X509Certificate2? ClientCertificate = null, Uri? BaseUri = null);

/// <summary>
/// The chargers connected to this node. A charger has at most one connection: a new one replaces
/// the old (a charger that reconnects after a network drop often does so before the server has
/// noticed the old socket is dead), and the old one is closed. A hosted service: when the node begins
/// to stop, before the HTTP server waits for its requests to end, every connection is closed, so that
/// the chargers reconnect elsewhere and their closes are recorded while the site engines still run.
/// </summary>
public sealed class ChargerConnections : IHostedLifecycleService
{
    private readonly ConcurrentDictionary<ChargerId, LiveConnection> _connections = new();

    public int Count => _connections.Count;

    public LiveConnection? Find(ChargerId charger) => _connections.GetValueOrDefault(charger);

    /// <summary>The connections open now.</summary>
    public IReadOnlyList<LiveConnection> All => [.. _connections.Values];

    /// <summary>Makes <paramref name="connection"/> the charger's connection and returns the one it replaced.</summary>
    public LiveConnection? Add(LiveConnection connection)
    {
        LiveConnection? replaced = null;
        _connections.AddOrUpdate(connection.Charger, connection, (_, old) =>
        {
            replaced = old;
            return connection;
        });
        return replaced;
    }

    /// <summary>Removes the connection if it is still the charger's current one.</summary>
    public void Remove(LiveConnection connection) =>
        _connections.TryRemove(new KeyValuePair<ChargerId, LiveConnection>(connection.Charger, connection));

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => CloseAllAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Closes every connection (the node is stopping); chargers reconnect to another node or later.</summary>
    public async Task CloseAllAsync(CancellationToken ct)
    {
        await Task.WhenAll(_connections.Values.Select(async c =>
        {
            try
            {
                await c.Rpc.CloseAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", ct);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Already gone: nothing to close.
            }
        }));
    }
}
