using System.CommandLine;
using System.Globalization;

using ParkCharge.Bench;
using ParkCharge.Bench.Accuracy;
using ParkCharge.Bench.Scenarios;
using ParkCharge.Bench.Servers;

var chargers = new Option<string>("--chargers") { Description = "Charger counts to run, comma-separated.", DefaultValueFactory = _ => "100,1000" };
var duration = new Option<string>("--duration") { Description = "The measured window per scenario (e.g. 20s, 1m).", DefaultValueFactory = _ => "20s" };
var warmup = new Option<string>("--warmup") { Description = "Load before the window that is not measured.", DefaultValueFactory = _ => "5s" };
var maxWarmup = new Option<string>("--max-warmup")
{
    Description = "The warm-up goes on past --warmup while the server's JIT is still busy (over 10% of a core), up to this.",
    DefaultValueFactory = _ => "60s",
};
var perSite = new Option<int>("--chargers-per-site") { Description = "Chargers per site in the 'parkcharge' scenario.", DefaultValueFactory = _ => 10 };
var scenarios = new Option<string>("--scenarios")
{
    Description = $"Scenarios to run, comma-separated: {string.Join(", ", Scenario.All.Select(s => s.Name))}.",
    DefaultValueFactory = _ => string.Join(",", Scenario.All.Select(s => s.Name)),
};
var meterValues = new Option<int>("--meter-values") { Description = "MeterValues CALLs per charging session (k).", DefaultValueFactory = _ => 3 };
var callTimeout = new Option<string>("--call-timeout") { Description = "A CALL unanswered this long counts as timed out and ends its charger.", DefaultValueFactory = _ => "30s" };
var connectConcurrency = new Option<int>("--connect-concurrency") { Description = "Chargers connecting and booting at once.", DefaultValueFactory = _ => 32 };
var server = new Option<string?>("--server") { Description = "A parkcharge.dll to run instead of building src/ParkCharge.Server in Release." };
var noBuild = new Option<bool>("--no-build") { Description = "Use the Release build of src/ParkCharge.Server as it is." };
var dataRoot = new Option<string?>("--data-root") { Description = "Where the servers' fresh data folders are made (default: the temp folder). Keep it on a real disk." };
var results = new Option<string?>("--results") { Description = "Where the reports go (default: bench/results)." };
var waitForQuiet = new Option<string>("--wait-for-quiet")
{
    Description = "Before each scenario, wait up to this long for the machine to be idle (other processes below 10% CPU). 0 = do not wait.",
    DefaultValueFactory = _ => "0s",
};
var keepData = new Option<bool>("--keep-data") { Description = "Keep ParkCharge's data folders (printed) instead of deleting them, to look into the database." };
var retryDisturbed = new Option<int>("--retry-disturbed")
{
    Description = "Run a scenario again, up to this many times, when other processes used over 10% of a core in its window; the least disturbed run is kept.",
    DefaultValueFactory = _ => 0,
};
var serverEnv = new Option<string[]>("--server-env")
{
    Description = "NAME=VALUE set for both servers (ParkCharge and echo), e.g. DOTNET_gcServer=0 or DOTNET_PerfMapEnabled=1 for perf. Repeatable.",
    AllowMultipleArgumentsPerToken = false,
};

var rate = new Option<double?>("--rate") { Description = "Open loop: this many CALLs per second over the whole fleet (each charger on its own schedule), instead of the closed loop." };
var idleOnly = new Option<bool>("--idle-only") { Description = "Connect and boot every charger, hold the connections idle for --duration, measure memory and time; no load." };

