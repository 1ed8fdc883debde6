using System.Collections.Immutable;

namespace ParkCharge.Core.Parking;

/// <summary>Why a vehicle's visit of a bay ended: the first reliable sign that it left.</summary>
public enum BayVisitEnd
{
    /// <summary>The bay camera reported its bay empty.</summary>
    Vacated,

    /// <summary>The camera read another plate at the bay.</summary>
    AnotherVehicle,

    /// <summary>The same plate was read at another bay.</summary>
    MovedToAnotherBay,

    /// <summary>The plate was read leaving at a gate.</summary>
    ExitedCarPark,

    /// <summary>The bay's connector went back to Available with no bay read since.</summary>
    ConnectorAvailable,

    /// <summary>The charger's own bay sensor reported the bay empty (<c>EVDeparted</c>, <c>BayOccupancySensor</c> inactive).</summary>
    SensorVacated,

    Operator,
}

/// <summary>Who placed the vehicle at the bay.</summary>
public enum BayVisitSource
{
    /// <summary>The bay camera read its plate there.</summary>
    BayCamera,

    /// <summary>
    /// The charger's bay sensor sensed a vehicle (<see cref="BayPresence"/>) and binding found whose it was (a known id token,
    /// the gate entry that matches the arrival by time, an operator): no camera read the plate at the bay.
    /// </summary>
    ChargerSensor,
}

/// <summary>A vehicle standing at a bay, from its first bay read until the first sign it left.</summary>
public sealed record BayVisit
{
    public required string Id { get; init; }

    public required string Bay { get; init; }

    public required string Plate { get; init; }

    public required string PlateRaw { get; init; }

    /// <summary>The open parking session of the plate (exact, or unique OCR-similar match), if any.</summary>
    public string? ParkingSessionId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The latest read of the plate at the bay.</summary>
    public required DateTimeOffset LastSeenAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public BayVisitEnd? EndReason { get; init; }

    /// <summary>The sighting that started the visit (for a <see cref="BayVisitSource.ChargerSensor"/> visit: its <see cref="BayPresence"/>'s id).</summary>
    public required string SightingId { get; init; }

    public BayVisitSource Source { get; init; } = BayVisitSource.BayCamera;

    /// <summary>Charging sessions bound to this vehicle at this bay.</summary>
    public ImmutableArray<string> ChargingSessionIds { get; init; } = [];

    /// <summary>When the visit was found to occupy an EV bay without charging for longer than the site allows.</summary>
    public DateTimeOffset? IceDetectedAt { get; init; }

    /// <summary>When charging finished with the vehicle still in the bay (idle fees run from the grace after it).</summary>
    public DateTimeOffset? ChargingFinishedAt { get; init; }

    /// <summary>When the idle period (after the grace) started.</summary>
    public DateTimeOffset? IdleSince { get; init; }

    public bool IsCurrent => EndedAt is null;
}
