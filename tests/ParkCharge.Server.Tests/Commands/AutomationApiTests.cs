using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Automation;
using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V201 = ParkCharge.Ocpp.V201;

namespace ParkCharge.Server.Tests.Commands;

public sealed class SqliteAutomationApiTests(PostgresServer postgres) : AutomationApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresAutomationApiTests(PostgresServer postgres) : AutomationApiTests(StoreEngine.Postgres, postgres);

/// <summary>The site's automation rules end to end: camera pushes and chargers on real sockets, the commands the engine decides on.</summary>
public abstract class AutomationApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateKey = "gate-camera-key-0123456789";
    private const string BayOneKey = "bay-camera-key-b1-0123456789";
    private const string BayTwoKey = "bay-camera-key-b2-0123456789";

    private const string Site = """
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR",
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "gate-camera-key-0123456789" } ] } ],
          "chargers": [ { "id": "CP-16" }, { "id": "CS-201" } ],
          "evBays": [ { "id": "B1", "charger": "CP-16", "connector": 1 }, { "id": "B2", "charger": "CS-201", "connector": 1 } ],
          "bayCameras": [
            { "id": "cam-b1", "key": "bay-camera-key-b1-0123456789", "bays": [ { "bay": "B1" } ] },
            { "id": "cam-b2", "key": "bay-camera-key-b2-0123456789", "bays": [ { "bay": "B2" } ] }
          ],
          "automation": {
            "autocharge": { "enabled": true, "idToken": "PC-AUTO", "plates": [ "BCD1234", { "plate": "FLEET 7", "idToken": "FLEET-7" } ] },
            "powerLimit": { "enabled": true, "limitKw": 22, "minimumKw": 6 }
          }
        }
        """;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(await TestStores.CreateOptionsAsync(engine, postgres), configure: b => b.Services.AddSingleton<TimeProvider>(_time));
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_listed_vehicle_plugging_in_at_a_16_charger_is_started_with_its_own_token_and_the_token_is_recorded()
    {
        var now = _time.GetUtcNow();
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "FLEET7", confidence = 0.95, capturedAt = now.AddMinutes(-3) });
        await PushAsync(BayOneKey, new { cameraId = "cam-b1", plate = "FLEET7", confidence = 0.93, capturedAt = now.AddSeconds(-30) });
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, script);

        await charger.CallAsync(V16.V16Actions.StatusNotification, new V16.StatusNotificationRequest { ConnectorId = 1, ErrorCode = V16.ChargePointErrorCode.NoError, Status = V16.ChargePointStatus.Preparing, Timestamp = now });

        var call = await script.NextAsync("RemoteStartTransaction");
        Assert.Equal(("1", "FLEET-7"), (call.Text("connectorId"), call.Text("idTag")));
        var authorize = await charger.CallAsync(V16.V16Actions.Authorize, new V16.AuthorizeRequest { IdTag = "FLEET-7" });
        var start = await charger.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = 1, IdTag = "FLEET-7", MeterStart = 0, Timestamp = now.AddSeconds(5) });
        Assert.Equal((V16.AuthorizationStatus.Accepted, V16.AuthorizationStatus.Accepted), (authorize.IdTagInfo.Status, start.IdTagInfo.Status));

        var command = await StartedAutochargeAsync();
        Assert.Equal(("Accepted", "FLEET7", "FLEET-7", "Plate"), (command.GetProperty("status").GetString(), command.GetProperty("plate").GetString(), command.GetProperty("idToken").GetString(), command.GetProperty("idTokenSource").GetString()));
        using var session = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions/{command.GetProperty("chargingSessionId").GetString()}"));
        Assert.Equal(("FLEET-7", start.TransactionId.ToString(CultureInfo.InvariantCulture)), (session.RootElement.GetProperty("idToken").GetString(), session.RootElement.GetProperty("transactionId").GetString()));
        Assert.Equal("FLEET7", session.RootElement.GetProperty("binding").GetProperty("plate").GetString());
    }

    [Fact]
    public async Task A_listed_vehicle_plugging_in_at_a_201_charger_is_started_with_the_site_token_and_a_remote_start_id()
    {
        var now = _time.GetUtcNow();
        await PushAsync(GateKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-3) });
        await PushAsync(BayTwoKey, new { cameraId = "cam-b2", plate = "BCD1234", confidence = 0.93, capturedAt = now.AddSeconds(-20) });
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, script);

        await charger.CallAsync(V201.V201Actions.StatusNotification, new V201.StatusNotificationRequest { EvseId = 1, ConnectorId = 1, ConnectorStatus = V201.ConnectorStatusEnumType.Occupied, Timestamp = now });

        var call = await script.NextAsync("RequestStartTransaction");
        var token = call.Payload.GetProperty("idToken");
        Assert.Equal(("1", "PC-AUTO", "Central"), (call.Text("evseId"), token.GetProperty("idToken").GetString(), token.GetProperty("type").GetString()));
        var started = await charger.CallAsync(V201.V201Actions.TransactionEvent, new V201.TransactionEventRequest
        {
            EventType = V201.TransactionEventEnumType.Started,
            Timestamp = now.AddSeconds(3),
            TriggerReason = V201.TriggerReasonEnumType.RemoteStart,
            SeqNo = 0,
            TransactionInfo = new V201.TransactionType { TransactionId = "tx-auto-1", RemoteStartId = call.Payload.GetProperty("remoteStartId").GetInt32(), ChargingState = V201.ChargingStateEnumType.Charging },
            Evse = new V201.EVSEType { Id = 1, ConnectorId = 1 },
            IdToken = new V201.IdTokenType { IdToken = "PC-AUTO", Type = V201.IdTokenEnumType.Central },
        });

        Assert.Equal(V201.AuthorizationStatusEnumType.Accepted, started.IdTokenInfo!.Status);
        var command = await StartedAutochargeAsync();
        Assert.Equal(("tx-auto-1", "BCD1234", "Site"), (command.GetProperty("transactionId").GetString(), command.GetProperty("plate").GetString(), command.GetProperty("idTokenSource").GetString()));
    }

    [Fact]
    public async Task The_site_power_limit_is_shared_between_three_sessions_and_re_shared_when_one_stops()
    {
        var now = _time.GetUtcNow();
        var cp16 = new ChargerScript();
        var cs201 = new ChargerScript();
        await using var first = await ChargerScript.ConnectAsync(_node, "CP-16", OcppVersion.Ocpp16, cp16);
        await using var second = await ChargerScript.ConnectAsync(_node, "CS-201", OcppVersion.Ocpp201, cs201);

        var tx1 = (await first.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = 1, IdTag = "A", MeterStart = 0, Timestamp = now })).TransactionId;
        Assert.Equal([(1, Tx(tx1), 22_000m)], await Profiles16Async(cp16, 1));

        var tx2 = (await first.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = 2, IdTag = "B", MeterStart = 0, Timestamp = now.AddSeconds(10) })).TransactionId;
        Assert.Equal([(1, Tx(tx1), 11_000m), (2, Tx(tx2), 11_000m)], await Profiles16Async(cp16, 2));

        await second.CallAsync(V201.V201Actions.TransactionEvent, new V201.TransactionEventRequest
        {
            EventType = V201.TransactionEventEnumType.Started,
            Timestamp = now.AddSeconds(20),
            TriggerReason = V201.TriggerReasonEnumType.Authorized,
            SeqNo = 0,
            TransactionInfo = new V201.TransactionType { TransactionId = "tx-c", ChargingState = V201.ChargingStateEnumType.Charging },
            Evse = new V201.EVSEType { Id = 1, ConnectorId = 1 },
            IdToken = new V201.IdTokenType { IdToken = "C", Type = V201.IdTokenEnumType.ISO14443 },
        });
        Assert.Equal([(1, Tx(tx1), 7_333m), (2, Tx(tx2), 7_333m)], await Profiles16Async(cp16, 2));
        Assert.Equal((1, "tx-c", 7_333m), await Profile201Async(cs201));

        await first.CallAsync(V16.V16Actions.StopTransaction, new V16.StopTransactionRequest { TransactionId = tx2, MeterStop = 4_000, Timestamp = now.AddMinutes(30) });
        Assert.Equal([(1, Tx(tx1), 11_000m)], await Profiles16Async(cp16, 1));
        Assert.Equal((1, "tx-c", 11_000m), await Profile201Async(cs201));

        using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands?siteId=garage&origin=PowerLimit&limit=100"));
        Assert.Equal(8, list.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Charging_stops_when_the_vehicles_permit_ends_after_a_notice()
    {
        await _node.RegisterChargerAsync("CP-PERMIT", site: "permits");
        var now = _time.GetUtcNow();
        await _node.ConfigureSiteAsync(new SiteConfiguration
        {
            Id = new SiteId("permits"),
            Name = "Permit holders' garage",
            TimeZone = "Europe/Berlin",
            Currency = "EUR",
            Lanes = [new LaneConfiguration("p-in", LaneDirection.Entry)],
            Cameras =
            [
                new CameraConfiguration { Id = "p-gate", Lane = "p-in", KeyHash = Secrets.HashApiKey("permit-gate-key-0123456789") },
                new CameraConfiguration { Id = "p-bay", Bays = [new CameraBay("P1")], KeyHash = Secrets.HashApiKey("permit-bay-key-0123456789") },
            ],
            EvBays = [new EvBayConfiguration { Id = "P1", Charger = new ChargerId("CP-PERMIT"), Connector = 1 }],
            Tariffs = new SiteTariffs { Permits = [new Permit("RES1", ValidTo: now.AddHours(1))] },
            Automation = new SiteAutomation { StopAtPermitEnd = new PermitEndRule { Enabled = true, Notice = TimeSpan.FromMinutes(10) } },
        });
        await PushAsync("permit-gate-key-0123456789", new { cameraId = "p-gate", plate = "RES1", confidence = 0.95, capturedAt = now.AddMinutes(-3) });
        await PushAsync("permit-bay-key-0123456789", new { cameraId = "p-bay", plate = "RES1", confidence = 0.95, capturedAt = now.AddSeconds(-30) });
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-PERMIT", OcppVersion.Ocpp16, script);
        var tx = (await charger.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest { ConnectorId = 1, IdTag = "RES-CARD", MeterStart = 0, Timestamp = now })).TransactionId;
        await _node.EventuallyAsync(() => EventsAsync("permits"), events => events.OfType<BindingCreated>().Any());

        _time.Advance(TimeSpan.FromMinutes(50));

        var notice = (await _node.EventuallyAsync(() => EventsAsync("permits"), events => events.OfType<ChargingStopScheduled>().Any())).OfType<ChargingStopScheduled>().Single();
        Assert.Equal(("RES1", now.AddHours(1)), (notice.Plate, notice.StopAt));
        Assert.DoesNotContain(script.All, c => c.Action == "RemoteStopTransaction");

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(Tx(tx), (await script.NextAsync("RemoteStopTransaction")).Text("transactionId"));
        using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands?siteId=permits&origin=PermitEnd"));
        Assert.Equal("RES1", Assert.Single(list.RootElement.GetProperty("items").EnumerateArray()).GetProperty("plate").GetString());
    }

    /// <summary>The next <paramref name="count"/> SetChargingProfile calls to a 1.6 charger as (connector, transaction, W), by connector.</summary>
    private static async Task<List<(int Connector, string Transaction, decimal Limit)>> Profiles16Async(ChargerScript script, int count)
    {
        var profiles = new List<(int, string, decimal)>();
        for (var i = 0; i < count; i++)
        {
            var call = await script.NextAsync("SetChargingProfile");
            var profile = call.Payload.GetProperty("csChargingProfiles");
            Assert.Equal(("TxProfile", "W"), (profile.GetProperty("chargingProfilePurpose").GetString(), profile.GetProperty("chargingSchedule").GetProperty("chargingRateUnit").GetString()));
            profiles.Add((call.Payload.GetProperty("connectorId").GetInt32(), profile.GetProperty("transactionId").GetRawText(),
                profile.GetProperty("chargingSchedule").GetProperty("chargingSchedulePeriod")[0].GetProperty("limit").GetDecimal()));
        }

        return [.. profiles.OrderBy(p => p.Item1)];
    }

    /// <summary>The next SetChargingProfile call to a 2.0.1 charger as (EVSE, transaction, W).</summary>
    private static async Task<(int Evse, string Transaction, decimal Limit)> Profile201Async(ChargerScript script)
    {
        var call = await script.NextAsync("SetChargingProfile");
        var profile = call.Payload.GetProperty("chargingProfile");
        Assert.Equal("TxProfile", profile.GetProperty("chargingProfilePurpose").GetString());
        var schedule = profile.GetProperty("chargingSchedule")[0];
        return (call.Payload.GetProperty("evseId").GetInt32(), profile.GetProperty("transactionId").GetString()!, schedule.GetProperty("chargingSchedulePeriod")[0].GetProperty("limit").GetDecimal());
    }

    /// <summary>The autocharge command once it names the session it started.</summary>
    private async Task<JsonElement> StartedAutochargeAsync()
    {
        var items = await _node.EventuallyAsync(
            async () =>
            {
                using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands?siteId=garage&origin=Autocharge"));
                return list.RootElement.GetProperty("items").Clone();
            },
            items => items.GetArrayLength() == 1 && items[0].TryGetProperty("chargingSessionId", out var s) && s.ValueKind == JsonValueKind.String);
        return Assert.Single(items.EnumerateArray());
    }

    private async Task<List<DomainEvent>> EventsAsync(string site)
    {
        var events = new List<DomainEvent>();
        await foreach (var stored in _node.App.Services.GetRequiredService<Store>().Log.EventsAsync(new SiteId(site), CancellationToken.None))
        {
            events.Add(stored.Event);
        }

        return events;
    }

    private async Task PushAsync(string key, object read)
    {
        using var camera = new HttpClient { BaseAddress = _node.BaseUri };
        camera.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await camera.PostAsJsonAsync("/api/v1/anpr/reads", read);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string Tx(int id) => id.ToString(CultureInfo.InvariantCulture);
}
