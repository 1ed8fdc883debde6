using ParkCharge.Core.Billing;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>
/// Stays whose gate read was missed, opened or closed from other evidence with the exact plate (issue 22 part 3):
/// billed from the earliest evidence (never more than the car could have stayed), marked, listed for review, and
/// replaced by a gate read that arrives later; never inferred from a look-alike plate. Parking 0.05 per started
/// minute, VAT 19 %, the unknown-entry charge 20.00. The scenario starts 08:00 UTC on 2 March 2026.
/// </summary>
public sealed class InferredStayTests
{
    private static readonly SiteTariffs Tariffs = new()
    {
        Parking = [new ParkingTariff { Id = "per-minute", Vat = 19, UnknownEntryCharge = 20m, Bands = [new ParkingBand { PricePerUnit = 0.05m, Unit = TimeSpan.FromMinutes(1) }] }],
    };

    private static SiteScenario Site(Func<InferredStaySettings, InferredStaySettings>? settings = null)
    {
        var site = new SiteScenario().WithCarPark(tariffs: Tariffs);
        return site.Reconfigure(c => c with { InferredStays = settings?.Invoke(new InferredStaySettings()) ?? new InferredStaySettings() });
    }

    private static Bill BillOf(SiteScenario site, string plate) => site.State.Billing.Find(site.ParkingSession(plate).Id)!.Current;

    private static decimal Parking(Bill bill) => bill.Lines.Where(l => l.Kind is BillLineKind.Parking or BillLineKind.UnknownEntry).Sum(l => l.AmountExclVat);

    /// <summary>Twelve unreadable pushes at the exit camera: it is degraded (half its recent reads poor), blind from then.</summary>
    private static void DegradeExitCamera(SiteScenario site)
    {
        for (var i = 0; i < 12; i++)
        {
            site.Read("gate-out", "???", confidence: 0.1);
            site.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Single(site.Events.OfType<CameraDegraded>(), e => e.Camera == "gate-out");
    }

    [Fact]
    public void An_exit_without_entry_of_a_plate_read_at_a_bay_gets_its_entry_at_that_read_and_is_billed_from_it()
    {
        var site = Site();
        var parked = site.Now;
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(90));
        site.Observe(new BayVacancyReported("cam-b1"));
        site.Advance(TimeSpan.FromMinutes(5));

        site.Read("gate-out", "AB123CD");

        var stay = site.ParkingSession("AB123CD");
        Assert.Equal((parked, site.Now), (stay.EnteredAt, stay.ExitedAt));
        Assert.True(stay.Anomalies.HasFlag(ParkingAnomalies.EntryInferred));
        Assert.True(stay.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry)); // still true: the gate never read it coming in
        var inferred = Assert.Single(site.Events.OfType<ParkingSessionInferred>());
        Assert.Equal(("entry", parked, true), (inferred.End, inferred.At, inferred.Billed));
        Assert.Equal(stay.BayVisitIds, inferred.Evidence);
        var review = Assert.Single(site.State.Parking.OpenAnomalies, a => a.Kind == ParkingAnomalyKind.StayInferred);
        Assert.Equal(stay.Id, review.ParkingSessionId);
        Assert.DoesNotContain(site.State.Parking.OpenAnomalies, a => a.Kind == ParkingAnomalyKind.ExitWithoutEntry);

