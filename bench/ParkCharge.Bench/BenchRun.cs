using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using ParkCharge.Bench.Report;
using ParkCharge.Bench.Scenarios;
using ParkCharge.Bench.Servers;

namespace ParkCharge.Bench;

/// <summary>What the command line asked for.</summary>
public sealed record RunRequest(
    IReadOnlyList<int> Chargers,
    IReadOnlyList<Scenario> Scenarios,
    TimeSpan Warmup,
    TimeSpan MaxWarmup,
    TimeSpan Duration,
    int ChargersPerSite,
    int MeterValuesPerSession,
    TimeSpan CallTimeout,
    int ConnectConcurrency,
    string? ServerDll,
    bool Build,
    string? DataRoot,
    string? ResultsDirectory,
    IReadOnlyDictionary<string, string?> ServerEnvironment,
    TimeSpan WaitForQuiet,
    bool KeepData,
    int RetryDisturbed,
    string Command,
    double? Rate = null,
    bool IdleOnly = false);

/// <summary>
/// The whole run: builds ParkCharge in Release (unless told which server to use), runs every scenario at
/// every size, echo baseline first, prints the table and writes <c>bench/results/&lt;timestamp&gt;.md</c> and <c>.json</c>.
/// </summary>
public static class BenchRun
{
    public static async Task<int> RunAsync(RunRequest request, CancellationToken ct)
    {
        var (chargers, scenarios, warmup, duration, chargersPerSite, meterValues, callTimeout, connectConcurrency) =
            (request.Chargers, request.Scenarios, request.Warmup, request.Duration, request.ChargersPerSite, request.MeterValuesPerSession,
             request.CallTimeout, request.ConnectConcurrency);
        var (serverDll, dataRoot, resultsDirectory) = (request.ServerDll, request.DataRoot, request.ResultsDirectory);
        var startedAt = TimeProvider.System.GetUtcNow();
        var repository = FindRepositoryRoot();
        if (await ServerDllAsync(serverDll, request.Build, ct) is not { } found)
        {
            return 2;
        }

        serverDll = Path.GetFullPath(found);
        if (!File.Exists(serverDll))
        {
            Console.Error.WriteLine($"No server at {serverDll}. Build it (dotnet build -c Release src/ParkCharge.Server) or pass --server.");
            return 2;
        }

        dataRoot = Path.GetFullPath(dataRoot ?? Path.GetTempPath());
        var options = new RunOptions(chargers, scenarios, warmup, request.MaxWarmup, duration, chargersPerSite, meterValues, callTimeout, connectConcurrency,
            serverDll, ServerGcOf(serverDll), dataRoot, request.ServerEnvironment, request.WaitForQuiet, request.KeepData,
            repository ?? Environment.CurrentDirectory, request.Rate, request.IdleOnly);
        var machine = MachineFacts.Collect(dataRoot, repository ?? Environment.CurrentDirectory, options.ServerGc);
        var settings = new BenchSettings(request.Command, chargers, [.. scenarios.Select(s => s.Name)], warmup.TotalSeconds, request.MaxWarmup.TotalSeconds, duration.TotalSeconds,
            chargersPerSite, meterValues, callTimeout.TotalSeconds, connectConcurrency, serverDll, dataRoot,
            request.ServerEnvironment.Select(e => $"{e.Key}={e.Value}").ToList())
        {
            Rate = request.Rate,
            IdleOnly = request.IdleOnly,
        };

        Console.WriteLine($"ParkCharge bench: {machine.Cores} cores, {machine.Os}, {machine.Dotnet}; server {serverDll} ({machine.GitCommit})");
        Console.WriteLine($"Data folder on {machine.DataFileSystem}. Scenarios: {string.Join(", ", settings.Scenarios)}; chargers: {string.Join(", ", chargers)}.");
        if (machine.DataFileSystem.StartsWith("tmpfs", StringComparison.Ordinal))
        {
            Console.WriteLine("Warning: the data folder is on tmpfs, where fsync costs nothing: durable commits will look free. Use --data-root on a disk.");
        }

        var results = new List<ScenarioResult>();
        Exception? failure = null;
        try
        {
            foreach (var n in chargers)
            {
                foreach (var scenario in scenarios)
                {
                    var result = await ScenarioRunner.RunAsync(scenario, n, options, ct);
                    for (int attempt = 2; attempt <= request.RetryDisturbed + 1 && result.Cpu.OtherPercent > ScenarioRunner.BusyWarningPercent; attempt++)
                    {
                        Console.WriteLine($"[{scenario.Name} n={n}] other processes used {result.Cpu.OtherPercent:0}% of a core: running it again ({attempt - 1}/{request.RetryDisturbed})");
                        var again = await ScenarioRunner.RunAsync(scenario, n, options, ct);
                        result = (again.Cpu.OtherPercent < result.Cpu.OtherPercent ? again : result) with { Attempts = attempt };
                    }

                    results.Add(result);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.WriteLine("Stopped; the servers are killed and their data deleted.");
            failure = new OperationCanceledException("stopped by the user");
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"The run failed: {e}");
            failure = e;
        }

        if (results.Count == 0)
        {
            return 1;
        }

        var report = new BenchReport(startedAt, machine, settings, results, ReportWriter.Compare(results));
        Console.WriteLine();
        Console.WriteLine(ReportWriter.Table(report, markdown: false));
        resultsDirectory ??= Path.Combine(repository ?? Environment.CurrentDirectory, "bench", "results");
        Directory.CreateDirectory(resultsDirectory);
        var name = startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + (failure is null ? "" : "-incomplete");
        var markdownPath = Path.Combine(resultsDirectory, name + ".md");
        await File.WriteAllTextAsync(markdownPath, ReportWriter.Markdown(report), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(resultsDirectory, name + ".json"), ReportWriter.Json(report), CancellationToken.None);
        Console.WriteLine($"Report: {markdownPath} (and .json)");
        return failure is null ? 0 : 1;
    }

    /// <summary>Builds the server in Release, with the same strict settings as every build.</summary>
    internal static async Task<bool> BuildServerAsync(string repository, CancellationToken ct)
    {
        Console.WriteLine("Building ParkCharge.Server (Release)...");
        var start = new ProcessStartInfo(DotnetHost.Path,
            ["build", Path.Combine(repository, "src", "ParkCharge.Server", "ParkCharge.Server.csproj"), "-c", "Release", "-nologo", "-v:q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repository,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var errors = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            Console.Error.WriteLine(await output);
            Console.Error.WriteLine(await errors);
            Console.Error.WriteLine("Building the server failed.");
            return false;
        }

        var warnings = (await output).Split('\n').Where(l => l.Contains(": warning ", StringComparison.Ordinal)).Distinct().ToList();
        if (warnings.Count > 0)
        {
            Console.WriteLine($"  (the Release build has {warnings.Count} analyzer warning(s) that a strict build would fail on; e.g. {warnings[0].Trim()})");
        }

        return true;
    }

    /// <summary>Whether the server runs with server GC, from its runtimeconfig.json; the echo server is started the same way.</summary>
    internal static bool ServerGcOf(string serverDll)
    {
        var config = Path.ChangeExtension(serverDll, ".runtimeconfig.json");
        if (!File.Exists(config))
        {
            return false;
        }

        using var document = JsonDocument.Parse(File.ReadAllText(config));
        return document.RootElement.TryGetProperty("runtimeOptions", out var runtime)
            && runtime.TryGetProperty("configProperties", out var properties)
            && properties.TryGetProperty("System.GC.Server", out var gc)
            && gc.ValueKind == JsonValueKind.True;
    }

    /// <summary>
    /// The server to run: <paramref name="serverDll"/> as given, or the Release build of the repository this program is in,
    /// built first unless <paramref name="build"/> is false. Null (and said on stderr) when there is none.
    /// </summary>
    internal static async Task<string?> ServerDllAsync(string? serverDll, bool build, CancellationToken ct)
    {
        if (serverDll is not null)
        {
            return serverDll;
        }

        if (FindRepositoryRoot() is not { } repository)
        {
            Console.Error.WriteLine("Cannot find the ParkCharge repository (ParkCharge.slnx) above this program or the current folder; pass --server PATH/parkcharge.dll.");
            return null;
        }

        return build && !await BuildServerAsync(repository, ct) ? null : Path.Combine(repository, "src", "ParkCharge.Server", "bin", "Release", "net10.0", "parkcharge.dll");
    }

    /// <summary>The 1-minute load average (Linux), to say how busy the machine was besides the bench.</summary>
    internal static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    internal static string? FindRepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ParkCharge.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
