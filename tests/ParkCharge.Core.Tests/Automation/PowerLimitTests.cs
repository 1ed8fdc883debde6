using System.Globalization;

using ParkCharge.Core.Automation;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Automation;

/// <summary>The site power limit: equal shares with a minimum, re-shared as sessions start and stop.</summary>
public sealed class PowerLimitTests
{
    [Theory]
    [InlineData(22_000, 0, 1, new[] { 22_000.0 })]
    [InlineData(22_000, 0, 2, new[] { 11_000.0, 11_000.0 })]
    [InlineData(22_000, 6_000, 3, new[] { 7_333.0, 7_333.0, 7_333.0 })]
    [InlineData(22_000, 8_000, 3, new[] { 11_000.0, 11_000.0, 0.0 })]
    [InlineData(22_000, 23_000, 2, new[] { 0.0, 0.0 })]
    [InlineData(10_000, 1_400, 8, new[] { 1_428.0, 1_428.0, 1_428.0, 1_428.0, 1_428.0, 1_428.0, 1_428.0, 0.0 })]
    public void Shares_are_equal_whole_watts_at_least_the_minimum_first_started_first_served(double limit, double minimum, int sessions, double[] expected)
    {
        var shares = PowerSharing.Share((decimal)limit, (decimal)minimum, sessions);

        Assert.Equal(expected.Select(e => (decimal)e), shares);
        Assert.True(shares.Sum() <= (decimal)limit);
        Assert.All(shares, s => Assert.True(s == 0 || s >= (decimal)minimum));
    }

    [Theory]
    [InlineData(11_000, 230, 3, 15.9)]
    [InlineData(7_360, 230, 1, 32.0)]
    [InlineData(0, 230, 3, 0.0)]
    public void Watts_become_amperes_per_phase_rounded_down_to_a_tenth(double watts, double voltage, int phases, double amps) =>
        Assert.Equal((decimal)amps, PowerSharing.ToAmps((decimal)watts, (decimal)voltage, phases));

    [Fact]
    public void Each_session_that_starts_or_stops_re_shares_the_limit_with_transaction_profiles()
    {
        var site = new SiteScenario().WithCarPark(automation: new SiteAutomation { PowerLimit = new PowerLimitRule { Enabled = true, LimitKw = 22, MinimumKw = 6 } });

        var first = site.PlugIn16("CP1", 1, "A");
        Assert.Equal([("1", 22_000m)], Latest(site));

        site.Advance(TimeSpan.FromMinutes(1));
        var second = site.PlugIn16("CP1", 2, "B");
        Assert.Equal([("1", 11_000m), ("2", 11_000m)], Latest(site));

        site.Advance(TimeSpan.FromMinutes(1));
        site.PlugIn16("CP1", 3, "C");
        Assert.Equal([("1", 7_333m), ("2", 7_333m), ("3", 7_333m)], Latest(site));

        site.Advance(TimeSpan.FromMinutes(1));
        site.Stop16("CP1", second, 2_000);
        Assert.Equal([("1", 11_000m), ("3", 11_000m)], Latest(site));

        var profile = site.Commands.Last(c => c.Outlet == 1).Profile!;
        Assert.Equal((ChargingLimitScope.Transaction, Tx(first), ChargingProfiles.SharedLimitId(1)), (profile.Scope, profile.TransactionId, profile.ProfileId));
        Assert.All(site.Commands, c => Assert.Equal((CommandType.SetChargingLimit, CommandOrigin.PowerLimit), (c.Type, c.Origin)));
    }

    [Fact]
    public void A_share_not_yet_sent_is_superseded_by_the_next_and_a_charger_that_reconnects_gets_the_shares_it_missed()
    {
        var site = new SiteScenario().WithCarPark(automation: new SiteAutomation { PowerLimit = new PowerLimitRule { Enabled = true, LimitKw = 22, Unit = ChargingRateUnit.A } });
        site.PlugIn16("CP1", 1, "A");
        var firstShare = site.Commands.Single();
        site.PlugIn16("CP1", 2, "B");

        Assert.Equal(CommandStatus.Superseded, site.State.Commands.Find(firstShare.Id)!.Status);
        Assert.Equal(15.9m, site.Commands[^1].Profile!.Limit.Value);

        site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "network"));
        site.Advance(TimeSpan.FromMinutes(6)).RunTimers();
        Assert.All(site.State.Commands.All.Where(c => c.Id != firstShare.Id), c => Assert.Equal(CommandStatus.Offline, c.Status));

        site.Observe(new ConnectionOpened(Cp("CP1"), "conn-2", OcppVersion.Ocpp16, "node-a", null));

        var resent = site.State.Commands.Open.AsEnumerable().OrderBy(c => c.Outlet).Select(c => (c.Outlet, c.Profile!.Limit.Value)).ToList();
        Assert.Equal([(1, 15.9m), (2, 15.9m)], resent);
    }

    [Fact]
    public void Switching_the_limit_off_stops_re_sharing()
    {
        var site = new SiteScenario().WithCarPark(automation: new SiteAutomation { PowerLimit = new PowerLimitRule { Enabled = true, LimitKw = 22 } });
        site.PlugIn16("CP1", 1, "A");
        site.Reconfigure(c => c with { Automation = new SiteAutomation() });

        site.PlugIn16("CP1", 2, "B");

        Assert.Single(site.Commands);
        Assert.Empty(site.State.Automation.PowerShares);
        Assert.Contains(site.Audit, a => a.Action == "automation.configured" && a.Detail.Contains("power limit off", StringComparison.Ordinal));
    }

    /// <summary>The latest share per outlet, from the open commands (outlet, watts).</summary>
    private static List<(string Outlet, decimal Watts)> Latest(SiteScenario site) =>
        [.. site.State.Commands.Open.GroupBy(c => c.Outlet).Select(g => g.MaxBy(c => c.RequestSeq)!)
            .OrderBy(c => c.Outlet).Select(c => (c.Outlet!.Value.ToString(CultureInfo.InvariantCulture), c.Profile!.Limit.Value))];

    private static string Tx(int id) => id.ToString(CultureInfo.InvariantCulture);
}
