using Microsoft.Playwright;

namespace ParkCharge.Server.Tests.Dashboard;

/// <summary>
/// One headless Chromium for a test class: Debian's build at /usr/bin/chromium (test.sh installs it),
/// driven by Playwright; nothing is downloaded. Each test opens its own context (its own session storage).
/// Screenshots go to PARKCHARGE_SCREENSHOTS, or TestResults/screenshots in the test output folder.
/// </summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public static string ScreenshotFolder { get; } =
        Environment.GetEnvironmentVariable("PARKCHARGE_SCREENSHOTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"The browser tests need Debian's Chromium at {ChromiumPath}: run ./test.sh, or apt-get install chromium.");
        }

        // Auto-waiting expectations, generous for a busy two-core machine; they end as soon as the page shows the text.
        Assertions.SetDefaultExpectTimeout(20_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A fresh browser context and page on the node, at laptop width.</summary>
    public async Task<IPage> OpenAsync(Uri baseUri, int width = 1280)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUri.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            Locale = "en-US", // numbers and money as the tests spell them
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