var root = new RootCommand("ParkCharge OCPP load benchmark: N chargers against ParkCharge and against a raw WebSocket echo baseline.")
{
    chargers, duration, warmup, maxWarmup, perSite, scenarios, meterValues, callTimeout, connectConcurrency, server, noBuild, dataRoot, results, serverEnv, waitForQuiet, keepData, retryDisturbed, rate, idleOnly,
};
root.SetAction(async (parse, ct) =>
{
    var counts = parse.GetValue(chargers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(c => int.Parse(c, NumberStyles.AllowThousands, CultureInfo.InvariantCulture)).ToList();
    var chosen = parse.GetValue(scenarios)!.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Scenario.Parse).ToList();
    // The echo baseline runs first at each size, so every ParkCharge figure has its ratio.
    chosen = [.. chosen.OrderBy(s => s.Echo ? 0 : 1)];
    if (parse.GetValue(rate) is <= 0)
    {
        Console.Error.WriteLine("--rate needs a positive number of CALLs per second.");
        return 2;
    }

    if (counts.Count == 0 || counts.Any(c => c < 1) || parse.GetValue(perSite) < 1 || parse.GetValue(meterValues) < 0)
    {
        Console.Error.WriteLine("--chargers needs positive counts, --chargers-per-site at least 1, --meter-values at least 0.");
        return 2;
    }

    var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
    foreach (var pair in parse.GetValue(serverEnv) ?? [])
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        if (equals < 1)
        {
            Console.Error.WriteLine($"--server-env wants NAME=VALUE, not '{pair}'.");
            return 2;
        }

        environment[pair[..equals]] = pair[(equals + 1)..];
    }

    return await BenchRun.RunAsync(
        new RunRequest(
            counts,
            chosen,
            Durations.Parse(parse.GetValue(warmup)!),
            Durations.Parse(parse.GetValue(maxWarmup)!),
            Durations.Parse(parse.GetValue(duration)!),
            parse.GetValue(perSite),
            parse.GetValue(meterValues),
            Durations.Parse(parse.GetValue(callTimeout)!),
            parse.GetValue(connectConcurrency),
            parse.GetValue(server),
            Build: !parse.GetValue(noBuild),
            parse.GetValue(dataRoot),
            parse.GetValue(results),
            environment,
            Durations.Parse(parse.GetValue(waitForQuiet)!),
            parse.GetValue(keepData),
            parse.GetValue(retryDisturbed),
            "dotnet run -c Release --project bench/ParkCharge.Bench" + (args.Length == 0 ? "" : " -- " + string.Join(' ', args)),
            parse.GetValue(rate),
            parse.GetValue(idleOnly)),
        ct);
});

var urls = new Option<string>("--urls") { Description = "Where to listen.", DefaultValueFactory = _ => "http://127.0.0.1:0" };
var parentPid = new Option<int?>("--parent-pid") { Description = "Stop when this process is gone (the bench that started us)." };
var echo = new Command("echo-server", "The baseline: a Kestrel WebSocket server that sends every message back (started by the bench itself).") { urls, parentPid };
echo.SetAction((parse, ct) => EchoServer.RunAsync(parse.GetValue(urls)!, parse.GetValue(parentPid), ct));
root.Subcommands.Add(echo);

var seed = new Option<int>("--seed") { Description = "Seed of the simulated day(s).", DefaultValueFactory = _ => 1 };
var days = new Option<int>("--days") { Description = "Days to simulate, one after the other at the same site.", DefaultValueFactory = _ => 7 };
var bays = new Option<int>("--bays") { Description = "EV bays (with their chargers and cameras); the site has ten ordinary bays per EV bay.", DefaultValueFactory = _ => 30 };
var misses = new Option<bool>("--misses") { Description = "Also list every resolvable transaction the engine did not bind right without an operator." };
var explain = new Option<string[]>("--explain") { Description = "Also show what the engine saw around the transactions of these vehicles or transaction refs (repeatable).", AllowMultipleArgumentsPerToken = true };
var node = new Option<bool>("--node") { Description = "Also play the day through a real node (Kestrel, OCPP-J WebSockets, camera pushes over HTTP) on an accelerated clock it shares; its own timers end the binding windows." };
var speed = new Option<double>("--speed") { Description = "With --node: simulated seconds per real second.", DefaultValueFactory = _ => 60 };
var arrivals = new Option<string>("--arrivals") { Description = "Hours (UTC) vehicles arrive in, e.g. 7-10 for a short day through a node.", DefaultValueFactory = _ => "5.5-22.5" };
var accuracy = new Command("binding-accuracy", "Binding accuracy: a simulated busy day through the site engine and through a naive baseline, scored against the ground truth.")
{
    seed, days, bays, misses, explain, node, speed, arrivals,
};
accuracy.SetAction((parse, ct) => BindingAccuracyBench.RunAsync(
    new BindingAccuracyRequest(parse.GetValue(seed), parse.GetValue(days), parse.GetValue(bays), parse.GetValue(misses), parse.GetValue(explain) ?? [],
        parse.GetValue(node), parse.GetValue(speed), parse.GetValue(arrivals)!),
    args));
