using ParkCharge.Server.Webhooks;

namespace ParkCharge.Server.Tests.Events;

/// <summary>When a failed webhook delivery is tried again.</summary>
public sealed class RetryScheduleTests
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Ceiling = TimeSpan.FromHours(1);

    [Fact]
    public void The_wait_doubles_with_each_failure_up_to_the_ceiling_and_at_most_half_of_it_is_random()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var random = new Random(seed);
            for (var failures = 1; failures <= 30; failures++)
            {
                var step = TimeSpan.FromSeconds(Math.Min(Ceiling.TotalSeconds, First.TotalSeconds * Math.Pow(2, failures - 1)));

                var wait = RetrySchedule.After(failures, First, Ceiling, random);

                Assert.InRange(wait, step / 2, step);
            }
        }
    }

    [Fact]
    public void Waits_are_spread_so_that_senders_do_not_retry_in_step()
    {
        var waits = Enumerable.Range(0, 100).Select(seed => RetrySchedule.After(5, First, Ceiling, new Random(seed))).ToHashSet();

        Assert.True(waits.Count > 90, $"{waits.Count} distinct waits out of 100");
    }
}
