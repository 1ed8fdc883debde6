using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V201 = ParkCharge.Ocpp.V201;

namespace ParkCharge.Server.Tests.Binding;

/// <summary>
/// A car park on a real node for binding scenarios, driven only through its edges: camera pushes over HTTP
/// and two chargers over OCPP-J WebSockets (CP-1 speaks 1.6 and serves B1 and B2, whose cables reach each
/// other's bay; CP-2 speaks 2.0.1 and serves B3 and B4). Gates: gate-in, gate-out. Bay cameras: cam-b1,
/// cam-b2, and cam-b34 watching B3 and B4 (zones "left" and "right"). Parking 2.00 an hour, energy 0.45 a
/// kWh. The node's clock is a
/// <see cref="FakeTimeProvider"/> the test moves (binding windows and timers run on it).
/// </summary>
internal sealed class BindingScenario : IAsyncDisposable
{
    public const string Site = "garage";

    private BindingScenario(TestNode node, FakeTimeProvider time, TestCharger cp1, TestCharger cp2)
    {
        Node = node;
        Time = time;
        Cp1 = cp1;
        Cp2 = cp2;
    }

    public TestNode Node { get; }

    /// <summary>The node's clock: 08:00 UTC on 2 March 2026 at the start, then moved by the test.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>OCPP 1.6: connector 1 serves B1, connector 2 serves B2.</summary>
    public TestCharger Cp1 { get; }

    /// <summary>OCPP 2.0.1: EVSE 1 serves B3, EVSE 2 serves B4.</summary>
    public TestCharger Cp2 { get; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <param name="sensorBay">
    /// Adds bay B5, served by CP-2's EVSE 3, with no camera (the charger's bay sensor is its only evidence), and an idle
    /// fee of 0.10 a minute after a 10-minute grace.
    /// </param>
    public static async Task<BindingScenario> StartAsync(StoreEngine engine, PostgresServer postgres, string settings = "{}", bool sensorBay = false)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
        var node = await TestNode.StartAsync(engine, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(time));
        var site = $$"""
            {
              "id": "{{Site}}", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 40,
              "settings": {{settings}},
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{Key("gate-in")}}" } ] },
                         { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{Key("gate-out")}}" } ] } ],
              "chargers": [ { "id": "CP-1" }, { "id": "CP-2" } ],
              "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1, "neighbours": ["B2"] },
                          { "id": "B2", "charger": "CP-1", "connector": 2, "neighbours": ["B1"] },
                          { "id": "B3", "charger": "CP-2", "connector": 1 },
                          { "id": "B4", "charger": "CP-2", "connector": 2 }{{(sensorBay ? ", { \"id\": \"B5\", \"charger\": \"CP-2\", \"connector\": 3 }" : "")}} ],
              "bayCameras": [ { "id": "cam-b1", "key": "{{Key("cam-b1")}}", "bays": [ "B1" ] },
                              { "id": "cam-b2", "key": "{{Key("cam-b2")}}", "bays": [ "B2" ] },
                              { "id": "cam-b34", "key": "{{Key("cam-b34")}}", "bays": [ { "bay": "B3", "zone": "left" }, { "bay": "B4", "zone": "right" } ] } ],
              "tariffs": {
                "parking": [ { "id": "standard", "vat": 19, "bands": [ { "pricePerUnit": 2.00, "unit": "1h" } ] } ],
                "charging": [ { "id": "ac", "elements": [ { "priceComponents": [ { "type": "ENERGY", "price": 0.45, "vat": 19 } ] } ] } ]{{(sensorBay ? ", \"evBayRules\": { \"idleFeePerMinute\": 0.10 }" : "")}}
              }
            }
            """;
        using (var put = await node.Http.PutAsync($"/api/v1/sites/{Site}", new StringContent(site, Encoding.UTF8, "application/json")))
        {
            Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
        }

        var cp1 = await TestCharger.ConnectAsync(node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        var cp2 = await TestCharger.ConnectAsync(node.OcppUri("CP-2"), OcppVersion.Ocpp201);
        var scenario = new BindingScenario(node, time, cp1, cp2);
        foreach (var connector in (int[])[1, 2])
        {
            await scenario.Status16Async(connector, V16.ChargePointStatus.Available);
            await scenario.Status201Async(connector, V201.ConnectorStatusEnumType.Available);
        }

        time.Advance(TimeSpan.FromMinutes(5)); // the chargers have been online a while
        return scenario;
    }

    /// <summary>Moves the node's clock on (its timers fire) and lets the engine take what they queued.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        var until = Now + by;
        while (Now < until)
        {
            var step = until - Now < TimeSpan.FromSeconds(30) ? until - Now : TimeSpan.FromSeconds(30);
            Time.Advance(step);
            await SettleAsync();
        }
    }

