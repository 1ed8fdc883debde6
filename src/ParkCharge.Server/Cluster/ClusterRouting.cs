using Microsoft.Extensions.Options;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Cluster;

/// <summary>
/// Cluster mode's way to a site's engine: one grain call per observation to the site's grain, wherever it
/// runs; reads on the engine's own node are answered by its loop, on any other node from the state as the
/// store holds it once everything submitted before is durable (the grain's barrier).
/// </summary>
public sealed class ClusterRouting(IGrainFactory grains, Store store, IOptions<ParkChargeOptions> options, ILogger<SiteEngineHost> logger)
{
    private readonly SiteStateLoader _loader = new(store, logger);

    private ISiteEngineGrain Grain(SiteId site) => grains.GetGrain<ISiteEngineGrain>(site.Value);

    public async Task<Reply> SubmitAsync(Observation observation) =>
        (await Grain(observation.Site).Submit(WireObservation.Of(observation))).ToReply(observation);

    public Task WarmUpAsync(SiteId site) => Grain(site).Barrier();

    public Task ReloadAsync(SiteId site) => Grain(site).Reload();

    public async Task<T> ReadAsync<T>(SiteId site, Func<SiteState, T> read, SiteEngines engines)
    {
        var node = await Grain(site).Barrier();
        if (node == options.Value.NodeId && engines.Running(site) is { } local)
        {
            try
            {
                return await local.ReadAsync(read);
            }
            catch (ObjectDisposedException)
            {
                // The grain moved meanwhile: read what the store holds.
            }
        }

        var load = await _loader.LoadAsync(site, CancellationToken.None);
        return read(load.State);
    }
}
