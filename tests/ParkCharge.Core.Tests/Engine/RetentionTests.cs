using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Engine;

public sealed class RetentionTests
{
    [Fact]
    public void Completed_sessions_are_let_go_after_the_retention_while_active_and_recent_ones_stay()
    {
        var site = new SiteScenario().WithCharger("CP1");
        var old = site.Start16("CP1", 1, "OLD", 0);
        site.Stop16("CP1", old, 100);
        var active = site.Start16("CP1", 2, "ACTIVE", 0);
        site.Advance(SiteState.SessionRetention + TimeSpan.FromHours(1));
        var recent = site.Start16("CP1", 1, "RECENT", 0);
        site.Stop16("CP1", recent, 100);

        KeepBusy(site);

        Assert.Null(site.State.FindSessionByTransaction(Cp("CP1"), old.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotNull(site.State.FindSessionByTransaction(Cp("CP1"), active.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.NotNull(site.State.FindSessionByTransaction(Cp("CP1"), recent.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void An_observation_key_is_forgotten_after_a_day_but_a_resent_start_is_still_recognised_by_its_content()
    {
        var site = new SiteScenario().WithCharger("CP1");
        var at = site.Now;
        var first = site.Start16("CP1", 1, "TAG", 500, at, key: "start-1");
        site.Advance(SiteState.KeyRetention + TimeSpan.FromHours(1));
        KeepBusy(site);
        Assert.False(site.State.TryGetProcessed("start-1", out _));

        var again = site.Start16("CP1", 1, "TAG", 500, at, key: "start-1");

        Assert.Equal(first, again);
        Assert.Single(site.State.Sessions);
    }

    /// <summary>Pruning runs every 1,024 observations: feed enough of them.</summary>
    private static void KeepBusy(SiteScenario site)
    {
        for (var i = 0; i < 1_100; i++)
        {
            site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(3), i % 2 == 0 ? ConnectorStatus.Available : ConnectorStatus.Unavailable));
        }
    }
}
