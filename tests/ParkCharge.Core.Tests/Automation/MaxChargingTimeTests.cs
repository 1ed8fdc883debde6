using ParkCharge.Core.Automation;
using ParkCharge.Core.Billing;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Tests.Automation;

/// <summary>An operator's rule: no charging session lasts longer than the site's maximum charging time.</summary>
public sealed class MaxChargingTimeTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_session_is_noticed_before_and_stopped_at_the_maximum_charging_time_even_when_unbound()
    {
        var site = new SiteScenario { Now = Start }.WithCarPark(automation: MaxTime(TimeSpan.FromHours(2)));
        site.PlugIn16("CP1", 1, "RFID-1");
        var session = site.OnlySession();
        var started = session.StartedAt!.Value;
        Assert.NotEqual(Core.Binding.BindingStatus.Bound, site.Binding("CP1", session.TransactionId).Status);

        site.Now = started.AddHours(2).AddMinutes(-16);
        site.RunTimers();
        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());

        site.Now = started.AddHours(2).AddMinutes(-15);
        site.RunTimers();
        var notice = Assert.Single(site.Events.OfType<ChargingStopScheduled>());
        Assert.Equal((started.AddHours(2), null, null), (notice.StopAt, notice.Plate, notice.ParkingSessionId));
        Assert.Contains("maximum charging time of 2 h", notice.Reason, StringComparison.Ordinal);
        Assert.Empty(site.Commands);

        site.Now = started.AddHours(2);
        site.RunTimers();
        var stop = Assert.Single(site.Commands);
        Assert.Equal((CommandType.RemoteStop, CommandOrigin.MaxChargingTime, session.Id), (stop.Type, stop.Origin, stop.ChargingSessionId));
        Assert.Contains(site.Audit, a => a.By == "automation:max-charging-time" && a.Target == stop.Id);
    }

    [Fact]
    public void The_earlier_of_the_permit_end_and_the_maximum_charging_time_stops_the_session()
    {
        var permitEnds = Start.AddHours(1);
        var automation = MaxTime(TimeSpan.FromHours(3)) with { StopAtPermitEnd = new PermitEndRule { Enabled = true, Notice = TimeSpan.FromMinutes(5) } };
        var site = new SiteScenario { Now = Start.AddMinutes(-5) }.WithCarPark(tariffs: new SiteTariffs { Permits = [new Permit("BCD1234", ValidTo: permitEnds)] }, automation: automation);
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(4));
        site.Read("cam-b1", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(1));
        site.PlugIn16("CP1", 1, "RFID-1");

        var plan = Assert.Single(site.State.Automation.StopPlans);
        Assert.Equal((StopCause.PermitEnd, permitEnds, "BCD1234"), (plan.Cause, plan.EndsAt, plan.Plate));

        // The permit is renewed for a month: now the maximum charging time comes first.
        site.Reconfigure(c => c with { Tariffs = c.Tariffs with { Permits = [.. c.Tariffs.Permits, new Permit("BCD1234", permitEnds, permitEnds.AddDays(30))] } });
        plan = Assert.Single(site.State.Automation.StopPlans);
        Assert.Equal((StopCause.MaxChargingTime, site.OnlySession().StartedAt!.Value.AddHours(3), "BCD1234"), (plan.Cause, plan.EndsAt, plan.Plate));

        site.Now = plan.EndsAt;
        site.RunTimers();
        var stop = Assert.Single(site.Commands);
        Assert.Equal((CommandOrigin.MaxChargingTime, "BCD1234"), (stop.Origin, stop.Plate));
    }

    [Fact]
    public void Switching_the_rule_off_drops_the_plan_and_nothing_is_stopped()
    {
        var site = new SiteScenario { Now = Start }.WithCarPark(automation: MaxTime(TimeSpan.FromHours(1)));
        site.PlugIn16("CP1", 1, "RFID-1");
        Assert.Single(site.State.Automation.StopPlans);

        site.Reconfigure(c => c with { Automation = c.Automation with { MaxChargingTime = c.Automation.MaxChargingTime with { Enabled = false } } });
        site.Now = Start.AddHours(5);
        site.RunTimers();

        Assert.Empty(site.State.Automation.StopPlans);
        Assert.Empty(site.Commands);
        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());
    }

    private static SiteAutomation MaxTime(TimeSpan limit) =>
        new() { MaxChargingTime = new MaxChargingTimeRule { Enabled = true, Limit = limit, Notice = TimeSpan.FromMinutes(15) } };
}
