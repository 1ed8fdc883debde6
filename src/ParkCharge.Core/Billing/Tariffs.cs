using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Billing;

/// <summary>OCPI 2.2.1 TariffDimensionType: what a price component charges for.</summary>
public enum TariffDimension
{
    /// <summary>Per kWh delivered.</summary>
    Energy,

    /// <summary>Once per charging session.</summary>
    Flat,

    /// <summary>Per hour connected but not charging (the EV finished or suspended).</summary>
    ParkingTime,

    /// <summary>Per hour charging.</summary>
    Time,
}

/// <summary>
/// OCPI 2.2.1 PriceComponent: a price (excluding VAT) per unit of a dimension, the VAT percentage,
/// and the step size (Wh for energy, seconds for time; the quantity is rounded up to whole steps).
/// </summary>
public sealed record PriceComponent(TariffDimension Type, decimal Price, decimal Vat = 0, int StepSize = 1);

/// <summary>
/// OCPI 2.2.1 TariffRestrictions. Times and dates are the site's local time (IANA zone); a
/// time range may wrap midnight (22:00–06:00). Durations are seconds since the charging session
/// started; kWh is the energy delivered so far; power in kW; current in A.
/// </summary>
public sealed record TariffRestrictions
{
    public TimeOnly? StartTime { get; init; }

    public TimeOnly? EndTime { get; init; }

    public DateOnly? StartDate { get; init; }

    public DateOnly? EndDate { get; init; }

    public decimal? MinKwh { get; init; }

    public decimal? MaxKwh { get; init; }

    public decimal? MinPowerKw { get; init; }

    public decimal? MaxPowerKw { get; init; }

    public decimal? MinCurrent { get; init; }

    public decimal? MaxCurrent { get; init; }

    public int? MinDurationSeconds { get; init; }

    public int? MaxDurationSeconds { get; init; }

    public IReadOnlyList<DayOfWeek> DaysOfWeek { get; init; } = [];
}

/// <summary>OCPI 2.2.1 TariffElement: price components that apply while the restrictions hold.</summary>
public sealed record TariffElement(IReadOnlyList<PriceComponent> PriceComponents, TariffRestrictions? Restrictions = null);

/// <summary>
/// A charging tariff in the OCPI 2.2.1 model (so operators can reuse what they publish for
/// roaming), versioned by validity, for all chargers of the site or only the listed ones.
/// Elements are evaluated in order: for each dimension, the first element whose restrictions hold
/// sets the price.
/// </summary>
public sealed record ChargingTariff
{
    public required string Id { get; init; }

    public IReadOnlyList<TariffElement> Elements { get; init; } = [];

    /// <summary>The least a charging session costs (excluding VAT).</summary>
    public decimal? MinPrice { get; init; }

    /// <summary>The most a charging session costs (excluding VAT).</summary>
    public decimal? MaxPrice { get; init; }

    /// <summary>VAT of the min/max adjustment lines.</summary>
    public decimal Vat { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidTo { get; init; }

    /// <summary>Only these chargers use the tariff; empty: every charger of the site.</summary>
    public IReadOnlyList<ChargerId> Chargers { get; init; } = [];

    public bool IsValidAt(DateTimeOffset at) => (ValidFrom is null || at >= ValidFrom) && (ValidTo is null || at < ValidTo);
}

/// <summary>A car-park price band: a price per started unit of time, restricted by local time of day and weekday.</summary>
public sealed record ParkingBand
{
    public string Name { get; init; } = "all day";

    public TimeOnly? From { get; init; }

    public TimeOnly? To { get; init; }

    public IReadOnlyList<DayOfWeek> Days { get; init; } = [];

    /// <summary>Price (excluding VAT) per started <see cref="Unit"/>.</summary>
    public required decimal PricePerUnit { get; init; }

    public TimeSpan Unit { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// The car-park tariff: bands (the first whose local time and weekday hold applies), the first
/// minutes free, daily and per-stay caps, and the charge for a stay whose entry was never read.
/// Versioned by validity: a stay is billed with the version in force at each moment.
/// </summary>
public sealed record ParkingTariff
{
    public required string Id { get; init; }

    public IReadOnlyList<ParkingBand> Bands { get; init; } = [];

    public decimal Vat { get; init; }

    /// <summary>The first minutes of every stay are free (unlike the entry grace, which frees a whole short stay).</summary>
    public TimeSpan FreeFirst { get; init; }

    /// <summary>The most a local calendar day of parking costs (excluding VAT).</summary>
    public decimal? DailyCap { get; init; }

    /// <summary>The most a whole stay's parking costs (excluding VAT).</summary>
    public decimal? StayCap { get; init; }

    /// <summary>Charged when the stay's entry is unknown (lost ticket), instead of its parking time.</summary>
    public decimal UnknownEntryCharge { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidTo { get; init; }

    public bool IsValidAt(DateTimeOffset at) => (ValidFrom is null || at >= ValidFrom) && (ValidTo is null || at < ValidTo);
}

/// <summary>
/// The site's rules for EV bays: a vehicle that starts charging within the grace of arriving at
/// the bay has parking waived from its arrival while it charges (fully or partly); otherwise the
/// parking fee runs until charging starts. After charging finishes (the transaction stopped, or
/// the EV suspended longer than <see cref="SuspendedThreshold"/>), an idle fee per started minute
/// runs after the site's idle grace, up to a cap.
/// </summary>
public sealed record EvBayRules
{
    public TimeSpan ChargingStartGrace { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How much of the parking fee is waived while charging, in percent (100: fully).</summary>
    public decimal ChargingWaiverPercent { get; init; } = 100;

    /// <summary>Idle fee per started minute (excluding VAT); zero: no idle fee.</summary>
    public decimal IdleFeePerMinute { get; init; }

    public decimal? IdleCap { get; init; }

    public decimal IdleVat { get; init; }

    /// <summary>An EV that stops drawing (SuspendedEV) for longer than this has finished charging.</summary>
    public TimeSpan SuspendedThreshold { get; init; } = TimeSpan.FromMinutes(15);
}

/// <summary>A plate whose parking (and idle time) the site covers: a permit or an allow-list entry.</summary>
public sealed record Permit(string Plate, DateTimeOffset? ValidFrom = null, DateTimeOffset? ValidTo = null, string? Note = null)
{
    public bool Covers(string plate, DateTimeOffset at) =>
        plate == Plate && (ValidFrom is null || at >= ValidFrom) && (ValidTo is null || at < ValidTo);
}

/// <summary>Everything a site bills with.</summary>
public sealed record SiteTariffs
{
    public IReadOnlyList<ParkingTariff> Parking { get; init; } = [];

    public IReadOnlyList<ChargingTariff> Charging { get; init; } = [];

    public EvBayRules EvBay { get; init; } = new();

    public IReadOnlyList<Permit> Permits { get; init; } = [];

    public ParkingTariff? ParkingAt(DateTimeOffset at) => Parking.LastOrDefault(t => t.IsValidAt(at));

    public ChargingTariff? ChargingAt(ChargerId charger, DateTimeOffset at) =>
        Charging.LastOrDefault(t => t.IsValidAt(at) && t.Chargers.Contains(charger))
        ?? Charging.LastOrDefault(t => t.IsValidAt(at) && t.Chargers.Count == 0);
}
