using System.Diagnostics.Metrics;

namespace ParkCharge.Storage.Log;

/// <summary>
/// What the store's writer measures: how long a group commit takes and how many writes share it, and the
/// message-log frames it had to drop. A library's own meter, as Npgsql has one: a node exports it by name
/// (<see cref="MeterName"/>) with the rest of its metrics (docs/operators.md, "Watching a node").
/// </summary>
public static class StoreMetrics
{
    public const string MeterName = "ParkCharge.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> CommitDuration = Meter.CreateHistogram(
        "parkcharge.store.commit.duration", unit: "s",
        description: "Time of one group commit of the log writer, from its first statement to the end of its COMMIT.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    private static readonly Histogram<int> CommitSize = Meter.CreateHistogram<int>(
        "parkcharge.store.commit.writes", unit: "{write}",
        description: "Writes (site appends, message-log frames, last-seen notes) that shared one group commit.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512] });

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "parkcharge.store.commit.failures", unit: "{commit}", description: "Group commits the store refused or could not make.");

    private static readonly Counter<long> Dropped = Meter.CreateCounter<long>(
        "parkcharge.store.frames.dropped", unit: "{frame}", description: "Message-log frames dropped because the writer's queue was full.");

    internal static void Committed(TimeSpan duration, int writes)
    {
        CommitDuration.Record(duration.TotalSeconds);
        CommitSize.Record(writes);
    }

    internal static void CommitFailed() => Failed.Add(1);

    internal static void FrameDropped() => Dropped.Add(1);
}
