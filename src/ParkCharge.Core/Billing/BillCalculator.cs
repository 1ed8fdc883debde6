using System.Globalization;

using ParkCharge.Core.Parking;

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
/// arriving at the bay, the waiver starts at the arrival. It is not waived after charging finished
/// (<see cref="ChargingFinish"/>: the stop, or the EV not drawing for the suspended threshold) until charging resumes.</item>
/// <item>Charging is an OCPI 2.2.1 session priced by <see cref="CdrPricing"/>: periods cut wherever a restriction,
/// a charging state or a tariff version can change; per dimension the first element whose restrictions hold at a
/// period's start prices it; step sizes once per session; min/max price with and without VAT; the session's
/// total rounded once and shared out over its lines.</item>
/// <item>Idle: from charging finished + the idle grace until charging resumes or the vehicle leaves the bay, per
/// started minute, capped per stay.</item>
/// <item>A permit covering the plate at entry makes parking and idle lines zero (they stay on the bill).</item>
/// <item>Parking and idle lines are rounded to the currency's minor unit, half away from zero, their VAT likewise;
/// totals are sums of lines.</item>
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
            ChargingLines(charge, tariffs, context, end, lines);
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

    /// <summary>
    /// The periods parking is waived: while a vehicle charges at an EV bay (from the arrival when charging started
    /// within the grace), except the time after charging finished (<see cref="ChargingFinish"/>) until it resumed.
    /// </summary>
    private static List<(DateTimeOffset From, DateTimeOffset To)> Waivers(StayTimeline stay, EvBayRules rules, DateTimeOffset end)
    {
        var waivers = new List<(DateTimeOffset From, DateTimeOffset To)>();
        foreach (var (group, _) in ChargeGroups(stay, end))
        {
            var finishes = ChargingFinish.Finishes([.. group.Select(c => c.Activity)], rules.SuspendedThreshold, end);
            foreach (var charge in group)
            {
                var bayStay = charge.Bay is null ? null : stay.BayStays.FirstOrDefault(b =>
                    b.Bay == charge.Bay && b.From <= charge.Start && (b.To is null || b.To > charge.Start));
                var from = bayStay is not null && charge.Start - bayStay.From <= rules.ChargingStartGrace ? bayStay.From : charge.Start;
                var to = Min(charge.Stop ?? end, end);
                var pieces = new List<(DateTimeOffset From, DateTimeOffset To)> { (from, to) };
                foreach (var finish in finishes)
                {
                    pieces = [.. pieces.SelectMany(p => Subtract(p, (finish.At, finish.ResumedAt ?? DateTimeOffset.MaxValue)))];
                }

                waivers.AddRange(pieces.Where(p => p.To > p.From));
            }
        }

        return waivers;
    }

    private static IEnumerable<(DateTimeOffset From, DateTimeOffset To)> Subtract((DateTimeOffset From, DateTimeOffset To) a, (DateTimeOffset From, DateTimeOffset To) b)
    {
        if (b.To <= a.From || b.From >= a.To)
        {
            yield return a;
            yield break;
        }

        if (b.From > a.From)
        {
            yield return (a.From, b.From);
        }

        if (b.To < a.To)
        {
            yield return (b.To, a.To);
        }
    }

    /// <summary>
    /// The charging sessions of a stay, grouped by the visit of an EV bay they belong to (the bay stay they overlap),
    /// in start order; a session bound without a bay read is a group of its own. The idle rule looks at a group as one
    /// vehicle at one bay, as the engine does with a bay visit's sessions.
    /// </summary>
    private static List<(List<ChargeWindow> Charges, BayStay? BayStay)> ChargeGroups(StayTimeline stay, DateTimeOffset end)
    {
        var groups = new List<(List<ChargeWindow> Charges, BayStay? BayStay)>();
        foreach (var charge in stay.Charges.Where(c => c.Start <= end).OrderBy(c => c.Start))
        {
            var chargeEnd = charge.Stop ?? end;
            var bayStay = charge.Bay is null ? null : stay.BayStays.FirstOrDefault(b =>
                b.Bay == charge.Bay && b.From <= chargeEnd && (b.To is null || b.To > charge.Start));
            var group = bayStay is null ? -1 : groups.FindIndex(g => g.BayStay == bayStay);
            if (group >= 0)
            {
                groups[group].Charges.Add(charge);
            }
            else
            {
                groups.Add(([charge], bayStay));
            }
        }

        return groups;
    }

    private static ParkingBand? Band(ParkingTariff tariff, DateTime local) =>
        tariff.Bands.FirstOrDefault(b =>
            (b.Days.Count == 0 || b.Days.Contains(local.DayOfWeek)) && LocalTime.InRange(TimeOnly.FromDateTime(local), b.From, b.To));

    /// <summary>
    /// A charging session's lines: the session as OCPI charging periods (<see cref="SessionPeriods"/>), priced by
    /// <see cref="CdrPricing"/> with the tariff in force at its start; one line per element and dimension. The session's
    /// total is rounded once (excluding and including VAT) and shared out over its lines, so they add up to it.
    /// </summary>
    private static void ChargingLines(ChargeWindow charge, SiteTariffs tariffs, BillingContext context, DateTimeOffset end, List<BillLine> lines)
    {
        if (PriceCharge(charge, tariffs, context.Zone, end) is { } priced)
        {
            lines.AddRange(ChargingBill.Lines(priced, context.MinorUnits, charge.ChargingSessionId));
        }
    }

    /// <summary>
    /// A charging session priced as its bill prices it, up to <paramref name="end"/> (or its stop, if earlier): the
    /// charging part of the bill, also what a charger is told as the running cost. Null without a tariff.
    /// </summary>
    public static PricedCdr? PriceCharge(ChargeWindow charge, SiteTariffs tariffs, TimeZoneInfo zone, DateTimeOffset end)
    {
        var stop = Min(charge.Stop ?? end, end);
        if (stop < charge.Start || tariffs.ChargingAt(charge.Charger, charge.Start) is not { } startTariff)
        {
            return null;
        }

        var versions = tariffs.Charging.Where(t => t.Chargers.Count == 0 || t.Chargers.Contains(charge.Charger)).ToList();
        var session = SessionPeriods.Of(charge, tariffs, zone, stop);
        return CdrPricing.Price(session, versions, startTariff, zone);
    }

    /// <summary>
    /// Idle: after charging finished (<see cref="ChargingFinish"/>, the rule the <c>bay.idle_started</c> event follows)
    /// and the idle grace, until charging resumed or the vehicle left the bay; per started minute, capped per stay.
    /// </summary>
    private static void IdleLines(StayTimeline stay, SiteTariffs tariffs, BillingContext context, DateTimeOffset end, Money money, List<BillLine> lines)
    {
        var rules = tariffs.EvBay;
        if (rules.IdleFeePerMinute <= 0)
        {
            return;
        }

        var idle = new List<BillLine>();
        foreach (var (group, bayStay) in ChargeGroups(stay, end))
        {
            var bay = group[0].Bay;
            if (bay is not null && bayStay is null)
            {
                continue;
            }

            foreach (var finish in ChargingFinish.Finishes([.. group.Select(c => c.Activity)], rules.SuspendedThreshold, end))
            {
                var charge = group.LastOrDefault(c => c.Start <= finish.At) ?? group[0];
                DateTimeOffset leave = bayStay is not null
                    ? Min(bayStay.To ?? end, end)
                    : Min(charge.Stop is { } stop && stop > finish.At ? stop : end, end);
                if (finish.ResumedAt is { } resumed)
                {
                    leave = Min(leave, resumed);
                }

                var from = finish.At + context.IdleGrace;
                if (leave <= from)
                {
                    continue;
                }

                var minutes = Math.Ceiling((decimal)(leave - from).Ticks / TimeSpan.TicksPerMinute);
                var line = money.Line(
                    BillLineKind.Idle, bay is null ? "Idle after charging" : $"Idle after charging at bay {bay}", from, leave, minutes, "min",
                    rules.IdleFeePerMinute, minutes * rules.IdleFeePerMinute, rules.IdleVat,
                    $"EV-bay rules: idle fee per started minute after {Minutes(context.IdleGrace)} min grace");
                idle.Add(line with { ChargingSessionId = charge.ChargingSessionId });
            }
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
