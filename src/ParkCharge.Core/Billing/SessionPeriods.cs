using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Billing;

/// <summary>
/// A charging session as OCPI 2.2.1 charging periods, the way OCPI asks a CPO to write its CDR: a new period
/// wherever something that can change the price changes (mod_cdrs, "ChargingPeriod"). The same periods bill the
/// stay, and are the session's CDR.
/// </summary>
/// <remarks>
/// A period starts at the session's start and wherever: the charging state changes (TIME while energy flows,
/// PARKING_TIME otherwise); the local clock passes a restriction's start or end time, or midnight (weekday and date
/// restrictions); a tariff version starts or ends; the session's duration reaches a min/max_duration; the
/// delivered energy reaches a min/max_kwh (on the energy curve, linear between meter values); and, when a
/// tariff restricts power or current, at every meter value (a period's power is its average, its current the
/// lowest and highest reading in it).
/// </remarks>
public static class SessionPeriods
{
    public static CdrSession Of(ChargeWindow charge, SiteTariffs tariffs, TimeZoneInfo zone, DateTimeOffset stop, TariffType type = TariffType.Regular)
    {
        var start = charge.Start;
        var versions = tariffs.Charging.Where(t => t.Chargers.Count == 0 || t.Chargers.Contains(charge.Charger)).ToList();
        var curve = new EnergyCurve(start, charge.Energy, stop);
        var restrictions = versions.SelectMany(t => t.Elements).Select(e => e.Restrictions).OfType<TariffRestrictions>().ToList();

        var cuts = new SortedSet<DateTimeOffset> { start, stop };
        cuts.UnionWith(ChargingActivity.Changes(start, stop, charge.States));
        cuts.UnionWith(LocalTime.Boundaries(start, stop, zone, restrictions.SelectMany(r => new[] { r.StartTime, r.EndTime }).OfType<TimeOnly>()));
        cuts.UnionWith(versions.SelectMany(t => new[] { t.ValidFrom, t.ValidTo }).OfType<DateTimeOffset>().Where(t => t > start && t < stop));
        foreach (var seconds in restrictions.SelectMany(r => new[] { r.MinDurationSeconds, r.MaxDurationSeconds }).OfType<int>())
        {
            var at = start + TimeSpan.FromSeconds(seconds);
            if (at > start && at < stop)
            {
                cuts.Add(at);
            }
        }

        foreach (var kwh in restrictions.SelectMany(r => new[] { r.MinKwh, r.MaxKwh }).OfType<decimal>())
        {
            if (curve.When(kwh * 1000) is { } at && at > start && at < stop)
            {
                cuts.Add(at);
            }
        }

        if (restrictions.Any(r => r.MinPowerKw is not null || r.MaxPowerKw is not null || r.MinCurrent is not null || r.MaxCurrent is not null))
        {
            cuts.UnionWith(charge.Energy.Select(p => p.At).Concat(charge.Current.Select(c => c.At)).Where(t => t > start && t < stop));
        }

        var periods = new List<CdrPeriod>();
        DateTimeOffset? previous = null;
        foreach (var cut in cuts)
        {
            if (previous is { } a && cut > a)
            {
                var hours = CdrPricing.Hours(cut - a);
                var kwh = (curve.At(cut) - curve.At(a)) / 1000;
                var charging = ChargingActivity.At(charge.States, a) == ChargingState.Charging;
                var (minA, maxA) = CurrentIn(charge.Current, a, cut);
                periods.Add(new CdrPeriod
                {
                    Start = a,
                    EnergyKwh = charging || kwh > 0 ? kwh : null,
                    ChargingHours = charging ? hours : null,
                    ParkingHours = charging ? null : hours,
                    MinCurrent = minA,
                    MaxCurrent = maxA,
                    TariffId = tariffs.ChargingAt(charge.Charger, a, type)?.Id,
                });
            }

            previous = cut;
        }

        return new CdrSession { Start = start, End = stop, Periods = periods };
    }

    /// <summary>The lowest and highest current in [from, to): the readings in it and the one in force at its start.</summary>
    private static (decimal? Min, decimal? Max) CurrentIn(IReadOnlyList<CurrentPoint> current, DateTimeOffset from, DateTimeOffset to)
    {
        var readings = current.Where(c => c.At >= from && c.At < to).Select(c => c.Amps).ToList();
        if (current.LastOrDefault(c => c.At < from) is { At: var at } before && at != default)
        {
            readings.Add(before.Amps);
        }

        return readings.Count == 0 ? (null, null) : (readings.Min(), readings.Max());
    }
}