        // 95 minutes from the bay read: 4.75, not the unknown-entry charge; settled once.
        var bill = Assert.Single(site.Events.OfType<BillSettled>()).Bill;
        Assert.Equal(4.75m, Parking(bill));
        Assert.DoesNotContain(bill.Lines, l => l.Kind == BillLineKind.UnknownEntry);
    }

    [Fact]
    public void An_exit_without_any_evidence_stays_an_anomaly_with_the_unknown_entry_charge()
    {
        var site = Site();
        site.Read("gate-out", "ZZ999ZZ");

        var stay = site.ParkingSession("ZZ999ZZ");
        Assert.Null(stay.EnteredAt);
        Assert.False(stay.Anomalies.HasFlag(ParkingAnomalies.EntryInferred));
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
        Assert.Single(site.State.Parking.OpenAnomalies, a => a.Kind == ParkingAnomalyKind.ExitWithoutEntry);
        Assert.Equal(20m, Parking(BillOf(site, "ZZ999ZZ")));
    }

    [Fact]
    public void A_look_alike_plate_at_a_bay_one_OCR_error_off_infers_nothing()
    {
        var site = Site();
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromHours(3));

        site.Read("gate-out", "AB123C0"); // D read as 0: another car as often as a misread

        var stay = site.ParkingSession("AB123C0");
        Assert.Null(stay.EnteredAt);
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
        Assert.Equal(20m, Parking(BillOf(site, "AB123C0"))); // no three hours billed from the look-alike's bay read
    }

    [Fact]
    public void Of_two_cars_with_look_alike_plates_the_one_that_left_unread_gets_its_entry_from_its_own_bay_read_only()
    {
        // AB123CD came in read and charges at B1: a read one OCR error off elsewhere cannot be it (it is plugged in here).
        var site = Site();
        site.Read("gate-in", "AB123CD");
        site.Read("cam-b1", "AB123CD");
        site.PlugIn16("CP1", 1, "TAG1");
        site.Advance(TimeSpan.FromMinutes(20)).RunTimers();
        var twinParked = site.Now;
        site.Read("cam-b2", "AB123C0"); // its entry was not read
        site.Advance(TimeSpan.FromMinutes(40));

        site.Read("gate-out", "AB123C0");

        var twin = site.ParkingSession("AB123C0");
        Assert.Equal(twinParked, twin.EnteredAt); // not the look-alike's bay read 20 minutes before
        Assert.Equal([site.State.Parking.CurrentVisits.Concat(site.State.Parking.Visits).First(v => v.Plate == "AB123C0").Id], Assert.Single(site.Events.OfType<ParkingSessionInferred>()).Evidence);
        var first = site.ParkingSession("AB123CD");
        Assert.True(first.IsOpen);
        Assert.Equal(ParkingAnomalies.None, first.Anomalies);
        Assert.Equal(2.00m, Parking(BillOf(site, "AB123C0")));
    }

    [Fact]
    public void Evidence_older_than_the_look_back_is_not_the_entry()
    {
        var site = Site(s => s with { LookBack = TimeSpan.FromHours(2) });
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromHours(3));

        site.Read("gate-out", "AB123CD");

        Assert.Null(site.ParkingSession("AB123CD").EnteredAt);
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
    }

    [Fact]
    public void A_late_entry_read_with_an_earlier_capture_time_replaces_the_inferred_entry_and_adjusts_the_bill()
    {
        var site = Site();
        var entered = site.Now;
        site.Advance(TimeSpan.FromMinutes(10));
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(60));
        site.Read("gate-out", "AB123CD");
        Assert.Equal(3.00m, Parking(BillOf(site, "AB123CD"))); // 60 min from the bay read

        // The entry camera's buffer arrives: it read the car at 08:00.
        site.Advance(TimeSpan.FromMinutes(20));
        site.Read("gate-in", "AB123CD", at: entered);

        var stay = Assert.Single(site.State.Parking.Sessions, s => s.Plate == "AB123CD");
        Assert.Equal(entered, stay.EnteredAt);
        Assert.False(stay.Anomalies.HasFlag(ParkingAnomalies.EntryInferred));
        Assert.False(stay.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry));
        Assert.Empty(site.State.Parking.OpenSessions); // no stay opened by the late read
        Assert.DoesNotContain(site.State.Parking.OpenAnomalies, a => a.ParkingSessionId == stay.Id);
        var adjusted = Assert.Single(site.Events.OfType<BillAdjusted>());
        Assert.Equal(0.50m, adjusted.Adjustment.Lines.Sum(l => l.AmountExclVat));
        Assert.Equal(3.50m, Parking(BillOf(site, "AB123CD"))); // 70 min from the entry read
    }

    [Fact]
    public void With_bill_inferred_entry_off_the_stay_is_marked_but_billed_as_an_exit_without_entry()
    {
        var site = Site(s => s with { BillInferredEntry = false });
        var parked = site.Now;
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(30));

        site.Read("gate-out", "AB123CD");

        Assert.Equal(parked, site.ParkingSession("AB123CD").EnteredAt);
        Assert.False(Assert.Single(site.Events.OfType<ParkingSessionInferred>()).Billed);
        Assert.Equal(20m, Parking(BillOf(site, "AB123CD")));
    }

    [Fact]
    public void A_vehicle_that_left_unread_and_came_back_next_day_is_billed_until_it_left_its_bay_not_until_its_return()
    {
        var site = Site();
        site.Read("gate-in", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(5));
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(55));
        site.Observe(new BayVacancyReported("cam-b1"));
        var leftBay = site.Now;

        // It left without an exit read; it comes back the next morning.
        site.Advance(TimeSpan.FromHours(23));
        site.Read("gate-in", "AB123CD");

        var first = site.State.Parking.Sessions.Single(s => s.Plate == "AB123CD" && !s.IsOpen);
        Assert.Equal((leftBay, ParkingSessionClosure.ReEntered), (first.ExitedAt, first.ClosedBy));
        Assert.True(first.Anomalies.HasFlag(ParkingAnomalies.ExitInferred));
        Assert.Equal(3.00m, Parking(site.State.Billing.Find(first.Id)!.Current)); // one hour
        var inferred = Assert.Single(site.Events.OfType<ParkingSessionInferred>());
        Assert.Equal(("exit", leftBay), (inferred.End, inferred.At));
        Assert.Single(site.State.Parking.OpenSessions, s => s.Plate == "AB123CD" && s.EnteredAt == site.Now);
    }

    [Fact]
    public void A_vehicle_whose_bay_camera_never_reported_it_gone_and_that_comes_back_is_billed_until_its_last_read_there()
    {
        var site = Site();
        site.Read("gate-in", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(5));
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(25));
        site.Read("cam-b1", "AB123CD"); // its last read at the bay; no vacancy report follows
        var lastRead = site.Now;

        site.Advance(TimeSpan.FromHours(20));
        site.Read("gate-in", "AB123CD");

        var first = site.State.Parking.Sessions.Single(s => s.Plate == "AB123CD" && !s.IsOpen);
        Assert.Equal(lastRead, first.ExitedAt);
        Assert.Equal(1.50m, Parking(site.State.Billing.Find(first.Id)!.Current)); // 30 minutes
    }

    [Fact]
    public void A_vehicle_still_charging_when_its_plate_enters_again_is_closed_at_the_new_entry_as_before()
    {
        var site = Site();
        site.Read("gate-in", "AB123CD");
        site.Read("cam-b1", "AB123CD");
        site.PlugIn16("CP1", 1, "TAG1");
        site.Advance(TimeSpan.FromHours(2)).RunTimers();

        site.Read("gate-in", "AB123CD"); // a cloned plate, or a charger that has not reported its stop: nothing to infer

        var first = site.State.Parking.Sessions.Single(s => s.Plate == "AB123CD" && !s.IsOpen);
        Assert.Equal((site.Now, ParkingSessionClosure.ReEntered), (first.ExitedAt, first.ClosedBy));
        Assert.False(first.Anomalies.HasFlag(ParkingAnomalies.ExitInferred));
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
    }

    [Fact]
    public void A_vehicle_that_left_its_bay_while_the_exit_camera_was_degraded_gets_an_inferred_exit_and_a_late_exit_read_replaces_it()
    {
        var site = Site();
        DegradeExitCamera(site);
        site.Read("gate-in", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(5));
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(40));
        site.Observe(new BayVacancyReported("cam-b1"));
        var leftBay = site.Now;

        site.Advance(TimeSpan.FromMinutes(29)).RunTimers();
        Assert.True(site.ParkingSession("AB123CD").IsOpen);
        site.Advance(TimeSpan.FromMinutes(2)).RunTimers();

        var stay = site.ParkingSession("AB123CD");
        Assert.Equal((false, leftBay, ParkingSessionClosure.Inferred), (stay.IsOpen, stay.ExitedAt, stay.ClosedBy));
        Assert.True(stay.Anomalies.HasFlag(ParkingAnomalies.ExitInferred));
        Assert.Contains("gate-out", Assert.Single(site.Events.OfType<ParkingSessionInferred>()).Evidence);
        Assert.Equal(2.25m, Parking(BillOf(site, "AB123CD"))); // 45 minutes

        // The exit camera's read of it, delayed: it really left at leftBay + 3 min.
        site.Advance(TimeSpan.FromMinutes(5));
        site.Read("gate-out", "AB123CD", at: leftBay.AddMinutes(3));

        stay = Assert.Single(site.State.Parking.Sessions, s => s.Plate == "AB123CD");
        Assert.Equal((leftBay.AddMinutes(3), ParkingSessionClosure.ExitRead), (stay.ExitedAt, stay.ClosedBy));
        Assert.False(stay.Anomalies.HasFlag(ParkingAnomalies.ExitInferred));
        Assert.Equal(2.40m, Parking(BillOf(site, "AB123CD")));
        Assert.DoesNotContain(site.State.Parking.OpenAnomalies, a => a.Kind == ParkingAnomalyKind.StayInferred);
    }

    [Fact]
    public void A_stay_open_past_the_limit_while_the_exit_camera_was_blind_closes_at_its_last_evidence()
    {
        var site = Site(s => s with { OpenLimit = TimeSpan.FromHours(6) });
        site.Read("gate-in", "AB123CD");
        var entered = site.Now;
        site.Advance(TimeSpan.FromMinutes(1));
        DegradeExitCamera(site);

        site.Advance(TimeSpan.FromHours(5)).RunTimers();
        Assert.True(site.ParkingSession("AB123CD").IsOpen);
        site.Advance(TimeSpan.FromHours(1)).RunTimers();

        var stay = site.ParkingSession("AB123CD");
        Assert.Equal((entered, ParkingSessionClosure.Inferred), (stay.ExitedAt, stay.ClosedBy));
        Assert.Contains("open longer than", Assert.Single(site.Events.OfType<ParkingSessionInferred>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_stay_last_seen_while_the_exit_camera_worked_stays_open_when_the_camera_fails_later()
    {
        var site = Site(s => s with { OpenLimit = TimeSpan.FromHours(6) });
        site.Read("gate-in", "AB123CD");
        site.Advance(TimeSpan.FromHours(3));
        DegradeExitCamera(site); // three hours later: the car could have left in those hours, and was not read leaving

        site.Advance(TimeSpan.FromHours(12)).RunTimers();

        Assert.True(site.ParkingSession("AB123CD").IsOpen);
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
    }

    [Fact]
    public void With_healthy_cameras_a_night_without_traffic_closes_nothing()
    {
        var site = Site(s => s with { OpenLimit = TimeSpan.FromHours(6) });
        site.Read("gate-in", "AB123CD");
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(30));
        site.Observe(new BayVacancyReported("cam-b1"));

        for (var hour = 0; hour < 12; hour++)
        {
            site.Advance(TimeSpan.FromHours(1)).RunTimers();
        }

        Assert.True(site.ParkingSession("AB123CD").IsOpen);
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
    }

    [Fact]
    public void Without_the_section_in_the_configuration_nothing_is_inferred()
    {
        var site = new SiteScenario().WithCarPark(tariffs: Tariffs);
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(30));

        site.Read("gate-out", "AB123CD");

        Assert.Null(site.ParkingSession("AB123CD").EnteredAt);
        Assert.Empty(site.Events.OfType<ParkingSessionInferred>());
    }

    [Fact]
    public void Replay_decides_the_same_inferences()
    {
        var site = Site();
        DegradeExitCamera(site);
        site.Read("cam-b1", "AB123CD");
        site.Advance(TimeSpan.FromMinutes(30));
        site.Read("gate-out", "AB123CD");
        site.Read("gate-in", "XY987WV");
        site.Read("cam-b2", "XY987WV");
        site.Advance(TimeSpan.FromMinutes(30));
        site.Observe(new BayVacancyReported("cam-b2"));
        site.Advance(TimeSpan.FromHours(1)).RunTimers();
        site.Read("gate-in", "AB123CD", at: site.Now.AddHours(-2));

        var (state, events) = site.Replay();

        Assert.Equal(site.Events.Select(e => e.ToString()), events.Select(e => e.ToString()));
        Assert.Equal(site.State.Parking.Sessions.OrderBy(s => s.Id).Select(s => (s.Id, s.EnteredAt, s.ExitedAt, s.Anomalies)),
            state.Parking.Sessions.OrderBy(s => s.Id).Select(s => (s.Id, s.EnteredAt, s.ExitedAt, s.Anomalies)));
        Assert.Equal(2, site.Events.OfType<ParkingSessionInferred>().Count());
    }
}
