using CsCheck;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// OCPI 2.2.1 pricing rules (mod_tariffs, mod_cdrs) on hand-written charging periods, at a location in UTC unless
/// said otherwise. The spec's own worked examples run through the public calculator in the server's tests; these try
/// the rules' edges.
/// </summary>
public sealed class CdrPricingTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Energy_is_rounded_to_the_step_once_per_session_not_per_element()
    {
        // mod_cdrs: 4.3 kWh before 17:00 at 0.20 and 1.1 kWh after at 0.27, both in steps of 500 Wh: 5.4 kWh → 5.5 kWh,
        // so 1.2 kWh after 17:00 (not 1.5): 0.86 + 0.324 = 1.184.
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Energy, 0.20m, 0, 500)], new TariffRestrictions { StartTime = new(0, 0), EndTime = new(17, 0) }),
            Element([new PriceComponent(TariffDimension.Energy, 0.27m, 0, 500)]));

        var priced = Price(tariff, Session(At(16), At(17, 30), Period(At(16), energy: 4.3m, charging: 1), Period(At(17), energy: 1.1m, charging: 0.5m)));

        Assert.Equal([4.3m, 1.2m], priced.Volumes.Select(v => v.Billed));
        Assert.Equal(1.184m, priced.Total.ExclVat);
    }

    [Fact]
    public void The_step_of_the_last_element_used_applies_not_the_first()
    {
        // 6 min at 5.00/h (step 30 min) then 22 min at 7.00/h (step 10 min): 28 min → 30 (the last step), 24 min after 17:00.
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Time, 5m, 0, 1800)], new TariffRestrictions { EndTime = new(17, 0) }),
            Element([new PriceComponent(TariffDimension.Time, 7m, 0, 600)]));

        var priced = Price(tariff, Session(At(16, 54), At(17, 22), Period(At(16, 54), charging: 0.1m), Period(At(17), charging: 22m / 60)));

        Assert.Equal(0.50m + 2.80m, Math.Round(priced.Total.ExclVat, 10));
    }

    [Fact]
    public void Charging_time_followed_by_parking_is_not_rounded_only_the_parking_is()
    {
        // mod_cdrs: charging 21 min then parked 16 min, both in steps of 10 min: charging 21 min, parking 20 min.
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Time, 1m, 0, 600), new PriceComponent(TariffDimension.ParkingTime, 2m, 0, 600)]));

        var priced = Price(tariff, Session(At(9), At(9, 37), Period(At(9), charging: 21m / 60), Period(At(9, 21), parking: 16m / 60)));

        Assert.Equal(Math.Round(21m / 60, 20), Math.Round(priced.Billed(TariffDimension.Time), 20));
        Assert.Equal(Math.Round(20m / 60, 20), Math.Round(priced.Billed(TariffDimension.ParkingTime), 20));
    }

    [Fact]
    public void Waiting_before_charging_is_not_rounded_when_charging_comes_last()
    {
        // Plugged in 09:00, waited 7 min (PARKING_TIME), charged 21 min: the last time-based period is charging, so charging
        // is rounded to 25 min (step 5 min) and the waiting time is billed as measured.
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Time, 3m, 0, 300), new PriceComponent(TariffDimension.ParkingTime, 6m, 0, 300)]));

        var priced = Price(tariff, Session(At(9), At(9, 28), Period(At(9), parking: 7m / 60), Period(At(9, 7), charging: 21m / 60)));

        Assert.Equal(Math.Round(7m / 60, 20), Math.Round(priced.Billed(TariffDimension.ParkingTime), 20));
        Assert.Equal(Math.Round(25m / 60, 20), Math.Round(priced.Billed(TariffDimension.Time), 20));
    }

    [Fact]
    public void A_pause_and_an_idle_end_are_summed_before_the_parking_step()
    {
        // Charge 30 min, pause 4 min, charge 30 min, idle 4 min; parking in steps of 10 min: 8 min of parking → 10, once.
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Time, 0m, 0, 1), new PriceComponent(TariffDimension.ParkingTime, 6m, 0, 600)]));

        var priced = Price(tariff, Session(At(9), At(10, 8),
            Period(At(9), charging: 0.5m), Period(At(9, 30), parking: 4m / 60), Period(At(9, 34), charging: 0.5m), Period(At(10, 4), parking: 4m / 60)));

        Assert.Equal(Math.Round(10m / 60, 20), Math.Round(priced.Billed(TariffDimension.ParkingTime), 20));
        Assert.Equal(1.00m, priced.Rounded(2).ExclVat);
    }

    [Fact]
    public void Time_volumes_with_four_decimals_of_an_hour_are_not_pushed_into_the_next_step()
    {
        // 0.1667 h is 600.12 s: OCPI writes hours with 4 decimals, so that is 10 minutes, not 11 (step 60 s).
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Time, 6m, 0, 60)]));

        var priced = Price(tariff, Session(At(9), At(9, 10), Period(At(9), charging: 0.1667m)));

        Assert.Equal(1.00m, priced.Rounded(2).ExclVat);
    }

    [Fact]
    public void Max_price_caps_the_totals_with_and_without_VAT_each_on_its_own()
    {
        // 50 kWh at 0.25 (10 % VAT) + 0.50 start fee (20 % VAT) = 13.00 / 14.35, capped at 10.00 / 11.00 (not 11.05).
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Flat, 0.50m, 20), new PriceComponent(TariffDimension.Energy, 0.25m, 10)])) with
        {
            MaxPrice = 10m,
            MaxPriceInclVat = 11m,
        };

        var priced = Price(tariff, Session(At(9), At(12), Period(At(9), energy: 50, charging: 3)));

        Assert.Equal(new Cost(10m, 11m), priced.Total);
        Assert.Equal(PriceLimit.MaxPrice, priced.Limit);
    }

    [Fact]
    public void A_max_price_reached_only_including_VAT_caps_only_that_total()
    {
        // 9.60 excl. VAT (below 10.00) but 11.52 incl. 20 % VAT (above 11.00): only the including-VAT total is capped.
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Energy, 0.32m, 20)])) with { MaxPrice = 10m, MaxPriceInclVat = 11m };

        var priced = Price(tariff, Session(At(9), At(11), Period(At(9), energy: 30, charging: 2)));

        Assert.Equal(new Cost(9.60m, 11m), priced.Total);
    }

    [Fact]
    public void Min_price_raises_a_small_session_with_and_without_VAT()
    {
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Energy, 0.25m, 10)])) with { MinPrice = 0.50m, MinPriceInclVat = 0.55m };

        var priced = Price(tariff, Session(At(9), At(9, 30), Period(At(9), energy: 1.2m, charging: 0.5m)));

        Assert.Equal(new Cost(0.50m, 0.55m), priced.Total);
        Assert.Equal(PriceLimit.MinPrice, priced.Limit);
    }

    [Fact]
    public void A_limit_without_an_amount_including_VAT_takes_the_sessions_own_VAT_mix()
    {
        // 13.00 excl. / 14.35 incl. capped at 10.00 excl.: incl. scales by 10/13 = 11.0385.
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Flat, 0.50m, 20), new PriceComponent(TariffDimension.Energy, 0.25m, 10)])) with { MaxPrice = 10m };

        var priced = Price(tariff, Session(At(9), At(12), Period(At(9), energy: 50, charging: 3)));

        Assert.Equal(new Cost(10.00m, 11.04m), priced.Rounded(2));
    }

    [Fact]
    public void Prices_with_more_decimals_than_the_currency_are_rounded_only_in_the_total()
    {
        // A FLAT of 0.125 and 3 kWh at 0.123456: 0.125 + 0.370368 = 0.495368 → 0.50 (rounding each first would give 0.13 + 0.37).
        var tariff = Tariff(Element([new PriceComponent(TariffDimension.Flat, 0.125m), new PriceComponent(TariffDimension.Energy, 0.123456m)]));

        var priced = Price(tariff, Session(At(9), At(10), Period(At(9), energy: 3, charging: 1)));

        Assert.Equal(0.495368m, priced.Total.ExclVat);
        Assert.Equal(0.50m, priced.Rounded(2).ExclVat);
    }

    [Fact]
    public void Restrictions_are_evaluated_at_the_start_of_each_period_in_local_time()
    {
        // A night element 22:00–06:00 (wrapping midnight) in Europe/Amsterdam: 21:30 UTC is 22:30 local in winter.
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Energy, 0.10m)], new TariffRestrictions { StartTime = new(22, 0), EndTime = new(6, 0) }),
            Element([new PriceComponent(TariffDimension.Energy, 0.30m)]));

        var priced = CdrPricing.Price(
            Session(At(20, 30), At(22), Period(At(20, 30), energy: 10, charging: 1), Period(At(21, 30), energy: 10, charging: 0.5m)),
            [tariff], tariff, amsterdam);

        Assert.Equal([0.30m, 0.10m], priced.Volumes.Select(v => v.Component.Price));
    }

    [Fact]
    public void Max_kwh_prices_the_energy_before_it_and_min_kwh_from_it_on()
    {
        // The first kWh free, then 0.20: a period starting with 0 kWh delivered is free, one starting at 1 kWh is not.
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Energy, 0m)], new TariffRestrictions { MaxKwh = 1 }),
            Element([new PriceComponent(TariffDimension.Energy, 0.20m)], new TariffRestrictions { MinKwh = 1 }));

        var priced = Price(tariff, Session(At(9), At(10), Period(At(9), energy: 1, charging: 0.1m), Period(At(9, 6), energy: 19, charging: 0.9m)));

        Assert.Equal(3.80m, priced.Total.ExclVat);
    }

    [Fact]
    public void Duration_restrictions_count_from_the_session_start_min_inclusive_max_exclusive()
    {
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Energy, 0m)], new TariffRestrictions { MaxDurationSeconds = 1800 }),
            Element([new PriceComponent(TariffDimension.Energy, 0.25m)], new TariffRestrictions { MinDurationSeconds = 1800 }));

        var priced = Price(tariff, Session(At(9), At(9, 40), Period(At(9), energy: 5, charging: 0.5m), Period(At(9, 30), energy: 1.2m, charging: 1m / 6)));

        Assert.Equal(0.30m, priced.Total.ExclVat);
    }

    [Fact]
    public void Current_restrictions_compare_the_periods_minimum_and_maximum_and_hold_when_the_period_says_nothing()
    {
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Time, 1m)], new TariffRestrictions { MaxCurrent = 32 }),
            Element([new PriceComponent(TariffDimension.Time, 2m)], new TariffRestrictions { MinCurrent = 32 }));

        var low = Price(tariff, Session(At(9), At(10), Period(At(9), charging: 1) with { MaxCurrent = 16 }));
        var high = Price(tariff, Session(At(9), At(10), Period(At(9), charging: 1) with { MinCurrent = 43 }));
        var unknown = Price(tariff, Session(At(9), At(10), Period(At(9), charging: 1)));

        Assert.Equal((1m, 2m, 1m), (low.Total.ExclVat, high.Total.ExclVat, unknown.Total.ExclVat));
    }

    [Fact]
    public void Max_power_uses_the_periods_average_power_when_the_cdr_gives_none()
    {
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Energy, 0.20m)], new TariffRestrictions { MaxPowerKw = 16 }),
            Element([new PriceComponent(TariffDimension.Energy, 0.50m)]));

        var priced = Price(tariff, Session(At(9), At(10), Period(At(9), energy: 1, charging: 1m / 6), Period(At(9, 10), energy: 40, charging: 5m / 6)));

        Assert.Equal(0.20m + 20m, priced.Total.ExclVat);
    }

    [Fact]
    public void A_reservation_is_priced_by_reservation_elements_only_and_an_expired_one_by_the_expiry_element_first()
    {
        var tariff = Tariff(
            Element([new PriceComponent(TariffDimension.Time, 6m, 20, 600)], new TariffRestrictions { Reservation = ReservationRestriction.ReservationExpires }),
            Element([new PriceComponent(TariffDimension.Time, 3m, 20, 600)], new TariffRestrictions { Reservation = ReservationRestriction.Reservation }),
            Element([new PriceComponent(TariffDimension.Flat, 0.50m, 20), new PriceComponent(TariffDimension.Energy, 0.25m, 10)]));

        var used = Price(tariff, Session(At(9), At(11, 22), Period(At(9), reservation: 22m / 60), Period(At(9, 22), energy: 20, charging: 2)));
        var expired = Price(tariff, Session(At(9), At(10, 30), Period(At(9), reservation: 1.5m)));

        Assert.Equal((7.00m, 7.90m), (used.Rounded(2).ExclVat, used.Rounded(2).InclVat));
        Assert.Equal((9.00m, 10.80m), (expired.Rounded(2).ExclVat, expired.Rounded(2).InclVat));
    }

    [Fact]
    public void A_session_tariff_is_chosen_by_type_and_validity_and_one_without_a_type_is_for_everyone()
    {
        var regular = Tariff(Element([new PriceComponent(TariffDimension.Flat, 1m)])) with { Id = "regular", Type = TariffType.Regular };
        var adHoc = Tariff(Element([new PriceComponent(TariffDimension.Flat, 2m)])) with { Id = "ad-hoc", Type = TariffType.AdHocPayment };
        var anyone = Tariff(Element([new PriceComponent(TariffDimension.Flat, 3m)])) with { Id = "anyone", ValidFrom = At(12) };

        Assert.Equal("ad-hoc", TariffSelection.Choose([regular, adHoc, anyone], At(9), TariffType.AdHocPayment)!.Id);
        Assert.Equal("regular", TariffSelection.Choose([regular, adHoc, anyone], At(9), TariffType.Regular)!.Id);
        Assert.Null(TariffSelection.Choose([regular, adHoc, anyone], At(9), TariffType.ProfileGreen));
        Assert.Equal("anyone", TariffSelection.Choose([regular, adHoc, anyone], At(13), TariffType.ProfileGreen)!.Id);
    }

    [Fact]
    public void The_price_of_a_cdr_does_not_depend_on_how_its_periods_are_split_where_no_tariff_boundary_falls()
    {
        // Sessions built the way ParkCharge writes its CDRs (cut at every boundary of the tariff); then one period is split
        // at an arbitrary instant, its volumes shared pro rata: no element can change inside it, so neither can the price.
        var tariffs = new SiteTariffs { Charging = [Complex] };
        var gen =
            from start in Gen.Int[0, 60 * 24 * 7]
            from minutes in Gen.Int[1, 600]
            from kwh in Gen.Int[0, 90]
            from pauses in Gen.Int[0, 600].Array[0, 4]
            from which in Gen.Int[0, 1000]
            from fraction in Gen.Int[1, 999]
            select (start, minutes, kwh, pauses, which, fraction);

        gen.Sample(x =>
        {
            var from = Monday.AddMinutes(x.start);
            var stop = from.AddMinutes(x.minutes);
            var states = x.pauses.Order().Select((p, i) => new ChargingStateChange(from.AddMinutes(p % x.minutes), i % 2 == 0 ? ChargingState.SuspendedEV : ChargingState.Charging)).ToList();
            var window = new ChargeWindow { ChargingSessionId = "c", Charger = new("CP-1"), Start = from, Stop = stop, States = states, Energy = [new(stop, x.kwh * 1000m)] };
            var session = SessionPeriods.Of(window, tariffs, TimeZoneInfo.Utc, stop);
            var split = Split(session, x.which % session.Periods.Count, x.fraction / 1000m);

            var whole = CdrPricing.Price(session, [Complex], Complex, TimeZoneInfo.Utc);
            var parts = CdrPricing.Price(split, [Complex], Complex, TimeZoneInfo.Utc);

            Assert.Equal(whole.Rounded(2), parts.Rounded(2));
            Assert.True(Math.Abs(whole.Total.ExclVat - parts.Total.ExclVat) < 0.000001m, $"{whole.Total} then {parts.Total} for {x}");
        }, iter: 500);
    }

    // Time of day, weekday, duration, energy and parking with different steps: every kind of boundary.
    private static readonly ChargingTariff Complex = Tariff(
        Element([new PriceComponent(TariffDimension.Flat, 1.25m, 20)]),
        Element([new PriceComponent(TariffDimension.Energy, 0.20m, 10, 500)], new TariffRestrictions { MaxKwh = 10, StartTime = new(22, 0), EndTime = new(6, 0) }),
        Element([new PriceComponent(TariffDimension.Energy, 0.35m, 10, 100), new PriceComponent(TariffDimension.Time, 1.5m, 20, 900)], new TariffRestrictions { DaysOfWeek = [DayOfWeek.Saturday, DayOfWeek.Sunday] }),
        Element([new PriceComponent(TariffDimension.Energy, 0.45m, 10, 1)], new TariffRestrictions { MinDurationSeconds = 3600 }),
        Element([new PriceComponent(TariffDimension.Energy, 0.40m, 10, 250), new PriceComponent(TariffDimension.Time, 1m, 20, 300)]),
        Element([new PriceComponent(TariffDimension.ParkingTime, 0m, 20, 60)], new TariffRestrictions { MaxDurationSeconds = 1800 }),
        Element([new PriceComponent(TariffDimension.ParkingTime, 4.80m, 20, 600)], new TariffRestrictions { StartTime = new(8, 0), EndTime = new(20, 0) }));

    private static CdrSession Split(CdrSession session, int index, decimal fraction)
    {
        var period = session.Periods[index];
        var end = index + 1 < session.Periods.Count ? session.Periods[index + 1].Start : session.End;
        var at = period.Start + TimeSpan.FromTicks((long)((end - period.Start).Ticks * fraction));
        if (at <= period.Start || at >= end)
        {
            return session;
        }

        var share = (decimal)(at - period.Start).Ticks / (end - period.Start).Ticks;
        decimal? First(decimal? v) => v * share;
        decimal? Rest(decimal? v) => v - v * share;
        var first = period with { EnergyKwh = First(period.EnergyKwh), ChargingHours = First(period.ChargingHours), ParkingHours = First(period.ParkingHours) };
        var rest = period with { Start = at, EnergyKwh = Rest(period.EnergyKwh), ChargingHours = Rest(period.ChargingHours), ParkingHours = Rest(period.ParkingHours) };
        return session with { Periods = [.. session.Periods.Take(index), first, rest, .. session.Periods.Skip(index + 1)] };
    }

    private static DateTimeOffset At(int hour, int minute = 0) => Monday.AddHours(hour).AddMinutes(minute);

    private static TariffElement Element(IReadOnlyList<PriceComponent> components, TariffRestrictions? restrictions = null) => new(components, restrictions);

    private static ChargingTariff Tariff(params TariffElement[] elements) => new() { Id = "t", Elements = elements };

    private static CdrPeriod Period(DateTimeOffset start, decimal? energy = null, decimal? charging = null, decimal? parking = null, decimal? reservation = null) =>
        new() { Start = start, EnergyKwh = energy, ChargingHours = charging, ParkingHours = parking, ReservationHours = reservation };

    private static CdrSession Session(DateTimeOffset start, DateTimeOffset end, params CdrPeriod[] periods) => new() { Start = start, End = end, Periods = periods };

    private static PricedCdr Price(ChargingTariff tariff, CdrSession session) => CdrPricing.Price(session, [tariff], tariff, TimeZoneInfo.Utc);
}
