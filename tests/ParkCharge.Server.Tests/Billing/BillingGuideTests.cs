using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Tests.Billing;

/// <summary>The example site file of docs/billing.md and the environment its references need.</summary>
internal static class BillingExamples
{
    public static readonly IReadOnlyDictionary<string, string?> Environment = new Dictionary<string, string?>
    {
        ["CAM_MAIN_IN_KEY"] = "main-in-camera-key-0001",
        ["CAM_MAIN_OUT_KEY"] = "main-out-camera-key-0002",
        ["CAM_EV_01_02_KEY"] = "ev-01-02-camera-key-0003",
        ["CAM_EV_03_KEY"] = "ev-03-camera-key-00004",
        ["AC01_PASSWORD"] = "ac-01-password-00001",
        ["DC01_PASSWORD"] = "dc-01-password-00002",
    };

    public static SiteConfiguration CityCentre { get; } =
        SiteFile.Load(Path.Combine(Repository.Root, "docs", "examples", "city-centre.site.yaml"), Environment, Sites.SiteFileSamples.Keys).Configuration
        ?? throw new InvalidOperationException("docs/examples/city-centre.site.yaml is not valid");
}

/// <summary>
/// The worked examples of docs/billing.md, computed from the guide's own example site file: if the
/// code or the example changes, the guide is wrong, and this says so. Tuesday 3 March 2026 in
/// Europe/Berlin (UTC+01:00); the arithmetic is in the guide and repeated here.
/// </summary>
public sealed class BillingGuideTests
{
    private static readonly SiteConfiguration Site = BillingExamples.CityCentre;
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    private static readonly ChargerId Ac = new("AC-01");
    private static readonly ChargerId Dc = new("DC-01");

    [Fact]
    public void A_stay_within_the_entry_grace_pays_nothing()
    {
        var bill = Bill(Stay(At(3, 9, 0), At(3, 9, 8)));

        Assert.Equal(0m, bill.Total);
        Assert.Equal(BillLineKind.EntryGrace, Assert.Single(bill.Lines).Kind);
    }

