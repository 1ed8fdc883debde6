using System.Globalization;

namespace ParkCharge.Core.Billing;

/// <summary>What a bill needs from the site besides its tariffs.</summary>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="MinorUnits">Decimal places of the currency (2 for EUR, 0 for JPY); every line is rounded to them.</param>
/// <param name="Zone">The site's time zone: bands, days and restrictions are local.</param>
/// <param name="EntryGrace">A stay no longer than this pays no parking.</param>
/// <param name="IdleGrace">After charging finishes, the idle fee starts after this.</param>
public sealed record BillingContext(string Currency, int MinorUnits, TimeZoneInfo Zone, TimeSpan EntryGrace, TimeSpan IdleGrace);

/// <summary>
/// The bill of a stay: a pure function of its timeline, the site's tariffs and <c>until</c> (the exit,
/// or now for an estimate). Same inputs, same bill, to the cent.
/// </summary>
/// <remarks>
/// Rules (docs/billing.md explains them with examples):
/// <list type="bullet">
/// <item>Parking runs from entry + the tariff's free minutes to the exit. A stay within the entry grace pays none.
/// Parking time is summed per local day, tariff version, band and waiver state; each sum is charged per
/// started unit of its band. A daily cap limits each local day, a stay cap the whole stay.</item>
/// <item>At an EV bay, parking is waived while charging; when charging started within the EV-bay grace of
/// arriving at the bay, the waiver starts at the arrival. Charging ends at the stop, or when the EV has been
/// suspended longer than the threshold (then from the start of the suspension).</item>
/// <item>Charging is priced with the OCPI 2.2.1 model: the time is cut wherever a restriction, a meter value
/// or a tariff version can change; for each dimension the first element whose restrictions hold prices the
/// piece; each (element, dimension) total is rounded up to the component's step size.</item>
/// <item>Idle: from charging finished + the idle grace until the vehicle leaves the bay, per started minute, capped per stay.</item>
/// <item>A permit covering the plate at entry makes parking and idle lines zero (they stay on the bill).</item>
/// <item>Each line is rounded to the currency's minor unit, half away from zero; its VAT likewise; totals are sums of lines.</item>
/// </list>
/// </remarks>
public static class BillCalculator
{
    public static Bill Compute(StayTimeline stay, SiteTariffs tariffs, BillingContext context, DateTimeOffset until, BillStatus status)
    {
        var end = stay.ExitedAt is { } exit && exit <= until ? exit : until;
        if (stay.EnteredAt is { } entered && end < entered)
        {
            end = entered;
        }

        var lines = new List<BillLine>();
        var money = new Money(context.MinorUnits);
        ParkingLines(stay, tariffs, context, end, money, lines);
        foreach (var charge in stay.Charges.OrderBy(c => c.Start))
        {
            ChargingLines(charge, tariffs, context, end, money, lines);
        }

        IdleLines(stay, tariffs, context, end, money, lines);

        var permit = tariffs.Permits.FirstOrDefault(p => p.Covers(stay.Plate, stay.EnteredAt ?? end));
        if (permit is not null)
        {
            lines = Covered(lines, permit);
        }

        return new Bill
        {
            ParkingSessionId = stay.ParkingSessionId,
            Currency = context.Currency,
            Status = status,
            Until = end,
            Lines = lines,
        };
    }