    /// <summary>A camera push: the plate read by <paramref name="camera"/>, captured at the clock's time unless said otherwise.</summary>
    public async Task ReadAsync(string camera, string plate, double confidence = 0.93, string? zone = null, DateTimeOffset? capturedAt = null)
    {
        using var client = CameraClient(camera);
        using var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera, plate, confidence, zone, capturedAt = capturedAt ?? Now });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public Task EnterAsync(string plate) => ReadAsync("gate-in", plate, 0.97);

    public Task ExitAsync(string plate) => ReadAsync("gate-out", plate, 0.97);

    /// <summary>A 1.6 plug-in on CP-1: Preparing now, the StartTransaction <paramref name="badgeAfter"/> later (default 15 s).</summary>
    public async Task<string> PlugIn16Async(int connector, string idTag, TimeSpan? badgeAfter = null)
    {
        await Status16Async(connector, V16.ChargePointStatus.Preparing);
        Time.Advance(badgeAfter ?? TimeSpan.FromSeconds(15));
        var started = await Cp1.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = connector, IdTag = idTag, MeterStart = 1_000, Timestamp = Now });
        await Status16Async(connector, V16.ChargePointStatus.Charging);
        return started.TransactionId.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The 1.6 transaction stops now (the cable comes out) and the connector is Available again.</summary>
    public async Task Unplug16Async(string transactionId, int connector, int meterStopWh = 9_000)
    {
        await Cp1.CallAsync(V16.V16Actions.StopTransaction, new V16.StopTransactionRequest { TransactionId = int.Parse(transactionId, CultureInfo.InvariantCulture), MeterStop = meterStopWh, Timestamp = Now, Reason = V16.Reason.EVDisconnected });
        Time.Advance(TimeSpan.FromSeconds(2));
        await Status16Async(connector, V16.ChargePointStatus.Available);
    }

    public async Task Status16Async(int connector, V16.ChargePointStatus status) =>
        await Cp1.CallAsync(V16.V16Actions.StatusNotification, new V16.StatusNotificationRequest
        {
            ConnectorId = connector,
            ErrorCode = status == V16.ChargePointStatus.Faulted ? V16.ChargePointErrorCode.ConnectorLockFailure : V16.ChargePointErrorCode.NoError,
            Status = status,
            Timestamp = Now,
        });

    public async Task Status201Async(int evse, V201.ConnectorStatusEnumType status) =>
        await Cp2.CallAsync(V201.V201Actions.StatusNotification, new V201.StatusNotificationRequest { Timestamp = Now, ConnectorStatus = status, EvseId = evse, ConnectorId = 1 });

    /// <summary>A 2.0.1 plug-in on CP-2 (TxStartPoint EVConnected): Occupied and TransactionEvent Started now, the driver's token a moment later.</summary>
    public async Task PlugIn201Async(int evse, string transactionId, string idToken)
    {
        await Status201Async(evse, V201.ConnectorStatusEnumType.Occupied);
        await TransactionEvent201Async(evse, transactionId, V201.TransactionEventEnumType.Started, V201.TriggerReasonEnumType.CablePluggedIn, 0, V201.ChargingStateEnumType.EVConnected);
        Time.Advance(TimeSpan.FromSeconds(10));
        await TransactionEvent201Async(evse, transactionId, V201.TransactionEventEnumType.Updated, V201.TriggerReasonEnumType.Authorized, 1, V201.ChargingStateEnumType.Charging,
            new V201.IdTokenType { IdToken = idToken, Type = V201.IdTokenEnumType.ISO14443 });
    }

    public async Task TransactionEvent201Async(int evse, string transactionId, V201.TransactionEventEnumType type, V201.TriggerReasonEnumType trigger, int seqNo,
        V201.ChargingStateEnumType state, V201.IdTokenType? idToken = null) =>
        await Cp2.CallAsync(V201.V201Actions.TransactionEvent, new V201.TransactionEventRequest
        {
            EventType = type,
            Timestamp = Now,
            TriggerReason = trigger,
            SeqNo = seqNo,
            TransactionInfo = new V201.TransactionType { TransactionId = transactionId, ChargingState = state },
            Evse = seqNo == 0 ? new V201.EVSEType { Id = evse, ConnectorId = 1 } : null,
            IdToken = idToken,
        });

    /// <summary>The charging session of a transaction, with its binding, as the API shows it.</summary>
    public async Task<JsonElement> SessionAsync(string chargerId, string transactionId)
    {
        using var page = await GetAsync($"/api/v1/charging-sessions?chargerId={chargerId}&limit=100");
        var id = page.RootElement.GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("transactionId").GetString() == transactionId).GetProperty("id").GetString();
        using var session = await GetAsync($"/api/v1/charging-sessions/{id}");
        return session.RootElement.Clone();
    }

    public async Task<JsonElement> BindingAsync(string chargerId, string transactionId) => (await SessionAsync(chargerId, transactionId)).GetProperty("binding");

    /// <summary>The binding events of one charging session, oldest first: (type, data).</summary>
    public async Task<List<(string Type, JsonElement Data)>> BindingEventsAsync(string chargingSessionId)
    {
        using var page = await GetAsync($"/api/v1/events?site={Site}&limit=1000&type=binding.*");
        return
        [
            .. page.RootElement.GetProperty("items").EnumerateArray()
                .Select(e => (Type: e.GetProperty("type").GetString()!, Data: e.GetProperty("data").Clone()))
                .Where(e => BindingOf(e.Data).GetProperty("chargingSessionId").GetString() == chargingSessionId),
        ];

        static JsonElement BindingOf(JsonElement data) =>
            data.TryGetProperty("binding", out var b) ? b : data.TryGetProperty("after", out var a) ? a : data;
    }

    /// <summary>The stay (parking session) of the plate that is or was inside, newest first.</summary>
    public async Task<JsonElement> StayAsync(string plate)
    {
        using var page = await GetAsync($"/api/v1/parking-sessions?siteId={Site}&plate={Uri.EscapeDataString(plate)}");
        var id = page.RootElement.GetProperty("items")[0].GetProperty("id").GetString();
        using var stay = await GetAsync($"/api/v1/parking-sessions/{id}");
        return stay.RootElement.Clone();
    }

    public async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await Node.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    public async ValueTask DisposeAsync()
    {
        await Cp1.DisposeAsync();
        await Cp2.DisposeAsync();
        await Node.DisposeAsync();
    }

    /// <summary>The site's engine has decided everything submitted so far (timers included).</summary>
    private async Task SettleAsync() =>
        await Node.App.Services.GetRequiredService<ParkCharge.Server.Sites.SiteEngines>().For(new Core.Sites.SiteId(Site)).ReadAsync(_ => 0);

    /// <summary>Each camera pushes with its own key.</summary>
    private static string Key(string camera) => camera + "-key-0123456789";

    private HttpClient CameraClient(string camera)
    {
        var client = new HttpClient { BaseAddress = Node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key(camera));
        return client;
    }
}
