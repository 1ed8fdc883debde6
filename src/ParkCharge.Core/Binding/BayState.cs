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

    /// <summary>Charging finished (<see cref="Parking.ChargingFinish"/>: stopped, or the EV stopped drawing for the threshold) and the vehicle is still there.</summary>
    ChargingFinished,

    /// <summary>The signals disagree: the connector is in use but no vehicle was read at the bay.</summary>
    Unknown,
}

/// <summary>The bay state from what the camera and the charger say (a pure function; the API and the dashboard use it).</summary>
public static class BayStates
{
    /// <param name="vehiclePresent">A current visit at the bay.</param>
    /// <param name="chargingFinished">
    /// The visit's charging finished, by <see cref="Parking.ChargingFinish"/> (the rule the idle event and the bill follow), and
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
