using Microsoft.Extensions.Options;

using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Snapshots;

namespace ParkCharge.Server.Sites;

/// <summary>
/// Compacts each site's log once a day (docs/operators.md, "Snapshots and compaction"): the observations below the
/// newest snapshot older than <see cref="SnapshotOptions.KeepLogFor"/> are deleted, except the evidence of the stays
/// that are not done with (open, unpaid, disputed or within their retention period: <see cref="Storage.Privacy.LogEvidence"/>);
/// that snapshot becomes the log's beginning, which start-up and <c>replay</c> start from. Only a snapshot this engine
/// build made is made a beginning.
/// </summary>
public sealed partial class LogCompaction(Store store, TimeProvider time, IOptions<ParkChargeOptions> options, ILogger<LogCompaction> logger) : BackgroundService
{
    public static readonly TimeSpan FirstPassAfter = TimeSpan.FromMinutes(20);

    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Snapshots.Compaction)
        {
            return;
        }

        await Hosting.PeriodicPasses.RunAsync(FirstPassAfter, Interval, time, RunAsync, stoppingToken);
    }

    /// <summary>One pass over every site; returns what was compacted.</summary>
    public async Task<IReadOnlyList<(SiteId Site, CompactionReport Report)>> RunAsync(CancellationToken ct)
    {
        var reports = new List<(SiteId, CompactionReport)>();
        var settings = (await store.Parking.SitesAsync(ct)).ToDictionary(s => s.Id, s => s.ConfigurationJson, StringComparer.Ordinal);
        foreach (var site in await store.Log.SitesAsync(ct))
        {
            try
            {
                var now = time.GetUtcNow();
                var retention = settings.TryGetValue(site.Value, out var json) ? LogJson.DeserializeSite(json).Settings.Retention : new Core.Privacy.SiteRetention();
                if (await PlanAsync(store, site, now, options.Value.Snapshots.KeepLogFor, ct) is not { } beginning)
                {
                    continue;
                }

                var evidence = await store.Privacy.EvidenceAsync(site.Value, retention, now, ct);
                var report = await store.Snapshots.CompactAsync(site, beginning, now, evidence.Holds, ct);
                reports.Add((site, report));
                LogCompacted(logger, site.Value, report.BaseSeq, report.ObservationsDeleted, report.EventsDeleted, report.EvidenceKept, evidence.Stays);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogFailed(logger, site.Value, e);
            }
        }

        return reports;
    }

    /// <summary>The snapshot the site's log may begin at now; null when none is old enough (or it begins there already).</summary>
    public static async Task<SnapshotHeader?> PlanAsync(Store store, SiteId site, DateTimeOffset now, TimeSpan keepLogFor, CancellationToken ct)
    {
        var cutoff = now - keepLogFor;
        var current = (await store.Snapshots.BaseAsync(site, ct))?.Seq ?? 0;
        return (await store.Snapshots.ListAsync(site, ct)).FirstOrDefault(h =>
            h.LogTime < cutoff && h.Seq > current && h.Format == SiteStateFormat.FormatVersion && h.Engine == SiteStateFormat.EngineVersion);
    }

    [LoggerMessage(EventId = 2018, Level = LogLevel.Information, Message = "Site {Site}: log compacted; it begins at the snapshot at {BaseSeq} ({Observations} observations and {Events} events deleted, {Kept} kept as evidence of {Stays} stays not done with)")]
    private static partial void LogCompacted(ILogger logger, string site, long baseSeq, long observations, long events, long kept, int stays);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Error, Message = "Site {Site}: compaction failed; the next pass tries again")]
    private static partial void LogFailed(ILogger logger, string site, Exception exception);
}
