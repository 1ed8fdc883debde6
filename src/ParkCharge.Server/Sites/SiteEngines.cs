using System.Collections.Concurrent;

using Microsoft.Extensions.Options;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;

namespace ParkCharge.Server.Sites;

/// <summary>
/// The site engines of this node, each started on first use of its site. A hosted service: their loops
/// run while the node does, and when it stops, after the chargers' connections and the HTTP server have
/// closed (<see cref="StoppedAsync"/>), each engine finishes what it took in before the store closes.
/// In cluster mode (<paramref name="cluster"/>) observations, reads and reloads go to the site's grain,
/// wherever in the cluster it runs; this node runs only the engines of the grains activated on it.
/// </summary>
public sealed class SiteEngines(
    Store store,
    TimeProvider time,
    ILoggerFactory loggers,
    Commands.CommandSignals signals,
    IOptions<ParkChargeOptions> options,
    Telemetry.NodeMetrics? metrics = null,
    Telemetry.TraceOrigins? origins = null,
    Cluster.ClusterRouting? cluster = null) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiteId, Lazy<SiteEngineHost>> _hosts = new();
    private readonly ILogger _logger = loggers.CreateLogger<SiteEngineHost>();

    /// <summary>The engine of the site on this node, started on first use (in cluster mode, only its grain's activation uses it).</summary>
    public SiteEngineHost For(SiteId site) =>
        _hosts.GetOrAdd(site, s => new Lazy<SiteEngineHost>(() =>
        {
            var host = new SiteEngineHost(s, store, time, _logger, options.Value.Queues, signals.Notify, metrics, origins, options.Value.Snapshots);
            host.Start();
            return host;
        })).Value;

    /// <summary>The sites whose engines run on this node.</summary>
    public IReadOnlyList<SiteId> Sites => [.. _hosts.Where(h => h.Value.IsValueCreated).Select(h => h.Key)];

    /// <summary>Builds the state of the site's engine again from the store, if it runs on this node (its log was rewritten).</summary>
    public Task ReloadAsync(SiteId site) =>
        cluster is not null ? cluster.ReloadAsync(site)
        : _hosts.TryGetValue(site, out var host) && host.IsValueCreated ? host.Value.ReloadAsync() : Task.CompletedTask;

    /// <summary>Decides on the observation at its site; completes with the reply once it is durable.</summary>
    public Task<Reply> SubmitAsync(Observation observation) =>
        cluster is not null ? cluster.SubmitAsync(observation) : For(observation.Site).SubmitAsync(observation);

    /// <summary>
    /// Reads the site's state after everything submitted before is durable (<see cref="SiteEngineHost.ReadAsync"/>). In cluster
    /// mode on a node other than the engine's, the state is loaded from the store for the read.
    /// </summary>
    public Task<T> ReadAsync<T>(SiteId site, Func<SiteState, T> read) =>
        cluster is not null ? cluster.ReadAsync(site, read, this) : For(site).ReadAsync(read);

    /// <summary>Loads the site's state now rather than at its first observation (and arms its timers).</summary>
    public Task WarmUpAsync(SiteId site) => cluster is not null ? cluster.WarmUpAsync(site) : For(site).WarmUpAsync();

    /// <summary>The engine of the site on this node, if it runs here.</summary>
    internal SiteEngineHost? Running(SiteId site) => _hosts.TryGetValue(site, out var host) && host.IsValueCreated ? host.Value : null;

    /// <summary>Stops the site's engine on this node after what it took in is durable (its grain moves or the node stops).</summary>
    internal async Task RetireAsync(SiteId site)
    {
        if (_hosts.TryRemove(site, out var host) && host.IsValueCreated)
        {
            await host.Value.DisposeAsync();
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every other service stopped: nothing new arrives; what the engines took in is decided and stored.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            await host.Value.DisposeAsync();
        }
    }
}
