using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Binding;

/// <summary>
/// Cases the binding-accuracy benchmark (a simulated busy day, <c>bench binding-accuracy</c>) found
/// the engine getting wrong or leaving to an operator without need, each reduced to its smallest form.
/// </summary>
public sealed class BusyDayFindingsTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    private static string Tx(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>B2's own connector (CP1/2) is faulted, so a car in B2 can only reach over to B1's; BCD1234 and OTHER1 are inside.</summary>
    private void BayTwoFaultedWithTwoCarsInside()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public void A_bay_charged_for_a_vehicle_left_to_review_does_not_hold_up_the_site_s_timers()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(10));
        _site.Read("gate-in", "CCC333", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("cam-b1", "AAA111");
        _site.Read("cam-b2", "BBB222", at: _site.Now.AddSeconds(5)); // B2's outlet is out: BBB222 may have reached over, which one plugged in is not clear
        var unclear = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();
        Assert.Equal(BindingStatus.Review, _site.Binding("CP1", Tx(unclear)).Status);

        _site.Advance(TimeSpan.FromMinutes(20)); // AAA111 has stood at B1 past the ICE limit, but the bay charged
        var later = _site.PlugIn16("CP1", 3, "RFID-3"); // no read at B3: waits for the window
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        Assert.NotEqual(BindingStatus.Waiting, _site.Binding("CP1", Tx(later)).Status);
        Assert.False(_site.State.NextDeadline <= _site.Now, "a deadline in the past would keep the host from arming any later timer");
    }

    [Fact]
    public void A_connector_back_from_a_fault_does_not_end_the_visit_of_the_car_standing_in_its_bay()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available)); // repaired
        _site.Advance(TimeSpan.FromMinutes(2));

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
    }

    [Fact]
    public void A_car_read_almost_two_minutes_before_the_plug_in_is_bound_at_once()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "BCD1234", confidence: 0.9);

        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(110));

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
    }

    [Fact]
    public void A_car_the_gates_know_is_bound_even_when_the_bay_camera_was_unsure_of_its_plate()
    {
        _site.Read("gate-in", "BCD1234", confidence: 0.95);
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "8CD1234", confidence: 0.75); // one look-alike misread, low confidence
        _site.Advance(TimeSpan.FromMinutes(6)); // the driver went to pay first

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
        Assert.Equal(_site.ParkingSession("BCD1234").Id, binding.ParkingSessionId);
    }

    [Fact]
    public void A_car_that_stood_unplugged_for_over_half_an_hour_is_not_taken_for_granted_as_the_one_plugging_in()
    {
        _site.Read("gate-in", "PETROL1");
        _site.Read("gate-in", "BCD1234", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "PETROL1");
        _site.Advance(TimeSpan.FromMinutes(35)); // PETROL1 drives off unseen; BCD1234 parks there, its read is missed

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal(BindingStatus.Review, binding.Status);
        Assert.Contains(binding.Candidates, c => c.Plate == "PETROL1");
    }

    [Fact]
    public void A_car_whose_driver_plugs_in_a_quarter_of_an_hour_after_parking_is_still_bound()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(15));

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
    }

    [Fact]
    public void A_car_reaching_over_from_the_neighbouring_bay_whose_connector_is_faulted_is_bound()
    {
        BayTwoFaultedWithTwoCarsInside();
        _site.Read("cam-b2", "BCD1234");

        var tx = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(30)); // B1's cable, B1 empty

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234", "B1"), (binding.Status, binding.Method, binding.Plate, binding.Bay));
    }

    [Fact]
    public void A_car_parking_at_a_bay_whose_cable_the_neighbour_already_took_is_not_bound_to_that_charge()
    {
        BayTwoFaultedWithTwoCarsInside();
        var t = _site.Now;
        _site.Read("cam-b2", "BCD1234", at: t);
        var tx = _site.PlugIn16("CP1", 1, "RFID-1", t.AddSeconds(40)); // reaches over to B1's cable
        _site.Advance(TimeSpan.FromMinutes(1));

        _site.Read("cam-b1", "OTHER1", at: t.AddSeconds(60)); // then a car parks at B1: read 20 s after the plug-in, it may have been there before
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();
        Assert.NotEqual("OTHER1", _site.Binding("CP1", Tx(tx)).Plate);

        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Read("gate-out", "OTHER1"); // OTHER1 leaves while the charge goes on: it was not the one plugged in
        _site.Advance(TimeSpan.FromMinutes(5));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "BCD1234"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void The_plug_in_moment_stays_put_when_the_connector_reports_charging_and_a_review_stays_a_review()
    {
        BayTwoFaultedWithTwoCarsInside();
        var t = _site.Now;
        _site.Read("cam-b2", "BCD1234", at: t);
        _site.Advance(TimeSpan.FromSeconds(80));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing), t.AddSeconds(40)); // reaches over to B1's cable
        _site.Read("cam-b1", "OTHER1", at: t.AddSeconds(60)); // a car parks at B1: which of the two plugged in?
        var tx = _site.Start16("CP1", 1, "RFID-1", 0, t.AddSeconds(80));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Charging), t.AddSeconds(81));
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();
        var review = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Review, t.AddSeconds(40)), (review.Status, review.PlugInAt));

        _site.Advance(TimeSpan.FromMinutes(15));
        _site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [Register(_site.Now, 2_500)]));

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Review, t.AddSeconds(40)), (binding.Status, binding.PlugInAt));
    }

    [Fact]
    public void A_free_vend_id_tag_that_every_driver_sends_identifies_nobody()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(10));
        _site.Read("gate-in", "CCC333", at: _site.Now.AddSeconds(20));
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "AAA111");
        var a = _site.PlugIn16("CP1", 1, "FREEVEND", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b2", "BBB222");
        var b = _site.PlugIn16("CP1", 2, "FREEVEND", _site.Now.AddSeconds(30));
        Assert.Equal(("AAA111", "BBB222"), (_site.Binding("CP1", Tx(a)).Plate, _site.Binding("CP1", Tx(b)).Plate));
        _site.Advance(TimeSpan.FromMinutes(5));

        var c = _site.PlugIn16("CP1", 3, "FREEVEND"); // B3's camera missed CCC333
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(c));
        Assert.Equal((BindingStatus.Review, (BindingMethod?)null), (binding.Status, binding.Method));
    }

    [Fact]
    public void An_empty_id_token_is_never_taken_for_a_known_one()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Read("gate-in", "XYZ987", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "AAA111");
        _site.TxEvent("CP1", TransactionEventType.Started, "tx-a", 0, _site.Now.AddSeconds(20), ChargingState.EVConnected, evse: 1, idToken: ""); // 2.0.1 NoAuthorization
        Assert.Equal("AAA111", _site.State.Binding.Bindings.Single().Plate);
        _site.Advance(TimeSpan.FromMinutes(5));

        _site.TxEvent("CP1", TransactionEventType.Started, "tx-b", 0, _site.Now, ChargingState.EVConnected, evse: 3, idToken: ""); // no read at B3
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", "tx-b");
        Assert.NotEqual(BindingMethod.KnownIdToken, binding.Method);
        Assert.Equal(BindingStatus.Review, binding.Status);
    }

    [Fact]
    public void A_fleet_card_does_not_outvote_the_bay_camera_that_saw_another_car()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "AAA111");
        var first = _site.PlugIn16("CP1", 1, "FLEET-7", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(40));
        _site.Stop16("CP1", first, 8_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available)); // AAA111 moved on, still inside
        _site.Advance(TimeSpan.FromMinutes(5));

        _site.Read("cam-b2", "XYZ987", confidence: 0.75); // a colleague's car with the same card; its entry was not read
        _site.Advance(TimeSpan.FromMinutes(10));
        var second = _site.PlugIn16("CP1", 2, "FLEET-7");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(second));
        Assert.NotEqual("AAA111", binding.Plate);
    }

    [Fact]
    public void A_regular_s_card_still_identifies_its_car_after_the_gates_misread_the_plate()
    {
        void Charge(string gateRead, int connector)
        {
            _site.Read("gate-in", gateRead);
            _site.Advance(TimeSpan.FromMinutes(2));
            _site.Read(connector == 1 ? "cam-b1" : "cam-b2", "BCD1234");
            var tx = _site.PlugIn16("CP1", connector, "RFID-7", _site.Now.AddSeconds(30));
            _site.Advance(TimeSpan.FromHours(1));
            _site.Stop16("CP1", tx, 9_000);
            _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(connector), ConnectorStatus.Available));
            _site.Read("gate-out", "BCD1234");
            _site.Advance(TimeSpan.FromDays(1));
        }

        Charge("BCD1234", 1);
        Charge("8CD1234", 2); // the entry misread: that day's session, and so the binding, carry 8CD1234
        _site.Read("gate-in", "BCD12S4"); // and today's entry is misread too
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(5));

        var today = _site.PlugIn16("CP1", 1, "RFID-7"); // B1's camera missed it
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(today));
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, _site.ParkingSession("BCD12S4").Id), (binding.Status, binding.Method, binding.ParkingSessionId));
    }

    [Fact]
    public void An_id_token_a_2_0_1_charger_sends_after_the_binding_is_learnt_for_later_charges()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "BCD1234");
        _site.TxEvent("CP1", TransactionEventType.Started, "tx-1", 0, _site.Now.AddSeconds(20), ChargingState.EVConnected, evse: 1);
        Assert.Equal((BindingStatus.Bound, "BCD1234"), (_site.Binding("CP1", "tx-1").Status, _site.Binding("CP1", "tx-1").Plate));
        _site.Advance(TimeSpan.FromSeconds(40));
        _site.TxEvent("CP1", TransactionEventType.Updated, "tx-1", 1, state: ChargingState.Charging, evse: 1, idToken: "RFID-7"); // authorised after the plug-in
        _site.Advance(TimeSpan.FromHours(1));
        _site.TxEvent("CP1", TransactionEventType.Ended, "tx-1", 2, evse: 1);
        _site.Read("gate-out", "BCD1234");
        _site.Advance(TimeSpan.FromDays(1));
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(5));

        var later = _site.PlugIn16("CP1", 2, "RFID-7"); // B2's camera missed it
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(later));
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
    }
}
