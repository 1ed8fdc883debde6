namespace ParkCharge.Core.Billing;

/// <summary>A volume of a charging period (or a session's FLAT fee) with the tariff element that priced it.</summary>
public sealed record PricedVolume
{
    /// <summary>The period's index in <see cref="CdrSession.Periods"/>; for a FLAT fee, the period it was found in (-1: the session start).</summary>
    public required int Period { get; init; }

    public required TariffDimension Dimension { get; init; }

    /// <summary>Part of the reservation (OCPI RESERVATION_TIME and a reservation's FLAT fee).</summary>
    public required bool Reservation { get; init; }

    public required ChargingTariff Tariff { get; init; }

    /// <summary>The element's index in the tariff (0-based).</summary>
    public required int Element { get; init; }

    public required PriceComponent Component { get; init; }

    /// <summary>kWh, hours, or 1 for a FLAT fee: what the period consumed.</summary>
    public required decimal Volume { get; init; }

    /// <summary>What is billed: the volume, plus what the step size added if this is the last relevant period of its dimension.</summary>
    public required decimal Billed { get; init; }

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    /// <summary>The exact cost: billed volume × price, and that plus the component's VAT (not rounded).</summary>
    public Cost Cost
    {
        get
        {
            var excl = Billed * Component.Price;
            return new Cost(excl, excl + excl * Component.Vat / 100);
        }
    }
}

/// <summary>How a step size was applied to a session's total of one dimension.</summary>
/// <param name="Measured">kWh or hours the priced periods consumed.</param>
/// <param name="Billed">After rounding up to whole steps.</param>
/// <param name="StepSize">Wh or seconds, of the last relevant price component.</param>
public sealed record StepApplied(TariffDimension Dimension, bool Reservation, decimal Measured, decimal Billed, int StepSize, string TariffId, int Element);

/// <summary>Which of a tariff's price limits changed the total.</summary>
public enum PriceLimit
{
    MinPrice,
    MaxPrice,
}

/// <summary>A session priced by an OCPI tariff: every priced volume, the totals OCPI's CDR reports, exact and rounded.</summary>
public sealed record PricedCdr
{
    public required CdrSession Session { get; init; }

    /// <summary>The session's tariff (the one in force at its start): its min_price and max_price apply.</summary>
    public required ChargingTariff Tariff { get; init; }

    public IReadOnlyList<PricedVolume> Volumes { get; init; } = [];

    public IReadOnlyList<StepApplied> Steps { get; init; } = [];

    public decimal TotalEnergyKwh { get; init; }

    /// <summary>The session's duration: end minus start.</summary>
    public decimal TotalTimeHours { get; init; }

    public decimal TotalChargingHours { get; init; }

    public decimal TotalParkingHours { get; init; }

    public decimal TotalReservationHours { get; init; }

    public Cost EnergyCost { get; init; }

    /// <summary>TIME: the cost of charging time.</summary>
    public Cost TimeCost { get; init; }

    public Cost ParkingCost { get; init; }

    /// <summary>FLAT fees of the session (not of a reservation).</summary>
    public Cost FixedCost { get; init; }

    /// <summary>Reservation time and a reservation's FLAT fee.</summary>
    public Cost ReservationCost { get; init; }

    /// <summary>The sum of every priced volume, before min_price and max_price.</summary>
    public Cost Uncapped => EnergyCost + TimeCost + ParkingCost + FixedCost + ReservationCost;

    /// <summary>The session's cost after min_price and max_price, exact.</summary>
    public Cost Total { get; init; }

