using System.Diagnostics;
using System.Globalization;

using ParkCharge.Bench.Load;
using ParkCharge.Bench.Report;
using ParkCharge.Bench.Servers;

namespace ParkCharge.Bench.Scenarios;

/// <summary>The settings every scenario of a run shares.</summary>
public sealed record RunOptions(
    IReadOnlyList<int> Chargers,
    IReadOnlyList<Scenario> Scenarios,
    TimeSpan Warmup,
    TimeSpan MaxWarmup,
    TimeSpan Duration,
    int ChargersPerSite,
    int MeterValuesPerSession,
    TimeSpan CallTimeout,
    int ConnectConcurrency,
    string ServerDll,
    bool ServerGc,
    string DataRoot,
    IReadOnlyDictionary<string, string?> ServerEnvironment,
    TimeSpan WaitForQuiet,
    bool KeepData,
    string Repository,
    double? Rate,
    bool IdleOnly);

/// <summary>
/// One scenario from start to end: a fresh server process (and, for ParkCharge, a fresh data folder),
/// chargers registered and connected, memory read idle, the load with its warm-up and window, memory
/// read at the end, then everything closed, killed and deleted.
/// </summary>
public static class ScenarioRunner
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(5);
    /// <summary>CPU of other processes, in percent of one core, above which a scenario's figures count as disturbed.</summary>
    public const double BusyWarningPercent = 10;
    private const double JitQuietPercent = 10;
    private static readonly TimeSpan JitQuietFor = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan JitStep = TimeSpan.FromSeconds(1);

    public static async Task<ScenarioResult> RunAsync(Scenario scenario, int chargers, RunOptions options, CancellationToken ct)
    {
        string tag = $"[{scenario.Name} n={chargers}]";
        double busyBefore = await CpuWindow.MachineBusyPercentAsync(TimeSpan.FromSeconds(1), ct);
        if (busyBefore > BusyWarningPercent && options.WaitForQuiet > TimeSpan.Zero)
        {
            Say($"{tag} the machine is {busyBefore:0}% busy (other processes); waiting up to {options.WaitForQuiet.TotalSeconds:0} s for it to calm down");
            long giveUp = Stopwatch.GetTimestamp() + Ticks(options.WaitForQuiet);
            while (busyBefore > BusyWarningPercent && Stopwatch.GetTimestamp() < giveUp)
            {
                busyBefore = await CpuWindow.MachineBusyPercentAsync(TimeSpan.FromSeconds(2), ct);
            }
        }

        if (busyBefore > BusyWarningPercent)
        {
            Say($"{tag} warning: the machine is {busyBefore:0}% busy before the scenario starts (other processes); the figures will share its cores");
        }

        await using var server = scenario.Echo
            ? await BenchServer.StartEchoAsync(options.ServerGc, options.ServerEnvironment, ct)
            : scenario.Peer
                ? await BenchServer.StartPeerAsync(options.Repository, options.ServerEnvironment, ct)
                : await BenchServer.StartParkChargeAsync(options.ServerDll, options.DataRoot, options.ServerEnvironment, ct);
        server.KeepData = options.KeepData;
        Say($"{tag} {server.Name} started (pid {server.Pid}, {server.Http}{(server.DataDirectory is { } data && options.KeepData ? $", data kept in {data}" : "")})");
        await Task.Delay(Settle, ct);
        long rssStart = ProcessStats.RssKiB(server.Pid);
        await using var jit = new JitMeter(server.Pid);

        int sites = scenario.SitesFor(chargers, options.ChargersPerSite);
        var ids = new List<(string Charger, string Site)>(chargers);
        for (int i = 0; i < chargers; i++)
        {
            int site = scenario.OneSite ? 0 : i / options.ChargersPerSite;
            ids.Add(($"CP-{i + 1:D5}", $"site-{site + 1:D3}"));
        }

        double registerSeconds = 0;
        if (scenario.IsParkCharge)
        {
            var registering = Stopwatch.GetTimestamp();
            await server.RegisterAsync(ids, concurrency: 8, ct);
            registerSeconds = Stopwatch.GetElapsedTime(registering).TotalSeconds;
            Say($"{tag} registered {chargers} chargers at {sites} site(s) through the API in {registerSeconds:0.0} s"
                + (server.RateLimited > 0 ? $" ({server.RateLimited} requests refused by the rate limit and sent again after Retry-After)" : ""));
            await Task.Delay(Settle, ct);
        }

        long rssBefore = ProcessStats.RssKiB(server.Pid);
        var meter = new LoadMeter();
        var connecting = Stopwatch.GetTimestamp();
        int step = Math.Max(1, chargers / 4);
        await using var fleet = await ChargerFleet.ConnectAsync(
            server.OcppEndpoint,
            [.. ids.Select(c => c.Charger)],
            new AnswerRule(scenario.Echo),
            meter,
            options.ConnectConcurrency,
            done =>
            {
                if (done % step == 0 && done < chargers)
                {
                    Say($"{tag} connected and booted {done}/{chargers}");
                }
            },
            ct);
        double connectSeconds = Stopwatch.GetElapsedTime(connecting).TotalSeconds;
        Say($"{tag} {fleet.Connected}/{chargers} chargers connected and booted in {connectSeconds:0.0} s ({meter.ErrorTotal} errors)");
        await Task.Delay(Settle, ct);
        long rssIdle = ProcessStats.RssKiB(server.Pid);
        Say($"{tag} server RSS: {Mib(rssStart):0.0} MiB after start, {Mib(rssBefore):0.0} MiB before connecting, {Mib(rssIdle):0.0} MiB with {fleet.Connected} idle connections");

        if (options.IdleOnly)
        {
            var idleCpu = new CpuWindow(server.Pid, jit);
            var idleThreads = new ThreadCpuSplit(server.Pid);
            await Task.Delay(options.Duration, ct);
            var idleFigures = idleCpu.End();
            var idleSplit = idleThreads.End();
            long rssIdleEnd = ProcessStats.RssKiB(server.Pid);
            await fleet.CloseAsync(TimeSpan.FromSeconds(5));
            var idle = new ScenarioResult(
                scenario.Name, chargers, sites, fleet.Connected, fleet.Alive, Math.Round(registerSeconds, 2), Math.Round(connectSeconds, 2), 0, options.Duration.TotalSeconds,
                0, 0, 0, Summary(meter.Overall()), [],
                new MemoryFigures(Round1(Mib(rssStart)), Round1(Mib(rssBefore)), Round1(Mib(rssIdle)), Round1(Mib(rssIdleEnd)), Round1(Mib(ProcessStats.PeakRssKiB(server.Pid))),
                    fleet.Connected == 0 ? 0 : Math.Round((double)(rssIdle - rssBefore) / fleet.Connected, 1)),
                new CpuFigures(Math.Round(idleFigures.ServerPercent), Math.Round(idleFigures.ServerJitPercent), Math.Round(idleFigures.ClientPercent), Math.Round(idleFigures.OtherPercent),
                    Math.Round(idleFigures.MachineBusyPercent), Math.Round(busyBefore)),
                meter.ErrorTotal, 0,
                [.. meter.Errors.OrderByDescending(e => e.Value.Count).Select(e => new ErrorFigure(e.Key, e.Value.Count, e.Value.InWindow, e.Value.Example))],
                [.. server.Process.LogProblems.OrderByDescending(p => p.Value).Take(20).Select(p => new LogFigure(p.Key, p.Value))],
                server.StoreBytes())
            {
                Threads = Split(idleSplit),
            };
            Say($"{tag} idle only: {fleet.Connected}/{chargers} connected and booted in {connectSeconds:0.0} s, {idle.Memory.PerConnectionKiB} KiB/connection, "
                + $"server CPU {idleFigures.ServerPercent:0}% idle, {idle.Errors} errors");
            return idle;
        }

        long start = Stopwatch.GetTimestamp();
        var window = new LoadWindow(start + Ticks(options.Warmup), start + Ticks(options.Warmup) + Ticks(options.Duration));
        meter.Window = window;
        Say($"{tag} load: {options.Warmup.TotalSeconds:0.#} s warm-up (longer while the server is still compiling, up to {options.MaxWarmup.TotalSeconds:0} s), then {options.Duration.TotalSeconds:0.#} s measured");
        if (options.Rate is { } rate)
        {
            Say($"{tag} open loop: {rate:0} CALLs/s over {fleet.Connected} chargers (one every {fleet.Connected / rate:0.###} s each)");
        }

        Task run = fleet.RunAsync(window, options.MeterValuesPerSession, options.CallTimeout, options.Rate, ct);

        await ReportProgressUntilAsync(tag, "warm-up", window.StartTicks - Ticks(JitQuietFor), meter, fleet, server, run, ct);
        await WaitForJitAsync(tag, window, start + Ticks(options.MaxWarmup), jit, ct);
        double warmupSeconds = (double)(window.StartTicks - start) / Stopwatch.Frequency;
        var cpu = new CpuWindow(server.Pid, jit);
        var threads = new ThreadCpuSplit(server.Pid);
        var ioStart = ProcessStats.Io(server.Pid);
        long answeredStart = meter.AnsweredTotal;
        await ReportProgressUntilAsync(tag, "measure", window.EndTicks, meter, fleet, server, run, ct);
        var ioEnd = ProcessStats.Io(server.Pid);
        long answeredInWindow = Math.Max(1, meter.AnsweredTotal - answeredStart);
        var io = new IoFigures(
            Math.Round((double)(ioEnd.ReadCalls - ioStart.ReadCalls) / answeredInWindow, 2),
            Math.Round((double)(ioEnd.WriteCalls - ioStart.WriteCalls) / answeredInWindow, 2),
            Math.Round((ioEnd.WriteBytes - ioStart.WriteBytes) / 1024.0 / answeredInWindow, 2));
        var (serverCpu, clientCpu, machineCpu, otherCpu, jitCpu) = cpu.End();
        var split = threads.End();
        long rssEnd = ProcessStats.RssKiB(server.Pid);
        long rssPeak = ProcessStats.PeakRssKiB(server.Pid);
        int aliveAtEnd = fleet.Alive;

        await run;
        await fleet.CloseAsync(TimeSpan.FromSeconds(5));
        long storeBytes = server.StoreBytes();

        double windowSeconds = options.Duration.TotalSeconds;
        var overall = meter.Overall();
        var result = new ScenarioResult(
            scenario.Name,
            chargers,
            sites,
            fleet.Connected,
            aliveAtEnd,
            Math.Round(registerSeconds, 2),
            Math.Round(connectSeconds, 2),
            Math.Round(warmupSeconds, 1),
            windowSeconds,
            overall.Count,
            Math.Round(overall.Count / windowSeconds, 1),
            fleet.Sessions,
            Summary(overall),
            [.. Enum.GetValues<BenchAction>().Select(a => (Action: a, Histogram: meter.For(a))).Where(x => x.Histogram.Count > 0)
                .Select(x => new ActionLatency(x.Action.ToString(), x.Histogram.Count, Ms(x.Histogram.PercentileMicros(50)), Ms(x.Histogram.PercentileMicros(99)), Ms(x.Histogram.MaxMicros)))],
            new MemoryFigures(
                Round1(Mib(rssStart)), Round1(Mib(rssBefore)), Round1(Mib(rssIdle)), Round1(Mib(rssEnd)), Round1(Mib(rssPeak)),
                fleet.Connected == 0 ? 0 : Math.Round((double)(rssIdle - rssBefore) / fleet.Connected, 1)),
            new CpuFigures(Math.Round(serverCpu), Math.Round(jitCpu), Math.Round(clientCpu), Math.Round(otherCpu), Math.Round(machineCpu), Math.Round(busyBefore)),
            meter.ErrorTotal,
            meter.Errors.Values.Sum(e => e.InWindow),
            [.. meter.Errors.OrderByDescending(e => e.Value.Count).Select(e => new ErrorFigure(e.Key, e.Value.Count, e.Value.InWindow, e.Value.Example))],
            [.. server.Process.LogProblems.OrderByDescending(p => p.Value).Take(20).Select(p => new LogFigure(p.Key, p.Value))],
            storeBytes)
        {
            Threads = Split(split),
            Io = io,
        };
        Say($"{tag} server file I/O per answered CALL: {io.ReadsPerCall} reads, {io.WritesPerCall} writes, {io.KiBWrittenPerCall} KiB written to disk");
        Say($"{tag} server threads: busiest {split.BusiestThread} {split.BusiestPercent:0}% of a core; "
            + string.Join(", ", split.Groups.Take(5).Select(g => $"{g.Name} ×{g.Threads} {g.Percent:0}%")));
        Say($"{tag} done: {result.MessagesPerSecond.ToString("N0", CultureInfo.InvariantCulture)} msg/s, p50 {result.Latency.P50Ms} ms, p99 {result.Latency.P99Ms} ms, "
            + $"{result.Memory.PerConnectionKiB} KiB/connection, {result.Errors} errors; CPU: server {serverCpu:0}%, client {clientCpu:0}%, other {otherCpu:0}% of one core");
        if (otherCpu > BusyWarningPercent)
        {
            Say($"{tag} warning: other processes used {otherCpu:0}% of a core during the window: this scenario's figures are disturbed");
        }
        return result;
    }

    /// <summary>
    /// The end of the warm-up: the window starts only once the server's tier-1 JIT thread has gone quiet (below
    /// <see cref="JitQuietPercent"/> of a core over the last <see cref="JitQuietFor"/>; it works in bursts, so one
    /// quiet second proves little). Until then, and until the longest warm-up allowed, the window is postponed a
    /// second at a time. A window taken while the server still compiles measures the compiler, not the server.
    /// </summary>
    private static async Task WaitForJitAsync(string tag, LoadWindow window, long latestStart, JitMeter jit, CancellationToken ct)
    {
        var history = new Queue<(long Ticks, TimeSpan Jit)>();
        history.Enqueue((Stopwatch.GetTimestamp(), jit.Total));
        while (true)
        {
            // Decide a little before the window would start, so that nothing is measured before the decision.
            await DelayUntilAsync(window.StartTicks - Ticks(TimeSpan.FromMilliseconds(50)), ct);
            var now = (Ticks: Stopwatch.GetTimestamp(), Jit: jit.Total);
            // Look back to the latest sample that is about JitQuietFor old (the checks come a second apart, give or take).
            while (history.Count > 1 && now.Ticks - history.ElementAt(1).Ticks >= Ticks(JitQuietFor) - Ticks(TimeSpan.FromMilliseconds(200)))
            {
                history.Dequeue();
            }

            var (oldTicks, oldJit) = history.Peek();
            history.Enqueue(now);
            double seconds = (double)(now.Ticks - oldTicks) / Stopwatch.Frequency;
            double jitPercent = seconds <= 0 ? 0 : (now.Jit - oldJit).TotalSeconds / seconds * 100;

            if (jitPercent < JitQuietPercent || window.StartTicks + Ticks(JitStep) > latestStart)
            {
                if (jitPercent >= JitQuietPercent)
                {
                    Say($"{tag} warning: the server's JIT still used {jitPercent:0}% of a core at the longest warm-up; measuring anyway");
                }

                await DelayUntilAsync(window.StartTicks, ct);
                return;
            }

            window.Postpone(Ticks(JitStep));
            Say($"{tag} warm-up: the server's JIT used {jitPercent:0}% of a core over the last {seconds:0} s; warm-up +{JitStep.TotalSeconds:0} s");
        }
    }

    private static async Task DelayUntilAsync(long ticks, CancellationToken ct)
    {
        long now = Stopwatch.GetTimestamp();
        if (ticks > now)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)(ticks - now) / Stopwatch.Frequency), ct);
        }
    }

    private static async Task ReportProgressUntilAsync(
        string tag, string phase, long untilTicks, LoadMeter meter, ChargerFleet fleet, BenchServer server, Task run, CancellationToken ct)
    {
        long lastTicks = Stopwatch.GetTimestamp();
        long lastAnswered = meter.AnsweredTotal;
        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            if (now >= untilTicks)
            {
                return;
            }

            var wait = TimeSpan.FromSeconds(Math.Min(ProgressEvery.TotalSeconds, (double)(untilTicks - now) / Stopwatch.Frequency));
            await Task.WhenAny(run, Task.Delay(wait + TimeSpan.FromMilliseconds(1), ct));
            ct.ThrowIfCancellationRequested();
            if (server.Process.HasExited)
            {
                throw new InvalidOperationException($"{server.Name} exited during the load. Its last output:{Environment.NewLine}{server.Process.Tail()}");
            }

            if (run.IsCompleted)
            {
                await run; // surfaces a failure of the fleet; otherwise every charger stopped early
                if (Stopwatch.GetTimestamp() < untilTicks)
                {
                    Say($"{tag} every charger stopped before the end ({meter.ErrorTotal} errors); waiting out the window");
                    await Task.Delay(TimeSpan.FromSeconds((double)(untilTicks - Stopwatch.GetTimestamp()) / Stopwatch.Frequency), ct);
                }

                return;
            }

            long ticks = Stopwatch.GetTimestamp();
            if (ticks >= untilTicks || ticks - lastTicks < Stopwatch.Frequency)
            {
                continue; // the phase is over, or too little time passed for a meaningful rate
            }

            long answered = meter.AnsweredTotal;
            double rate = (answered - lastAnswered) / ((double)(ticks - lastTicks) / Stopwatch.Frequency);
            Say($"{tag} {phase} {rate.ToString("N0", CultureInfo.InvariantCulture),8} msg/s   chargers {fleet.Alive}/{fleet.Connected}   errors {meter.ErrorTotal}");
            lastTicks = ticks;
            lastAnswered = answered;
        }
    }

    private static ThreadFigures Split((IReadOnlyList<(string Name, int Threads, double Percent)> Groups, string BusiestThread, double BusiestPercent) split) =>
        new(split.BusiestThread, split.BusiestPercent, [.. split.Groups.Take(8).Select(g => new ThreadGroupFigure(g.Name, g.Threads, g.Percent))]);

    private static LatencySummary Summary(LatencyHistogram h) => new(
        Math.Round(h.MeanMicros / 1000, 3),
        Ms(h.PercentileMicros(50)),
        Ms(h.PercentileMicros(90)),
        Ms(h.PercentileMicros(99)),
        Ms(h.PercentileMicros(99.9)),
        Ms(h.MaxMicros));

    private static double Ms(long micros) => Math.Round(micros / 1000.0, 3);

    private static double Mib(long kib) => kib / 1024.0;

    private static double Round1(double value) => Math.Round(value, 1);

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static void Say(string line) => Console.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} {line}");
}
