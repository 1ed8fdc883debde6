using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Proxy;

public sealed class SqliteProxyTests(PostgresServer postgres) : ProxyTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresProxyTests(PostgresServer postgres) : ProxyTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Proxy mode with real independent parts at both ends: chargers are ocpp-rpc clients in strict mode and the
/// chargers' own backend an ocpp-rpc server in strict mode (tests/conformance), each validating every message
/// against the official OCPP schemas. ParkCharge sits between them, answers nothing the backend answers, and
/// still binds and bills as for a charger connected to it directly (the same script, on the same site).
/// </summary>
public abstract class ProxyTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    internal const string Site = "garage";
    internal const string BackendPassword = "backend-secret-0001";

    private StrictBackend _backend = null!;
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await StrictBackend.StartAsync(BackendPassword);
        _node = await TestNode.StartAsync(engine, postgres);
        await ConfigureSiteAsync(_node, _backend);
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        await _backend.DisposeAsync();
    }

    private Uri OcppBase => new($"ws://{_node.BaseUri.Authority}/ocpp");

    [Fact]
    public async Task A_1_6_session_passes_through_with_the_backends_transaction_id_and_binds_and_bills_as_a_direct_charger()
    {
        await using var direct = await StrictCharger.ConnectAsync(OcppBase, "CP-D16", "ocpp1.6");
        await using var proxied = await StrictCharger.ConnectAsync(OcppBase, "CP-P16", "ocpp1.6");
        await _backend.WaitForConnectedAsync("primary", "CP-P16");
        await _backend.WaitForConnectedAsync("observer", "CP-P16");

        // The same session on each, one after the other (so that neither car is the other's candidate).
        var directTx = await Session16Async(direct, "cam-d16", "M-DX 160", DateTimeOffset.UtcNow.AddMinutes(-6));
        await Stop16Async(direct, directTx, "M-DX 160", DateTimeOffset.UtcNow.AddMinutes(-5));
        var proxiedTx = await Session16Async(proxied, "cam-p16", "M-PX 160", DateTimeOffset.UtcNow);

        // The transaction id is the backend's (it issues 70001, 70002, ...), and ParkCharge's session carries it.
        var backendStart = await _backend.WaitForReceivedAsync("primary", "CP-P16", "StartTransaction");
        Assert.Equal("RFID-P16", backendStart.GetProperty("idTag").GetString());
        Assert.True(proxiedTx >= 70001, $"the charger got transaction id {proxiedTx}, not the backend's");

        // A vendor's DataTransfer passes both ways, answered by the other side, unchanged.
        var up = await proxied.CallAsync("DataTransfer", new JsonObject { ["vendorId"] = "com.backend.vendor", ["messageId"] = "ping", ["data"] = "hello" });
        Assert.Equal("Accepted", up.GetProperty("status").GetString());
        Assert.Equal("backend-saw:hello", up.GetProperty("data").GetString());
        var (answered, down) = await _backend.CallAsync("primary", "CP-P16", "DataTransfer", new JsonObject { ["vendorId"] = "com.charger.vendor", ["messageId"] = "cfg", ["data"] = "x" });
        Assert.True(answered, down.ToString());
        Assert.Equal("charger-saw:x", down.GetProperty("data").GetString());
        Assert.Equal("com.charger.vendor", (await proxied.WaitForCallAsync("DataTransfer")).GetProperty("vendorId").GetString());

        // The backend's remote stop reaches the charger with the backend's id; the charger stops.
        var (stopAnswered, stopAnswer) = await _backend.CallAsync("primary", "CP-P16", "RemoteStopTransaction", new JsonObject { ["transactionId"] = proxiedTx });
        Assert.True(stopAnswered, stopAnswer.ToString());
        Assert.Equal("Accepted", stopAnswer.GetProperty("status").GetString());
        Assert.Equal(proxiedTx, (await proxied.WaitForCallAsync("RemoteStopTransaction")).GetProperty("transactionId").GetInt32());

        await Stop16Async(proxied, proxiedTx, "M-PX 160", DateTimeOffset.UtcNow);
        await _backend.WaitForReceivedAsync("primary", "CP-P16", "StopTransaction");

        // The backend got every charger message in order; the observer a copy of each.
        var primary = _backend.Received("primary", "CP-P16").Select(r => r.Method).ToList();
        Assert.Equal(["BootNotification", "StatusNotification", "StatusNotification", "Authorize", "StartTransaction", "StatusNotification", "MeterValues",
            "DataTransfer", "StopTransaction", "StatusNotification", "StatusNotification"], primary);
        await _backend.WaitForReceivedAsync("observer", "CP-P16", "StatusNotification", 5);
        Assert.Equal(primary, _backend.Received("observer", "CP-P16").Select(r => r.Method));
        Assert.Empty(_backend.StrictFailures);

        // Observing is the same as today: the session, its binding and the bill match the direct charger's.
        var directSession = await SessionAsync("CP-D16", directTx.ToString(CultureInfo.InvariantCulture));
        var proxiedSession = await SessionAsync("CP-P16", proxiedTx.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("Completed", proxiedSession.GetProperty("status").GetString());
        Assert.Equal(directSession.GetProperty("energyWh").GetDecimal(), proxiedSession.GetProperty("energyWh").GetDecimal());
        Assert.Equal(8_000m, proxiedSession.GetProperty("energyWh").GetDecimal());
        await AssertBoundAndBilledAlikeAsync("CP-D16", directTx.ToString(CultureInfo.InvariantCulture), "M-DX 160", "CP-P16", proxiedTx.ToString(CultureInfo.InvariantCulture), "M-PX 160");
    }

    [Fact]
    public async Task A_2_0_1_session_passes_through_the_backends_stop_reaches_the_station_and_it_binds_and_bills_as_a_direct_station()
    {
        await using var direct = await StrictCharger.ConnectAsync(OcppBase, "CS-D201", "ocpp2.0.1");
        await using var proxied = await StrictCharger.ConnectAsync(OcppBase, "CS-P201", "ocpp2.0.1");
        await _backend.WaitForConnectedAsync("primary", "CS-P201");

        await Session201Async(direct, "cam-d201", "M-DY 201", "tx-direct", DateTimeOffset.UtcNow.AddMinutes(-6));
        await End201Async(direct, "M-DY 201", "tx-direct", DateTimeOffset.UtcNow.AddMinutes(-5));
        await Session201Async(proxied, "cam-p201", "M-PY 201", "tx-proxied", DateTimeOffset.UtcNow);

        var up = await proxied.CallAsync("DataTransfer", new JsonObject { ["vendorId"] = "com.backend.vendor", ["messageId"] = "ping", ["data"] = "hello" });
        Assert.Equal("backend-saw:hello", up.GetProperty("data").GetString());
        var (answered, down) = await _backend.CallAsync("primary", "CS-P201", "DataTransfer", new JsonObject { ["vendorId"] = "com.charger.vendor", ["data"] = "y" });
        Assert.True(answered, down.ToString());
        Assert.Equal("charger-saw:y", down.GetProperty("data").GetString());

        var (stopAnswered, stopAnswer) = await _backend.CallAsync("primary", "CS-P201", "RequestStopTransaction", new JsonObject { ["transactionId"] = "tx-proxied" });
        Assert.True(stopAnswered, stopAnswer.ToString());
        Assert.Equal("tx-proxied", (await proxied.WaitForCallAsync("RequestStopTransaction")).GetProperty("transactionId").GetString());

        await End201Async(proxied, "M-PY 201", "tx-proxied", DateTimeOffset.UtcNow);
        await _backend.WaitForReceivedAsync("primary", "CS-P201", "TransactionEvent", 3);
        Assert.Equal(["Started", "Updated", "Ended"],
            _backend.Received("primary", "CS-P201").Where(r => r.Method == "TransactionEvent").Select(r => r.Params.GetProperty("eventType").GetString()));
        Assert.Empty(_backend.StrictFailures);

        var proxiedSession = await SessionAsync("CS-P201", "tx-proxied");
        Assert.Equal("Completed", proxiedSession.GetProperty("status").GetString());
        Assert.Equal(7_000m, proxiedSession.GetProperty("energyWh").GetDecimal());
        await AssertBoundAndBilledAlikeAsync("CS-D201", "tx-direct", "M-DY 201", "CS-P201", "tx-proxied", "M-PY 201");
    }

    [Fact]
    public async Task An_observer_gets_copies_but_cannot_reset_the_charger_and_the_refusal_is_logged_and_published()
    {
        await using var proxied = await StrictCharger.ConnectAsync(OcppBase, "CP-P16", "ocpp1.6");
        await _backend.WaitForConnectedAsync("observer", "CP-P16");
        await proxied.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "P16" });
        await _backend.WaitForReceivedAsync("observer", "CP-P16", "BootNotification");

        var (answered, error) = await _backend.CallAsync("observer", "CP-P16", "Reset", new JsonObject { ["type"] = "Hard" });
        Assert.False(answered);
        Assert.Equal("SecurityError", error.GetProperty("code").GetString());

        // The primary may; the observer's Reset never reached the charger.
        var (primaryAnswered, _) = await _backend.CallAsync("primary", "CP-P16", "Reset", new JsonObject { ["type"] = "Soft" });
        Assert.True(primaryAnswered);
        Assert.Equal(["Soft"], proxied.Calls("Reset").Select(c => c.GetProperty("type").GetString()));

        // The refusal is in the charger's message log (written in the background, so read until it is there).
        var refusalLogged = await _node.EventuallyAsync(
            async () =>
            {
                using var messages = await GetAsync("/api/v1/chargers/CP-P16/messages?limit=200");
                return messages.RootElement.GetProperty("items").EnumerateArray().Any(m =>
                    m.GetProperty("connectionId").GetString() == "upstream:copy" && m.GetProperty("direction").GetString() == "out"
                    && m.GetProperty("errorCode").GetString() == "SecurityError");
            },
            logged => logged);
        Assert.True(refusalLogged, "the CALLERROR to the observer is not in the charger's message log");
        var refused = await _node.EventuallyAsync(
            async () => { using var e = await GetAsync($"/api/v1/events?site={Site}&type=charger.upstream_command_refused"); return e.RootElement.GetProperty("items").Clone(); },
            items => items.GetArrayLength() > 0);
        var data = refused[0].GetProperty("data");
        Assert.Equal(("copy", "Reset", "SecurityError"), (data.GetProperty("upstream").GetString(), data.GetProperty("action").GetString(), data.GetProperty("answer").GetString()));
    }

    [Fact]
    public async Task ParkCharges_power_limit_and_the_backends_charging_profile_both_hold_and_a_profile_that_would_overwrite_ours_is_rejected()
    {
        await using var proxied = await StrictCharger.ConnectAsync(OcppBase, "CP-P16", "ocpp1.6");
        await _backend.WaitForConnectedAsync("primary", "CP-P16");
        await proxied.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "P16" });

        // ParkCharge's limit on connector 1, then the backend's profile on the same connector.
        using (var command = await _node.Http.PostAsJsonAsync("/api/v1/commands", new { type = "setChargingLimit", chargerId = "CP-P16", connector = 1, limit = 11000, unit = "W" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, command.StatusCode);
        }

        var ours = await proxied.WaitForCallAsync("SetChargingProfile");
        Assert.Equal((1, "TxDefaultProfile", 9201, 1), (ours.GetProperty("connectorId").GetInt32(), ours.GetProperty("csChargingProfiles").GetProperty("chargingProfilePurpose").GetString(),
            ours.GetProperty("csChargingProfiles").GetProperty("chargingProfileId").GetInt32(), ours.GetProperty("csChargingProfiles").GetProperty("stackLevel").GetInt32()));

        var theirs = Profile(id: 1, stackLevel: 0, purpose: "TxDefaultProfile", limit: 16);
        var (answered, answer) = await _backend.CallAsync("primary", "CP-P16", "SetChargingProfile", theirs);
        Assert.True(answered, answer.ToString());
        Assert.Equal("Accepted", answer.GetProperty("status").GetString());
        var received = await proxied.WaitForCallAsync("SetChargingProfile", 2);
        Assert.Equal((1, 1, "TxDefaultProfile", 0), (received.GetProperty("connectorId").GetInt32(), received.GetProperty("csChargingProfiles").GetProperty("chargingProfileId").GetInt32(),
            received.GetProperty("csChargingProfiles").GetProperty("chargingProfilePurpose").GetString(), received.GetProperty("csChargingProfiles").GetProperty("stackLevel").GetInt32()));

        // Neither replaces the other on the charger (OCPP replaces by id, or by purpose and stack level): both hold.
        Assert.NotEqual(ours.GetProperty("csChargingProfiles").GetProperty("chargingProfileId").GetInt32(), received.GetProperty("csChargingProfiles").GetProperty("chargingProfileId").GetInt32());
        Assert.NotEqual(ours.GetProperty("csChargingProfiles").GetProperty("stackLevel").GetInt32(), received.GetProperty("csChargingProfiles").GetProperty("stackLevel").GetInt32());
        var limit = await _node.EventuallyAsync(
            async () => { using var commands = await GetAsync("/api/v1/commands?chargerId=CP-P16"); return commands.RootElement.GetProperty("items")[0].GetProperty("status").GetString(); },
            status => status == "Accepted");
        Assert.Equal("Accepted", limit); // ParkCharge's limit is in force

        // Same id as ParkCharge's, or ParkCharge's purpose and stack level: OCPP would replace ours. Rejected, published.
        foreach (var overwriting in (JsonObject[])[Profile(id: 9201, stackLevel: 3, purpose: "TxDefaultProfile", limit: 32), Profile(id: 5, stackLevel: 1, purpose: "TxDefaultProfile", limit: 32)])
        {
            var (rejectedAnswered, rejected) = await _backend.CallAsync("primary", "CP-P16", "SetChargingProfile", overwriting);
            Assert.True(rejectedAnswered, rejected.ToString());
            Assert.Equal("Rejected", rejected.GetProperty("status").GetString());
        }

        Assert.Equal(2, proxied.Calls("SetChargingProfile").Count); // ours and their first, nothing else reached the charger
        await _node.EventuallyAsync(
            async () => { using var e = await GetAsync($"/api/v1/events?site={Site}&type=charger.upstream_command_refused"); return e.RootElement.GetProperty("items").GetArrayLength(); },
            count => count == 2);
        Assert.Empty(_backend.StrictFailures);
    }

    [Fact]
    public async Task The_api_shows_a_chargers_upstreams_and_their_state_but_never_a_secret()
    {
        await using var proxied = await StrictCharger.ConnectAsync(OcppBase, "CP-P16", "ocpp1.6");
        await _backend.WaitForConnectedAsync("primary", "CP-P16");
        await proxied.CallAsync("Heartbeat", []);

        using var upstreams = await GetAsync("/api/v1/chargers/CP-P16/upstreams");
        var text = upstreams.RootElement.GetRawText();
        Assert.DoesNotContain(BackendPassword, text, StringComparison.Ordinal);
        var primary = upstreams.RootElement.EnumerateArray().Single(u => u.GetProperty("name").GetString() == "cpo");
        Assert.Equal(("primary", "Connected", true), (primary.GetProperty("role").GetString(), primary.GetProperty("state").GetString(), primary.GetProperty("passwordSet").GetBoolean()));
        Assert.Equal(_backend.Url("primary") + "/CP-P16", primary.GetProperty("endpoint").GetString());
        Assert.True(primary.GetProperty("forwarded").GetInt64() >= 1);

        using var site = await GetAsync($"/api/v1/sites/{Site}");
        Assert.DoesNotContain(BackendPassword, site.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("\"upstreams\"", site.RootElement.GetRawText(), StringComparison.Ordinal);

        // The document read back can be sent back: upstreams keep their stored passwords.
        var document = site.RootElement.GetProperty("document").GetRawText();
        using (var put = await _node.Http.PutAsync($"/api/v1/sites/{Site}", new StringContent(document, Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var after = await GetAsync("/api/v1/chargers/CP-P16/upstreams");
        Assert.All(after.RootElement.EnumerateArray(), u => Assert.True(u.GetProperty("passwordSet").GetBoolean()));
    }

    [Fact]
    public async Task Upstreams_set_through_the_api_are_checked_with_every_problem_named()
    {
        using var response = await _node.Http.PutAsync("/api/v1/chargers/CP-D16/upstreams", new StringContent("""
            [ { "name": "a", "url": "http://example.test/ocpp" },
              { "name": "b", "url": "ws://127.0.0.1:1/x", "role": "observer", "allowedActions": ["Reset"] },
              { "name": "c", "url": "ws://127.0.0.1:1/x" }, { "name": "c", "url": "ws://127.0.0.1:1/y", "role": "observer", "clientCertificate": "/x.pem" } ]
            """, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("[0].url:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("[1].allowedActions:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("[3].name:", StringComparison.Ordinal) && e.Contains("two upstreams", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("[3].clientCertificate:", StringComparison.Ordinal) && e.Contains("wss://", StringComparison.Ordinal));
    }

    // --- the site and the sessions ------------------------------------------------------------------------------

    internal static async Task ConfigureSiteAsync(TestNode node, StrictBackend backend)
    {
        string Upstreams(bool observer) => $$"""
            "upstreams": [ { "name": "cpo", "url": "{{backend.Url("primary")}}", "password": "{{BackendPassword}}", "timeout": "5s" }
                           {{(observer ? $$""", { "name": "copy", "url": "{{backend.Url("observer")}}", "role": "observer", "password": "{{BackendPassword}}" }""" : "")}} ]
            """;
        var site = $$"""
            {
              "id": "{{Site}}", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 40,
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{Key("gate-in")}}" } ] },
                         { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{Key("gate-out")}}" } ] } ],
              "chargers": [ { "id": "CP-D16" }, { "id": "CP-P16", {{Upstreams(true)}} }, { "id": "CS-D201" }, { "id": "CS-P201", {{Upstreams(false)}} } ],
              "evBays": [ { "id": "BD16", "charger": "CP-D16", "connector": 1 }, { "id": "BP16", "charger": "CP-P16", "connector": 1 },
                          { "id": "BD201", "charger": "CS-D201", "connector": 1 }, { "id": "BP201", "charger": "CS-P201", "connector": 1 } ],
              "bayCameras": [ { "id": "cam-d16", "key": "{{Key("cam-d16")}}", "bays": [ "BD16" ] }, { "id": "cam-p16", "key": "{{Key("cam-p16")}}", "bays": [ "BP16" ] },
                              { "id": "cam-d201", "key": "{{Key("cam-d201")}}", "bays": [ "BD201" ] }, { "id": "cam-p201", "key": "{{Key("cam-p201")}}", "bays": [ "BP201" ] } ],
              "tariffs": {
                "parking": [ { "id": "standard", "vat": 19, "bands": [ { "pricePerUnit": 2.00, "unit": "1h" } ] } ],
                "charging": [ { "id": "ac", "elements": [ { "priceComponents": [ { "type": "ENERGY", "price": 0.45, "vat": 19 } ] } ] } ]
              }
            }
            """;
        using var put = await node.Http.PutAsync($"/api/v1/sites/{Site}", new StringContent(site, Encoding.UTF8, "application/json"));
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
    }

    private static string Key(string camera) => camera + "-key-0123456789";

    private static string At(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A car enters, is read at its bay, plugs in and charges: Boot to MeterValues. Returns the transaction id the charger was given.</summary>
    private async Task<int> Session16Async(StrictCharger charger, string bayCamera, string plate, DateTimeOffset now)
    {
        await ReadAsync("gate-in", plate, now.AddMinutes(-3));
        await ReadAsync(bayCamera, plate, now.AddMinutes(-2));
        await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "P16" });
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Available", ["timestamp"] = At(now.AddMinutes(-5)) });
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Preparing", ["timestamp"] = At(now.AddMinutes(-1)) });
        var tag = bayCamera == "cam-p16" ? "RFID-P16" : "RFID-D16";
        var authorize = await charger.CallAsync("Authorize", new JsonObject { ["idTag"] = tag });
        Assert.Equal("Accepted", authorize.GetProperty("idTagInfo").GetProperty("status").GetString());
        var start = await charger.CallAsync("StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = tag, ["meterStart"] = 1000, ["timestamp"] = At(now.AddSeconds(-50)) });
        var transactionId = start.GetProperty("transactionId").GetInt32();
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Charging", ["timestamp"] = At(now.AddSeconds(-49)) });
        await charger.CallAsync("MeterValues", new JsonObject
        {
            ["connectorId"] = 1,
            ["transactionId"] = transactionId,
            ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = At(now.AddSeconds(-10)), ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = "5000", ["measurand"] = "Energy.Active.Import.Register", ["unit"] = "Wh" }) }),
        });
        return transactionId;
    }

    private async Task Stop16Async(StrictCharger charger, int transactionId, string plate, DateTimeOffset now)
    {
        var stop = await charger.CallAsync("StopTransaction", new JsonObject { ["transactionId"] = transactionId, ["meterStop"] = 9000, ["timestamp"] = At(now), ["reason"] = "Remote" });
        Assert.True(!stop.TryGetProperty("idTagInfo", out var info) || info.GetProperty("status").GetString() == "Accepted");
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Finishing", ["timestamp"] = At(now) });
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Available", ["timestamp"] = At(now.AddSeconds(1)) });
        await ReadAsync("gate-out", plate, now.AddSeconds(30));
    }

    private static JsonObject Energy201(decimal wh, string context) => new()
    {
        ["value"] = wh,
        ["context"] = context,
        ["measurand"] = "Energy.Active.Import.Register",
        ["unitOfMeasure"] = new JsonObject { ["unit"] = "Wh" },
    };

    private async Task Session201Async(StrictCharger station, string bayCamera, string plate, string transactionId, DateTimeOffset now)
    {
        await ReadAsync("gate-in", plate, now.AddMinutes(-3));
        await ReadAsync(bayCamera, plate, now.AddMinutes(-2));
        var token = new JsonObject { ["idToken"] = "RFID-" + transactionId, ["type"] = "ISO14443" };
        await station.CallAsync("BootNotification", new JsonObject { ["reason"] = "PowerUp", ["chargingStation"] = new JsonObject { ["model"] = "P201", ["vendorName"] = "Strict" } });
        await station.CallAsync("StatusNotification", new JsonObject { ["timestamp"] = At(now.AddMinutes(-5)), ["connectorStatus"] = "Available", ["evseId"] = 1, ["connectorId"] = 1 });
        await station.CallAsync("TransactionEvent", new JsonObject
        {
            ["eventType"] = "Started",
            ["timestamp"] = At(now.AddSeconds(-60)),
            ["triggerReason"] = "CablePluggedIn",
            ["seqNo"] = 0,
            ["transactionInfo"] = new JsonObject { ["transactionId"] = transactionId, ["chargingState"] = "EVConnected" },
            ["evse"] = new JsonObject { ["id"] = 1, ["connectorId"] = 1 },
            ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = At(now.AddSeconds(-60)), ["sampledValue"] = new JsonArray(Energy201(5000, "Transaction.Begin")) }),
        });
        await station.CallAsync("StatusNotification", new JsonObject { ["timestamp"] = At(now.AddSeconds(-60)), ["connectorStatus"] = "Occupied", ["evseId"] = 1, ["connectorId"] = 1 });
        var auth = await station.CallAsync("Authorize", new JsonObject { ["idToken"] = token.DeepClone() });
        Assert.Equal("Accepted", auth.GetProperty("idTokenInfo").GetProperty("status").GetString());
        await station.CallAsync("TransactionEvent", new JsonObject
        {
            ["eventType"] = "Updated",
            ["timestamp"] = At(now.AddSeconds(-55)),
            ["triggerReason"] = "Authorized",
            ["seqNo"] = 1,
            ["transactionInfo"] = new JsonObject { ["transactionId"] = transactionId, ["chargingState"] = "Charging" },
            ["idToken"] = token.DeepClone(),
        });
    }

    private async Task End201Async(StrictCharger station, string plate, string transactionId, DateTimeOffset now)
    {
        await station.CallAsync("TransactionEvent", new JsonObject
        {
            ["eventType"] = "Ended",
            ["timestamp"] = At(now),
            ["triggerReason"] = "RemoteStop",
            ["seqNo"] = 2,
            ["transactionInfo"] = new JsonObject { ["transactionId"] = transactionId, ["chargingState"] = "Idle", ["stoppedReason"] = "Remote" },
            ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = At(now), ["sampledValue"] = new JsonArray(Energy201(12000, "Transaction.End")) }),
        });
        await station.CallAsync("StatusNotification", new JsonObject { ["timestamp"] = At(now.AddSeconds(1)), ["connectorStatus"] = "Available", ["evseId"] = 1, ["connectorId"] = 1 });
        await ReadAsync("gate-out", plate, now.AddSeconds(30));
    }

    private async Task AssertBoundAndBilledAlikeAsync(string directCharger, string directTx, string directPlate, string proxiedCharger, string proxiedTx, string proxiedPlate)
    {
        var directBinding = await BoundAsync(directCharger, directTx);
        var proxiedBinding = await BoundAsync(proxiedCharger, proxiedTx);
        Assert.Equal(PlateKey(directPlate), directBinding.GetProperty("plate").GetString());
        Assert.True(PlateKey(proxiedPlate) == proxiedBinding.GetProperty("plate").GetString(), proxiedBinding.ToString());
        Assert.Equal(directBinding.GetProperty("method").GetString(), proxiedBinding.GetProperty("method").GetString());
        Assert.Equal(directBinding.GetProperty("confidence").GetDouble(), proxiedBinding.GetProperty("confidence").GetDouble());

        var directBill = await BillAsync(directPlate);
        var proxiedBill = await BillAsync(proxiedPlate);
        Assert.Equal(Lines(directBill), Lines(proxiedBill));
        Assert.Equal(directBill.GetProperty("total").GetDecimal(), proxiedBill.GetProperty("total").GetDecimal());
        Assert.Contains(Lines(proxiedBill), l => l.Unit == "kWh" && l.Quantity == (directCharger == "CP-D16" ? 8m : 7m));

        static string PlateKey(string plate) => new([.. plate.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant)]);
        // What is billed and for how much; the stays' minutes differ by the seconds between the two runs.
        static List<(string Kind, decimal? Quantity, string Unit, decimal Amount)> Lines(JsonElement bill) =>
            [.. bill.GetProperty("lines").EnumerateArray().Select(l => (
                l.GetProperty("kind").GetString()!,
                l.GetProperty("unit").GetString() == "kWh" ? l.GetProperty("quantity").GetDecimal() : (decimal?)null,
                l.GetProperty("unit").GetString()!,
                l.GetProperty("amountExclVat").GetDecimal()))];
    }

    private async Task<JsonElement> BoundAsync(string charger, string transactionId) =>
        await _node.EventuallyAsync(
            async () => (await SessionAsync(charger, transactionId)).TryGetProperty("binding", out var b) ? b : default,
            b => b.ValueKind == JsonValueKind.Object && b.TryGetProperty("plate", out _));

    private async Task<JsonElement> BillAsync(string plate)
    {
        var stay = await _node.EventuallyAsync(
            async () =>
            {
                using var page = await GetAsync($"/api/v1/parking-sessions?siteId={Site}&plate={Uri.EscapeDataString(plate)}");
                return page.RootElement.GetProperty("items").Clone();
            },
            items => items.GetArrayLength() == 1 && items[0].GetProperty("status").GetString() != "Open");
        using var bill = await GetAsync($"/api/v1/parking-sessions/{stay[0].GetProperty("id").GetString()}/bill");
        return bill.RootElement.GetProperty("bill").Clone();
    }

    private async Task<JsonElement> SessionAsync(string charger, string transactionId)
    {
        var items = await _node.EventuallyAsync(
            async () => { using var page = await GetAsync($"/api/v1/charging-sessions?chargerId={charger}&limit=100"); return page.RootElement.GetProperty("items").Clone(); },
            i => i.EnumerateArray().Any(s => s.GetProperty("transactionId").GetString() == transactionId));
        var id = items.EnumerateArray().Single(s => s.GetProperty("transactionId").GetString() == transactionId).GetProperty("id").GetString();
        using var session = await GetAsync($"/api/v1/charging-sessions/{id}");
        return session.RootElement.Clone();
    }

    private async Task ReadAsync(string camera, string plate, DateTimeOffset capturedAt)
    {
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key(camera));
        using var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera, plate, confidence = 0.95, capturedAt });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonDocument> GetAsync(string path)
    {
        using var response = await _node.Http.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private static JsonObject Profile(int id, int stackLevel, string purpose, decimal limit) => new()
    {
        ["connectorId"] = purpose == "ChargePointMaxProfile" ? 0 : 1,
        ["csChargingProfiles"] = new JsonObject
        {
            ["chargingProfileId"] = id,
            ["stackLevel"] = stackLevel,
            ["chargingProfilePurpose"] = purpose,
            ["chargingProfileKind"] = "Absolute",
            ["chargingSchedule"] = new JsonObject
            {
                ["chargingRateUnit"] = "A",
                ["startSchedule"] = At(DateTimeOffset.UtcNow),
                ["chargingSchedulePeriod"] = new JsonArray(new JsonObject { ["startPeriod"] = 0, ["limit"] = limit }),
            },
        },
    };
}
