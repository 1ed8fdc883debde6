using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;

using Microsoft.Extensions.Logging.Abstractions;

using Npgsql;

using ParkCharge.Bench.Load;
using ParkCharge.Bench.Servers;
using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;

namespace ParkCharge.Bench.Cluster;

/// <summary>What <c>cluster</c> runs (bench/README.md).</summary>
public sealed record ClusterBenchOptions(
    string ServerDll,
    string Postgres,
    string DataRoot,
    int Chargers,
    int ChargersPerSite,
    TimeSpan Warmup,
    TimeSpan Duration,
    int MeterValues,
    TimeSpan CallTimeout,
    int ConnectConcurrency,
    int Kills,
    int KillSites,
    int KillChargersPerSite,
    bool Load);

/// <summary>
/// Issue 18's benchmarks. Load: the closed-loop charger fleet of the main bench (1,000 chargers, ten a site) against one
/// node (<c>serve --postgres</c>), one node with <c>--cluster</c> (what Orleans costs on one node) and three nodes with
/// <c>--cluster</c> (the chargers spread round-robin straight over the nodes, as a balancer would), each on a fresh
/// database of the same PostgreSQL, one after the other in the same run: messages/s and p99 with their ratios to one
/// node. Failover: three nodes, sites with a gate camera and chargers spread over the nodes; a node is killed with
/// SIGKILL and the time is taken until every site answers again (each site's camera push acknowledged on a surviving
/// node) and until every charger of the dead node has reconnected (to the next node) and booted; repeated, a fresh
/// cluster each time, killing node a, b, c in turn.
/// </summary>
internal static class ClusterBench
{
    private const string PlateLetters = "ACEFHJKLMNPRTVWXY3479";

    public static async Task<int> RunAsync(ClusterBenchOptions options, CancellationToken ct)
    {
        Say($"cluster bench: {Environment.ProcessorCount} cores; load {BenchRun.LoadAverage()}");
        if (options.Load)
        {
            var single = await LoadAsync("one node (serve --postgres)", 1, cluster: false, options, ct);
            var singleCluster = await LoadAsync("one node (serve --postgres --cluster)", 1, cluster: true, options, ct);
            var three = await LoadAsync("three nodes (--cluster), chargers round-robin", 3, cluster: true, options, ct);
            Console.WriteLine();
            Console.WriteLine($"{options.Chargers} chargers, {options.ChargersPerSite} a site, closed loop, {options.Duration.TotalSeconds:0} s window; load {BenchRun.LoadAverage()}");
            Console.WriteLine("| configuration | msg/s | p50 ms | p99 ms | errors | msg/s vs one node | p99 vs one node |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var r in new[] { single, singleCluster, three })
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {r.Name} | {r.PerSecond:0} | {r.P50Ms:0.0} | {r.P99Ms:0.0} | {r.Errors} | {r.PerSecond / single.PerSecond:0.00} | {r.P99Ms / single.P99Ms:0.00} |"));
            }

            Console.WriteLine();
        }

        if (options.Kills > 0)
        {
            var times = new List<(TimeSpan Sites, TimeSpan Chargers, int Moved)>();
            for (var i = 0; i < options.Kills; i++)
            {
                times.Add(await KillAsync(i, options, ct));
            }

            Console.WriteLine();
            Console.WriteLine($"kill -9 of one of three nodes, {options.KillSites} sites x {options.KillChargersPerSite} chargers + a camera each, {options.Kills} runs; load {BenchRun.LoadAverage()}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"every site answering again: median {Median(times.Select(t => t.Sites)):0.0} s, max {times.Max(t => t.Sites).TotalSeconds:0.0} s ({string.Join(", ", times.Select(t => t.Sites.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)))})"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"every charger of the dead node reconnected and booted: median {Median(times.Select(t => t.Chargers)):0.0} s, max {times.Max(t => t.Chargers).TotalSeconds:0.0} s ({string.Join(", ", times.Select(t => $"{t.Chargers.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s for {t.Moved}"))})"));
        }

        return 0;
    }

