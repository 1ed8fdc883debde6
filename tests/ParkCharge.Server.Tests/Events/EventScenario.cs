using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Auth;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Events;

/// <summary>
/// A node whose clock the test moves (webhook retries wait on it), with car parks whose gate cameras
/// and chargers make real events happen: vehicles entering and leaving, chargers connecting.
/// </summary>
internal sealed class EventScenario : IAsyncDisposable
{
    public const string Site = "garage";
    public const string OtherSite = "harbour";

    private IReadOnlyDictionary<string, string?>? _settings;
    private int _plates;

    private EventScenario(TestNode node, FakeTimeProvider time, IReadOnlyDictionary<string, string?>? settings)
    {
        Node = node;
        Time = time;
        _settings = settings;
    }

    public TestNode Node { get; private set; }

    /// <summary>The node's clock: real time at the start, then only moved by the test.</summary>
    public FakeTimeProvider Time { get; }

    public HttpClient Http => Node.Http;

    /// <summary>The test's webhook receivers listen on loopback, which a node refuses as a target unless allowed.</summary>
    public const string AllowLoopbackTargets = "ParkCharge:Webhooks:AllowedPrivateTargets:0";

    public static async Task<EventScenario> StartAsync(StoreEngine engine, PostgresServer postgres, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var merged = new Dictionary<string, string?> { [AllowLoopbackTargets] = "127.0.0.1" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            merged[key] = value;
        }

        settings = merged;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var node = await TestNode.StartAsync(engine, postgres, settings, builder => builder.Services.AddSingleton<TimeProvider>(time));
        var scenario = new EventScenario(node, time, settings);
        foreach (var site in (string[])[Site, OtherSite])
        {
            await node.RegisterChargerAsync($"CP-{site}", site: site);
            await node.ConfigureSiteAsync(new SiteConfiguration
            {
                Id = new SiteId(site),
                Name = site,
                TimeZone = "Europe/Berlin",
                Currency = "EUR",
                Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit)],
                Cameras =
                [
                    new CameraConfiguration { Id = $"{site}-in", Lane = "in", KeyHash = Secrets.HashApiKey(GateKey(site)), Format = CameraFormat.Generic },
                    new CameraConfiguration { Id = $"{site}-out", Lane = "out", KeyHash = Secrets.HashApiKey(GateKey(site)), Format = CameraFormat.Generic },
                ],
                OrdinaryBays = 100,
                Settings = new SiteSettings { StoreImages = false },
            });
        }

        return scenario;
    }

    /// <summary>Stops the node and starts a new one on the same store and clock (with other settings, when given).</summary>
    public async Task RestartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        _settings = settings ?? _settings;
        var store = Node.StoreOptions;
        await Node.DisposeAsync();
        Node = await TestNode.StartAsync(store, _settings, builder => builder.Services.AddSingleton<TimeProvider>(Time));
    }

    /// <summary>A new vehicle drives in (a parking session opens); returns its plate.</summary>
    public async Task<string> EnterAsync(string site = Site)
    {
        var plate = Plate(Interlocked.Increment(ref _plates));
        await PushAsync(site, "in", plate);
        return plate;
    }

    /// <summary>The vehicle drives out (its parking session closes).</summary>
    public Task ExitAsync(string plate, string site = Site) => PushAsync(site, "out", plate);

    /// <summary>A charger of the site connects and reports: connection, boot, connector status.</summary>
    public async Task<TestCharger> ConnectChargerAsync(string site = Site)
    {
        var charger = await TestCharger.ConnectAsync(Node.OcppUri($"CP-{site}"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Events" });
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest
        {
            ConnectorId = 1,
            ErrorCode = ChargePointErrorCode.NoError,
            Status = ChargePointStatus.Available,
            Timestamp = Time.GetUtcNow(),
        });
        return charger;
    }

    /// <summary>Every event of the site after <paramref name="after"/>, through the events API (all pages).</summary>
    public async Task<List<JsonElement>> EventsAsync(string site = Site, long after = 0, string? type = null)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var query = $"/api/v1/events?site={site}&after={after}&limit=50" + (type is null ? "" : "&type=" + Uri.EscapeDataString(type));
            using var page = JsonDocument.Parse(await Http.GetStringAsync(query));
            events.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            if (page.RootElement.GetProperty("next").GetString() is not { } next)
            {
                return events;
            }

            after = long.Parse(next, CultureInfo.InvariantCulture);
        }
    }

    public async Task<long> HeadAsync(string site = Site) => (await EventsAsync(site)).Select(e => e.GetProperty("sequence").GetInt64()).DefaultIfEmpty(0).Max();

    /// <summary>Subscribes the receiver; returns the subscription as created (with its secret).</summary>
    public async Task<JsonElement> SubscribeAsync(WebhookReceiver receiver, string[]? types = null, string[]? sites = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), eventTypes = types, siteIds = sites });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async Task<JsonElement> WebhookAsync(string id) =>
        JsonDocument.Parse(await Http.GetStringAsync($"/api/v1/webhooks/{id}")).RootElement.Clone();

    public async Task<List<JsonElement>> DeliveriesAsync(string id) =>
        [.. JsonDocument.Parse(await Http.GetStringAsync($"/api/v1/webhooks/{id}/deliveries?limit=1000")).RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()).Reverse()];

    /// <summary>
    /// Waits until <paramref name="done"/> holds, moving the node's clock by <paramref name="step"/> each
    /// round (so retries that wait on it come due), and looking again after each commit of the node or a
    /// short pause for the background work the clock set off (see <see cref="Eventually"/>). Gives up after
    /// a generous real-time bound.
    /// </summary>
    public Task UntilAsync(Func<Task<bool>> done, TimeSpan step, string what) =>
        Eventually.UntilAsync(
            async () =>
            {
                if (await done())
                {
                    return true;
                }

                Time.Advance(step);
                return false;
            },
            what,
            () => Node.Changed,
            TimeSpan.FromSeconds(60),
            longestPause: TimeSpan.FromMilliseconds(25)); // each round moves the clock: keep the rounds short

    public Task UntilAsync(Func<bool> done, TimeSpan step, string what) => UntilAsync(() => Task.FromResult(done()), step, what);

    public ValueTask DisposeAsync() => Node.DisposeAsync();

    /// <summary>
    /// Plates far apart from each other: plates one OCR slip apart would be taken for one vehicle (one
    /// sighting, an ambiguous exit), as the engine should.
    /// </summary>
    private static string Plate(int n)
    {
        const string letters = "ACEFHJKMNPRTUVWXY";
        var hash = System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n));
        return "P" + string.Concat(hash.Take(6).Select(b => letters[b % letters.Length]));
    }

    private static string GateKey(string site) => $"{site}-gate-camera-key-0123456789";

    /// <summary>A gate camera's read, a little after the previous one (reads within seconds of each other are one sighting).</summary>
    private async Task PushAsync(string site, string lane, string plate)
    {
        Time.Advance(TimeSpan.FromSeconds(15));
        using var camera = new HttpClient { BaseAddress = Node.BaseUri };
        camera.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GateKey(site));
        using var response = await camera.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = $"{site}-{lane}", plate, confidence = 0.95, capturedAt = Time.GetUtcNow() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
