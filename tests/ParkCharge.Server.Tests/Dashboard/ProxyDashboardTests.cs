using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Playwright;

using ParkCharge.Core.Charging;
using ParkCharge.Server.Tests.Proxy;
using ParkCharge.Testing;

using static Microsoft.Playwright.Assertions;

namespace ParkCharge.Server.Tests.Dashboard;

/// <summary>
/// Proxy mode on the dashboard's charger page, in a real browser: a charger proxied to a backend written by
/// others (ocpp-rpc, strict), its upstream's state, queue and last error as the backend comes and goes.
/// </summary>
public sealed class ProxyDashboardTests(DashboardBrowser browser, PostgresServer postgres) : IClassFixture<DashboardBrowser>, IAsyncLifetime
{
    private StrictBackend _backend = null!;
    private TestNode _node = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await StrictBackend.StartAsync(ProxyTests.BackendPassword);
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        var site = $$"""
            {
              "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
              "chargers": [ { "id": "CP-1", "upstreams": [ { "name": "cpo", "url": "{{_backend.Url("primary")}}", "password": "{{ProxyTests.BackendPassword}}", "timeout": "2s" } ] } ],
              "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ]
            }
            """;
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        _page = await browser.OpenAsync(_node.BaseUri);
    }

    public async ValueTask DisposeAsync()
    {
        await _page.Context.DisposeAsync();
        await _node.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task The_charger_page_shows_its_upstream_connected_then_its_last_error_while_the_backend_is_away()
    {
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await _backend.WaitForConnectedAsync("primary", "CP-1");

        await _page.GotoAsync("/dashboard/");
        await _page.GetByLabel("API key").FillAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await _page.GetByRole(AriaRole.Link, new() { Name = "Chargers" }).ClickAsync();
        var upstream = _page.GetByRole(AriaRole.Table, new() { Name = "Upstream backends of CP-1" }).Locator("tr[data-upstream='cpo']");
        await Expect(upstream.Locator(".upstream-state")).ToContainTextAsync("Connected since");
        await Expect(upstream).ToContainTextAsync("primary");
        await DashboardBrowser.ScreenshotAsync(_page, "proxy-upstream-connected");

        await _backend.DownAsync();
        await _node.EventuallyAsync(
            async () => (await _node.Http.GetFromJsonAsync<JsonElement>("/api/v1/chargers/CP-1/upstreams"))[0],
            u => u.GetProperty("state").GetString() != "Connected" && u.GetProperty("lastError").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(30));
        await _page.ReloadAsync();
        await _page.GetByRole(AriaRole.Link, new() { Name = "Chargers" }).ClickAsync();
        await Expect(upstream.Locator(".upstream-state")).Not.ToContainTextAsync("Connected");
        await Expect(upstream.Locator(".fault")).Not.ToBeEmptyAsync();
        await DashboardBrowser.ScreenshotAsync(_page, "proxy-upstream-away");
    }
}
