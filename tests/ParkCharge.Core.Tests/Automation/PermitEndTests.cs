using ParkCharge.Core.Automation;
using ParkCharge.Core.Billing;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Tests.Automation;

/// <summary>Stop charging when the vehicle's permit ends, with a notice before.</summary>
public sealed class PermitEndTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset PermitEnds = Start.AddHours(2);

    [Fact]
    public void The_notice_comes_ten_minutes_before_the_permit_ends_and_the_stop_at_the_end()
    {
        var site = Charging(new Permit("BCD1234", ValidTo: PermitEnds));
        Assert.Equal(PermitEnds.AddMinutes(-10), site.State.NextDeadline);

        site.Now = PermitEnds.AddMinutes(-11);
        site.RunTimers();
        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());

        site.Now = PermitEnds.AddMinutes(-10);
        site.RunTimers();
        var notice = Assert.Single(site.Events.OfType<ChargingStopScheduled>());
        Assert.Equal((PermitEnds, "BCD1234", PermitEnds.AddMinutes(-10)), (notice.StopAt, notice.Plate, notice.EventTime));
        Assert.DoesNotContain(site.Commands, c => c.Origin == CommandOrigin.PermitEnd);

        site.Now = PermitEnds;
        site.RunTimers();
        var stop = Assert.Single(site.Commands, c => c.Origin == CommandOrigin.PermitEnd);
        Assert.Equal((CommandType.RemoteStop, site.OnlySession().Id, "BCD1234"), (stop.Type, stop.ChargingSessionId, stop.Plate));
        Assert.Contains(site.Audit, a => a.By == "automation:permit-end" && a.Target == stop.Id);
        Assert.Single(site.Events.OfType<ChargingStopScheduled>());
    }

    [Fact]
    public void A_session_that_stops_before_the_permit_ends_is_neither_noticed_nor_stopped()
    {
        var site = Charging(new Permit("BCD1234", ValidTo: PermitEnds));
        site.Stop16("CP1", int.Parse(site.OnlySession().TransactionId, System.Globalization.CultureInfo.InvariantCulture), 3_000);

        site.Now = PermitEnds.AddHours(1);
        site.RunTimers();

        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());
        Assert.DoesNotContain(site.Commands, c => c.Origin == CommandOrigin.PermitEnd);
        Assert.Empty(site.State.Automation.StopPlans);
    }

    [Fact]
    public void A_permit_renewed_without_a_gap_moves_the_stop_to_the_end_of_the_renewal()
    {
        var site = Charging(new Permit("BCD1234", ValidTo: PermitEnds));

        site.Reconfigure(c => c with { Tariffs = c.Tariffs with { Permits = [.. c.Tariffs.Permits, new Permit("BCD1234", PermitEnds, PermitEnds.AddDays(30))] } });

        Assert.Equal(PermitEnds.AddDays(30), Assert.Single(site.State.Automation.StopPlans).EndsAt);
        site.Now = PermitEnds.AddHours(1);
        site.RunTimers();
        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());
    }

    [Fact]
    public void Vehicles_without_a_permit_or_with_one_that_never_ends_are_not_stopped()
    {
        Assert.Empty(Charging(new Permit("OTHER1", ValidTo: PermitEnds)).State.Automation.StopPlans);
        Assert.Empty(Charging(new Permit("BCD1234")).State.Automation.StopPlans);
    }

    [Fact]
    public void With_the_rule_off_nothing_is_planned()
    {
        var site = Charging(new Permit("BCD1234", ValidTo: PermitEnds), enabled: false);

        site.Now = PermitEnds.AddHours(1);
        site.RunTimers();

        Assert.Empty(site.State.Automation.StopPlans);
        Assert.Empty(site.Events.OfType<ChargingStopScheduled>());
        Assert.Empty(site.Commands);
    }

    /// <summary>BCD1234 entered, was read at bay B1 and started charging on CP1 connector 1.</summary>
    private static SiteScenario Charging(Permit permit, bool enabled = true)
    {
        var site = new SiteScenario { Now = Start.AddMinutes(-5) }.WithCarPark(
            tariffs: new SiteTariffs { Permits = [permit] },
            automation: new SiteAutomation { StopAtPermitEnd = new PermitEndRule { Enabled = enabled, Notice = TimeSpan.FromMinutes(10) } });
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(4));
        site.Read("cam-b1", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(1));
        site.PlugIn16("CP1", 1, "RFID-1");
        Assert.Equal(Core.Binding.BindingStatus.Bound, site.Binding("CP1", site.OnlySession().TransactionId).Status);
        site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
        return site;
    }
}
