using System.Collections.Immutable;

namespace ParkCharge.Core.Parking;

/// <summary>
/// How a camera is doing, as its pushes show it: when it last sent something, how many pushes per hour against
/// its usual rate, how far its clock is off, how many of its recent plate reads were poor; and which alarms are
/// raised (<c>camera.silent</c>, <c>camera.clock_skewed</c>, <c>camera.degraded</c>, each ended by
/// <c>camera.recovered</c>). Kept by <see cref="CameraHealthRules"/> on the engine's clock, so replay decides the same.
/// </summary>
public sealed record CameraHealth
{
    /// <summary>How many days of hourly counts are kept for the usual rate.</summary>
    public const int UsualRateDays = 7;

    /// <summary>How many recent clock samples (one per <see cref="ClockSampleSpan"/> of arrivals) the offset is the median of.</summary>
    public const int ClockSamples = 7;

    /// <summary>The fewest clock samples that make an estimate.</summary>
    public const int ClockSamplesNeeded = 4;

    /// <summary>The arrivals one clock sample is taken over.</summary>
    public static readonly TimeSpan ClockSampleSpan = TimeSpan.FromMinutes(5);

    public required string Camera { get; init; }

    /// <summary>Since when the site has had this camera (silence is counted from here before its first push).</summary>
    public required DateTimeOffset WatchedSince { get; init; }

    /// <summary>When its last push arrived (server clock).</summary>
    public DateTimeOffset? LastReadAt { get; init; }

    /// <summary>The capture time its last push gave (camera clock).</summary>
    public DateTimeOffset? LastCaptureAt { get; init; }

    /// <summary>Pushes per hour of arrival (start of the hour, UTC), for the last <see cref="UsualRateDays"/> days.</summary>
    public ImmutableSortedDictionary<DateTimeOffset, int> HourlyReads { get; init; } = ImmutableSortedDictionary<DateTimeOffset, int>.Empty;

    /// <summary>
    /// Recent clock samples: per <see cref="ClockSampleSpan"/> of arrivals, the largest offset (capture time minus arrival)
    /// seen. Delivery only ever adds delay, so the freshest push of a span says most about the clock: a buffer
    /// emptied in a burst of old reads does not move it, a clock set wrong moves every span.
    /// </summary>
    public ImmutableArray<ClockSample> Clock { get; init; } = [];

    /// <summary>The quality of its recent plate reads, oldest first.</summary>
    public ImmutableArray<ReadQuality> RecentReads { get; init; } = [];

    /// <summary>
    /// Traffic this camera should have had a share of, since its last push: for a lane camera, vehicles newly read at the
    /// other lanes of its direction (a two-way lane is every direction's) and, at an entry, charges started and vehicles
    /// read arriving at a bay without a stay (they came in unseen); for a bay camera, charges started at its bays where it
    /// saw no vehicle.
    /// </summary>
    public int TrafficElsewhere { get; init; }

    /// <summary>Its own new vehicles, against the traffic it is compared with (<see cref="PeerTraffic"/>), decayed: its usual share.</summary>
    public double OwnTraffic { get; init; }

    /// <summary>The traffic it is compared with (see <see cref="TrafficElsewhere"/>), decayed with <see cref="OwnTraffic"/>.</summary>
    public double PeerTraffic { get; init; }

    /// <summary>
    /// Its usual share of the traffic it is compared with, up to its last push (the silence since must not lower it), with
    /// a prior of five each way, so a camera not yet known counts as half and a few vehicles do not make it sure.
    /// </summary>
    public double UsualShare => (OwnTraffic + 5) / (OwnTraffic + Math.Max(0, PeerTraffic - TrafficElsewhere) + 10);

    /// <summary>When the camera will be silent by opening hours and its usual rate unless it pushes first (computed at its push).</summary>
    public DateTimeOffset? QuietDue { get; init; }

    /// <summary>When the camera will be silent unless it pushes first (by the traffic elsewhere, or by opening hours); null when nothing would make it so.</summary>
    public DateTimeOffset? SilenceDue { get; init; }

    public DateTimeOffset? SilentSince { get; init; }

    public DateTimeOffset? ClockSkewedSince { get; init; }

    public DateTimeOffset? DegradedSince { get; init; }