    [Fact]
    public void Two_hours_ten_in_the_day_pay_eight_started_quarters_after_the_free_fifteen_minutes()
    {
        // 09:00–09:15 free; 09:15–11:10 = 115 min = 8 started quarters × 0.80 = 6.40; VAT 19 % = 1.216 → 1.22; 7.62.
        var bill = Bill(Stay(At(3, 9, 0), At(3, 11, 10)));

        Assert.Equal([("Parking, free minutes", 0m), ("Parking, day", 6.40m)], Amounts(bill));
        Assert.Equal((6.40m, 1.22m, 7.62m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
    }

    [Fact]
    public void An_evening_stay_pays_each_band_for_its_own_time()
    {
        // 18:30–18:45 free; day 18:45–20:00 = 75 min = 5 quarters × 0.80 = 4.00; night 20:00–22:00 = 2 h × 1.50 = 3.00.
        // VAT 0.76 + 0.57 = 1.33; 8.33.
        var bill = Bill(Stay(At(3, 18, 30), At(3, 22, 0)));

        Assert.Equal([("Parking, free minutes", 0m), ("Parking, day", 4.00m), ("Parking, night", 3.00m)], Amounts(bill));
        Assert.Equal((7.00m, 1.33m, 8.33m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
    }

    [Fact]
    public void Two_days_pay_the_daily_maximum_each_and_vat_is_rounded_line_by_line()
    {
        // Tuesday: day 08:15–20:00 = 705 min = 47 quarters = 37.60; night 20:00–24:00 = 4 h = 6.00; 43.60 → cap 24.00 (−19.60).
        // Wednesday: night 00:00–07:00 = 7 h = 10.50; day 07:00–18:00 = 44 quarters = 35.20; 45.70 → cap 24.00 (−21.70). 48.00.
        // VAT by line: 7.14 + 1.14 + 2.00 (1.995) + 6.69 − 3.72 − 4.12 = 9.13 (not 48.00 × 19 % = 9.12); 57.13.
        var bill = Bill(Stay(At(3, 8, 0), At(4, 18, 0)));

        Assert.Equal(
            [
                ("Parking, free minutes", 0m), ("Parking, day", 37.60m), ("Parking, night", 6.00m), ("Parking, night", 10.50m), ("Parking, day", 35.20m),
                ("Daily maximum 2026-03-03", -19.60m), ("Daily maximum 2026-03-04", -21.70m),
            ],
            Amounts(bill));
        Assert.Equal((48.00m, 9.13m, 57.13m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
    }

    [Fact]
    public void A_stay_over_new_year_is_priced_by_each_years_tariff()
    {
        // 31 Dec 22:00 entry (parking-2026): 22:00–22:15 free; night 22:15–24:00 = 1 h 45 → 2 h × 1.50 = 3.00.
        // 1 Jan (parking-2027): night 00:00–07:00 = 7 × 1.50 = 10.50; day 07:00–10:00 = 12 quarters × 0.90 = 10.80. 24.30.
        // VAT 0.57 + 2.00 (1.995) + 2.05 (2.052) = 4.62; 28.92.
        var bill = Bill(Stay(new DateTimeOffset(2026, 12, 31, 22, 0, 0, TimeSpan.FromHours(1)), new DateTimeOffset(2027, 1, 1, 10, 0, 0, TimeSpan.FromHours(1))));

        Assert.Equal([("Parking, free minutes", 0m), ("Parking, night", 3.00m), ("Parking, night", 10.50m), ("Parking, day", 10.80m)], Amounts(bill));
        Assert.Equal(["parking-2026", "parking-2026", "parking-2027", "parking-2027"], bill.Lines.Select(l => l.Rule.Split('\'')[1]));
        Assert.Equal((24.30m, 4.62m, 28.92m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
    }

    [Fact]
    public void Charging_at_an_ev_bay_waives_parking_from_the_arrival_and_idling_after_it_costs_per_minute()
    {
        // Entry 09:00, at EV-01 09:03, charging 09:06–11:06 (18.4 kWh), exit 11:40.
        // Parking: 09:00–09:15 free; 09:15–11:06 waived (charging started 3 min after arriving, within 5: waived from 09:03);
        //   11:06–11:40 = 34 min = 3 quarters × 0.80 = 2.40.
        // Charging (ac-2026, day element): 18.4 kWh × 0.49 = 9.016 → 9.02; session fee 0.50.
        // Idle: finished 11:06 + 10 min grace = 11:16 to 11:40 = 24 min × 0.20 = 4.80.
        // The charging session is rounded once (OCPI): 9.516 → 9.52 excl. VAT, 9.016 × 1.19 + 0.50 × 1.19 = 11.32404 → 11.32
        // incl. VAT, so its VAT is 1.80 (shared out as 1.71 + 0.09).
        // 16.72 excl. VAT; VAT 0.46 + 1.80 + 0.91 = 3.17; 19.89.
        var stay = Stay(At(3, 9, 0), At(3, 11, 40)) with
        {
            BayStays = [new BayStay("EV-01", At(3, 9, 3), At(3, 11, 40))],
            Charges = [Charge(Ac, "EV-01", At(3, 9, 6), At(3, 11, 6), (At(3, 11, 6), 18_400))],
        };

        var bill = Bill(stay);

        Assert.Equal(
            [
                ("Parking, free minutes", 0m), ("Parking while charging (waived)", 0m), ("Parking, day", 2.40m),
                ("Energy", 9.02m), ("Charging session fee", 0.50m), ("Idle after charging at bay EV-01", 4.80m),
            ],
            Amounts(bill));
        Assert.Equal((16.72m, 3.17m, 19.89m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
        Assert.Equal([1.71m, 0.09m], bill.Lines.Where(l => l.Kind == BillLineKind.Charging).Select(l => l.Vat));
    }

    [Fact]
    public void Charging_that_starts_after_the_grace_waives_parking_only_from_its_start()
    {
        // Entry 08:25, at EV-01 09:00, charging 09:07–10:07 (10 kWh), exit 10:12. Started 7 min after arriving: waived from 09:07.
        // Paid parking 08:40–09:07 (27 min) and 10:07–10:12 (5 min) = 32 min in one band on one day = 3 quarters = 2.40
        // (had it started by 09:05: 20 + 5 = 25 min = 2 quarters). Energy 10 × 0.49 = 4.90; session fee 0.50.
        // Idle from 10:17, after the exit: none. 7.80; VAT 0.46 + 0.93 + 0.10 = 1.49; 9.29.
        var stay = Stay(At(3, 8, 25), At(3, 10, 12)) with
        {
            BayStays = [new BayStay("EV-01", At(3, 9, 0), At(3, 10, 12))],
            Charges = [Charge(Ac, "EV-01", At(3, 9, 7), At(3, 10, 7), (At(3, 10, 7), 10_000))],
        };

        var bill = Bill(stay);

        Assert.Equal(
            [("Parking, free minutes", 0m), ("Parking, day", 2.40m), ("Parking while charging (waived)", 0m), ("Energy", 4.90m), ("Charging session fee", 0.50m)],
            Amounts(bill));
        Assert.Equal((7.80m, 1.49m, 9.29m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
    }

    [Fact]
    public void Energy_after_22_00_is_priced_by_the_night_element()
    {
        // AC session 21:30–23:30; meter 5 kWh at 22:00, 20 kWh at 23:30.
        // 21:30–22:00: 5 kWh × 0.49 (element 2) = 2.45; 22:00–23:30: 15 kWh × 0.39 (element 1) = 5.85; session fee 0.50 (element 2). 8.80.
        var stay = Stay(At(3, 21, 0), At(3, 23, 45)) with
        {
            Charges = [Charge(Ac, null, At(3, 21, 30), At(3, 23, 30), (At(3, 22, 0), 5_000), (At(3, 23, 30), 20_000))],
        };

        var charging = Bill(stay).Lines.Where(l => l.Kind == BillLineKind.Charging).ToList();

        Assert.Equal(
            [("Energy", 5m, 0.49m, 2.45m, "element 2"), ("Energy", 15m, 0.39m, 5.85m, "element 1"), ("Charging session fee", 1m, 0.50m, 0.50m, "element 2")],
            charging.Select(l => (l.Description, l.Quantity, l.UnitPrice, l.AmountExclVat, l.Rule.Split(", ")[1])));
    }

    [Fact]
    public void A_short_dc_session_pays_the_minimum_price_and_a_long_one_pays_time_from_the_45th_minute()
    {
        // Short: 10:00–10:05, 2 kWh × 0.59 = 1.18 (1.40 with VAT) < min_price 2.00 / 2.38: "Charging, minimum price" +0.82 and +0.16 VAT.
        // Long: 10:00–11:00, 50 kWh × 0.59 = 29.50; TIME 10:45–11:00 = 900 s = 15 steps of 60 s = 0.25 h × 6.00 = 1.50.
        var quick = Bill(Stay(At(3, 9, 55), At(3, 10, 10)) with { Charges = [Charge(Dc, null, At(3, 10, 0), At(3, 10, 5), (At(3, 10, 5), 2_000))] });
        var slow = Bill(Stay(At(3, 9, 55), At(3, 11, 5)) with { Charges = [Charge(Dc, null, At(3, 10, 0), At(3, 11, 0), (At(3, 11, 0), 50_000))] });

        Assert.Equal(
            [("Energy", 1.18m, 0.22m), ("Charging, minimum price", 0.82m, 0.16m)],
            quick.Lines.Where(l => l.Kind is BillLineKind.Charging or BillLineKind.ChargingAdjustment).Select(l => (l.Description, l.AmountExclVat, l.Vat)));
        Assert.Equal(
            [("Energy", 50m, 29.50m), ("Charging time", 0.25m, 1.50m)],
            slow.Lines.Where(l => l.Kind == BillLineKind.Charging).Select(l => (l.Description, l.Quantity, l.AmountExclVat)));
    }

    [Fact]
    public void A_night_charge_that_waits_pauses_and_ends_full_is_idle_from_the_end_of_the_last_charge()
    {
        // Entry 20:50, at EV-01 20:55, plugged in 21:00 waiting (EVConnected) until 22:00; charging 22:00–23:00 (8 kWh), paused
        // 23:00–23:10 (SuspendedEV, under 15 min), charging 23:10–00:00 (6 kWh), full from 00:00, unplugged 00:40, out of the
        // bay 00:45, exit 00:50.
        // Parking: 20:50–21:05 free; waived from the arrival 20:55 (charging began 5 min after it) until charging finished at
        //   00:00; Wednesday 00:00–00:50 night: 1 started hour × 1.50 = 1.50 (VAT 0.285 → 0.29).
        // Charging: every period starts at night, energy 14 kWh × 0.39 = 5.46, session fee 0.50 (element 2): 5.96 excl. VAT,
        //   7.0924 → 7.09 incl. (VAT 1.13, shared as 1.04 + 0.09).
        // Idle: charging finished 00:00 (the EV stopped drawing 40 min before the stop); 00:10–00:45 = 35 min × 0.20 = 7.00 (1.33).
        // 14.46 excl. VAT; VAT 2.75; 17.21.
        var charge = Charge(Ac, "EV-01", At(3, 21, 0), At(4, 0, 40), (At(3, 22, 0), 0), (At(3, 23, 0), 8_000), (At(3, 23, 10), 8_000), (At(4, 0, 0), 14_000)) with
        {
            States =
            [
                new(At(3, 21, 0), ChargingState.EVConnected), new(At(3, 22, 0), ChargingState.Charging), new(At(3, 23, 0), ChargingState.SuspendedEV),
                new(At(3, 23, 10), ChargingState.Charging), new(At(4, 0, 0), ChargingState.SuspendedEV),
            ],
        };
        var stay = Stay(At(3, 20, 50), At(4, 0, 50)) with { BayStays = [new BayStay("EV-01", At(3, 20, 55), At(4, 0, 45))], Charges = [charge] };

        var bill = Bill(stay);
        var periods = SessionPeriods.Of(charge, Site.Tariffs, Berlin, charge.Stop!.Value).Periods;

        Assert.Equal(
            [
                ("Parking, free minutes", 0m), ("Parking while charging (waived)", 0m), ("Parking, night", 1.50m),
                ("Energy", 5.46m), ("Charging session fee", 0.50m), ("Idle after charging at bay EV-01", 7.00m),
            ],
            Amounts(bill));
        Assert.Equal([0.29m, 1.04m, 0.09m, 1.33m], bill.Lines.Where(l => l.AmountExclVat != 0).Select(l => l.Vat));
        Assert.Equal((14.46m, 2.75m, 17.21m), (bill.TotalExclVat, bill.TotalVat, bill.Total));
        Assert.Equal((At(4, 0, 10), 35m), (bill.Lines[^1].From!.Value, bill.Lines[^1].Quantity));
        Assert.Equal(
            [(At(3, 21, 0), "PARKING_TIME"), (At(3, 22, 0), "TIME"), (At(3, 23, 0), "PARKING_TIME"), (At(3, 23, 10), "TIME"), (At(4, 0, 0), "PARKING_TIME")],
            periods.Select(p => (p.Start, p.ChargingHours is null ? "PARKING_TIME" : "TIME")));
    }

    [Fact]
    public void A_permit_covers_parking_but_not_charging()
    {
        // B-CC 1001 (car park manager), 09:00–17:00: 31 quarters = 24.80, capped to 24.00 — all covered; the day's lines stay, at zero.
        var bill = Bill(Stay(At(3, 9, 0), At(3, 17, 0), plate: "BCC1001"));

        Assert.Equal(0m, bill.Total);
        Assert.Equal([("Parking, free minutes", 0m), ("Parking, day", 0m)], Amounts(bill));
        Assert.EndsWith("covered by permit (car park manager)", bill.Lines[1].Rule, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stay_whose_entry_was_never_read_pays_the_unknown_entry_charge()
    {
        // 30.00 + 19 % = 35.70.
        var bill = Bill(Stay(null, At(3, 12, 0)));

        Assert.Equal([("Parking, entry not recorded", 30.00m)], Amounts(bill));
        Assert.Equal(35.70m, bill.Total);
    }

    private static Bill Bill(StayTimeline stay) =>
        BillCalculator.Compute(stay, Site.Tariffs, BillingRules.Context(Site), stay.ExitedAt!.Value, BillStatus.Final);

    private static StayTimeline Stay(DateTimeOffset? entered, DateTimeOffset exited, string plate = "M AB 123") => new()
    {
        ParkingSessionId = "stay-1",
        Plate = Core.Plates.PlateText.Normalize(plate),
        EnteredAt = entered,
        ExitedAt = exited,
    };

    private static ChargeWindow Charge(ChargerId charger, string? bay, DateTimeOffset start, DateTimeOffset stop, params (DateTimeOffset At, decimal Wh)[] meter) => new()
    {
        ChargingSessionId = "charge-1",
        Charger = charger,
        Bay = bay,
        Start = start,
        Stop = stop,
        Energy = [new EnergyPoint(start, 0), .. meter.Select(m => new EnergyPoint(m.At, m.Wh))],
    };

    /// <summary>Local time in Berlin on a day of March 2026 (UTC+01:00).</summary>
    private static DateTimeOffset At(int day, int hour, int minute)
    {
        var local = new DateTime(2026, 3, day, hour, minute, 0);
        return new DateTimeOffset(local, Berlin.GetUtcOffset(local));
    }

    private static IEnumerable<(string, decimal)> Amounts(Bill bill) => bill.Lines.Select(l => (l.Description, l.AmountExclVat));
}
