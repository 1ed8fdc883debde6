namespace ParkCharge.Core.Billing;

/// <summary>
/// Moments in the site's time zone. Local times that do not exist (the hour skipped when clocks go
/// forward) mean the first moment after the gap; local times that happen twice (the hour repeated
/// when clocks go back) mean the first of the two.
/// </summary>
public static class LocalTime
{
    public static DateTime Local(DateTimeOffset at, TimeZoneInfo zone) => TimeZoneInfo.ConvertTime(at, zone).DateTime;

    public static DateTimeOffset ToInstant(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // The first valid minute after the gap; gaps are whole minutes in every zone in use.
            var after = local;
            do
            {
                after = after.AddMinutes(1);
            }
            while (zone.IsInvalidTime(after));

            return new DateTimeOffset(after, zone.GetUtcOffset(after));
        }

        if (zone.IsAmbiguousTime(local))
        {
            return new DateTimeOffset(local, zone.GetAmbiguousTimeOffsets(local).Max());
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    /// <summary>The instants in (<paramref name="from"/>, <paramref name="to"/>) at which the local clock shows one of <paramref name="times"/> (midnight always included).</summary>
    public static IEnumerable<DateTimeOffset> Boundaries(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, IEnumerable<TimeOnly> times)
    {
        var clock = times.Append(TimeOnly.MinValue).Distinct().ToList();
        var first = DateOnly.FromDateTime(Local(from, zone)).AddDays(-1);
        var last = DateOnly.FromDateTime(Local(to, zone)).AddDays(1);
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            foreach (var time in clock)
            {
                var at = ToInstant(day.ToDateTime(time), zone);
                if (at > from && at < to)
                {
                    yield return at;
                }
            }
        }
    }

    /// <summary>Whether a local time of day lies in [from, to); a range may wrap midnight; a missing end is the end of the day.</summary>
    public static bool InRange(TimeOnly time, TimeOnly? from, TimeOnly? to)
    {
        var start = from ?? TimeOnly.MinValue;
        if (to is not { } end)
        {
            return time >= start;
        }

        if (end == start)
        {
            return true;
        }

        return start <= end ? time >= start && time < end : time >= start || time < end;
    }
}
