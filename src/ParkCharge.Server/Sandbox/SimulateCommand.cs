using System.CommandLine;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Simulator.Scenarios.Files;

namespace ParkCharge.Server.Sandbox;

/// <summary>
/// <c>parkcharge simulate --server URL --scenario FILE</c>: plays a scenario against any ParkCharge
/// server, with progress lines and a summary read back from the server's API.
/// </summary>
/// <remarks>
/// Time: another server judges stamps by its own clock (camera clocks may run at most a little
/// ahead), so an accelerated run plays a past period compressed: it ends at the moment the command
/// ends, and no stamp is ever ahead of the server's clock. At speed 1 the scenario plays in real
/// time from now.
/// </remarks>
internal static class SimulateCommand
{
    /// <summary>Exit codes: 0 all accepted; 1 the scenario cannot be used; 2 the server was unreachable or refused the site; 3 the server refused things during the run.</summary>
    public const int Ok = 0;

    public const int BadScenario = 1;

    public const int ServerProblem = 2;

    public const int RunHadErrors = 3;

    public static Command Create()
    {
        var server = new Option<string>("--server") { Description = "The ParkCharge server's base URL, e.g. http://127.0.0.1:8180.", Required = true };
        var scenarioPath = new Option<string>("--scenario") { Description = "The scenario file (YAML or JSON; see docs/sandbox.md).", Required = true };
        var apiKey = new Option<string?>("--api-key") { Description = "An admin API key, to configure the site and read the summary (default PARKCHARGE_API_KEY)." };
        var speed = new Option<double?>("--speed") { Description = "Simulated seconds per real second (default: the scenario's)." };
        var seed = new Option<int?>("--seed") { Description = "The random seed (default: the scenario's); the same seed plays the same day." };
        var skipSite = new Option<bool>("--skip-site") { Description = "Do not configure the site: it is already on the server, with the camera keys and charger passwords set in the environment." };
        var command = new Command("simulate", "Play a scenario (simulated chargers and cameras) against a ParkCharge server, and summarise what the server made of it.")
        {
            server, scenarioPath, apiKey, speed, seed, skipSite,
        };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(server)!,
            parse.GetValue(scenarioPath)!,
            parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("PARKCHARGE_API_KEY"),
            parse.GetValue(speed),
            parse.GetValue(seed),
            parse.GetValue(skipSite),
            Console.Out,
            ct));
        return command;
    }

    public static async Task<int> RunAsync(string serverUrl, string scenarioPath, string? apiKey, double? speed, int? seed, bool skipSite, TextWriter output, CancellationToken ct)
    {
        var read = ScenarioFile.Load(scenarioPath);
        if (!read.IsValid)
        {
            await output.WriteLineAsync($"The scenario {scenarioPath} cannot be used:");
            foreach (var fileProblem in read.Problems)
            {
                await output.WriteLineAsync($"  {fileProblem}");
            }

            return BadScenario;
        }

        if (!Uri.TryCreate(serverUrl, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            await output.WriteLineAsync($"--server: '{serverUrl}' is not an http(s) URL.");
            return BadScenario;
        }

        if (apiKey is null)
        {
            await output.WriteLineAsync("An API key is needed (--api-key or PARKCHARGE_API_KEY): an admin key configures the site and reads the summary.");
            return ServerProblem;
        }

        var scenario = read.Scenario! with { Seed = seed ?? read.Scenario!.Seed, Speed = speed ?? read.Scenario!.Speed };
        if (scenario.Speed < 1)
        {
            await output.WriteLineAsync("--speed: at least 1.");
            return BadScenario;
        }

        using var api = SandboxSession.ApiClient(server, apiKey);
        if (!skipSite && await SandboxSession.ConfigureSiteAsync(api, scenario.Site, ct) is { } problem)
        {
            await output.WriteLineAsync(problem);
            return ServerProblem;
        }

        // A past period, compressed so that it ends now: stamps never run ahead of the server's clock.
        var now = DateTimeOffset.UtcNow;
        var clock = new AcceleratedClock(now - scenario.Duration + (scenario.Duration / scenario.Speed), scenario.Speed);
        var plan = PlanGenerator.Generate(scenario, clock.Origin);
        var run = new SimulationRun(scenario, plan, server, clock, NullLogger.Instance);
        await output.WriteLineAsync(
            $"Simulating site '{scenario.Site.Id}' at {server}: {plan.Visits.Count} vehicles over {scenario.Duration} of simulated time at speed {scenario.Speed:0.##} " +
            $"(about {scenario.Duration / scenario.Speed:hh\\:mm\\:ss} real), seed {scenario.Seed}. Ctrl+C stops early.");
        var summary = await SandboxSession.PlayAsync(run, api, scenario.Site, clock.GetUtcNow, output, ct);
        return summary is null ? ServerProblem : run.Progress.Errors > 0 ? RunHadErrors : Ok;
    }
}
