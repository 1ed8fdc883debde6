using CsCheck;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// Worked examples with totals computed by hand (in the comments), at a site in Europe/Amsterdam
/// (CET +01:00 in winter, CEST +02:00 in summer). Prices exclude VAT unless said otherwise.
/// </summary>
public sealed class BillCalculatorTests
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static readonly BillingContext Eur = new("EUR", 2, Amsterdam, EntryGrace: TimeSpan.FromMinutes(10), IdleGrace: TimeSpan.FromMinutes(10));
    private static readonly ChargerId Charger = new("CP-1");

    // Day 08:00–20:00: 0.50 per started 15 min; night 20:00–08:00: 1.00 per started hour; VAT 21 %.
    private static readonly ParkingTariff Standard = new()
    {
        Id = "standard",
        Vat = 21,
        Bands =
        [
            new ParkingBand { Name = "day", From = new TimeOnly(8, 0), To = new TimeOnly(20, 0), PricePerUnit = 0.50m, Unit = TimeSpan.FromMinutes(15) },
            new ParkingBand { Name = "night", From = new TimeOnly(20, 0), To = new TimeOnly(8, 0), PricePerUnit = 1.00m, Unit = TimeSpan.FromHours(1) },
        ],
        UnknownEntryCharge = 20m,
    };

    // 0.05 per started minute all day: EV-bay examples show every minute.
    private static readonly ParkingTariff PerMinute = new()
    {
        Id = "per-minute",
        Vat = 21,
        Bands = [new ParkingBand { Name = "all day", PricePerUnit = 0.05m, Unit = TimeSpan.FromMinutes(1) }],
    };

    private static readonly ChargingTariff Energy30 = new()
    {
        Id = "energy",
        Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, Vat: 21)])],
    };

    [Fact]
    public void Two_and_a_half_hours_in_the_day_band_cost_ten_started_quarters()
    {
        // 09:00–11:30 = 150 min = 10 quarters × 0.50 = 5.00; VAT 21 % = 1.05; 6.05 in all.
        var bill = Bill(Stay(Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 11, 30)), Tariffs(Standard));

        Assert.Equal(5.00m, bill.TotalExclVat);
        Assert.Equal(1.05m, bill.TotalVat);
        Assert.Equal(6.05m, bill.Total);
        var line = Assert.Single(bill.Lines);
        Assert.Equal((10m, "15 min", 0.50m), (line.Quantity, line.Unit, line.UnitPrice));
    }

    [Fact]
    public void A_stay_across_the_band_boundary_pays_each_band_for_its_own_time()
    {
        // 19:00–20:00 day: 4 quarters = 2.00; 20:00–21:30 night: 2 started hours = 2.00; 4.00.
        var bill = Bill(Stay(Local(2026, 11, 25, 19, 0), Local(2026, 11, 25, 21, 30)), Tariffs(Standard));

        Assert.Equal(4.00m, bill.TotalExclVat);
        Assert.Equal([("Parking, day", 2.00m), ("Parking, night", 2.00m)], bill.Lines.Select(l => (l.Description, l.AmountExclVat)));
    }

    [Fact]
    public void A_stay_within_the_entry_grace_pays_nothing()
    {
        var bill = Bill(Stay(Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 9, 8)), Tariffs(Standard));

        Assert.Equal(0m, bill.Total);
        Assert.Equal(BillLineKind.EntryGrace, Assert.Single(bill.Lines).Kind);
    }

    [Fact]
    public void First_minutes_free_are_taken_off_the_start_of_the_stay()
    {
        // 09:00–10:00 with the first 30 min free: 09:30–10:00 = 2 quarters = 1.00.
        var bill = Bill(Stay(Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 10, 0)), Tariffs(Standard with { FreeFirst = TimeSpan.FromMinutes(30) }));

        Assert.Equal(1.00m, bill.TotalExclVat);
        Assert.Equal(2, bill.Lines.Count);
    }

    [Fact]
    public void A_new_tariff_version_at_midnight_prices_the_hours_after_it()
    {
        // Version 1 until 1 Dec 00:00 local; version 2 doubles... the night band to 1.50.
        // 30 Nov 22:00 – 1 Dec 02:00: 2 h × 1.00 + 2 h × 1.50 = 5.00.
        var changeover = Local(2026, 12, 1, 0, 0);
        var v1 = Standard with { Id = "2026", ValidTo = changeover };
        var v2 = Standard with
        {
            Id = "2027",
            ValidFrom = changeover,
            Bands = [Standard.Bands[0], Standard.Bands[1] with { PricePerUnit = 1.50m }],
        };

        var bill = Bill(Stay(Local(2026, 11, 30, 22, 0), Local(2026, 12, 1, 2, 0)), Tariffs(v1, v2));

        Assert.Equal(5.00m, bill.TotalExclVat);
        Assert.Equal([("2026", 2.00m), ("2027", 3.00m)], bill.Lines.Select(l => (l.Rule.Split('\'')[1], l.AmountExclVat)));
    }

    [Fact]
    public void A_tariff_version_starting_mid_afternoon_applies_from_that_moment()
    {
        // Day price rises to 1.00 per quarter from 15:00. 14:00–16:00: 4 × 0.50 + 4 × 1.00 = 6.00.
        var at = Local(2026, 11, 25, 15, 0);
        var v2 = Standard with { Id = "v2", ValidFrom = at, Bands = [Standard.Bands[0] with { PricePerUnit = 1.00m }, Standard.Bands[1]] };

        var bill = Bill(Stay(Local(2026, 11, 25, 14, 0), Local(2026, 11, 25, 16, 0)), Tariffs(Standard with { ValidTo = at }, v2));

        Assert.Equal(6.00m, bill.TotalExclVat);
    }

    [Fact]
    public void The_night_clocks_go_forward_is_billed_for_the_real_two_hours()
    {
        // 29 Mar 2026 01:00 CET – 04:00 CEST is 2 real hours (02:00–03:00 does not exist): 2 × 1.00.
        var bill = Bill(Stay(Local(2026, 3, 29, 1, 0), Local(2026, 3, 29, 4, 0)), Tariffs(Standard));

        Assert.Equal(TimeSpan.FromHours(2), Local(2026, 3, 29, 4, 0) - Local(2026, 3, 29, 1, 0));
        Assert.Equal(2.00m, bill.TotalExclVat);
    }

    [Fact]
    public void The_night_clocks_go_back_is_billed_for_the_real_four_hours()
    {
        // 25 Oct 2026 01:00 CEST – 04:00 CET is 4 real hours (02:00–03:00 happens twice): 4 × 1.00.
        var bill = Bill(Stay(Local(2026, 10, 25, 1, 0), Local(2026, 10, 25, 4, 0)), Tariffs(Standard));

        Assert.Equal(4.00m, bill.TotalExclVat);
    }

    [Fact]
    public void A_stay_across_two_days_pays_at_most_the_daily_cap_each_day()
    {
        // Day 1 (24 Nov) 10:00–24:00: day 40 quarters = 20.00 + night 4 h = 4.00 → 24.00, capped at 10.00.
        // Day 2 (25 Nov) 00:00–12:00: night 8 h = 8.00 + day 16 quarters = 8.00 → 16.00, capped at 10.00.
        var bill = Bill(Stay(Local(2026, 11, 24, 10, 0), Local(2026, 11, 25, 12, 0)), Tariffs(Standard with { DailyCap = 10m }));

        Assert.Equal(20.00m, bill.TotalExclVat);
        Assert.Equal([-14.00m, -6.00m], bill.Lines.Where(l => l.Kind == BillLineKind.ParkingCap).Select(l => l.AmountExclVat));
        Assert.Equal(24.20m, bill.Total);
    }

    [Fact]
    public void A_stay_cap_limits_the_whole_stay_after_the_daily_caps()
    {
        var bill = Bill(Stay(Local(2026, 11, 24, 10, 0), Local(2026, 11, 25, 12, 0)), Tariffs(Standard with { DailyCap = 10m, StayCap = 15m }));

        Assert.Equal(15.00m, bill.TotalExclVat);
    }

    [Fact]
    public void A_stay_whose_entry_was_never_read_pays_the_unknown_entry_charge()
    {
        var stay = Stay(null, Local(2026, 11, 25, 12, 0));

        var bill = Bill(stay, Tariffs(Standard));

        var line = Assert.Single(bill.Lines);
        Assert.Equal((BillLineKind.UnknownEntry, 20.00m, 4.20m), (line.Kind, line.AmountExclVat, line.Vat));
    }

    [Fact]
    public void A_stay_with_no_exit_read_is_estimated_up_to_now()
    {
        // Still inside at 12:10 after entering at 09:00: 3 h 10 min = 13 quarters = 6.50, an estimate.
        var stay = Stay(Local(2026, 11, 25, 9, 0), null);

        var bill = BillCalculator.Compute(stay, Tariffs(Standard), Eur, Local(2026, 11, 25, 12, 10), BillStatus.Estimate);

        Assert.Equal((BillStatus.Estimate, 6.50m), (bill.Status, bill.TotalExclVat));
        Assert.Equal(Local(2026, 11, 25, 12, 10), bill.Until);
    }

    [Fact]
    public void Seed_rule_five_minutes_in_an_EV_bay_without_charging_starts_the_parking_fee()
    {
        // At the EV bay from 09:00 to 09:40, never charging: 40 min × 0.05 = 2.00 (nothing waived).
        var stay = Stay(Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 9, 40)) with
        {
            BayStays = [new BayStay("EV-1", Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 9, 40))],
        };

        var bill = Bill(stay, Tariffs(PerMinute));

        Assert.Equal(2.00m, bill.TotalExclVat);
    }

    [Fact]
    public void Seed_rule_parking_is_waived_while_charging()
    {
        // Bay 09:00, charging 09:02–10:00 (11 kWh), exit 10:00: parking waived from the arrival (started within 5 min);
        // charging 11 kWh × 0.30 = 3.30. Parking 0.
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 2), stop: (10, 0), leave: (10, 0), wh: 11_000);

        var bill = Bill(stay, Tariffs(PerMinute, Energy30));

        Assert.Equal(3.30m, bill.TotalExclVat);
        Assert.Equal(0m, bill.Lines.Where(l => l.Kind == BillLineKind.ParkingWhileCharging).Sum(l => l.AmountExclVat));
        Assert.Equal(60m, bill.Lines.Single(l => l.Kind == BillLineKind.ParkingWhileCharging).Quantity); // from the arrival at 09:00
    }

    [Fact]
    public void Seed_rule_charging_finished_but_still_in_the_bay_pays_the_idle_fee()
    {
        // Charging 09:02–10:00, vehicle stays until 10:30. Idle 0.20/min from 10:10 (10 min grace) to 10:30 = 20 min = 4.00.
        // Parking after charging 10:00–10:30 = 30 min × 0.05 = 1.50. Energy 3.30. Total 8.80.
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 2), stop: (10, 0), leave: (10, 30), wh: 11_000);

        var bill = Bill(stay, Tariffs(PerMinute, Energy30) with { EvBay = new EvBayRules { IdleFeePerMinute = 0.20m, IdleVat = 21 } });

        var idle = bill.Lines.Single(l => l.Kind == BillLineKind.Idle);
        Assert.Equal((20m, 4.00m, Local(2026, 11, 25, 10, 10)), (idle.Quantity, idle.AmountExclVat, idle.From!.Value));
        Assert.Equal(8.80m, bill.TotalExclVat);
    }

    [Fact]
    public void Charging_started_four_minutes_after_arrival_waives_the_four_minutes_too()
    {
        // Enter 09:00, bay 09:02, charging 09:06–10:06, exit 10:08. Waived 09:02–10:06.
        // Paid: 09:00–09:02 and 10:06–10:08 = 4 min × 0.05 = 0.20. Energy 3.30.
        var stay = EvStay(enter: (9, 0), bay: (9, 2), start: (9, 6), stop: (10, 6), leave: (10, 8), wh: 11_000);

        var bill = Bill(stay, Tariffs(PerMinute, Energy30));

        Assert.Equal(0.20m, bill.Lines.Where(l => l.Kind == BillLineKind.Parking).Sum(l => l.AmountExclVat));
        Assert.Equal(3.50m, bill.TotalExclVat);
    }

    [Fact]
    public void Charging_started_six_minutes_after_arrival_pays_the_minutes_before_it()
    {
        // Enter 09:00, bay 09:02, charging 09:08–10:08, exit 10:10. Waived only 09:08–10:08.
        // Paid: 09:00–09:08 and 10:08–10:10 = 10 min × 0.05 = 0.50.
        var stay = EvStay(enter: (9, 0), bay: (9, 2), start: (9, 8), stop: (10, 8), leave: (10, 10), wh: 11_000);

        var bill = Bill(stay, Tariffs(PerMinute, Energy30));

        Assert.Equal(0.50m, bill.Lines.Where(l => l.Kind == BillLineKind.Parking).Sum(l => l.AmountExclVat));
    }

    [Fact]
    public void A_half_waiver_charges_half_the_parking_while_charging()
    {
        // Charging 09:00–10:00 at the bay from 09:00, exit 10:00: 60 min × 0.05 × 50 % = 1.50.
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (10, 0), leave: (10, 0), wh: 0);

        var bill = Bill(stay, Tariffs(PerMinute) with { EvBay = new EvBayRules { ChargingWaiverPercent = 50 } });

        Assert.Equal(1.50m, bill.TotalExclVat);
    }

    [Fact]
    public void A_charge_that_ends_in_a_long_suspension_becomes_idle_and_the_idle_cap_holds()
    {
        // Charging from 09:00, SuspendedEV since 10:00 (over the 15 min threshold), unplugged and gone at 11:00.
        // Finished at 10:00; idle 10:10–11:00 = 50 min × 0.20 = 10.00, capped at 8.00 (−2.00).
        // Parking 10:00–11:00 = 60 × 0.05 = 3.00; energy 11 kWh = 3.30. Total 14.30.
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (11, 0), leave: (11, 0), wh: 11_000);
        stay = stay with
        {
            Charges = [stay.Charges[0] with { States = [new(Local(2026, 11, 25, 10, 0), ChargingState.SuspendedEV)], Energy = [new(Local(2026, 11, 25, 10, 0), 11_000)] }],
        };

        var bill = Bill(stay, Tariffs(PerMinute, Energy30) with { EvBay = new EvBayRules { IdleFeePerMinute = 0.20m, IdleCap = 8m } });

        Assert.Equal(10.00m, bill.Lines.Single(l => l.Kind == BillLineKind.Idle).AmountExclVat);
        Assert.Equal(-2.00m, bill.Lines.Single(l => l.Kind == BillLineKind.IdleCap).AmountExclVat);
        Assert.Equal(14.30m, bill.TotalExclVat);
    }

    [Fact]
    public void A_permit_covers_parking_and_idle_but_not_the_energy()
    {
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 2), stop: (10, 0), leave: (10, 30), wh: 11_000);
        var tariffs = Tariffs(PerMinute, Energy30) with
        {
            EvBay = new EvBayRules { IdleFeePerMinute = 0.20m },
            Permits = [new Permit("AB123C", Note: "staff")],
        };

        var bill = Bill(stay, tariffs);

        Assert.Equal(3.30m, bill.TotalExclVat);
        Assert.Contains(bill.Lines, l => l.Kind == BillLineKind.Idle && l.AmountExclVat == 0 && l.Rule.Contains("permit (staff)", StringComparison.Ordinal));
    }

    [Fact]
    public void OCPI_energy_is_priced_by_the_element_whose_time_of_day_holds()
    {
        // 22:30–23:30 at a steady 22 kW: 11 kWh before 23:00 at 0.25 = 2.75, 11 kWh after at 0.20 = 2.20;
        // session fee 0.50; charging time 1 h at 1.20/h in steps of 5 min = 1.20. Total 6.65.
        var tariff = new ChargingTariff
        {
            Id = "ocpi",
            Elements =
            [
                new TariffElement(
                    [new PriceComponent(TariffDimension.Energy, 0.25m, 21), new PriceComponent(TariffDimension.Flat, 0.50m, 21)],
                    new TariffRestrictions { StartTime = new TimeOnly(7, 0), EndTime = new TimeOnly(23, 0) }),
                new TariffElement([new PriceComponent(TariffDimension.Energy, 0.20m, 21), new PriceComponent(TariffDimension.Flat, 0.50m, 21)]),
                new TariffElement([new PriceComponent(TariffDimension.Time, 1.20m, 21, StepSize: 300)]),
            ],
        };
        var stay = EvStay(enter: (22, 30), bay: (22, 30), start: (22, 30), stop: (23, 30), leave: (23, 30), wh: 22_000);

        var bill = Bill(stay, Tariffs(PerMinute, tariff));

        var charging = bill.Lines.Where(l => l.Kind == BillLineKind.Charging).ToList();
        Assert.Equal(
            [("Charging session fee", 1m, 0.50m), ("Charging time", 1m, 1.20m), ("Energy", 11m, 2.20m), ("Energy", 11m, 2.75m)],
            charging.Select(l => (l.Description, l.Quantity, l.AmountExclVat)).OrderBy(x => x.Description, StringComparer.Ordinal).ThenBy(x => x.AmountExclVat));
        Assert.Equal(6.65m, charging.Sum(l => l.AmountExclVat));
    }

    [Fact]
    public void OCPI_step_size_rounds_the_last_step_up()
    {
        // 61 min of charging at 2.40/h in 5-min steps: 65 min = 2.60. 1 234 Wh at 0.30 in steps of 100 Wh: 1.3 kWh = 0.39.
        var tariff = new ChargingTariff
        {
            Id = "steps",
            Elements = [new TariffElement([new PriceComponent(TariffDimension.Time, 2.40m, 0, 300), new PriceComponent(TariffDimension.Energy, 0.30m, 0, 100)])],
        };
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (10, 1), leave: (10, 1), wh: 1_234);

        var bill = Bill(stay, Tariffs(PerMinute, tariff));

        Assert.Equal(2.99m, bill.Lines.Where(l => l.Kind == BillLineKind.Charging).Sum(l => l.AmountExclVat));
    }

    [Fact]
    public void OCPI_min_price_tops_up_a_tiny_session_and_max_price_limits_a_big_one()
    {
        var tariff = Energy30 with { MinPrice = 1.00m, MaxPrice = 10.00m, Vat = 21 };
        var tiny = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (9, 20), leave: (9, 20), wh: 500);
        var big = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (12, 0), leave: (12, 0), wh: 60_000);

        var charging = (Bill b) => b.Lines.Where(l => l.Kind is BillLineKind.Charging or BillLineKind.ChargingAdjustment).Sum(l => l.AmountExclVat);

        Assert.Equal(1.00m, charging(Bill(tiny, Tariffs(PerMinute, tariff))));
        Assert.Equal(10.00m, charging(Bill(big, Tariffs(PerMinute, tariff))));
    }

    [Fact]
    public void OCPI_parking_time_is_charged_while_connected_but_not_charging()
    {
        // Charging 09:00–10:00, suspended from 10:00, unplugged 11:00 (threshold 15 min):
        // PARKING_TIME 1 h at 2.00/h = 2.00; ENERGY 11 kWh at 0.30 = 3.30.
        var tariff = new ChargingTariff
        {
            Id = "parking-time",
            Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m), new PriceComponent(TariffDimension.ParkingTime, 2.00m)])],
        };
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (11, 0), leave: (11, 0), wh: 11_000);
        stay = stay with { Charges = [stay.Charges[0] with { States = [new(Local(2026, 11, 25, 10, 0), ChargingState.SuspendedEV)], Energy = [new(Local(2026, 11, 25, 10, 0), 11_000)] }] };

        var bill = Bill(stay, Tariffs(PerMinute, tariff));

        Assert.Equal(5.30m, bill.Lines.Where(l => l.Kind == BillLineKind.Charging).Sum(l => l.AmountExclVat));
        Assert.Equal(1m, bill.Lines.Single(l => l.Description == "Connected, not charging").Quantity);
    }

    [Fact]
    public void A_charging_session_is_rounded_once_half_away_from_zero_with_and_without_VAT()
    {
        // 1 kWh at 0.125 = 0.125 → 0.13 excl. VAT; including 21 % VAT 0.15125 → 0.15, so the VAT is 0.02 (OCPI's totals are
        // rounded once: the VAT is not 21 % of the rounded 0.13, which rounding line by line would give: 0.03).
        var tariff = new ChargingTariff { Id = "half", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.125m, 21)])] };
        var stay = EvStay(enter: (9, 0), bay: (9, 0), start: (9, 0), stop: (9, 30), leave: (9, 30), wh: 1_000);

        var line = Bill(stay, Tariffs(PerMinute, tariff)).Lines.Single(l => l.Kind == BillLineKind.Charging);

        Assert.Equal((0.13m, 0.02m, 0.15m), (line.AmountExclVat, line.Vat, line.AmountInclVat));
    }

    // ENERGY 0.30 per kWh, TIME 1.20 per hour in steps of 5 min, PARKING_TIME 2.40 per hour in steps of 10 min, a 0.50
    // session fee; 21 % VAT on all.
    private static readonly ChargingTariff Multi = new()
    {
        Id = "multi",
        Elements =
        [
            new TariffElement(
            [
                new PriceComponent(TariffDimension.Flat, 0.50m, 21),
                new PriceComponent(TariffDimension.Energy, 0.30m, 21),
                new PriceComponent(TariffDimension.Time, 1.20m, 21, 300),
                new PriceComponent(TariffDimension.ParkingTime, 2.40m, 21, 600),
            ]),
        ],
    };

    [Fact]
    public void A_session_that_waits_charges_pauses_charges_and_idles_is_priced_period_by_period()
    {
        // Enter 17:50, at the bay 17:52, plugged in 17:55 waiting for a scheduled charge (EVConnected) until 18:10; charging
        // 18:10–19:10 (11 kWh), paused 19:10–19:20 (SuspendedEV, shorter than the 15-min threshold), charging 19:20–20:00
        // (7 kWh), then full (SuspendedEV) until unplugged at 20:47; leaves the bay 20:50, exits 20:55.
        // OCPI: TIME 60 + 40 = 100 min × 1.20/h = 2.00 (not rounded: parking follows); PARKING_TIME 15 + 10 + 47 = 72 min, the
        // last time-based dimension, rounded once to 80 min × 2.40/h = 3.20; ENERGY 18 × 0.30 = 5.40; fee 0.50: 11.10, and
        // 13.431 → 13.43 with VAT (VAT 2.33).
        // Charging finished at 20:00 (the final suspension, over the threshold by the stop; the short pause is not an end):
        // idle 20:10–20:50 = 40 min × 0.20 = 8.00 (VAT 1.68). Parking waived 17:52–20:00 (charging started within 5 min of
        // arriving); paid 17:50–17:52 and 20:00–20:55 = 57 min × 0.05 = 2.85 (VAT 0.60).
        // 21.95 excl. VAT, 4.61 VAT, 26.56.
        var stay = Stay(Local(2026, 11, 25, 17, 50), Local(2026, 11, 25, 20, 55)) with
        {
            BayStays = [new BayStay("EV-1", Local(2026, 11, 25, 17, 52), Local(2026, 11, 25, 20, 50))],
            Charges =
            [
                new ChargeWindow
                {
                    ChargingSessionId = "c-1",
                    Charger = Charger,
                    Bay = "EV-1",
                    Start = Local(2026, 11, 25, 17, 55),
                    Stop = Local(2026, 11, 25, 20, 47),
                    States =
                    [
                        new(Local(2026, 11, 25, 17, 55), ChargingState.EVConnected),
                        new(Local(2026, 11, 25, 18, 10), ChargingState.Charging),
                        new(Local(2026, 11, 25, 19, 10), ChargingState.SuspendedEV),
                        new(Local(2026, 11, 25, 19, 20), ChargingState.Charging),
                        new(Local(2026, 11, 25, 20, 0), ChargingState.SuspendedEV),
                    ],
                    Energy =
                    [
                        new(Local(2026, 11, 25, 18, 10), 0), new(Local(2026, 11, 25, 19, 10), 11_000),
                        new(Local(2026, 11, 25, 19, 20), 11_000), new(Local(2026, 11, 25, 20, 0), 18_000),
                    ],
                },
            ],
        };

        var bill = Bill(stay, Tariffs(PerMinute, Multi) with { EvBay = new EvBayRules { IdleFeePerMinute = 0.20m, IdleVat = 21 } });

        Assert.Equal(
            [
                ("Parking, all day", 57m, 2.85m),
                ("Parking while charging (waived)", 128m, 0m),
                ("Energy", 18m, 5.40m),
                ("Charging session fee", 1m, 0.50m),
                ("Connected, not charging", 1.3333m, 3.20m),
                ("Charging time", 1.6667m, 2.00m),
                ("Idle after charging at bay EV-1", 40m, 8.00m),
            ],
            bill.Lines.Select(l => (l.Description, l.Quantity, l.AmountExclVat)));
        Assert.Equal(2.33m, bill.Lines.Where(l => l.Kind == BillLineKind.Charging).Sum(l => l.Vat));
        Assert.Equal((21.95m, 4.61m, 26.56m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
        Assert.Equal(Local(2026, 11, 25, 20, 10), bill.Lines.Single(l => l.Kind == BillLineKind.Idle).From);
    }

    [Fact]
    public void A_long_pause_is_idle_until_charging_resumes_and_parking_is_paid_meanwhile()
    {
        // Charging 09:00–10:00, SuspendedEV 10:00–10:40 (40 min, past the 15-min threshold: charging finished at 10:00),
        // charging again 10:40–11:00, unplugged and gone at 11:30 (finished again at 11:00, the stop after a 30-min suspension).
        // Idle: 10:10–10:40 = 30 min and 11:10–11:30 = 20 min, 50 min × 0.20 = 10.00.
        // Parking waived 09:00–10:00 and 10:40–11:00; paid 10:00–10:40 and 11:00–11:30 = 70 min × 0.05 = 3.50.
        // OCPI: TIME 80 min × 1.20/h = 1.60; PARKING_TIME 40 + 30 = 70 min, rounded to 70 (whole steps) × 2.40/h = 2.80; ENERGY
        // 12 kWh × 0.30 = 3.60; fee 0.50: 8.50. Total 22.00 excl. VAT.
        var stay = Stay(Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 11, 30)) with
        {
            BayStays = [new BayStay("EV-1", Local(2026, 11, 25, 9, 0), Local(2026, 11, 25, 11, 30))],
            Charges =
            [
                new ChargeWindow
                {
                    ChargingSessionId = "c-1",
                    Charger = Charger,
                    Bay = "EV-1",
                    Start = Local(2026, 11, 25, 9, 0),
                    Stop = Local(2026, 11, 25, 11, 30),
                    States =
                    [
                        new(Local(2026, 11, 25, 9, 0), ChargingState.Charging),
                        new(Local(2026, 11, 25, 10, 0), ChargingState.SuspendedEV),
                        new(Local(2026, 11, 25, 10, 40), ChargingState.Charging),
                        new(Local(2026, 11, 25, 11, 0), ChargingState.SuspendedEV),
                    ],
                    Energy = [new(Local(2026, 11, 25, 10, 0), 10_000), new(Local(2026, 11, 25, 10, 40), 10_000), new(Local(2026, 11, 25, 11, 0), 12_000)],
                },
            ],
        };

        var bill = Bill(stay, Tariffs(PerMinute, Multi) with { EvBay = new EvBayRules { IdleFeePerMinute = 0.20m } });

        Assert.Equal(
            [(Local(2026, 11, 25, 10, 10), Local(2026, 11, 25, 10, 40), 30m), (Local(2026, 11, 25, 11, 10), Local(2026, 11, 25, 11, 30), 20m)],
            bill.Lines.Where(l => l.Kind == BillLineKind.Idle).Select(l => (l.From!.Value, l.To!.Value, l.Quantity)));
        Assert.Equal(3.50m, bill.Lines.Where(l => l.Kind == BillLineKind.Parking).Sum(l => l.AmountExclVat));
        Assert.Equal(8.50m, bill.Lines.Where(l => l.Kind == BillLineKind.Charging).Sum(l => l.AmountExclVat));
        Assert.Equal(22.00m, bill.TotalExclVat);
    }

    [Fact]
    public void A_bill_never_goes_down_when_the_stay_gets_longer_and_its_lines_sum_to_its_total()
    {
        var tariffs = Tariffs(Standard with { DailyCap = 12m, FreeFirst = TimeSpan.FromMinutes(15) }, Energy30, Multi with { Id = "multi", MaxPrice = 25m, MaxPriceInclVat = 28m, ValidFrom = Local(2026, 10, 24, 0, 0) }) with
        {
            EvBay = new EvBayRules { IdleFeePerMinute = 0.10m, IdleCap = 5m },
        };
        var gen =
            from entry in Gen.Int[0, 60 * 24 * 3]
            from bayAfter in Gen.Int[0, 120]
            from startAfter in Gen.Int[0, 20]
            from chargeMinutes in Gen.Int[1, 600]
            from stayAfter in Gen.Int[0, 300]
            from kwh in Gen.Int[0, 80]
            from charges in Gen.Bool
            from extra in Gen.Int[1, 60 * 30]
            from states in Gen.Select(Gen.Int[0, 600], Gen.Int[0, 4]).Array[0, 6]
            select (entry, bayAfter, startAfter, chargeMinutes, stayAfter, kwh, charges, extra, states);

        gen.Sample(x =>
        {
            var entered = Local(2026, 10, 23, 0, 0).AddMinutes(x.entry);
            var bay = entered.AddMinutes(x.bayAfter);
            var start = bay.AddMinutes(x.startAfter);
            var stop = start.AddMinutes(x.chargeMinutes);
            var leave = stop.AddMinutes(x.stayAfter);
            var stay = new StayTimeline
            {
                ParkingSessionId = "p",
                Plate = "AB123C",
                EnteredAt = entered,
                BayStays = [new BayStay("EV-1", bay, leave)],
                Charges = x.charges
                    ?
                    [
                        new ChargeWindow
                        {
                            ChargingSessionId = "c",
                            Charger = Charger,
                            Bay = "EV-1",
                            Start = start,
                            Stop = stop,
                            States = [.. x.states.Select(s => new ChargingStateChange(start.AddMinutes(s.Item1 % x.chargeMinutes), (ChargingState)s.Item2))],
                            Energy = [new(stop, x.kwh * 1000m)],
                        },
                    ]
                    : [],
            };
            var shorter = BillCalculator.Compute(stay with { ExitedAt = leave }, tariffs, Eur, leave, BillStatus.Final);
            var longer = BillCalculator.Compute(stay with { ExitedAt = leave.AddMinutes(x.extra) }, tariffs, Eur, leave.AddMinutes(x.extra), BillStatus.Final);

            Assert.True(longer.Total >= shorter.Total, $"{shorter.Total} then {longer.Total} for {x}");
            Assert.Equal(shorter.Lines.Sum(l => l.AmountExclVat + l.Vat), shorter.Total);
            Assert.Equal(longer.Lines.Sum(l => l.AmountExclVat + l.Vat), longer.Total);
            Assert.Equal(longer.TotalExclVat + longer.TotalVat, longer.Total);
        });
    }

    [Fact]
    public void The_same_timeline_and_tariffs_always_give_the_same_bill()
    {
        var stay = EvStay(enter: (9, 0), bay: (9, 2), start: (9, 6), stop: (10, 6), leave: (10, 8), wh: 11_000);
        var tariffs = Tariffs(Standard, Energy30);

        Assert.Equal(Bill(stay, tariffs).Lines, Bill(stay, tariffs).Lines);
    }

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute)
    {
        var local = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        var offset = Amsterdam.IsInvalidTime(local) ? throw new ArgumentException("not a local time") : Amsterdam.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static StayTimeline Stay(DateTimeOffset? entered, DateTimeOffset? exited) =>
        new() { ParkingSessionId = "p-1", Plate = "AB123C", EnteredAt = entered, ExitedAt = exited };

    private static StayTimeline EvStay((int H, int M) enter, (int H, int M) bay, (int H, int M) start, (int H, int M) stop, (int H, int M) leave, decimal wh)
    {
        static DateTimeOffset At((int H, int M) t) => Local(2026, 11, 25, t.H, t.M);
        return Stay(At(enter), At(leave)) with
        {
            BayStays = [new BayStay("EV-1", At(bay), At(leave))],
            Charges =
            [
                new ChargeWindow
                {
                    ChargingSessionId = "c-1",
                    Charger = Charger,
                    Bay = "EV-1",
                    Start = At(start),
                    Stop = At(stop),
                    Energy = [new EnergyPoint(At(stop), wh)],
                },
            ],
        };
    }

    private static SiteTariffs Tariffs(params object[] tariffs) => new()
    {
        Parking = tariffs.OfType<ParkingTariff>().ToList(),
        Charging = tariffs.OfType<ChargingTariff>().ToList(),
    };

    private static Bill Bill(StayTimeline stay, SiteTariffs tariffs) =>
        BillCalculator.Compute(stay, tariffs, Eur, stay.ExitedAt ?? throw new InvalidOperationException(), BillStatus.Final);
}