root.Subcommands.Add(accuracy);

var yearWeeks = new Option<int>("--weeks") { Description = "Weeks of the busy site to generate (52: a year).", DefaultValueFactory = _ => 8 };
var yearBays = new Option<int>("--bays") { Description = "EV bays (the site has ten ordinary bays per EV bay besides).", DefaultValueFactory = _ => 20 };
var yearSeed = new Option<int>("--seed") { Description = "The first week's seed (each week takes the next).", DefaultValueFactory = _ => 1 };
var yearEvery = new Option<int>("--snapshot-every") { Description = "A snapshot after this many observations or six hours of the log, as a node takes them.", DefaultValueFactory = _ => 10_000 };
var yearKeep = new Option<int>("--keep-log-days") { Description = "Compaction keeps this many days of log.", DefaultValueFactory = _ => 90 };
var yearData = new Option<string?>("--data-root") { Description = "Where the store is made (default: the temp folder). Keep it on a real disk." };
var yearFolder = new Option<string?>("--year")
{
    Description = "A folder to keep the generated store in: a later run with the same --weeks, --bays, --seed and --snapshot-every uses it again (measuring on a copy).",
};
var yearGenerateOnly = new Option<bool>("--generate-only") { Description = "Only generate the store into --year (when it is not there yet); measure nothing." };
var yearNode = new Option<bool>("--node") { Description = "Also start a node (parkcharge serve, Release) on the store: time to listening, to an API answer and to a BootNotification." };
var yearNoBuild = new Option<bool>("--no-build") { Description = "With --node: use the Release build of src/ParkCharge.Server as it is." };
var yearNoWholeLog = new Option<bool>("--no-whole-log") { Description = "Do not replay the whole log (a year of it takes long): start-up from the snapshot only." };
var yearCompareEvidence = new Option<bool>("--compare-evidence") { Description = "Before compaction, also find the evidence stay by stay (pseudonymisation's way, slow at scale) and compare time and result with the one pass." };
var yearNoOverlap = new Option<bool>("--no-overlap") { Description = "Generate as before, to compare: each week's log, the year's engine and each snapshot's serialisation one after the other on one thread." };
var yearStateOnly = new Option<bool>("--state-only") { Description = "Only the engine's state, week by week, without a store: its snapshot's size and what it holds (does it grow with the site's history?)." };
var siteYear = new Command("site-year", "Disk per site-year and start-up time without and with snapshots, and after compaction (issue 20 item 4).")
{
    yearWeeks, yearBays, yearSeed, yearEvery, yearKeep, yearData, yearFolder, yearGenerateOnly, yearNode, yearNoBuild, yearNoWholeLog, yearStateOnly, yearCompareEvidence, yearNoOverlap,
};
siteYear.SetAction(async (parse, ct) =>
{
    if (parse.GetValue(yearStateOnly))
    {
        return ParkCharge.Bench.Storage.SiteYearBench.StateGrowth(parse.GetValue(yearSeed), parse.GetValue(yearWeeks), parse.GetValue(yearBays), ct);
    }

    string? serverDll = null;
    if (parse.GetValue(yearNode))
    {
        if (BenchRun.FindRepositoryRoot() is not { } repository)
        {
            Console.Error.WriteLine("--node needs the ParkCharge repository (ParkCharge.slnx) to find src/ParkCharge.Server.");
            return 2;
        }

        serverDll = Path.Combine(repository, "src", "ParkCharge.Server", "bin", "Release", "net10.0", "parkcharge.dll");
        if (!parse.GetValue(yearNoBuild) && !await BenchRun.BuildServerAsync(repository, ct))
        {
            return 2;
        }
    }

    return await ParkCharge.Bench.Storage.SiteYearBench.RunAsync(
        new ParkCharge.Bench.Storage.SiteYearRequest(parse.GetValue(yearSeed), parse.GetValue(yearWeeks), parse.GetValue(yearBays), parse.GetValue(yearEvery),
            TimeSpan.FromDays(parse.GetValue(yearKeep)), parse.GetValue(yearData), parse.GetValue(yearFolder), parse.GetValue(yearGenerateOnly), serverDll,
            WholeLog: !parse.GetValue(yearNoWholeLog), CompareEvidence: parse.GetValue(yearCompareEvidence), Overlap: !parse.GetValue(yearNoOverlap)),
        ct);
});
root.Subcommands.Add(siteYear);

