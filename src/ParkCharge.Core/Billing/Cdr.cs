namespace ParkCharge.Core.Billing;

/// <summary>
/// OCPI 2.2.1 ChargingPeriod: from <see cref="Start"/> until the next period starts (the last one until the
/// session ends), with the volumes of its CdrDimensions. Restrictions are evaluated at its start.
/// </summary>
public sealed record CdrPeriod
{
    public required DateTimeOffset Start { get; init; }

    /// <summary>ENERGY: kWh delivered in the period.</summary>
    public decimal? EnergyKwh { get; init; }

    /// <summary>TIME: hours charging (energy flowing).</summary>
    public decimal? ChargingHours { get; init; }

    /// <summary>PARKING_TIME: hours connected but not charging.</summary>
    public decimal? ParkingHours { get; init; }

    /// <summary>RESERVATION_TIME: hours the charger was reserved and not yet used.</summary>
    public decimal? ReservationHours { get; init; }

    /// <summary>MIN_CURRENT: A, summed over phases.</summary>
    public decimal? MinCurrent { get; init; }

    /// <summary>MAX_CURRENT: A, summed over phases.</summary>
    public decimal? MaxCurrent { get; init; }

    /// <summary>MIN_POWER: kW.</summary>
    public decimal? MinPowerKw { get; init; }

    /// <summary>MAX_POWER: kW.</summary>
    public decimal? MaxPowerKw { get; init; }

    /// <summary>The tariff of this period (a session can switch tariffs); null: the session's tariff.</summary>
    public string? TariffId { get; init; }

    /// <summary>Something of the charging session itself (not only a reservation) happened in the period.</summary>
    public bool HasSessionVolume => EnergyKwh is not null || ChargingHours is not null || ParkingHours is not null;
}

/// <summary>A charging session as OCPI's CDR describes it: start, end and charging periods.</summary>
public sealed record CdrSession
{
    /// <summary>The start of the session (or of its reservation): durations in restrictions count from here.</summary>
    public required DateTimeOffset Start { get; init; }

    public required DateTimeOffset End { get; init; }

    public IReadOnlyList<CdrPeriod> Periods { get; init; } = [];

    /// <summary>A reservation that ended without a charging session (OCPI RESERVATION_EXPIRES).</summary>
    public bool IsExpiredReservation => Periods.Any(p => p.ReservationHours is not null) && !Periods.Any(p => p.HasSessionVolume);
}

/// <summary>OCPI Price: an amount excluding and including VAT.</summary>
public readonly record struct Cost(decimal ExclVat, decimal InclVat)
{
    public static readonly Cost Zero = new(0, 0);

    public decimal Vat => InclVat - ExclVat;

    public static Cost operator +(Cost a, Cost b) => new(a.ExclVat + b.ExclVat, a.InclVat + b.InclVat);

    public static Cost operator -(Cost a, Cost b) => new(a.ExclVat - b.ExclVat, a.InclVat - b.InclVat);

    /// <summary>Both amounts rounded to <paramref name="decimals"/>, half away from zero.</summary>
    public Cost Rounded(int decimals) =>
        new(Math.Round(ExclVat, decimals, MidpointRounding.AwayFromZero), Math.Round(InclVat, decimals, MidpointRounding.AwayFromZero));
}