    private static void ParkingLines(StayTimeline stay, SiteTariffs tariffs, BillingContext context, DateTimeOffset end, Money money, List<BillLine> lines)
    {
        if (stay.EnteredAt is not { } entered)
        {
            if (tariffs.ParkingAt(end) is { UnknownEntryCharge: > 0 } lost)
            {
                lines.Add(money.Line(
                    BillLineKind.UnknownEntry, "Parking, entry not recorded", null, end, 1, "stay", lost.UnknownEntryCharge, lost.UnknownEntryCharge, lost.Vat,
                    $"parking tariff '{lost.Id}': unknown-entry charge"));
            }

            return;
        }

        if (end - entered <= context.EntryGrace)
        {
            lines.Add(money.Line(
                BillLineKind.EntryGrace, "Parking within the entry grace", entered, end, Minutes(end - entered), "min", 0, 0, 0,
                $"entry grace {Minutes(context.EntryGrace)} min"));
            return;
        }

        var first = tariffs.ParkingAt(entered);
        var from = entered + (first?.FreeFirst ?? TimeSpan.Zero);
        if (first is { FreeFirst.Ticks: > 0 })
        {
            lines.Add(money.Line(
                BillLineKind.Parking, "Parking, free minutes", entered, Min(from, end), Minutes(Min(from, end) - entered), "min", 0, 0, first.Vat,
                $"parking tariff '{first.Id}': first {Minutes(first.FreeFirst)} min free"));
        }

        if (from >= end)
        {
            return;
        }

        var waivers = Waivers(stay, tariffs.EvBay, end);
        var cuts = new SortedSet<DateTimeOffset> { from, end };
        var clock = tariffs.Parking.SelectMany(t => t.Bands).SelectMany(b => new[] { b.From, b.To }).OfType<TimeOnly>();
        cuts.UnionWith(LocalTime.Boundaries(from, end, context.Zone, clock));
        cuts.UnionWith(tariffs.Parking.SelectMany(t => new[] { t.ValidFrom, t.ValidTo }).OfType<DateTimeOffset>().Where(t => t > from && t < end));
        cuts.UnionWith(waivers.SelectMany(w => new[] { w.From, w.To }).Where(t => t > from && t < end));

        var groups = new List<ParkingGroup>();
        DateTimeOffset? previous = null;
        foreach (var cut in cuts)
        {
            if (previous is { } a)
            {
                var local = LocalTime.Local(a, context.Zone);
                if (tariffs.ParkingAt(a) is { } tariff && Band(tariff, local) is { } band)
                {
                    var waived = waivers.Any(w => w.From <= a && a < w.To);
                    var day = DateOnly.FromDateTime(local);
                    var group = groups.Find(g => g.Day == day && g.Tariff == tariff && g.Band == band && g.Waived == waived);
                    if (group is null)
                    {
                        groups.Add(new ParkingGroup(day, tariff, band, waived) { From = a, To = cut, Duration = cut - a });
                    }
                    else
                    {
                        group.To = cut;
                        group.Duration += cut - a;
                    }
                }
            }

            previous = cut;
        }

        var parking = new List<(BillLine Line, ParkingGroup Group)>();
        var percentPaid = (100 - Math.Clamp(tariffs.EvBay.ChargingWaiverPercent, 0, 100)) / 100m;
        foreach (var group in groups)
        {
            var units = Math.Ceiling(group.Duration.Ticks / (decimal)group.Band.Unit.Ticks);
            var unit = UnitName(group.Band.Unit);
            var rule = $"parking tariff '{group.Tariff.Id}', band '{group.Band.Name}', per started {unit}";
            if (group.Waived)
            {
                var price = group.Band.PricePerUnit * percentPaid;
                parking.Add((money.Line(
                    BillLineKind.ParkingWhileCharging,
                    percentPaid == 0 ? "Parking while charging (waived)" : $"Parking while charging ({Percent(100 - percentPaid * 100)} % waived)",
                    group.From, group.To, units, unit, price, units * price, group.Tariff.Vat,
                    $"{rule}; EV-bay waiver {Percent(100 - percentPaid * 100)} %"), group));
            }
            else
            {
                parking.Add((money.Line(
                    BillLineKind.Parking, $"Parking, {group.Band.Name}", group.From, group.To, units, unit, group.Band.PricePerUnit, units * group.Band.PricePerUnit, group.Tariff.Vat, rule),
                    group));
            }
        }

        lines.AddRange(parking.Select(p => p.Line));

        // Daily caps: the tariff in force at the start of each day's parking.
        var afterDailyCaps = 0m;
        foreach (var day in parking.GroupBy(p => p.Group.Day))
        {
            var sum = day.Sum(p => p.Line.AmountExclVat);
            var tariff = day.First().Group.Tariff;
            if (tariff.DailyCap is { } cap && sum > cap)
            {
                lines.Add(money.Line(
                    BillLineKind.ParkingCap, $"Daily maximum {day.Key:yyyy-MM-dd}", day.Min(p => p.Group.From), day.Max(p => p.Group.To), 1, "day", cap - sum, cap - sum, tariff.Vat,
                    $"parking tariff '{tariff.Id}': daily cap {cap.ToString(CultureInfo.InvariantCulture)}"));
                sum = cap;
            }

            afterDailyCaps += sum;
        }

        if (first?.StayCap is { } stayCap && afterDailyCaps > stayCap)
        {
            lines.Add(money.Line(
                BillLineKind.ParkingCap, "Maximum per stay", entered, end, 1, "stay", stayCap - afterDailyCaps, stayCap - afterDailyCaps, first.Vat,
                $"parking tariff '{first.Id}': stay cap {stayCap.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    /// <summary>The periods parking is waived: while charging at an EV bay, from the arrival when charging started within the grace.</summary>
    private static List<(DateTimeOffset From, DateTimeOffset To)> Waivers(StayTimeline stay, EvBayRules rules, DateTimeOffset end)
    {
        var waivers = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var charge in stay.Charges)
        {
            var finished = charge.FinishedAt(rules.SuspendedThreshold, end) ?? end;
            var bayStay = charge.Bay is null ? null : stay.BayStays.FirstOrDefault(b =>
                b.Bay == charge.Bay && b.From <= charge.Start && (b.To is null || b.To > charge.Start));
            var from = bayStay is not null && charge.Start - bayStay.From <= rules.ChargingStartGrace ? bayStay.From : charge.Start;
            var to = Min(finished, end);
            if (to > from)
            {
                waivers.Add((from, to));
            }
        }

        return waivers;
    }

    private static ParkingBand? Band(ParkingTariff tariff, DateTime local) =>
        tariff.Bands.FirstOrDefault(b =>
            (b.Days.Count == 0 || b.Days.Contains(local.DayOfWeek)) && LocalTime.InRange(TimeOnly.FromDateTime(local), b.From, b.To));

    private static void ChargingLines(ChargeWindow charge, SiteTariffs tariffs, BillingContext context, DateTimeOffset end, Money money, List<BillLine> lines)
    {
        var stop = Min(charge.Stop ?? end, end);
        if (stop < charge.Start || tariffs.ChargingAt(charge.Charger, charge.Start) is not { } startTariff)
        {
            return;
        }

        var curve = new EnergyCurve(charge.Start, charge.Energy, stop);
        var finished = charge.FinishedAt(tariffs.EvBay.SuspendedThreshold, stop) ?? stop;
        var versions = tariffs.Charging.Where(t => t.Chargers.Count == 0 || t.Chargers.Contains(charge.Charger)).ToList();

        var cuts = new SortedSet<DateTimeOffset> { charge.Start, stop };
        cuts.UnionWith(charge.Energy.Select(p => p.At).Where(t => t > charge.Start && t < stop));
        if (finished > charge.Start && finished < stop)
        {
            cuts.Add(finished);
        }

        var restrictions = versions.SelectMany(t => t.Elements).Select(e => e.Restrictions).OfType<TariffRestrictions>().ToList();
        cuts.UnionWith(LocalTime.Boundaries(charge.Start, stop, context.Zone, restrictions.SelectMany(r => new[] { r.StartTime, r.EndTime }).OfType<TimeOnly>()));
        cuts.UnionWith(versions.SelectMany(t => new[] { t.ValidFrom, t.ValidTo }).OfType<DateTimeOffset>().Where(t => t > charge.Start && t < stop));
        foreach (var seconds in restrictions.SelectMany(r => new[] { r.MinDurationSeconds, r.MaxDurationSeconds }).OfType<int>())
        {
            var at = charge.Start + TimeSpan.FromSeconds(seconds);
            if (at > charge.Start && at < stop)
            {
                cuts.Add(at);
            }
        }

        foreach (var kwh in restrictions.SelectMany(r => new[] { r.MinKwh, r.MaxKwh }).OfType<decimal>())
        {
            if (curve.When(kwh * 1000) is { } at && at > charge.Start && at < stop)
            {
                cuts.Add(at);
            }
        }

        var totals = new List<ChargeGroup>();
        DateTimeOffset? previous = null;
        foreach (var cut in cuts)
        {
            if (previous is { } a && cut > a && tariffs.ChargingAt(charge.Charger, a) is { } tariff)
            {
                var wh = curve.At(cut) - curve.At(a);
                var seconds = (decimal)(cut - a).TotalSeconds;
                var moment = new Moment(
                    LocalTime.Local(a, context.Zone),
                    curve.At(a) / 1000,
                    seconds > 0 ? wh / 1000 / (seconds / 3600) : null,
                    (int)(a - charge.Start).TotalSeconds);
                if (wh > 0)
                {
                    Add(totals, tariff, TariffDimension.Energy, moment, wh, a, cut);
                }

                Add(totals, tariff, a < finished ? TariffDimension.Time : TariffDimension.ParkingTime, moment, seconds, a, cut);
            }

            previous = cut;
        }

        var flatMoment = new Moment(LocalTime.Local(charge.Start, context.Zone), 0, null, 0);
        Add(totals, startTariff, TariffDimension.Flat, flatMoment, 1, charge.Start, stop);

        var chargeLines = new List<BillLine>();
        foreach (var group in totals.OrderBy(g => g.Dimension).ThenBy(g => g.From))
        {
            chargeLines.Add(ChargeLine(group, charge, money));
        }

        lines.AddRange(chargeLines);
        var sum = chargeLines.Sum(l => l.AmountExclVat);
        if (startTariff.MinPrice is { } min && sum < min)
        {
            lines.Add(money.Line(
                BillLineKind.ChargingAdjustment, "Charging, minimum price", charge.Start, stop, 1, "session", min - sum, min - sum, startTariff.Vat,
                $"charging tariff '{startTariff.Id}': min_price {min.ToString(CultureInfo.InvariantCulture)}") with { ChargingSessionId = charge.ChargingSessionId });
        }
        else if (startTariff.MaxPrice is { } max && sum > max)
        {
            lines.Add(money.Line(
                BillLineKind.ChargingAdjustment, "Charging, maximum price", charge.Start, stop, 1, "session", max - sum, max - sum, startTariff.Vat,
                $"charging tariff '{startTariff.Id}': max_price {max.ToString(CultureInfo.InvariantCulture)}") with { ChargingSessionId = charge.ChargingSessionId });
        }
    }

    private static void Add(List<ChargeGroup> totals, ChargingTariff tariff, TariffDimension dimension, Moment moment, decimal quantity, DateTimeOffset from, DateTimeOffset to)
    {
        for (var i = 0; i < tariff.Elements.Count; i++)
        {
            var element = tariff.Elements[i];
            if (element.PriceComponents.FirstOrDefault(c => c.Type == dimension) is not { } component || !Holds(element.Restrictions, moment))
            {
                continue;
            }

            var group = totals.Find(g => g.Tariff == tariff && g.Element == i && g.Dimension == dimension);
            if (group is null)
            {
                totals.Add(new ChargeGroup(tariff, i, dimension, component) { Quantity = quantity, From = from, To = to });
            }
            else
            {
                group.Quantity += dimension == TariffDimension.Flat ? 0 : quantity;
                group.To = to;
            }

            return;
        }
    }

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
            && (r.MinPowerKw is not { } minKw || m.PowerKw >= minKw)
            && (r.MaxPowerKw is not { } maxKw || m.PowerKw is null || m.PowerKw < maxKw)
            && (r.MinDurationSeconds is not { } minS || m.Seconds >= minS)
            && (r.MaxDurationSeconds is not { } maxS || m.Seconds < maxS)
            && (r.DaysOfWeek.Count == 0 || r.DaysOfWeek.Contains(m.Local.DayOfWeek));
    }

    private static BillLine ChargeLine(ChargeGroup group, ChargeWindow charge, Money money)
    {
        var c = group.Component;
        var step = Math.Max(1, c.StepSize);
        var rule = $"charging tariff '{group.Tariff.Id}', element {group.Element + 1}, {Dimension(c.Type)}" + (step > 1 ? $", step {step}" : string.Empty);
        BillLine line = c.Type switch
        {
            TariffDimension.Energy => Stepped("Energy", "kWh", 1000m),
            TariffDimension.Time => Stepped("Charging time", "h", 3600m),
            TariffDimension.ParkingTime => Stepped("Connected, not charging", "h", 3600m),
            _ => money.Line(BillLineKind.Charging, "Charging session fee", group.From, group.To, 1, "session", c.Price, c.Price, c.Vat, rule),
        };
        return line with { ChargingSessionId = charge.ChargingSessionId };

        BillLine Stepped(string what, string unit, decimal perUnit)
        {
            var steps = Math.Ceiling(group.Quantity / step);
            var quantity = steps * step / perUnit;
            return money.Line(BillLineKind.Charging, what, group.From, group.To, Math.Round(quantity, 4), unit, c.Price, quantity * c.Price, c.Vat, rule);
        }
    }

    private static void IdleLines(StayTimeline stay, SiteTariffs tariffs, BillingContext context, DateTimeOffset end, Money money, List<BillLine> lines)
    {
        var rules = tariffs.EvBay;
        if (rules.IdleFeePerMinute <= 0)
        {
            return;
        }

        var idle = new List<BillLine>();
        foreach (var charge in stay.Charges.OrderBy(c => c.Start))
        {
            if (charge.FinishedAt(rules.SuspendedThreshold, end) is not { } finished || finished >= end)
            {
                continue;
            }

            DateTimeOffset leave;
            if (charge.Bay is null)
            {
                leave = Min(charge.Stop is { } stop && stop > finished ? stop : end, end);
            }
            else if (stay.BayStays.FirstOrDefault(b => b.Bay == charge.Bay && b.From <= finished && (b.To is null || b.To > finished)) is { } bayStay)
            {
                leave = Min(bayStay.To ?? end, end);
            }
            else
            {
                continue;
            }

            var from = finished + context.IdleGrace;
            if (leave <= from)
            {
                continue;
            }

            var minutes = Math.Ceiling((decimal)(leave - from).Ticks / TimeSpan.TicksPerMinute);
            idle.Add(money.Line(
                BillLineKind.Idle, charge.Bay is null ? "Idle after charging" : $"Idle after charging at bay {charge.Bay}", from, leave, minutes, "min",
                rules.IdleFeePerMinute, minutes * rules.IdleFeePerMinute, rules.IdleVat,
                $"EV-bay rules: idle fee per started minute after {Minutes(context.IdleGrace)} min grace") with { ChargingSessionId = charge.ChargingSessionId });
        }

        lines.AddRange(idle);
        var sum = idle.Sum(l => l.AmountExclVat);
        if (rules.IdleCap is { } cap && sum > cap)
        {
            lines.Add(money.Line(
                BillLineKind.IdleCap, "Idle fee maximum", idle.Min(l => l.From), idle.Max(l => l.To), 1, "stay", cap - sum, cap - sum, rules.IdleVat,
                $"EV-bay rules: idle cap {cap.ToString(CultureInfo.InvariantCulture)}"));
        }
    }

    private static List<BillLine> Covered(List<BillLine> lines, Permit permit)
    {
        var note = permit.Note is { Length: > 0 } n ? $" ({n})" : string.Empty;
        var covered = new List<BillLine>();
        foreach (var line in lines)
        {
            switch (line.Kind)
            {
                case BillLineKind.Parking or BillLineKind.ParkingWhileCharging or BillLineKind.UnknownEntry or BillLineKind.Idle or BillLineKind.EntryGrace:
                    covered.Add(line with { AmountExclVat = 0, Vat = 0, Rule = $"{line.Rule}; covered by permit{note}" });
                    break;
                case BillLineKind.ParkingCap or BillLineKind.IdleCap:
                    break;
                default:
                    covered.Add(line);
                    break;
            }
        }

        return covered;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static decimal Minutes(TimeSpan span) => Math.Round((decimal)span.TotalMinutes, 2);

    private static string Percent(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static string UnitName(TimeSpan unit) =>
        unit == TimeSpan.FromHours(1) ? "h"
        : unit.TotalHours is >= 1 and var h && h == Math.Floor(h) ? $"{h} h"
        : unit.TotalMinutes == Math.Floor(unit.TotalMinutes) ? $"{unit.TotalMinutes} min"
        : $"{unit.TotalSeconds} s";

    private static string Dimension(TariffDimension dimension) => dimension switch
    {
        TariffDimension.Energy => "ENERGY",
        TariffDimension.Time => "TIME",
        TariffDimension.ParkingTime => "PARKING_TIME",
        _ => "FLAT",
    };

    private sealed class ParkingGroup(DateOnly day, ParkingTariff tariff, ParkingBand band, bool waived)
    {
        public DateOnly Day { get; } = day;

        public ParkingTariff Tariff { get; } = tariff;

        public ParkingBand Band { get; } = band;

        public bool Waived { get; } = waived;

        public DateTimeOffset From { get; set; }

        public DateTimeOffset To { get; set; }

        public TimeSpan Duration { get; set; }
    }

    private sealed class ChargeGroup(ChargingTariff tariff, int element, TariffDimension dimension, PriceComponent component)
    {
        public ChargingTariff Tariff { get; } = tariff;

        public int Element { get; } = element;

        public TariffDimension Dimension { get; } = dimension;

        public PriceComponent Component { get; } = component;

        /// <summary>Wh, seconds, or 1 for FLAT.</summary>
        public decimal Quantity { get; set; }

        public DateTimeOffset From { get; set; }

        public DateTimeOffset To { get; set; }
    }

    /// <summary>What restrictions look at, at the start of a piece of a charging session.</summary>
    private readonly record struct Moment(DateTime Local, decimal Kwh, decimal? PowerKw, int Seconds);

    private readonly struct Money(int minorUnits)
    {
        public decimal Round(decimal amount) => Math.Round(amount, minorUnits, MidpointRounding.AwayFromZero);

        public BillLine Line(
            BillLineKind kind, string description, DateTimeOffset? from, DateTimeOffset? to, decimal quantity, string unit, decimal unitPrice, decimal amount, decimal vat, string rule)
        {
            var excl = Round(amount);
            return new BillLine
            {
                Kind = kind,
                Description = description,
                From = from,
                To = to,
                Quantity = quantity,
                Unit = unit,
                UnitPrice = unitPrice,
                AmountExclVat = excl,
                VatPercent = vat,
                Vat = Round(excl * vat / 100),
                Rule = rule,
            };
        }
    }
}
