using ParkCharge.Core.Automation;
using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Automation;

/// <summary>Autocharge by plate: the plate is the credential; the engine decides to start, the token used is recorded.</summary>
public sealed class AutochargeTests
{
    private static readonly SiteAutomation Listed = new()
    {
        Autocharge = new AutochargeRule
        {
            Enabled = true,
            IdToken = "PC-AUTO",
            Plates = [new AutochargePlate("BCD1234"), new AutochargePlate("FLEET7", "FLEET-7")],
        },
    };

    [Fact]
    public void A_listed_vehicle_read_at_a_bay_that_then_plugs_in_is_started_with_the_site_token()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(2));
        site.Read("cam-b1", "BCD1234");
        Assert.Empty(site.Commands);

        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));

        var command = Assert.Single(site.Commands);
        Assert.Equal(
            (CommandType.RemoteStart, CommandOrigin.Autocharge, 1, "PC-AUTO", IdTokenSource.Site, "BCD1234"),
            (command.Type, command.Origin, command.Outlet, command.IdToken!.Value, command.TokenSource, command.Plate));
        Assert.Equal(site.ParkingSession("BCD1234").Id, command.ParkingSessionId);
        var audit = Assert.Single(site.Audit, a => a.By == "automation:autocharge");
        Assert.Equal((command.Id, "BCD1234 is on the autocharge list"), (audit.Target, audit.Reason));
    }

    [Fact]
    public void A_plug_in_before_the_bay_read_starts_when_the_read_arrives_with_the_plates_own_token()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("gate-in", "FLEET7");
        site.Advance(TimeSpan.FromMinutes(2));
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Preparing));
        Assert.Empty(site.Commands);

        site.Advance(TimeSpan.FromSeconds(20));
        site.Read("cam-b2", "FLEET7");

        var command = Assert.Single(site.Commands);
        Assert.Equal((2, "FLEET-7", IdTokenSource.Plate), (command.Outlet, command.IdToken!.Value, command.TokenSource));
    }

    [Fact]
    public void The_transaction_the_remote_start_causes_is_accepted_with_that_token_and_linked_to_the_command()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(2));
        site.Read("cam-b1", "BCD1234");
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));
        var command = Assert.Single(site.Commands);
        site.Observe(new CommandSent(command.Id, "conn-CP1"));
        site.Observe(new CommandAnswered(command.Id, CommandStatus.Accepted, "Accepted", null));

        var authorize = site.Observe(new IdTokenPresented(Cp("CP1"), new IdToken("PC-AUTO")));
        var tx = site.Start16("CP1", 1, "PC-AUTO", 0, site.Now.AddSeconds(5));

        Assert.Equal(AuthorizationStatus.Accepted, Assert.IsType<AuthorizationReply>(authorize.Reply).Status);
        var session = site.Session("CP1", tx.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("PC-AUTO", session.IdToken!.Value);
        Assert.Equal(session.Id, site.State.Commands.Find(command.Id)!.ChargingSessionId);
        Assert.Equal("BCD1234", site.Binding("CP1", session.TransactionId).Plate);
    }

    [Fact]
    public void The_shared_site_token_is_never_learnt_as_one_vehicles_token()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(2));
        site.Read("cam-b1", "BCD1234");
        site.Advance(TimeSpan.FromSeconds(10));

        site.PlugIn16("CP1", 1, "PC-AUTO");

        Assert.Null(site.State.Binding.PlateOf("PC-AUTO"));
    }

    [Fact]
    public void A_vehicle_not_on_the_list_is_not_started_and_neither_is_any_when_the_rule_is_off()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("cam-b1", "XYZ987");
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));

        var off = new SiteScenario().WithCarPark(automation: Listed with { Autocharge = Listed.Autocharge with { Enabled = false } });
        off.Read("cam-b1", "BCD1234");
        off.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));

        Assert.Empty(site.Commands);
        Assert.Empty(off.Commands);
    }

    [Fact]
    public void One_visit_gets_one_attempt_and_a_running_transaction_gets_none()
    {
        var site = new SiteScenario().WithCarPark(automation: Listed);
        site.Read("cam-b1", "BCD1234");
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.SuspendedEVSE));
        site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));
        Assert.Single(site.Commands);

        site.PlugIn16("CP1", 2, "DRIVER-RFID");
        site.Read("cam-b2", "FLEET7");
        Assert.Single(site.Commands);
    }

    [Fact]
    public void A_201_charger_reporting_the_connector_occupied_is_started_on_the_bays_EVSE()
    {
        var site = new SiteScenario();
        site.WithCharger("CS2", OcppVersion.Ocpp201);
        site.WithCarPark(automation: Listed);
        site.Reconfigure(c => c with { EvBays = [.. c.EvBays, new Sites.EvBayConfiguration { Id = "B5", Charger = Cp("CS2"), Connector = 1 }], Cameras = [.. c.Cameras, new Sites.CameraConfiguration { Id = "cam-b5", Bays = [new Sites.CameraBay("B5")], KeyHash = "k7" }] });
        site.Read("cam-b5", "BCD1234");

        site.Observe(new ConnectorStatusReported(Cp("CS2"), ConnectorRef.Ocpp201(1, 1), ConnectorStatus.Occupied));

        var command = Assert.Single(site.Commands);
        Assert.Equal((Cp("CS2"), 1, "PC-AUTO"), (command.Charger, command.Outlet, command.IdToken!.Value));
        Assert.NotNull(command.RemoteStartId);
    }

    [Fact]
    public void With_permits_on_a_permit_holder_autocharges_and_with_learned_tokens_on_a_known_driver_does_with_their_token()
    {
        var permits = new SiteScenario().WithCarPark(
            tariffs: new SiteTariffs { Permits = [new Permit("PERMIT1", ValidTo: new DateTimeOffset(2026, 12, 31, 0, 0, 0, TimeSpan.Zero))] },
            automation: new SiteAutomation { Autocharge = new AutochargeRule { Enabled = true, IdToken = "PC-AUTO", Permits = true } });
        permits.Read("cam-b1", "PERMIT1");
        permits.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));
        Assert.Equal(("PC-AUTO", "PERMIT1"), (Assert.Single(permits.Commands).IdToken!.Value, Assert.Single(permits.Commands).Plate));

        var learned = new SiteScenario().WithCarPark(automation: new SiteAutomation { Autocharge = new AutochargeRule { Enabled = true, LearnedTokens = true } });
        learned.Read("gate-in", "KNOWN1");
        learned.Advance(TimeSpan.FromMinutes(1));
        learned.Read("cam-b1", "KNOWN1");
        var tx = learned.PlugIn16("CP1", 1, "RFID-KNOWN");
        learned.Stop16("CP1", tx, 1_000);
        learned.Observe(new BayVacancyReported("cam-b1"));
        learned.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        learned.Advance(TimeSpan.FromHours(3));
        learned.Read("cam-b1", "KNOWN1");
        learned.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing));

        var command = Assert.Single(learned.Commands);
        Assert.Equal(("RFID-KNOWN", IdTokenSource.Learned), (command.IdToken!.Value, command.TokenSource));
    }
}
