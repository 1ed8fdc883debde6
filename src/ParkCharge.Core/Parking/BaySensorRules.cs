using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// The bay occupancy module's second source: a charger that senses the vehicle in its bay (OCPP 2.0.1/2.1). A
/// <c>BayOccupancySensor</c> component reports its <c>Active</c> variable in NotifyEvent; a charger whose
/// TxStartPoint/TxStopPoint is <c>EVDetected</c> or <c>ParkingBayOccupancy</c> starts its transaction with the trigger
/// reason <c>EVDetected</c> and ends it with <c>EVDeparted</c>. Each arrival is a <see cref="BayPresence"/> until the
/// departure. It has no plate: binding decides whose vehicle it is where the bay camera is missing or saw nothing
/// (<see cref="BindingRules"/>), and the presence then becomes a <see cref="BayVisitSource.ChargerSensor"/> visit
/// (<see cref="Place"/>), which carries idle time to the departure like a camera's visit.
/// </summary>
/// <remarks>
/// An <c>EVDeparted</c> without an <c>EVDetected</c> before it is a cable-bound charger's way to end a transaction at the
/// unplug and says nothing of the bay: it ends only a presence that <c>EVDetected</c> opened. A presence the
/// <c>BayOccupancySensor</c> opened ends when that sensor reports the bay empty.
/// </remarks>
internal static class BaySensorRules
{
    public const string SensorComponent = "BayOccupancySensor";
    public const string ActiveVariable = "Active";
    public const string EvDetected = "EVDetected";
    public const string EvDeparted = "EVDeparted";

