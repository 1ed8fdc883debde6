using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>What each EV bay is doing, as the engine's state tells it (free, occupied, charging, finished, idle, ICE), and who says so.</summary>
public sealed class BayOccupancyTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    private BayOccupancy Bay(string id) => _site.State.Bay(id) ?? throw new InvalidOperationException($"No bay {id}.");

    [Fact]
    public void Every_EV_bay_is_listed_free_until_something_is_seen_there_and_none_before_the_site_is_configured()
    {
        Assert.Empty(new SiteScenario().State.Bays);

        Assert.Equal(["B1", "B2", "B3", "B4"], _site.State.Bays.Select(b => b.Bay));
        Assert.All(_site.State.Bays, b => Assert.Equal((BayOccupancyState.Free, OccupancyEvidence.None, null, null), (b.State, b.Evidence, b.Visit, b.Charge)));
        Assert.Null(_site.State.Bay("NOPE"));
    }

    [Fact]
    public void One_stay_at_a_bay_goes_occupied_charging_finished_idle_and_free_again()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("cam-b1", "BCD1234", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((BayOccupancyState.Occupied, OccupancyEvidence.BayCamera, "BCD1234"), (Bay("B1").State, Bay("B1").Evidence, Bay("B1").Visit?.Plate));

        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(20));
        Assert.Equal((BayOccupancyState.Occupied, OccupancyEvidence.BayCamera | OccupancyEvidence.Connector), (Bay("B1").State, Bay("B1").Evidence));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Charging), _site.Now.AddMinutes(1));
        Assert.Equal(BayOccupancyState.Charging, Bay("B1").State);
        Assert.Equal(_site.OnlySession().Id, Bay("B1").Charge?.Id);

        _site.Advance(TimeSpan.FromHours(1));
        _site.Stop16("CP1", tx, 20_000);
        Assert.Equal((BayOccupancyState.Finished, null), (Bay("B1").State, Bay("B1").Charge));

        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
        Assert.Equal(BayOccupancyState.Finished, Bay("B1").State); // within the idle grace
        _site.Advance(TimeSpan.FromMinutes(10)).RunTimers();
        Assert.Equal(BayOccupancyState.Idle, Bay("B1").State);
        Assert.Equal(Assert.Single(_site.Events.OfType<BayIdleStarted>()).IdleSince, Bay("B1").Visit?.IdleSince);

        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        Assert.Equal((BayOccupancyState.Free, OccupancyEvidence.None), (Bay("B1").State, Bay("B1").Evidence));
    }

    [Fact]
    public void A_car_standing_past_the_ICE_limit_without_charging_is_ICE_as_the_event_says_and_the_bay_beside_it_stays_free()
    {
        _site.Read("gate-in", "PETROL1");
        _site.Read("cam-b1", "PETROL1", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(10)).RunTimers();
        Assert.Equal(BayOccupancyState.Occupied, Bay("B1").State);

        _site.Advance(TimeSpan.FromMinutes(10)).RunTimers();

        var ice = Assert.Single(_site.Events.OfType<BayIceDetected>());
        Assert.Equal((BayOccupancyState.Ice, ice.VisitId), (Bay("B1").State, Bay("B1").Visit?.Id));
        Assert.Equal(BayOccupancyState.Free, Bay("B2").State);
    }

    [Fact]
    public void A_cable_in_without_any_camera_read_is_occupied_on_the_connector_evidence_alone_and_charging_once_it_draws()
    {
        _site.PlugIn16("CP1", 3, "RFID-3");
        Assert.Equal((BayOccupancyState.Occupied, OccupancyEvidence.Connector, null), (Bay("B3").State, Bay("B3").Evidence, Bay("B3").Visit));

        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(3), ConnectorStatus.Charging), _site.Now.AddMinutes(1));

        Assert.Equal((BayOccupancyState.Charging, OccupancyEvidence.Connector), (Bay("B3").State, Bay("B3").Evidence));
        Assert.Equal(BayOccupancyState.Free, Bay("B4").State);
    }

    [Fact]
    public void A_car_that_plugs_in_after_being_marked_ICE_is_charging_not_ICE()
    {
        _site.Read("gate-in", "SLOW1");
        _site.Read("cam-b2", "SLOW1", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(20)).RunTimers();
        Assert.Equal(BayOccupancyState.Ice, Bay("B2").State);

        _site.PlugIn16("CP1", 2, "RFID-2");
        Assert.NotEqual(BayOccupancyState.Ice, Bay("B2").State);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Charging), _site.Now.AddMinutes(1));
        Assert.Equal(BayOccupancyState.Charging, Bay("B2").State);
    }
}