    /// <summary>Which limit changed the total (excluding or including VAT), if one did.</summary>
    public PriceLimit? Limit { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The total rounded once, to the currency's minor units (half away from zero).</summary>
    public Cost Rounded(int minorUnits) => Total.Rounded(minorUnits);

    public decimal Billed(TariffDimension dimension, bool reservation = false) =>
        Volumes.Where(v => v.Dimension == dimension && v.Reservation == reservation).Sum(v => v.Billed);
}

/// <summary>
/// Prices a session described as OCPI 2.2.1 charging periods with an OCPI tariff: exactly what bills a
/// stay's charging (<see cref="BillCalculator"/>), what <c>POST /api/v1/tariffs/price</c> and
/// <c>parkcharge price</c> answer, and what a session's CDR reports.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Each period's volumes are priced per dimension by the first element of the tariff whose
/// restrictions hold at the period's start (mod_tariffs): the local time, weekday and date of the start,
/// the session's duration at the start, the energy delivered before it, the period's power (MIN/MAX_POWER, else
/// its average) and current (MIN/MAX_CURRENT). A power or current the period does not tell is taken to hold.
/// Elements with a <c>reservation</c> restriction price only RESERVATION_TIME (the TIME component) and a
/// reservation's FLAT fee; for an expired reservation RESERVATION_EXPIRES elements come first.</item>
/// <item>FLAT: once for the session, by the first period in which an element with a FLAT component holds;
/// once more for a reservation if a reservation element has one.</item>
/// <item>step_size (mod_cdrs, "step_size"): applied once per session to the total of ENERGY, and once to
/// TIME and PARKING_TIME together, namely only to the total of the dimension of the last period that was
/// priced by TIME or PARKING_TIME ("not taken into account when switching from paying for charging time to
/// paying for parking"), each with the step of the last relevant price component; what the rounding adds is
/// billed at that component's price. Reservation time is rounded on its own. Time totals are taken in whole
/// seconds first (OCPI numbers carry 4 decimals of an hour, 0.36 s).</item>
/// <item>min_price and max_price (mod_tariffs notes): the total excluding VAT is kept within the limits'
/// excl_vat, and the total including VAT within their incl_vat, each on its own. A limit without an
/// including-VAT figure takes the tariff's <see cref="ChargingTariff.Vat"/> if set, else scales the
/// session's own VAT.</item>
/// <item>Nothing is rounded on the way: the totals are exact and rounded once, at the end, to the currency.</item>
/// </list>
/// </remarks>
public static class CdrPricing
{
    /// <summary>Decimals the exact amounts are kept to.</summary>
    public const int Exact = 12;

    private enum Mode
    {
        Session,
        Reservation,
        ExpiredReservation,
    }