var proxyPairs = new Option<int>("--pairs") { Description = "Charger pairs (one direct, one proxied each).", DefaultValueFactory = _ => 10 };
var proxyRounds = new Option<int>("--rounds") { Description = "Messages each charger sends.", DefaultValueFactory = _ => 300 };
var proxyLatency = new Command("proxy-latency", "Proxy mode: the latency a ParkCharge proxy adds (p50/p99) against the same chargers connected directly to the same backend, in one run.")
{
    proxyPairs, proxyRounds,
};
proxyLatency.SetAction((parse, ct) => ParkCharge.Bench.Proxy.ProxyLatencyBench.RunAsync(parse.GetValue(proxyPairs), parse.GetValue(proxyRounds), Console.Out, ct));
root.Subcommands.Add(proxyLatency);

var window = new Option<string>("--window") { Description = "Measured time per format per round (e.g. 2s).", DefaultValueFactory = _ => "2s" };
var ingestWarmup = new Option<string>("--warmup") { Description = "Load of each format, before any is measured, that is not measured.", DefaultValueFactory = _ => "3s" };
var rounds = new Option<int>("--rounds")
{
    Description = "Rounds over every format, each starting one format further on (default: as many as there are formats, so each format takes each place once).",
    DefaultValueFactory = _ => 0,
};
var concurrency = new Option<int>("--concurrency") { Description = "Clients pushing at once.", DefaultValueFactory = _ => 8 };
var formats = new Option<string>("--formats") { Description = "Formats to run, comma-separated (generic is the baseline and must be among them); default all.", DefaultValueFactory = _ => "" };
var ingestServer = new Option<string?>("--server") { Description = "A parkcharge.dll to run instead of building src/ParkCharge.Server in Release." };
var ingestNoBuild = new Option<bool>("--no-build") { Description = "Use the Release build of src/ParkCharge.Server as it is." };
var ingestDataRoot = new Option<string?>("--data-root") { Description = "Where the server's fresh data folder is made (default: the temp folder). Keep it on a real disk." };
var ingestResults = new Option<string?>("--results") { Description = "Where the report goes (default: bench/results)." };
var ingest = new Command("anpr-ingest", "Camera pushes of every format through HTTP into a ParkCharge process: reads/s per format and the ratio to ParkCharge's own JSON in the same run.")
{
    window, ingestWarmup, rounds, concurrency, formats, ingestServer, ingestNoBuild, ingestDataRoot, ingestResults,
};
ingest.SetAction((parse, ct) =>
{
    if (parse.GetValue(rounds) < 0 || parse.GetValue(concurrency) < 1)
    {
        Console.Error.WriteLine("--rounds cannot be negative; --concurrency needs at least 1.");
        return Task.FromResult(2);
    }

    return ParkCharge.Bench.Ingest.AnprIngestBench.RunAsync(
        new ParkCharge.Bench.Ingest.AnprIngestBench.Options(
            Durations.Parse(parse.GetValue(window)!),
            Durations.Parse(parse.GetValue(ingestWarmup)!),
            parse.GetValue(rounds),
            parse.GetValue(concurrency),
            parse.GetValue(ingestServer),
            Build: !parse.GetValue(ingestNoBuild),
            parse.GetValue(ingestDataRoot),
            parse.GetValue(ingestResults),
            [.. parse.GetValue(formats)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            "dotnet run -c Release --project bench/ParkCharge.Bench -- " + string.Join(' ', args)),
        ct);
});
root.Subcommands.Add(ingest);

var trafficSites = new Option<int>("--sites") { Description = "Car parks, each with an entry and an exit camera.", DefaultValueFactory = _ => 20 };
var trafficInside = new Option<int>("--inside") { Description = "Vehicles inside each car park once it has filled: from then on every other read is an exit.", DefaultValueFactory = _ => 300 };
var trafficConcurrency = new Option<int>("--concurrency") { Description = "Clients pushing at once, each to the sites in turn.", DefaultValueFactory = _ => 64 };
var trafficWindow = new Option<string>("--duration") { Description = "Measured window.", DefaultValueFactory = _ => "20s" };
var trafficWarmup = new Option<string>("--warmup") { Description = "Load before the window, not measured (the sites fill up meanwhile).", DefaultValueFactory = _ => "10s" };
var trafficServer = new Option<string?>("--server") { Description = "A parkcharge.dll to run instead of building src/ParkCharge.Server in Release." };
var trafficNoBuild = new Option<bool>("--no-build") { Description = "Use the Release build of src/ParkCharge.Server as it is." };
var trafficDataRoot = new Option<string?>("--data-root") { Description = "Where the server's fresh data folder is made (default: the temp folder). Keep it on a real disk." };
var trafficResults = new Option<string?>("--results") { Description = "Where the report goes (default: bench/results)." };
var traffic = new Command("anpr-traffic", "Camera reads of many car parks (entries and exits, a steady number of vehicles inside) through HTTP into a ParkCharge process: durable reads per second (issue 17: at least 5,000).")
{
    trafficSites, trafficInside, trafficConcurrency, trafficWindow, trafficWarmup, trafficServer, trafficNoBuild, trafficDataRoot, trafficResults,
};
traffic.SetAction((parse, ct) =>
{
    if (parse.GetValue(trafficSites) < 1 || parse.GetValue(trafficInside) < 1 || parse.GetValue(trafficConcurrency) < 1)
    {
        Console.Error.WriteLine("--sites, --inside and --concurrency need at least 1.");
        return Task.FromResult(2);
    }

    return ParkCharge.Bench.Ingest.AnprTrafficBench.RunAsync(
        new ParkCharge.Bench.Ingest.AnprTrafficBench.Options(
            parse.GetValue(trafficSites),
            parse.GetValue(trafficInside),
            parse.GetValue(trafficConcurrency),
            Durations.Parse(parse.GetValue(trafficWindow)!),
            Durations.Parse(parse.GetValue(trafficWarmup)!),
            parse.GetValue(trafficServer),
            Build: !parse.GetValue(trafficNoBuild),
            parse.GetValue(trafficDataRoot),
            parse.GetValue(trafficResults),
            "dotnet run -c Release --project bench/ParkCharge.Bench -- " + string.Join(' ', args)),
        ct);
});
root.Subcommands.Add(traffic);

var clusterPostgres = new Option<string?>("--postgres") { Description = "A PostgreSQL connection string with the right to create databases (default: $PARKCHARGE_TEST_POSTGRES); each configuration gets a fresh database." };
var clusterChargers = new Option<int>("--chargers") { Description = "Chargers of the load runs.", DefaultValueFactory = _ => 1000 };
var clusterPerSite = new Option<int>("--chargers-per-site") { Description = "Chargers per site in the load runs.", DefaultValueFactory = _ => 10 };
var clusterDuration = new Option<string>("--duration") { Description = "Measured window of each load run.", DefaultValueFactory = _ => "20s" };
var clusterWarmup = new Option<string>("--warmup") { Description = "Load before the window, not measured.", DefaultValueFactory = _ => "10s" };
var clusterKills = new Option<int>("--kills") { Description = "Failover runs (a fresh three-node cluster each, killing node a, b, c in turn); 0: none.", DefaultValueFactory = _ => 5 };
var clusterKillSites = new Option<int>("--kill-sites") { Description = "Sites of the failover runs (a gate camera each).", DefaultValueFactory = _ => 12 };
var clusterKillChargers = new Option<int>("--kill-chargers-per-site") { Description = "Chargers per site of the failover runs.", DefaultValueFactory = _ => 5 };
var clusterNoLoad = new Option<bool>("--no-load") { Description = "Only the failover runs." };
var clusterServer = new Option<string?>("--server") { Description = "A parkcharge.dll to run instead of building src/ParkCharge.Server in Release." };
var clusterNoBuild = new Option<bool>("--no-build") { Description = "Use the Release build of src/ParkCharge.Server as it is." };
var clusterDataRoot = new Option<string?>("--data-root") { Description = "Where the nodes' data folders are made (default: the temp folder)." };
var clusterCommand = new Command("cluster", "Issue 18: msg/s and p99 of 1,000 chargers on one node, one node with --cluster and three nodes (ratios in the same run); time from kill -9 of a node to every site answering and every charger back.")
{
    clusterPostgres, clusterChargers, clusterPerSite, clusterDuration, clusterWarmup, clusterKills, clusterKillSites, clusterKillChargers, clusterNoLoad, clusterServer, clusterNoBuild, clusterDataRoot,
};
clusterCommand.SetAction(async (parse, ct) =>
{
    if ((parse.GetValue(clusterPostgres) ?? Environment.GetEnvironmentVariable("PARKCHARGE_TEST_POSTGRES")) is not { Length: > 0 } postgresAdmin)
    {
        Console.Error.WriteLine("cluster needs --postgres (or PARKCHARGE_TEST_POSTGRES): a PostgreSQL server it may create databases on.");
        return 2;
    }

    if (await BenchRun.ServerDllAsync(parse.GetValue(clusterServer), build: !parse.GetValue(clusterNoBuild), ct) is not { } dll)
    {
        return 2;
    }

    return await ParkCharge.Bench.Cluster.ClusterBench.RunAsync(
        new ParkCharge.Bench.Cluster.ClusterBenchOptions(
            dll,
            postgresAdmin,
            parse.GetValue(clusterDataRoot) ?? Path.GetTempPath(),
            parse.GetValue(clusterChargers),
            parse.GetValue(clusterPerSite),
            Durations.Parse(parse.GetValue(clusterWarmup)!),
            Durations.Parse(parse.GetValue(clusterDuration)!),
            MeterValues: 3,
            CallTimeout: TimeSpan.FromSeconds(30),
            ConnectConcurrency: 32,
            parse.GetValue(clusterKills),
            parse.GetValue(clusterKillSites),
            parse.GetValue(clusterKillChargers),
            Load: !parse.GetValue(clusterNoLoad)),
        ct);
});
root.Subcommands.Add(clusterCommand);

// Ctrl+C and SIGTERM cancel the run; its cleanup kills the servers and deletes their data (ChildProcess also
// kills them at process exit, whatever happens).
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });

/// <summary>"20s", "1m", "500ms", or plain seconds.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text)
    {
        text = text.Trim();
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            return TimeSpan.FromMilliseconds(double.Parse(text[..^2], CultureInfo.InvariantCulture));
        }

        if (text.EndsWith('s') || text.EndsWith('S'))
        {
            return TimeSpan.FromSeconds(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        }

        if (text.EndsWith('m') || text.EndsWith('M'))
        {
            return TimeSpan.FromMinutes(double.Parse(text[..^1], CultureInfo.InvariantCulture));
        }

        return TimeSpan.FromSeconds(double.Parse(text, CultureInfo.InvariantCulture));
    }
}
