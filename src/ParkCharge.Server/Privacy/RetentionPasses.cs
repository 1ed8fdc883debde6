using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Privacy;

namespace ParkCharge.Server.Privacy;

/// <summary>
/// Applies each site's retention settings (docs/privacy.md): the first pass ten minutes after start, then every
/// hour. A pass is idempotent and resumes where a stopped or crashed one left off, so a node that was down
/// for a week catches up at its first pass. On a PostgreSQL store shared by several nodes each node runs its
/// passes; they rewrite the same rows to the same pseudonyms.
/// </summary>
internal sealed partial class RetentionPasses(Store store, TimeProvider time, ILogger<RetentionPasses> logger, Sites.SiteEngines? engines = null) : BackgroundService
{
    public static readonly TimeSpan FirstPassAfter = TimeSpan.FromMinutes(10);

    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Hosting.PeriodicPasses.RunAsync(FirstPassAfter, Interval, time, RunAsync, stoppingToken);

    /// <summary>One pass over every site; a site whose pass fails is logged and tried again at the next one.</summary>
    public async Task<IReadOnlyList<(string Site, PseudonymisationReport Report)>> RunAsync(CancellationToken ct)
    {
        var reports = new List<(string, PseudonymisationReport)>();
        foreach (var site in await store.Parking.SitesAsync(ct))
        {
            try
            {
                var retention = LogJson.DeserializeSite(site.ConfigurationJson).Settings.Retention;
                var report = await store.Privacy.ApplyRetentionAsync(site.Id, retention, time.GetUtcNow(), ct);
                reports.Add((site.Id, report));
                if (report.LogRowsRewritten > 0 && engines is not null)
                {
                    // The engine's state still holds the plates just replaced: built again from the rewritten log (and
                    // snapshots), so that its next snapshots hold pseudonyms too.
                    await engines.ReloadAsync(new Core.Sites.SiteId(site.Id));
                }

                if (report.Stays + report.LooseReads + report.PicturesDeleted > 0)
                {
                    LogPass(logger, site.Id, report.Stays, report.LooseReads, report.Held.Count, report.PicturesDeleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogPassFailed(logger, site.Id, e);
            }
        }

        return reports;
    }

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Retention at site {SiteId}: {Stays} stays and {LooseReads} loose reads pseudonymised, {Held} held, {Pictures} pictures deleted")]
    private static partial void LogPass(ILogger logger, string siteId, int stays, int looseReads, int held, int pictures);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Error, Message = "Retention at site {SiteId} failed; the next pass resumes it")]
    private static partial void LogPassFailed(ILogger logger, string siteId, Exception exception);
}
