using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

using ParkCharge.Bench.Load;
using ParkCharge.Bench.Servers;

namespace ParkCharge.Bench.Ingest;

/// <summary>
/// <c>anpr-traffic</c>: a node's camera traffic as car parks make it, for the ANPR goal of issue 17 (≥ 5,000 reads a
/// second durably ingested through the HTTP edge). <c>--sites</c> car parks, each with an entry and an exit lane camera
/// (ParkCharge's own JSON, one read per push, as cameras push); vehicles come in with plates never seen before and, once
/// a site holds <c>--inside</c> vehicles, every other read is the exit of the vehicle that has been inside longest, so
/// the open stays stay at a real car park's size instead of growing with the run (which <c>anpr-ingest</c> does: it
/// compares formats, not the node's rate). <c>--concurrency</c> clients push at once, each to the sites in turn. Every
/// read answered <c>200</c> is a committed observation (a sighting, a stay opened or closed).
/// </summary>
internal static class AnprTrafficBench
{
    public sealed record Options(
        int Sites, int Inside, int Concurrency, TimeSpan Window, TimeSpan Warmup, string? ServerDll, bool Build, string? DataRoot,
        string? ResultsDirectory, string Command);

    private sealed class Tally
    {
        public long Entries;
        public long Exits;
        public long Errors;
        public readonly LatencyHistogram Latency = new();
        public string? FirstError;

        public long Ok => Interlocked.Read(ref Entries) + Interlocked.Read(ref Exits);
    }

    /// <summary>A site's vehicles inside, oldest first, and how many (a queue's count is not exact while others take from it).</summary>
    private sealed class SiteTraffic(int index)
    {
        public readonly int Index = index;
        public readonly ConcurrentQueue<string> Inside = new();
        public int Count;
    }

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        var repository = BenchRun.FindRepositoryRoot();
        if (await BenchRun.ServerDllAsync(options.ServerDll, options.Build, ct) is not { } serverDll)
        {
            return 2;
        }

