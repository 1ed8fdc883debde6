using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Proxy;

public sealed class SqliteProxyOutageTests(PostgresServer postgres) : ProxyOutageTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresProxyOutageTests(PostgresServer postgres) : ProxyOutageTests(StoreEngine.Postgres, postgres);

/// <summary>
/// The charger's backend goes away in the middle of a session, and comes back: the charger (ocpp-rpc, strict)
/// never sees an error, ParkCharge answers in the meantime and keeps every message durably, the backend
/// (ocpp-rpc, strict) then gets them all, in order, with their original timestamps, and 1.6 transaction ids
/// are mapped both ways. Also with the node killed (SIGKILL) while messages wait.
/// </summary>
public abstract class ProxyOutageTests(StoreEngine engine, PostgresServer postgres)
{
    private const string Password = ProxyTests.BackendPassword;

    [Fact]
    public async Task A_1_6_session_goes_on_while_the_backend_is_away_and_the_backend_gets_every_message_in_order_with_its_ids_mapped()
    {
        await using var backend = await StrictBackend.StartAsync(Password);
        await using var node = await TestNode.StartAsync(engine, postgres);
        await ProxyTests.ConfigureSiteAsync(node, backend);
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ocpp"), "CP-P16", "ocpp1.6");
        await backend.WaitForConnectedAsync("primary", "CP-P16");
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);

