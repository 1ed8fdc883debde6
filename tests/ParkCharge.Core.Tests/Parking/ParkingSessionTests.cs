using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Tests.Parking;

public sealed class ParkingSessionTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    [Fact]
    public void An_entry_read_opens_a_session_and_the_exit_read_closes_it()
    {
        var entered = _site.Now;
        _site.Read("gate-in", "b-cd 1234");
        _site.Advance(TimeSpan.FromHours(2));
        _site.Read("gate-out", "BCD1234");

        var session = _site.ParkingSession("BCD1234");
        Assert.Equal(ParkingSessionStatus.Closed, session.Status);
        Assert.Equal((entered, entered.AddHours(2)), (session.EnteredAt, session.ExitedAt));
        Assert.Equal("b-cd 1234", session.PlateRaw);
        Assert.Equal(ParkingAnomalies.None, session.Anomalies);
        Assert.Equal(["parking.session_opened", "parking.session_closed"], _site.Events.Where(e => e.Type.StartsWith("parking.", StringComparison.Ordinal)).Select(e => e.Type));
    }

    [Fact]
    public void A_burst_of_30_reads_of_one_car_in_3_seconds_is_one_sighting_with_the_best_read()
    {
        var t0 = _site.Now;
        for (var i = 0; i < 30; i++)
        {
            var plate = i % 7 == 3 ? "BCD1Z34" : "BCD1234"; // the odd frame misread
            _site.Read("gate-in", plate, 0.80 + (i % 10 / 100.0), t0.AddMilliseconds(i * 100));
        }

        var sighting = Assert.Single(_site.State.Parking.SightingsOf("gate-in"));
        Assert.Equal(30, sighting.Count);
        Assert.Equal("BCD1234", sighting.Plate);
        Assert.Equal(0.89, sighting.Best.Confidence);
        Assert.Equal((t0, t0.AddMilliseconds(2_900)), (sighting.FirstSeenAt, sighting.LastSeenAt));
        Assert.Single(_site.State.Parking.Sessions);
        Assert.Single(_site.Events.OfType<ParkingSessionOpened>());
    }

    [Fact]
    public void An_exit_read_with_one_OCR_error_closes_the_open_session()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "XYZ9876", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromHours(1));

        _site.Read("gate-out", "8CD1234"); // B read as 8

        var session = _site.ParkingSession("BCD1234");
        Assert.Equal(ParkingSessionStatus.Closed, session.Status);
        Assert.True(session.Anomalies.HasFlag(ParkingAnomalies.MatchedBySimilarity));
        Assert.True(_site.ParkingSession("XYZ9876").IsOpen);
    }

    [Fact]
    public void An_exit_read_like_two_plates_inside_goes_to_review_instead_of_closing_either()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("gate-in", "8CD1234");
        _site.Advance(TimeSpan.FromHours(1));

        _site.Read("gate-out", "CD1234"); // the first character missed: one error away from both

        Assert.All(_site.State.Parking.Sessions, s => Assert.True(s.IsOpen));
        var review = Assert.Single(_site.Anomalies(ParkingAnomalyKind.ExitAmbiguous));
        Assert.Equal(2, review.Candidates.Length);
        Assert.Contains(review, _site.State.Parking.OpenAnomalies);
    }

    [Fact]
    public void An_operator_assigns_an_ambiguous_exit_read_to_a_session_which_closes_it_and_resolves_the_review()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "8CD1234", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromHours(1));
        var exitAt = _site.Now;
        _site.Read("gate-out", "CD1234");
        var review = Assert.Single(_site.Anomalies(ParkingAnomalyKind.ExitAmbiguous));
        var chosen = _site.ParkingSession("BCD1234");

        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Observe(new ParkingSessionClosedByOperator(chosen.Id, null, review.SightingId, "operator:anna", "checked the exit picture"));

        var closed = _site.ParkingSession("BCD1234");
        Assert.Equal((ParkingSessionStatus.Closed, exitAt), (closed.Status, closed.ExitedAt));
        Assert.True(_site.ParkingSession("8CD1234").IsOpen);
        Assert.DoesNotContain(_site.State.Parking.OpenAnomalies, a => a.Id == review.Id);
        var audit = Assert.Single(_site.Log, o => o.Payload is ParkingSessionClosedByOperator);
        Assert.Equal("operator:anna", ((ParkingSessionClosedByOperator)audit.Payload).By);
    }

    [Fact]
    public void An_exit_with_no_matching_entry_is_kept_as_a_closed_session_without_entry_and_listed()
    {
        _site.Read("gate-out", "QQQ111");

        var session = _site.ParkingSession("QQQ111");
        Assert.Equal((ParkingSessionStatus.Closed, (DateTimeOffset?)null), (session.Status, session.EnteredAt));
        Assert.True(session.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry));
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.ExitWithoutEntry));
    }

    [Fact]
    public void An_entry_while_the_same_plate_is_inside_closes_the_earlier_session_as_exit_not_read_and_lists_it()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromHours(5));
        var second = _site.Now;

        _site.Read("gate-in", "BCD1234");

        var sessions = _site.State.Parking.Sessions.OrderBy(s => s.EnteredAt).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Equal((ParkingSessionStatus.Closed, ParkingSessionClosure.ReEntered, second), (sessions[0].Status, sessions[0].ClosedBy, sessions[0].ExitedAt!.Value));
        Assert.True(sessions[0].Anomalies.HasFlag(ParkingAnomalies.ExitNotRead));
        Assert.True(sessions[1].IsOpen);
        Assert.True(sessions[1].Anomalies.HasFlag(ParkingAnomalies.EntryWhileInside));
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.EntryWhileInside));
    }

    [Fact]
    public void A_re_entry_within_the_sites_window_continues_the_same_session()
    {
        var site = new SiteScenario().WithCarPark(s => s with { ReentryWindow = TimeSpan.FromMinutes(15) });
        site.Read("gate-in", "BCD1234");
        site.Advance(TimeSpan.FromHours(1));
        site.Read("gate-out", "BCD1234");
        site.Advance(TimeSpan.FromMinutes(10));

        site.Read("gate-in", "BCD1234");

        var session = Assert.Single(site.State.Parking.Sessions);
        Assert.True(session.IsOpen);
        Assert.True(session.Anomalies.HasFlag(ParkingAnomalies.ReEntry));
    }

    [Fact]
    public void A_read_below_the_confidence_threshold_is_evidence_only_until_a_confident_read_of_the_same_sighting()
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "BCD1234", confidence: 0.4, at: t0);
        Assert.Empty(_site.State.Parking.Sessions);
        var low = Assert.Single(_site.Anomalies(ParkingAnomalyKind.LowConfidence));

        _site.Read("gate-in", "BCD1234", confidence: 0.95, at: t0.AddSeconds(2));

        var session = Assert.Single(_site.State.Parking.Sessions);
        Assert.Equal(t0, session.EnteredAt); // the vehicle passed at the first read
        Assert.DoesNotContain(_site.State.Parking.OpenAnomalies, a => a.Id == low.Id);
    }

    [Fact]
    public void An_unreadable_plate_is_listed_and_opens_nothing()
    {
        _site.Read("gate-in", "", confidence: null);
        _site.Read("gate-in", "---", confidence: 0.9, at: _site.Now.AddSeconds(1));

        Assert.Empty(_site.State.Parking.Sessions);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.UnreadablePlate));
    }

    [Fact]
    public void A_two_way_lane_uses_the_cameras_direction_and_lists_reads_without_one()
    {
        _site.Read("gate-both", "BCD1234", direction: TravelDirection.In);
        _site.Advance(TimeSpan.FromHours(1));
        _site.Read("gate-both", "BCD1234", direction: TravelDirection.Out);
        _site.Read("gate-both", "XYZ9876", direction: null);

        Assert.Equal(ParkingSessionStatus.Closed, _site.ParkingSession("BCD1234").Status);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.DirectionUnknown));
        Assert.DoesNotContain(_site.State.Parking.Sessions, s => s.Plate == "XYZ9876");
    }

    [Theory]
    [InlineData(-60)]
    [InlineData(60)]
    public void Camera_clocks_sixty_seconds_off_still_give_the_right_session(int skewSeconds)
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "BCD1234", at: t0.AddSeconds(skewSeconds));
        _site.Advance(TimeSpan.FromSeconds(30));
        _site.Read("gate-out", "BCD1234", at: _site.Now.AddSeconds(-skewSeconds)); // the exit camera is off the other way

        var session = _site.ParkingSession("BCD1234");
        Assert.Equal(ParkingSessionStatus.Closed, session.Status);
        Assert.True(session.ExitedAt >= session.EnteredAt);
        Assert.Equal(skewSeconds > 0, session.Anomalies.HasFlag(ParkingAnomalies.ExitBeforeEntry));
    }

    [Fact]
    public void A_camera_clock_far_ahead_of_the_server_is_not_believed()
    {
        _site.Read("gate-in", "BCD1234", at: _site.Now.AddHours(3));

        Assert.Equal(_site.Now, _site.ParkingSession("BCD1234").EnteredAt);
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.CameraClockAhead));
    }

    [Fact]
    public void A_session_open_longer_than_the_maximum_stay_is_flagged_when_its_timer_elapses()
    {
        var entered = _site.Now;
        _site.Read("gate-in", "BCD1234");
        Assert.Equal(entered + new ParkCharge.Core.Sites.SiteSettings().MaxStay, _site.State.NextDeadline);

        _site.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1));
        _site.Observe(new TimerElapsed(entered.AddDays(3)), entered.AddDays(3), key: "timer-1");

        Assert.True(_site.ParkingSession("BCD1234").Anomalies.HasFlag(ParkingAnomalies.OverMaxStay));
        Assert.Single(_site.Anomalies(ParkingAnomalyKind.OverMaxStay));
        Assert.Null(_site.State.NextDeadline);
    }

    [Fact]
    public void An_operator_fixes_a_plate_and_merges_an_exit_without_entry_into_the_misread_session()
    {
        var entered = _site.Now;
        _site.Read("gate-in", "WRONG1");
        _site.Advance(TimeSpan.FromHours(3));
        var exited = _site.Now;
        _site.Read("gate-out", "BCD1234");
        var inside = _site.ParkingSession("WRONG1");
        var orphan = _site.ParkingSession("BCD1234");

        _site.Observe(new PlateCorrected(inside.Id, "BCD 1234", "operator:ben", "entry picture shows BCD 1234"));
        _site.Observe(new ParkingSessionsMerged(inside.Id, orphan.Id, "operator:ben", "same stay"));

        var merged = _site.State.Parking.FindSession(inside.Id)!;
        Assert.Equal(("BCD1234", ParkingSessionStatus.Closed, entered, exited), (merged.Plate, merged.Status, merged.EnteredAt!.Value, merged.ExitedAt!.Value));
        Assert.Equal(ParkingSessionClosure.Merged, _site.State.Parking.FindSession(orphan.Id)!.ClosedBy);
        Assert.DoesNotContain(_site.State.Parking.OpenAnomalies, a => a.ParkingSessionId == orphan.Id);
    }
}
