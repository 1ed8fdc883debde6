using System.Diagnostics.Metrics;

using ParkCharge.Core.Charging;
using ParkCharge.Server.Commands;
using ParkCharge.Server.Ocpp;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Telemetry;

/// <summary>
/// The node's gauges: what is true now rather than what happened (chargers connected, queue depths, the
/// review queue). Read when metrics are collected; the review queue, which is a query, is counted every
/// <see cref="ReviewRefresh"/> and its last count shown.
/// </summary>
internal sealed partial class NodeGauges : BackgroundService
{
    private static readonly TimeSpan ReviewRefresh = TimeSpan.FromSeconds(15);

    private readonly Store _store;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeGauges> _logger;
    private IReadOnlyDictionary<string, int> _review = new Dictionary<string, int>();

    public NodeGauges(NodeMetrics metrics, Store store, SiteEngines engines, ChargerConnections connections, CommandSignals commands, TimeProvider time, ILogger<NodeGauges> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        var meter = metrics.Meter;
        meter.CreateObservableGauge("parkcharge.ocpp.chargers.connected", () => connections.All
            .GroupBy(c => c.Version)
            .Select(g => new Measurement<int>(g.Count(), new KeyValuePair<string, object?>("version", g.Key.Label()))), "{charger}",
            "Chargers connected to this node now, per OCPP version.");
        meter.CreateObservableGauge("parkcharge.engine.queue.depth", () => engines.Sites
            .Select(site => (site, engine: engines.Running(site)))
            .Where(s => s.engine is not null)
            .Select(s => new Measurement<int>(s.engine!.Queued + s.engine.Deciding, new KeyValuePair<string, object?>("site", s.site.Value))), "{observation}",
            "Observations waiting for, or being decided by, each site's engine (back-pressure starts at ParkCharge:Queues:Site).");
        meter.CreateObservableGauge("parkcharge.store.queue.depth", () => store.Writer.Queued + store.Writer.Writing, "{write}",
            "Writes waiting for, or in, the store writer's group commit (ParkCharge:Queues:Writer).");
        meter.CreateObservableGauge("parkcharge.commands.queue.depth", () => commands.Queued, "{site}",
            "Sites waiting for the command dispatcher to look at their pending commands.");
        meter.CreateObservableGauge("parkcharge.binding.review.size", () => _review.Keys.Union(engines.Sites.Select(s => s.Value), StringComparer.Ordinal)
            .Select(site => new Measurement<int>(_review.GetValueOrDefault(site), new KeyValuePair<string, object?>("site", site))), "{binding}",
            "Charging sessions in the review queue (Review and Provisional), per site (0 for a site of this node with none), counted every 15 s.");
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Hosting.PeriodicPasses.RunAsync(TimeSpan.Zero, ReviewRefresh, _time, async ct =>
        {
            try
            {
                _review = await _store.Bindings.CountInReviewAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogReviewCountFailed(_logger, e);
            }
        }, stoppingToken);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Counting the review queue for the metrics failed; the last count is shown")]
    private static partial void LogReviewCountFailed(ILogger logger, Exception exception);
}
