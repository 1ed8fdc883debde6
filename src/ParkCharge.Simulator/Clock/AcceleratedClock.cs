using System.Diagnostics;

namespace ParkCharge.Simulator.Clock;

/// <summary>
/// A clock that runs <see cref="Speed"/> times faster than real time from <see cref="Origin"/>: after
/// one real second at speed 60 it reads one minute later. Timers and <c>Task.Delay(…, clock)</c> are
/// shortened by the same factor, so code written against <see cref="TimeProvider"/> (the simulator,
/// and a server given this clock) lives through a day in minutes and every stamp agrees.
/// </summary>
public sealed class AcceleratedClock : TimeProvider
{
    private long _startedAt;

    /// <param name="start">
    /// False: the clock stands at <paramref name="origin"/> until <see cref="Start"/>, so that starting a
    /// node (seconds, which are minutes of simulated time) does not eat into the simulated day.
    /// </param>
    public AcceleratedClock(DateTimeOffset origin, double speed, bool start = true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1);
        Origin = origin.ToUniversalTime();
        Speed = speed;
        if (start)
        {
            Start();
        }
    }

    /// <summary>The simulated instant at which this clock was created.</summary>
    public DateTimeOffset Origin { get; }

    /// <summary>Simulated seconds per real second (1 or more).</summary>
    public double Speed { get; }

    /// <summary>Starts the clock running from <see cref="Origin"/> (once; later calls change nothing).</summary>
    public void Start() => Interlocked.CompareExchange(ref _startedAt, Stopwatch.GetTimestamp(), 0);

    public override DateTimeOffset GetUtcNow() =>
        Volatile.Read(ref _startedAt) is var startedAt and not 0
            ? Origin + TimeSpan.FromTicks((long)(Stopwatch.GetElapsedTime(startedAt).Ticks * Speed))
            : Origin;

    /// <summary>How much real time passes while this clock moves on by <paramref name="simulated"/>.</summary>
    public TimeSpan ToReal(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero ? simulated : TimeSpan.FromTicks((long)(simulated.Ticks / Speed));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(System.CreateTimer(callback, state, ToReal(dueTime), ToReal(period)), this);

    private sealed class ScaledTimer(ITimer inner, AcceleratedClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.ToReal(dueTime), clock.ToReal(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
