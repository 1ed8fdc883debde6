using System.Globalization;

using ParkCharge.Core.Automation;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Commands;

/// <summary>A command's life in the engine: recorded at once, sent by the edge, ended by the charger's answer, its wait or a lost connection.</summary>
public sealed class CommandTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    [Fact]
    public void A_command_is_pending_until_the_dispatcher_sends_it_and_ends_with_the_chargers_answer()
    {
        var id = Submit(new CommandRequest { Type = CommandType.Reset, Charger = Cp("CP1"), Reset = ResetKind.Hard, OfflineWait = TimeSpan.FromMinutes(2) });
        Assert.Equal(CommandStatus.Pending, Command(id).Status);
        Assert.Equal(id, Assert.Single(_site.Events.OfType<CommandRequested>()).Command.CommandId);

        Assert.IsType<Acknowledged>(_site.Observe(new CommandSent(id, "conn-CP1")).Reply);
        Assert.Equal(CommandStatus.Sent, Command(id).Status);

        _site.Observe(new CommandAnswered(id, CommandStatus.Accepted, "Accepted", null));

        var command = Command(id);
        Assert.Equal((CommandStatus.Accepted, "Accepted", ResetKind.Hard), (command.Status, command.Response, command.Reset));
        var completed = Assert.Single(_site.Events.OfType<CommandCompleted>());
        Assert.Equal((id, CommandStatus.Accepted), (completed.Command.CommandId, completed.Command.Status));
    }

    [Fact]
    public void A_command_for_an_offline_charger_that_may_not_wait_ends_offline_at_once()
    {
        _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "network"));

        var id = Submit(new CommandRequest { Type = CommandType.UnlockConnector, Charger = Cp("CP1"), Outlet = 1 });

        Assert.Equal(CommandStatus.Offline, Command(id).Status);
        Assert.Equal(CommandStatus.Offline, Assert.Single(_site.Events.OfType<CommandCompleted>()).Command.Status);
        Assert.Null(_site.State.NextDeadline);
    }

    [Fact]
    public void A_pending_command_ends_offline_when_the_charger_does_not_connect_within_its_wait()
    {
        _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "network"));
        var id = Submit(new CommandRequest { Type = CommandType.Reset, Charger = Cp("CP1"), Reset = ResetKind.Soft, OfflineWait = TimeSpan.FromMinutes(5) });
        Assert.Equal(_site.Now.AddMinutes(5), _site.State.NextDeadline);

        _site.Advance(TimeSpan.FromMinutes(4)).RunTimers();
        Assert.Equal(CommandStatus.Pending, Command(id).Status);

        _site.Advance(TimeSpan.FromMinutes(2)).RunTimers();
        var command = Command(id);
        Assert.Equal(CommandStatus.Offline, command.Status);
        Assert.Contains("not connected", command.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_sent_over_a_connection_that_closes_before_the_answer_ends_offline_and_a_late_answer_changes_nothing()
    {
        var id = Submit(new CommandRequest { Type = CommandType.Reset, Charger = Cp("CP1"), OfflineWait = TimeSpan.FromMinutes(1) });
        _site.Observe(new CommandSent(id, "conn-CP1"));

        _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "server restarted"));
        Assert.Equal(CommandStatus.Offline, Command(id).Status);

        _site.Observe(new CommandAnswered(id, CommandStatus.Accepted, "Accepted", null));
        Assert.Equal(CommandStatus.Offline, Command(id).Status);
        Assert.Single(_site.Events.OfType<CommandCompleted>());
    }

    [Fact]
    public void A_command_is_sent_only_once_and_only_over_the_chargers_current_connection()
    {
        var id = Submit(new CommandRequest { Type = CommandType.Reset, Charger = Cp("CP1"), OfflineWait = TimeSpan.FromMinutes(1) });

        Assert.IsType<Refused>(_site.Observe(new CommandSent(id, "an-old-connection")).Reply);
        Assert.IsType<Acknowledged>(_site.Observe(new CommandSent(id, "conn-CP1")).Reply);
        Assert.IsType<Refused>(_site.Observe(new CommandSent(id, "conn-CP1")).Reply);
    }

    [Fact]
    public void A_remote_stop_takes_the_charger_and_transaction_of_its_session_and_a_stopped_session_is_refused()
    {
        var tx = _site.PlugIn16("CP1", 2, "RFID-1");
        var session = _site.Session("CP1", Tx(tx));

        var id = Submit(new CommandRequest { Type = CommandType.RemoteStop, ChargingSessionId = session.Id, OfflineWait = TimeSpan.FromMinutes(1) });

        var command = Command(id);
        Assert.Equal((Cp("CP1"), Tx(tx), 2, session.Id), (command.Charger, command.TransactionId, command.Outlet, command.ChargingSessionId));

        _site.Stop16("CP1", tx, 5_000);
        var refused = _site.Observe(new CommandSubmitted(new CommandRequest { Type = CommandType.RemoteStop, ChargingSessionId = session.Id }, "api:test"));
        Assert.Contains("already stopped", Assert.IsType<Refused>(refused.Reply).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_charging_limit_on_a_connector_is_a_connector_default_profile_and_on_the_charger_its_maximum()
    {
        var connector = Command(Submit(new CommandRequest { Type = CommandType.SetChargingLimit, Charger = Cp("CP1"), Outlet = 2, Limit = new ChargingLimit(7400.06m, ChargingRateUnit.W), OfflineWait = TimeSpan.FromMinutes(1) }));
        var charger = Command(Submit(new CommandRequest { Type = CommandType.SetChargingLimit, Charger = Cp("CP1"), Limit = new ChargingLimit(32, ChargingRateUnit.A, 3), OfflineWait = TimeSpan.FromMinutes(1) }));
        var clear = Command(Submit(new CommandRequest { Type = CommandType.ClearChargingLimit, Charger = Cp("CP1"), Outlet = 2, OfflineWait = TimeSpan.FromMinutes(1) }));

        Assert.Equal((ChargingLimitScope.Connector, ChargingProfiles.ConnectorDefaultId(2), 7400.0m), (connector.Profile!.Scope, connector.Profile.ProfileId, connector.Profile.Limit.Value));
        Assert.Equal((ChargingLimitScope.Charger, ChargingProfiles.ChargerMaximumId, ChargingRateUnit.A), (charger.Profile!.Scope, charger.Profile.ProfileId, charger.Profile.Limit.Unit));
        Assert.Equal(ChargingProfiles.ConnectorDefaultId(2), clear.ProfileId);
    }

    [Fact]
    public void A_remote_start_for_a_plate_uses_the_plates_own_token_else_the_sites_and_without_either_is_refused()
    {
        var site = new SiteScenario().WithCarPark(automation: new SiteAutomation
        {
            Autocharge = new AutochargeRule { IdToken = "SITE-AUTO", Plates = [new AutochargePlate("FLEET1", "FLEET-TOKEN-1")] },
        });

        var own = site.Observe(new CommandSubmitted(new CommandRequest { Type = CommandType.RemoteStart, Charger = Cp("CP1"), Outlet = 1, Plate = "fleet 1", OfflineWait = TimeSpan.FromMinutes(1) }, "api:test"));
        var other = site.Observe(new CommandSubmitted(new CommandRequest { Type = CommandType.RemoteStart, Charger = Cp("CP1"), Outlet = 2, Plate = "XYZ987", OfflineWait = TimeSpan.FromMinutes(1) }, "api:test"));

        var ownCommand = site.State.Commands.Find(Assert.IsType<CommandQueued>(own.Reply).CommandId)!;
        var otherCommand = site.State.Commands.Find(Assert.IsType<CommandQueued>(other.Reply).CommandId)!;
        Assert.Equal(("FLEET-TOKEN-1", IdTokenSource.Plate, "FLEET1"), (ownCommand.IdToken!.Value, ownCommand.TokenSource, ownCommand.Plate));
        Assert.Equal(("SITE-AUTO", IdTokenSource.Site), (otherCommand.IdToken!.Value, otherCommand.TokenSource));

        var refused = _site.Observe(new CommandSubmitted(new CommandRequest { Type = CommandType.RemoteStart, Charger = Cp("CP1"), Plate = "XYZ987" }, "api:test"));
        Assert.Contains("No id token is linked to plate XYZ987", Assert.IsType<Refused>(refused.Reply).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_16_remote_start_is_linked_to_the_transaction_the_charger_starts_with_its_token()
    {
        var id = Submit(new CommandRequest { Type = CommandType.RemoteStart, Charger = Cp("CP1"), Outlet = 3, IdToken = new IdToken("APP-42"), OfflineWait = TimeSpan.FromMinutes(1) });
        _site.Observe(new CommandSent(id, "conn-CP1"));
        _site.Observe(new CommandAnswered(id, CommandStatus.Accepted, "Accepted", null));

        var tx = _site.PlugIn16("CP1", 3, "APP-42");

        var command = Command(id);
        Assert.Equal((_site.Session("CP1", Tx(tx)).Id, Tx(tx), IdTokenSource.Given), (command.ChargingSessionId, command.TransactionId, command.TokenSource));
    }

    [Fact]
    public void A_201_remote_start_is_linked_to_the_transaction_that_carries_its_remote_start_id()
    {
        var site = new SiteScenario().WithCarPark().WithCharger("CS2", OcppVersion.Ocpp201);
        var id = Assert.IsType<CommandQueued>(site.Observe(new CommandSubmitted(
            new CommandRequest { Type = CommandType.RemoteStart, Charger = Cp("CS2"), Outlet = 1, IdToken = new IdToken("APP-7", "Central"), OfflineWait = TimeSpan.FromMinutes(1) }, "api:test")).Reply).CommandId;
        var remoteStartId = site.State.Commands.Find(id)!.RemoteStartId;
        site.Observe(new CommandSent(id, "conn-CS2"));
        site.Observe(new CommandAnswered(id, CommandStatus.Accepted, "Accepted", null));

        site.Observe(new TransactionEventReported
        {
            Charger = Cp("CS2"),
            EventType = TransactionEventType.Started,
            TransactionId = "tx-201",
            TriggerReason = "RemoteStart",
            SeqNo = 0,
            Connector = ConnectorRef.Ocpp201(1, 1),
            RemoteStartId = remoteStartId,
            IdToken = new IdToken("APP-7", "Central"),
        });

        Assert.Equal((site.Session("CS2", "tx-201").Id, "tx-201"), (site.State.Commands.Find(id)!.ChargingSessionId, site.State.Commands.Find(id)!.TransactionId));
    }

    [Fact]
    public void Replaying_the_log_gives_every_command_and_outcome_again()
    {
        var a = Submit(new CommandRequest { Type = CommandType.Reset, Charger = Cp("CP1"), OfflineWait = TimeSpan.FromMinutes(1) });
        _site.Observe(new CommandSent(a, "conn-CP1"));
        _site.Observe(new CommandAnswered(a, CommandStatus.Rejected, "Rejected", null));
        _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "network"));
        var b = Submit(new CommandRequest { Type = CommandType.ChangeAvailability, Charger = Cp("CP1"), Availability = Availability.Inoperative, OfflineWait = TimeSpan.FromMinutes(3) });
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var (replayed, events) = _site.Replay();

        Assert.Equal(_site.Commands, [.. replayed.Commands.All.OrderBy(c => c.RequestSeq).ThenBy(c => c.Id, StringComparer.Ordinal)]);
        Assert.Equal((CommandStatus.Rejected, CommandStatus.Offline), (replayed.Commands.Find(a)!.Status, replayed.Commands.Find(b)!.Status));
        Assert.Equal(_site.Events.Count, events.Count);
    }

    private string Submit(CommandRequest request)
    {
        var decision = _site.Observe(new CommandSubmitted(request, "api:test"));
        return Assert.IsType<CommandQueued>(decision.Reply).CommandId;
    }

    private ChargerCommand Command(string id) => _site.State.Commands.Find(id) ?? throw new InvalidOperationException($"No command {id}.");

    private static string Tx(int id) => id.ToString(CultureInfo.InvariantCulture);
}
