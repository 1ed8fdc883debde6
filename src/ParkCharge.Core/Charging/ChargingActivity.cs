namespace ParkCharge.Core.Charging;

/// <summary>
/// One report of what the energy flow of a transaction is doing, at the charger's time: an OCPP 2.0.1
/// TransactionEvent's chargingState, or an OCPP 1.6 StatusNotification (Charging, SuspendedEV,
/// SuspendedEVSE, Finishing) for the connector of a running transaction.
/// </summary>
public readonly record struct ChargingStateChange(DateTimeOffset At, ChargingState State);

/// <summary>A stretch of a transaction in one charging state, [<see cref="From"/>, <see cref="To"/>).</summary>
public readonly record struct ActivityStretch(DateTimeOffset From, DateTimeOffset To, ChargingState State)
{
    /// <summary>Energy flows (OCPI: TIME, not PARKING_TIME).</summary>
    public bool EnergyFlows => State == ChargingState.Charging;

    /// <summary>
    /// The vehicle is charging as far as the driver is concerned: energy flows, or the charger (not the
    /// EV) paused it (SuspendedEVSE: load management, a schedule). Stopping to draw on the EV's side
    /// (SuspendedEV, EVConnected, Idle) is not.
    /// </summary>
    public bool DriverCharging => State is ChargingState.Charging or ChargingState.SuspendedEVSE;
}

/// <summary>The charging states of a transaction over time.</summary>
public static class ChargingActivity
{
    /// <summary>
    /// The stretches of [<paramref name="start"/>, <paramref name="end"/>) by reported state, in time order. Before the first
    /// report the transaction counts as charging: a charger that reports no states (many 1.6 chargers) charges from
    /// start to stop, as ParkCharge has always billed it.
    /// </summary>
    public static List<ActivityStretch> Stretches(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<ChargingStateChange> states)
    {
        var stretches = new List<ActivityStretch>();
        if (end <= start)
        {
            return stretches;
        }

        var from = start;
        var state = ChargingState.Charging;
        foreach (var change in states.OrderBy(s => s.At))
        {
            if (change.At >= end)
            {
                break;
            }

            if (change.At > from && change.State != state)
            {
                stretches.Add(new ActivityStretch(from, change.At, state));
                from = change.At;
            }

            state = change.State;
        }

        stretches.Add(new ActivityStretch(from, end, state));
        return stretches;
    }

    /// <summary>The state at an instant (the latest report at or before it; charging before any).</summary>
    public static ChargingState At(IReadOnlyList<ChargingStateChange> states, DateTimeOffset at)
    {
        var state = ChargingState.Charging;
        var latest = DateTimeOffset.MinValue;
        foreach (var change in states)
        {
            if (change.At <= at && change.At >= latest)
            {
                state = change.State;
                latest = change.At;
            }
        }

        return state;
    }

    /// <summary>The instants at which the state changes inside (<paramref name="start"/>, <paramref name="end"/>).</summary>
    public static IEnumerable<DateTimeOffset> Changes(DateTimeOffset start, DateTimeOffset end, IReadOnlyList<ChargingStateChange> states) =>
        Stretches(start, end, states).Skip(1).Select(s => s.From);
}
