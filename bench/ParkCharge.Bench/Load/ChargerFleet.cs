using System.Diagnostics;

namespace ParkCharge.Bench.Load;

/// <summary>
/// The N chargers of one scenario: connected and booted a few at a time (a real fleet does not
/// reconnect all at once either), then run together, watched by one timer for answers that never come.
/// </summary>
public sealed class ChargerFleet : IAsyncDisposable
{
    private readonly List<BenchCharger> _chargers;

    private ChargerFleet(List<BenchCharger> chargers) => _chargers = chargers;

    public int Connected => _chargers.Count;

    public int Alive
    {
        get
        {
            int alive = 0;
            foreach (var c in _chargers)
            {
                alive += c.Alive ? 1 : 0;
            }

            return alive;
        }
    }

    public long Sessions
    {
        get
        {
            long sessions = 0;
            foreach (var c in _chargers)
            {
                sessions += c.Sessions;
            }

            return sessions;
        }
    }

    /// <summary>Connects and boots every charger; those that fail are counted in the meter and left out.</summary>
    public static async Task<ChargerFleet> ConnectAsync(
        Uri endpoint, IReadOnlyList<string> ids, AnswerRule rule, LoadMeter meter, int concurrency, Action<int> progress, CancellationToken ct)
    {
        var connected = new BenchCharger?[ids.Count];
        using var gate = new SemaphoreSlim(concurrency);
        int done = 0;
        var tasks = new Task[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            int index = i;
            await gate.WaitAsync(ct);
            tasks[i] = Task.Run(async () =>
            {
                try
                {
                    var charger = await BenchCharger.ConnectAsync(endpoint, ids[index], rule, meter, ct);
                    if (await charger.BootAsync())
                    {
                        connected[index] = charger;
                    }
                    else
                    {
                        await charger.DisposeAsync();
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    meter.Failed(null, "connect failed", $"{ids[index]}: {e.GetType().Name}: {e.Message}");
                }
                finally
                {
                    gate.Release();
                    progress(Interlocked.Increment(ref done));
                }
            }, ct);
        }

        await Task.WhenAll(tasks);
        return new ChargerFleet([.. connected.OfType<BenchCharger>()]);
    }

    /// <summary>Runs every charger's sessions until the window ends and waits for the last answers.</summary>
    /// <param name="rate">
    /// Null: closed loop. Otherwise open loop at this many CALLs per second over the whole fleet, each charger sending
    /// every (chargers ÷ rate) seconds, their first CALLs spread evenly over one such interval.
    /// </param>
    public async Task RunAsync(LoadWindow window, int meterValuesPerSession, TimeSpan callTimeout, double? rate, CancellationToken ct)
    {
        var runs = new Task[_chargers.Count];
        long intervalTicks = rate is { } r ? (long)(_chargers.Count / r * Stopwatch.Frequency) : 0;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < _chargers.Count; i++)
        {
            var charger = _chargers[i];
            long firstDue = start + (intervalTicks * i / Math.Max(1, _chargers.Count));
            runs[i] = Task.Run(() => charger.RunAsync(window, meterValuesPerSession, intervalTicks, firstDue, ct), CancellationToken.None);
        }

        var all = Task.WhenAll(runs);
        long timeoutTicks = (long)(callTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None));
            long now = Stopwatch.GetTimestamp();
            foreach (var charger in _chargers)
            {
                long since = charger.OutstandingSince;
                if (since != 0 && now - since > timeoutTicks)
                {
                    charger.TimeOut();
                }
            }
        }

        await all;
    }

    public async Task CloseAsync(TimeSpan timeout)
    {
        var closing = new Task[_chargers.Count];
        for (int i = 0; i < _chargers.Count; i++)
        {
            closing[i] = _chargers[i].CloseAsync(timeout);
        }

        await Task.WhenAll(closing);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var charger in _chargers)
        {
            await charger.DisposeAsync();
        }

        _chargers.Clear();
    }
}