    /// <param name="tariffs">Every tariff a period may name by <see cref="CdrPeriod.TariffId"/>.</param>
    /// <param name="tariff">The session's tariff: prices periods that name none, and sets min_price and max_price.</param>
    /// <param name="zone">The time zone of the charger's location: restrictions are local.</param>
    public static PricedCdr Price(CdrSession session, IReadOnlyList<ChargingTariff> tariffs, ChargingTariff tariff, TimeZoneInfo zone, IReadOnlyList<string>? warnings = null)
    {
        var periods = session.Periods.Select((p, i) => (Period: p, Index: i)).OrderBy(x => x.Period.Start).ToList();
        var expired = session.IsExpiredReservation;
        var volumes = new List<PricedVolume>();
        var kwh = 0m;
        var sessionFlat = false;
        var reservationFlat = false;
        for (var n = 0; n < periods.Count; n++)
        {
            var (period, index) = periods[n];
            var end = n + 1 < periods.Count ? periods[n + 1].Period.Start : session.End;
            if (end < period.Start)
            {
                end = period.Start;
            }

            var priceBy = period.TariffId is { } id ? tariffs.FirstOrDefault(t => t.Id == id) ?? tariff : tariff;
            var moment = MomentOf(session, period, end, kwh, zone);
            if (period.ReservationHours is { } reserved)
            {
                var mode = expired ? Mode.ExpiredReservation : Mode.Reservation;
                Add(volumes, priceBy, TariffDimension.Time, true, reserved, moment, mode, index, period.Start, end);
                if (!reservationFlat)
                {
                    reservationFlat = Add(volumes, priceBy, TariffDimension.Flat, true, 1, moment, mode, index, period.Start, end);
                }
            }

            if (period.EnergyKwh is { } energy)
            {
                Add(volumes, priceBy, TariffDimension.Energy, false, energy, moment, Mode.Session, index, period.Start, end);
            }

            if (period.ChargingHours is { } charging)
            {
                Add(volumes, priceBy, TariffDimension.Time, false, charging, moment, Mode.Session, index, period.Start, end);
            }

            if (period.ParkingHours is { } parking)
            {
                Add(volumes, priceBy, TariffDimension.ParkingTime, false, parking, moment, Mode.Session, index, period.Start, end);
            }

            if (period.HasSessionVolume && !sessionFlat)
            {
                sessionFlat = Add(volumes, priceBy, TariffDimension.Flat, false, 1, moment, Mode.Session, index, period.Start, end);
            }

            kwh += period.EnergyKwh ?? 0;
        }

        if (periods.Count == 0)
        {
            var start = new CdrPeriod { Start = session.Start };
            Add(volumes, tariff, TariffDimension.Flat, false, 1, MomentOf(session, start, session.End, 0, zone), Mode.Session, -1, session.Start, session.End);
        }

        var steps = new List<StepApplied>();
        Step(volumes, v => !v.Reservation && v.Dimension == TariffDimension.Energy, 1000, wholeUnits: false, steps);
        if (volumes.LastOrDefault(v => !v.Reservation && v.Dimension is TariffDimension.Time or TariffDimension.ParkingTime && v.Volume > 0) is { } lastTime)
        {
            Step(volumes, v => !v.Reservation && v.Dimension == lastTime.Dimension, 3600, wholeUnits: true, steps);
        }

        Step(volumes, v => v.Reservation && v.Dimension == TariffDimension.Time, 3600, wholeUnits: true, steps);

        // Exact to 12 decimals: what is left beyond that is decimal arithmetic's own rounding (1e-27), not money, and must
        // not tip a total that lies on a half cent one way or the other depending on how its periods were split.
        Cost Sum(Func<PricedVolume, bool> which) => volumes.Where(which).Aggregate(Cost.Zero, (sum, v) => sum + v.Cost).Rounded(Exact);
        var result = new PricedCdr
        {
            Session = session,
            Tariff = tariff,
            Volumes = volumes,
            Steps = steps,
            TotalEnergyKwh = session.Periods.Sum(p => p.EnergyKwh ?? 0),
            TotalTimeHours = Hours(session.End - session.Start),
            TotalChargingHours = session.Periods.Sum(p => p.ChargingHours ?? 0),
            TotalParkingHours = session.Periods.Sum(p => p.ParkingHours ?? 0),
            TotalReservationHours = session.Periods.Sum(p => p.ReservationHours ?? 0),
            EnergyCost = Sum(v => v.Dimension == TariffDimension.Energy && !v.Reservation),
            TimeCost = Sum(v => v.Dimension == TariffDimension.Time && !v.Reservation),
            ParkingCost = Sum(v => v.Dimension == TariffDimension.ParkingTime && !v.Reservation),
            FixedCost = Sum(v => v.Dimension == TariffDimension.Flat && !v.Reservation),
            ReservationCost = Sum(v => v.Reservation),
            Warnings = warnings ?? [],
        };
        var (total, limit) = Limit(result.Uncapped, tariff);
        return result with { Total = total.Rounded(Exact), Limit = limit };
    }

    /// <summary>Hours as OCPI counts them, exact to the tick.</summary>
    public static decimal Hours(TimeSpan span) => (decimal)span.Ticks / TimeSpan.TicksPerHour;

