using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Core.Billing;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Conformance;

public sealed class SqliteChargerCostConformanceTests(PostgresServer postgres) : ChargerCostConformanceTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresChargerCostConformanceTests(PostgresServer postgres) : ChargerCostConformanceTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Cost on an OCPP 2.1 charger, with the independent strict client (ocpp-rpc, tests/conformance/tariff-2.1.js): a car
/// read at the entry and at bay B1, a transaction started on EV detection at B1's charger, meter values, idle, the end on
/// the EV's departure, and the charger's payment terminal settling what the charger showed. With <c>chargerCost: local</c>
/// the charger gets the site's tariff on boot and calculates the cost itself; with <c>central</c> it gets CostUpdated and
/// the final totalCost. Either way what the charger showed is the bill's charging part, and the settlement is a payment
/// on the stay's bill; a settlement for an unknown transaction is kept in the daily report; malformed settlements get
/// 2.1's CALLERRORs.
/// </summary>
public abstract class ChargerCostConformanceTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string Password = "conformance-secret-0021";
    private const string GateInKey = "gate-in-camera-key-0123456789";
    private const string GateOutKey = "gate-out-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    // 0.30/kWh, 1.20/h charging, 6.00/h connected not charging, 0.50 a session; 19 % VAT.
    private const string Tariffs = """
        { "charging": [ { "id": "ev", "elements": [ { "priceComponents": [
            { "type": "ENERGY", "price": 0.30, "vat": 19 }, { "type": "TIME", "price": 1.20, "vat": 19 },
            { "type": "PARKING_TIME", "price": 6.00, "vat": 19 }, { "type": "FLAT", "price": 0.50, "vat": 19 } ] } ] } ] }
        """;

    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(engine, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("local")]
    [InlineData("central")]
    public async Task A_2_1_session_shows_the_bills_cost_on_the_charger_and_its_settlement_pays_the_stay(string mode)
    {
        await PutSiteAsync(mode);
        var start = new DateTimeOffset(DateTime.UtcNow.AddMinutes(-15).Ticks - DateTime.UtcNow.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        await ReadAsync(GateInKey, "gate-in", "M-EV 2100", start.AddMinutes(-5));
        await ReadAsync(BayKey, "cam-b1", "M-EV 2100", start.AddMinutes(-1));

        var scriptStarted = DateTime.UtcNow.Date;
        await using var script = NodeScript.Start("tariff-2.1.js", "--url", $"ws://{_node.BaseUri.Authority}/ocpp", "--id", "CS-21", "--password", Password,
            "--start", start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--expect", mode == "local" ? "tariff" : "cost");
        var result = await script.WaitForResultAsync();
        var scriptEnded = DateTime.UtcNow.Date;
        await ReadAsync(GateOutKey, "gate-out", "M-EV 2100", start.AddMinutes(9));

        var stay = await StayAsync("M-EV 2100");
        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{stay}/bill");
        var charging = bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray()
            .Where(l => l.GetProperty("kind").GetString() is "Charging" or "ChargingAdjustment")
            .Sum(l => l.GetProperty("amountInclVat").GetDecimal());
        // 6.5 kWh 1.95 + 4 min charging 0.08 + 3 min 5 s connected, not charging 0.308333 + 0.50 = 2.838333 excl. VAT, 3.38 incl.
        Assert.Equal(3.38m, charging);
        var commands = await CommandsAsync("CS-21");
        if (mode == "local")
        {
            var sent = result.GetProperty("tariff");
            Assert.Equal(ChargerTariffs.From(SiteTariff(), "EUR").Tariff!.TariffId, sent.GetProperty("tariffId").GetString());
            Assert.Equal(0.3m, sent.GetProperty("energy").GetProperty("prices")[0].GetProperty("priceKwh").GetDecimal());
            Assert.Equal(0.02m, sent.GetProperty("chargingTime").GetProperty("prices")[0].GetProperty("priceMinute").GetDecimal());
            Assert.Equal(0.1m, sent.GetProperty("idleTime").GetProperty("prices")[0].GetProperty("priceMinute").GetDecimal());
            Assert.Equal(19m, sent.GetProperty("energy").GetProperty("taxRates")[0].GetProperty("tax").GetDecimal());
            Assert.Equal(charging, result.GetProperty("localCost").GetProperty("inclTax").GetDecimal()); // the charger's own calculation is the bill
            Assert.Empty(result.GetProperty("costUpdates").EnumerateArray());
            Assert.Equal(JsonValueKind.Null, result.GetProperty("totalCost").ValueKind);
            Assert.DoesNotContain(commands, c => c.GetProperty("type").GetString() == "CostUpdated");
            Assert.Equal("Accepted", Assert.Single(commands, c => c.GetProperty("type").GetString() == "SetDefaultTariff").GetProperty("status").GetString());
        }
        else
        {
            Assert.Equal(JsonValueKind.Null, result.GetProperty("tariff").ValueKind);
            Assert.Equal(charging, result.GetProperty("totalCost").GetDecimal());
            var costs = commands.Where(c => c.GetProperty("type").GetString() == "CostUpdated").OrderBy(c => c.GetProperty("requestedAt").GetDateTimeOffset())
                .Select(c => c.GetProperty("totalCost").GetDecimal()).ToList();
            // At the start (the session fee), 65 s (2 kWh), 185 s (6 kWh), 245 s (6.5 kWh, now idle) and 365 s (2 min more idle).
            Assert.Equal([0.60m, 1.34m, 2.82m, 3.02m, 3.26m], costs);
            Assert.Equal(costs, result.GetProperty("costUpdates").EnumerateArray().Select(u => u.GetProperty("totalCost").GetDecimal()));
            Assert.DoesNotContain(commands, c => c.GetProperty("type").GetString() == "SetDefaultTariff");
        }

        // The settlement (sent twice) is one payment of what the charger showed; nothing is left to pay.
        var payment = Assert.Single(bill.RootElement.GetProperty("payments").EnumerateArray());
        Assert.Equal(
            (charging, "EUR", BillingRules.ChargerTerminal, result.GetProperty("pspRef").GetString()),
            (payment.GetProperty("amount").GetDecimal(), payment.GetProperty("currency").GetString(), payment.GetProperty("method").GetString(), payment.GetProperty("reference").GetString()));
        Assert.Equal(0m, bill.RootElement.GetProperty("balanceDue").GetDecimal());

        // The one for a transaction the node never saw is kept and reported on the day it was received; the payment counts
        // on the day it was made (the site's zone is UTC; near midnight the two are different days).
        var lostReports = new List<JsonDocument>();
        foreach (var day in new[] { scriptStarted, scriptEnded }.Distinct())
        {
            lostReports.Add(await GetJsonAsync($"/api/v1/sites/cost-site/reports/daily?date={day:yyyy-MM-dd}"));
        }

        var lost = Assert.Single(lostReports.SelectMany(r => r.RootElement.GetProperty("unmatchedSettlements").EnumerateArray()));
        Assert.Equal((result.GetProperty("lostPspRef").GetString(), 3.5m, "tx-never-seen"),
            (lost.GetProperty("pspReference").GetString(), lost.GetProperty("amount").GetDecimal(), lost.GetProperty("transactionId").GetString()));
        lostReports.ForEach(r => r.Dispose());
        using var report = await GetJsonAsync($"/api/v1/sites/cost-site/reports/daily?date={payment.GetProperty("at").GetDateTimeOffset().UtcDateTime:yyyy-MM-dd}");
        Assert.Equal(charging, report.RootElement.GetProperty("revenue").GetProperty("payments").GetDecimal());

        Assert.All(result.GetProperty("refusals").EnumerateArray(), r => Assert.Equal(r.GetProperty("expected").GetString(), r.GetProperty("got").GetString()));
        Assert.Equal(4, result.GetProperty("refusals").GetArrayLength());
        Assert.Equal(0, await script.EndAsync());
    }

    [Fact]
    public async Task Tariff_commands_through_the_api_reach_a_2_1_charger_and_are_refused_for_older_versions()
    {
        await PutSiteAsync("local");
        var start = DateTimeOffset.UtcNow.AddMinutes(-15);
        await using var script = NodeScript.Start("tariff-2.1.js", "--url", $"ws://{_node.BaseUri.Authority}/ocpp", "--id", "CS-21", "--password", Password,
            "--start", start.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "--expect", "tariff");
        var result = await script.WaitForResultAsync();
        var tariffId = result.GetProperty("tariff").GetProperty("tariffId").GetString();

        var held = await CommandAsync(new { type = "getTariffs", chargerId = "CS-21" });
        var cleared = await CommandAsync(new { type = "clearTariffs", chargerId = "CS-21" });
        var none = await CommandAsync(new { type = "getTariffs", chargerId = "CS-21" });

        Assert.Equal(("Accepted", $"{tariffId} (DefaultTariff, EVSE 1)"), (held.GetProperty("status").GetString(), held.GetProperty("detail").GetString()));
        Assert.Equal(("Accepted", $"{tariffId}: Accepted"), (cleared.GetProperty("status").GetString(), cleared.GetProperty("detail").GetString()));
        Assert.Equal(("Accepted", "NoTariff"), (none.GetProperty("status").GetString(), none.GetProperty("response").GetString()));
        Assert.Contains("CALL GetTariffs ", script.Output, StringComparison.Ordinal);
        Assert.Contains("CALL ClearTariffs ", script.Output, StringComparison.Ordinal);

        using var refused = await _node.Http.PostAsJsonAsync("/api/v1/commands", new { type = "setDefaultTariff", chargerId = "CS-21" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        await _node.RegisterChargerAsync("CP-16-T", "conformance-secret-0016", site: "cost-site");
        using var old = await _node.Http.PostAsJsonAsync("/api/v1/commands", new { type = "getTariffs", chargerId = "CP-16-T" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Conflict, old.StatusCode);
        Assert.Equal(0, await script.EndAsync());
    }

    private static ChargingTariff SiteTariff() => new()
    {
        Id = "ev",
        Elements =
        [
            new TariffElement([
                new PriceComponent(TariffDimension.Energy, 0.30m, 19), new PriceComponent(TariffDimension.Time, 1.20m, 19),
                new PriceComponent(TariffDimension.ParkingTime, 6.00m, 19), new PriceComponent(TariffDimension.Flat, 0.50m, 19)]),
        ],
    };

    private async Task PutSiteAsync(string mode)
    {
        var site = $$"""
            {
              "id": "cost-site", "name": "Cost", "timeZone": "UTC", "currency": "EUR",
              "settings": { "chargerCost": "{{mode}}" },
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateInKey}}" } ] },
                         { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{GateOutKey}}" } ] } ],
              "chargers": [ { "id": "CS-21", "password": "{{Password}}" } ],
              "evBays": [ { "id": "B1", "charger": "CS-21", "connector": 1 } ],
              "bayCameras": [ { "id": "cam-b1", "key": "{{BayKey}}", "bays": [ "B1" ] } ],
              "tariffs": {{Tariffs}}
            }
            """;
        using var put = await _node.Http.PutAsync("/api/v1/sites/cost-site", new StringContent(site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(put.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task ReadAsync(string key, string camera, string plate, DateTimeOffset at)
    {
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera, plate, confidence = 0.95, capturedAt = at }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string> StayAsync(string plate)
    {
        using var page = await GetJsonAsync($"/api/v1/parking-sessions?siteId=cost-site&plate={Uri.EscapeDataString(plate)}");
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    private async Task<List<JsonElement>> CommandsAsync(string charger)
    {
        using var page = await GetJsonAsync($"/api/v1/commands?chargerId={charger}&limit=100");
        return [.. page.RootElement.GetProperty("items").EnumerateArray().Select(c => c.Clone())];
    }

    private async Task<JsonElement> CommandAsync(object body)
    {
        using var submitted = await _node.Http.PostAsJsonAsync("/api/v1/commands", body, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString();
        return await _node.EventuallyAsync(
            async () =>
            {
                using var command = await GetJsonAsync($"/api/v1/commands/{id}");
                return command.RootElement.Clone();
            },
            c => c.GetProperty("status").GetString() is not ("Pending" or "Sent"));
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _node.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }
}
