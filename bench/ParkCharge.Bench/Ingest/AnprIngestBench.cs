using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

using ParkCharge.Bench.Load;
using ParkCharge.Bench.Servers;

namespace ParkCharge.Bench.Ingest;

/// <summary>
/// <c>anpr-ingest</c>: camera pushes in every format ParkCharge reads, through real HTTP into one ParkCharge process
/// (durable, so each read is a committed observation), a few clients at a time, in rounds that take the formats in
/// turn (each round in another order, so no format gets the emptier or the fuller database). Reads per second of
/// each format, and the same ratio to ParkCharge's own JSON in the same run; then each parser alone in this process.
/// </summary>
internal static class AnprIngestBench
{
    public sealed record Options(
        TimeSpan Window, TimeSpan Warmup, int Rounds, int Concurrency, string? ServerDll, bool Build, string? DataRoot, string? ResultsDirectory,
        IReadOnlyList<string> Formats, string Command);

    private sealed class Tally
    {
        public long Ok;
        public long Errors;
        public double Seconds;
        public TimeSpan ServerCpu;
        public readonly LatencyHistogram Latency = new();
        public string? FirstError;
    }

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        var formats = IngestFormat.All.Where(f => options.Formats.Count == 0 || options.Formats.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (formats.Count == 0 || formats[0].Name != "generic")
        {
            Console.Error.WriteLine($"--formats must include generic (the baseline); known: {string.Join(", ", IngestFormat.All.Select(f => f.Name))}.");
            return 2;
        }

        // As many rounds as formats: each format is measured once in each place of a round, and its windows fall
        // as early and as late in the run as any other's (the node's state grows as reads come in).
        options = options with { Rounds = options.Rounds == 0 ? formats.Count : options.Rounds };
        var repository = BenchRun.FindRepositoryRoot();
        if (await BenchRun.ServerDllAsync(options.ServerDll, options.Build, ct) is not { } serverDll)
        {
            return 2;
        }

        var dataRoot = Path.GetFullPath(options.DataRoot ?? Path.GetTempPath());
        var startedAt = DateTimeOffset.UtcNow;
        Console.WriteLine($"ANPR ingest: {formats.Count} formats, {options.Rounds} rounds of {options.Window.TotalSeconds:0.#} s each (after {options.Warmup.TotalSeconds:0.#} s of warm-up per format), {options.Concurrency} clients; server {serverDll}");

        var loadBefore = BenchRun.LoadAverage();
        var tallies = formats.ToDictionary(f => f.Name, _ => new Tally());
        long pushNumber = 0;
        // Rate limits are per camera (a real one pushes a few reads a second); the bench measures what the node can take.
        var environment = new Dictionary<string, string?> { ["ParkCharge__RateLimits__Enabled"] = "false" };
        await using (var server = await BenchServer.StartParkChargeAsync(Path.GetFullPath(serverDll), dataRoot, environment, ct))
        {
            await server.PutSiteAsync(IngestFormat.Site, IngestFormat.SiteDocument(), ct);
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
            using var client = new HttpClient(handler) { BaseAddress = server.Http, Timeout = TimeSpan.FromSeconds(30) };
            // Every format's path is compiled and warm before anything is measured (the first measured would pay for the JIT).
            foreach (var format in formats)
            {
                await LoadAsync(client, format, options.Warmup, null, options.Concurrency, () => Interlocked.Increment(ref pushNumber), ct);
            }

            for (var round = 0; round < options.Rounds; round++)
            {
                // Generic first in the first round; then each round starts one format further on.
                var order = formats.Skip(round % formats.Count).Concat(formats.Take(round % formats.Count)).ToList();
                foreach (var format in order)
                {
                    // A short lead-in, not measured: the clients of the format before have all finished.
                    await LoadAsync(client, format, TimeSpan.FromMilliseconds(500), null, options.Concurrency, () => Interlocked.Increment(ref pushNumber), ct);
                    var cpu = ProcessStats.CpuTime(server.Pid);
                    await LoadAsync(client, format, options.Window, tallies[format.Name], options.Concurrency, () => Interlocked.Increment(ref pushNumber), ct);
                    tallies[format.Name].ServerCpu += ProcessStats.CpuTime(server.Pid) - cpu;
                    Console.WriteLine($"  round {round + 1}, {format.Name}: {tallies[format.Name].Ok / Math.Max(tallies[format.Name].Seconds, 1e-9):N0} reads/s so far");
                }
            }
        }

        var parseOnly = ParseOnly(formats, ct);
        var report = Report(formats, tallies, parseOnly, options, startedAt, $"load average {loadBefore} at the start, {BenchRun.LoadAverage()} at the end");
        Console.WriteLine();
        Console.WriteLine(report);
        var results = options.ResultsDirectory ?? Path.Combine(repository ?? Environment.CurrentDirectory, "bench", "results");
        Directory.CreateDirectory(results);
        var path = Path.Combine(results, $"anpr-ingest-{startedAt.UtcDateTime:yyyyMMdd-HHmmss}.md");
        await File.WriteAllTextAsync(path, report, CancellationToken.None);
        Console.WriteLine($"Report: {path}");
        return tallies.Values.Sum(t => t.Errors) == 0 ? 0 : 1;
    }

