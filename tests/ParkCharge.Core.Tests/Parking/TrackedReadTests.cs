using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>
/// Cameras that follow a vehicle and push new/update/lost events for it (AXIS License Plate Verifier):
/// one vehicle is one sighting, however the text changes and however long the car stays in view.
/// </summary>
public sealed class TrackedReadTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    /// <summary>A push of a tracking camera, arriving as it is captured.</summary>
    private void Tracked(string camera, string plate, double confidence, DateTimeOffset at, string track, bool ended = false, TravelDirection? direction = null, string? key = null)
    {
        _site.Now = at > _site.Now ? at : _site.Now;
        _site.Observe(new PlateRead { Camera = camera, Plate = plate, Confidence = confidence, Track = track, TrackEnded = ended, Direction = direction }, at, key);
    }

    [Fact]
    public void New_update_and_lost_of_one_track_are_one_sighting_whose_best_read_names_the_session()
    {
        var t0 = _site.Now;

        // The table of the VAPIX License plate verifier API: NEW AA7690EQ, UPDATE to AA7690EO, LOST 10 s after the last frame.
        Tracked("gate-in", "AA7690EQ", 0.81, t0, "123");
        Tracked("gate-in", "AA7690EO", 0.93, t0.AddMilliseconds(300), "123");
        Tracked("gate-in", "AA7690EO", 0.93, t0.AddSeconds(16), "123", ended: true);

        var sighting = Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        Assert.Equal(3, sighting.Count);
        Assert.Equal("AA7690EO", sighting.Plate);
        Assert.Equal("123", sighting.Track);
        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal(("AA7690EO", t0), (session.Plate, session.EnteredAt));
        Assert.Single(_site.Events.OfType<ParkingSessionOpened>());
    }

    [Fact]
    public void A_car_waiting_five_minutes_at_the_barrier_is_still_one_sighting_when_its_lost_event_comes()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "BCD1234", 0.9, t0, "7");

        Tracked("gate-in", "BCD1234", 0.95, t0.AddMinutes(5), "7", ended: true);

        Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        Assert.Single(_site.State.Parking.Sessions);
        Assert.Empty(_site.Anomalies(ParkingAnomalyKind.EntryWhileInside));
    }

    [Fact]
    public void An_update_whose_text_is_nothing_like_the_first_read_still_belongs_to_its_track()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "XK", 0.75, t0, "42");

        Tracked("gate-in", "BCD1234", 0.95, t0.AddSeconds(1), "42");

        var sighting = Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        Assert.Equal("BCD1234", sighting.Plate);
        Assert.Equal("BCD1234", Assert.Single(_site.State.Parking.Sessions).Plate);
    }

    [Fact]
    public void Two_tracks_with_different_plates_at_once_are_two_vehicles()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "BCD1234", 0.9, t0, "1");
        Tracked("gate-in", "XYZ9876", 0.9, t0.AddMilliseconds(200), "2");

        Assert.Equal(2, _site.State.Parking.SightingsOf("gate-in").Count());
        Assert.Equal(2, _site.State.Parking.Sessions.Count());
    }

    [Fact]
    public void A_track_id_the_camera_uses_again_an_hour_later_is_another_vehicle()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "BCD1234", 0.9, t0, "1", ended: true);
        Tracked("gate-out", "BCD1234", 0.9, t0.AddMinutes(40), "9", ended: true);

        Tracked("gate-in", "XYZ9876", 0.9, t0.AddHours(1), "1");

        Assert.Equal(2, _site.State.Parking.SightingsOf("gate-in").Count());
        Assert.True(Assert.Single(_site.State.Parking.Sessions, s => s.Plate == "XYZ9876").IsOpen);
    }

    [Fact]
    public void On_a_two_way_lane_a_track_waits_for_the_update_that_brings_the_direction()
    {
        var t0 = _site.Now;
        Tracked("gate-both", "BCD1234", 0.9, t0, "5");
        Assert.Empty(_site.State.Parking.Sessions);
        Assert.Empty(_site.Anomalies(ParkingAnomalyKind.DirectionUnknown));

        Tracked("gate-both", "BCD1234", 0.9, t0.AddMilliseconds(400), "5", direction: TravelDirection.In);

        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal(t0, session.EnteredAt);
        Assert.Empty(_site.Anomalies(ParkingAnomalyKind.DirectionUnknown));
    }

    [Fact]
    public void On_a_two_way_lane_a_track_that_ends_without_a_direction_is_a_direction_unknown_anomaly()
    {
        var t0 = _site.Now;
        Tracked("gate-both", "BCD1234", 0.9, t0, "5");

        Tracked("gate-both", "BCD1234", 0.9, t0.AddSeconds(11), "5", ended: true);

        Assert.Empty(_site.State.Parking.Sessions);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.DirectionUnknown));
    }

    [Fact]
    public void A_two_way_lane_closes_the_session_when_the_track_leaving_says_out()
    {
        var t0 = _site.Now;
        Tracked("gate-both", "BCD1234", 0.9, t0, "5");
        Tracked("gate-both", "BCD1234", 0.9, t0.AddSeconds(1), "5", direction: TravelDirection.In);

        Tracked("gate-both", "BCD1234", 0.9, t0.AddHours(2), "6");
        Tracked("gate-both", "BCD1234", 0.92, t0.AddHours(2).AddSeconds(1), "6", direction: TravelDirection.Out);

        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal((t0, t0.AddHours(2)), (session.EnteredAt, session.ExitedAt));
    }

    [Fact]
    public void An_update_that_arrives_before_its_new_event_is_still_one_sighting()
    {
        var t0 = _site.Now;

        // The camera retried the NEW push after the UPDATE had gone through.
        Tracked("gate-in", "AA7690EO", 0.93, t0.AddMilliseconds(400), "123");
        _site.Observe(new PlateRead { Camera = "gate-in", Plate = "AA7690EQ", Confidence = 0.81, Track = "123" }, t0);

        var sighting = Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        Assert.Equal((2, "AA7690EO", t0), (sighting.Count, sighting.Plate, sighting.FirstSeenAt));
        Assert.Equal("AA7690EO", Assert.Single(_site.State.Parking.Sessions).Plate);
    }

    [Fact]
    public void A_better_read_that_arrives_after_the_lost_event_still_names_the_session()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "AA7690EQ", 0.81, t0, "123");
        Tracked("gate-in", "AA7690EQ", 0.81, t0.AddSeconds(11), "123", ended: true);

        // The UPDATE with the corrected text was delayed in the camera's queue.
        _site.Observe(new PlateRead { Camera = "gate-in", Plate = "AA7690EO", Confidence = 0.95, Track = "123" }, t0.AddMilliseconds(400));

        Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal(("AA7690EO", t0), (session.Plate, session.EnteredAt));
    }

    [Fact]
    public void On_a_two_way_lane_a_direction_that_arrives_out_of_order_still_decides_the_track()
    {
        var t0 = _site.Now;

        // LOST (no direction in it) came first; the UPDATE that carried the direction arrives after it.
        Tracked("gate-both", "BCD1234", 0.9, t0.AddSeconds(11), "5", ended: true);
        _site.Observe(new PlateRead { Camera = "gate-both", Plate = "BCD1234", Confidence = 0.9, Track = "5", Direction = TravelDirection.In }, t0.AddMilliseconds(400));

        Assert.Single(_site.State.Parking.SightingsOf("gate-both"));
        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal(("BCD1234", t0.AddMilliseconds(400)), (session.Plate, session.EnteredAt));
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.DirectionUnknown));
        Assert.DoesNotContain(_site.State.Parking.OpenAnomalies, a => a.Kind == ParkingAnomalyKind.DirectionUnknown);
    }

    [Fact]
    public void A_repeated_push_of_a_track_event_changes_nothing()
    {
        var t0 = _site.Now;
        Tracked("gate-in", "BCD1234", 0.9, t0, "3", key: "axis:3:new");

        var repeat = _site.Observe(new PlateRead { Camera = "gate-in", Plate = "BCD1234", Confidence = 0.9, Track = "3" }, t0, "axis:3:new");

        Assert.True(repeat.IsRepeat);
        Assert.Equal(1, Assert.Single(_site.State.Parking.SightingsOf("gate-in")).Count);
    }
}
