using ParkCharge.Core.Billing;

namespace ParkCharge.Core.Sites;

/// <summary>
/// When a camera is unwell (the site file's <c>cameraHealth</c> section): silent, its clock off, its reads
/// getting worse. The defaults suit a car park whose gate cameras read every vehicle; each can be changed.
/// </summary>
public sealed record CameraHealthSettings
{
    /// <summary>
    /// A lane camera without a push for this long of opening hours is silent, if even its quietest recent day would have
    /// brought some 14 vehicles in that time (only with <see cref="OpeningHours"/>, and three days of history).
    /// </summary>
    public TimeSpan SilentAfter { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The daily hours in which the site expects traffic at its gates (site time zone). Without them no camera is
    /// silent by the clock alone, only against the site's other traffic (<see cref="SilentAmidTraffic"/>).
    /// </summary>
    public OpeningHours? OpeningHours { get; init; }

    /// <summary>
    /// The least traffic elsewhere (vehicles at the other lanes of its direction, charges started) that makes a lane
    /// camera silent at any hour: more when its usual share of that traffic is small (one chance in a million that a
    /// working camera saw none of it). 0 switches the rule off.
    /// </summary>
    public int SilentAmidTraffic { get; init; } = 6;

    /// <summary>
    /// A bay camera is silent once this many charges started at its bays since its last read (not two: a driver who
    /// plugs in again after a failed start is one car).
    /// </summary>
    public int SilentAmidCharges { get; init; } = 3;

    /// <summary>However much traffic the others see, a camera is not silent before this long without a read.</summary>
    public TimeSpan MinimumSilence { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A camera whose clock is off by more than this (capture time against arrival, robustly estimated) is skewed.</summary>
    public TimeSpan MaxClockOffset { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A camera is degraded when at least this share (0..1) of its recent plate reads is low-confidence or unreadable.</summary>
    public double DegradedShare { get; init; } = 0.5;

    /// <summary>How many recent plate reads the share of poor reads is taken over (at least half of them are needed).</summary>
    public int QualityWindow { get; init; } = 20;
}

/// <summary>Daily opening hours in the site's time zone, <see cref="From"/> to <see cref="To"/> (a range may wrap midnight).</summary>
public sealed record OpeningHours(TimeOnly From, TimeOnly To)
{
    /// <summary>The opening intervals that touch [<paramref name="from"/>, <paramref name="to"/>], earliest first.</summary>
    public IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> Intervals(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        var first = DateOnly.FromDateTime(LocalTime.Local(from, zone)).AddDays(-1);
        var last = DateOnly.FromDateTime(LocalTime.Local(to, zone)).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            var start = LocalTime.ToInstant(day.ToDateTime(From), zone);
            var end = LocalTime.ToInstant((To > From ? day : day.AddDays(1)).ToDateTime(To), zone);
            if (end > from && start < to)
            {
                yield return (start, end);
            }
        }
    }
}
