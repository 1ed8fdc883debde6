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
    private LoadWindow _window = new(long.MaxValue, long.MaxValue);
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

    /// <summary>The measured window; until it is set, nothing is in it.</summary>
    public LoadWindow Window
    {
        get => Volatile.Read(ref _window);
        set => Volatile.Write(ref _window, value);
    }

    public void Answered(BenchAction action, long sentTicks, long answeredTicks)
    {
        Interlocked.Increment(ref _answeredTotal);
        if (Window.Contains(answeredTicks))
        {
            _byAction[(int)action].Record(LatencyHistogram.ToMicros(answeredTicks - sentTicks));
        }
    }

    /// <summary>A CALL that did not get its answer: a CALLERROR, a wrong frame, a timeout, a lost connection.</summary>
    public void Failed(BenchAction? action, string kind, string detail)
    {
        Interlocked.Increment(ref _errorTotal);
        bool inWindow = Window.Contains(Stopwatch.GetTimestamp());
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
