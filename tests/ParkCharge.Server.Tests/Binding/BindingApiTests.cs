using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Binding;

public sealed class SqliteBindingApiTests(PostgresServer postgres) : BindingApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresBindingApiTests(PostgresServer postgres) : BindingApiTests(StoreEngine.Postgres, postgres);

/// <summary>A real charger and real camera pushes, bound through the engine, read through the API.</summary>
public abstract class BindingApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateKey = "gate-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    private const string Site = """
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "gate-camera-key-0123456789" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1, "neighbours": ["B2"] }, { "id": "B2", "charger": "CP-1", "connector": 2, "neighbours": ["B1"] } ],
          "bayCameras": [ { "id": "cam-b12", "key": "bay-camera-key-0123456789", "bays": [ { "bay": "B1", "zone": "left" }, { "bay": "B2", "zone": "right" } ] } ]
        }
        """;

    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_charging_session_shows_its_binding_with_evidence_and_the_parking_session_shows_its_charging()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-4) });
        await PushAsync(BayKey, new { cameraId = "cam-b12", plate = "BCD1234", confidence = 0.92, capturedAt = now.AddSeconds(-40), zone = "left" });
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Preparing, Timestamp = now.AddSeconds(-10) });
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 0, Timestamp = now });
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Charging, Timestamp = now.AddSeconds(5) });

        var session = await ChargingSessionAsync(start.TransactionId);
        var binding = session.GetProperty("binding");
        Assert.Equal(("Bound", "BayCamera", "BCD1234", "B1"), (binding.GetProperty("status").GetString(), binding.GetProperty("method").GetString(), binding.GetProperty("plate").GetString(), binding.GetProperty("bay").GetString()));
        Assert.Equal(-30, binding.GetProperty("offsetSeconds").GetDouble(), 1);
        Assert.True(binding.GetProperty("confidence").GetDouble() >= 0.8);
        Assert.Single(binding.GetProperty("evidence").EnumerateArray());

        using var parking = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{binding.GetProperty("parkingSessionId").GetString()}"));
        var charging = Assert.Single(parking.RootElement.GetProperty("charging").EnumerateArray());
        Assert.Equal(session.GetProperty("id").GetString(), charging.GetProperty("chargingSessionId").GetString());

        using var bays = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/bays"));
        var b1 = bays.RootElement.EnumerateArray().Single(b => b.GetProperty("id").GetString() == "B1");
        Assert.Equal(("Charging", "BCD1234"), (b1.GetProperty("state").GetString(), b1.GetProperty("occupant").GetProperty("plate").GetString()));
        Assert.Equal("Free", bays.RootElement.EnumerateArray().Single(b => b.GetProperty("id").GetString() == "B2").GetProperty("state").GetString());
    }

    [Fact]
    public async Task The_charging_session_list_shows_each_session_s_binding_as_the_single_view_does()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-4) });
        await PushAsync(BayKey, new { cameraId = "cam-b12", plate = "BCD1234", confidence = 0.92, capturedAt = now.AddSeconds(-40), zone = "left" });
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        var bound = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 0, Timestamp = now.AddSeconds(-30) });
        var waiting = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 2, IdTag = "RFID-2", MeterStart = 0, Timestamp = now });

        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/charging-sessions?siteId=garage"));
        var items = page.RootElement.GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("transactionId").GetString()!, s => s.GetProperty("binding"));

        Assert.Equal(2, items.Count);
        var binding = items[Invariant(bound.TransactionId)];
        Assert.Equal(("BCD1234", "B1"), (binding.GetProperty("plate").GetString(), binding.GetProperty("bay").GetString()));
        Assert.Equal(JsonValueKind.Object, items[Invariant(waiting.TransactionId)].ValueKind);
        Assert.Equal("B2", items[Invariant(waiting.TransactionId)].GetProperty("bay").GetString());
        foreach (var (transactionId, listed) in items)
        {
            var single = (await ChargingSessionAsync(int.Parse(transactionId, System.Globalization.CultureInfo.InvariantCulture))).GetProperty("binding");
            Assert.Equal(single.GetRawText(), listed.GetRawText());
        }
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_unbound_transaction_waits_in_the_review_queue_until_an_operator_resolves_it()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "AAA111", confidence = 0.95, capturedAt = now.AddMinutes(-10) });
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "BBB222", confidence = 0.95, capturedAt = now.AddMinutes(-9) });
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 2, IdTag = "RFID-2", MeterStart = 0, Timestamp = now.AddMinutes(-5) });

        var queue = await _node.EventuallyAsync(async () =>
        {
            using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/bindings?siteId=garage"));
            return page.RootElement.GetProperty("items").Clone();
        }, items => items.GetArrayLength() == 1);
        var item = Assert.Single(queue.EnumerateArray());
        Assert.Equal("Review", item.GetProperty("status").GetString());
        Assert.Equal(["AAA111", "BBB222"], item.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("plate").GetString()).Order());
        var aaa = item.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("plate").GetString() == "AAA111").GetProperty("parkingSessionId").GetString();

        using var resolved = await _node.Http.PostAsJsonAsync($"/api/v1/charging-sessions/{item.GetProperty("chargingSessionId").GetString()}/binding", new { parkingSessionId = aaa, reason = "RFID-2 belongs to AAA111" });

        Assert.Equal(HttpStatusCode.OK, resolved.StatusCode);
        var binding = (await ChargingSessionAsync(start.TransactionId)).GetProperty("binding");
        Assert.Equal(("Bound", "Operator", "AAA111"), (binding.GetProperty("status").GetString(), binding.GetProperty("method").GetString(), binding.GetProperty("plate").GetString()));
        using var empty = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/bindings?siteId=garage"));
        Assert.Empty(empty.RootElement.GetProperty("items").EnumerateArray());
    }

    private async Task PushAsync(string key, object read)
    {
        using var camera = new HttpClient { BaseAddress = _node.BaseUri };
        camera.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await camera.PostAsJsonAsync("/api/v1/anpr/reads", read);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> ChargingSessionAsync(int transactionId)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/charging-sessions?chargerId=CP-1"));
        var id = page.RootElement.GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("transactionId").GetString() == transactionId.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("id").GetString();
        using var session = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions/{id}"));
        return session.RootElement.Clone();
    }
}
