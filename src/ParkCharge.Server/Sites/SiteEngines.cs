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
/// </summary>
public sealed class SiteEngines(
    Store store,
    TimeProvider time,
    ILoggerFactory loggers,
    Commands.CommandSignals signals,
    IOptions<ParkChargeOptions> options,
    Telemetry.NodeMetrics? metrics = null,
    Telemetry.TraceOrigins? origins = null) : IHostedLifecycleService, IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiteId, Lazy<SiteEngineHost>> _hosts = new();
    private readonly ILogger _logger = loggers.CreateLogger<SiteEngineHost>();

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
        _hosts.TryGetValue(site, out var host) && host.IsValueCreated ? host.Value.ReloadAsync() : Task.CompletedTask;

    /// <summary>Decides on the observation at its site; completes with the reply once it is durable.</summary>
    public Task<Reply> SubmitAsync(Observation observation) => For(observation.Site).SubmitAsync(observation);

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