    /// <summary>
    /// When the camera may have missed vehicles (silent from its last push before the alarm, or degraded), for the
    /// last <see cref="BlindSpell.Kept"/>: kept for a lane camera only where inferred stays are on (<see cref="InferredStays"/>).
    /// </summary>
    public ImmutableArray<BlindSpell> BlindSpells { get; init; } = [];

    /// <summary>The camera's clock offset (ahead positive): the median of its clock samples; null until there are enough.</summary>
    public TimeSpan? ClockOffset => Clock.Length >= ClockSamplesNeeded ? Clock.Select(s => s.Offset).Order().ElementAt(Clock.Length / 2) : null;

    /// <summary>The share of low-confidence reads among <see cref="RecentReads"/>.</summary>
    public double LowConfidenceShare => Share(ReadQuality.LowConfidence);

    /// <summary>The share of unreadable reads among <see cref="RecentReads"/>.</summary>
    public double UnreadableShare => Share(ReadQuality.Unreadable);

    /// <summary>Pushes that arrived in the hour before <paramref name="now"/> (by whole hours of arrival, this one and the last, weighted).</summary>
    public int ReadsLastHour(DateTimeOffset now)
    {
        var hour = HourOf(now);
        var thisHour = HourlyReads.GetValueOrDefault(hour);
        var lastHour = HourlyReads.GetValueOrDefault(hour.AddHours(-1));
        var lastHourShare = 1 - (now - hour).TotalHours;
        return thisHour + (int)Math.Round(lastHour * lastHourShare);
    }

    /// <summary>
    /// The usual number of pushes in the hour of the day <paramref name="now"/> is in: the mean over the previous days at
    /// that hour since the camera was watched; null before a whole day was seen.
    /// </summary>
    public double? UsualReadsPerHour(DateTimeOffset now)
    {
        var hour = HourOf(now);
        var days = 0;
        var total = 0;
        for (var day = 1; day <= UsualRateDays; day++)
        {
            var then = hour.AddDays(-day);
            if (then < WatchedSince)
            {
                break;
            }

            days++;
            total += HourlyReads.GetValueOrDefault(then);
        }

        return days == 0 ? null : (double)total / days;
    }

    /// <summary>The fewest previous days whose counts make <see cref="LeastReadsPerHour"/>.</summary>
    public const int LeastRateDays = 3;

    /// <summary>
    /// The fewest pushes the camera had in the hour of the day <paramref name="at"/> is in, over the previous days (at
    /// least <see cref="LeastRateDays"/> of them, else null): what the opening-hours rule expects, so that a day that is
    /// always quiet at that hour somewhere in the week does not make a quiet hour look like a silent camera.
    /// </summary>
    public double? LeastReadsPerHour(DateTimeOffset at)
    {
        var hour = HourOf(at);
        int? least = null;
        var days = 0;
        for (var day = 1; day <= UsualRateDays; day++)
        {
            var then = hour.AddDays(-day);
            if (then < WatchedSince)
            {
                break;
            }

            days++;
            var count = HourlyReads.GetValueOrDefault(then);
            least = least is null || count < least ? count : least;
        }

        return days >= LeastRateDays ? least : null;
    }

    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.UtcDateTime.Date.AddHours(at.UtcDateTime.Hour), TimeSpan.Zero);

    private double Share(ReadQuality quality) => RecentReads.Length == 0 ? 0 : (double)RecentReads.Count(r => r == quality) / RecentReads.Length;
}

/// <summary>One clock sample: the largest offset (capture time minus arrival) among the pushes that arrived in a span starting at <see cref="Span"/>.</summary>
public readonly record struct ClockSample(DateTimeOffset Span, TimeSpan Offset);

/// <summary>How well a plate read was read.</summary>
public enum ReadQuality
{
    Confident,

    /// <summary>Below the camera's (or the site's) minimum confidence.</summary>
    LowConfidence,

    /// <summary>No letters or digits (an empty plate, "unknown").</summary>
    Unreadable,
}

/// <summary>What a camera alarm is about (the <c>condition</c> of <c>camera.recovered</c>).</summary>
public enum CameraCondition
{
    Silent,
    ClockSkewed,
    Degraded,
}
