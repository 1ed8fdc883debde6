using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Parking;

public sealed class BayVisitTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    [Fact]
    public void A_bay_read_starts_a_visit_linked_to_the_plates_open_session_and_repeated_reads_extend_it()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        var arrived = _site.Now;
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(5));
        _site.Read("cam-b1", "BCD1234");

        var visit = _site.CurrentVisit("B1")!;
        Assert.Equal(_site.ParkingSession("BCD1234").Id, visit.ParkingSessionId);
        Assert.Equal((arrived, _site.Now), (visit.StartedAt, visit.LastSeenAt));
        Assert.Contains(visit.Id, _site.ParkingSession("BCD1234").BayVisitIds);
        Assert.Single(_site.Events.OfType<BayVehicleArrived>());
    }

    [Fact]
    public void A_bay_read_with_one_OCR_error_still_links_to_the_right_session()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("cam-b2", "BCD12S4");

        Assert.Equal(_site.ParkingSession("BCD1234").Id, _site.CurrentVisit("B2")!.ParkingSessionId);
    }

    [Fact]
    public void A_vehicle_moving_from_one_bay_to_another_ends_the_first_visit()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(20));

        _site.Read("cam-b2", "BCD1234");

        Assert.Null(_site.CurrentVisit("B1"));
        Assert.NotNull(_site.CurrentVisit("B2"));
        var left = Assert.Single(_site.Events.OfType<BayVehicleLeft>());
        Assert.Equal(("B1", BayVisitEnd.MovedToAnotherBay), (left.Bay, left.Reason));
    }

    [Fact]
    public void A_camera_covering_two_bays_tells_them_apart_by_zone_or_by_where_the_plate_is()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));

        _site.Read("cam-b34", "AAA111", zone: "left");
        _site.Read("cam-b34", "BBB222", plateX: 0.8);
        _site.Read("cam-b34", "CCC333");

        Assert.Equal("AAA111", _site.CurrentVisit("B3")!.Plate);
        Assert.Equal("BBB222", _site.CurrentVisit("B4")!.Plate);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.BayUnknown));
    }

    [Fact]
    public void Another_plate_at_the_bay_ends_the_visit_of_the_vehicle_before()
    {
        _site.Read("cam-b1", "AAA111");
        _site.Advance(TimeSpan.FromMinutes(30));

        _site.Read("cam-b1", "ZZZ999");

        Assert.Equal("ZZZ999", _site.CurrentVisit("B1")!.Plate);
        Assert.Equal(BayVisitEnd.AnotherVehicle, Assert.Single(_site.Events.OfType<BayVehicleLeft>()).Reason);
    }

    [Fact]
    public void The_cameras_vacancy_report_the_plates_exit_and_the_connector_back_to_available_each_end_a_visit()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(30));
        _site.Read("gate-in", "CCC333", at: _site.Now.AddSeconds(60));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "AAA111");
        _site.Read("cam-b2", "BBB222");
        _site.Read("cam-b34", "CCC333", zone: "left");
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(3), ConnectorStatus.Charging));
        _site.Advance(TimeSpan.FromHours(1));

        _site.Observe(new BayVacancyReported("cam-b1"));
        _site.Read("gate-out", "BBB222");
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(3), ConnectorStatus.Available));

        var ends = _site.Events.OfType<BayVehicleLeft>().ToDictionary(e => e.Bay, e => e.Reason);
        Assert.Equal(BayVisitEnd.Vacated, ends["B1"]);
        Assert.Equal(BayVisitEnd.ExitedCarPark, ends["B2"]);
        Assert.Equal(BayVisitEnd.ConnectorAvailable, ends["B3"]);
        Assert.Empty(_site.State.Parking.CurrentVisits);
    }

    [Fact]
    public void A_parking_camera_reporting_a_space_that_is_none_of_its_bays_empty_ends_no_visit()
    {
        _site.Read("gate-in", "CCC333");
        _site.Read("gate-in", "DDD444", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b34", "CCC333", zone: "left");
        _site.Read("cam-b34", "DDD444", zone: "right", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromHours(1));

        _site.Observe(new BayVacancyReported("cam-b34", "7")); // a space next to the EV bays
        _site.Observe(new BayVacancyReported("cam-b34", "RIGHT"));

        Assert.Equal("CCC333", _site.CurrentVisit("B3")!.Plate);
        Assert.Null(_site.CurrentVisit("B4"));
        Assert.Equal(BayVisitEnd.Vacated, Assert.Single(_site.Events.OfType<BayVehicleLeft>()).Reason);
    }

    [Fact]
    public void A_bay_reported_taken_keeps_its_visit_when_an_older_vacancy_arrives_late()
    {
        _site.Read("gate-in", "CCC333");
        _site.Read("cam-b34", "CCC333", zone: "left");
        var seen = _site.Now;
        _site.Advance(TimeSpan.FromHours(1));

        _site.Observe(new BayOccupancyReported("cam-b34", "LEFT"));
        _site.Observe(new BayVacancyReported("cam-b34", "left"), eventTime: seen.AddMinutes(30)); // queued in the camera

        Assert.Equal(("CCC333", _site.Now), (_site.CurrentVisit("B3")!.Plate, _site.CurrentVisit("B3")!.LastSeenAt));
        Assert.Empty(_site.Events.OfType<BayVehicleLeft>());
    }

    [Fact]
    public void A_bay_reported_taken_without_a_plate_starts_no_visit()
    {
        var decision = _site.Observe(new BayOccupancyReported("cam-b1"));

        Assert.IsType<Acknowledged>(decision.Reply);
        Assert.Null(_site.CurrentVisit("B1"));
        Assert.Empty(_site.Events.OfType<BayVehicleArrived>());
    }

    [Fact]
    public void Occupancy_from_a_gate_camera_is_refused()
    {
        Assert.IsType<Refused>(_site.Observe(new BayOccupancyReported("gate-in")).Reply);
    }

    [Fact]
    public void A_vehicle_at_a_bay_with_no_session_is_kept_and_listed()
    {
        _site.Read("cam-b1", "NOENTRY1");

        Assert.Null(_site.CurrentVisit("B1")!.ParkingSessionId);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.VisitWithoutSession));
    }
}
