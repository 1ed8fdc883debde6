using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Tests.Billing;

/// <summary>
/// What chargers are told of the cost (settings.chargerCost): a 2.1 charger that calculates it gets the site's tariff
/// (SetDefaultTariff) and nothing else; one ParkCharge tells gets the running cost (CostUpdated) from the bill, at most
/// once a minute, and the final cost in the answer to its last TransactionEvent; a 1.6 charger nothing.
/// </summary>
public sealed class ChargerCostRulesTests
{
    private static readonly ChargingTariff Energy = new()
    {
        Id = "energy",
        Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, 19), new PriceComponent(TariffDimension.ParkingTime, 6m, 19)])],
    };

    private static readonly ChargingTariff Stepped = Energy with
    {
        Id = "stepped",
        Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.30m, 19, 500)])],
    };

    private readonly SiteScenario _site = new SiteScenario()
        .WithCarPark(settings: s => s with { ChargerCost = ChargerCostMode.Local }, tariffs: new SiteTariffs { Charging = [Energy] })
        .WithCharger("CS21", OcppVersion.Ocpp21)
        .WithCharger("CS201", OcppVersion.Ocpp201);

    [Fact]
    public void A_2_1_charger_that_calculates_the_cost_gets_the_sites_tariff_when_it_boots_and_when_the_tariff_changes()
    {
        Boot("CS21");

        var sent = Assert.Single(Tariffs("CS21"));
        Assert.Equal(ChargerTariffs.From(Energy, "EUR").Tariff!.TariffId, sent.Tariff!.TariffId);
        Assert.Equal([0.30m], sent.Tariff.Energy!.Prices.Select(p => p.Price));
        Assert.Equal(CommandOrigin.ChargerCost, sent.Origin);
        Assert.Empty(Tariffs("CS201")); // 2.0.1 has no tariffs
        Assert.Empty(Tariffs("CP1")); // nor 1.6
        Answer(sent, CommandStatus.Accepted, "Accepted");

        _site.Reconfigure(c => c with { Name = "Renamed" }); // nothing the charger holds changed
        Assert.Single(Tariffs("CS21"));

        var dearer = Energy with { Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.35m, 19)])] };
        _site.Reconfigure(c => c with { Tariffs = c.Tariffs with { Charging = [dearer] } });
        var changed = Tariffs("CS21")[^1];
        Assert.Equal(ChargerTariffs.From(dearer, "EUR").Tariff!.TariffId, changed.Tariff!.TariffId);
        Assert.NotEqual(sent.Tariff!.TariffId, changed.Tariff.TariffId);

        Answer(changed, CommandStatus.Accepted, "Accepted");
        Boot("CS21"); // after a reboot it may have lost it: sent again
        Assert.Equal(3, Tariffs("CS21").Count);
    }

    [Fact]
    public void A_rejected_tariff_is_kept_as_the_commands_outcome()
    {
        Boot("CS21");
        var sent = Assert.Single(Tariffs("CS21"));

        Answer(sent, CommandStatus.Rejected, "TooManyElements");

        var completed = _site.Events.OfType<CommandCompleted>().Single(e => e.Command.CommandId == sent.Id);
        Assert.Equal(CommandStatus.Rejected, completed.Command.Status);
        Assert.Equal("TooManyElements", _site.Commands.Single(c => c.Id == sent.Id).Response);
    }

    [Fact]
    public void A_tariff_a_charger_could_not_price_like_the_bill_is_not_sent_and_the_charger_gets_running_costs_instead()
    {
        _site.Reconfigure(c => c with { Tariffs = c.Tariffs with { Charging = [Stepped] } });
        Boot("CS21");

        Assert.Empty(Tariffs("CS21"));
        var notSent = _site.Events.OfType<ChargerTariffNotSent>().Last();
        Assert.Equal(("CS21", "stepped"), (notSent.Charger.Value, notSent.TariffId));
        Assert.Contains(notSent.Problems, p => p.Contains("step_size 500", StringComparison.Ordinal));

        Charge("CS21", "tx-1");

        Assert.NotEmpty(Costs("CS21"));
    }

    [Fact]
    public void A_charger_that_calculates_the_cost_gets_no_running_cost_and_no_total()
    {
        Boot("CS21");

        var ended = Charge("CS21", "tx-1");

        Assert.Empty(Costs("CS21"));
        Assert.IsNotType<TransactionCostReply>(ended.Reply);
    }

    [Fact]
    public void A_charger_told_the_cost_gets_the_bills_running_cost_at_most_once_a_minute_and_the_final_cost_at_the_end()
    {
        // CS201 is 2.0.1: it cannot calculate, so "local" is "central" for it. 0.30/kWh + 6.00/h not charging, 19 % VAT.
        var start = _site.Now;
        Decision Event(TransactionEventType type, int seqNo, TimeSpan after, decimal wh, ChargingState? state = null)
        {
            var decision = _site.TxEvent("CS201", type, "tx-1", seqNo, at: start + after, state: state, registerWh: wh);
            foreach (var open in Costs("CS201").Where(c => c.IsOpen))
            {
                Answer(open, CommandStatus.Accepted, "Accepted"); // the charger answers at once
            }

            return decision;
        }

        Event(TransactionEventType.Started, 0, TimeSpan.Zero, 0, ChargingState.Charging); // nothing to pay yet
        Event(TransactionEventType.Updated, 1, TimeSpan.FromSeconds(30), 1_000);
        Event(TransactionEventType.Updated, 2, TimeSpan.FromSeconds(50), 2_000); // within the minute: not sent
        Event(TransactionEventType.Updated, 3, TimeSpan.FromMinutes(2), 10_000);
        Event(TransactionEventType.Updated, 4, TimeSpan.FromMinutes(20), 10_000, ChargingState.SuspendedEV); // the same cost: not sent
        Event(TransactionEventType.Updated, 5, TimeSpan.FromMinutes(30), 10_000);
        var ended = Event(TransactionEventType.Ended, 6, TimeSpan.FromMinutes(40), 10_000);

        var costs = Costs("CS201");
        Assert.Equal([0.36m, 3.57m, 4.76m], costs.Select(c => c.TotalCost!.Value)); // 1 kWh; 10 kWh; 10 kWh + 10 min idle (1.00 + VAT)
        Assert.All(costs, c => Assert.Equal("tx-1", c.TransactionId));
        var final = Assert.IsType<TransactionCostReply>(ended.Reply);
        Assert.Equal(5.95m, final.TotalCost); // 3.00 + 20 min idle 2.00 = 5.00 + 19 %
        var session = _site.Session("CS201", "tx-1");
        Assert.Equal(final.TotalCost, ChargerCostRules.Cost(_site.State.Configuration!, session, session.StoppedAt!.Value));
    }

    [Fact]
    public void The_final_cost_is_the_charging_part_of_the_stays_bill()
    {
        // CP1 (the EV bays' charger) reconnects speaking 2.0.1; the car is read at bay B1 and bound.
        _site.Observe(new ConnectionOpened(SiteScenario.Cp("CP1"), "conn-CP1-2", OcppVersion.Ocpp201, "node-a", "127.0.0.1"));
        var start = _site.Now;
        _site.Read("gate-in", "AB123C");
        _site.Now = start.AddMinutes(2);
        _site.Read("cam-b1", "AB123C");
        _site.Now = start.AddMinutes(3);
        _site.TxEvent("CP1", TransactionEventType.Started, "tx-b1", 0, state: ChargingState.Charging, registerWh: 0);
        _site.Now = start.AddMinutes(50);
        _site.TxEvent("CP1", TransactionEventType.Updated, "tx-b1", 1, state: ChargingState.SuspendedEV, registerWh: 7_777);
        _site.Now = start.AddMinutes(65);
        var ended = _site.TxEvent("CP1", TransactionEventType.Ended, "tx-b1", 2, registerWh: 7_777);
        _site.Now = start.AddMinutes(70);
        _site.Read("gate-out", "AB123C");

        var bill = Assert.Single(_site.Events.OfType<BillSettled>()).Bill;
        var charging = bill.Lines.Where(l => l.Kind is BillLineKind.Charging or BillLineKind.ChargingAdjustment).Sum(l => l.AmountInclVat);
        Assert.Equal(charging, Assert.IsType<TransactionCostReply>(ended.Reply).TotalCost);
    }

    [Fact]
    public void A_tariff_version_that_takes_over_later_is_sent_ahead_with_its_valid_from()
    {
        var from = _site.Now.AddDays(3);
        var later = new ChargingTariff { Id = "energy-2027", ValidFrom = from, Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.40m, 19)])] };
        _site.Reconfigure(c => c with { Tariffs = c.Tariffs with { Charging = [Energy with { ValidTo = from }, later] } });

        Boot("CS21");

        var sent = Tariffs("CS21");
        Assert.Equal(2, sent.Count);
        Assert.Equal(("energy", null), (sent[0].Tariff!.SourceTariffId, sent[0].Tariff!.ValidFrom));
        Assert.Equal(("energy-2027", from), (sent[1].Tariff!.SourceTariffId, sent[1].Tariff!.ValidFrom));
        Assert.Equal([0.40m], sent[1].Tariff!.Energy!.Prices.Select(p => p.Price));
    }

    [Fact]
    public void A_charger_that_refused_the_tariff_gets_the_running_cost_instead()
    {
        Boot("CS21");
        Answer(Assert.Single(Tariffs("CS21")), CommandStatus.Rejected, "ConditionNotSupported");

        var ended = Charge("CS21", "tx-1");

        Assert.NotEmpty(Costs("CS21"));
        Assert.IsType<TransactionCostReply>(ended.Reply);
    }

    [Fact]
    public void A_1_6_charger_and_a_site_that_is_off_get_nothing()
    {
        _site.Reconfigure(c => c with { Settings = c.Settings with { ChargerCost = ChargerCostMode.Off } });
        Boot("CS21");
        var ended = Charge("CS201", "tx-1");

        Assert.Empty(Tariffs("CS21"));
        Assert.Empty(Costs("CS201"));
        Assert.IsNotType<TransactionCostReply>(ended.Reply);

        var site = new SiteScenario().WithCarPark(settings: s => s with { ChargerCost = ChargerCostMode.Central }, tariffs: new SiteTariffs { Charging = [Energy] });
        var tx = site.PlugIn16("CP1", 1, "RFID-1");
        site.Advance(TimeSpan.FromMinutes(5));
        site.Observe(new MeterValuesReported(SiteScenario.Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [SiteScenario.Register(site.Now, 5_000)]));
        Assert.DoesNotContain(site.Commands, c => c.Type == CommandType.CostUpdated);
    }

    [Fact]
    public void A_charger_can_be_set_apart_from_the_rest_of_the_site()
    {
        _site.Reconfigure(c => c with
        {
            Settings = c.Settings with { ChargerCost = ChargerCostMode.Off },
            ChargerCostFor = new Dictionary<string, ChargerCostMode> { ["CS201"] = ChargerCostMode.Central },
        });
        Boot("CS21");
        Charge("CS201", "tx-1");

        Assert.Empty(Tariffs("CS21"));
        Assert.NotEmpty(Costs("CS201"));
    }

    private void Boot(string charger) =>
        _site.Observe(new BootReported(SiteScenario.Cp(charger), "Vendor", "Model", "SN", "1.0", "PowerUp"));

    private Decision Charge(string charger, string tx)
    {
        var start = _site.Now;
        _site.TxEvent(charger, TransactionEventType.Started, tx, 0, at: start, state: ChargingState.Charging, registerWh: 0);
        _site.TxEvent(charger, TransactionEventType.Updated, tx, 1, at: start.AddMinutes(5), registerWh: 3_000);
        return _site.TxEvent(charger, TransactionEventType.Ended, tx, 2, at: start.AddMinutes(10), registerWh: 5_000);
    }

    private void Answer(ChargerCommand command, CommandStatus status, string response)
    {
        _site.Observe(new CommandSent(command.Id, "conn-" + command.Charger.Value));
        _site.Observe(new CommandAnswered(command.Id, status, response, null));
    }

    private List<ChargerCommand> Tariffs(string charger) => [.. _site.Commands.Where(c => c.Charger.Value == charger && c.Type == CommandType.SetDefaultTariff)];

    private List<ChargerCommand> Costs(string charger) => [.. _site.Commands.Where(c => c.Charger.Value == charger && c.Type == CommandType.CostUpdated)];
}
