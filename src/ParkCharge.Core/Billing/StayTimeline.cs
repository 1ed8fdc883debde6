using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Billing;

/// <summary>A stretch of a stay at an EV bay.</summary>
public sealed record BayStay(string Bay, DateTimeOffset From, DateTimeOffset? To);

/// <summary>Energy delivered since the start of a charging session, at a moment.</summary>
public readonly record struct EnergyPoint(DateTimeOffset At, decimal Wh);

/// <summary>Current drawn at a moment, in A summed over the phases (OCPP Current.Import).</summary>
public readonly record struct CurrentPoint(DateTimeOffset At, decimal Amps);

/// <summary>A charging session bound to the stay, as billing needs it.</summary>
public sealed record ChargeWindow
{
    public required string ChargingSessionId { get; init; }

    public required ChargerId Charger { get; init; }

    /// <summary>The bay the vehicle was at (null when bound without a bay read).</summary>
    public string? Bay { get; init; }

    public required DateTimeOffset Start { get; init; }

    /// <summary>When the transaction stopped (null while it runs).</summary>
    public DateTimeOffset? Stop { get; init; }

    /// <summary>The charging states the charger reported, by time (none: charging from start to stop).</summary>
    public IReadOnlyList<ChargingStateChange> States { get; init; } = [];

    /// <summary>Energy since the start, in time order, starting with (Start, 0).</summary>
    public IReadOnlyList<EnergyPoint> Energy { get; init; } = [];

    /// <summary>Current drawn, in time order, when the charger reports it (OCPI min_current/max_current look at it).</summary>
    public IReadOnlyList<CurrentPoint> Current { get; init; } = [];

    /// <summary>The transaction as the idle rule (<see cref="Parking.ChargingFinish"/>) reads it.</summary>
    public Parking.ChargingFinish.Session Activity => new(Start, Stop, States);
}

/// <summary>
/// A parking session's timeline, which is all billing looks at: entry and exit, the bays the
/// vehicle stood at, and the charging sessions bound to it. Built by the site engine from its state;
/// stored, so that an estimate can be computed at any moment and replay can check every bill.
/// </summary>
public sealed record StayTimeline
{
    public required string ParkingSessionId { get; init; }

    public required string Plate { get; init; }

    /// <summary>Null when the entry was never read (the unknown-entry charge applies).</summary>
    public DateTimeOffset? EnteredAt { get; init; }

    public DateTimeOffset? ExitedAt { get; init; }

    public IReadOnlyList<BayStay> BayStays { get; init; } = [];

    public IReadOnlyList<ChargeWindow> Charges { get; init; } = [];
}
