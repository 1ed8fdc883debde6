using System.Collections.Concurrent;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Sites;

/// <summary>The site engines of this node, started on first use of a site.</summary>
public sealed class SiteEngines(Store store, TimeProvider time, ILoggerFactory loggers, Commands.CommandSignals signals) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<SiteId, Lazy<SiteEngineHost>> _hosts = new();
    private readonly ILogger _logger = loggers.CreateLogger<SiteEngineHost>();

    public SiteEngineHost For(SiteId site) =>
        _hosts.GetOrAdd(site, s => new Lazy<SiteEngineHost>(() => new SiteEngineHost(s, store, time, _logger, signals.Notify))).Value;

    /// <summary>Decides on the observation at its site; completes with the reply once it is durable.</summary>
    public Task<Reply> SubmitAsync(Observation observation) => For(observation.Site).SubmitAsync(observation);

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts.Values.Where(h => h.IsValueCreated))
        {
            await host.Value.DisposeAsync();
        }
    }
}
