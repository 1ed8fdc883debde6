using ParkCharge.Server.Tests.Dashboard;
using ParkCharge.Testing;

using static Microsoft.Playwright.Assertions;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>The reference page in a real browser (Debian's Chromium): its content security policy must not break it.</summary>
public sealed class ApiReferenceBrowserTests(DashboardBrowser browser, PostgresServer postgres) : IClassFixture<DashboardBrowser>
{
    [Fact]
    public async Task The_api_reference_page_renders_the_operations_under_its_content_security_policy()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        var page = await browser.OpenAsync(node.BaseUri);
        var refused = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                refused.Add(message.Text);
            }
        };

        await page.GotoAsync("/api/reference/");

        await Expect(page.GetByText("ParkCharge API").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Plate reads in ParkCharge's JSON format").First).ToBeAttachedAsync();
        await DashboardBrowser.ScreenshotAsync(page, "api-reference-under-csp");
        Assert.Empty(refused);
        await page.Context.CloseAsync();
    }
}
