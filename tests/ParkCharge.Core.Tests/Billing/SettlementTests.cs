using ParkCharge.Core.Billing;
using ParkCharge.Core.Binding;
using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// The bill through the site engine: final at the exit, adjusted (never rewritten) by what arrives
/// after, paid through the API. The site is in Europe/Berlin; 08:00 UTC on 2 March 2026 is 09:00 local.
/// Parking 0.05 per started minute, energy 0.30 per kWh, VAT 19 %.
/// </summary>
public sealed class SettlementTests
{
    private static readonly SiteTariffs Tariffs = new()
    {
        Parking = [new ParkingTariff { Id = "per-minute", Vat = 19, Bands = [new ParkingBand { PricePerUnit = 0.05m, Unit = TimeSpan.FromMinutes(1) }] }],
        Charging = [new ChargingTariff { Id = "energy", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, 19)])] }],
    };

    private readonly SiteScenario _site = new SiteScenario().WithCarPark(tariffs: Tariffs);

    [Fact]
    public void The_exit_settles_one_bill_with_parking_waived_while_charging_and_the_energy()
    {
        // 08:00 entry, 08:02 bay B1, plug-in 08:03 (start 08:03:20), stop 09:03:20 with 11 kWh, exit 09:10.
        // Waived 08:02–09:03:20 (charging began within 5 min of arriving). Paid 08:00–08:02 and 09:03:20–09:10 = 8 min 40 s → 9 min = 0.45.
        // Energy 11 kWh × 0.30 = 3.30. Total 3.75 + 19 % VAT (0.09 + 0.63) = 4.47.
        var start = _site.Now;
        var tx = ChargeAtB1("AB123C", kwh: 11);
        _site.Now = start.AddMinutes(70);

        _site.Read("gate-out", "AB123C");

        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal((BillStatus.Final, 3.75m, 4.47m), (settled.Bill.Status, settled.Bill.TotalExclVat, settled.Bill.Total));
        Assert.Equal(_site.ParkingSession("AB123C").Id, settled.ParkingSessionId);
        Assert.Contains(settled.Bill.Lines, l => l.Kind == BillLineKind.Charging && l.ChargingSessionId == _site.Session("CP1", tx.ToString(System.Globalization.CultureInfo.InvariantCulture)).Id);
        Assert.Equal(settled.Bill, _site.State.Billing.Find(settled.ParkingSessionId)!.Current);
    }

    [Fact]
    public void A_stop_that_arrives_after_the_exit_adjusts_the_settled_bill_with_a_linked_note()
    {
        // The charger was offline: at the exit (09:10) the transaction still runs, so the whole stay at the bay is waived
        // and no energy is known: 2 min parking = 0.10. The queued stop (09:03:20, 11 kWh) arrives at 09:30:
        // recomputed 3.75; the adjustment credits the old parking line and debits the new lines: +3.65.
        var start = _site.Now;
        var tx = ChargeAtB1("AB123C", kwh: null);
        _site.Now = start.AddMinutes(70);
        _site.Read("gate-out", "AB123C");
        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal(0.10m, settled.Bill.TotalExclVat);

        _site.Now = start.AddMinutes(90);
        _site.Stop16("CP1", tx, 11_000, at: start.AddMinutes(63).AddSeconds(20));

        var adjusted = Assert.Single(_site.Events.OfType<BillAdjusted>());
        Assert.Equal(settled.BillId, adjusted.BillId);
        Assert.Equal(3.65m, adjusted.Adjustment.TotalExclVat);
        Assert.Equal(3.75m, adjusted.Adjustment.Recomputed.TotalExclVat);
        Assert.StartsWith("late charging.stop_reported", adjusted.Adjustment.Reason, StringComparison.Ordinal);
        var bill = _site.State.Billing.Find(settled.ParkingSessionId)!;
        Assert.Equal(settled.Bill, bill.Bill); // the settled bill itself never changes
        Assert.Equal(3.75m, bill.Current.TotalExclVat);
    }

    [Fact]
    public void A_repeated_late_observation_adjusts_once()
    {
        var start = _site.Now;
        var tx = ChargeAtB1("AB123C", kwh: null);
        _site.Now = start.AddMinutes(70);
        _site.Read("gate-out", "AB123C");

        _site.Stop16("CP1", tx, 11_000, at: start.AddMinutes(63), key: "stop-1");
        _site.Stop16("CP1", tx, 11_000, at: start.AddMinutes(63), key: "stop-1");

        Assert.Single(_site.Events.OfType<BillAdjusted>());
    }

    [Fact]
    public void An_operator_resolution_after_settlement_moves_the_charging_to_the_right_bill()
    {
        // Two vehicles inside, no bay read: the transaction goes to review. Both leave; AAA111's bill has no charging.
        // The operator binds the transaction to AAA111: its bill gets a note adding the energy (10 kWh = 3.00) and
        // waiving the parking while it charged.
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(5));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();
        var review = _site.Binding("CP1", tx.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(BindingStatus.Review, review.Status);
        _site.Advance(TimeSpan.FromMinutes(60));
        _site.Stop16("CP1", tx, 10_000);
        _site.Advance(TimeSpan.FromMinutes(5));
        _site.Read("gate-out", "AAA111");
        var before = _site.Events.OfType<BillSettled>().Single(b => b.Plate == "AAA111");
        Assert.DoesNotContain(before.Bill.Lines, l => l.Kind == BillLineKind.Charging);

        _site.Advance(TimeSpan.FromMinutes(30));
        _site.Observe(new BindingResolvedByOperator(review.ChargingSessionId, before.ParkingSessionId, "ops (key_1)", "driver showed the receipt"));

        var adjusted = Assert.Single(_site.Events.OfType<BillAdjusted>());
        Assert.Equal(before.BillId, adjusted.BillId);
        Assert.Contains(adjusted.Adjustment.Lines, l => l.Kind == BillLineKind.Charging && l.AmountExclVat == 3.00m);
        Assert.Equal("binding changed by ops (key_1): driver showed the receipt", adjusted.Adjustment.Reason);
        Assert.Equal(adjusted.Adjustment.Recomputed.Total - before.Bill.Total, adjusted.Adjustment.Total);
    }

    [Fact]
    public void A_stay_closed_without_an_exit_read_is_settled_up_to_the_re_entry()
    {
        // AB123C enters at 09:00, is never read leaving, and enters again at 11:00: the first stay closes at 11:00
        // (exit not read) and is billed 120 min = 6.00.
        _site.Read("gate-in", "AB123C");
        _site.Advance(TimeSpan.FromHours(2));

        _site.Read("gate-in", "AB123C");

        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal(6.00m, settled.Bill.TotalExclVat);
    }

    [Fact]
    public void A_payment_is_recorded_with_what_is_still_due_and_a_wrong_currency_is_refused()
    {
        _site.Read("gate-in", "AB123C");
        _site.Advance(TimeSpan.FromMinutes(30));
        _site.Read("gate-out", "AB123C");
        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal(1.79m, settled.Bill.Total); // 30 min = 1.50 + 0.29 VAT

        var refused = _site.Observe(new PaymentRecorded(settled.ParkingSessionId, 1.79m, "USD", "card", null, "kiosk"));
        var part = _site.Observe(new PaymentRecorded(settled.ParkingSessionId, 1.00m, "EUR", "card", "T-1", "kiosk"));
        var rest = _site.Observe(new PaymentRecorded(settled.ParkingSessionId, 0.79m, "EUR", "card", "T-2", "kiosk"));

        Assert.IsType<Refused>(refused.Reply);
        Assert.Equal(0.79m, Assert.IsType<PaymentAccepted>(part.Reply).BalanceDue);
        Assert.Equal(0m, Assert.IsType<PaymentAccepted>(rest.Reply).BalanceDue);
        Assert.Equal(2, _site.Events.OfType<PaymentCompleted>().Count());
    }

    [Fact]
    public void Replaying_the_log_gives_the_same_bills_and_adjustments()
    {
        var start = _site.Now;
        var tx = ChargeAtB1("AB123C", kwh: null);
        _site.Now = start.AddMinutes(70);
        _site.Read("gate-out", "AB123C");
        _site.Stop16("CP1", tx, 11_000, at: start.AddMinutes(63));

        var (_, events) = _site.Replay();

        Assert.Equal(
            _site.Events.OfType<BillSettled>().Select(e => e.Bill.Lines.Sum(l => l.AmountInclVat)).Concat(_site.Events.OfType<BillAdjusted>().Select(e => e.Adjustment.Total)),
            events.OfType<BillSettled>().Select(e => e.Bill.Lines.Sum(l => l.AmountInclVat)).Concat(events.OfType<BillAdjusted>().Select(e => e.Adjustment.Total)));
    }

    /// <summary>Enters at now, is read at B1 2 min later, plugs in at 3 min (start 20 s later); stops after an hour with <paramref name="kwh"/> unless null.</summary>
    private int ChargeAtB1(string plate, decimal? kwh)
    {
        var start = _site.Now;
        _site.Read("gate-in", plate);
        _site.Now = start.AddMinutes(2);
        _site.Read("cam-b1", plate);
        _site.Now = start.AddMinutes(3);
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        if (kwh is { } energy)
        {
            _site.Now = start.AddMinutes(63).AddSeconds(20);
            _site.Stop16("CP1", tx, energy * 1000);
        }
        else
        {
            // No stop yet: the charger went offline (its stop will be queued and come late).
            _site.Now = start.AddMinutes(30);
            _site.Observe(new ParkCharge.Core.Charging.ConnectionClosed(SiteScenario.Cp("CP1"), "conn-CP1", "ping timeout"));
        }

        return tx;
    }
}
