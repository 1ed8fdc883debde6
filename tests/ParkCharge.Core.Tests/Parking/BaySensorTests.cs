using ParkCharge.Core.Billing;
using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>
/// The charger's own bay sensor as occupancy evidence (OCPP 2.0.1/2.1: BayOccupancySensor in NotifyEvent, transactions
/// started and ended on EVDetected/EVDeparted): a bay without a camera still knows when a vehicle is there, binding finds
/// whose it is from the gates, and the idle fee runs until the vehicle leaves the bay.
/// </summary>
public sealed class BaySensorTests
{
    /// <summary>B5: served by the 2.0.1 charger CP2's EVSE 1, no camera. B6: CP2's EVSE 2, no camera either.</summary>
    private readonly SiteScenario _site = new SiteScenario()
        .WithCarPark(tariffs: new SiteTariffs { EvBay = new EvBayRules { IdleFeePerMinute = 0.10m } })
        .WithCharger("CP2", OcppVersion.Ocpp201)
        .Reconfigure(c => c with
        {
            EvBays = [.. c.EvBays,
                new EvBayConfiguration { Id = "B5", Charger = Cp("CP2"), Connector = 1 },
                new EvBayConfiguration { Id = "B6", Charger = Cp("CP2"), Connector = 2 }],
        });

    private int _seq;

    private BayOccupancy Bay(string id) => _site.State.Bay(id) ?? throw new InvalidOperationException($"No bay {id}.");

