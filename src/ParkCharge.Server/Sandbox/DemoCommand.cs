using System.CommandLine;
using System.Reflection;

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Simulator.Scenarios.Files;
using ParkCharge.Simulator.Sites;

namespace ParkCharge.Server.Sandbox;

/// <summary>
/// <c>parkcharge demo</c>: a node on embedded defaults (SQLite in a fresh data folder), the demo site
/// (docs/examples/demo.site.yaml, embedded), and the simulator playing the demo scenario against it,
/// accelerated. The node and the simulator share one accelerated clock, so the node's timers (binding
/// windows, idle fees, maximum stays) run at the same pace as the simulated day and every stamp is
/// consistent. After the simulated period the node keeps running for a look at the dashboard;
/// Ctrl+C stops it.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"Where to listen (default {ParkChargeApp.DefaultUrl})." };
        var data = new Option<string?>("--data") { Description = "The data folder (default: a new temporary folder, deleted when the demo stops)." };
        var speed = new Option<double?>("--speed") { Description = "Simulated seconds per real second (default: the scenario's, 60)." };
        var seed = new Option<int?>("--seed") { Description = "The random seed (default: the scenario's)." };
        var duration = new Option<string?>("--duration") { Description = "Simulated time to play, e.g. 2h (default: the scenario's, 12h)." };
        var scenarioPath = new Option<string?>("--scenario") { Description = "Another scenario file instead of the demo's (see docs/sandbox.md)." };
        var proxy = new Option<bool>("--proxy")
        {
            Description = "Proxy mode: the chargers' own backend is simulated (a second node standing for the charge-point operator's backend); the demo node sits in front of it, forwards every message both ways and still binds and bills.",
        };
        var command = new Command("demo", "Run a node with a demo car park and simulated chargers and cameras: see ParkCharge work in a minute.")
        {
            urls, data, speed, seed, duration, scenarioPath, proxy,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(urls),
            parse.GetValue(data),
            parse.GetValue(speed),
            parse.GetValue(seed),
            parse.GetValue(duration),
            parse.GetValue(scenarioPath),
            Console.Out,
            ct,
            parse.GetValue(proxy)));
        return command;
    }

    public static async Task<int> RunAsync(string? urls, string? data, double? speed, int? seed, string? durationText, string? scenarioPath, TextWriter output, CancellationToken ct,
        bool proxy = false)
    {
        // System.CommandLine takes Ctrl+C for this action only once the action first yields, and the node's start below
        // can run synchronously to its end (SQLite's async calls complete at once): yield first, so an early Ctrl+C is ours.
        await Task.Yield();
        var read = scenarioPath is null
            ? ScenarioFile.Parse(Embedded("demo.scenario.yaml"), AppContext.BaseDirectory, Environment.GetEnvironmentVariable, Embedded("demo.site.yaml"))
            : ScenarioFile.Load(scenarioPath);
        if (!read.IsValid)
        {
            await output.WriteLineAsync($"The scenario {scenarioPath ?? "(demo)"} cannot be used:");
            foreach (var problem in read.Problems)
            {
                await output.WriteLineAsync($"  {problem}");
            }

            return 1;
        }

        TimeSpan? duration = null;
        if (durationText is not null)
        {
            if (!Durations.TryParse(durationText, out var parsed) || parsed <= TimeSpan.Zero)
            {
                await output.WriteLineAsync($"--duration: '{durationText}' is not a duration ({Durations.Notations}).");
                return 1;
            }

            duration = parsed;
        }

        var scenario = read.Scenario! with
        {
            Seed = seed ?? read.Scenario!.Seed,
            Speed = speed ?? read.Scenario!.Speed,
            Duration = duration ?? read.Scenario!.Duration,
        };
        if (scenario.Speed < 1)
        {
            await output.WriteLineAsync("--speed: at least 1.");
            return 1;
        }

        var temporary = data is null;
        var folder = Path.GetFullPath(data ?? Path.Combine(Path.GetTempPath(), "parkcharge-demo-" + Guid.NewGuid().ToString("N")[..8]));
        var configuredKey = Environment.GetEnvironmentVariable("PARKCHARGE_API_KEY");
        var apiKey = configuredKey is { Length: > 0 } ? configuredKey : Secrets.NewApiKey();

        // One clock for node and simulator: the simulated day starts at the scenario's local start time today.
        var clock = new AcceleratedClock(StartOfRun(scenario), scenario.Speed, start: false);
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = urls ?? ParkChargeApp.DefaultUrl,
            ["ParkCharge:DataDirectory"] = folder,
            ["ParkCharge:ApiKey"] = apiKey,
            ["ParkCharge:Postgres"] = null,
            ["Logging:LogLevel:Default"] = "Warning",

            // The node's OCPP call timeout runs on the shared accelerated clock: scaled up, a command to a
            // charger still waits 30 real seconds for its answer instead of 30 / speed.
            ["ParkCharge:Ocpp:CallTimeout"] = CallTimeout(scenario.Speed).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };

        try
        {
            await using var app = await ParkChargeApp.CreateAsync([], settings, builder => builder.Services.AddSingleton<TimeProvider>(clock));

            // The node's console lifetime takes Ctrl+C and SIGTERM too (and may be the first to): either stops the demo.
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(ct, app.Lifetime.ApplicationStopping);
            ct = stopping.Token;
            WebApplication? backend = null;
            try
            {
                try
                {
                    await app.StartAsync(ct);

                    // --proxy: the chargers' own backend (a CPO's), simulated by a second node that registers every charger
                    // that connects; it runs on the real clock, like a backend elsewhere. Started second, so that the demo
                    // node's address is the first a script reading the output sees.
                    backend = proxy ? await StartBackendAsync(Path.Combine(folder, "cpo-backend"), apiKey, ct) : null;
                    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                    var server = new Uri(address.Replace("://0.0.0.0:", "://127.0.0.1:", StringComparison.Ordinal).Replace("://[::]:", "://127.0.0.1:", StringComparison.Ordinal));
                    using var api = SandboxSession.ApiClient(server, apiKey);
                    if (await SandboxSession.ConfigureSiteAsync(api, scenario.Site, ct) is { } problem)
                    {
                        await output.WriteLineAsync(problem);
                        await app.StopAsync(CancellationToken.None);
                        return 2;
                    }

                    if (backend is not null && await ProxyChargersAsync(api, scenario.Site, Address(backend), ct) is { } proxyProblem)
                    {
                        await output.WriteLineAsync(proxyProblem);
                        await app.StopAsync(CancellationToken.None);
                        return 2;
                    }

                    var plan = PlanGenerator.Generate(scenario, clock.Origin);
                    var run = new SimulationRun(scenario, plan, server, clock, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ParkCharge.Simulator"));
                    await output.WriteLineAsync();
                    await output.WriteLineAsync($"ParkCharge demo: site '{scenario.Site.Id}' with {scenario.Site.Chargers.Count} chargers, {scenario.Site.EvBays.Count} EV bays and {scenario.Site.OrdinaryBays} ordinary bays.");
                    await output.WriteLineAsync($"  Dashboard:      {new Uri(server, "/dashboard/")}");
                    await output.WriteLineAsync($"  Admin API key:  {apiKey}");
                    await output.WriteLineAsync($"  Data folder:    {folder}{(temporary ? " (deleted when the demo stops)" : "")}");
                    await output.WriteLineAsync($"  Simulating {plan.Visits.Count} vehicles over {scenario.Duration} from {TimeZoneInfo.ConvertTime(plan.Start, scenario.Site.Zone):yyyy-MM-dd HH:mm} local time at speed {scenario.Speed:0.##} (about {scenario.Duration / scenario.Speed:hh\\:mm\\:ss} real), seed {scenario.Seed}.");
                    if (backend is not null)
                    {
                        await output.WriteLineAsync($"  Proxy mode:     every charger is proxied to a simulated CPO backend at {new Uri(Address(backend), "/ocpp")} (its own dashboard: {new Uri(Address(backend), "/dashboard/")}, same key);");
                        await output.WriteLineAsync("                  its answers (boot, authorization, 1.6 transaction ids) reach the chargers unchanged; see each charger's upstreams on the Chargers page.");
                    }

                    await output.WriteLineAsync("  Stop with Ctrl+C.");

                    clock.Start();
                    await SandboxSession.PlayAsync(run, api, scenario.Site, clock.GetUtcNow, output, ct);
                    if (!ct.IsCancellationRequested)
                    {
                        await output.WriteLineAsync($"The simulated period is over; the node keeps running at {server} (dashboard {new Uri(server, "/dashboard/")}). Stop with Ctrl+C.");
                        await Task.Delay(Timeout.Infinite, ct);
                    }
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Ctrl+C: while the node starts, the site is set up, the day is simulated or after it, the demo
                    // stops the same way (it used to throw out of the set-up with exit code 1 and a stack trace).
                }

                await output.WriteLineAsync("Stopping the demo.");
                await app.StopAsync(CancellationToken.None);
                if (backend is not null)
                {
                    await backend.StopAsync(CancellationToken.None);
                }
            }
            finally
            {
                if (backend is not null)
                {
                    await backend.DisposeAsync();
                }
            }
        }
        finally
        {
            if (temporary)
            {
                TryDelete(folder);
            }
        }

        await output.WriteLineAsync("The demo stopped.");
        return 0;
    }

    /// <summary>The simulated charge-point operator's backend: a node of its own that takes every charger that connects.</summary>
    private static async Task<WebApplication> StartBackendAsync(string folder, string apiKey, CancellationToken ct)
    {
        var backend = await ParkChargeApp.CreateAsync([], new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ParkCharge:DataDirectory"] = folder,
            ["ParkCharge:ApiKey"] = apiKey,
            ["ParkCharge:Postgres"] = null,
            ["ParkCharge:NodeId"] = "cpo-backend",
            ["ParkCharge:Ocpp:Registration"] = nameof(RegistrationPolicy.AutoRegister),
            ["ParkCharge:Ocpp:AutoRegisterSite"] = "cpo",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await backend.StartAsync(ct);
        return backend;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Gives every charger of the demo site the simulated backend as its primary upstream, through the API as an operator would.</summary>
    /// <remarks>The node's clock runs the scenario's speed times faster: the longest upstream timeout (2 min) keeps the backend's answers in time.</remarks>
    private static async Task<string?> ProxyChargersAsync(HttpClient api, SimulatedSite site, Uri backend, CancellationToken ct)
    {
        foreach (var charger in site.Chargers)
        {
            var upstreams = $$"""[ { "name": "cpo", "url": "ws://{{backend.Authority}}/ocpp", "timeout": "2m" } ]""";
            using var response = await api.PutAsync($"/api/v1/chargers/{Uri.EscapeDataString(charger.Id)}/upstreams", new StringContent(upstreams, System.Text.Encoding.UTF8, "application/json"), ct);
            if (!response.IsSuccessStatusCode)
            {
                return $"Charger {charger.Id} could not be proxied ({(int)response.StatusCode}): {await response.Content.ReadAsStringAsync(ct)}";
            }
        }

        return null;
    }

    /// <summary>
    /// A call timeout of 30 real seconds on a clock running <paramref name="speed"/> times faster (at most
    /// 40 days, the longest a timer waits).
    /// </summary>
    internal static TimeSpan CallTimeout(double speed) => TimeSpan.FromSeconds(Math.Min(40 * 86_400, Math.Ceiling(30 * speed)));

    /// <summary>Today at the scenario's start time in the site's zone (so the dashboard shows a working day); now if it names none.</summary>
    internal static DateTimeOffset StartOfRun(Scenario scenario)
    {
        if (scenario.StartAt is not { } startAt)
        {
            return DateTimeOffset.UtcNow;
        }

        var zone = scenario.Site.Zone;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone).DateTime);
        var local = today.ToDateTime(startAt);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    private static string Embedded(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"ParkCharge.Server.Sandbox.{name}")
            ?? throw new InvalidOperationException($"The demo file {name} is not embedded in this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void TryDelete(string folder)
    {
        try
        {
            // SQLite may hold its files for a moment after the store is disposed.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"The demo's data folder {folder} could not be deleted: {e.Message}");
        }
    }
}
