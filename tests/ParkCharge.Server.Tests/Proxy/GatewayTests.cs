using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Proxy;

/// <summary>
/// The on-site gateway: a node on the car park's LAN whose upstream is another ParkCharge node (a central one),
/// every connection made outbound by the gateway. The charger (ocpp-rpc, strict) knows only the gateway; the
/// central node sees it as one of its own chargers, and its commands reach it through the gateway.
/// </summary>
public sealed class GatewayTests(PostgresServer postgres)
{
    private const string GatewayPassword = "gateway-to-central-0001";

    [Fact]
    public async Task A_charger_behind_a_gateway_is_a_charger_of_the_central_node_and_both_see_the_same_transaction()
    {
        await using var central = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        await using var gateway = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        await PutSiteAsync(central, """
            { "id": "central", "name": "Central", "timeZone": "Europe/Berlin", "currency": "EUR",
              "chargers": [ { "id": "CP-G", "password": "gateway-to-central-0001" } ],
              "evBays": [ { "id": "C1", "charger": "CP-G", "connector": 1 } ] }
            """);
        await PutSiteAsync(gateway, $$"""
            { "id": "lot", "name": "Lot", "timeZone": "Europe/Berlin", "currency": "EUR",
              "chargers": [ { "id": "CP-G", "upstreams": [ { "name": "central", "url": "ws://{{central.BaseUri.Authority}}/ocpp", "password": "{{GatewayPassword}}" } ] } ],
              "evBays": [ { "id": "L1", "charger": "CP-G", "connector": 1 } ] }
            """);

        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{gateway.BaseUri.Authority}/ocpp"), "CP-G", "ocpp1.6");
        await central.EventuallyAsync(
            async () => (await central.Http.GetFromJsonAsync<JsonElement>("/api/v1/chargers/CP-G")).GetProperty("connection").GetProperty("connected").GetBoolean(),
            connected => connected);

        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        string At(int seconds) => at.AddSeconds(seconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var boot = await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "G" });
        Assert.Equal("Accepted", boot.GetProperty("status").GetString());
        await charger.CallAsync("StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Preparing", ["timestamp"] = At(0) });
        var transactionId = (await charger.CallAsync("StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "RFID-G", ["meterStart"] = 100, ["timestamp"] = At(5) }))
            .GetProperty("transactionId").GetInt32();

        // The central node issued the id; the gateway's session carries the same.
        var centralSession = await SessionAsync(central, "CP-G", transactionId);
        var gatewaySession = await SessionAsync(gateway, "CP-G", transactionId);
        Assert.Equal("Active", centralSession.GetProperty("status").GetString());
        Assert.Equal("Active", gatewaySession.GetProperty("status").GetString());

        // The central node's remote stop reaches the charger through the gateway.
        using (var command = await central.Http.PostAsJsonAsync("/api/v1/commands", new { type = "remoteStop", chargingSessionId = centralSession.GetProperty("id").GetString() }))
        {
            Assert.Equal(HttpStatusCode.Accepted, command.StatusCode);
        }

        Assert.Equal(transactionId, (await charger.WaitForCallAsync("RemoteStopTransaction")).GetProperty("transactionId").GetInt32());
        await charger.CallAsync("StopTransaction", new JsonObject { ["transactionId"] = transactionId, ["meterStop"] = 2100, ["timestamp"] = At(60), ["reason"] = "Remote" });

        foreach (var node in (TestNode[])[central, gateway])
        {
            var stopped = await node.EventuallyAsync(() => SessionAsync(node, "CP-G", transactionId), s => s.GetProperty("status").GetString() == "Completed");
            Assert.Equal(2000m, stopped.GetProperty("energyWh").GetDecimal());
        }
    }

    private static async Task PutSiteAsync(TestNode node, string site)
    {
        using var put = await node.Http.PutAsync($"/api/v1/sites/{JsonDocument.Parse(site).RootElement.GetProperty("id").GetString()}", new StringContent(site, Encoding.UTF8, "application/json"));
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> SessionAsync(TestNode node, string charger, int transactionId)
    {
        var items = await node.EventuallyAsync(
            async () => (await node.Http.GetFromJsonAsync<JsonElement>($"/api/v1/charging-sessions?chargerId={charger}&limit=10")).GetProperty("items"),
            i => i.EnumerateArray().Any(s => s.GetProperty("transactionId").GetString() == transactionId.ToString(CultureInfo.InvariantCulture)));
        return items.EnumerateArray().Single(s => s.GetProperty("transactionId").GetString() == transactionId.ToString(CultureInfo.InvariantCulture));
    }
}
