using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>What is happening at an EV bay now, as the engine's rules know it (<see cref="BayOccupancy"/>).</summary>
public enum BayOccupancyState
{
    /// <summary>Nobody read there and no cable in.</summary>
    Free,

    /// <summary>A vehicle stands there and is not charging (not plugged in, or plugged in but not drawing, or waiting to).</summary>
    Occupied,

    /// <summary>The vehicle is charging (a pause by the charger, SuspendedEVSE, counts as charging, as the idle rule has it).</summary>
    Charging,

    /// <summary>Charging finished by <see cref="ChargingFinish"/> and the vehicle is still there, within the idle grace.</summary>
    Finished,

    /// <summary>Charging finished and the idle grace has passed: <c>bay.idle_started</c> was published, idle fees run.</summary>
    Idle,

    /// <summary>A vehicle stood there past the ICE limit without charging: <c>bay.ice_detected</c> was published.</summary>
    Ice,
}

/// <summary>The sources that say a vehicle is in the bay. More than one may agree: the camera, the bay's outlet, the charger's bay sensor.</summary>
[Flags]
public enum OccupancyEvidence
{
    None = 0,

    /// <summary>A bay camera read a vehicle there (a current <see cref="BayVisit"/>, also from a camera's occupancy report).</summary>
    BayCamera = 1,

    /// <summary>The bay's outlet has a cable in (Preparing, Charging, SuspendedEV/EVSE, Finishing, 2.0.1 Occupied) or a running transaction.</summary>
    Connector = 2,

    /// <summary>The charger's own bay sensor senses a vehicle there (<see cref="BayPresence"/>: BayOccupancySensor, EVDetected).</summary>
    ChargerSensor = 4,
}

/// <summary>
/// The occupancy of one EV bay, read from the bay occupancy module's state: the current visit (with its ICE, finish and
/// idle marks), the bay outlet's connector and its running charge. Pure; <see cref="Engine.SiteState.Bays"/> gives it
/// for every bay of the site.
/// </summary>
/// <param name="Bay">The EV bay's id.</param>
/// <param name="State">What is happening there.</param>
/// <param name="Evidence">Who says a vehicle is there; <see cref="OccupancyEvidence.None"/> when free.</param>
/// <param name="Visit">The vehicle the camera placed there, if any.</param>
/// <param name="Charge">The charge running at the bay's outlet, if any.</param>
public sealed record BayOccupancy(string Bay, BayOccupancyState State, OccupancyEvidence Evidence, BayVisit? Visit, ChargingSession? Charge)
{
    /// <param name="bay">The bay.</param>
    /// <param name="visit">The bay's current visit (the latest, when several overlap).</param>
    /// <param name="connector">The bay outlet's connector, if the charger reported it.</param>
    /// <param name="charge">The running charge at the bay's outlet, if any.</param>
    /// <param name="sensed">The vehicle the charger's bay sensor senses there now, if any.</param>
    public static BayOccupancy Of(EvBayConfiguration bay, BayVisit? visit, ConnectorState? connector, ChargingSession? charge, BayPresence? sensed = null)
    {
        var evidence = (visit is { Source: BayVisitSource.BayCamera } ? OccupancyEvidence.BayCamera : OccupancyEvidence.None)
            | (charge is not null || IsCableIn(connector?.Status) ? OccupancyEvidence.Connector : OccupancyEvidence.None)
            | (sensed is not null ? OccupancyEvidence.ChargerSensor : OccupancyEvidence.None);
        var charging = charge is not null && (charge.ChargingState is { } state
            ? state is ChargingState.Charging or ChargingState.SuspendedEVSE
            : connector?.Status is ConnectorStatus.Charging or ConnectorStatus.SuspendedEVSE);
        var occupancy = visit switch
        {
            _ when evidence == OccupancyEvidence.None => BayOccupancyState.Free,
            { IdleSince: not null } => BayOccupancyState.Idle,
            { ChargingFinishedAt: not null } => BayOccupancyState.Finished,
            _ when charging => BayOccupancyState.Charging,
            { IceDetectedAt: not null, ChargingSessionIds.IsEmpty: true } when charge is null => BayOccupancyState.Ice,
            _ => BayOccupancyState.Occupied,
        };
        return new BayOccupancy(bay.Id, occupancy, evidence, visit, charge);
    }

