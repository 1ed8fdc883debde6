using ParkCharge.Core.Billing;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// What an OCPP 2.1 charger calculates from the tariff it holds (OCPP 2.1 part 2, "Tariff and cost", local cost
/// calculation), written from the specification's rules and not from ParkCharge's billing: the transaction is walked
/// second by second, each second cut where the energy crosses a condition's threshold; at every instant the first
/// price of each dimension whose conditions all hold applies (conditions are evaluated continuously); energy is
/// priced per kWh whenever it flows, time per minute while charging (chargingTime) or not (idleTime); the fixed fee
/// once, the first whose conditions hold when the transaction starts; tax per dimension; minCost/maxCost bound the
/// total excluding and including tax each.
/// </summary>
/// <remarks>The transaction's instants (start, stop, meter values, state changes) must be whole seconds, as OCPP timestamps of real chargers are.</remarks>
public static class Ocpp21CostCalculator
{
    public sealed record Transaction(DateTimeOffset Start, DateTimeOffset Stop, IReadOnlyList<(DateTimeOffset At, decimal Wh)> Meter, IReadOnlyList<(DateTimeOffset At, bool Charging)> States);

    public sealed record Result(decimal ExclTax, decimal InclTax, decimal Energy, decimal ChargingTime, decimal IdleTime, decimal Fixed);

    public static Result Cost(ChargerTariff tariff, Transaction tx, TimeZoneInfo zone)
    {
        decimal energyCost = 0, chargingCost = 0, idleCost = 0;
        var thresholds = new[] { tariff.Energy, tariff.ChargingTime, tariff.IdleTime }
            .Where(p => p is not null).SelectMany(p => p!.Prices).Select(p => p.Conditions).OfType<ChargerTariffConditions>()
            .SelectMany(c => new[] { c.MinEnergyWh, c.MaxEnergyWh }).OfType<decimal>().Distinct().Order().ToList();

        for (var t = tx.Start; t < tx.Stop; t = t.AddSeconds(1))
        {
            var next = t.AddSeconds(1) < tx.Stop ? t.AddSeconds(1) : tx.Stop;
            var seconds = (decimal)(next - t).TotalSeconds;
            var e0 = EnergyAt(tx, t);
            var e1 = EnergyAt(tx, next);

            // Cut the second where the energy crosses a threshold: the energy grows linearly within it.
            // A piece starting at a threshold has delivered exactly that much (no decimal division's remainder).
            var cuts = new List<(decimal Fraction, decimal Wh)> { (0m, e0), (1m, e1) };
            foreach (var wh in thresholds)
            {
                if (wh > e0 && wh < e1)
                {
                    cuts.Add(((wh - e0) / (e1 - e0), wh));
                }
            }

            cuts.Sort();
            var charging = ChargingAt(tx, t);
            var elapsed = (decimal)(t - tx.Start).TotalSeconds;
            for (var i = 0; i + 1 < cuts.Count; i++)
            {
                var ((a, energyBefore), (b, energyAfter)) = (cuts[i], cuts[i + 1]);
                if (b <= a)
                {
                    continue;
                }

                var kwh = (energyAfter - energyBefore) / 1000;
                var minutes = seconds * (b - a) / 60;
                var local = TimeZoneInfo.ConvertTime(t, zone).DateTime;
                if (kwh > 0 && First(tariff.Energy, local, energyBefore, elapsed) is { } energyPrice)
                {
                    energyCost += kwh * energyPrice;
                }

                var time = charging ? tariff.ChargingTime : tariff.IdleTime;
                if (First(time, local, energyBefore, elapsed) is { } minutePrice)
                {
                    if (charging)
                    {
                        chargingCost += minutes * minutePrice;
                    }
                    else
                    {
                        idleCost += minutes * minutePrice;
                    }
                }
            }
        }

        var fixedCost = First(tariff.FixedFee, TimeZoneInfo.ConvertTime(tx.Start, zone).DateTime, 0, 0) ?? 0;
        var excl = energyCost + chargingCost + idleCost + fixedCost;
        var incl = WithTax(energyCost, tariff.Energy) + WithTax(chargingCost, tariff.ChargingTime) + WithTax(idleCost, tariff.IdleTime) + WithTax(fixedCost, tariff.FixedFee);
        if (tariff.MaxCost is { } max)
        {
            excl = Math.Min(excl, max.ExclTax);
            incl = Math.Min(incl, max.InclTax);
        }

        if (tariff.MinCost is { } min)
        {
            excl = Math.Max(excl, min.ExclTax);
            incl = Math.Max(incl, min.InclTax);
        }

        return new Result(excl, incl, energyCost, chargingCost, idleCost, fixedCost);
    }

    private static decimal WithTax(decimal amount, ChargerTariffPart? part) => amount + amount * (part?.VatPercent ?? 0) / 100;

    private static decimal? First(ChargerTariffPart? part, DateTime local, decimal energyWh, decimal elapsedSeconds) =>
        part?.Prices.FirstOrDefault(p => Holds(p.Conditions, local, energyWh, elapsedSeconds))?.Price;

    private static bool Holds(ChargerTariffConditions? c, DateTime local, decimal wh, decimal elapsed)
    {
        if (c is null)
        {
            return true;
        }

        var date = DateOnly.FromDateTime(local);
        var minuteOfDay = local.Hour * 60 + local.Minute;
        if (c.StartTimeOfDay is not null || c.EndTimeOfDay is not null)
        {
            var from = c.StartTimeOfDay is { } s ? s.Hour * 60 + s.Minute : 0;
            var to = c.EndTimeOfDay is { } e && (e.Hour != 0 || e.Minute != 0) ? e.Hour * 60 + e.Minute : 24 * 60; // 00:00: end of the day
            var inside = from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to; // end before start: wraps
            if (!inside)
            {
                return false;
            }
        }

        return (c.DaysOfWeek.Count == 0 || c.DaysOfWeek.Contains(local.DayOfWeek))
            && (c.ValidFromDate is not { } vf || date >= vf)
            && (c.ValidToDate is not { } vt || date < vt)
            && (c.MinEnergyWh is not { } minE || wh >= minE)
            && (c.MaxEnergyWh is not { } maxE || wh < maxE)
            && (c.MinTimeSeconds is not { } minT || elapsed >= minT)
            && (c.MaxTimeSeconds is not { } maxT || elapsed < maxT);
    }

    private static bool ChargingAt(Transaction tx, DateTimeOffset at)
    {
        var charging = true; // a transaction charges until told otherwise
        foreach (var (when, state) in tx.States.OrderBy(s => s.At))
        {
            if (when <= at)
            {
                charging = state;
            }
        }

        return charging;
    }

    /// <summary>The register since the start: linear between readings, flat after the last, never going back.</summary>
    private static decimal EnergyAt(Transaction tx, DateTimeOffset at)
    {
        var (prevAt, prevWh) = (tx.Start, 0m);
        foreach (var (when, wh) in tx.Meter.OrderBy(m => m.At))
        {
            var value = Math.Max(wh, prevWh);
            if (at <= when)
            {
                var span = (decimal)(when - prevAt).Ticks;
                return span == 0 ? value : prevWh + (value - prevWh) * (at - prevAt).Ticks / span;
            }

            (prevAt, prevWh) = (when, value);
        }

        return prevWh;
    }
}
