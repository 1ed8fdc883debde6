using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Billing;

/// <summary>A stretch of a stay at an EV bay.</summary>
public sealed record BayStay(string Bay, DateTimeOffset From, DateTimeOffset? To);

/// <summary>Energy delivered since the start of a charging session, at a moment.</summary>
public readonly record struct EnergyPoint(DateTimeOffset At, decimal Wh);

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

    /// <summary>Since when the EV has stopped drawing (SuspendedEV / Idle / Finishing), if it has.</summary>
    public DateTimeOffset? SuspendedSince { get; init; }

    /// <summary>Energy since the start, in time order, starting with (Start, 0).</summary>
    public IReadOnlyList<EnergyPoint> Energy { get; init; } = [];

    /// <summary>When charging finished: the stop, or a suspension longer than the threshold that lasted until <paramref name="until"/>.</summary>
    public DateTimeOffset? FinishedAt(TimeSpan suspendedThreshold, DateTimeOffset until)
    {
        var end = Stop ?? until;
        var suspended = SuspendedSince is { } s && s + suspendedThreshold <= end ? s : (DateTimeOffset?)null;
        return suspended is { } at && (Stop is null || at < Stop) ? at : Stop;
    }
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
