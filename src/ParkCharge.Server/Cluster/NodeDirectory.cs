using System.Collections.Concurrent;

using Microsoft.Extensions.Options;

using Orleans.Concurrency;

using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Cluster;

/// <summary>
/// A node of the cluster, as the others reach it: told that a site has commands for chargers it holds, and that
/// another node committed events (so that its live streams and webhooks read them now, not at the next poll).
/// </summary>
public interface INodeCommands : IGrainObserver
{
    /// <summary>The site has commands waiting for chargers whose connections this node may hold: send them.</summary>
    Task CommandsWaiting(string site);

    /// <summary>Another node committed events: each site's last committed event sequence (pairwise).</summary>
    [OneWay]
    Task EventsCommitted(string[] sites, long[] lastEventSeqs);
}

/// <summary>
/// Which node is which (by <c>ParkCharge:NodeId</c>). The engine records the node of each charger's connection
/// with the connection; this finds that node. Kept in memory: every node registers itself again every few
/// seconds, so a directory activated afresh after its node died knows every live node again soon.
/// </summary>
public interface INodeDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Registers the node; answers the other nodes registered lately (those that are alive, as far as it knows).</summary>
    Task<Dictionary<string, INodeCommands>> Register(string node, INodeCommands commands);

    Task<INodeCommands?> Find(string node);
}

[Reentrant]
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class NodeDirectoryGrain : Grain, INodeDirectoryGrain
{
    /// <summary>A node that has not registered for this long (several of its periods) is left out of the answer to the others.</summary>
    private static readonly TimeSpan Alive = ClusterCommands.RegisterEvery * 3;

    private readonly Dictionary<string, (INodeCommands Commands, DateTimeOffset Seen)> _nodes = new(StringComparer.Ordinal);

    public Task<Dictionary<string, INodeCommands>> Register(string node, INodeCommands commands)
    {
        var now = TimeProvider.System.GetUtcNow();
        _nodes[node] = (commands, now);
        var others = new Dictionary<string, INodeCommands>(StringComparer.Ordinal);
        foreach (var (name, (other, seen)) in _nodes)
        {
            if (name != node && now - seen < Alive)
            {
                others[name] = other;
            }
        }

        return Task.FromResult(others);
    }

    public Task<INodeCommands?> Find(string node) => Task.FromResult(_nodes.TryGetValue(node, out var known) ? known.Commands : null);
}

/// <summary>
/// This node in the cluster: registered in the node directory (again every <see cref="RegisterEvery"/>), and the
/// way the command dispatcher of a site's engine node wakes the node holding a charger's connection.
/// </summary>
public sealed partial class ClusterCommands(
    IGrainFactory grains,
    Commands.CommandSignals signals,
    Storage.Store store,
    IOptions<ParkChargeOptions> options,
    ILogger<ClusterCommands> logger) : BackgroundService, INodeCommands
{
    internal static readonly TimeSpan RegisterEvery = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, INodeCommands> _known = new(StringComparer.Ordinal);
    private INodeCommands? _self;
    private IReadOnlyDictionary<string, INodeCommands> _peers = new Dictionary<string, INodeCommands>();

    public string NodeId => options.Value.NodeId;

    /// <summary>The other live nodes, as the node directory answered this node's last registration.</summary>
    public IReadOnlyDictionary<string, INodeCommands> Peers => Volatile.Read(ref _peers);

    public Task CommandsWaiting(string site)
    {
        signals.Notify(new SiteId(site));
        return Task.CompletedTask;
    }

    public Task EventsCommitted(string[] sites, long[] lastEventSeqs)
    {
        store.Outbox.Heard(sites.Zip(lastEventSeqs));
        return Task.CompletedTask;
    }

    /// <summary>Tells the node that a site has commands for chargers it holds; false when that node is not known or does not answer.</summary>
    public async Task<bool> WakeAsync(string node, SiteId site)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                if (!_known.TryGetValue(node, out var target))
                {
                    target = await grains.GetGrain<INodeDirectoryGrain>(0).Find(node);
                    if (target is null)
                    {
                        LogUnknownNode(logger, node, site.Value);
                        return false;
                    }

                    _known[node] = target;
                }

                await target.CommandsWaiting(site.Value);
                return true;
            }
            catch (Exception e)
            {
                // A node that restarted registers a new reference: look it up again once.
                _known.TryRemove(node, out _);
                LogWakeFailed(logger, node, site.Value, e);
            }
        }

        return false;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _self = grains.CreateObjectReference<INodeCommands>(this);
        return Hosting.PeriodicPasses.RunAsync(TimeSpan.Zero, RegisterEvery, TimeProvider.System, async ct =>
        {
            try
            {
                Volatile.Write(ref _peers, await grains.GetGrain<INodeDirectoryGrain>(0).Register(NodeId, _self));
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                LogRegisterFailed(logger, e);
            }
        }, stoppingToken);
    }

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "Cluster: node {Node} holds a connection for site {Site} but is not in the node directory; its commands wait for the charger to reconnect")]
    private static partial void LogUnknownNode(ILogger logger, string node, string site);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Warning, Message = "Cluster: node {Node} could not be told about the commands of site {Site}")]
    private static partial void LogWakeFailed(ILogger logger, string node, string site, Exception exception);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Cluster: this node could not register in the node directory; trying again")]
    private static partial void LogRegisterFailed(ILogger logger, Exception exception);
}
