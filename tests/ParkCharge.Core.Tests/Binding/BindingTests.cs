using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Binding;

/// <summary>Plate ↔ charger ↔ connector ↔ transaction, from the bay camera and the charger's events.</summary>
public sealed class BindingTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    private static string Tx(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_bay_read_before_the_plug_in_binds_the_transaction_to_the_plate_and_its_parking_session()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        var read = _site.Now;
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromSeconds(40));

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234", "B1"), (binding.Status, binding.Method, binding.Plate, binding.Bay));
        Assert.Equal(_site.ParkingSession("BCD1234").Id, binding.ParkingSessionId);
        Assert.Equal(read - _site.Now, binding.Offset);
        Assert.True(binding.Confidence >= 0.8);
        Assert.Single(binding.Evidence);
        Assert.Single(_site.Events.OfType<BindingCreated>());
    }

    [Fact]
    public void A_plug_in_before_the_bay_read_waits_for_the_read_and_then_binds()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(3));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        Assert.Equal(BindingStatus.Waiting, _site.Binding("CP1", Tx(tx)).Status);

        _site.Advance(TimeSpan.FromSeconds(50));
        _site.Read("cam-b1", "BCD1234");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "BCD1234"), (binding.Status, binding.Plate));
        Assert.True(binding.Offset > TimeSpan.Zero);
    }

    [Fact]
    public void Two_vehicles_at_neighbouring_bays_within_ten_seconds_are_each_bound_to_their_own_connector()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(15));
        _site.Advance(TimeSpan.FromMinutes(3));
        var t = _site.Now;
        _site.Read("cam-b1", "AAA111", at: t);
        _site.Read("cam-b2", "BBB222", at: t.AddSeconds(10));
        _site.Advance(TimeSpan.FromSeconds(30));

        var first = _site.PlugIn16("CP1", 1, "TAG-A", t.AddSeconds(25));
        var second = _site.PlugIn16("CP1", 2, "TAG-B", t.AddSeconds(30));

        Assert.Equal(("AAA111", BindingStatus.Bound), (_site.Binding("CP1", Tx(first)).Plate, _site.Binding("CP1", Tx(first)).Status));
        Assert.Equal(("BBB222", BindingStatus.Bound), (_site.Binding("CP1", Tx(second)).Plate, _site.Binding("CP1", Tx(second)).Status));
    }

    [Fact]
    public void A_bay_read_with_one_OCR_error_binds_to_the_vehicle_the_gates_know()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "8CD1234");

        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(30));

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal(("BCD1234", _site.ParkingSession("BCD1234").Id), (binding.Plate, binding.ParkingSessionId));
    }

    [Fact]
    public void A_vehicle_that_moves_from_one_EV_bay_to_another_is_bound_at_each()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "BCD1234");
        var first = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(30));
        _site.Stop16("CP1", first, 5_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        _site.Advance(TimeSpan.FromMinutes(2));

        _site.Read("cam-b34", "BCD1234", zone: "left");
        var second = _site.PlugIn16("CP1", 3, "RFID-1", _site.Now.AddSeconds(40));

        Assert.Equal(("B1", "BCD1234"), (_site.Binding("CP1", Tx(first)).Bay, _site.Binding("CP1", Tx(first)).Plate));
        Assert.Equal(("B3", "BCD1234", BindingMethod.BayCamera), (_site.Binding("CP1", Tx(second)).Bay, _site.Binding("CP1", Tx(second)).Plate, _site.Binding("CP1", Tx(second)).Method));
    }

    [Fact]
    public void A_charger_offline_for_an_hour_is_bound_as_if_its_messages_had_come_on_time()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "XYZ987", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        var t = _site.Now;
        _site.Read("cam-b1", "BCD1234", at: t);
        _site.Advance(TimeSpan.FromMinutes(45));
        _site.Read("cam-b1", "XYZ987"); // another car later at the same bay
        _site.Advance(TimeSpan.FromMinutes(20));

        var tx = _site.Start16("CP1", 1, "RFID-1", 0, t.AddSeconds(45)); // queued while offline, arrives an hour late
        _site.Stop16("CP1", tx, 9_000, t.AddMinutes(40));

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "BCD1234"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void Duplicate_camera_pushes_change_nothing()
    {
        _site.Read("gate-in", "BCD1234");
        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddMinutes(2));
        var eventsBefore = _site.Events.Count;
        _site.Read("cam-b1", "BCD1234", at: _site.Now.AddMinutes(2), key: "push-1");
        var afterFirst = _site.Events.Count;

        var repeat = _site.Read("cam-b1", "BCD1234", at: _site.Now.AddMinutes(2), key: "push-1");

        Assert.True(repeat.IsRepeat);
        Assert.Equal(afterFirst, _site.Events.Count);
        Assert.True(afterFirst > eventsBefore);
        Assert.Single(_site.Events.OfType<BindingCreated>());
        Assert.Equal("BCD1234", _site.Binding("CP1", Tx(tx)).Plate);
    }

    [Fact]
    public void Without_a_bay_read_an_id_token_seen_with_a_plate_before_binds_it()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("cam-b1", "BCD1234", at: _site.Now.AddMinutes(1));
        var first = _site.PlugIn16("CP1", 1, "RFID-7", _site.Now.AddMinutes(1).AddSeconds(30));
        _site.Advance(TimeSpan.FromHours(1));
        _site.Stop16("CP1", first, 1_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        _site.Read("gate-out", "BCD1234");
        _site.Advance(TimeSpan.FromDays(1));
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(5));

        var second = _site.PlugIn16("CP1", 2, "RFID-7"); // bay B2: its camera missed the car
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(second));
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
        Assert.True(binding.Confidence < _site.Binding("CP1", Tx(first)).Confidence);
    }

    [Fact]
    public void Without_any_read_the_only_vehicle_inside_at_no_bay_is_bound_provisionally_and_listed_for_review()
    {
        _site.Read("gate-in", "LONELY1");
        _site.Advance(TimeSpan.FromMinutes(5));

        var tx = _site.PlugIn16("CP1", 1, "RFID-9");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Provisional, BindingMethod.Fuzzy, "LONELY1"), (binding.Status, binding.Method, binding.Plate));
        Assert.Single(_site.Events.OfType<BindingReviewNeeded>());
    }

    [Fact]
    public void Without_evidence_and_with_several_vehicles_inside_the_transaction_goes_to_review_and_an_operator_resolves_it()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(5));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var review = _site.Binding("CP1", Tx(tx));
        Assert.Equal(BindingStatus.Review, review.Status);
        Assert.Equal(["BBB222", "AAA111"], review.Candidates.Select(c => c.Plate));

        _site.Observe(new BindingResolvedByOperator(review.ChargingSessionId, _site.ParkingSession("AAA111").Id, "ops (key_1)", "driver showed the receipt"));

        var resolved = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.Operator, "AAA111", 1.0), (resolved.Status, resolved.Method, resolved.Plate, resolved.Confidence));
    }

    [Fact]
    public void A_late_bay_read_replaces_a_fuzzy_binding_and_says_so()
    {
        _site.Read("gate-in", "LONELY1");
        _site.Read("gate-in", "REAL1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(5));
        _site.Read("cam-b2", "REAL1"); // REAL1 stands at B2, so LONELY1 is the only one at no bay
        var plugIn = _site.Now.AddSeconds(20);
        var tx = _site.PlugIn16("CP1", 3, "RFID-1", plugIn);
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.RunTimers();
        Assert.Equal(BindingMethod.Fuzzy, _site.Binding("CP1", Tx(tx)).Method);

        _site.Read("cam-b34", "REAL1", zone: "left", at: plugIn.AddSeconds(-30)); // the B3 camera's read, delivered late

        var changed = Assert.Single(_site.Events.OfType<BindingChanged>());
        Assert.Equal(("LONELY1", "REAL1"), (changed.Before.Plate, changed.After.Plate));
        Assert.Equal(BindingMethod.BayCamera, _site.Binding("CP1", Tx(tx)).Method);
    }

    [Fact]
    public void A_corrected_plate_changes_the_binding_with_an_event()
    {
        _site.Read("gate-in", "WRONG1");
        _site.Read("cam-b1", "WRONG1", at: _site.Now.AddMinutes(1));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddMinutes(1).AddSeconds(20));

        _site.Observe(new PlateCorrected(_site.ParkingSession("WRONG1").Id, "RIGHT1", "ops", "picture"));

        Assert.Equal("RIGHT1", _site.Binding("CP1", Tx(tx)).Plate);
        var changed = Assert.Single(_site.Events.OfType<BindingChanged>());
        Assert.Equal(("WRONG1", "RIGHT1"), (changed.Before.Plate, changed.After.Plate));
    }

    [Fact]
    public void A_camera_covering_two_bays_binds_each_connector_to_the_car_in_its_own_bay()
    {
        _site.Read("gate-in", "LEFT1");
        _site.Read("gate-in", "RIGHT2", at: _site.Now.AddSeconds(5));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b34", "LEFT1", plateX: 0.2);
        _site.Read("cam-b34", "RIGHT2", plateX: 0.7);

        var left = _site.PlugIn16("CP1", 3, "T3", _site.Now.AddSeconds(20));
        var right = _site.PlugIn16("CP1", 4, "T4", _site.Now.AddSeconds(25));

        Assert.Equal("LEFT1", _site.Binding("CP1", Tx(left)).Plate);
        Assert.Equal("RIGHT2", _site.Binding("CP1", Tx(right)).Plate);
    }

    [Fact]
    public void A_vehicle_in_an_EV_bay_without_charging_for_longer_than_the_limit_is_an_ICE_occupant()
    {
        _site.Read("gate-in", "PETROL1");
        _site.Read("cam-b1", "PETROL1", at: _site.Now.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(20));

        _site.RunTimers();

        var ice = Assert.Single(_site.Events.OfType<BayIceDetected>());
        Assert.Equal(("B1", "PETROL1"), (ice.Bay, ice.Plate));
        Assert.Equal((_site.Now.AddMinutes(-19), Cp("CP1"), ConnectorRef.Ocpp16(1)), (ice.Since, ice.Charger, ice.Connector));
        Assert.Equal(_site.ParkingSession("PETROL1").Id, ice.ParkingSessionId);
    }

    [Fact]
    public void A_vehicle_whose_outlet_charges_unbound_is_not_ICE_and_holds_back_no_later_deadline()
    {
        // The outlet starts charging with no vehicle read in the bay and two vehicles inside; one of them is
        // read there only twenty minutes later, too late to say it was there all along, so the charge stays unbound.
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(1));
        var tx = _site.PlugIn16("CP1", 1, "RFID-9", _site.Now, startAfter: TimeSpan.Zero);
        _site.Advance(TimeSpan.FromMinutes(20));
        _site.Read("cam-b1", "AAA111");

        _site.Advance(TimeSpan.FromMinutes(30)).RunTimers();
        Assert.NotEqual(BindingStatus.Bound, _site.Binding("CP1", Tx(tx)).Status);
        Assert.Equal("AAA111", _site.CurrentVisit("B1")!.Plate);
        _site.Advance(TimeSpan.FromDays(3)).RunTimers();

        Assert.Empty(_site.Events.OfType<BayIceDetected>());
        Assert.Equal(["AAA111", "BBB222"], _site.Anomalies(ParkingAnomalyKind.OverMaxStay).Select(a => a.Plate).Order());
    }

    [Fact]
    public void A_vehicle_that_stays_after_charging_finished_starts_idling_after_the_grace()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("cam-b1", "BCD1234", at: _site.Now.AddMinutes(1));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddMinutes(1).AddSeconds(20));
        _site.Advance(TimeSpan.FromHours(1));
        var stopped = _site.Now;
        _site.Stop16("CP1", tx, 20_000);
        _site.Advance(TimeSpan.FromMinutes(15));

        _site.RunTimers();

        var idle = Assert.Single(_site.Events.OfType<BayIdleStarted>());
        Assert.Equal(("B1", stopped), (idle.Bay, idle.ChargingFinishedAt));
        Assert.Equal((stopped.AddMinutes(10), "BCD1234", Cp("CP1"), ConnectorRef.Ocpp16(1)), (idle.IdleSince, idle.Plate, idle.Charger, idle.Connector));
        Assert.Empty(_site.Events.OfType<BayIceDetected>());
        Assert.Equal(stopped + new ParkCharge.Core.Sites.SiteSettings().IdleGrace, _site.CurrentVisit("B1")!.IdleSince);
    }
}
