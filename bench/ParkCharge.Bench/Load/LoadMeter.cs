using System.Collections.Concurrent;
using System.Diagnostics;

namespace ParkCharge.Bench.Load;

/// <summary>
/// What all chargers of one scenario report into: every answered CALL with its latency, and every
/// CALL that did not end in the expected answer. Only answers that arrive inside the measurement
/// window (after the warm-up, before the end) count for throughput and latency; errors count
/// whenever they happen, so none is hidden by the window.
/// </summary>
public sealed class LoadMeter
{
    private static readonly int ActionCount = Enum.GetValues<BenchAction>().Length;

    private readonly LatencyHistogram[] _byAction;
    private readonly ConcurrentDictionary<string, ErrorTally> _errors = new(StringComparer.Ordinal);
    private long _windowStart = long.MaxValue;
    private long _windowEnd = long.MaxValue;
    private long _answeredTotal;
    private long _errorTotal;

    public LoadMeter()
    {
        _byAction = new LatencyHistogram[ActionCount];
        for (int i = 0; i < ActionCount; i++)
        {
            _byAction[i] = new LatencyHistogram();
        }
    }

    /// <summary>All answered CALLs since the chargers connected, window or not (for progress lines).</summary>
    public long AnsweredTotal => Volatile.Read(ref _answeredTotal);

    public long ErrorTotal => Volatile.Read(ref _errorTotal);

    public IReadOnlyDictionary<string, ErrorTally> Errors => _errors;

    /// <summary>Sets the measurement window in <see cref="Stopwatch"/> ticks.</summary>
    public void SetWindow(long startTicks, long endTicks)
    {
        Volatile.Write(ref _windowEnd, endTicks);
        Volatile.Write(ref _windowStart, startTicks);
    }

    public void Answered(BenchAction action, long sentTicks, long answeredTicks)
    {
        Interlocked.Increment(ref _answeredTotal);
        if (answeredTicks >= Volatile.Read(ref _windowStart) && answeredTicks < Volatile.Read(ref _windowEnd))
        {
            _byAction[(int)action].Record(LatencyHistogram.ToMicros(answeredTicks - sentTicks));
        }
    }

    /// <summary>A CALL that did not get its answer: a CALLERROR, a wrong frame, a timeout, a lost connection.</summary>
    public void Failed(BenchAction? action, string kind, string detail)
    {
        Interlocked.Increment(ref _errorTotal);
        long now = Stopwatch.GetTimestamp();
        bool inWindow = now >= Volatile.Read(ref _windowStart) && now < Volatile.Read(ref _windowEnd);
        var tally = _errors.GetOrAdd($"{action?.ToString() ?? "connection"}: {kind}", static _ => new ErrorTally());
        tally.Add(detail, inWindow);
    }

    /// <summary>The window's latencies of every action together.</summary>
    public LatencyHistogram Overall()
    {
        var all = new LatencyHistogram();
        foreach (var h in _byAction)
        {
            all.Add(h);
        }

        return all;
    }

    public LatencyHistogram For(BenchAction action) => _byAction[(int)action];

    public sealed class ErrorTally
    {
        private long _count;
        private long _inWindow;
        private string? _example;

        public long Count => Volatile.Read(ref _count);

        public long InWindow => Volatile.Read(ref _inWindow);

        public string Example => Volatile.Read(ref _example) ?? "";

        public void Add(string detail, bool inWindow)
        {
            Interlocked.Increment(ref _count);
            if (inWindow)
            {
                Interlocked.Increment(ref _inWindow);
            }

            Interlocked.CompareExchange(ref _example, detail, null);
        }
    }
}
