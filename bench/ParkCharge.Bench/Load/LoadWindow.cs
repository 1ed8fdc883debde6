using System.Diagnostics;

namespace ParkCharge.Bench.Load;

/// <summary>
/// When the measured window starts and ends, in <see cref="Stopwatch"/> ticks. The warm-up before it
/// can be prolonged while the server is still compiling (<see cref="Postpone"/>): chargers and the
/// meter read the bounds on every CALL.
/// </summary>
public sealed class LoadWindow(long startTicks, long endTicks)
{
    private long _start = startTicks;
    private long _end = endTicks;

    public long StartTicks => Volatile.Read(ref _start);

    public long EndTicks => Volatile.Read(ref _end);

    public bool Contains(long ticks) => ticks >= StartTicks && ticks < EndTicks;

    /// <summary>Moves the whole window later; only before it has started.</summary>
    public void Postpone(long ticks)
    {
        Volatile.Write(ref _end, EndTicks + ticks);
        Volatile.Write(ref _start, StartTicks + ticks);
    }
}
