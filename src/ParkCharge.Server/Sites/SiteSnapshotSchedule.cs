using System.Diagnostics;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Snapshots;

namespace ParkCharge.Server.Sites;

/// <summary>
/// When a site's engine writes a snapshot of its state (docs/operators.md, "Snapshots and compaction"): every
/// <see cref="SnapshotOptions.Every"/> observations or <see cref="SnapshotOptions.Interval"/>, whichever comes first,
/// at a moment the site's queue is empty (so no answer waits for it), or at twice the count whatever the queue holds.
/// The state is copied on the engine's loop (it is the loop's; between units it is exactly what the log holds, and the
/// copy of its containers takes milliseconds: <see cref="SiteStateFormat.Copy"/>), then serialised, compressed and
/// stored in the background, so the engine does not stop for the serialisation; a snapshot still being stored makes
/// the next one wait.
/// </summary>
internal sealed partial class SiteSnapshotSchedule(SiteId site, Store store, SnapshotOptions options, TimeProvider time, ILogger logger)
{
    private long _lastSeq;
    private DateTimeOffset _lastAt = time.GetUtcNow();
    private Task _saving = Task.CompletedTask;

    /// <summary>The state was (re)built: counting starts from its snapshot; a long replay asks for a snapshot at once.</summary>
    public void Loaded(SiteLoad load)
    {
        _lastSeq = load.Replayed >= options.Every ? long.MinValue / 2 : load.State.LastSeq - load.Replayed;
        _lastAt = time.GetUtcNow();
    }

    /// <summary>After a unit: writes a snapshot when one is due.</summary>
    public void AfterUnit(SiteState state, bool idle)
    {
        if (!options.Enabled || !_saving.IsCompleted)
        {
            return;
        }

        var since = state.LastSeq - _lastSeq;
        var now = time.GetUtcNow();
        if (since <= 0 || state.LastSeq == 0 || (since < options.Every && now - _lastAt < options.Interval) || (!idle && since < 2L * options.Every))
        {
            return;
        }

        _lastSeq = state.LastSeq;
        _lastAt = now;
        var started = Stopwatch.GetTimestamp();
        SiteState copy;
        try
        {
            copy = SiteStateFormat.Copy(state);
        }
        catch (Exception e)
        {
            LogFailed(logger, site.Value, state.LastSeq, e);
            return;
        }

        var paused = Stopwatch.GetElapsedTime(started);
        var header = new SnapshotHeader(copy.LastSeq, copy.LastEventSeq, SiteStateFormat.FormatVersion, SiteStateFormat.EngineVersion, now, now, 0);
        _saving = Task.Run(async () =>
        {
            try
            {
                var serialising = Stopwatch.GetTimestamp();
                var document = SiteStateFormat.Write(copy);
                var serialised = Stopwatch.GetElapsedTime(serialising);
                await store.Snapshots.SaveAsync(site, header with { Size = document.Length }, document, options.Keep, CancellationToken.None);
                LogWritten(logger, site.Value, header.Seq, document.Length, paused.TotalMilliseconds, serialised.TotalMilliseconds);
            }
            catch (Exception e)
            {
                LogFailed(logger, site.Value, header.Seq, e);
            }
        });
    }

    /// <summary>Waits for a snapshot being stored (the engine is stopping).</summary>
    public Task FlushAsync() => _saving;

    [LoggerMessage(EventId = 2016, Level = LogLevel.Debug, Message = "Site {Site}: snapshot at {Seq} written ({Bytes} bytes; the engine's loop paused {PausedMilliseconds:F1} ms to copy the state, serialised in the background in {SerialisedMilliseconds:F1} ms)")]
    private static partial void LogWritten(ILogger logger, string site, long seq, int bytes, double pausedMilliseconds, double serialisedMilliseconds);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Error, Message = "Site {Site}: the snapshot at {Seq} could not be written; start-up replays more of the log until one is")]
    private static partial void LogFailed(ILogger logger, string site, long seq, Exception exception);
}