    /// <summary><paramref name="concurrency"/> clients push one new read after another for <paramref name="duration"/>; counted into <paramref name="tally"/> unless it is null (warm-up).</summary>
    private static async Task LoadAsync(HttpClient client, IngestFormat format, TimeSpan duration, Tally? tally, int concurrency, Func<long> next, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var key = IngestFormat.Key(format.Camera);
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Stopwatch.GetElapsedTime(started) < duration && !ct.IsCancellationRequested)
            {
                var push = format.Push(next(), DateTimeOffset.UtcNow);
                using var request = new HttpRequestMessage(HttpMethod.Post, push.Path) { Content = new ByteArrayContent(push.Body) };
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(push.ContentType);
                request.Headers.Add("X-Camera-Key", key);
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await client.SendAsync(request, ct);
                    var body = response.IsSuccessStatusCode ? null : await response.Content.ReadAsStringAsync(ct);
                    if (tally is null)
                    {
                        continue;
                    }

                    tally.Latency.Record(LatencyHistogram.ToMicros(Stopwatch.GetTimestamp() - sent));
                    if (body is null)
                    {
                        Interlocked.Increment(ref tally.Ok);
                    }
                    else
                    {
                        Interlocked.Increment(ref tally.Errors);
                        tally.FirstError ??= $"{(int)response.StatusCode} {body}";
                    }
                }
                catch (HttpRequestException e) when (tally is not null)
                {
                    Interlocked.Increment(ref tally.Errors);
                    tally.FirstError ??= e.Message;
                }
            }
        }).ToList();
        await Task.WhenAll(workers);
        if (tally is not null)
        {
            tally.Seconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
    }

    /// <summary>
    /// Reads per second of each format's parser alone (one thread, no HTTP, no store): 20 slices of 50 ms per format,
    /// the formats taking turns, so that whatever else the machine does falls on all of them alike.
    /// </summary>
    private static Dictionary<string, double> ParseOnly(List<IngestFormat> formats, CancellationToken ct)
    {
        var runs = formats.Select(f => (Format: f, Parser: f.Parser(), Bodies: Enumerable.Range(0, 256).Select(i => f.Push(i, DateTimeOffset.UtcNow)).ToList())).ToList();
        var reads = new long[runs.Count];
        var seconds = new double[runs.Count];
        foreach (var run in runs)
        {
            for (var i = 0; i < 2_000; i++)
            {
                Parse(run.Parser, run.Bodies[i % run.Bodies.Count], run.Format.Camera, ct);
            }
        }

        for (var slice = 0; slice < 20; slice++)
        {
            for (var k = 0; k < runs.Count; k++)
            {
                var (format, parser, bodies) = runs[(k + slice) % runs.Count];
                var index = (k + slice) % runs.Count;
                var started = Stopwatch.GetTimestamp();
                while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromMilliseconds(50))
                {
                    for (var i = 0; i < 20; i++)
                    {
                        reads[index] += Parse(parser, bodies[(int)(reads[index] % bodies.Count)], format.Camera, ct);
                    }
                }

                seconds[index] += Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
        }

        return runs.Select((r, i) => (r.Format.Name, Rate: reads[i] / seconds[i])).ToDictionary(r => r.Name, r => r.Rate);
    }

    private static int Parse(ParkCharge.Anpr.IAnprParser parser, IngestPush push, string camera, CancellationToken ct)
    {
        using var stream = new MemoryStream(push.Body, writable: false);
        var result = parser.ParseAsync(push.ContentType, stream, camera, ct).AsTask().GetAwaiter().GetResult();
        return result.IsSuccess ? result.Push.Reports.Count : throw new InvalidOperationException($"{camera}: {string.Join("; ", result.Errors)}");
    }

    /// <summary>The server's CPU time per accepted read in the measured windows, in µs: what a read costs the node, whatever else the machine did.</summary>
    private static double CpuPerRead(Tally tally) => tally.ServerCpu.TotalMicroseconds / Math.Max(tally.Ok, 1);


    private static string Report(List<IngestFormat> formats, Dictionary<string, Tally> tallies, Dictionary<string, double> parseOnly, Options options, DateTimeOffset startedAt, string load)
    {
        var generic = tallies["generic"];
        var genericRate = generic.Ok / generic.Seconds;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# ANPR ingest, {startedAt:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"`{options.Command}`: {Environment.ProcessorCount} cores; {options.Rounds} rounds × {options.Window.TotalSeconds:0.#} s per format, {options.Concurrency} clients, one read per push, every read new (a plate of its own, capture time now), SQLite store, rate limits off; {load}.");
        text.AppendLine();
        var genericCpu = CpuPerRead(generic);
        text.AppendLine("| format | reads/s (HTTP, durable) | × generic | server CPU µs/read | × generic | p50 ms | p99 ms | errors | parser alone, reads/s | × generic |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var format in formats)
        {
            var tally = tallies[format.Name];
            var rate = tally.Ok / tally.Seconds;
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {format.Name} | {rate:N0} | {rate / genericRate:0.00} | {CpuPerRead(tally):N0} | {CpuPerRead(tally) / genericCpu:0.00} | {tally.Latency.PercentileMicros(50) / 1000.0:0.0} | {tally.Latency.PercentileMicros(99) / 1000.0:0.0} | {tally.Errors} | {parseOnly[format.Name]:N0} | {parseOnly[format.Name] / parseOnly["generic"]:0.00} |");
        }

        foreach (var (name, tally) in tallies.Where(t => t.Value.FirstError is not null))
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"First error of {name}: {tally.FirstError}");
        }

        return text.ToString();
    }
}
