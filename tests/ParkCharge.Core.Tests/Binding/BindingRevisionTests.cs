using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Binding;

/// <summary>
/// Bindings decided on all the evidence and revised when later evidence contradicts them: the patterns behind
/// the wrong bindings an independent harness found (issue 13), each in its smallest form in the engine.
/// </summary>
public sealed class BindingRevisionTests
{
    private static readonly SiteTariffs Tariffs = new()
    {
        Parking = [new ParkingTariff { Id = "hourly", Vat = 19, Bands = [new ParkingBand { PricePerUnit = 2m, Unit = TimeSpan.FromHours(1) }] }],
        Charging = [new ChargingTariff { Id = "energy", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.45m, 19)])] }],
    };

    private readonly SiteScenario _site = new SiteScenario().WithCarPark(tariffs: Tariffs);

    private static string Tx(int id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>CP1/1 (B1) charges OLD1 from the plug-in to 50 minutes later; then the cable comes out.</summary>
    private int OldOneChargesAtB1()
    {
        _site.Read("gate-in", "OLD1");
        _site.Read("gate-in", "NEW2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "OLD1");
        var tx = _site.PlugIn16("CP1", 1, "RFID-OLD1", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(50)).RunTimers();
        _site.Stop16("CP1", tx, 9_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        return tx;
    }

    /// <summary>
    /// B2's outlet is faulted; PARK1 parks at B1 (read) and REAL2 at B2 (its read not yet delivered); five minutes
    /// later CP1/1's cable goes in: REAL2 reaching over.
    /// </summary>
    private (int Tx, DateTimeOffset PlugIn) PluggedInBesideAParkedCar()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "REAL2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(4));
        var plugIn = _site.Now;
        return (_site.PlugIn16("CP1", 1, "RFID-2", plugIn), plugIn);
    }

    [Fact]
    public void A_car_re_read_as_it_pulls_out_after_its_own_charge_on_that_outlet_is_not_the_next_plug_in_s_car()
    {
        var first = OldOneChargesAtB1();
        _site.Advance(TimeSpan.FromSeconds(40));
        _site.Read("cam-b1", "OLD1"); // pulling out: NEW2's arrival is not read
        _site.Advance(TimeSpan.FromSeconds(50));

        var next = _site.PlugIn16("CP1", 1, "RFID-NEW2");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        Assert.NotEqual("OLD1", _site.Binding("CP1", Tx(next)).Plate);
        Assert.Equal((BindingStatus.Bound, "OLD1"), (_site.Binding("CP1", Tx(first)).Status, _site.Binding("CP1", Tx(first)).Plate));
    }

    [Fact]
    public void A_car_whose_own_charge_at_the_bay_ended_five_minutes_before_is_not_bound_to_the_next_plug_in_there()
    {
        var first = OldOneChargesAtB1();
        _site.Advance(TimeSpan.FromMinutes(5)); // nobody else read at B1: OLD1 gone unseen, or still there

        var next = _site.PlugIn16("CP1", 1, "RFID-NEW2");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(next));
        Assert.Equal(BindingStatus.Review, binding.Status); // two cars inside, neither placed: an operator decides
        Assert.Equal(["NEW2", "OLD1"], binding.Candidates.Select(c => c.Plate).Order());
        Assert.Equal("OLD1", _site.Binding("CP1", Tx(first)).Plate);
    }

    [Fact]
    public void A_car_read_again_minutes_after_it_arrived_without_plugging_in_is_not_bound_for_sure_to_the_next_plug_in()
    {
        _site.Read("gate-in", "OLD1");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "OLD1");
        _site.Advance(TimeSpan.FromMinutes(16));
        _site.Read("gate-in", "NEW2");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "OLD1"); // pulling out, never having plugged in; NEW2's arrival is not read
        _site.Advance(TimeSpan.FromMinutes(7));

        var next = _site.PlugIn16("CP1", 1, "RFID-NEW2");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(next));
        Assert.False(binding.Plate == "OLD1" && binding.Confidence >= 0.8, $"bound to {binding.Plate} at {binding.Confidence}");
        Assert.Contains(binding.Candidates, c => c.Plate == "OLD1" && c.Reason.Contains("pulling out", StringComparison.Ordinal));
    }

    [Fact]
    public void A_car_that_came_in_after_the_plug_in_and_was_read_at_the_bay_minutes_later_is_not_the_one_that_plugged_in()
    {
        _site.Read("gate-in", "REAL2");
        _site.Advance(TimeSpan.FromMinutes(3)); // REAL2 parks at B1: its read is missed
        var tx = _site.PlugIn16("CP1", 1, "RFID-2");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.Read("gate-in", "LATE3"); // comes in after the plug-in
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.Read("cam-b1", "LATE3"); // placed at B1 by the camera (the car next to it, off-centre, or passing)
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Provisional, "REAL2"), (binding.Status, binding.Plate)); // the only car inside that could be it, for an operator
    }

    [Fact]
    public void A_binding_by_a_card_is_decided_again_when_the_card_turns_out_to_be_shared()
    {
        _site.Read("gate-in", "FLT100");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "FLT100");
        var first = _site.PlugIn16("CP1", 1, "FLEET-A", _site.Now.AddSeconds(30)); // the fleet card is learnt: FLT100's
        _site.Advance(TimeSpan.FromMinutes(30)).RunTimers();
        _site.Stop16("CP1", first, 5_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available)); // FLT100 moves to an ordinary bay

        _site.Read("gate-in", "KMX234");
        _site.Advance(TimeSpan.FromMinutes(2));
        var shared = _site.PlugIn16("CP1", 2, "FLEET-A"); // KMX234, its read at B2 missed, with the same fleet card
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal((BindingMethod.KnownIdToken, "FLT100"), (_site.Binding("CP1", Tx(shared)).Method, _site.Binding("CP1", Tx(shared)).Plate));

        _site.Read("gate-in", "RTW567");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b34", "RTW567", plateX: 0.25);
        var third = _site.PlugIn16("CP1", 3, "FLEET-A", _site.Now.AddSeconds(30)); // a third car with the card: it is shared
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(shared));
        Assert.False(binding.Plate == "FLT100" && binding.Confidence >= 0.8, $"bound to {binding.Plate} at {binding.Confidence} ({binding.Method})");
    }

    [Fact]
    public void The_same_car_plugging_in_again_with_its_own_card_is_bound_by_the_card()
    {
        OldOneChargesAtB1();
        _site.Advance(TimeSpan.FromMinutes(5));

        var again = _site.PlugIn16("CP1", 1, "RFID-OLD1"); // topping up after a stop
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(again));
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, "OLD1"), (binding.Status, binding.Method, binding.Plate));
    }

    [Fact]
    public void The_right_car_s_read_after_the_plug_in_changes_a_tentative_binding_with_the_reason()
    {
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "REAL2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(20)); // PARK1 stood past the ICE limit without plugging in
        var plugIn = _site.Now;
        var tx = _site.PlugIn16("CP1", 1, "RFID-2", plugIn, TimeSpan.FromSeconds(10));
        var made = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "PARK1", true), (made.Status, made.Plate, made.Tentative));

        _site.Advance(TimeSpan.FromSeconds(60));
        _site.Read("cam-b1", "REAL2");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "REAL2", false), (binding.Status, binding.Plate, binding.Tentative));
        var changed = Assert.Single(_site.Events.OfType<BindingChanged>());
        Assert.Equal(("PARK1", "REAL2"), (changed.Before.Plate, changed.After.Plate));
        Assert.Contains("REAL2", changed.Reason, StringComparison.Ordinal);
        Assert.True(_site.Events.OfType<BindingCreated>().Single().Binding.Tentative);
    }

    [Fact]
    public void A_tentative_binding_is_confirmed_when_the_window_ends_and_then_teaches_its_card()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "BCD1234");
        var tx = _site.PlugIn16("CP1", 1, "RFID-7", _site.Now.AddSeconds(40));
        Assert.True(_site.Binding("CP1", Tx(tx)).Tentative);
        Assert.Null(_site.State.Binding.PlateOf("RFID-7"));

        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var confirmed = Assert.Single(_site.Events.OfType<BindingConfirmed>());
        Assert.Equal(("BCD1234", false), (confirmed.Binding.Plate, confirmed.Binding.Tentative));
        Assert.Empty(_site.Events.OfType<BindingChanged>());
        Assert.Equal("BCD1234", _site.State.Binding.PlateOf("RFID-7"));
    }

    [Fact]
    public void A_read_at_the_served_bay_after_the_plug_in_completes_the_evidence_at_once()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(2));
        var tx = _site.PlugIn16("CP1", 1, "RFID-7");

        _site.Advance(TimeSpan.FromSeconds(30));
        _site.Read("cam-b1", "BCD1234");

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "BCD1234", false), (binding.Status, binding.Plate, binding.Tentative));
        Assert.Single(_site.Events.OfType<BindingCreated>());
    }

    [Fact]
    public void A_car_parked_22_minutes_does_not_get_the_charge_of_the_neighbour_whose_outlet_is_faulted()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "REAL2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(22));
        _site.Read("cam-b2", "REAL2");

        var tx = _site.PlugIn16("CP1", 1, "RFID-2", _site.Now.AddSeconds(40));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        Assert.Equal((BindingStatus.Bound, "REAL2"), (_site.Binding("CP1", Tx(tx)).Status, _site.Binding("CP1", Tx(tx)).Plate));
    }

    [Fact]
    public void A_card_a_revised_binding_saw_with_the_wrong_car_still_names_its_own_car()
    {
        _site.Read("gate-in", "REAL2");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b2", "REAL2");
        var own = _site.PlugIn16("CP1", 2, "RFID-R", _site.Now.AddSeconds(30)); // the card is learnt: REAL2's
        _site.Advance(TimeSpan.FromMinutes(40)).RunTimers();
        _site.Stop16("CP1", own, 8_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Available));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("gate-out", "REAL2");

        _site.Advance(TimeSpan.FromHours(1));
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "OTHER3", at: _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "REAL2");
        _site.Advance(TimeSpan.FromMinutes(2));
        var reach = _site.PlugIn16("CP1", 1, "RFID-R"); // REAL2 at B2, its read missed, reaching over to B1's outlet
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal("PARK1", _site.Binding("CP1", Tx(reach)).Plate); // the car standing at B1 for four minutes is the likely one, for now

        _site.Advance(TimeSpan.FromMinutes(20));
        _site.Read("gate-out", "PARK1"); // it leaves while the charge goes on: not the one
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var binding = _site.Binding("CP1", Tx(reach));
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, "REAL2"), (binding.Status, binding.Method, binding.Plate));
    }

    [Fact]
    public void A_car_arriving_next_door_with_its_own_outlet_faulted_gets_the_charge_over_a_car_that_stood_unplugged_past_the_ice_limit()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(25));
        _site.Read("gate-in", "REAL2");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b2", "REAL2");

        var tx = _site.PlugIn16("CP1", 1, "RFID-2", _site.Now.AddSeconds(110)); // a while after its read: not "fresh" enough on its own
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "REAL2"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void A_known_card_s_car_that_came_in_unseen_is_bound_for_sure_when_it_leaves_after_its_charge()
    {
        _site.Read("gate-in", "REAL2");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b2", "REAL2");
        var first = _site.PlugIn16("CP1", 2, "RFID-R", _site.Now.AddSeconds(30)); // the card is learnt: REAL2's
        _site.Advance(TimeSpan.FromMinutes(40)).RunTimers();
        _site.Stop16("CP1", first, 8_000);
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("gate-out", "REAL2");

        _site.Advance(TimeSpan.FromHours(2));
        _site.Read("gate-in", "OTHER3");
        _site.Advance(TimeSpan.FromMinutes(3)); // REAL2 comes in unread, and its read at B1 is missed too
        var again = _site.PlugIn16("CP1", 1, "RFID-R");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        var unsure = _site.Binding("CP1", Tx(again));
        Assert.Equal((BindingStatus.Provisional, BindingMethod.KnownIdToken, "REAL2", null), (unsure.Status, unsure.Method, unsure.Plate, unsure.ParkingSessionId));

        _site.Advance(TimeSpan.FromMinutes(50));
        _site.Stop16("CP1", again, 9_000);
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.Read("gate-out", "REAL2");

        var binding = _site.Binding("CP1", Tx(again));
        Assert.Equal((BindingStatus.Bound, "REAL2", _site.ParkingSession("REAL2").Id), (binding.Status, binding.Plate, binding.ParkingSessionId));
        Assert.True(binding.Confidence >= 0.8);
    }

    [Fact]
    public void A_car_parked_22_minutes_beside_a_faulted_outlet_is_not_bound_for_sure_when_the_neighbour_s_read_is_missed()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "REAL2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        _site.Advance(TimeSpan.FromMinutes(22)); // REAL2 parks at B2 unread

        var tx = _site.PlugIn16("CP1", 1, "RFID-2", _site.Now.AddSeconds(40));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.False(binding.IsBound && binding.Confidence >= 0.8, $"bound to {binding.Plate} at {binding.Confidence}");
        Assert.Contains(binding.Candidates, c => c.Plate == "PARK1" && c.Reason.Contains("out of order", StringComparison.Ordinal));
    }

    [Fact]
    public void A_car_parked_minutes_at_the_served_bay_is_not_bound_for_sure_when_the_charger_was_offline_at_the_plug_in()
    {
        _site.Read("gate-in", "PARK1");
        _site.Read("gate-in", "REAL2", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "PARK1");
        var plugIn = _site.Now.AddMinutes(11); // REAL2 at B2, unread, its own outlet faulted: CP1 is offline and reports neither
        _site.Advance(TimeSpan.FromMinutes(40));

        var tx = _site.Start16("CP1", 1, "RFID-2", 0, plugIn); // queued while offline, sent on reconnection
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.False(binding.IsBound && binding.Confidence >= 0.8, $"bound to {binding.Plate} at {binding.Confidence}");
    }

    [Fact]
    public void A_reach_over_is_still_recognised_after_the_neighbour_s_outlet_is_repaired()
    {
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("gate-in", "REAL2");
        _site.Read("gate-in", "OTHER3", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b2", "REAL2");
        var tx = _site.PlugIn16("CP1", 1, "RFID-2", _site.Now.AddSeconds(40));
        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(2), ConnectorStatus.Available)); // repaired meanwhile

        _site.Read("gate-in", "LATE4"); // any later evidence: the binding is decided again, on the outlet as it was at the plug-in
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        Assert.Equal((BindingStatus.Bound, "REAL2"), (_site.Binding("CP1", Tx(tx)).Status, _site.Binding("CP1", Tx(tx)).Plate));
    }

    [Fact]
    public void A_look_alike_read_of_a_car_charging_at_another_bay_is_another_car()
    {
        _site.Read("gate-in", "LZ28MGH");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "LZ28MGH");
        var first = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(10)).RunTimers();
        _site.Read("gate-in", "L228MGH");
        _site.Advance(TimeSpan.FromMinutes(2));

        _site.Read("cam-b2", "LZ28MGH"); // L228MGH, misread as the car charging at B1
        var twin = _site.PlugIn16("CP1", 2, "RFID-2", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        Assert.Equal(("L228MGH", _site.ParkingSession("L228MGH").Id), (_site.Binding("CP1", Tx(twin)).Plate, _site.Binding("CP1", Tx(twin)).ParkingSessionId));
        Assert.Equal(("LZ28MGH", _site.ParkingSession("LZ28MGH").Id), (_site.Binding("CP1", Tx(first)).Plate, _site.Binding("CP1", Tx(first)).ParkingSessionId));
        Assert.Equal("B1", _site.CurrentVisit("B1")!.Bay); // the charging car's visit goes on
        Assert.Equal("LZ28MGH", _site.CurrentVisit("B1")!.Plate);
    }

    [Fact]
    public void A_look_alike_read_is_revised_to_the_other_car_when_the_late_messages_of_the_first_car_s_charger_arrive()
    {
        _site.Read("gate-in", "LZ28MGH");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "LZ28MGH");
        var plugIn = _site.Now.AddSeconds(30); // CP1/1's StartTransaction is queued: the charger is offline
        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Read("gate-in", "L228MGH");
        _site.Advance(TimeSpan.FromMinutes(2));

        _site.Read("cam-b2", "LZ28MGH"); // L228MGH, misread as the car at B1: as far as anyone knows, LZ28MGH moved
        var twin = _site.PlugIn16("CP1", 2, "RFID-2", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal("LZ28MGH", _site.Binding("CP1", Tx(twin)).Plate); // nothing yet says otherwise

        var first = _site.Start16("CP1", 1, "RFID-1", 0, plugIn); // the charger is back: LZ28MGH was charging at B1 all along

        var own = _site.Binding("CP1", Tx(first));
        Assert.Equal((BindingStatus.Bound, "LZ28MGH"), (own.Status, own.Plate));
        var binding = _site.Binding("CP1", Tx(twin));
        Assert.Equal((BindingStatus.Bound, "L228MGH", _site.ParkingSession("L228MGH").Id), (binding.Status, binding.Plate, binding.ParkingSessionId));
        Assert.Equal(1, binding.Changes);
        Assert.Contains(_site.Events.OfType<BindingChanged>(), e => e.Before.Plate == "LZ28MGH" && e.After.Plate == "L228MGH");
    }

    [Fact]
    public void The_exit_of_a_look_alike_that_came_in_unseen_does_not_close_the_stay_of_the_car_still_charging()
    {
        _site.Read("gate-in", "LZK480");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "LZK480");
        var first = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(10)).RunTimers();

        _site.Read("cam-b34", "LZK480", plateX: 0.25); // 1ZK480, its entry not read, misread as the car charging at B1
        var twin = _site.PlugIn16("CP1", 3, "RFID-3", _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(50)).RunTimers();
        _site.Stop16("CP1", twin, 6_000);
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.Read("gate-out", "1ZK480"); // one OCR error from LZK480, which is still charging: another car leaving

        var stay = _site.ParkingSession("LZK480");
        Assert.Null(stay.ExitedAt);
        var twinStay = _site.ParkingSession("1ZK480");
        var binding = _site.Binding("CP1", Tx(twin));
        Assert.Equal(("1ZK480", twinStay.Id), (binding.Plate, binding.ParkingSessionId));

        _site.Advance(TimeSpan.FromMinutes(30));
        _site.Stop16("CP1", first, 9_000);
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.Read("gate-out", "LZK480");

        Assert.Equal(("LZK480", stay.Id), (_site.Binding("CP1", Tx(first)).Plate, _site.Binding("CP1", Tx(first)).ParkingSessionId));
        Assert.Equal(twinStay.Id, _site.Binding("CP1", Tx(twin)).ParkingSessionId);
    }

    [Fact]
    public void A_car_read_at_the_next_bay_as_it_pulls_out_after_its_charge_and_then_leaving_is_not_the_next_plug_in_s_car()
    {
        _site.Read("gate-in", "OLD1");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b34", "OLD1", plateX: 0.75);
        var first = _site.PlugIn16("CP1", 4, "RFID-O", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(40)).RunTimers();

        _site.Read("cam-b34", "OLD1", plateX: 0.2); // pulling out, its plate on B3's side of the picture
        _site.Stop16("CP1", first, 7_000, at: _site.Now.AddSeconds(60)); // by the charger's clock, a minute later
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.Read("gate-out", "OLD1");
        _site.Read("gate-in", "NEW2");
        _site.Advance(TimeSpan.FromMinutes(3)); // NEW2 parks at B3, unread

        var next = _site.PlugIn16("CP1", 3, "RFID-N");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(next));
        Assert.False(binding.Plate == "OLD1" && binding.Confidence >= 0.8, $"bound to {binding.Plate} at {binding.Confidence}");
    }

    [Fact]
    public void A_bay_read_delivered_after_its_car_left_joins_that_stay_and_is_no_candidate_for_a_later_plug_in()
    {
        _site.Read("gate-in", "OLD1");
        _site.Advance(TimeSpan.FromMinutes(30));
        var pullingOut = _site.Now;
        _site.Advance(TimeSpan.FromMinutes(4));
        _site.Read("gate-out", "OLD1");
        _site.Read("cam-b34", "OLD1", plateX: 0.2, at: pullingOut); // a camera running four minutes behind: read as it pulled out of B3
        _site.Read("gate-in", "NEW2");
        _site.Advance(TimeSpan.FromMinutes(3)); // NEW2 parks at B3, unread

        var next = _site.PlugIn16("CP1", 3, "RFID-N");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var stay = _site.ParkingSession("OLD1");
        var visit = Assert.Single(_site.State.Parking.Visits, v => v.Plate == "OLD1");
        Assert.Equal((stay.Id, BayVisitEnd.ExitedCarPark), (visit.ParkingSessionId, visit.EndReason));
        Assert.NotEqual("OLD1", _site.Binding("CP1", Tx(next)).Plate);
    }

    [Fact]
    public void A_car_s_exit_claims_its_read_at_another_bay_even_while_a_charge_wrongly_bound_to_it_goes_on()
    {
        _site.Read("gate-in", "OLD1");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "OLD1");
        var there = _site.PlugIn16("CP1", 1, "RFID-X", _site.Now.AddSeconds(30)); // bound to OLD1; in truth another car's, unread
        _site.Advance(TimeSpan.FromMinutes(30)).RunTimers();

        _site.Read("cam-b34", "OLD1", plateX: 0.2); // OLD1 passing B3 on its way out
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.Read("gate-out", "OLD1"); // it leaves while the charge at B1 goes on: that charge is not its own
        _site.Read("gate-in", "NEW2");
        _site.Advance(TimeSpan.FromMinutes(4)); // NEW2 parks at B3, unread

        var next = _site.PlugIn16("CP1", 3, "RFID-N");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var visit = Assert.Single(_site.State.Parking.Visits, v => v.Bay == "B3" && v.Plate == "OLD1");
        Assert.Equal((_site.ParkingSession("OLD1").Id, BayVisitEnd.ExitedCarPark), (visit.ParkingSessionId, visit.EndReason));
        Assert.NotEqual("OLD1", _site.Binding("CP1", Tx(next)).Plate);
        Assert.NotEqual("OLD1", _site.Binding("CP1", Tx(there)).Plate);
    }

    [Fact]
    public void A_look_alike_read_that_took_a_car_away_from_the_bay_where_its_late_charge_began_binds_neither_charge_to_it()
    {
        _site.Read("gate-in", "GJHE6266");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b1", "GJHE6266");
        var plugIn = _site.Now.AddSeconds(30); // CP1/1's StartTransaction is queued: the charger is offline
        _site.Advance(TimeSpan.FromMinutes(8));
        _site.Read("gate-in", "GJHE62GG"); // GJHE626G, read two characters off at the gate

        _site.Advance(TimeSpan.FromMinutes(3));
        _site.Read("cam-b34", "GJHE6266", plateX: 0.25); // GJHE626G, read as the car at B1: as far as anyone knows, it moved
        _site.Advance(TimeSpan.FromMinutes(19));
        var twin = _site.PlugIn16("CP1", 3, "RFID-3");
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var first = _site.Start16("CP1", 1, "RFID-1", 0, plugIn); // the charger is back: a cable went in at B1 half a minute after the read there
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(twin));
        Assert.False(binding.IsBound && binding.Plate == "GJHE6266", $"bound to {binding.Plate} ({binding.Status})");
        var own = _site.Binding("CP1", Tx(first));
        Assert.True(own.Status == BindingStatus.Review || own.Plate == "GJHE6266", $"bound to {own.Plate} ({own.Status})"); // right, or for an operator
    }

    [Fact]
    public void A_car_moving_to_the_other_bay_of_its_camera_after_its_charge_is_bound_by_its_card_when_read_arriving_there()
    {
        _site.Read("gate-in", "LEFT1");
        _site.Read("gate-in", "OTHER2", at: _site.Now.AddSeconds(5));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b34", "LEFT1", plateX: 0.25);
        var first = _site.PlugIn16("CP1", 3, "RFID-L", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(40)).RunTimers();
        _site.Stop16("CP1", first, 9_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(3), ConnectorStatus.Available));
        _site.Advance(TimeSpan.FromMinutes(2));

        _site.Read("cam-b34", "LEFT1", plateX: 0.55); // at B4 now, near the line: as like the car pulling out of B3
        var again = _site.PlugIn16("CP1", 4, "RFID-L", _site.Now.AddSeconds(40));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        var binding = _site.Binding("CP1", Tx(again));
        Assert.Equal((BindingStatus.Bound, "LEFT1"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void A_car_pulling_out_of_the_next_bay_read_on_this_side_of_the_line_does_not_take_the_charge_from_the_car_plugged_in_there()
    {
        _site.Read("gate-in", "DONE2");
        _site.Advance(TimeSpan.FromMinutes(1));
        _site.Read("cam-b34", "DONE2", plateX: 0.75);
        var done = _site.PlugIn16("CP1", 4, "RFID-D", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(30)).RunTimers();
        _site.Read("gate-in", "HERE1");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b34", "HERE1", plateX: 0.25);
        var plugIn = _site.Now.AddSeconds(40);
        var here = _site.PlugIn16("CP1", 3, "RFID-H", plugIn);
        _site.Stop16("CP1", done, 7_000, at: plugIn);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(4), ConnectorStatus.Available), plugIn);

        _site.Advance(TimeSpan.FromSeconds(80));
        _site.Read("cam-b34", "DONE2", plateX: 0.2); // pulling out, its plate well on B3's side of the picture
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("gate-out", "DONE2");
        _site.Advance(TimeSpan.FromMinutes(6)).RunTimers();

        var binding = _site.Binding("CP1", Tx(here));
        Assert.Equal((BindingStatus.Bound, "HERE1"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void A_read_near_the_line_moments_after_another_car_was_read_at_that_bay_is_the_car_next_door()
    {
        _site.Read("gate-in", "LEFT1");
        _site.Read("gate-in", "RIGHT2", at: _site.Now.AddSeconds(5));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b34", "LEFT1", plateX: 0.25);
        _site.Advance(TimeSpan.FromSeconds(4));
        _site.Read("cam-b34", "RIGHT2", plateX: 0.47); // parked off-centre at B4, its plate just on B3's side of the line

        Assert.Equal(("LEFT1", "RIGHT2"), (_site.CurrentVisit("B3")?.Plate, _site.CurrentVisit("B4")?.Plate));
        var left = _site.PlugIn16("CP1", 3, "RFID-L", _site.Now.AddSeconds(30));
        var right = _site.PlugIn16("CP1", 4, "RFID-R", _site.Now.AddSeconds(32));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();

        Assert.Equal(("LEFT1", "RIGHT2"), (_site.Binding("CP1", Tx(left)).Plate, _site.Binding("CP1", Tx(right)).Plate));
    }

    [Fact]
    public void A_misread_without_an_entry_read_is_mended_by_the_exit_read_and_the_charge_goes_on_that_bill()
    {
        _site.Read("gate-in", "OTHER1");
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "DH47TXK"); // OH47TXK: its entry was missed, and its bay read is one look-alike off
        var tx = _site.PlugIn16("CP1", 1, "RFID-9", _site.Now.AddSeconds(30));
        _site.Advance(TimeSpan.FromMinutes(60)).RunTimers();
        _site.Stop16("CP1", tx, 12_000);
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available));
        _site.Advance(TimeSpan.FromMinutes(3));

        _site.Read("gate-out", "OH47TXK");

        var stay = _site.ParkingSession("OH47TXK");
        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal(("OH47TXK", stay.Id), (binding.Plate, binding.ParkingSessionId));
        var changed = _site.Events.OfType<BindingChanged>().Last();
        Assert.Equal(("DH47TXK", "OH47TXK"), (changed.Before.Plate, changed.After.Plate));
        var bill = Assert.Single(_site.Events.OfType<BillSettled>(), b => b.ParkingSessionId == stay.Id);
        Assert.Contains(bill.Bill.Lines, l => l.Kind == BillLineKind.Charging && l.ChargingSessionId == binding.ChargingSessionId);
    }

    [Fact]
    public void A_bound_car_seen_leaving_while_the_charge_goes_on_loses_it_to_the_car_that_stayed()
    {
        var (tx, plugIn) = PluggedInBesideAParkedCar();
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal("PARK1", _site.Binding("CP1", Tx(tx)).Plate);
        _site.Read("cam-b2", "REAL2", at: plugIn.AddSeconds(20)); // buffered by the camera, delivered minutes late

        _site.Advance(TimeSpan.FromMinutes(20));
        _site.Read("gate-out", "PARK1"); // PARK1 drives out while the charge goes on
        _site.Advance(TimeSpan.FromMinutes(4)).RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, "REAL2"), (binding.Status, binding.Plate));
    }

    [Fact]
    public void A_binding_revised_after_the_stay_was_billed_adjusts_the_settled_bill_and_never_rewrites_it()
    {
        var (tx, plugIn) = PluggedInBesideAParkedCar();
        _site.Advance(TimeSpan.FromMinutes(40)).RunTimers();
        _site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [Register(_site.Now, 8_000)]));
        _site.Read("gate-out", "PARK1"); // billed with the charge so far
        var settled = Assert.Single(_site.Events.OfType<BillSettled>());
        Assert.Equal(_site.ParkingSession("PARK1").Id, settled.ParkingSessionId);
        Assert.Contains(settled.Bill.Lines, l => l.Kind == BillLineKind.Charging);

        _site.Advance(TimeSpan.FromMinutes(4)).RunTimers(); // the charge goes on without PARK1
        _site.Read("cam-b2", "REAL2", at: plugIn.AddSeconds(20)); // and the camera's buffered read of REAL2 arrives

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal("REAL2", binding.Plate);
        var adjusted = Assert.Single(_site.Events.OfType<BillAdjusted>(), a => a.ParkingSessionId == settled.ParkingSessionId);
        Assert.All(adjusted.Adjustment.Lines.Where(l => l.Kind == BillLineKind.Charging), l => Assert.True(l.AmountExclVat < 0));
        Assert.Equal(settled.Bill, _site.State.Billing.Find(settled.ParkingSessionId)!.Bill); // the settled bill itself never changes
        Assert.DoesNotContain(_site.State.Billing.Find(settled.ParkingSessionId)!.Current.Lines, l => l.Kind == BillLineKind.Charging);
    }

    [Fact]
    public void A_timer_that_arrives_a_moment_before_its_deadline_still_ends_the_window()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        var due = _site.State.NextDeadline!.Value;

        _site.Now = due - TimeSpan.FromTicks(3); // the host's timer fired early by the wall clock
        _site.Observe(new Observation
        {
            Site = _site.State.Site,
            Source = "timer",
            Key = "timer:" + due.UtcTicks.ToString(CultureInfo.InvariantCulture),
            EventTime = due,
            ReceivedAt = _site.Now,
            Payload = new TimerElapsed(due),
        });

        Assert.Equal(BindingStatus.Review, _site.Binding("CP1", Tx(tx)).Status);
        Assert.False(_site.State.NextDeadline <= due);
    }

    [Fact]
    public void The_same_evidence_in_another_order_gives_the_same_binding()
    {
        SiteScenario Play(bool readsFirst)
        {
            var site = new SiteScenario().WithCarPark();
            var t = site.Now;
            site.Read("gate-in", "PARK1", at: t);
            site.Read("gate-in", "REAL2", at: t.AddSeconds(20));
            site.Advance(TimeSpan.FromMinutes(30)); // everything arrives late, after the window
            void Reads()
            {
                site.Read("cam-b1", "PARK1", at: t.AddMinutes(1));
                site.Read("cam-b1", "REAL2", at: t.AddMinutes(22));
            }

            if (readsFirst)
            {
                Reads();
            }

            site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing), t.AddMinutes(21).AddSeconds(30));
            site.Start16("CP1", 1, "RFID-2", 0, t.AddMinutes(21).AddSeconds(40));
            if (!readsFirst)
            {
                Reads();
            }

            site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
            return site;
        }

        var first = Play(readsFirst: true).State.Binding.Bindings.Single();
        var second = Play(readsFirst: false).State.Binding.Bindings.Single();

        Assert.Equal((first.Status, first.Plate, first.Confidence), (second.Status, second.Plate, second.Confidence));
        Assert.Equal("REAL2", first.Plate);
    }
}
