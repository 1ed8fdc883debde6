using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Proxy;

/// <summary>
/// Security profile 3 towards the upstream: a gateway presents the charger's client certificate to a central node on
/// TLS that authenticates chargers by certificate, and trusts the central node's server certificate only through the
/// CA file its upstream names. A backend whose certificate does not chain to that CA is never talked to.
/// </summary>
public sealed class GatewayTlsTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_gateway_presents_the_chargers_client_certificate_to_a_tls_backend_it_trusts_by_the_upstreams_own_ca()
    {
        using var operatorCa = TestPki.Ca("Operator CA");
        var folder = TestStores.NewFolder("gateway-tls");
        var (caPath, _) = TestPki.WritePem(operatorCa, folder, "operator-ca");
        var (serverCertificate, serverKey, _) = TestPki.ServerPem(folder);
        await using var central = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["urls"] = null,
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = serverCertificate,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = serverKey,
            ["ParkCharge:ChargerCertificates:RequestOnHttps"] = "true",
            ["ParkCharge:ChargerCertificates:CaCertificate"] = caPath,
        });
        using (var register = await central.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-T", securityProfile = 3 }))
        {
            Assert.True(register.IsSuccessStatusCode, await register.Content.ReadAsStringAsync());
        }

        using var certificate = TestPki.Charger(operatorCa, "CP-T");
        var clientCertificate = Path.Combine(folder, "cp-t.pem");
        var clientKey = Path.Combine(folder, "cp-t.key.pem");
        await File.WriteAllTextAsync(clientCertificate, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(clientKey, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        using var stranger = TestPki.Ca("Somebody else's CA");
        var (strangerPath, _) = TestPki.WritePem(stranger, folder, "stranger-ca");

        await using var gateway = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        var wss = $"wss://{HttpsAuthority(central)}/ocpp";
        await PutSiteAsync(gateway, $$"""
            { "id": "lot", "name": "Lot", "timeZone": "Europe/Berlin", "currency": "EUR",
              "chargers": [
                { "id": "CP-T", "upstreams": [ { "name": "central", "url": "{{wss}}", "clientCertificate": {{JsonSerializer.Serialize(clientCertificate)}},
                  "clientKey": {{JsonSerializer.Serialize(clientKey)}}, "caCertificate": {{JsonSerializer.Serialize(serverCertificate)}} } ] },
                { "id": "CP-X", "upstreams": [ { "name": "central", "url": "{{wss}}", "clientCertificate": {{JsonSerializer.Serialize(clientCertificate)}},
                  "clientKey": {{JsonSerializer.Serialize(clientKey)}}, "caCertificate": {{JsonSerializer.Serialize(strangerPath)}}, "identity": "CP-T" } ] } ],
              "evBays": [ { "id": "L1", "charger": "CP-T", "connector": 1 }, { "id": "L2", "charger": "CP-X", "connector": 1 } ] }
            """);

        // Trusted by the upstream's CA file and authenticated by the certificate: the central node's own answer comes back.
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{gateway.BaseUri.Authority}/ocpp"), "CP-T", "ocpp1.6");
        await Eventually.UntilAsync(() => UpstreamAsync(gateway, "CP-T"), u => u.GetProperty("state").GetString() == "Connected", within: TimeSpan.FromSeconds(30));
        var boot = await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "T" });
        Assert.Equal("Accepted", boot.GetProperty("status").GetString());
        var view = await central.EventuallyAsync(
            async () => await central.Http.GetFromJsonAsync<JsonElement>("/api/v1/chargers/CP-T"),
            c => c.GetProperty("connection").GetProperty("connected").GetBoolean());
        Assert.Equal(3, view.GetProperty("securityProfile").GetInt32());

        // The same certificate towards a backend whose TLS certificate the named CA did not issue: never connected.
        await using var refused = await StrictCharger.ConnectAsync(new Uri($"ws://{gateway.BaseUri.Authority}/ocpp"), "CP-X", "ocpp1.6");
        var failed = await Eventually.UntilAsync(() => UpstreamAsync(gateway, "CP-X"), u => u.GetProperty("lastError").ValueKind == JsonValueKind.String, within: TimeSpan.FromSeconds(30));
        Assert.NotEqual("Connected", failed.GetProperty("state").GetString());
    }

    private static async Task<JsonElement> UpstreamAsync(TestNode node, string charger) =>
        (await node.Http.GetFromJsonAsync<JsonElement>($"/api/v1/chargers/{charger}/upstreams")).EnumerateArray().Single();

    private static string HttpsAuthority(TestNode node) =>
        new Uri(node.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal))).Authority;

    private static async Task PutSiteAsync(TestNode node, string site)
    {
        using var put = await node.Http.PutAsync($"/api/v1/sites/{JsonDocument.Parse(site).RootElement.GetProperty("id").GetString()}", new StringContent(site, Encoding.UTF8, "application/json"));
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
    }
}
