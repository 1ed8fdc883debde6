using System.Text.Json.Serialization;

using ParkCharge.Bench.Servers;

namespace ParkCharge.Bench.Report;

/// <summary>One run of the bench: where, how, what came out, and the ratios to the echo baseline.</summary>
public sealed record BenchReport(
    DateTimeOffset StartedAt,
    MachineFacts Machine,
    BenchSettings Settings,
    IReadOnlyList<ScenarioResult> Scenarios,
    IReadOnlyList<Comparison> Comparisons);

public sealed record BenchSettings(
    string Command,
    IReadOnlyList<int> Chargers,
    IReadOnlyList<string> Scenarios,
    double WarmupSeconds,
    double MaxWarmupSeconds,
    double DurationSeconds,
    int ChargersPerSite,
    int MeterValuesPerSession,
    double CallTimeoutSeconds,
    int ConnectConcurrency,
    string ServerDll,
    string DataRoot,
    IReadOnlyList<string> ServerEnvironment)
{
    /// <summary>Open-loop rate (CALLs per second over the fleet); null for the closed loop.</summary>
    public double? Rate { get; init; }

    /// <summary>Connect, boot and hold idle; no load.</summary>
    public bool IdleOnly { get; init; }
}

public sealed record ScenarioResult(
    string Scenario,
    int Chargers,
    int Sites,
    int Connected,
    int AliveAtEnd,
    double RegisterSeconds,
    double ConnectSeconds,
    double WarmupSeconds,
    double WindowSeconds,
    long Messages,
    double MessagesPerSecond,
    long Sessions,
    LatencySummary Latency,
    IReadOnlyList<ActionLatency> ByAction,
    MemoryFigures Memory,
    CpuFigures Cpu,
    long Errors,
    long ErrorsInWindow,
    IReadOnlyList<ErrorFigure> ErrorKinds,
    IReadOnlyList<LogFigure> ServerLog,
    long StoreBytes)
{
    /// <summary>How many times the scenario ran (more than once when --retry-disturbed kept the least disturbed run).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>The server's file reads and writes (system calls) and bytes written to disk per answered CALL in the window.</summary>
    public IoFigures? Io { get; init; }

    /// <summary>The server's CPU in the window by thread (percent of one core).</summary>
    public ThreadFigures? Threads { get; init; }
}

/// <summary>Per answered CALL in the window: read and write system calls on files (not sockets), KiB written to disk.</summary>
public sealed record IoFigures(double ReadsPerCall, double WritesPerCall, double KiBWrittenPerCall);

/// <summary>The server's busiest thread and its threads grouped by name, in percent of one core over the window.</summary>
public sealed record ThreadFigures(string BusiestThread, double BusiestPercent, IReadOnlyList<ThreadGroupFigure> Groups);

public sealed record ThreadGroupFigure(string Name, int Threads, double Percent);

/// <summary>Latencies of the CALLs answered in the window, in milliseconds.</summary>
public sealed record LatencySummary(double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs);

public sealed record ActionLatency(string Action, long Count, double P50Ms, double P99Ms, double MaxMs);

/// <summary>Resident memory of the server process (MiB) at each step, its peak, and per connection (KiB).</summary>
public sealed record MemoryFigures(double AfterStartMiB, double BeforeConnectMiB, double IdleMiB, double EndOfLoadMiB, double PeakMiB, double PerConnectionKiB);

/// <summary>
/// CPU in the window, in percent of one core (200 % = both cores of a two-core machine); the machine's in percent of
/// all cores. ServerJit: the server's tier-1 JIT thread (part of the server's; near 0 once warm). Other: what neither
/// server nor client used (other processes, the kernel). BusyBefore: the machine's busy percent in the second before
/// the server started, with nothing of the bench running.
/// </summary>
public sealed record CpuFigures(double ServerPercent, double ServerJitPercent, double ClientPercent, double OtherPercent, double MachineBusyPercent, double MachineBusyBeforePercent);

public sealed record ErrorFigure(string Kind, long Count, long InWindow, string Example);

public sealed record LogFigure(string Message, int Count);

/// <summary>
/// A scenario against the echo baseline with the same number of chargers (ParkCharge ÷ echo), and against the ocpp-rpc
/// peer when it ran (ParkCharge ÷ peer; null otherwise).
/// </summary>
public sealed record Comparison(int Chargers, string Scenario, double MessagesPerSecondRatio, double P50Ratio, double P99Ratio, double MemoryPerConnectionRatio)
{
    public double? PeerMessagesPerSecondRatio { get; init; }

    public double? PeerP99Ratio { get; init; }

    public double? PeerMemoryPerConnectionRatio { get; init; }

    public double? PeerConnectRatio { get; init; }

    public double ConnectRatio { get; init; }
}

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BenchReport))]
[JsonSerializable(typeof(RegisterCharger))]
[JsonSerializable(typeof(RegisterChargers))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;
