namespace ParkCharge.Core.Observations;

/// <summary>
/// The one rule for how far a source's clock is believed (DESIGN.md §2: decisions use event time).
/// Chargers queue transactions while offline and cameras buffer reads, so an event time may lag its
/// arrival by days; clocks drift, so it may run a little ahead. Beyond this window the time is not a
/// late delivery but a broken clock (an RTC reset to 1970 or 2000, a year-1 or year-9999 default)
/// or a hostile sender: cameras are refused at the edge (400), chargers are answered, their message
/// is taken at its receive time and flagged (OCPP has no way to refuse a time).
/// </summary>
public static class EventTimes
{
    /// <summary>How far behind its arrival an event time may be: a year of offline queueing.</summary>
    public static readonly TimeSpan MaxBehind = TimeSpan.FromDays(366);

    /// <summary>How far ahead of its arrival an event time may be: a day of clock drift or a wrong time zone.</summary>
    public static readonly TimeSpan MaxAhead = TimeSpan.FromDays(1);

    /// <summary>True when <paramref name="time"/> lies within the window around <paramref name="receivedAt"/>.</summary>
    public static bool IsPlausible(DateTimeOffset time, DateTimeOffset receivedAt)
    {
        // In ticks: both lie in years 1..9999, so the difference cannot overflow (DateTimeOffset arithmetic could).
        var ahead = time.UtcTicks - receivedAt.UtcTicks;
        return ahead <= MaxAhead.Ticks && -ahead <= MaxBehind.Ticks;
    }

    /// <summary>The window in words, for problem details, anomaly texts and logs.</summary>
    public static string Describe(DateTimeOffset receivedAt) =>
        FormattableString.Invariant($"{(receivedAt - MaxBehind).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} to {(receivedAt + MaxAhead).UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'} (a year before to a day after it was received)");
}
