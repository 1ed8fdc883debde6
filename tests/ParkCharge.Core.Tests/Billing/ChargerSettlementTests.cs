using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// A payment terminal on the charger settles (OCPP 2.1 NotifySettlement): a payment on the bill of the stay the
/// transaction is bound to, once per PSP reference; one that matches no stay is kept and published, never lost.
/// The stay: entry 08:00, bay B1 08:02, charging 08:03–09:03:20 with 11 kWh, exit 09:10: 4.47 incl. VAT.
/// </summary>
public sealed class ChargerSettlementTests
{
    private static readonly SiteTariffs Tariffs = new()
    {
        Parking = [new ParkingTariff { Id = "per-minute", Vat = 19, Bands = [new ParkingBand { PricePerUnit = 0.05m, Unit = TimeSpan.FromMinutes(1) }] }],
        Charging = [new ChargingTariff { Id = "energy", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, 19)])] }],
    };

    private readonly SiteScenario _site = new SiteScenario().WithCarPark(tariffs: Tariffs);

    [Fact]
    public void A_settled_amount_for_a_bound_transaction_pays_the_stays_bill()
    {
        var (tx, stay) = ChargeAndLeave();

        Settle(tx, 4.47m, "psp-1");

        var payment = Assert.Single(_site.State.Billing.PaymentsOf(stay));
        Assert.Equal((4.47m, "EUR", BillingRules.ChargerTerminal, "psp-1"), (payment.Amount, payment.Currency, payment.Method, payment.Reference));
        Assert.Equal(0m, Assert.Single(_site.Events.OfType<PaymentCompleted>()).BalanceDue);
        var received = Assert.Single(_site.Events.OfType<SettlementReceived>());
        Assert.Equal(("recorded", stay, payment.Id), (received.Outcome, received.ParkingSessionId, received.PaymentId));
    }

    [Fact]
    public void A_partial_settlement_leaves_the_rest_due()
    {
        var (tx, stay) = ChargeAndLeave();

        Settle(tx, 3.00m, "psp-1");

        Assert.Equal(3.00m, Assert.Single(_site.State.Billing.PaymentsOf(stay)).Amount);
        Assert.Equal(1.47m, Assert.Single(_site.Events.OfType<PaymentCompleted>()).BalanceDue);
    }

    [Fact]
    public void A_settlement_sent_again_under_a_new_message_id_is_recorded_once()
    {
        var (tx, stay) = ChargeAndLeave();

        Settle(tx, 4.47m, "psp-1", key: "m-1");
        Settle(tx, 4.47m, "psp-1", key: "m-2");
        Settle(tx, 4.47m, "psp-1", key: "m-1"); // the very same message: the log's idempotency

        Assert.Single(_site.State.Billing.PaymentsOf(stay));
        Assert.Equal(["recorded", "duplicate"], _site.Events.OfType<SettlementReceived>().Select(e => e.Outcome));
    }

    [Fact]
    public void A_settlement_for_an_unknown_transaction_is_kept_and_published_as_unmatched()
    {
        var (_, stay) = ChargeAndLeave();

        var decision = Settle("no-such-tx", 4.47m, "psp-9");

        Assert.IsType<Acknowledged>(decision.Reply);
        Assert.Empty(_site.State.Billing.PaymentsOf(stay));
        var received = Assert.Single(_site.Events.OfType<SettlementReceived>());
        Assert.Equal(("unmatched", 4.47m, "psp-9"), (received.Outcome, received.Amount, received.PspReference));
        Assert.Contains("no transaction 'no-such-tx'", received.Reason, StringComparison.Ordinal);
        Assert.Contains(_site.Log, o => o.Payload is SettlementReported { PspReference: "psp-9" });
    }

    [Fact]
    public void A_settlement_without_a_transaction_is_unmatched()
    {
        ChargeAndLeave();

        Settle(null, 2m, "psp-x");

        Assert.Equal("the settlement names no transaction", Assert.Single(_site.Events.OfType<SettlementReceived>()).Reason);
        Assert.Empty(_site.Events.OfType<PaymentCompleted>());
    }

    [Theory]
    [InlineData("Failed")]
    [InlineData("Canceled")]
    [InlineData("Rejected")]
    public void A_settlement_that_did_not_settle_moves_no_money(string status)
    {
        var (tx, stay) = ChargeAndLeave();

        Settle(tx, 4.47m, "psp-1", status: status);

        Assert.Empty(_site.State.Billing.PaymentsOf(stay));
        Assert.Equal("not_settled", Assert.Single(_site.Events.OfType<SettlementReceived>()).Outcome);
    }

    [Theory]
    [InlineData("0.001", "refused")]
    [InlineData("-1", "refused")]
    [InlineData("0", "refused")]
    public void An_amount_the_currency_cannot_hold_is_refused(string amount, string outcome)
    {
        var (tx, stay) = ChargeAndLeave();

        Settle(tx, decimal.Parse(amount, CultureInfo.InvariantCulture), "psp-1");

        Assert.Empty(_site.State.Billing.PaymentsOf(stay));
        Assert.Equal(outcome, Assert.Single(_site.Events.OfType<SettlementReceived>()).Outcome);
    }

    [Fact]
    public void A_charger_settling_in_another_currency_than_the_site_bills_in_is_unmatched()
    {
        var site = new SiteScenario().WithCarPark(tariffs: Tariffs with
        {
            Charging = [new ChargingTariff { Id = "chf", Currency = "CHF", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, 19)])] }],
        });
        var start = site.Now;
        site.Read("gate-in", "AB123C");
        site.Now = start.AddMinutes(2);
        site.Read("cam-b1", "AB123C");
        site.Now = start.AddMinutes(3);
        var tx = site.PlugIn16("CP1", 1, "RFID-1");

        site.Observe(new SettlementReported(SiteScenario.Cp("CP1"), tx.ToString(CultureInfo.InvariantCulture), "psp-1", "Settled", 4m, site.Now));

        var received = Assert.Single(site.Events.OfType<SettlementReceived>());
        Assert.Equal(("unmatched", "CHF"), (received.Outcome, received.Currency));
        Assert.Contains("settles in CHF, the site bills in EUR", received.Reason, StringComparison.Ordinal);
        Assert.Empty(site.Events.OfType<PaymentCompleted>());
    }

    [Fact]
    public void Replaying_the_log_records_the_same_settlements()
    {
        var (tx, _) = ChargeAndLeave();
        Settle(tx, 3m, "psp-1", key: "m-1");
        Settle(tx, 3m, "psp-1", key: "m-2");
        Settle("other", 1m, "psp-2");

        var (_, events) = _site.Replay();

        Assert.Equal(
            _site.Events.OfType<SettlementReceived>().Select(e => (e.Outcome, e.PspReference, e.PaymentId)),
            events.OfType<SettlementReceived>().Select(e => (e.Outcome, e.PspReference, e.PaymentId)));
    }

    private Decision Settle(int tx, decimal amount, string psp, string status = "Settled", string? key = null) =>
        Settle(tx.ToString(CultureInfo.InvariantCulture), amount, psp, status, key);

    private Decision Settle(string? tx, decimal amount, string psp, string status = "Settled", string? key = null) =>
        _site.Observe(new SettlementReported(SiteScenario.Cp("CP1"), tx, psp, status, amount, _site.Now), key: key);

    private (int Tx, string Stay) ChargeAndLeave()
    {
        var start = _site.Now;
        _site.Read("gate-in", "AB123C");
        _site.Now = start.AddMinutes(2);
        _site.Read("cam-b1", "AB123C");
        _site.Now = start.AddMinutes(3);
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Now = start.AddMinutes(63).AddSeconds(20);
        _site.Stop16("CP1", tx, 11_000);
        _site.Now = start.AddMinutes(70);
        _site.Read("gate-out", "AB123C");
        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal(4.47m, settled.Bill.Total);
        return (tx, settled.ParkingSessionId);
    }
}
