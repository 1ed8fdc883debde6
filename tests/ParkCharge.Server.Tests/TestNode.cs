using System.Net.Http.Headers;
using System.Net.Http.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests;

/// <summary>
/// A real ParkCharge node for a test: Kestrel on a free loopback port, a real SQLite file or
/// PostgreSQL database, a known admin API key.
/// </summary>
public sealed class TestNode : IAsyncDisposable
{
    public const string AdminKey = "pck_test-admin-key-0123456789";

    private TestNode(WebApplication app, StoreOptions storeOptions)
    {
        App = app;
        StoreOptions = storeOptions;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
        // A test node with HTTPS uses a self-signed certificate made by the test; only loopback is reached.
        Http = BaseUri.Scheme == "https"
            ? new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator }) { BaseAddress = BaseUri }
            : new HttpClient { BaseAddress = BaseUri };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public WebApplication App { get; }

    public StoreOptions StoreOptions { get; }

    public Uri BaseUri { get; }

    /// <summary>An HTTP client that sends the admin key.</summary>
    public HttpClient Http { get; }

    public Uri OcppUri(string chargerId) => new($"ws://{BaseUri.Authority}/ocpp/{Uri.EscapeDataString(chargerId)}");

    /// <summary>Completes when the node's store next commits events: the moment to read the API again.</summary>
    public Task Changed => App.Services.GetRequiredService<Store>().Outbox.Changed;

    /// <summary>
    /// Reads until <paramref name="done"/> holds, again after each commit of events (and, for changes that
    /// publish none, after a short back-off); returns the last value read when time runs out.
    /// </summary>
    public Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null) =>
        Eventually.UntilAsync(read, done, () => Changed, within);

    public static async Task<TestNode> StartAsync(
        StoreEngine engine,
        PostgresServer postgres,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var storeOptions = await TestStores.CreateOptionsAsync(engine, postgres);
        return await StartAsync(storeOptions, settings, configure);
    }

    /// <summary>Starts a node on an existing store (to restart on the same data).</summary>
    public static async Task<TestNode> StartAsync(StoreOptions storeOptions, IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ParkCharge:DataDirectory"] = storeOptions.DataDirectory,
            ["ParkCharge:Postgres"] = storeOptions.PostgresConnectionString,
            ["ParkCharge:ApiKey"] = AdminKey,
            ["ParkCharge:NodeId"] = "test-node",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = await ParkChargeApp.CreateAsync([], all, configure);
        await app.StartAsync();
        return new TestNode(app, storeOptions);
    }

    /// <summary>Registers a charger through the API.</summary>
    public async Task RegisterChargerAsync(string id, string? password = null, string? site = null, int? securityProfile = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/chargers", new { id, password, siteId = site, securityProfile });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Configures a site through its engine, as loading a site file does.</summary>
    public async Task ConfigureSiteAsync(ParkCharge.Core.Sites.SiteConfiguration configuration)
    {
        var now = DateTimeOffset.UtcNow;
        var reply = await App.Services.GetRequiredService<ParkCharge.Server.Sites.SiteEngines>().SubmitAsync(new ParkCharge.Core.Observations.Observation
        {
            Site = configuration.Id,
            Source = "test",
            Key = "test-config:" + Guid.NewGuid(),
            EventTime = now,
            ReceivedAt = now,
            Payload = new ParkCharge.Core.Parking.SiteConfigured(configuration),
        });
        Assert.IsType<ParkCharge.Core.Engine.Acknowledged>(reply);
        App.Services.GetRequiredService<ParkCharge.Server.Sites.CameraDirectory>().Invalidate();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