    /// <summary>min_price and max_price: the excluding-VAT and the including-VAT total each kept within its own limit.</summary>
    private static (Cost Total, PriceLimit? Limit) Limit(Cost total, ChargingTariff tariff)
    {
        var excl = total.ExclVat;
        var incl = total.InclVat;
        PriceLimit? limit = null;
        if (tariff.MaxPrice is { } max)
        {
            var maxIncl = tariff.MaxPriceInclVat ?? (tariff.Vat != 0 ? max + max * tariff.Vat / 100 : (decimal?)null);
            if (excl > max)
            {
                incl = maxIncl is null && excl != 0 ? incl * max / excl : incl;
                excl = max;
                limit = PriceLimit.MaxPrice;
            }

            if (maxIncl is { } capIncl && incl > capIncl)
            {
                incl = capIncl;
                limit = PriceLimit.MaxPrice;
            }
        }

        if (tariff.MinPrice is { } min)
        {
            var minIncl = tariff.MinPriceInclVat ?? (tariff.Vat != 0 || excl == 0 ? min + min * tariff.Vat / 100 : (decimal?)null);
            if (excl < min)
            {
                incl = minIncl is null && excl != 0 ? incl * min / excl : incl;
                excl = min;
                limit = PriceLimit.MinPrice;
            }

            if (minIncl is { } floorIncl && incl < floorIncl)
            {
                incl = floorIncl;
                limit = PriceLimit.MinPrice;
            }
        }

        return (new Cost(excl, incl), limit);
    }

    /// <summary>
    /// Rounds the session's total of the volumes <paramref name="dimension"/> picks (one dimension, in time order) up to whole
    /// steps of the last relevant component (the last with a volume), and bills what that adds at that component.
    /// </summary>
    /// <param name="unit">Step units per volume unit: 1000 Wh per kWh, 3600 s per hour.</param>
    private static void Step(List<PricedVolume> all, Func<PricedVolume, bool> dimension, decimal unit, bool wholeUnits, List<StepApplied> steps)
    {
        var volumes = all.Where(dimension).ToList();
        if (volumes.Count == 0)
        {
            return;
        }

        var last = volumes.LastOrDefault(v => v.Volume > 0) ?? volumes[^1];
        var step = last.Component.StepSize;
        var measured = volumes.Sum(v => v.Volume) * unit;
        if (step <= 0 || measured <= 0)
        {
            return;
        }

        // Time in whole seconds (OCPI hours carry 4 decimals: 0.36 s); energy to the µWh, so that a total of whole Wh that
        // decimal arithmetic left a hair above is not billed a step more.
        var basis = Math.Round(measured, wholeUnits ? 0 : 6, MidpointRounding.AwayFromZero);
        var billed = Math.Ceiling(basis / step) * step;
        if (billed > measured)
        {
            all[all.IndexOf(last)] = last with { Billed = last.Billed + (billed - measured) / unit };
        }

        steps.Add(new StepApplied(last.Dimension, last.Reservation, measured / unit, Math.Max(billed, measured) / unit, step, last.Tariff.Id, last.Element));
    }

    /// <summary>Prices a volume by the first element that holds; false when none does (the volume is free).</summary>
    private static bool Add(
        List<PricedVolume> volumes, ChargingTariff tariff, TariffDimension dimension, bool reservation, decimal volume, Moment moment, Mode mode, int period, DateTimeOffset from, DateTimeOffset to)
    {
        if (First(tariff, dimension, moment, mode) is not { } found)
        {
            return false;
        }

        volumes.Add(new PricedVolume
        {
            Period = period,
            Dimension = dimension,
            Reservation = reservation,
            Tariff = tariff,
            Element = found.Element,
            Component = found.Component,
            Volume = volume,
            Billed = volume,
            From = from,
            To = to,
        });
        return true;
    }

