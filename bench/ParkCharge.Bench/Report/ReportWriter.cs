using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ParkCharge.Bench.Report;

/// <summary>The run's figures as a console table, a Markdown report and a JSON document.</summary>
public static class ReportWriter
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Pairs every scenario with the echo baseline of the same size, and ParkCharge's with the ocpp-rpc peer's too.</summary>
    public static IReadOnlyList<Comparison> Compare(IReadOnlyList<ScenarioResult> results)
    {
        var comparisons = new List<Comparison>();
        foreach (var result in results.Where(r => r.Scenario != "echo"))
        {
            if (results.FirstOrDefault(r => r.Scenario == "echo" && r.Chargers == result.Chargers) is { } echo)
            {
                var peer = result.Scenario == "peer" ? null : results.FirstOrDefault(r => r.Scenario == "peer" && r.Chargers == result.Chargers);
                comparisons.Add(new Comparison(
                    result.Chargers,
                    result.Scenario,
                    Ratio(result.MessagesPerSecond, echo.MessagesPerSecond),
                    Ratio(result.Latency.P50Ms, echo.Latency.P50Ms),
                    Ratio(result.Latency.P99Ms, echo.Latency.P99Ms),
                    Ratio(result.Memory.PerConnectionKiB, echo.Memory.PerConnectionKiB))
                {
                    ConnectRatio = Ratio(result.ConnectSeconds, echo.ConnectSeconds),
                    PeerMessagesPerSecondRatio = peer is null ? null : Ratio(result.MessagesPerSecond, peer.MessagesPerSecond),
                    PeerP99Ratio = peer is null ? null : Ratio(result.Latency.P99Ms, peer.Latency.P99Ms),
                    PeerMemoryPerConnectionRatio = peer is null ? null : Ratio(result.Memory.PerConnectionKiB, peer.Memory.PerConnectionKiB),
                    PeerConnectRatio = peer is null ? null : Ratio(result.ConnectSeconds, peer.ConnectSeconds),
                });
            }
        }

        return comparisons;
    }

    /// <summary>
    /// The main table: one row per scenario and size, ratios to the echo baseline (× echo) and to the ocpp-rpc peer
    /// (÷ peer) next to the absolute values. With --idle-only: connection time and memory only.
    /// </summary>
    public static string Table(BenchReport report, bool markdown)
    {
        static string Peer(double? ratio, string format) => ratio is { } r ? F(r, format) : "–";
        var rows = new List<string[]>();
        string[] header;
        if (report.Settings.IdleOnly)
        {
            header = ["chargers", "scenario", "sites", "connected", "connect+boot s", "× echo", "÷ peer", "KiB/conn", "× echo", "÷ peer", "idle server CPU %", "errors"];
            foreach (var r in report.Scenarios)
            {
                var c = report.Comparisons.FirstOrDefault(x => x.Chargers == r.Chargers && x.Scenario == r.Scenario);
                rows.Add(
                [
                    r.Chargers.ToString("N0", Invariant), r.Scenario, r.Sites == 0 ? "–" : r.Sites.ToString(Invariant), r.Connected.ToString("N0", Invariant),
                    F(r.ConnectSeconds, "0.0"), c is null ? "1" : F(c.ConnectRatio, "0.##"), Peer(c?.PeerConnectRatio, "0.##"),
                    F(r.Memory.PerConnectionKiB, "0.0"), c is null ? "1" : F(c.MemoryPerConnectionRatio, "0.##"), Peer(c?.PeerMemoryPerConnectionRatio, "0.##"),
                    F(r.Cpu.ServerPercent, "0"), r.Errors.ToString(Invariant),
                ]);
            }

            return markdown ? MarkdownTable(header, rows, rightAligned: i => i != 1) : TextTable(header, rows, rightAligned: i => i != 1);
        }

        header = ["chargers", "scenario", "sites", "msg/s", "× echo", "÷ peer", "p50 ms", "× echo", "p99 ms", "× echo", "÷ peer", "p99.9 ms", "max ms", "KiB/conn", "× echo", "÷ peer", "errors"];
        foreach (var r in report.Scenarios)
        {
            var c = report.Comparisons.FirstOrDefault(x => x.Chargers == r.Chargers && x.Scenario == r.Scenario);
            rows.Add(
            [
                r.Chargers.ToString("N0", Invariant),
                r.Scenario,
                r.Sites == 0 ? "–" : r.Sites.ToString(Invariant),
                r.MessagesPerSecond.ToString("N0", Invariant),
                c is null ? "1" : F(c.MessagesPerSecondRatio, "0.###"),
                Peer(c?.PeerMessagesPerSecondRatio, "0.###"),
                F(r.Latency.P50Ms, "0.00"),
                c is null ? "1" : F(c.P50Ratio, "0.#"),
                F(r.Latency.P99Ms, "0.00"),
                c is null ? "1" : F(c.P99Ratio, "0.#"),
                Peer(c?.PeerP99Ratio, "0.##"),
                F(r.Latency.P999Ms, "0.00"),
                F(r.Latency.MaxMs, "0.0"),
                F(r.Memory.PerConnectionKiB, "0.0"),
                c is null ? "1" : F(c.MemoryPerConnectionRatio, "0.0"),
                Peer(c?.PeerMemoryPerConnectionRatio, "0.##"),
                r.Errors.ToString(Invariant),
            ]);
        }

        return markdown ? MarkdownTable(header, rows, rightAligned: i => i != 1) : TextTable(header, rows, rightAligned: i => i != 1);
    }

    public static string Markdown(BenchReport report)
    {
        var md = new StringBuilder();
        var m = report.Machine;
        var s = report.Settings;
        md.AppendLine(Invariant, $"# ParkCharge OCPP load benchmark, {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(Invariant, $"- **Machine:** {m.Cores} cores ({m.Cpu}), {m.MemoryMiB:N0} MiB, {m.Os} ({m.Kernel})");
        md.AppendLine(Invariant, $"- **.NET:** {m.Dotnet}; servers run with {m.ServerGc}; the bench client with workstation GC");
        md.AppendLine(Invariant, $"- **ParkCharge:** {m.GitCommit}, SQLite data folder on {m.DataFileSystem}");
        md.AppendLine(Invariant, $"- **Command:** `{s.Command}`");
        if (s.IdleOnly)
        {
            md.AppendLine("- **Idle only:** every charger connects and boots (BootNotification, StatusNotification Available), then the connections stay idle; no load");
        }
        else if (s.Rate is { } rate)
        {
            md.AppendLine(Invariant, $"- **Open loop:** {rate:0} CALLs per second over the fleet, each charger sending on its own schedule (still one CALL outstanding); latency counted from when a CALL was due");
        }

        md.AppendLine(Invariant, $"- **Load:** each charger boots, then repeats StatusNotification Preparing → StartTransaction → MeterValues ×{s.MeterValuesPerSession} → StopTransaction → StatusNotification Available, one CALL outstanding; at least {s.WarmupSeconds:0.#} s warm-up (longer while the server's JIT is busy, up to {s.MaxWarmupSeconds:0} s), {s.DurationSeconds:0.#} s measured; {s.ChargersPerSite} chargers per site (one site for all in `parkcharge-one-site`)");
        md.AppendLine();
        md.Append(Invariant, $"> The bench client, the server under test and (in its scenarios) the echo server share these {m.Cores} cores. ")
            .AppendLine("With one CALL outstanding per charger, the load is closed-loop: throughput is what the slowest part lets through, and the client's own CPU "
                + "is taken from the server. Compare the ratios, which are measured on the same machine in the same run, rather than the absolute numbers across machines.");
        md.AppendLine();
        md.AppendLine("## Results");
        md.AppendLine();
        md.AppendLine(Table(report, markdown: true));
        md.AppendLine("msg/s: CALLs answered per second in the measured window. p50/p99/max: reply latency (send → answer) of those CALLs. "
            + "KiB/conn: (server RSS with all chargers connected and idle − RSS before connecting) ÷ chargers. × echo: ParkCharge ÷ echo baseline of the same size. "
            + "errors: CALLs that did not end in the expected answer, plus failed connections, during the whole run (warm-up included).");
        md.AppendLine();

        md.AppendLine("## Latency by action (measured window)");
        md.AppendLine();
        var actionRows = report.Scenarios.SelectMany(r => r.ByAction.Select(a => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario, a.Action, a.Count.ToString("N0", Invariant), F(a.P50Ms, "0.00"), F(a.P99Ms, "0.00"), F(a.MaxMs, "0.0"),
        })).ToList();
        md.AppendLine(MarkdownTable(["chargers", "scenario", "action", "answered", "p50 ms", "p99 ms", "max ms"], actionRows, i => i >= 3));

        md.AppendLine("## Server memory and CPU");
        md.AppendLine();
        var resourceRows = report.Scenarios.Select(r => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario,
            F(r.Memory.AfterStartMiB, "0.0"), F(r.Memory.BeforeConnectMiB, "0.0"), F(r.Memory.IdleMiB, "0.0"), F(r.Memory.EndOfLoadMiB, "0.0"), F(r.Memory.PeakMiB, "0.0"),
            F(r.WarmupSeconds, "0.#"), F(r.Cpu.ServerPercent, "0"), F(r.Cpu.ServerJitPercent, "0"), F(r.Cpu.ClientPercent, "0"), F(r.Cpu.OtherPercent, "0"), F(r.Cpu.MachineBusyPercent, "0"), F(r.Cpu.MachineBusyBeforePercent, "0"),
            r.StoreBytes == 0 ? "–" : F(r.StoreBytes / 1048576.0, "0.0"),
            F(r.RegisterSeconds, "0.0"), F(r.ConnectSeconds, "0.0"), r.Sessions.ToString("N0", Invariant), r.Attempts.ToString(Invariant),
        }).ToList();
        md.AppendLine(MarkdownTable(
            ["chargers", "scenario", "RSS start MiB", "before connect", "idle", "end of load", "peak", "warm-up s", "server CPU %", "of it JIT %", "client CPU %", "other CPU %", "machine busy %", "busy before %", "SQLite MiB", "register s", "connect s", "sessions", "runs"],
            resourceRows, i => i >= 2));
        md.AppendLine("RSS is VmRSS of the server process; peak is VmHWM. CPU % is of one core over the measured window; \"other\" is what neither the server "
            + "nor the client used (other processes, the kernel's network and disk work); \"of it JIT\" is the server's tier-1 JIT thread, which should be near 0 "
            + "in a steady state (the warm-up is prolonged until it is, up to --max-warmup); machine busy is of all cores, in the window and in the second before the scenario. "
            + "\"before connect\" is after start, health check and (ParkCharge) charger registration; RSS includes GC heap the runtime has not returned.");
        md.AppendLine();

        md.AppendLine("## Server file I/O per answered CALL (measured window)");
        md.AppendLine();
        var ioRows = report.Scenarios.Where(r => r.Io is not null).Select(r => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario, F(r.Io!.ReadsPerCall, "0.##"), F(r.Io.WritesPerCall, "0.##"), F(r.Io.KiBWrittenPerCall, "0.##"),
        }).ToList();
        md.AppendLine(MarkdownTable(["chargers", "scenario", "file reads / CALL", "file writes / CALL", "KiB to disk / CALL"], ioRows, i => i >= 2));
        md.AppendLine("From /proc/PID/io (syscr, syscw, write_bytes) at the start and end of the window, divided by the CALLs answered in it. Socket sends "
            + "and receives are not counted: what is left is the store's reads and writes (WAL frames, checkpoints, page reads), counts that do not depend on how busy the machine is.");
        md.AppendLine();

        md.AppendLine("## Server CPU by thread (measured window)");
        md.AppendLine();
        var threadRows = report.Scenarios.Where(r => r.Threads is not null).Select(r => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario, Cell(r.Threads!.BusiestThread), F(r.Threads.BusiestPercent, "0"),
            Cell(string.Join(", ", r.Threads.Groups.Select(g => $"{g.Name} ×{g.Threads} {g.Percent:0.#}%"))),
        }).ToList();
        md.AppendLine(MarkdownTable(["chargers", "scenario", "busiest thread", "its CPU %", "threads by name: count, CPU % of one core"], threadRows, i => i == 3));
        md.AppendLine("From /proc/PID/task/*/stat at the start and end of the window. One thread near 100 % is a serial path; the thread pool's workers (\".NET TP Worker\") "
            + "are where parallel work shows up.");
        md.AppendLine();

        md.AppendLine("## Errors");
        md.AppendLine();
        var errorRows = report.Scenarios.SelectMany(r => r.ErrorKinds.Select(e => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario, e.Kind, e.Count.ToString(Invariant), e.InWindow.ToString(Invariant), Cell(e.Example),
        })).ToList();
        md.AppendLine(errorRows.Count == 0
            ? "None: every CALL got the expected answer and every charger connected.\n"
            : MarkdownTable(["chargers", "scenario", "error", "count", "in window", "example"], errorRows, i => i is 3 or 4));

        md.AppendLine("## Server log warnings and errors");
        md.AppendLine();
        var logRows = report.Scenarios.SelectMany(r => r.ServerLog.Select(l => new[]
        {
            r.Chargers.ToString("N0", Invariant), r.Scenario, l.Count.ToString(Invariant), Cell(l.Message),
        })).ToList();
        md.AppendLine(logRows.Count == 0
            ? "None.\n"
            : MarkdownTable(["chargers", "scenario", "count", "message (digits as #)"], logRows, i => i == 2));
        return md.ToString();
    }

    public static string Json(BenchReport report) => JsonSerializer.Serialize(report, BenchJsonContext.Default.BenchReport);

    private static double Ratio(double value, double baseline) => baseline == 0 ? 0 : Math.Round(value / baseline, 3);

    private static string F(double value, string format) => value.ToString(format, Invariant);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string MarkdownTable(string[] header, List<string[]> rows, Func<int, bool> rightAligned)
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", header).AppendLine(" |");
        sb.Append('|');
        for (int i = 0; i < header.Length; i++)
        {
            sb.Append(rightAligned(i) ? "---:|" : "---|");
        }

        sb.AppendLine();
        foreach (var row in rows)
        {
            sb.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        return sb.ToString();
    }

    private static string TextTable(string[] header, List<string[]> rows, Func<int, bool> rightAligned)
    {
        var widths = new int[header.Length];
        foreach (var row in rows.Prepend(header))
        {
            for (int i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                sb.Append(rightAligned(i) ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i])).Append("  ");
            }

            sb.AppendLine();
        }

        Line(header);
        sb.AppendLine(new string('-', widths.Sum() + (2 * widths.Length)));
        foreach (var row in rows)
        {
            Line(row);
        }

        return sb.ToString();
    }
}