    private static double Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalSeconds).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private sealed record LoadResult(string Name, double PerSecond, double P50Ms, double P99Ms, long Errors);

    private static async Task<LoadResult> LoadAsync(string name, int count, bool cluster, ClusterBenchOptions options, CancellationToken ct)
    {
        await using var database = await Database.CreateAsync(options.Postgres, ct);
        await using var nodes = await Nodes.StartAsync(count, cluster, database.ConnectionString, options, ct);
        Say($"[{name}] {count} node(s) up: {string.Join(", ", nodes.Servers.Select(s => s.Http))}");
        var ids = Enumerable.Range(0, options.Chargers).Select(i => ($"CP-{i + 1:D5}", $"site-{(i / options.ChargersPerSite) + 1:D3}")).ToList();
        await nodes.Servers[0].RegisterAsync(ids, concurrency: 4, ct);
        var meter = new LoadMeter();
        var fleets = new List<ChargerFleet>();
        try
        {
            for (var n = 0; n < count; n++)
            {
                var mine = ids.Where((_, i) => i % count == n).Select(c => c.Item1).ToList();
                fleets.Add(await ChargerFleet.ConnectAsync(nodes.Servers[n].OcppEndpoint, mine, new AnswerRule(false), meter, options.ConnectConcurrency, _ => { }, ct));
            }

            Say($"[{name}] {fleets.Sum(f => f.Connected)}/{options.Chargers} chargers connected and booted ({meter.ErrorTotal} errors); {options.Warmup.TotalSeconds:0} s warm-up, {options.Duration.TotalSeconds:0} s measured");
            var start = Stopwatch.GetTimestamp();
            var window = new LoadWindow(start + Ticks(options.Warmup), start + Ticks(options.Warmup) + Ticks(options.Duration));
            meter.Window = window;
            await Task.WhenAll(fleets.Select(f => f.RunAsync(window, options.MeterValues, options.CallTimeout, null, ct)));
            var overall = meter.Overall();
            var result = new LoadResult(name, overall.Count / options.Duration.TotalSeconds, overall.PercentileMicros(50) / 1000.0, overall.PercentileMicros(99) / 1000.0, meter.ErrorTotal);
            Say(string.Create(CultureInfo.InvariantCulture, $"[{name}] {result.PerSecond:0} msg/s, p50 {result.P50Ms:0.0} ms, p99 {result.P99Ms:0.0} ms, {result.Errors} errors; load {BenchRun.LoadAverage()}"));
            foreach (var error in meter.Errors.OrderByDescending(e => e.Value.Count).Take(3))
            {
                Say($"[{name}]   {error.Value.Count} x {error.Key}: {error.Value.Example}");
            }

            return result;
        }
        finally
        {
            foreach (var fleet in fleets)
            {
                await fleet.CloseAsync(TimeSpan.FromSeconds(5));
                await fleet.DisposeAsync();
            }
        }
    }

    private static async Task<(TimeSpan Sites, TimeSpan Chargers, int Moved)> KillAsync(int run, ClusterBenchOptions options, CancellationToken ct)
    {
        await using var database = await Database.CreateAsync(options.Postgres, ct);
        await using var nodes = await Nodes.StartAsync(3, cluster: true, database.ConnectionString, options, ct);
        var sites = Enumerable.Range(1, options.KillSites).Select(s => $"k{s:D3}").ToList();
        foreach (var site in sites)
        {
            await nodes.Servers[0].PutSiteAsync(site, SiteDocument(site, options.KillChargersPerSite), ct);
        }

        var clock = Stopwatch.StartNew();
        var entries = nodes.Servers.Select(s => s.Http).ToList();
        var chargers = sites.SelectMany(s => Enumerable.Range(1, options.KillChargersPerSite).Select(c => $"{s.ToUpperInvariant()}-CP{c}"))
            .Select((id, i) => new Source(id, i % 3, clock)).ToList();
        var cameras = sites.Select((s, i) => new Source(s, i % 3, clock)).ToList();
        using var stop = new CancellationTokenSource();
        var running = chargers.Select(c => Task.Run(() => RunChargerAsync(entries, c, stop.Token), ct))
            .Concat(cameras.Select(c => Task.Run(() => RunCameraAsync(entries, c, stop.Token), ct))).ToList();
        var all = chargers.Concat(cameras).ToList();
        try
        {
            await UntilAsync(() => all.All(s => s.Acknowledged >= 3), "every charger and camera acknowledged three times", ct);
            var victim = run % 3;
            var moved = chargers.Count(c => c.Node == victim);
            var killedAt = clock.Elapsed;
            foreach (var source in all)
            {
                source.Killed(victim);
            }

            using (var process = Process.GetProcessById(nodes.Servers[victim].Pid))
            {
                process.Kill(); // SIGKILL
            }

            await UntilAsync(() => all.All(s => s.AcknowledgedSinceKill >= 2) && chargers.Where(c => c.OnVictim).All(c => c.BootedAfterKill is not null), "everyone back", ct);
            var sitesBack = cameras.Max(c => c.FirstAckAfterKill!.Value) - killedAt;
            var chargersBack = chargers.Where(c => c.OnVictim).Select(c => c.BootedAfterKill!.Value - killedAt).DefaultIfEmpty().Max();
            Say(string.Create(CultureInfo.InvariantCulture,
                $"[kill {run + 1}/{options.Kills}] killed node {(char)('a' + victim)}: every site answering after {sitesBack.TotalSeconds:0.0} s, its {moved} chargers reconnected and booted after {chargersBack.TotalSeconds:0.0} s; load {BenchRun.LoadAverage()}"));
            return (sitesBack, chargersBack, moved);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task UntilAsync(Func<bool> done, string what, CancellationToken ct)
    {
        var patience = Stopwatch.StartNew();
        while (!done())
        {
            if (patience.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new TimeoutException($"not seen within 3 minutes: {what}");
            }

            await Task.Delay(20, ct);
        }
    }

    private static string SiteDocument(string site, int chargers) => $$"""
        {
          "id": "{{site}}", "name": "Failover {{site}}", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 500,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "{{site}}-in", "key": "{{CameraKey(site)}}" } ] } ],
          "chargers": [ {{string.Join(", ", Enumerable.Range(1, chargers).Select(c => $$"""{ "id": "{{site.ToUpperInvariant()}}-CP{{c}}" }"""))}} ]
        }
        """;

    private static string CameraKey(string site) => $"{site}-camera-key-0123456789";

    /// <summary>A charger: connects to its node, boots, sends a status notification every 200 ms; a lost connection makes it try the next node.</summary>
    private static async Task RunChargerAsync(List<Uri> nodes, Source charger, CancellationToken stop)
    {
        var node = charger.Node;
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            ClientWebSocket? socket = null;
            RpcConnection? rpc = null;
            Task? run = null;
            try
            {
                socket = new ClientWebSocket();
                socket.Options.AddSubProtocol("ocpp1.6");
                var http = nodes[node];
                await socket.ConnectAsync(new Uri($"ws://{http.Authority}/ocpp/{charger.Id}"), stop);
                rpc = new RpcConnection(socket, new NothingSupported(), new RpcConnectionOptions { Version = OcppVersion.Ocpp16, ChargerId = charger.Id, CallTimeout = TimeSpan.FromSeconds(20) }, TimeProvider.System, NullLogger.Instance);
                run = Task.Run(() => rpc.RunAsync(CancellationToken.None), CancellationToken.None);
                var boot = await rpc.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Bench", ChargePointModel = "Failover" }, stop);
                if (boot is not { Status: RpcCallStatus.Completed, Response.Status: RegistrationStatus.Accepted })
                {
                    throw new InvalidOperationException($"boot ended {boot.Status}");
                }

                charger.Booted();
                while (!stop.IsCancellationRequested)
                {
                    var sent = await rpc.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest
                    {
                        ConnectorId = 1,
                        ErrorCode = ChargePointErrorCode.NoError,
                        Status = ++n % 2 == 0 ? ChargePointStatus.Available : ChargePointStatus.Preparing,
                        Timestamp = DateTimeOffset.UtcNow,
                    }, stop);
                    if (sent.Status == RpcCallStatus.Completed)
                    {
                        charger.Acknowledge();
                    }
                    else if (sent.Status != RpcCallStatus.Rejected)
                    {
                        break;
                    }

                    await Task.Delay(200, stop);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                // stopped
            }
            finally
            {
                if (rpc is not null)
                {
                    await rpc.DisposeAsync();
                }

                socket?.Dispose();
                if (run is not null)
                {
                    await run.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }

            if (!stop.IsCancellationRequested && charger.IsKilled && node == charger.Victim)
            {
                node = (node + 1) % nodes.Count; // as a balancer would: the dead node is out, the charger lands on another
            }
        }
    }

    /// <summary>A gate camera: pushes a new plate every 200 ms to its node; what fails goes to the next node.</summary>
    private static async Task RunCameraAsync(List<Uri> nodes, Source camera, CancellationToken stop)
    {
        var node = camera.Node;
        var random = new Random(camera.Id.GetHashCode(StringComparison.Ordinal));
        var plate = NextPlate();
        var clients = nodes.Select(n => new HttpClient { BaseAddress = n, Timeout = TimeSpan.FromSeconds(20), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", CameraKey(camera.Id)) } }).ToList();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await clients[node].PostAsJsonAsync("api/v1/anpr/reads", new { cameraId = $"{camera.Id}-in", plate, confidence = 0.95, capturedAt = DateTimeOffset.UtcNow }, stop);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        camera.Acknowledge();
                        plate = NextPlate();
                    }
                    else if (camera.IsKilled && node == camera.Victim)
                    {
                        node = (node + 1) % nodes.Count;
                    }

                    await Task.Delay(200, stop);
                }
                catch (Exception e) when (!stop.IsCancellationRequested && e is HttpRequestException or SocketException or TaskCanceledException)
                {
                    if (camera.IsKilled && node == camera.Victim)
                    {
                        node = (node + 1) % nodes.Count;
                    }

                    await Task.Delay(100, CancellationToken.None);
                }
                catch (OperationCanceledException)
                {
                    // stopped
                }
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        string NextPlate() => new([.. Enumerable.Range(0, 7).Select(_ => PlateLetters[random.Next(PlateLetters.Length)])]);
    }

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static void Say(string line) => Console.WriteLine($"{DateTime.Now:HH:mm:ss} {line}");

    /// <summary>A charger or camera of the failover run: its node, its acknowledgements, when it was back after the kill.</summary>
    private sealed class Source(string id, int node, Stopwatch clock)
    {
        private volatile bool _killed;
        private int _acknowledged;
        private int _sinceKill;

        public string Id { get; } = id;

        public int Node { get; } = node;

        public int Victim { get; private set; } = -1;

        public bool IsKilled => _killed;

        public bool OnVictim => Node == Victim;

        public int Acknowledged => Volatile.Read(ref _acknowledged);

        public int AcknowledgedSinceKill => Volatile.Read(ref _sinceKill);

        public TimeSpan? FirstAckAfterKill { get; private set; }

        public TimeSpan? BootedAfterKill { get; private set; }

        public void Killed(int victim)
        {
            Victim = victim;
            _killed = true;
        }

        public void Booted()
        {
            if (_killed)
            {
                BootedAfterKill ??= clock.Elapsed;
            }
        }

        public void Acknowledge()
        {
            Interlocked.Increment(ref _acknowledged);
            if (_killed)
            {
                FirstAckAfterKill ??= clock.Elapsed;
                Interlocked.Increment(ref _sinceKill);
            }
        }
    }

    private sealed class NothingSupported : IRpcCallHandler
    {
        public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RpcReply.Error(RpcErrorCode.NotSupported, "The bench's chargers answer no calls."));
    }

    /// <summary>A fresh database on the PostgreSQL server for one configuration, dropped afterwards.</summary>
    private sealed class Database : IAsyncDisposable
    {
        private readonly string _admin;
        private readonly string _name;

        private Database(string admin, string name)
        {
            _admin = admin;
            _name = name;
            ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        }

        public string ConnectionString { get; }

        public static async Task<Database> CreateAsync(string admin, CancellationToken ct)
        {
            var name = $"parkcharge_cluster_bench_{Environment.ProcessId}_{Guid.NewGuid():N}"[..60];
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
            return new Database(admin, name);
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var connection = new NpgsqlConnection(_admin);
                await connection.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            catch (NpgsqlException e)
            {
                Console.Error.WriteLine($"Could not drop {_name}: {e.Message}");
            }
        }
    }

    /// <summary><c>serve --postgres</c> processes on one database, with <c>--cluster</c> each its own node id and silo port.</summary>
    private sealed class Nodes : IAsyncDisposable
    {
        private Nodes(List<BenchServer> servers) => Servers = servers;

        public List<BenchServer> Servers { get; }

        public static async Task<Nodes> StartAsync(int count, bool cluster, string database, ClusterBenchOptions options, CancellationToken ct)
        {
            var environment = new Dictionary<string, string?>();
            var servers = new List<BenchServer>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    List<string> arguments = ["--postgres", database];
                    if (cluster)
                    {
                        arguments.AddRange(["--cluster", "--ParkCharge:NodeId", $"node-{(char)('a' + i)}", "--ParkCharge:Cluster:SiloPort", FreePort().ToString(CultureInfo.InvariantCulture)]);
                    }

                    servers.Add(await BenchServer.StartParkChargeAsync(options.ServerDll, options.DataRoot, environment, arguments, ct));
                }
            }
            catch
            {
                foreach (var server in servers)
                {
                    await server.DisposeAsync();
                }

                throw;
            }

            return new Nodes(servers);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var server in Servers)
            {
                await server.DisposeAsync();
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
