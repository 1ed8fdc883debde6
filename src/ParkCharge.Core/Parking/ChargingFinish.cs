using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Parking;

/// <summary>
/// The one rule for when a vehicle at an EV bay has finished charging, so that idle time can start.
/// The <c>bay.idle_started</c> event, the bay's state on the dashboard and the bill's idle lines all
/// ask it, so they cannot disagree.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Time before the vehicle first charges is waiting (a scheduled or solar charge), never idle.</item>
/// <item>Once it has charged, every stretch in which it does not (the EV stopped drawing: SuspendedEV,
/// EVConnected, Idle; or the transaction stopped) is a candidate. A pause by the charger
/// (SuspendedEVSE: load management, a schedule) is not the driver's doing and counts as charging.</item>
/// <item>Charging finished at the start of such a stretch once the stretch has lasted
/// <c>suspendedThreshold</c> (a short pause is not the end). The transaction's stop always finishes
/// charging: at the start of the stretch if the EV had stopped drawing for the threshold before the stop,
/// else at the stop.</item>
/// <item>If charging resumes (the same transaction, or a new one of the vehicle at the bay), the idle time
/// ends there; a later stretch can finish charging again.</item>
/// </list>
/// </remarks>
public static class ChargingFinish
{
    /// <summary>A transaction of the vehicle at the bay, as the rule needs it.</summary>
    public readonly record struct Session(DateTimeOffset Start, DateTimeOffset? Stop, IReadOnlyList<ChargingStateChange> States);

    /// <summary>Charging finished at <see cref="At"/>; <see cref="ResumedAt"/> is when it started again, if it did.</summary>
    public readonly record struct Finish(DateTimeOffset At, DateTimeOffset? ResumedAt);

    /// <summary>The moments charging finished, as known at <paramref name="asOf"/>, in time order.</summary>
    public static IReadOnlyList<Finish> Finishes(IReadOnlyList<Session> sessions, TimeSpan suspendedThreshold, DateTimeOffset asOf) =>
        [.. Gaps(sessions, asOf).Select(g => Decide(g, suspendedThreshold, asOf)).OfType<Finish>()];

    /// <summary>When charging finished and has not resumed, as known at <paramref name="asOf"/>; null while charging (or waiting to).</summary>
    public static DateTimeOffset? Current(IReadOnlyList<Session> sessions, TimeSpan suspendedThreshold, DateTimeOffset asOf) =>
        Finishes(sessions, suspendedThreshold, asOf) is [.., { ResumedAt: null } last] ? last.At : null;

    /// <summary>
    /// When the answer can change by time passing alone: the moment an unresumed suspension of a running
    /// transaction reaches the threshold. Null when nothing is waiting for that.
    /// </summary>
    public static DateTimeOffset? Pending(IReadOnlyList<Session> sessions, TimeSpan suspendedThreshold)
    {
        var gaps = Gaps(sessions, DateTimeOffset.MaxValue);
        return gaps is [.., { End: null, Stop: null, Start: var start }] && start < DateTimeOffset.MaxValue ? start + suspendedThreshold : null;
    }

    private static Finish? Decide(Gap gap, TimeSpan threshold, DateTimeOffset asOf)
    {
        if (gap.Stop is { } stop)
        {
            return new Finish(stop - gap.Start >= threshold ? gap.Start : stop, gap.End);
        }

        var until = gap.End ?? asOf;
        return until - gap.Start >= threshold ? new Finish(gap.Start, gap.End) : null;
    }

    /// <summary>A stretch without charging after the vehicle has charged: from <see cref="Start"/> to the resumption, if any, with the first stop in it.</summary>
    private readonly record struct Gap(DateTimeOffset Start, DateTimeOffset? End, DateTimeOffset? Stop);

    private static List<Gap> Gaps(IReadOnlyList<Session> sessions, DateTimeOffset asOf)
    {
        var charging = new List<(DateTimeOffset From, DateTimeOffset To)>();
        var stops = new List<DateTimeOffset>();
        var running = false;
        foreach (var session in sessions.Where(s => s.Start <= asOf))
        {
            var stopped = session.Stop is { } s && s <= asOf;
            var end = stopped ? session.Stop!.Value : asOf;
            if (stopped)
            {
                stops.Add(end);
            }
            else
            {
                running = true;
            }

            charging.AddRange(ChargingActivity.Stretches(session.Start, end, session.States).Where(x => x.DriverCharging).Select(x => (x.From, x.To)));
        }

        var gaps = new List<Gap>();
        var merged = Merge(charging);
        if (merged.Count == 0)
        {
            // Never charged: the last stop (once every transaction has stopped) still ends the time at the bay as a charging vehicle.
            if (!running && stops.Count > 0)
            {
                gaps.Add(new Gap(stops.Max(), null, stops.Max()));
            }

            return gaps;
        }

        for (var i = 0; i < merged.Count; i++)
        {
            var start = merged[i].To;
            DateTimeOffset? end = i + 1 < merged.Count ? merged[i + 1].From : null;
            var stop = stops.Where(t => t >= start && (end is null || t < end)).Order().Cast<DateTimeOffset?>().FirstOrDefault();
            if (end is null && stop is null && start >= asOf)
            {
                break; // still charging
            }

            gaps.Add(new Gap(start, end, stop));
        }

        return gaps;
    }

    private static List<(DateTimeOffset From, DateTimeOffset To)> Merge(List<(DateTimeOffset From, DateTimeOffset To)> intervals)
    {
        var merged = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var (from, to) in intervals.OrderBy(x => x.From))
        {
            if (merged.Count > 0 && from <= merged[^1].To)
            {
                merged[^1] = (merged[^1].From, to > merged[^1].To ? to : merged[^1].To);
            }
            else
            {
                merged.Add((from, to));
            }
        }

        return merged;
    }
}