    [Fact]
    public void A_bay_without_a_camera_binds_and_bills_idle_time_from_EVDetected_and_EVDeparted_alone_marked_as_the_charger_sensors()
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "EARLY01", at: t0.AddMinutes(-50)); // inside long before: parked elsewhere
        _site.Read("gate-in", "EVCAR01", at: t0);
        _site.Advance(TimeSpan.FromMinutes(4));

        // TxStartPoint = EVDetected: the transaction starts when the vehicle is sensed in the bay, before the cable.
        Tx("CP2", TransactionEventType.Started, "TX-S1", "EVDetected", evse: 1, at: t0.AddMinutes(3));
        Assert.Equal((BayOccupancyState.Occupied, OccupancyEvidence.ChargerSensor | OccupancyEvidence.Connector), (Bay("B5").State, Bay("B5").Evidence));
        Tx("CP2", TransactionEventType.Updated, "TX-S1", "CablePluggedIn", at: t0.AddMinutes(4), state: ChargingState.EVConnected);
        Tx("CP2", TransactionEventType.Updated, "TX-S1", "ChargingStateChanged", at: t0.AddMinutes(4.5), state: ChargingState.Charging, wh: 0);
        _site.Read("gate-in", "LATER01", at: t0.AddMinutes(5)); // came in after the arrival: not it
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var binding = _site.Binding("CP2", "TX-S1");
        Assert.Equal((BindingStatus.Bound, BindingMethod.ChargerSensor, "EVCAR01", "B5"), (binding.Status, binding.Method, binding.Plate, binding.Bay));
        Assert.Equal(_site.ParkingSession("EVCAR01").Id, binding.ParkingSessionId);
        var visit = _site.State.Parking.FindVisit(binding.BayVisitId!)!;
        Assert.Equal((BayVisitSource.ChargerSensor, t0.AddMinutes(3), "EVCAR01"), (visit.Source, visit.StartedAt, visit.Plate));
        Assert.Contains(visit.SightingId, binding.Evidence); // the presence the charger sensed is the evidence, with the gate's entry read
        Assert.Contains(_site.ParkingSession("EVCAR01").EntrySightingId!, binding.Evidence);
        Assert.Equal(BayOccupancyState.Charging, Bay("B5").State);

        // Full after an hour; idle from the end of the grace until the vehicle leaves the bay (EVDeparted ends the transaction).
        Tx("CP2", TransactionEventType.Updated, "TX-S1", "ChargingStateChanged", at: t0.AddMinutes(64.5), state: ChargingState.SuspendedEV, wh: 30_000);
        _site.Now = t0.AddMinutes(95);
        _site.RunTimers();
        var idle = Assert.Single(_site.Events.OfType<BayIdleStarted>());
        Assert.Equal(("B5", "EVCAR01", t0.AddMinutes(74.5)), (idle.Bay, idle.Plate, idle.IdleSince));
        Assert.Equal(BayOccupancyState.Idle, Bay("B5").State);

        _site.Now = t0.AddMinutes(120);
        Tx("CP2", TransactionEventType.Ended, "TX-S1", "EVDeparted", at: t0.AddMinutes(120), state: ChargingState.Idle, wh: 30_000);
        Assert.Equal((BayOccupancyState.Free, OccupancyEvidence.None), (Bay("B5").State, Bay("B5").Evidence));
        var left = Assert.Single(_site.Events.OfType<BayVehicleLeft>(), e => e.Bay == "B5");
        Assert.Equal((BayVisitEnd.SensorVacated, t0.AddMinutes(120)), (left.Reason, left.EventTime));

        _site.Now = t0.AddMinutes(130);
        _site.Read("gate-out", "EVCAR01");
        var bill = Assert.Single(_site.Events.OfType<BillSettled>(), b => b.Plate == "EVCAR01").Bill;
        var line = Assert.Single(bill.Lines, l => l.Kind == BillLineKind.Idle);
        Assert.Equal((t0.AddMinutes(74.5), t0.AddMinutes(120), 46m, 4.60m), (line.From, line.To, line.Quantity, line.AmountExclVat));
        Assert.Contains("bay B5", line.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void The_BayOccupancySensor_of_a_cable_started_charger_places_the_vehicle_and_its_departure_ends_the_idle_time_after_the_unplug()
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "EVCAR02", at: t0);
        _site.Advance(TimeSpan.FromMinutes(3));
        Notify("CP2", evse: 2, active: "true", at: t0.AddMinutes(2));
        Assert.Equal((BayOccupancyState.Occupied, OccupancyEvidence.ChargerSensor), (Bay("B6").State, Bay("B6").Evidence));
        Assert.Equal(BayOccupancyState.Free, Bay("B5").State);

        Tx("CP2", TransactionEventType.Started, "TX-S2", "CablePluggedIn", evse: 2, at: t0.AddMinutes(3), state: ChargingState.Charging, wh: 0);
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
        Assert.Equal((BindingMethod.ChargerSensor, "EVCAR02"), (_site.Binding("CP2", "TX-S2").Method, _site.Binding("CP2", "TX-S2").Plate));

        // Unplugged at +63 (the transaction ends at the cable, EVDeparted without an arrival of its own is not the bay's);
        // the vehicle stays until the sensor goes inactive at +90.
        _site.Now = t0.AddMinutes(63);
        Tx("CP2", TransactionEventType.Ended, "TX-S2", "EVDeparted", at: t0.AddMinutes(63), state: ChargingState.Idle, wh: 20_000);
        Assert.Equal(OccupancyEvidence.ChargerSensor, Bay("B6").Evidence);
        _site.Now = t0.AddMinutes(90);
        _site.RunTimers();
        Notify("CP2", evse: 2, active: "false", at: t0.AddMinutes(90));
        Assert.Equal(BayOccupancyState.Free, Bay("B6").State);

        _site.Read("gate-out", "EVCAR02", at: t0.AddMinutes(95));
        var bill = Assert.Single(_site.Events.OfType<BillSettled>()).Bill;
        var line = Assert.Single(bill.Lines, l => l.Kind == BillLineKind.Idle);
        Assert.Equal((t0.AddMinutes(73), t0.AddMinutes(90)), (line.From, line.To));
    }

    [Fact]
    public void Two_vehicles_that_came_in_just_before_the_arrival_are_not_guessed_between_they_go_to_review()
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "TWIN001", at: t0);
        _site.Read("gate-in", "TWIN002", at: t0.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(4));
        Tx("CP2", TransactionEventType.Started, "TX-S3", "EVDetected", evse: 1, at: t0.AddMinutes(4), state: ChargingState.Charging);
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var binding = _site.Binding("CP2", "TX-S3");
        Assert.Equal(BindingStatus.Review, binding.Status);
        Assert.Equal(["TWIN002", "TWIN001"], binding.Candidates.Take(2).Select(c => c.Plate));
        Assert.DoesNotContain(_site.State.Parking.Visits, v => v.Source == BayVisitSource.ChargerSensor);
        Assert.Equal(BayOccupancyState.Charging, Bay("B5").State); // occupied all the same: the sensor says so
    }

    [Fact]
    public void A_known_card_names_the_vehicle_the_sensor_placed_and_no_entry_read_is_needed_for_the_visit()
    {
        // The card was learnt with this plate at a camera bay earlier.
        var t0 = _site.Now;
        _site.Read("gate-in", "CARD001", at: t0);
        _site.Read("cam-b1", "CARD001", at: t0.AddMinutes(1));
        _site.Advance(TimeSpan.FromMinutes(1));
        var tx = _site.PlugIn16("CP1", 1, "RFID-77", t0.AddMinutes(1.2));
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
        _site.Now = t0.AddMinutes(35);
        _site.Stop16("CP1", tx, 5_000, at: t0.AddMinutes(30));
        _site.Read("gate-out", "CARD001", at: t0.AddMinutes(35));
        Assert.Equal((BindingMethod.BayCamera, "CARD001"), (_site.Binding("CP1", "1").Method, _site.Binding("CP1", "1").Plate));
        _site.Now = t0.AddDays(1);

        // Next day the same car comes in, with another car just before it, and charges at the sensor bay with its card.
        var t1 = _site.Now;
        _site.Read("gate-in", "OTHER01", at: t1.AddMinutes(-1));
        _site.Read("gate-in", "CARD001", at: t1);
        Tx("CP2", TransactionEventType.Started, "TX-S4", "EVDetected", evse: 1, at: t1.AddMinutes(3), state: ChargingState.Charging, idToken: "RFID-77");
        _site.Advance(TimeSpan.FromMinutes(8)).RunTimers();

        var binding = _site.Binding("CP2", "TX-S4");
        Assert.Equal((BindingStatus.Bound, BindingMethod.KnownIdToken, "CARD001"), (binding.Status, binding.Method, binding.Plate));
        var visit = _site.State.Parking.FindVisit(binding.BayVisitId!)!;
        Assert.Equal((BayVisitSource.ChargerSensor, "B5", _site.ParkingSession("CARD001").Id), (visit.Source, visit.Bay, visit.ParkingSessionId));
    }

    [Fact]
    public void At_a_bay_whose_camera_read_the_car_the_camera_binds_and_the_sensor_only_adds_evidence_of_occupancy()
    {
        _site.Reconfigure(c => c with { EvBays = [.. c.EvBays.Select(b => b.Id == "B1" ? b with { Charger = Cp("CP2") } : b)] });
        var t0 = _site.Now;
        _site.Read("gate-in", "CAMCAR1", at: t0);
        _site.Read("gate-in", "SENSED1", at: t0.AddMinutes(1));
        _site.Read("cam-b1", "CAMCAR1", at: t0.AddMinutes(2));
        _site.Advance(TimeSpan.FromMinutes(3));
        Tx("CP2", TransactionEventType.Started, "TX-S5", "EVDetected", evse: 1, at: t0.AddMinutes(2.2), state: ChargingState.Charging);
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        var binding = _site.Binding("CP2", "TX-S5");
        Assert.Equal((BindingMethod.BayCamera, "CAMCAR1"), (binding.Method, binding.Plate));
        Assert.Equal(OccupancyEvidence.BayCamera | OccupancyEvidence.Connector | OccupancyEvidence.ChargerSensor, Bay("B1").Evidence);
        Assert.DoesNotContain(_site.State.Parking.Visits, v => v.Source == BayVisitSource.ChargerSensor);
    }

    [Fact]
    public void A_departure_without_an_arrival_a_sensor_of_another_component_and_a_value_that_is_no_boolean_sense_nothing()
    {
        _site.Read("gate-in", "PLAIN01");
        _site.Advance(TimeSpan.FromMinutes(2));
        Tx("CP2", TransactionEventType.Started, "TX-S6", "CablePluggedIn", evse: 1, state: ChargingState.Charging);
        Notify("CP2", evse: 1, active: "maybe");
        _site.Observe(new ChargerEventsReported(Cp("CP2"), [new ChargerEventData(9, _site.Now, "Delta", "true", "ConnectorPlugRetentionLock", "Active", 1)]));
        _site.Advance(TimeSpan.FromMinutes(30));
        Tx("CP2", TransactionEventType.Ended, "TX-S6", "EVDeparted", state: ChargingState.Idle);
        _site.Advance(TimeSpan.FromMinutes(5)).RunTimers();

        Assert.Empty(_site.State.Parking.Presences);
        Assert.Empty(_site.Events.OfType<BayOccupancySensed>());
        Assert.Equal(BindingMethod.Fuzzy, _site.Binding("CP2", "TX-S6").Method); // as before: the only vehicle inside
    }

    [Fact]
    public void A_late_arrival_report_queued_offline_binds_as_if_it_had_come_on_time_and_replay_decides_the_same()
    {
        var t0 = _site.Now;
        _site.Read("gate-in", "OFFLINE", at: t0);
        _site.Advance(TimeSpan.FromMinutes(20));

        // The charger was offline: the whole story arrives at once, after the binding window.
        Notify("CP2", evse: 1, active: "true", at: t0.AddMinutes(2));
        Tx("CP2", TransactionEventType.Started, "TX-S7", "CablePluggedIn", evse: 1, at: t0.AddMinutes(3), state: ChargingState.Charging, offline: true);
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal((BindingMethod.ChargerSensor, "OFFLINE"), (_site.Binding("CP2", "TX-S7").Method, _site.Binding("CP2", "TX-S7").Plate));

        Notify("CP2", evse: 1, active: "false", at: t0.AddMinutes(40));
        var (replayed, events) = _site.Replay();
        Assert.Equal(_site.Events.Select(e => e.Type), events.Select(e => e.Type));
        Assert.Equal(_site.State.Parking.Presences.OrderBy(p => p.Id), replayed.Parking.Presences.OrderBy(p => p.Id));
        Assert.Contains(_site.Events.OfType<BayOccupancySensed>(), e => e is { Bay: "B5", Occupied: false, Signal: BaySensorSignal.BayOccupancySensor });
    }

    private Decision Tx(string charger, TransactionEventType type, string tx, string trigger, int? evse = null, DateTimeOffset? at = null,
        ChargingState? state = null, decimal? wh = null, string? idToken = null, bool offline = false)
    {
        var time = at ?? _site.Now;
        return _site.Observe(new TransactionEventReported
        {
            Charger = Cp(charger),
            EventType = type,
            TransactionId = tx,
            TriggerReason = trigger,
            SeqNo = _seq++,
            Offline = offline,
            Connector = evse is { } e ? ConnectorRef.Ocpp201(e, 1) : null,
            ChargingState = state,
            StoppedReason = type == TransactionEventType.Ended ? "EVDisconnected" : null,
            IdToken = idToken is null ? null : new IdToken(idToken, "ISO14443"),
            Samples = wh is { } value ? [Register(time, value)] : [],
        }, time);
    }

    private Decision Notify(string charger, int evse, string active, DateTimeOffset? at = null)
    {
        var time = at ?? _site.Now;
        return _site.Observe(new ChargerEventsReported(Cp(charger), [new ChargerEventData(_seq++, time, "Delta", active, "BayOccupancySensor", "Active", evse)]), time);
    }
}
