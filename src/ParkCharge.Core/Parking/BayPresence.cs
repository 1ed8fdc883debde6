namespace ParkCharge.Core.Parking;

/// <summary>What told the charger a vehicle stands in its bay.</summary>
public enum BaySensorSignal
{
    /// <summary>A 2.0.1/2.1 NotifyEvent of the <c>BayOccupancySensor</c> component's <c>Active</c> variable (true: occupied, false: empty).</summary>
    BayOccupancySensor,

    /// <summary>
    /// A 2.0.1/2.1 TransactionEvent with trigger reason <c>EVDetected</c> (arrival) or <c>EVDeparted</c> (departure): a charger whose
    /// TxStartPoint/TxStopPoint is <c>EVDetected</c> or <c>ParkingBayOccupancy</c> starts and ends its transactions on them.
    /// </summary>
    TransactionEvent,
}

/// <summary>
/// A vehicle in an EV bay as the charger's own sensor says, from its arrival to its departure: a second source of
/// occupancy beside the bay camera, without a plate. Binding matches it to a vehicle where the camera is missing or
/// silent (<c>Binding/BindingRules.cs</c>); the visit it then becomes (<see cref="BayVisitSource.ChargerSensor"/>)
/// carries the idle time to the departure.
/// </summary>
public sealed record BayPresence
{
    public required string Id { get; init; }

    public required string Bay { get; init; }

    public required Charging.ChargerId Charger { get; init; }

    /// <summary>When the charger sensed the vehicle arrive (its clock, unless it ran implausibly ahead).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    public required BaySensorSignal StartedBy { get; init; }

    /// <summary>When the charger sensed the bay empty again.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    public BaySensorSignal? EndedBy { get; init; }

    /// <summary>The visit this presence became once binding knew whose vehicle it was.</summary>
    public string? BayVisitId { get; init; }

    public bool IsCurrent => EndedAt is null;

    /// <summary>The vehicle stood there at <paramref name="t"/> (within <paramref name="slack"/>: charger events and plug-ins are seconds apart).</summary>
    public bool Covers(DateTimeOffset t, TimeSpan slack) => StartedAt <= t + slack && (EndedAt is null || EndedAt >= t - slack);
}
