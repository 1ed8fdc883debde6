using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Charging;

public sealed class ChargerStatusTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCharger("CP1");

    [Fact]
    public void A_status_queued_offline_goes_into_the_timeline_but_does_not_overwrite_the_newer_current_status()
    {
        var t0 = _site.Now;
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Charging), t0.AddMinutes(10));
        var late = _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing), t0.AddMinutes(5));

        var connector = _site.State.FindCharger(Cp("CP1"))!.FindConnector(ConnectorRef.Ocpp16(1))!;
        Assert.Equal(ConnectorStatus.Charging, connector.Status);
        Assert.Equal(t0.AddMinutes(10), connector.Since);
        Assert.Equal(ConnectorStatus.Preparing, Assert.Single(late.Changes.StatusEntries).Status);
        Assert.Empty(late.Events);
    }

    [Fact]
    public void A_faulted_connector_raises_a_fault_and_recovering_clears_it()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Faulted, "GroundFailure"));
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available, "NoError"));

        var faults = _site.Events.OfType<ChargerFaultReported>().ToList();
        Assert.Equal(2, faults.Count);
        Assert.Equal(("GroundFailure", false), (faults[0].ErrorCode, faults[0].Cleared));
        Assert.True(faults[1].Cleared);
    }

    [Fact]
    public void A_reconnect_replaces_the_old_connection_and_the_old_sockets_late_close_changes_nothing()
    {
        _site.Observe(new ConnectionOpened(Cp("CP1"), "conn-2", OcppVersion.Ocpp16, "node-a", null));
        var staleClose = _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-CP1", "socket closed"));

        Assert.Empty(staleClose.Events);
        Assert.Equal("conn-2", _site.State.FindCharger(Cp("CP1"))!.Connection?.ConnectionId);

        _site.Observe(new ConnectionClosed(Cp("CP1"), "conn-2", "socket closed"));
        Assert.Null(_site.State.FindCharger(Cp("CP1"))!.Connection);
    }

    [Fact]
    public void A_security_event_is_published_as_reported_with_the_charger_s_time_beside_the_time_it_arrived()
    {
        var occurred = _site.Now.AddHours(-3); // a charger whose clock was just corrected reports the old time
        var decision = _site.Observe(new SecurityEventReported(Cp("CP1"), "SettingSystemTime", occurred, "NTP step of +3 h"));

        Assert.IsType<Acknowledged>(decision.Reply);
        var published = Assert.IsType<ChargerSecurityEvent>(Assert.Single(decision.Events));
        Assert.Equal((Cp("CP1"), "SettingSystemTime", occurred, "NTP step of +3 h", _site.Now),
            (published.Charger, published.SecurityEventType, published.OccurredAt, published.TechInfo, published.EventTime));
        Assert.Equal(decision.Events, _site.Replay().Events.TakeLast(1));
    }

    [Fact]
    public void A_security_event_from_a_charger_that_is_not_registered_is_refused_and_publishes_nothing()
    {
        var decision = _site.Observe(new SecurityEventReported(Cp("STRANGER"), "TamperDetectionActivated", _site.Now, null));

        Assert.IsType<Refused>(decision.Reply);
        Assert.Empty(decision.Events);
    }

    [Fact]
    public void A_2_0_1_problem_event_is_reported_as_a_fault()
    {
        var site = new SiteScenario().WithCharger("CS1", OcppVersion.Ocpp201);
        site.Observe(new ChargerEventsReported(Cp("CS1"),
        [
            new ChargerEventData(1, site.Now, "Alerting", "true", "ChargingStation", "Problem", Evse: 1, TechCode: "E42"),
            new ChargerEventData(2, site.Now, "Delta", "50", "EVSE", "Power", Evse: 1),
        ]));

        var fault = Assert.Single(site.Events.OfType<ChargerFaultReported>());
        Assert.Equal("ChargingStation:E42", fault.ErrorCode);
        Assert.Equal(new ConnectorRef(1, 1), fault.Connector);
    }

    [Fact]
    public void Boot_notification_records_who_the_charger_is()
    {
        _site.Observe(new BootReported(Cp("CP1"), "Acme", "Wallbox 22", "SN-1", "1.2.3", null));

        var charger = _site.State.FindCharger(Cp("CP1"))!;
        Assert.Equal(("Acme", "Wallbox 22", "SN-1", "1.2.3"), (charger.Vendor, charger.Model, charger.SerialNumber, charger.FirmwareVersion));
        Assert.Equal(_site.Now, charger.LastBootAt);
    }
}
