using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Binding;

/// <summary>What an EV bay is doing, from its camera and its connector together.</summary>
public enum BayState
{
    /// <summary>No vehicle read there, connector available.</summary>
    Free,

    /// <summary>A vehicle stands there and is not charging (not plugged in, or plugged in but not yet drawing).</summary>
    VehicleNotCharging,

    Charging,

    /// <summary>Charging finished (stopped, or the EV stopped drawing) and the vehicle is still there.</summary>
    ChargingFinished,

    /// <summary>The signals disagree: the connector is in use but no vehicle was read at the bay.</summary>
    Unknown,
}

/// <summary>The bay state from what the camera and the charger say (a pure function; the API and the dashboard use it).</summary>
public static class BayStates
{
    /// <param name="vehiclePresent">A current visit at the bay.</param>
    /// <param name="chargingFinished">The visit's charging finished (and it is still there).</param>
    /// <param name="connector">The bay outlet's connector status, if known.</param>
    /// <param name="session">The outlet's active charging session, if any.</param>
    public static BayState Of(bool vehiclePresent, bool chargingFinished, ConnectorStatus? connector, ChargingState? session, bool sessionActive)
    {
        if (!vehiclePresent)
        {
            return sessionActive || connector is ConnectorStatus.Preparing or ConnectorStatus.Charging or ConnectorStatus.SuspendedEV
                or ConnectorStatus.SuspendedEVSE or ConnectorStatus.Finishing or ConnectorStatus.Occupied
                ? BayState.Unknown
                : BayState.Free;
        }

        if (chargingFinished || connector is ConnectorStatus.Finishing || (connector is ConnectorStatus.SuspendedEV && sessionActive)
            || session is ChargingState.SuspendedEV or ChargingState.Idle)
        {
            return sessionActive || chargingFinished ? BayState.ChargingFinished : BayState.VehicleNotCharging;
        }

        return sessionActive && (session is ChargingState.Charging || connector is ConnectorStatus.Charging)
            ? BayState.Charging
            : BayState.VehicleNotCharging;
    }
}
