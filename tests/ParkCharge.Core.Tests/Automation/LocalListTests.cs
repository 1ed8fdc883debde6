using ParkCharge.Core.Automation;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Automation;

/// <summary>The site's local authorisation list as the engine keeps it on each charger: full first, then differences, with versions.</summary>
public sealed class LocalListTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark(automation: new SiteAutomation
    {
        Autocharge = new AutochargeRule
        {
            LocalList = true,
            LearnedTokens = true,
            IdToken = "SITE-TOKEN",
            Plates = [new AutochargePlate("FLEET42", "FLEET-42"), new AutochargePlate("SITECAR1")],
        },
    });

    private List<ChargerCommand> Lists => [.. _site.Commands.Where(c => c.Type == CommandType.SendLocalList)];

    [Fact]
    public void A_connected_charger_gets_the_plates_own_tokens_in_full_and_then_only_what_a_confident_binding_taught()
    {
        var full = Assert.Single(Lists);
        Assert.Equal((1, true, CommandOrigin.LocalList), (full.LocalList!.Version, full.LocalList.Full, full.Origin));
        Assert.Equal(["FLEET-42"], full.LocalList.Entries.Select(e => e.IdToken)); // a plate on the site's token has nothing to list
        Answer(full, CommandStatus.Accepted, "Accepted");

        // A card seen with one car at a bay camera is learnt, and goes to the list as a difference.
        _site.Read("gate-in", "CARD001");
        _site.Read("cam-b1", "CARD001", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.PlugIn16("CP1", 1, "RFID-77", _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var differential = Lists.Last();
        Assert.Equal((2, false), (differential.LocalList!.Version, differential.LocalList.Full));
        Assert.Equal([("RFID-77", "CARD001", false)], differential.LocalList.Entries.Select(e => (e.IdToken, e.Plate, e.Remove)));
        Answer(differential, CommandStatus.Accepted, "Accepted");
        Assert.Equal(["FLEET-42", "RFID-77"], _site.State.Automation.FindLocalList(Cp("CP1"))!.Entries.Keys);
        Assert.Equal(2, Lists.Count); // nothing more to send
    }

    [Fact]
    public void A_version_mismatch_brings_the_full_list_again_and_a_plate_taken_off_is_removed_by_a_difference()
    {
        Answer(Assert.Single(Lists), CommandStatus.Accepted, "Accepted");
        _site.Reconfigure(c => c with { Automation = c.Automation with { Autocharge = c.Automation.Autocharge with { Plates = [new AutochargePlate("OTHER99", "OTHER-99")] } } });

        var difference = Lists.Last();
        Assert.Equal([("FLEET-42", true), ("OTHER-99", false)], difference.LocalList!.Entries.Select(e => (e.IdToken, e.Remove)));
        Answer(difference, CommandStatus.Rejected, "VersionMismatch");

        var again = Lists.Last();
        Assert.Equal((3, true), (again.LocalList!.Version, again.LocalList.Full));
        Assert.Equal(["OTHER-99"], again.LocalList.Entries.Select(e => e.IdToken));
    }

    [Fact]
    public void A_charger_without_local_lists_is_left_alone_until_it_reconnects_and_none_are_sent_when_the_rule_is_off()
    {
        Answer(Assert.Single(Lists), CommandStatus.Rejected, "NotSupported");
        _site.Reconfigure(c => c with { Automation = c.Automation with { Autocharge = c.Automation.Autocharge with { Plates = [] } } });
        Assert.Single(Lists);

        _site.Observe(new ConnectionOpened(Cp("CP1"), "conn-2", OcppVersion.Ocpp16, "node-a", "127.0.0.1"));
        Assert.Equal(2, Lists.Count);

        var off = new SiteScenario().WithCarPark(automation: new SiteAutomation { Autocharge = new AutochargeRule { Plates = [new AutochargePlate("FLEET42", "FLEET-42")] } });
        Assert.DoesNotContain(off.Commands, c => c.Type == CommandType.SendLocalList);
    }

    private void Answer(ChargerCommand command, CommandStatus outcome, string response)
    {
        var connection = _site.State.FindCharger(command.Charger)!.Connection!.ConnectionId;
        _site.Observe(new CommandSent(command.Id, connection));
        _site.Observe(new CommandAnswered(command.Id, outcome, response, null));
    }
}