        var dataRoot = Path.GetFullPath(options.DataRoot ?? Path.GetTempPath());
        var startedAt = DateTimeOffset.UtcNow;
        Console.WriteLine($"ANPR traffic: {options.Sites} sites with an entry and an exit camera, {options.Inside} vehicles inside each, {options.Concurrency} clients, {options.Warmup.TotalSeconds:0.#} s warm-up, {options.Window.TotalSeconds:0.#} s measured; server {serverDll}");
        var loadBefore = BenchRun.LoadAverage();
        var sites = Enumerable.Range(0, options.Sites).Select(i => new SiteTraffic(i)).ToArray();
        var warmup = new Tally();
        var measured = new Tally();
        long pushNumber = 0;
        TimeSpan serverCpu;
        string threads;
        // Rate limits are per camera (a real one pushes a few reads a second); the bench measures what the node can take.
        var environment = new Dictionary<string, string?> { ["ParkCharge__RateLimits__Enabled"] = "false" };
        await using (var server = await BenchServer.StartParkChargeAsync(Path.GetFullPath(serverDll), dataRoot, environment, ct))
        {
            foreach (var site in sites)
            {
                await server.PutSiteAsync(SiteId(site.Index), SiteDocument(site.Index), ct);
            }

            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(30) };
            await LoadAsync(client, sites, options, options.Warmup, warmup, () => Interlocked.Increment(ref pushNumber), ct);
            Console.WriteLine($"  warm-up: {warmup.Ok / options.Warmup.TotalSeconds:N0} reads/s, {warmup.Errors} errors");
            var cpu = ProcessStats.CpuTime(server.Pid);
            var split = new ThreadCpuSplit(server.Pid);
            var io = ProcessStats.Io(server.Pid);
            await LoadAsync(client, sites, options, options.Window, measured, () => Interlocked.Increment(ref pushNumber), ct);
            serverCpu = ProcessStats.CpuTime(server.Pid) - cpu;
            var ioAfter = ProcessStats.Io(server.Pid);
            var (groups, busiest, busiestPercent) = split.End();
            double reads = Math.Max(measured.Ok, 1);
            threads = $"busiest {busiest} {busiestPercent:0}%; " + string.Join(", ", groups.Take(5).Select(g => $"{g.Name} ×{g.Threads} {g.Percent:0}%"))
                + $". File I/O per read: {(ioAfter.ReadCalls - io.ReadCalls) / reads:0.0} reads, {(ioAfter.WriteCalls - io.WriteCalls) / reads:0.0} writes, "
                + $"{(ioAfter.WriteBytes - io.WriteBytes) / 1024.0 / reads:0.0} KiB written";
        }

        var seconds = options.Window.TotalSeconds;
        var rate = measured.Ok / seconds;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# ANPR traffic, {startedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`{options.Command}`: {Environment.ProcessorCount} cores; {options.Sites} sites (an entry and an exit camera each, {options.Inside} vehicles inside), {options.Concurrency} clients, one read per push, SQLite store, rate limits off; load average {loadBefore} at the start, {BenchRun.LoadAverage()} at the end.");
        text.AppendLine();
        text.AppendLine("| reads/s (HTTP, durable) | entries | exits | server CPU µs/read | server CPU % | p50 ms | p99 ms | p99.9 ms | errors |");
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {rate:N0} | {measured.Entries:N0} | {measured.Exits:N0} | {serverCpu.TotalMicroseconds / Math.Max(measured.Ok, 1):N0} | {100 * serverCpu.TotalSeconds / seconds:N0} | {measured.Latency.PercentileMicros(50) / 1000.0:0.0} | {measured.Latency.PercentileMicros(99) / 1000.0:0.0} | {measured.Latency.PercentileMicros(99.9) / 1000.0:0.0} | {measured.Errors + warmup.Errors} |");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Server CPU by thread in the window (% of one core): {threads}.");
        if ((measured.FirstError ?? warmup.FirstError) is { } error)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"First error: `{error}`");
        }

        var report = text.ToString();
        Console.WriteLine();
        Console.WriteLine(report);
        var results = options.ResultsDirectory ?? Path.Combine(repository ?? Environment.CurrentDirectory, "bench", "results");
        Directory.CreateDirectory(results);
        var path = Path.Combine(results, $"anpr-traffic-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}.md");
        await File.WriteAllTextAsync(path, report, CancellationToken.None);
        Console.WriteLine($"Report: {path}");
        return measured.Errors + warmup.Errors == 0 ? 0 : 1;
    }

    private static string SiteId(int index) => $"traffic-{index:D3}";

    private static string Camera(int index, string lane) => $"{SiteId(index)}-{lane}";

    private static string SiteDocument(int index) => $$"""
        { "id": "{{SiteId(index)}}", "name": "Traffic {{index}}", "timeZone": "UTC", "currency": "EUR", "ordinaryBays": 2000,
          "lanes": [
            { "id": "in", "direction": "entry", "cameras": [ { "id": "{{Camera(index, "in")}}", "format": "generic", "key": "{{IngestFormat.Key(Camera(index, "in"))}}" } ] },
            { "id": "out", "direction": "exit", "cameras": [ { "id": "{{Camera(index, "out")}}", "format": "generic", "key": "{{IngestFormat.Key(Camera(index, "out"))}}" } ] } ] }
        """;

    /// <summary>
    /// Each client takes the sites in turn (client k starts at site k): the exit of the vehicle inside longest when the site
    /// is full, else a new vehicle's entry; a vehicle counts as inside once its entry was answered.
    /// </summary>
    private static async Task LoadAsync(HttpClient client, SiteTraffic[] sites, Options options, TimeSpan duration, Tally tally, Func<long> next, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, options.Concurrency).Select(async k =>
        {
            var turn = k;
            while (Stopwatch.GetElapsedTime(started) < duration && !ct.IsCancellationRequested)
            {
                var site = sites[turn++ % sites.Length];
                var n = next();
                string? leaving = null;
                if (Volatile.Read(ref site.Count) >= options.Inside && site.Inside.TryDequeue(out leaving))
                {
                    Interlocked.Decrement(ref site.Count);
                }

                var plate = leaving ?? IngestFormat.Plate(n);
                var camera = Camera(site.Index, leaving is null ? "in" : "out");
                var body = $$"""
                    {"cameraId":"{{camera}}","plate":"{{plate}}","confidence":0.93,"capturedAt":"{{DateTimeOffset.UtcNow.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}}","direction":"{{(leaving is null ? "in" : "out")}}","readId":"t-{{n}}"}
                    """;
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anpr/reads") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
                request.Headers.Add("X-Camera-Key", IngestFormat.Key(camera));
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    var error = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(ct);
                    tally.Latency.Record(LatencyHistogram.ToMicros(Stopwatch.GetTimestamp() - sent));
                    if (error is not null)
                    {
                        Interlocked.Increment(ref tally.Errors);
                        tally.FirstError ??= $"{(int)response.StatusCode} {error}";
                    }
                    else if (leaving is null)
                    {
                        Interlocked.Increment(ref tally.Entries);
                        site.Inside.Enqueue(plate);
                        Interlocked.Increment(ref site.Count);
                    }
                    else
                    {
                        Interlocked.Increment(ref tally.Exits);
                    }
                }
                catch (HttpRequestException e)
                {
                    Interlocked.Increment(ref tally.Errors);
                    tally.FirstError ??= e.Message;
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
    }
}
