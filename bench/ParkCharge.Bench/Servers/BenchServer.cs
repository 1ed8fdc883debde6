using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

using ParkCharge.Bench.Report;

namespace ParkCharge.Bench.Servers;

/// <summary>A server under test, running as its own process on 127.0.0.1 with a port it chose itself.</summary>
public sealed partial class BenchServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private BenchServer(string name, ChildProcess process, Uri http, string? dataDirectory, string? apiKey)
    {
        Name = name;
        Process = process;
        Http = http;
        DataDirectory = dataDirectory;
        ApiKey = apiKey;
        OcppEndpoint = new UriBuilder(http) { Scheme = http.Scheme == "https" ? "wss" : "ws", Path = "/ocpp/" }.Uri;
    }

    public string Name { get; }

    public ChildProcess Process { get; }

    public int Pid => Process.Pid;

    /// <summary>The HTTP root, e.g. <c>http://127.0.0.1:41335/</c>.</summary>
    public Uri Http { get; }

    /// <summary>Where chargers connect: <c>ws://127.0.0.1:PORT/ocpp/</c> plus the charge point id.</summary>
    public Uri OcppEndpoint { get; }

    /// <summary>ParkCharge's fresh data folder (deleted on dispose); null for the echo server.</summary>
    public string? DataDirectory { get; }

    private string? ApiKey { get; }

    /// <summary>
    /// Starts <c>parkcharge serve</c> on a free port with a fresh data folder and a fixed admin key. It runs
    /// from its own folder so that the appsettings.json shipped with it applies, as when an operator runs it.
    /// </summary>
    public static Task<BenchServer> StartParkChargeAsync(
        string serverDll, string dataRoot, IReadOnlyDictionary<string, string?> environment, CancellationToken ct) =>
        StartParkChargeAsync(serverDll, dataRoot, environment, [], ct);

    /// <summary>As above, with more command-line <paramref name="arguments"/> for <c>serve</c> (e.g. <c>--postgres … --cluster</c>).</summary>
    public static async Task<BenchServer> StartParkChargeAsync(
        string serverDll, string dataRoot, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var dataDirectory = Directory.CreateDirectory(Path.Combine(Path.GetFullPath(dataRoot), $"parkcharge-bench-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}")).FullName;
        var apiKey = "bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        ChildProcess? process = null;
        try
        {
            process = StartServe(serverDll, dataDirectory, apiKey, environment, arguments);
            var api = await process.WaitForUrlAsync(StartTimeout, ct);
            var server = new BenchServer("parkcharge", process, new Uri(api.GetLeftPart(UriPartial.Authority) + "/"), dataDirectory, apiKey);
            await server.WaitHealthyAsync(ct);
            return server;
        }
        catch
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }

            DeleteQuietly(dataDirectory);
            throw;
        }
    }

    /// <summary>
    /// Starts <c>parkcharge serve</c> on a free port over an existing data folder (which it leaves in place), with a fixed
    /// admin key, and returns once it prints where it listens: a node restarting on its store.
    /// </summary>
    public static async Task<BenchServer> StartParkChargeOnAsync(
        string serverDll, string dataDirectory, string apiKey, IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken ct)
    {
        var process = StartServe(serverDll, dataDirectory, apiKey, environment, []);
        try
        {
            var api = await process.WaitForUrlAsync(timeout, ct);
            return new BenchServer("parkcharge", process, new Uri(api.GetLeftPart(UriPartial.Authority) + "/"), null, apiKey);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary><c>parkcharge serve</c> on a free loopback port over the data folder, from the server's own folder.</summary>
    private static ChildProcess StartServe(string serverDll, string dataDirectory, string apiKey, IReadOnlyDictionary<string, string?> environment, IReadOnlyList<string> arguments) =>
        ChildProcess.Start(
            "parkcharge",
            DotnetHost.Path,
            [serverDll, "serve", "--urls", "http://127.0.0.1:0", "--data", dataDirectory, .. arguments],
            Path.GetDirectoryName(serverDll)!,
            Merge(environment, new Dictionary<string, string?> { ["PARKCHARGE_API_KEY"] = apiKey, ["ASPNETCORE_ENVIRONMENT"] = null }),
            ParkChargeBanner());

    /// <summary>Waits until <c>/healthz</c> answers Healthy.</summary>
    public Task WaitUntilHealthyAsync(CancellationToken ct) => WaitHealthyAsync(ct);

    /// <summary>Starts this executable in <c>echo-server</c> mode, with the GC mode ParkCharge runs with.</summary>
    public static async Task<BenchServer> StartEchoAsync(bool serverGc, IReadOnlyDictionary<string, string?> environment, CancellationToken ct)
    {
        var self = typeof(BenchServer).Assembly.Location;
        var (file, arguments) = Environment.ProcessPath is { } path && !Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.Ordinal)
            ? (path, new List<string>())
            : (DotnetHost.Path, [self]);
        arguments.AddRange(["echo-server", "--urls", "http://127.0.0.1:0", "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var process = ChildProcess.Start(
            "echo-server",
            file,
            arguments,
            AppContext.BaseDirectory,
            Merge(new Dictionary<string, string?> { ["DOTNET_gcServer"] = serverGc ? "1" : "0" }, environment),
            EchoBanner());
        try
        {
            var http = await process.WaitForUrlAsync(StartTimeout, ct);
            var server = new BenchServer("echo", process, http, null, null);
            await server.WaitHealthyAsync(ct);
            return server;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts the <c>ocpp-rpc</c> peer (<c>bench/peer/ocpp-rpc-peer.js</c>) with the machine's Node.js, after installing
    /// its npm package (<c>npm ci</c> from the committed lock file) when it is not there yet.
    /// </summary>
    public static async Task<BenchServer> StartPeerAsync(string repository, IReadOnlyDictionary<string, string?> environment, CancellationToken ct)
    {
        var folder = Path.Combine(repository, "bench", "peer");
        if (!File.Exists(Path.Combine(folder, "node_modules", "ocpp-rpc", "package.json")))
        {
            Console.WriteLine("Installing the peer's npm package (ocpp-rpc) in bench/peer...");
            var install = new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var npm = System.Diagnostics.Process.Start(install)!;
            var output = npm.StandardOutput.ReadToEndAsync(ct);
            var errors = npm.StandardError.ReadToEndAsync(ct);
            await npm.WaitForExitAsync(ct);
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm ci in {folder} failed ({npm.ExitCode}): {await output}{await errors}");
            }
        }

        var process = ChildProcess.Start(
            "peer",
            "node",
            ["ocpp-rpc-peer.js", "--port", "0", "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            folder,
            environment.Where(e => !e.Key.StartsWith("DOTNET_", StringComparison.Ordinal)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal),
            PeerBanner());
        try
        {
            var http = await process.WaitForUrlAsync(StartTimeout, ct);
            var server = new BenchServer("peer", process, http, null, null);
            await server.WaitHealthyAsync(ct);
            return server;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Registration requests the API refused with 429 (its rate limit) and the bench sent again after Retry-After.</summary>
    public int RateLimited => Volatile.Read(ref _rateLimited);

    private int _rateLimited;

    /// <summary>
    /// Registers chargers through the API's bulk registration (<c>POST /api/v1/chargers/bulk</c>), 1,000 per request, as
    /// an operator provisioning a fleet would; a request the rate limit refuses (429) is sent again after its Retry-After.
    /// </summary>
    public async Task RegisterAsync(IReadOnlyList<(string Charger, string Site)> chargers, int concurrency, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(300) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        var chunks = chargers.Chunk(1_000).ToList();
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (chunk, token) =>
        {
            var body = new RegisterChargers([.. chunk.Select(c => new RegisterCharger(c.Charger, c.Site))]);
            var response = await client.PostAsJsonAsync("api/v1/chargers/bulk", body, BenchJsonContext.Default.RegisterChargers, token);
            while (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                Interlocked.Increment(ref _rateLimited);
                var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
                response.Dispose();
                await Task.Delay(wait, token);
                response = await client.PostAsJsonAsync("api/v1/chargers/bulk", body, BenchJsonContext.Default.RegisterChargers, token);
            }

            using var _ = response;
            var text = await response.Content.ReadAsStringAsync(token);
            if (!response.IsSuccessStatusCode || !text.Contains("\"refused\":0", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Registering {chunk.Length} chargers from {chunk[0].Charger} failed: {(int)response.StatusCode} {text[..Math.Min(text.Length, 2000)]}");
            }
        });
    }

    /// <summary>Configures a site with a site document (<c>PUT /api/v1/sites/{id}</c>, the admin key).</summary>
    public async Task PutSiteAsync(string id, string document, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        using var response = await client.PutAsync($"api/v1/sites/{id}", new StringContent(document, System.Text.Encoding.UTF8, "application/json"), ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Configuring site {id} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }
    }

    /// <summary>The size of the SQLite database with its WAL, in bytes (0 for the echo server).</summary>
    public long StoreBytes()
    {
        if (DataDirectory is null || !Directory.Exists(DataDirectory))
        {
            return 0;
        }

        return new DirectoryInfo(DataDirectory).EnumerateFiles("parkcharge.db*").Sum(f => f.Length);
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        if (DataDirectory is not null && !KeepData)
        {
            DeleteQuietly(DataDirectory);
        }
    }

    /// <summary>Leave the data folder for a look afterwards (sqlite3 parkcharge.db) instead of deleting it.</summary>
    public bool KeepData { get; set; }

    private async Task WaitHealthyAsync(CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = Http, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                if (await client.GetStringAsync("healthz", ct) == "Healthy")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (Process.HasExited || Stopwatch.GetElapsedTime(started) > StartTimeout)
            {
                throw new InvalidOperationException($"{Name} did not become healthy. Its last output:{Environment.NewLine}{Process.Tail()}");
            }

            await Task.Delay(200, ct);
        }
    }

    /// <summary>The first set of variables, overridden by the second.</summary>
    private static Dictionary<string, string?> Merge(IReadOnlyDictionary<string, string?> first, IReadOnlyDictionary<string, string?> second)
    {
        var merged = new Dictionary<string, string?>(first, StringComparer.Ordinal);
        foreach (var (key, value) in second)
        {
            merged[key] = value;
        }

        return merged;
    }

    private static void DeleteQuietly(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete {directory}: {e.Message}");
        }
    }

    /// <summary><c>  API:                http://127.0.0.1:PORT/api/v1   (OpenAPI: ...)</c></summary>
    [GeneratedRegex(@"^\s*API:\s+(?<url>https?://\S+)")]
    private static partial Regex ParkChargeBanner();

    [GeneratedRegex(@"^Echo server listening on (?<url>https?://\S+)")]
    private static partial Regex EchoBanner();

    [GeneratedRegex(@"^Peer listening on (?<url>https?://\S+)")]
    private static partial Regex PeerBanner();
}

/// <summary>One charger of <c>POST /api/v1/chargers/bulk</c>: no password, so security profile 0.</summary>
public sealed record RegisterCharger(string Id, string SiteId);

/// <summary>The body of <c>POST /api/v1/chargers/bulk</c>.</summary>
public sealed record RegisterChargers(IReadOnlyList<RegisterCharger> Chargers);

/// <summary>Finds the <c>dotnet</c> host that runs this process, to start the servers with the same runtime.</summary>
public static class DotnetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        if (Environment.ProcessPath is { } path && System.IO.Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            return path;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet
        var runtime = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(runtime, "..", "..", "..", "dotnet"));
        return File.Exists(candidate) ? candidate : "dotnet";
    }
}
