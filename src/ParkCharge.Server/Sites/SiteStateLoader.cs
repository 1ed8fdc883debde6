using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Snapshots;

namespace ParkCharge.Server.Sites;

/// <summary>How a site's state was built: from which snapshot (none: the whole log), how much log was replayed after it.</summary>
/// <param name="Divergences">Replayed observations that got another answer than the stored one, or could not be replayed.</param>
public sealed record SiteLoad(SiteState State, SnapshotHeader? Snapshot, int Replayed, int Divergences);

/// <summary>
/// Builds a site's state at start-up (and after a conflict or a failed unit): the newest usable snapshot, then the log
/// after it through the engine (docs/operators.md, "Snapshots and compaction"). The one place a state is loaded; the
/// engine host, <c>replay</c> and the benchmarks call it.
/// </summary>
/// <remarks>
/// A snapshot is usable when it was made by this engine build and reads back whole. One that is not is passed over
/// with a warning (2012) for the next older one, and when none is left, the whole log is replayed, as long as the log
/// still holds every observation. A compacted log begins at a snapshot (its base): with no newer usable one, the base
/// is read whatever build made it, tolerating fields added or removed since (2013), and the log after it is replayed
/// with this engine, which is what a full replay would do with what is left. A base that cannot be read at all stops
/// the site from loading (2014): deciding on an empty state would forget every open stay.
/// </remarks>
public sealed partial class SiteStateLoader(Store store, ILogger logger)
{
    /// <summary>Loads the site's state; <paramref name="useSnapshots"/> false replays the whole log (or from the base when compacted).</summary>
    /// <exception cref="SnapshotUnreadableException">The log is compacted and the snapshot it begins at cannot be read.</exception>
    public async Task<SiteLoad> LoadAsync(SiteId site, CancellationToken ct, bool useSnapshots = true)
    {
        var (state, snapshot) = await StartAsync(site, useSnapshots, ct);
        var count = 0;
        var divergences = 0;
        var lastSeq = state.LastSeq;
        await foreach (var stored in store.Log.ReadAsync(site, state.LastSeq, ct))
        {
            lastSeq = stored.Seq;
            count++;
            Decision decision;
            try
            {
                decision = SiteEngine.Decide(state, stored.Observation);
            }
            catch (Exception e)
            {
                // A stored observation the engine cannot decide on (logged by an older version) must not
                // keep the site from loading: it keeps its stored answer and changes nothing.
                divergences++;
                LogReplayFailed(logger, site.Value, stored.Seq, stored.Observation.Payload.Kind, e);
                decision = new Decision { Reply = stored.Reply };
            }

            try
            {
                state.Apply(stored.Observation, decision);
            }
            catch (Exception e)
            {
                divergences++;
                LogReplayFailed(logger, site.Value, stored.Seq, stored.Observation.Payload.Kind, e);
                continue;
            }

            if (decision.Reply != stored.Reply)
            {
                divergences++;
                LogDivergence(logger, site.Value, stored.Seq, stored.Observation.Payload.Kind);
            }
        }

        state.AlignWithLog(lastSeq, await store.Log.LastEventSeqAsync(site, ct));
        if (snapshot is null)
        {
            LogLoaded(logger, site.Value, count, state.LastSeq);
        }
        else
        {
            LogLoadedFromSnapshot(logger, site.Value, snapshot.Seq, count, state.LastSeq);
        }

        return new SiteLoad(state, snapshot, count, divergences);
    }

    /// <summary>The state to replay the log onto: a snapshot's, the base's, or a new one.</summary>
    private async Task<(SiteState, SnapshotHeader?)> StartAsync(SiteId site, bool useSnapshots, CancellationToken ct)
    {
        var logBase = await store.Snapshots.BaseAsync(site, ct);
        var headers = await store.Snapshots.ListAsync(site, ct);
        if (useSnapshots)
        {
            foreach (var header in headers.Where(h => logBase is null || h.Seq >= logBase.Seq))
            {
                if (header.Format != SiteStateFormat.FormatVersion || header.Engine != SiteStateFormat.EngineVersion)
                {
                    LogSnapshotPassedOver(logger, site.Value, header.Seq, $"made by engine build {header.Engine} (format {header.Format}), this is {SiteStateFormat.EngineVersion} (format {SiteStateFormat.FormatVersion})");
                    continue;
                }

                try
                {
                    var document = await store.Snapshots.ReadStateAsync(site, header.Seq, ct) ?? throw new SnapshotUnreadableException("it was deleted meanwhile");
                    var state = SiteStateFormat.Read(site, document, tolerant: false, out _);
                    if (state.LastSeq != header.Seq)
                    {
                        throw new SnapshotUnreadableException($"it holds the state at {state.LastSeq}, not at {header.Seq}");
                    }

                    return (state, header);
                }
                catch (SnapshotUnreadableException e)
                {
                    LogSnapshotPassedOver(logger, site.Value, header.Seq, e.Message);
                }
            }
        }

        if (logBase is null)
        {
            return (new SiteState(site), null);
        }

        var baseHeader = headers.FirstOrDefault(h => h.Seq == logBase.Seq);
        var baseDocument = baseHeader is null ? null : await store.Snapshots.ReadStateAsync(site, logBase.Seq, ct);
        if (baseDocument is null)
        {
            LogBaseUnreadable(logger, site.Value, logBase.Seq, "it is missing");
            throw new SnapshotUnreadableException($"Site '{site}': the log begins after observation {logBase.Seq}, and the snapshot it begins at is missing.");
        }

        try
        {
            var state = SiteStateFormat.Read(site, baseDocument, tolerant: true, out var differences);
            foreach (var difference in differences)
            {
                LogBaseDiffers(logger, site.Value, logBase.Seq, difference);
            }

            return (state, baseHeader);
        }
        catch (SnapshotUnreadableException e)
        {
            LogBaseUnreadable(logger, site.Value, logBase.Seq, e.Message);
            throw;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Site {Site} loaded: {Count} observations replayed, last sequence {LastSeq}")]
    private static partial void LogLoaded(ILogger logger, string site, int count, long lastSeq);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Information, Message = "Site {Site} loaded from its snapshot at {SnapshotSeq}: {Count} observations replayed after it, last sequence {LastSeq}")]
    private static partial void LogLoadedFromSnapshot(ILogger logger, string site, long snapshotSeq, int count, long lastSeq);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Site {Site}: replaying observation {Seq} ({Kind}) gave a different answer than the one stored")]
    private static partial void LogDivergence(ILogger logger, string site, long seq, string kind);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Site {Site}: replaying observation {Seq} ({Kind}) failed; it keeps its stored answer and the site loads on")]
    private static partial void LogReplayFailed(ILogger logger, string site, long seq, string kind, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Site {Site}: the snapshot at {Seq} is not used ({Reason}); trying an older one or the log")]
    private static partial void LogSnapshotPassedOver(ILogger logger, string site, long seq, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Site {Site}: the snapshot the compacted log begins at ({Seq}) was made by another engine build: {Difference}")]
    private static partial void LogBaseDiffers(ILogger logger, string site, long seq, string difference);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Critical, Message = "Site {Site}: the log was compacted up to {Seq} and the snapshot it begins at cannot be read ({Reason}); the site cannot load")]
    private static partial void LogBaseUnreadable(ILogger logger, string site, long seq, string reason);
}
