using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// The bay visit's side of <see cref="ChargingFinish"/>: <see cref="BayVisit.ChargingFinishedAt"/> and
/// <see cref="BayVisit.IdleSince"/> follow the rule, and <c>bay.idle_started</c> is published when the idle
/// grace after a finish has passed. The bill asks the same rule, so the event's <c>idleSince</c> is where
/// the bill's idle line starts.
/// </summary>
internal static class IdleRules
{
    /// <summary>A charging session of a vehicle at a bay changed (a state, a stop, a binding): the visit looks again.</summary>
    public static void Note(SiteChangeSet work, ChargingSession session)
    {
        if (work.Binding(session.Id) is not { IsBound: true, BayVisitId: { } visitId } || work.Visit(visitId) is not { IsCurrent: true } visit)
        {
            return;
        }

        Update(work, visit, Max(work.EventTime, session.LastEventAt ?? work.EventTime));
    }

    /// <summary>A timer: a suspension may have reached the threshold, an idle grace may have ended.</summary>
    public static void Timer(SiteChangeSet work, BayVisit visit, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        visit = Update(work, visit, due);
        if (visit is { ChargingFinishedAt: { } finished, IdleSince: null } && finished + config.Settings.IdleGrace <= due)
        {
            var idleSince = finished + config.Settings.IdleGrace;
            work.Put(visit with { IdleSince = idleSince });
            var served = config.FindBay(visit.Bay);
            var outlet = served is null ? (ConnectorRef?)null : work.BayOutlet(served);
            work.Publish(new BayIdleStarted(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, visit.ChargingSessionIds.LastOrDefault(), finished, idleSince, served?.Charger, outlet) { EventTime = due });
        }
    }

    /// <summary>When the visit's idle state can change by time alone: the end of the idle grace, or of a suspension's threshold.</summary>
    public static DateTimeOffset? Deadline(BayVisit visit, Func<string, ChargingSession?> session, SiteConfiguration config)
    {
        if (visit.IdleSince is not null)
        {
            return null;
        }

        return visit.ChargingFinishedAt is { } finished
            ? finished + config.Settings.IdleGrace
            : ChargingFinish.Pending(Sessions(visit, session), config.Tariffs.EvBay.SuspendedThreshold);
    }

    /// <summary>The visit's transactions as the rule reads them.</summary>
    public static List<ChargingFinish.Session> Sessions(BayVisit visit, Func<string, ChargingSession?> session) =>
        [.. visit.ChargingSessionIds.Select(session).OfType<ChargingSession>().Select(Of).OrderBy(s => s.Start)];

    public static ChargingFinish.Session Of(ChargingSession s) =>
        new(s.StartedAt ?? s.FirstReceivedAt, s.Status == ChargingSessionStatus.Completed ? s.StoppedAt ?? s.LastEventAt : null, s.ChargingStates);

    private static BayVisit Update(SiteChangeSet work, BayVisit visit, DateTimeOffset asOf)
    {
        if (work.Configuration is not { } config)
        {
            return visit;
        }

        var finished = ChargingFinish.Current(Sessions(visit, work.Session), config.Tariffs.EvBay.SuspendedThreshold, asOf);
        if (finished == visit.ChargingFinishedAt)
        {
            return visit;
        }

        // A new finish (or charging resumed): a new idle period can start, announced again.
        var after = visit with { ChargingFinishedAt = finished, IdleSince = null };
        work.Put(after);
        return after;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
