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
/// OCPI 2.2.1 PriceComponent: a price (excluding VAT) per unit of a dimension (per kWh, per hour, or
/// once for FLAT), the VAT percentage (OCPI's omitted VAT is 0 here: no VAT either way), and the step
/// size (Wh for ENERGY, seconds for TIME and PARKING_TIME; none for FLAT, where OCPI writes 0 or 1).
/// How the step applies to a session is OCPI's CDR rule: see <see cref="CdrPricing"/>.
/// </summary>
public sealed record PriceComponent(TariffDimension Type, decimal Price, decimal Vat = 0, int StepSize = 1);

/// <summary>OCPI 2.2.1 TariffType: which sessions a tariff is for. A tariff without a type is for all sessions.</summary>
public enum TariffType
{
    /// <summary>Paid at the charger without a contract (card terminal).</summary>
    AdHocPayment,

    /// <summary>The driver chose the CHEAP charging preference.</summary>
    ProfileCheap,

    /// <summary>The driver chose the FAST charging preference.</summary>
    ProfileFast,

    /// <summary>The driver chose the GREEN charging preference.</summary>
    ProfileGreen,

    /// <summary>An RFID or app session without a charging preference (or with REGULAR).</summary>
    Regular,
}

/// <summary>OCPI 2.2.1 ReservationRestrictionType: an element that prices a reservation, or an expired one.</summary>
public enum ReservationRestriction
{
    /// <summary>The reservation, from when it was made until charging starts.</summary>
    Reservation,

    /// <summary>A reservation that expired without a charging session.</summary>
    ReservationExpires,
}

/// <summary>OCPI DisplayText: a text in a language (ISO 639-1).</summary>
public sealed record DisplayText(string Language, string Text);

/// <summary>
/// OCPI 2.2.1 TariffRestrictions, evaluated at the start of each charging period (OCPI: the CPO starts
/// a new period wherever an element may become active or inactive). Times and dates are the site's
/// local time (IANA zone); a time range may wrap midnight (22:00–06:00), and an end of 00:00 is the end
/// of the day. Durations are seconds since the charging session started (min inclusive, max
/// exclusive); kWh is the energy delivered before the period (min inclusive, max exclusive); power in
/// kW and current in A (summed over phases) of the period. An element with <see cref="Reservation"/>
/// prices only a reservation; one without prices only the session.
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

    public ReservationRestriction? Reservation { get; init; }
}

/// <summary>OCPI 2.2.1 TariffElement: price components that apply while the restrictions hold.</summary>
public sealed record TariffElement(IReadOnlyList<PriceComponent> PriceComponents, TariffRestrictions? Restrictions = null);

/// <summary>
/// A charging tariff in the OCPI 2.2.1 model (so operators can reuse what they publish for
/// roaming), versioned by validity, for all chargers of the site or only the listed ones.
/// Elements are evaluated in order: for each dimension, the first element whose restrictions hold
/// sets the price. The OCPI metadata (country, party, texts, energy mix, last update) is kept as
/// given, so the tariff can be published and shown back unchanged.
/// </summary>
public sealed record ChargingTariff
{
    public required string Id { get; init; }

    public IReadOnlyList<TariffElement> Elements { get; init; } = [];

    /// <summary>The least a charging session costs, excluding VAT (OCPI min_price.excl_vat).</summary>
    public decimal? MinPrice { get; init; }

    /// <summary>The most a charging session costs, excluding VAT (OCPI max_price.excl_vat).</summary>
    public decimal? MaxPrice { get; init; }

    /// <summary>The least a charging session costs, including VAT (OCPI min_price.incl_vat).</summary>
    public decimal? MinPriceInclVat { get; init; }

    /// <summary>The most a charging session costs, including VAT (OCPI max_price.incl_vat).</summary>
    public decimal? MaxPriceInclVat { get; init; }

    /// <summary>
    /// ParkCharge's older way to give the VAT of min/max prices: when an including-VAT figure is not
    /// given, it is the excluding-VAT one plus this percentage (0: it follows the session's own VAT).
    /// </summary>
    public decimal Vat { get; init; }

    /// <summary>OCPI TariffType: the sessions this tariff is for; null: every session.</summary>
    public TariffType? Type { get; init; }

    /// <summary>ISO 4217; when given it is the site's currency.</summary>
    public string? Currency { get; init; }

    public string? CountryCode { get; init; }

    public string? PartyId { get; init; }

    public IReadOnlyList<DisplayText> AltText { get; init; } = [];

    public string? AltUrl { get; init; }

    /// <summary>OCPI EnergyMix, as the JSON it was given in (ParkCharge does not price by it).</summary>
    public string? EnergyMix { get; init; }

    public DateTimeOffset? LastUpdated { get; init; }

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

    /// <summary>
    /// The charging tariff for a session of <paramref name="type"/> at <paramref name="charger"/> at a moment: a tariff
    /// for that charger before one for the whole site; within each, one of the session's type before one without a type.
    /// </summary>
    public ChargingTariff? ChargingAt(ChargerId charger, DateTimeOffset at, TariffType type = TariffType.Regular) =>
        TariffSelection.Choose(Charging.Where(t => t.Chargers.Contains(charger)), at, type)
        ?? TariffSelection.Choose(Charging.Where(t => t.Chargers.Count == 0), at, type);
}

/// <summary>OCPI's choice among tariffs: valid at the moment, and of the session's type (a tariff without a type is for every session).</summary>
public static class TariffSelection
{
    public static ChargingTariff? Choose(IEnumerable<ChargingTariff> tariffs, DateTimeOffset at, TariffType? type)
    {
        var valid = tariffs.Where(t => t.IsValidAt(at)).ToList();
        return type is { } wanted
            ? valid.LastOrDefault(t => t.Type == wanted) ?? valid.LastOrDefault(t => t.Type is null)
            : valid.LastOrDefault(t => t.Type is null) ?? valid.LastOrDefault(t => t.Type == TariffType.Regular) ?? valid.LastOrDefault();
    }
}
