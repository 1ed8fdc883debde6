using ParkCharge.Testing;

using V201 = ParkCharge.Ocpp.V201;

namespace ParkCharge.Server.Tests.Binding;

public sealed class SqliteBaySensorApiTests(PostgresServer postgres) : BaySensorApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresBaySensorApiTests(PostgresServer postgres) : BaySensorApiTests(StoreEngine.Postgres, postgres);

/// <summary>
/// A bay without a camera on a real node: a 2.0.1 charger over a real WebSocket whose transactions start on EVDetected and
/// end on EVDeparted, a gate camera over HTTP; the binding, the visit and the idle fee read back through the API.
/// </summary>
public abstract class BaySensorApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private BindingScenario _s = null!;

    public async ValueTask InitializeAsync() => _s = await BindingScenario.StartAsync(engine, postgres, sensorBay: true);

    public async ValueTask DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task A_bay_without_a_camera_binds_from_EVDetected_and_bills_idle_time_until_EVDeparted_marked_as_the_charger_sensors()
    {
        await _s.ReadAsync("gate-in", "SENS001", 0.97, capturedAt: _s.Now.AddMinutes(-40)); // parked elsewhere long before
        await _s.EnterAsync("SENS002");
        await _s.AdvanceAsync(TimeSpan.FromMinutes(3));
        var arrival = _s.Now;
        await _s.TransactionEvent201Async(3, "TX-B5", V201.TransactionEventEnumType.Started, V201.TriggerReasonEnumType.EVDetected, 0, V201.ChargingStateEnumType.Idle);
        await _s.AdvanceAsync(TimeSpan.FromMinutes(1));
        await _s.Status201Async(3, V201.ConnectorStatusEnumType.Occupied);
        await _s.TransactionEvent201Async(3, "TX-B5", V201.TransactionEventEnumType.Updated, V201.TriggerReasonEnumType.CablePluggedIn, 1, V201.ChargingStateEnumType.Charging);
        await _s.AdvanceAsync(TimeSpan.FromMinutes(5));

        var binding = await _s.BindingAsync("CP-2", "TX-B5");
        Assert.Equal(("Bound", "ChargerSensor", "SENS002", "B5"),
            (binding.GetProperty("status").GetString(), binding.GetProperty("method").GetString(), binding.GetProperty("plate").GetString(), binding.GetProperty("bay").GetString()));

        await _s.AdvanceAsync(TimeSpan.FromMinutes(40));
        await _s.TransactionEvent201Async(3, "TX-B5", V201.TransactionEventEnumType.Updated, V201.TriggerReasonEnumType.ChargingStateChanged, 2, V201.ChargingStateEnumType.SuspendedEV);
        var full = _s.Now;
        await _s.AdvanceAsync(TimeSpan.FromMinutes(60));
        await _s.TransactionEvent201Async(3, "TX-B5", V201.TransactionEventEnumType.Ended, V201.TriggerReasonEnumType.EVDeparted, 3, V201.ChargingStateEnumType.Idle);
        var departure = _s.Now;
        await _s.AdvanceAsync(TimeSpan.FromMinutes(3));
        await _s.ExitAsync("SENS002");
        await _s.AdvanceAsync(TimeSpan.FromSeconds(5));

        var stay = await _s.StayAsync("SENS002");
        var visit = Assert.Single(stay.GetProperty("bayVisits").EnumerateArray());
        Assert.Equal(("B5", "ChargerSensor", "SensorVacated"), (visit.GetProperty("bay").GetString(), visit.GetProperty("source").GetString(), visit.GetProperty("endReason").GetString()));
        Assert.Equal((arrival, departure), (visit.GetProperty("startedAt").GetDateTimeOffset(), visit.GetProperty("endedAt").GetDateTimeOffset()));

        using var bill = await _s.GetAsync($"/api/v1/parking-sessions/{stay.GetProperty("id").GetString()}/bill");
        var idle = Assert.Single(bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray(), l => l.GetProperty("kind").GetString() == "Idle");
        Assert.Equal((full.AddMinutes(10), departure), (idle.GetProperty("from").GetDateTimeOffset(), idle.GetProperty("to").GetDateTimeOffset()));

        using var sensed = await _s.GetAsync($"/api/v1/events?site={BindingScenario.Site}&limit=100&type=bay.occupancy_sensed");
        Assert.Equal([true, false], sensed.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("occupied").GetBoolean()));
    }

    [Fact]
    public async Task The_BayOccupancySensor_in_NotifyEvent_shows_the_bay_occupied_before_any_transaction()
    {
        await _s.Cp2.CallAsync(V201.V201Actions.NotifyEvent, new V201.NotifyEventRequest
        {
            GeneratedAt = _s.Now,
            SeqNo = 0,
            EventData =
            [
                new V201.EventDataType
                {
                    EventId = 1, Timestamp = _s.Now, Trigger = V201.EventTriggerEnumType.Delta, ActualValue = "true",
                    EventNotificationType = V201.EventNotificationEnumType.HardWiredNotification,
                    Component = new V201.ComponentType { Name = "BayOccupancySensor", Evse = new V201.EVSEType { Id = 3 } },
                    Variable = new V201.VariableType { Name = "Active" },
                },
            ],
        });
        await _s.AdvanceAsync(TimeSpan.FromSeconds(1));

        using var sensed = await _s.GetAsync($"/api/v1/events?site={BindingScenario.Site}&limit=100&type=bay.occupancy_sensed");
        var data = Assert.Single(sensed.RootElement.GetProperty("items").EnumerateArray()).GetProperty("data");
        Assert.Equal(("B5", "CP-2", 3, true, "BayOccupancySensor"),
            (data.GetProperty("bay").GetString(), data.GetProperty("charger").GetString(), data.GetProperty("outlet").GetInt32(), data.GetProperty("occupied").GetBoolean(), data.GetProperty("signal").GetString()));
    }
}
