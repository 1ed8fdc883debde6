using CsCheck;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// The OCPP 2.1 tariff sent to chargers (<see cref="ChargerTariffs"/>): what a charger calculates from it
/// (<see cref="Ocpp21CostCalculator"/>, written from the 2.1 rules) is the bill's charging total, and a tariff whose
/// price a charger could not reproduce is not sent, with the reason.
/// </summary>
public sealed class ChargerTariffTests
{
    private static readonly TimeZoneInfo Berlin = TimeZones.Find("Europe/Berlin");

    // The week of the spring clock change in Berlin (Sunday 29 March 2026, 02:00 → 03:00).
    private static readonly DateTimeOffset Week = new(2026, 3, 23, 0, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public void A_tariff_of_energy_charging_time_idle_time_and_a_start_fee_maps_dimension_by_dimension()
    {
        var tariff = new ChargingTariff
        {
            Id = "city-ev",
            Currency = "EUR",
            MaxPrice = 30m,
            MaxPriceInclVat = 35.70m,
            AltText = [new DisplayText("en", "0.39/kWh, 1.20/h charging, 6.00/h blocking after 2 h")],
            Elements =
            [
                new([new PriceComponent(TariffDimension.Flat, 0.50m, 19)]),
                new([new PriceComponent(TariffDimension.Energy, 0.29m, 19)], new TariffRestrictions { StartTime = new(22, 0), EndTime = new(6, 0) }),
                new([new PriceComponent(TariffDimension.Energy, 0.39m, 19), new PriceComponent(TariffDimension.Time, 1.20m, 19)]),
                new([new PriceComponent(TariffDimension.ParkingTime, 6m, 19)], new TariffRestrictions { MinDurationSeconds = 7200 }),
            ],
        };

        var mapping = ChargerTariffs.From(tariff, "EUR");

        Assert.True(mapping.Sendable, string.Join("; ", mapping.Problems));
        var sent = mapping.Tariff!;
        Assert.StartsWith("city-ev.", sent.TariffId, StringComparison.Ordinal);
        Assert.True(sent.TariffId.Length <= ChargerTariffs.MaxTariffId);
        Assert.Equal([0.29m, 0.39m], sent.Energy!.Prices.Select(p => p.Price));
        Assert.Equal(new TimeOnly(22, 0), sent.Energy.Prices[0].Conditions!.StartTimeOfDay);
        Assert.Null(sent.Energy.Prices[1].Conditions);
        Assert.Equal(19m, sent.Energy.VatPercent);
        Assert.Equal(0.02m, sent.ChargingTime!.Prices.Single().Price);
        Assert.Equal(0.1m, sent.IdleTime!.Prices.Single().Price);
        Assert.Equal(7200, sent.IdleTime.Prices.Single().Conditions!.MinTimeSeconds);
        Assert.Equal(0.50m, sent.FixedFee!.Prices.Single().Price);
        Assert.Equal(new ChargerTariffLimit(30m, 35.70m), sent.MaxCost);
        Assert.Null(sent.MinCost);
    }

    [Fact]
    public void The_tariff_id_changes_when_the_prices_change_and_only_then()
    {
        var a = ChargerTariffs.From(Simple(0.39m), "EUR").Tariff!;
        var again = ChargerTariffs.From(Simple(0.39m), "EUR").Tariff!;
        var b = ChargerTariffs.From(Simple(0.41m), "EUR").Tariff!;

        Assert.Equal(a.TariffId, again.TariffId);
        Assert.NotEqual(a.TariffId, b.TariffId);
        var longId = ChargerTariffs.From(Simple(0.39m) with { Id = new string('x', 80) }, "EUR").Tariff!;
        Assert.Equal(ChargerTariffs.MaxTariffId, longId.TariffId.Length);
    }

    [Theory]
    [InlineData("step", "step_size 900")]
    [InlineData("power", "power or current")]
    [InlineData("reservation", "reservation")]
    [InlineData("flat-restricted", "FLAT fee under restrictions")]
    [InlineData("mixed-vat", "different VAT")]
    [InlineData("seconds", "whole minutes")]
    [InlineData("max-without-incl", "no amount including VAT")]
    public void A_tariff_a_charger_could_not_price_like_the_bill_is_not_sent_and_says_why(string kind, string reason)
    {
        var tariff = kind switch
        {
            "step" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Time, 2m, 0, 900)])] },
            "power" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Energy, 0.5m)], new TariffRestrictions { MinPowerKw = 50 }), .. Simple(0.39m).Elements] },
            "reservation" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Time, 1m)], new TariffRestrictions { Reservation = ReservationRestriction.Reservation }), .. Simple(0.39m).Elements] },
            "flat-restricted" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Flat, 1m)], new TariffRestrictions { DaysOfWeek = [DayOfWeek.Sunday] }), .. Simple(0.39m).Elements] },
            "mixed-vat" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Energy, 0.3m, 7)], new TariffRestrictions { MaxKwh = 5 }), new([new PriceComponent(TariffDimension.Energy, 0.4m, 19)])] },
            "seconds" => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Energy, 0.3m)], new TariffRestrictions { StartTime = new(8, 0, 30) }), .. Simple(0.39m).Elements] },
            _ => Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Energy, 0.39m, 19)])], MaxPrice = 20 },
        };

        var mapping = ChargerTariffs.From(tariff, "EUR");

        Assert.False(mapping.Sendable);
        Assert.Contains(mapping.Problems, p => p.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public void A_step_size_is_refused_because_the_charger_would_show_less_than_the_bill()
    {
        // 21 minutes at 2.00/h in steps of 15 minutes: the bill charges 30 minutes (1.00), a charger 21 (0.70).
        var stepped = Simple(0.39m) with { Elements = [new([new PriceComponent(TariffDimension.Time, 2m, 0, 900)])] };
        var unstepped = stepped with { Elements = [new([new PriceComponent(TariffDimension.Time, 2m)])] };
        var start = Week.AddHours(10);
        var stop = start.AddMinutes(21);

        var bill = Bill(stepped, start, stop, [(stop, 0m)], []);
        var charger = Ocpp21CostCalculator.Cost(ChargerTariffs.From(unstepped, "EUR").Tariff!, new(start, stop, [(stop, 0m)], []), Berlin);

        Assert.Equal(1.00m, bill.ExclVat);
        Assert.Equal(0.70m, Math.Round(charger.ExclTax, 2));
        Assert.False(ChargerTariffs.From(stepped, "EUR").Sendable);
    }

    [Fact]
    public void For_generated_tariffs_and_sessions_the_charger_calculates_the_bills_charging_total()
    {
        var gen =
            from tariff in TariffGen
            from start in Gen.Int[0, 7 * 24 * 3600 - 1]
            from seconds in Gen.Int[1, 4 * 3600]
            from readings in Gen.Select(Gen.Int[1, 1000], Gen.Int[0, 30_000]).Array[0, 6]
            from pauses in Gen.Int[1, 1000].Array[0, 4]
            select (tariff, start, seconds, readings, pauses);

        gen.Sample(x =>
        {
            var from = Week.AddSeconds(x.start);
            var stop = from.AddSeconds(x.seconds);
            var wh = 0m;
            var meter = new List<(DateTimeOffset At, decimal Wh)>();
            foreach (var (at, add) in x.readings.OrderBy(r => r.Item1))
            {
                var when = from.AddSeconds(Math.Max(1, (long)at * x.seconds / 1000));
                if (meter.Count > 0 && meter[^1].At >= when)
                {
                    continue;
                }

                wh += add;
                meter.Add((when, wh));
            }

            var states = x.pauses.Order().Distinct().Select((p, i) => (At: from.AddSeconds((long)p * x.seconds / 1000), Charging: i % 2 == 1)).ToList();

            var mapping = ChargerTariffs.From(x.tariff, "EUR");
            Assert.True(mapping.Sendable, string.Join("; ", mapping.Problems));
            var priced = Priced(x.tariff, from, stop, meter, states);
            var bill = priced.Total;
            var charger = Ocpp21CostCalculator.Cost(mapping.Tariff!, new(from, stop, meter, states), Berlin);

            // The bill takes OCPI step_size 1 as whole Wh and whole seconds of the session's priced totals, rounded up; a
            // charger prices what it measured. They differ only where a restriction ends a price in the middle of a Wh or a
            // second (a kWh threshold on the linear meter curve, a time of day while energy flows): by less than one Wh and
            // one second at the dearest prices, the bill never below. Per-minute prices (per hour / 60, to 12 decimals) add
            // nothing a cent could see.
            var slack = Slack(x.tariff);
            Assert.True(bill.ExclVat - charger.ExclTax > -0.000001m && bill.ExclVat - charger.ExclTax <= slack, $"excl: bill {bill.ExclVat}, charger {charger.ExclTax}, slack {slack}; bill E {priced.EnergyCost.ExclVat} T {priced.TimeCost.ExclVat} P {priced.ParkingCost.ExclVat} F {priced.FixedCost.ExclVat}, charger {charger}; start {from}; {Show(x.tariff)}; meter {string.Join(' ', meter)}; states {string.Join(' ', states)}");
            Assert.True(bill.InclVat - charger.InclTax > -0.000001m && bill.InclVat - charger.InclTax <= slack * 1.19m, $"incl: bill {bill.InclVat}, charger {charger.InclTax}, slack {slack}");
        }, iter: 200);
    }

    private static string Show(ChargingTariff t) => string.Join(" | ", t.Elements.Select(e =>
        string.Join(",", e.PriceComponents.Select(c => $"{c.Type} {c.Price} vat {c.Vat}")) + (e.Restrictions is { } r
            ? $" if {r.StartTime}-{r.EndTime} days {string.Join("+", r.DaysOfWeek)} kWh {r.MinKwh}-{r.MaxKwh} s {r.MinDurationSeconds}-{r.MaxDurationSeconds} dates {r.StartDate}-{r.EndDate}"
            : "")));

    /// <summary>One Wh at the dearest energy price and one second at the dearest time prices, plus decimal noise.</summary>
    private static decimal Slack(ChargingTariff t)
    {
        decimal Max(TariffDimension d) => t.Elements.SelectMany(e => e.PriceComponents).Where(c => c.Type == d).Select(c => c.Price).DefaultIfEmpty(0).Max();
        return Max(TariffDimension.Energy) / 1000 + (Max(TariffDimension.Time) + Max(TariffDimension.ParkingTime)) / 3600 + 0.000001m;
    }

    private static PricedCdr Priced(ChargingTariff tariff, DateTimeOffset start, DateTimeOffset stop, IReadOnlyList<(DateTimeOffset At, decimal Wh)> meter, IReadOnlyList<(DateTimeOffset At, bool Charging)> states)
    {
        var window = new ChargeWindow
        {
            ChargingSessionId = "c",
            Charger = new("CP-21"),
            Start = start,
            Stop = stop,
            States = [.. states.Select(s => new ChargingStateChange(s.At, s.Charging ? ChargingState.Charging : ChargingState.SuspendedEV))],
            Energy = [.. meter.Select(m => new EnergyPoint(m.At, m.Wh))],
        };
        var session = SessionPeriods.Of(window, new SiteTariffs { Charging = [tariff] }, Berlin, stop);
        return CdrPricing.Price(session, [tariff], tariff, Berlin);
    }

    private static Cost Bill(ChargingTariff tariff, DateTimeOffset start, DateTimeOffset stop, IReadOnlyList<(DateTimeOffset At, decimal Wh)> meter, IReadOnlyList<(DateTimeOffset At, bool Charging)> states) =>
        Priced(tariff, start, stop, meter, states).Total;

    private static ChargingTariff Simple(decimal perKwh) => new()
    {
        Id = "simple",
        Currency = "EUR",
        Elements = [new([new PriceComponent(TariffDimension.Energy, perKwh, 19)])],
    };

    private static readonly Gen<decimal> Cents = Gen.Int[0, 900].Select(c => c / 100m);

    private static readonly Gen<TariffRestrictions?> RestrictionGen =
        from kind in Gen.Int[0, 7]
        from h1 in Gen.Int[0, 23]
        from m1 in Gen.Int[0, 3]
        from h2 in Gen.Int[0, 23]
        from days in Gen.Int[1, 127]
        from a in Gen.Int[1, 40]
        from b in Gen.Int[1, 40]
        select kind switch
        {
            0 => null,
            1 => new TariffRestrictions { StartTime = new(h1, m1 * 15), EndTime = h2 == h1 ? null : new(h2, 0) },
            2 => new TariffRestrictions { DaysOfWeek = [.. Enumerable.Range(0, 7).Where(d => (days & (1 << d)) != 0).Select(d => (DayOfWeek)d)] },
            3 => new TariffRestrictions { MinKwh = Math.Min(a, b), MaxKwh = Math.Max(a, b) + 1 },
            4 => new TariffRestrictions { MaxKwh = a / 2m },
            5 => new TariffRestrictions { MinDurationSeconds = a * 300 },
            6 => new TariffRestrictions { MaxDurationSeconds = b * 300, StartTime = new(h1, 0) },
            _ => (TariffRestrictions?)new TariffRestrictions { StartDate = DateOnly.FromDateTime(Week.DateTime).AddDays(a % 7), EndDate = DateOnly.FromDateTime(Week.DateTime).AddDays(a % 7 + 1 + b % 3) },
        };

    private static readonly Gen<ChargingTariff> TariffGen =
        from flat in Gen.Int[0, 300]
        from vats in Gen.Int[0, 2].Array[4]
        from elements in Gen.Select(RestrictionGen, Cents, Cents, Cents, Gen.Int[1, 7]).Array[1, 5]
        from limits in Gen.Int[0, 3]
        from minPrice in Gen.Int[0, 500]
        from maxPrice in Gen.Int[500, 5000]
        select Tariff(flat, vats, elements, limits, minPrice, maxPrice);

    private static ChargingTariff Tariff(int flat, int[] vats, (TariffRestrictions? R, decimal Energy, decimal Time, decimal Parking, int Which)[] elements, int limits, int minPrice, int maxPrice)
    {
        decimal[] rates = [0, 19, 7];
        var list = new List<TariffElement>();
        if (flat > 100)
        {
            list.Add(new([new PriceComponent(TariffDimension.Flat, flat / 100m, rates[vats[3]])]));
        }

        foreach (var (r, energy, time, parking, which) in elements)
        {
            var components = new List<PriceComponent>();
            if ((which & 1) != 0)
            {
                components.Add(new PriceComponent(TariffDimension.Energy, energy, rates[vats[0]]));
            }

            if ((which & 2) != 0)
            {
                components.Add(new PriceComponent(TariffDimension.Time, time * 3, rates[vats[1]]));
            }

            if ((which & 4) != 0)
            {
                components.Add(new PriceComponent(TariffDimension.ParkingTime, parking * 2, rates[vats[2]]));
            }

            list.Add(new TariffElement(components, r));
        }

        var vat = rates[vats[0]];
        return new ChargingTariff
        {
            Id = "generated",
            Currency = "EUR",
            Elements = list,
            MinPrice = (limits & 1) != 0 ? minPrice / 100m : null,
            MinPriceInclVat = (limits & 1) != 0 ? minPrice / 100m * (1 + vat / 100) : null,
            MaxPrice = (limits & 2) != 0 ? maxPrice / 100m : null,
            MaxPriceInclVat = (limits & 2) != 0 ? maxPrice / 100m * (1 + vat / 100) : null,
        };
    }
}
