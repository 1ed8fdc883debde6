namespace ParkCharge.Server.Hosting;

/// <summary>The loop of a node's periodic work (retention, log compaction, the review-queue gauge, cluster registration): a first pass a while after start (or at once), then one every interval, until the node stops.</summary>
internal static class PeriodicPasses
{
    /// <summary>Runs <paramref name="pass"/> after <paramref name="firstAfter"/> and then every <paramref name="interval"/>; returns when the node stops.</summary>
    public static async Task RunAsync(TimeSpan firstAfter, TimeSpan interval, TimeProvider time, Func<CancellationToken, Task> pass, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(firstAfter, time, stoppingToken);
            using var timer = new PeriodicTimer(interval, time);
            do
            {
                await pass(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping; the next pass (or the next start) does what this one did not.
        }
    }
}
