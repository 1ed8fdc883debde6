namespace ParkCharge.Server.Webhooks;

/// <summary>
/// When to try a failed delivery again: exponential back-off (the wait doubles with each failure, up
/// to a ceiling) with "equal jitter" (half the wait fixed, half random), so receivers that come back
/// are not hit by every sender at the same instant, yet no retry comes sooner than half its step.
/// </summary>
public static class RetrySchedule
{
    /// <param name="failures">Failed attempts so far at this event (1 after the first failure).</param>
    public static TimeSpan After(int failures, TimeSpan first, TimeSpan ceiling, Random random)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var step = Math.Min(ceiling.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds((step / 2) + (random.NextDouble() * step / 2));
    }
}
