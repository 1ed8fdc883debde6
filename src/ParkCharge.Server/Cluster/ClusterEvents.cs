using System.Threading.Channels;

using ParkCharge.Core.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Cluster;

/// <summary>
/// Pushes this node's event commits to the other nodes (DESIGN.md §6, "events are pushed between nodes"): after
/// each commit, every other live node hears each site's new last event sequence in one one-way call, and its
/// live streams and webhook deliverers read the events at once instead of at their next poll.
/// </summary>
/// <remarks>
/// Orleans one-way calls to the node observers the node directory already holds: no other connection or service,
/// and nothing on the commit path but handing the heads over. Commits arriving while a push is under way are
/// merged into the next one (only each site's highest sequence matters). A push that is lost (a node just
/// joining, a node restarting) is covered by the readers' poll, as before.
/// </remarks>
public sealed partial class ClusterEvents(Store store, ClusterCommands node, ILogger<ClusterEvents> logger) : BackgroundService
{
    private readonly Lock _gate = new();
    /// <summary>"Heads are waiting": one signal at most, however many commits came since the last push.</summary>
    private readonly Channel<bool> _pending = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private Dictionary<string, long> _heads = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.Outbox.CommittedHere += Committed;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _pending.Reader.ReadAsync(stoppingToken);
                Dictionary<string, long> heads;
                lock (_gate)
                {
                    heads = _heads;
                    _heads = new(StringComparer.Ordinal);
                }

                if (heads.Count == 0)
                {
                    continue;
                }

                string[] sites = [.. heads.Keys];
                long[] seqs = [.. sites.Select(s => heads[s])];
                foreach (var (name, peer) in node.Peers)
                {
                    try
                    {
                        await peer.EventsCommitted(sites, seqs);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                    {
                        LogPushFailed(logger, name, e);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node stops.
        }
        finally
        {
            store.Outbox.CommittedHere -= Committed;
        }
    }

    private void Committed(IReadOnlyList<(SiteId Site, long LastEventSeq)> committed)
    {
        lock (_gate)
        {
            foreach (var (site, seq) in committed)
            {
                if (seq > _heads.GetValueOrDefault(site.Value))
                {
                    _heads[site.Value] = seq;
                }
            }
        }

        _pending.Writer.TryWrite(true); // already signalled: the next push takes these heads too
    }

    [LoggerMessage(EventId = 1804, Level = LogLevel.Debug, Message = "Cluster: node {Node} could not be told of this node's events; it reads them at its next poll")]
    private static partial void LogPushFailed(ILogger logger, string node, Exception exception);
}