    /// <summary>Every EV bay of the site, in the site file's order; none before the site is configured.</summary>
    internal static IReadOnlyList<BayOccupancy> All(Engine.SiteState state) =>
        state.Configuration is { } config ? [.. config.EvBays.Select(bay => At(state, bay))] : [];

    /// <summary>One EV bay: its latest current visit, its outlet's connector, the charge running there and what the charger's sensor senses.</summary>
    internal static BayOccupancy At(Engine.SiteState state, EvBayConfiguration bay)
    {
        var visit = state.Parking.CurrentVisits.Where(v => v.Bay == bay.Id).MaxBy(v => v.StartedAt);
        var connector = state.FindCharger(bay.Charger)?.Connectors.FirstOrDefault(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector));
        var charge = state.SessionsOf(bay.Charger).Where(s => s.Status == ChargingSessionStatus.Active && bay.Serves(s.Connector)).MaxBy(s => s.StartedAt ?? s.FirstReceivedAt);
        return Of(bay, visit, connector, charge, BaySensorRules.Current(state.Parking.Presences, bay.Id));
    }

    private static bool IsCableIn(ConnectorStatus? status) =>
        status is ConnectorStatus.Preparing or ConnectorStatus.Charging or ConnectorStatus.SuspendedEV or ConnectorStatus.SuspendedEVSE
            or ConnectorStatus.Finishing or ConnectorStatus.Occupied;
}

/// <summary>What an EV bay is doing, from its camera and its connector together, as the API's bay list shows it (from the store's projections).</summary>
public enum BayState
{
    /// <summary>No vehicle read there, connector available.</summary>
    Free,

    /// <summary>A vehicle stands there and is not charging (not plugged in, or plugged in but not yet drawing).</summary>
    VehicleNotCharging,

    Charging,

    /// <summary>Charging finished (<see cref="ChargingFinish"/>: stopped, or the EV stopped drawing for the threshold) and the vehicle is still there.</summary>
    ChargingFinished,

    /// <summary>The signals disagree: the connector is in use but no vehicle was read at the bay.</summary>
    Unknown,
}

/// <summary>The bay state from what the camera and the charger say (a pure function; the API and the dashboard use it).</summary>
public static class BayStates
{
    /// <param name="vehiclePresent">A current visit at the bay.</param>
    /// <param name="chargingFinished">
    /// The visit's charging finished, by <see cref="ChargingFinish"/> (the rule the idle event and the bill follow), and
    /// the vehicle is still there. A short pause is not the end of charging: until the rule says so, a vehicle whose EV
    /// stopped drawing shows as not charging, never as finished.
    /// </param>
    /// <param name="connector">The bay outlet's connector status, if known.</param>
    /// <param name="session">The outlet's active charging session's state, if any (2.0.1).</param>
    public static BayState Of(bool vehiclePresent, bool chargingFinished, ConnectorStatus? connector, ChargingState? session, bool sessionActive)
    {
        if (!vehiclePresent)
        {
            return sessionActive || connector is ConnectorStatus.Preparing or ConnectorStatus.Charging or ConnectorStatus.SuspendedEV
                or ConnectorStatus.SuspendedEVSE or ConnectorStatus.Finishing or ConnectorStatus.Occupied
                ? BayState.Unknown
                : BayState.Free;
        }

        if (chargingFinished)
        {
            return BayState.ChargingFinished;
        }

        // A pause by the charger (SuspendedEVSE) is charging as far as the driver is concerned, as the idle rule has it.
        var charging = session is { } state
            ? state is ChargingState.Charging or ChargingState.SuspendedEVSE
            : connector is ConnectorStatus.Charging or ConnectorStatus.SuspendedEVSE;
        return sessionActive && charging ? BayState.Charging : BayState.VehicleNotCharging;
    }
}