        await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "P16" });
        var online = (await charger.CallAsync("StartTransaction", Start(1, "RFID-A", 1000, t0))).GetProperty("transactionId").GetInt32();
        Assert.Equal(70001, online);

        await backend.DownAsync();
        var sentWhileAway = new List<(string Action, JsonObject Payload)>
        {
            ("MeterValues", Meter(online, 3000, t0.AddMinutes(1))),
            ("StopTransaction", Stop(online, 5000, t0.AddMinutes(2))),
            ("StatusNotification", Status("Available", t0.AddMinutes(2))),
            ("Authorize", new JsonObject { ["idTag"] = "RFID-B" }),
            ("StartTransaction", Start(1, "RFID-B", 5000, t0.AddMinutes(3))),
        };
        var local = 0;
        foreach (var (action, payload) in sentWhileAway)
        {
            var answer = await charger.CallAsync(action, (JsonObject)payload.DeepClone()); // fails on any CALLERROR
            if (action == "StartTransaction")
            {
                local = answer.GetProperty("transactionId").GetInt32();
            }
        }

        Assert.NotEqual(0, local);
        var meterOfLocal = Meter(local, 6000, t0.AddMinutes(4));
        await charger.CallAsync("MeterValues", (JsonObject)meterOfLocal.DeepClone());
        sentWhileAway.Add(("MeterValues", meterOfLocal));
        var queued = await UpstreamAsync(node.Http, "CP-P16", u => u.GetProperty("queueLength").GetInt64() == sentWhileAway.Count);
        Assert.Equal(sentWhileAway.Count, queued.GetProperty("queueLength").GetInt64());

        await backend.UpAsync();
        var drained = await UpstreamAsync(node.Http, "CP-P16", u => u.GetProperty("state").GetString() == "Connected" && u.GetProperty("queueLength").GetInt64() == 0, TimeSpan.FromSeconds(90));
        Assert.Equal(0, drained.GetProperty("queueLength").GetInt64());

        // Every message, in order, as the charger sent it (timestamps included); ParkCharge's id replaced by the backend's.
        var received = backend.Received("primary", "CP-P16").Skip(2).ToList(); // after BootNotification and the online StartTransaction
        Assert.Equal(sentWhileAway.Select(m => m.Action), received.Select(r => r.Method));
        var backendId = 70002; // the backend's id for the transaction ParkCharge started while it was away
        for (var i = 0; i < sentWhileAway.Count; i++)
        {
            var expected = (JsonObject)sentWhileAway[i].Payload.DeepClone();
            if (expected["transactionId"] is JsonValue tx && tx.GetValue<int>() == local)
            {
                expected["transactionId"] = backendId;
            }

            Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(received[i].Params.GetRawText())), $"{sentWhileAway[i].Action}: sent {expected.ToJsonString()}, backend got {received[i].Params.GetRawText()}");
        }

        // Back online, the mapping holds both ways: the charger's id goes up as the backend's, the backend's stop comes down as the charger's.
        await charger.CallAsync("MeterValues", Meter(local, 7000, t0.AddMinutes(5)));
        Assert.Equal(backendId, (await backend.WaitForReceivedAsync("primary", "CP-P16", "MeterValues", 3)).GetProperty("transactionId").GetInt32());
        var (answered, stop) = await backend.CallAsync("primary", "CP-P16", "RemoteStopTransaction", new JsonObject { ["transactionId"] = backendId });
        Assert.True(answered, stop.ToString());
        Assert.Equal(local, (await charger.WaitForCallAsync("RemoteStopTransaction")).GetProperty("transactionId").GetInt32());
        await charger.CallAsync("StopTransaction", Stop(local, 8000, t0.AddMinutes(6)));
        Assert.Equal(backendId, (await backend.WaitForReceivedAsync("primary", "CP-P16", "StopTransaction", 2)).GetProperty("transactionId").GetInt32());
        Assert.Empty(backend.StrictFailures);

        // ParkCharge observed it all as for a direct charger: both sessions complete, with their energy.
        using var sessions = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/charging-sessions?chargerId=CP-P16&limit=10"));
        var byTx = sessions.RootElement.GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("transactionId").GetString()!, s => s.Clone());
        Assert.Equal(("Completed", 4000m), (byTx["70001"].GetProperty("status").GetString(), byTx["70001"].GetProperty("energyWh").GetDecimal()));
        Assert.Equal(("Completed", 3000m), (byTx[local.ToString(CultureInfo.InvariantCulture)].GetProperty("status").GetString(), byTx[local.ToString(CultureInfo.InvariantCulture)].GetProperty("energyWh").GetDecimal()));
    }

    [Fact]
    public async Task A_2_0_1_station_offline_from_its_backend_is_authorized_by_what_the_backend_accepted_before_and_its_events_reach_the_backend_in_order()
    {
        await using var backend = await StrictBackend.StartAsync(Password);
        await using var node = await TestNode.StartAsync(engine, postgres);
        await ProxyTests.ConfigureSiteAsync(node, backend);
        using (var put = await node.Http.PutAsync("/api/v1/chargers/CS-P201/upstreams", new StringContent($$"""
            [ { "name": "cpo", "url": "{{backend.Url("primary")}}", "timeout": "2s", "offlineAuthorization": "learnt" } ]
            """, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        await using var station = await StrictCharger.ConnectAsync(new Uri($"ws://{node.BaseUri.Authority}/ocpp"), "CS-P201", "ocpp2.0.1");
        await backend.WaitForConnectedAsync("primary", "CS-P201");
        static JsonObject Token(string id) => new() { ["idToken"] = id, ["type"] = "ISO14443" };
        var known = await station.CallAsync("Authorize", new JsonObject { ["idToken"] = Token("RFID-KNOWN") });
        Assert.Equal("Accepted", known.GetProperty("idTokenInfo").GetProperty("status").GetString());

        await backend.DownAsync();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-3);
        var sentWhileAway = new List<(string Action, JsonObject Payload)>
        {
            ("Authorize", new JsonObject { ["idToken"] = Token("RFID-KNOWN") }),
            ("Authorize", new JsonObject { ["idToken"] = Token("RFID-STRANGER") }),
            ("TransactionEvent", new JsonObject
            {
                ["eventType"] = "Started", ["timestamp"] = At(t0), ["triggerReason"] = "Authorized", ["seqNo"] = 0,
                ["transactionInfo"] = new JsonObject { ["transactionId"] = "tx-offline" }, ["idToken"] = Token("RFID-KNOWN"),
                ["evse"] = new JsonObject { ["id"] = 1, ["connectorId"] = 1 },
            }),
            ("TransactionEvent", new JsonObject
            {
                ["eventType"] = "Ended", ["timestamp"] = At(t0.AddMinutes(1)), ["triggerReason"] = "EVDeparted", ["seqNo"] = 1,
                ["transactionInfo"] = new JsonObject { ["transactionId"] = "tx-offline", ["stoppedReason"] = "EVDisconnected" },
            }),
        };
        var answers = new List<JsonElement>();
        foreach (var (action, payload) in sentWhileAway)
        {
            answers.Add(await station.CallAsync(action, (JsonObject)payload.DeepClone()));
        }

        Assert.Equal("Accepted", answers[0].GetProperty("idTokenInfo").GetProperty("status").GetString()); // the backend accepted it before
        Assert.Equal("Invalid", answers[1].GetProperty("idTokenInfo").GetProperty("status").GetString());  // never seen by the backend
        Assert.Equal("Accepted", answers[2].GetProperty("idTokenInfo").GetProperty("status").GetString());

        await backend.UpAsync();
        await UpstreamAsync(node.Http, "CS-P201", u => u.GetProperty("state").GetString() == "Connected" && u.GetProperty("queueLength").GetInt64() == 0, TimeSpan.FromSeconds(90));
        var received = backend.Received("primary", "CS-P201").Skip(1).ToList(); // after the online Authorize
        Assert.Equal(sentWhileAway.Count, received.Count);
        for (var i = 0; i < sentWhileAway.Count; i++)
        {
            Assert.Equal(sentWhileAway[i].Action, received[i].Method);
            Assert.True(JsonNode.DeepEquals(sentWhileAway[i].Payload, JsonNode.Parse(received[i].Params.GetRawText())), received[i].Params.GetRawText());
        }

        Assert.Empty(backend.StrictFailures);
    }

    [Fact]
    public async Task Messages_waiting_for_the_backend_survive_a_killed_node_and_reach_the_backend_in_order_after_the_restart()
    {
        await using var backend = await StrictBackend.StartAsync(Password);
        var options = await TestStores.CreateOptionsAsync(engine, postgres);
        var workDir = TestStores.NewFolder("proxy-crash");
        var siteFile = Path.Combine(workDir, "site.json");
        await File.WriteAllTextAsync(siteFile, $$"""
            {
              "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
              "chargers": [ { "id": "CP-K16", "upstreams": [ { "name": "cpo", "url": "{{backend.Url("primary")}}", "password": "${CPO_PASSWORD}", "timeout": "2s" } ] } ],
              "evBays": [ { "id": "B1", "charger": "CP-K16", "connector": 1 } ]
            }
            """, TestContext.Current.CancellationToken);
        string[] arguments = options.PostgresConnectionString is { } pg
            ? ["--urls", "http://127.0.0.1:0", "--site", siteFile, "--postgres", pg, "--data", workDir]
            : ["--urls", "http://127.0.0.1:0", "--site", siteFile, "--data", options.DataDirectory];
        var environment = new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = TestNode.AdminKey, ["CPO_PASSWORD"] = Password };
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var sentWhileAway = new List<(string Action, JsonObject Payload)>();

        var (server, uri) = await ServerProcess.StartAsync(workDir, environment, arguments);
        await using (server)
        {
            await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{uri.Authority}/ocpp"), "CP-K16", "ocpp1.6");
            await backend.WaitForConnectedAsync("primary", "CP-K16");
            var online = (await charger.CallAsync("StartTransaction", Start(1, "RFID-K", 1000, t0))).GetProperty("transactionId").GetInt32();

            await backend.DownAsync();
            for (var i = 1; i <= 20; i++)
            {
                sentWhileAway.Add(("MeterValues", Meter(online, 1000 + (i * 100), t0.AddSeconds(i * 10))));
            }

            sentWhileAway.Add(("StopTransaction", Stop(online, 3000, t0.AddMinutes(4))));
            sentWhileAway.Add(("StartTransaction", Start(1, "RFID-L", 3000, t0.AddMinutes(4).AddSeconds(30))));
            var local = 0;
            foreach (var (action, payload) in sentWhileAway)
            {
                var answer = await charger.CallAsync(action, (JsonObject)payload.DeepClone());
                local = action == "StartTransaction" ? answer.GetProperty("transactionId").GetInt32() : local;
            }

            var meter = Meter(local, 3500, t0.AddMinutes(5));
            await charger.CallAsync("MeterValues", (JsonObject)meter.DeepClone());
            sentWhileAway.Add(("MeterValues", meter));
            using var http = Client(uri);
            await UpstreamAsync(http, "CP-K16", u => u.GetProperty("queueLength").GetInt64() == sentWhileAway.Count);

            await server.KillAsync(); // every one of them answered to the charger, none delivered to the backend
        }

        await backend.UpAsync();
        var (restarted, restartedUri) = await ServerProcess.StartAsync(workDir, environment, arguments);
        await using (restarted)
        {
            await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{restartedUri.Authority}/ocpp"), "CP-K16", "ocpp1.6");
            using var http = Client(restartedUri);
            await UpstreamAsync(http, "CP-K16", u => u.GetProperty("state").GetString() == "Connected" && u.GetProperty("queueLength").GetInt64() == 0, TimeSpan.FromSeconds(90));

            var received = backend.Received("primary", "CP-K16").Skip(1).ToList(); // after the online StartTransaction
            Assert.Equal(sentWhileAway.Count, received.Count); // lost: 0, twice: 0
            Assert.Equal(sentWhileAway.Select(m => m.Action), received.Select(r => r.Method));
            for (var i = 0; i < sentWhileAway.Count - 1; i++)
            {
                Assert.True(JsonNode.DeepEquals(sentWhileAway[i].Payload, JsonNode.Parse(received[i].Params.GetRawText())), $"{i}: {received[i].Params.GetRawText()}");
            }

            // The last MeterValues was for the transaction ParkCharge started: it reached the backend with the backend's id.
            Assert.Equal(70002, received[^1].Params.GetProperty("transactionId").GetInt32());
            Assert.Equal(sentWhileAway[^1].Payload["meterValue"]!.ToJsonString(), received[^1].Params.GetProperty("meterValue").GetRawText());
            Assert.Empty(backend.StrictFailures);
        }
    }

    private static HttpClient Client(Uri uri)
    {
        var http = new HttpClient { BaseAddress = uri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestNode.AdminKey);
        return http;
    }

    /// <summary>Reads the charger's primary upstream until <paramref name="done"/> holds (or time runs out, returning the last read).</summary>
    private static async Task<JsonElement> UpstreamAsync(HttpClient http, string charger, Func<JsonElement, bool> done, TimeSpan? within = null) =>
        await Eventually.UntilAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>($"/api/v1/chargers/{charger}/upstreams")).EnumerateArray().First(u => u.GetProperty("role").GetString() == "primary"),
            done,
            within: within ?? TimeSpan.FromSeconds(30));

    private static string At(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject Start(int connector, string tag, int meter, DateTimeOffset at) =>
        new() { ["connectorId"] = connector, ["idTag"] = tag, ["meterStart"] = meter, ["timestamp"] = At(at) };

    private static JsonObject Stop(int transactionId, int meter, DateTimeOffset at) =>
        new() { ["transactionId"] = transactionId, ["meterStop"] = meter, ["timestamp"] = At(at), ["reason"] = "Local" };

    private static JsonObject Status(string status, DateTimeOffset at) =>
        new() { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = status, ["timestamp"] = At(at) };

    private static JsonObject Meter(int transactionId, int wh, DateTimeOffset at) => new()
    {
        ["connectorId"] = 1,
        ["transactionId"] = transactionId,
        ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = At(at), ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = wh.ToString(CultureInfo.InvariantCulture), ["measurand"] = "Energy.Active.Import.Register", ["unit"] = "Wh" }) }),
    };
}
