using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// The bay occupancy module: what a vehicle standing in an EV bay is doing, kept on its <see cref="BayVisit"/>.
/// A vehicle that stands there longer than the ICE limit and never charged is an ICE occupant
/// (<see cref="BayVisit.IceDetectedAt"/>, <c>bay.ice_detected</c>). A vehicle whose charging finished by
/// <see cref="ChargingFinish"/> has <see cref="BayVisit.ChargingFinishedAt"/>, and once the idle grace after
/// that has passed <see cref="BayVisit.IdleSince"/> and <c>bay.idle_started</c>. The bill asks the same
/// <see cref="ChargingFinish"/> rule, so the event's <c>idleSince</c> is where the bill's idle line starts;
/// binding reads <see cref="ChargedSince"/> and the visits' ICE marks.
/// </summary>
internal static class BayOccupancyRules
{
    /// <summary>
    /// A charge at a bay changed (a state, a stop, a binding to the visit): the visit of its vehicle looks again at
    /// whether charging finished.
    /// </summary>
    public static void ChargeChanged(SiteChangeSet work, ChargingSession session)
    {
        if (work.Binding(session.Id) is not { IsBound: true, BayVisitId: { } visitId } || work.Visit(visitId) is not { IsCurrent: true } visit)
        {
            return;
        }

        Update(work, visit, Max(work.EventTime, session.LastEventAt ?? work.EventTime));
    }

    /// <summary>
    /// A timer: a vehicle stood in an EV bay without charging past the ICE limit; a suspension may have reached the
    /// threshold, an idle grace may have ended.
    /// </summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        var settings = config.Settings;
        foreach (var visit in work.CurrentVisits().ToList())
        {
            if (visit.IceDetectedAt is null && visit.StartedAt + settings.IceLimit <= due && config.FindBay(visit.Bay) is { } bay && !ChargedSince(work.SessionsOf(bay.Charger), bay, visit.StartedAt - settings.BindingWindow))
            {
                work.Put(visit with { IceDetectedAt = due });
                work.Publish(new BayIceDetected(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, visit.StartedAt, bay.Charger, work.BayOutlet(bay)) { EventTime = due });
            }

            IdleTimer(work, config, work.Visit(visit.Id)!, due);
        }
    }

    /// <summary>When a bay's occupancy can change by time alone: an ICE limit, the end of an idle grace or of a suspension's threshold.</summary>
    public static DateTimeOffset? NextDeadline(ParkingState parking, Func<ChargerId, IEnumerable<ChargingSession>> sessionsOf, Func<string, ChargingSession?> session, SiteConfiguration config)
    {
        var settings = config.Settings;
        DateTimeOffset? next = null;
        foreach (var visit in parking.CurrentVisits)
        {
            // Not for a bay that charged meanwhile (its charge may have gone to review): the timer would
            // find nothing to do, the deadline would stay the earliest, and no later timer would be armed.
            if (visit.IceDetectedAt is null && visit.ChargingSessionIds.IsEmpty && config.FindBay(visit.Bay) is { } bay
                && !ChargedSince(sessionsOf(bay.Charger), bay, visit.StartedAt - settings.BindingWindow))
            {
                next = Min(next, visit.StartedAt + settings.IceLimit);
            }

            next = Min(next, IdleDeadline(visit, session, config));
        }

        return next;
    }

    /// <summary>
    /// Did any charging session run on the bay's outlet since <paramref name="since"/>? Then a vehicle
    /// standing there is not an ICE occupant, even when its charge could not be bound to it.
    /// </summary>
    public static bool ChargedSince(IEnumerable<ChargingSession> sessionsOfCharger, EvBayConfiguration bay, DateTimeOffset since) =>
        sessionsOfCharger.Any(s => bay.Serves(s.Connector) && (s.StoppedAt is null || s.StoppedAt >= since));

    /// <summary>The visit's transactions as <see cref="ChargingFinish"/> reads them.</summary>
    public static List<ChargingFinish.Session> Sessions(BayVisit visit, Func<string, ChargingSession?> session) =>
        [.. visit.ChargingSessionIds.Select(session).OfType<ChargingSession>().Select(Of).OrderBy(s => s.Start)];

    public static ChargingFinish.Session Of(ChargingSession s) =>
        new(s.StartedAt ?? s.FirstReceivedAt, s.Status == ChargingSessionStatus.Completed ? s.StoppedAt ?? s.LastEventAt : null, s.ChargingStates);

    /// <summary>A suspension may have reached the threshold, an idle grace may have ended: <c>bay.idle_started</c>.</summary>
    private static void IdleTimer(SiteChangeSet work, SiteConfiguration config, BayVisit visit, DateTimeOffset due)
    {
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
    private static DateTimeOffset? IdleDeadline(BayVisit visit, Func<string, ChargingSession?> session, SiteConfiguration config)
    {
        if (visit.IdleSince is not null)
        {
            return null;
        }

        return visit.ChargingFinishedAt is { } finished
            ? finished + config.Settings.IdleGrace
            : ChargingFinish.Pending(Sessions(visit, session), config.Tariffs.EvBay.SuspendedThreshold);
    }

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

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