    /// <summary>NotifyEvent: the <c>BayOccupancySensor</c>'s <c>Active</c> variable of an EVSE (or of a charger serving one bay) changed.</summary>
    public static void EventsReported(SiteChangeSet work, ChargerEventsReported p)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var e in p.Events.Where(IsSensor).OrderBy(e => e.Timestamp))
        {
            if (Occupied(e.ActualValue) is not { } occupied || BayOf(config, p.Charger, e.Evse, e.Connector) is not { } bay)
            {
                continue; // not a value the sensor's boolean can have, or no bay of ours
            }

            Sensed(work, bay, p.Charger, occupied, Believable(work, e.Timestamp), BaySensorSignal.BayOccupancySensor);
        }
    }

    /// <summary>A TransactionEvent triggered by <c>EVDetected</c> or <c>EVDeparted</c> at the session's outlet.</summary>
    public static void TransactionEvent(SiteChangeSet work, TransactionEventReported p, ChargingSession session)
    {
        var occupied = p.TriggerReason switch
        {
            EvDetected => true,
            EvDeparted => false,
            _ => (bool?)null,
        };
        if (occupied is null || work.Configuration?.BayServedBy(p.Charger, session.Connector) is not { } bay)
        {
            return;
        }

        Sensed(work, bay, p.Charger, occupied.Value, work.EventTime, BaySensorSignal.TransactionEvent);
    }

    /// <summary>The vehicle the charger sensed at the bay at <paramref name="t"/>, if any (the latest, should two overlap).</summary>
    public static BayPresence? PresenceAt(SiteChangeSet work, string bay, DateTimeOffset t, TimeSpan slack) =>
        work.Presences().Where(x => x.Bay == bay && x.Covers(t, slack)).MaxBy(x => x.StartedAt);

    /// <summary>The bay's vehicle sensed now (for the bay's occupancy).</summary>
    public static BayPresence? Current(IEnumerable<BayPresence> presences, string bay) =>
        presences.Where(x => x.Bay == bay && x.IsCurrent).MaxBy(x => x.StartedAt);

    /// <summary>
    /// Binding found whose vehicle the charger sensed: the presence becomes (or its visit now names) that vehicle's visit,
    /// joined to its stay, so that idle time and the bill run to the departure. Returns the candidate with the visit.
    /// </summary>
    public static BindingCandidate Place(SiteChangeSet work, BayPresence presence, BindingCandidate candidate)
    {
        var existing = presence.BayVisitId is { } id ? work.Visit(id) : null;
        if (existing is not null && existing.Plate == candidate.Plate && existing.ParkingSessionId == candidate.ParkingSessionId)
        {
            return candidate with { BayVisitId = existing.Id, Bay = existing.Bay };
        }

        if (existing?.ParkingSessionId is { } oldStay && work.ParkingSession(oldStay) is { } old)
        {
            work.Put(old with { BayVisitIds = old.BayVisitIds.Remove(existing.Id), UpdatedAt = work.ReceivedAt });
        }

        var visit = (existing ?? new BayVisit
        {
            Id = work.NewId("bay-visit"),
            Bay = presence.Bay,
            Plate = candidate.Plate,
            PlateRaw = candidate.Plate,
            StartedAt = presence.StartedAt,
            LastSeenAt = presence.StartedAt,
            SightingId = presence.Id,
            Source = BayVisitSource.ChargerSensor,
            EndedAt = presence.EndedAt,
            EndReason = presence.EndedAt is null ? null : BayVisitEnd.SensorVacated,
        }) with
        {
            Plate = candidate.Plate,
            PlateRaw = candidate.Plate,
            ParkingSessionId = candidate.ParkingSessionId,
        };
        work.Put(visit);
        if (existing is null)
        {
            work.Put(presence with { BayVisitId = visit.Id });
            work.Publish(new BayVehicleArrived(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId) { EventTime = visit.StartedAt });
            if (visit.EndedAt is { } left)
            {
                work.Publish(new BayVehicleLeft(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, BayVisitEnd.SensorVacated) { EventTime = left });
            }
        }

        if (candidate.ParkingSessionId is { } stay && work.ParkingSession(stay) is { } session && !session.BayVisitIds.Contains(visit.Id))
        {
            work.Put(session with { BayVisitIds = session.BayVisitIds.Add(visit.Id), UpdatedAt = work.ReceivedAt });
        }

        return candidate with { BayVisitId = visit.Id, Bay = visit.Bay };
    }

    private static void Sensed(SiteChangeSet work, EvBayConfiguration bay, ChargerId charger, bool occupied, DateTimeOffset at, BaySensorSignal signal)
    {
        var current = Current(work.Presences(), bay.Id);
        BayPresence changed;
        if (occupied)
        {
            if (current is not null)
            {
                if (at >= current.StartedAt)
                {
                    return; // the same vehicle, sensed again (the sensor and the transaction both say so)
                }

                changed = current with { StartedAt = at }; // an earlier report of its arrival came late
            }
            else
            {
                changed = new BayPresence { Id = work.NewId("bay-presence"), Bay = bay.Id, Charger = charger, StartedAt = at, StartedBy = signal };
            }
        }
        else
        {
            if (current is null || current.StartedAt > at || (signal == BaySensorSignal.TransactionEvent && current.StartedBy == BaySensorSignal.BayOccupancySensor))
            {
                // No arrival sensed before (a cable-bound charger ending its transaction at the unplug), a departure older
                // than the vehicle there now, or an EVDeparted where the bay's sensor component, which reports both, is the judge.
                return;
            }

            changed = current with { EndedAt = at, EndedBy = signal };
            if (current.BayVisitId is { } visitId && work.Visit(visitId) is { IsCurrent: true } visit)
            {
                ParkingRules.EndVisit(work, visit, BayVisitEnd.SensorVacated, at);
            }
        }

        work.Put(changed);
        work.Publish(new BayOccupancySensed(bay.Id, charger, bay.Connector, changed.Id, occupied, signal) { EventTime = at });
        Reconsider(work, changed);
    }

    /// <summary>The bindings at the bay around the vehicle's time there look again (its arrival or departure is evidence).</summary>
    private static void Reconsider(SiteChangeSet work, BayPresence presence)
    {
        var window = work.Configuration!.Settings.BindingWindow;
        foreach (var binding in work.Bindings().Where(b => b.Bay == presence.Bay && b.Method != BindingMethod.Operator && presence.Covers(b.PlugInAt, window)))
        {
            work.Reconsider(binding.ChargingSessionId, "the charger sensed the vehicle in bay " + presence.Bay + (presence.IsCurrent ? " arrive" : " leave"));
        }
    }

    private static bool IsSensor(ChargerEventData e) =>
        string.Equals(e.Component, SensorComponent, StringComparison.Ordinal) && string.Equals(e.Variable, ActiveVariable, StringComparison.Ordinal);

    /// <summary>The variable is a boolean (OCPP 2.0.1 appendix, BayOccupancySensor.Active): "true"/"false"; some firmware sends 1/0.</summary>
    private static bool? Occupied(string value) => value.Trim().ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => null,
    };

    /// <summary>The bay of the EVSE; a sensor of the whole station (no EVSE, or EVSE 0) is its bay's only when the station serves one bay.</summary>
    private static EvBayConfiguration? BayOf(SiteConfiguration config, ChargerId charger, int? evse, int? connector)
    {
        if (evse is > 0)
        {
            return config.BayServedBy(charger, ConnectorRef.Ocpp201(evse.Value, connector));
        }

        var bays = config.EvBays.Where(b => b.Charger == charger).Take(2).ToList();
        return bays.Count == 1 ? bays[0] : null;
    }

    /// <summary>An event's own time, unless the charger's clock ran ahead of ours by more than the site believes.</summary>
    private static DateTimeOffset Believable(SiteChangeSet work, DateTimeOffset time) =>
        time > work.ReceivedAt + (work.Configuration?.Settings.MaxClockAhead ?? TimeSpan.Zero) ? work.ReceivedAt : time;
}