    /// <summary>The first element with a component of the dimension whose restrictions hold (mod_tariffs: "the first ... will be used").</summary>
    private static (int Element, PriceComponent Component)? First(ChargingTariff tariff, TariffDimension dimension, Moment moment, Mode mode)
    {
        if (mode == Mode.ExpiredReservation)
        {
            return First(tariff, dimension, moment, ReservationRestriction.ReservationExpires) ?? First(tariff, dimension, moment, ReservationRestriction.Reservation);
        }

        return First(tariff, dimension, moment, mode == Mode.Reservation ? ReservationRestriction.Reservation : null);
    }

    private static (int Element, PriceComponent Component)? First(ChargingTariff tariff, TariffDimension dimension, Moment moment, ReservationRestriction? reservation)
    {
        for (var i = 0; i < tariff.Elements.Count; i++)
        {
            var element = tariff.Elements[i];
            if (element.Restrictions?.Reservation != reservation)
            {
                continue;
            }

            if (element.PriceComponents.FirstOrDefault(c => c.Type == dimension) is { } component && Holds(element.Restrictions, moment))
            {
                return (i, component);
            }
        }

        return null;
    }

    /// <summary>Whether an element's restrictions hold at a period's start.</summary>
    private static bool Holds(TariffRestrictions? r, Moment m)
    {
        if (r is null)
        {
            return true;
        }

        var date = DateOnly.FromDateTime(m.Local);
        return (r.StartTime is null && r.EndTime is null || LocalTime.InRange(TimeOnly.FromDateTime(m.Local), r.StartTime, r.EndTime))
            && (r.StartDate is not { } sd || date >= sd)
            && (r.EndDate is not { } ed || date < ed)
            && (r.MinKwh is not { } minKwh || m.Kwh >= minKwh)
            && (r.MaxKwh is not { } maxKwh || m.Kwh < maxKwh)
            && (r.MinDurationSeconds is not { } minS || m.Seconds >= minS)
            && (r.MaxDurationSeconds is not { } maxS || m.Seconds < maxS)
            && (r.MinPowerKw is not { } minKw || (m.MinPower ?? m.MaxPower) is not { } low || low >= minKw)
            && (r.MaxPowerKw is not { } maxKw || (m.MaxPower ?? m.MinPower) is not { } high || high < maxKw)
            && (r.MinCurrent is not { } minA || (m.MinCurrent ?? m.MaxCurrent) is not { } lowA || lowA >= minA)
            && (r.MaxCurrent is not { } maxA || (m.MaxCurrent ?? m.MinCurrent) is not { } highA || highA < maxA)
            && (r.DaysOfWeek.Count == 0 || r.DaysOfWeek.Contains(m.Local.DayOfWeek));
    }

    /// <summary>
    /// What restrictions look at for a period: its local start, the energy before it, the session's duration at its
    /// start, and its power (MIN/MAX_POWER, else its average: energy over its time) and current (MIN/MAX_CURRENT).
    /// </summary>
    private static Moment MomentOf(CdrSession session, CdrPeriod period, DateTimeOffset end, decimal kwhBefore, TimeZoneInfo zone)
    {
        var hours = period.ChargingHours ?? period.ParkingHours ?? Hours(end - period.Start);
        decimal? average = hours > 0 ? (period.EnergyKwh ?? 0) / hours : period.EnergyKwh is null or 0 ? 0 : null;

        // The energy to the µWh: a sum of periods that decimal arithmetic left a hair under a min_kwh still reaches it.
        return new Moment(
            LocalTime.Local(period.Start, zone),
            Math.Round(kwhBefore, 9),
            (decimal)(period.Start - session.Start).Ticks / TimeSpan.TicksPerSecond,
            period.MinPowerKw ?? period.MaxPowerKw ?? average,
            period.MaxPowerKw ?? period.MinPowerKw ?? average,
            period.MinCurrent,
            period.MaxCurrent);
    }

    private readonly record struct Moment(DateTime Local, decimal Kwh, decimal Seconds, decimal? MinPower, decimal? MaxPower, decimal? MinCurrent, decimal? MaxCurrent);
}
