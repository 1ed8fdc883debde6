namespace ParkCharge.Testing;

/// <summary>
/// Waiting in a test for what another thread or process does: read, and read again when the system under
/// test signals a change (<c>changed</c>: a commit of the node's store, a line of a process's output), so
/// that a test neither sleeps a fixed time nor polls blindly. Between signals (and without one), reads
/// back off from 10 ms to 200 ms, for changes no signal announces. Every wait is bounded by
/// <see cref="Patience"/> in real time, only to keep a broken test from hanging: none expects anything
/// to take that long. The one place tests wait by the wall clock.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads until <paramref name="done"/> holds and returns that value; when time runs out, returns the
    /// last value read, for the caller's assertion to show.
    /// </summary>
    /// <param name="changed">Takes the system's next change signal; taken before each read, awaited after it.</param>
    /// <param name="longestPause">The longest back-off between reads (200 ms unless given).</param>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, Func<Task>? changed = null, TimeSpan? within = null, TimeSpan? longestPause = null)
    {
        using var patience = new CancellationTokenSource(within ?? Patience);
        var longest = longestPause ?? TimeSpan.FromMilliseconds(200);
        var pause = TimeSpan.FromMilliseconds(Math.Min(10, longest.TotalMilliseconds));
        while (true)
        {
            var next = changed?.Invoke();
            var value = await read();
            if (done(value) || patience.IsCancellationRequested)
            {
                return value;
            }

            try
            {
                // A signal wakes the next read at once; the back-off covers changes the signal does not announce.
                var backOff = Task.Delay(pause, patience.Token);
                await (next is null ? backOff : Task.WhenAny(next, backOff)).WaitAsync(patience.Token);
            }
            catch (OperationCanceledException) when (patience.IsCancellationRequested)
            {
                // One more read, then the caller asserts on what it got.
            }

            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, longest.Ticks));
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails (<see cref="TimeoutException"/>) naming <paramref name="what"/> when time runs out.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, Func<Task>? changed = null, TimeSpan? within = null, TimeSpan? longestPause = null)
    {
        if (!await UntilAsync(() => Task.FromResult(condition()), static held => held, changed, within, longestPause))
        {
            throw new TimeoutException($"Still waiting for {what} after {(within ?? Patience).TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails (<see cref="TimeoutException"/>) naming <paramref name="what"/> when time runs out.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, Func<Task>? changed = null, TimeSpan? within = null, TimeSpan? longestPause = null)
    {
        if (!await UntilAsync(condition, static held => held, changed, within, longestPause))
        {
            throw new TimeoutException($"Still waiting for {what} after {(within ?? Patience).TotalSeconds:0.#} s.");
        }
    }
}
