using System.Diagnostics;

using ParkCharge.Server.Telemetry;

namespace ParkCharge.Server.Tests.Operations;

/// <summary>
/// The node keeps the trace each of its last 20,000 events came from (so that a webhook delivery joins it), counted
/// without taking the dictionary's locks: many sites remember at once, and the bound must hold all the same.
/// </summary>
public sealed class TraceOriginsTests
{
    private const int Capacity = 20_000;

    [Fact]
    public void Beyond_twenty_thousand_events_the_oldest_origins_are_forgotten_and_the_newest_kept()
    {
        var origins = new TraceOrigins();
        var origin = Origin();
        for (var seq = 1; seq <= Capacity + 500; seq++)
        {
            origins.Remember("site-a", seq, 1, origin);
        }

        Assert.Equal(default, origins.Of("site-a", 1));
        Assert.Equal(default, origins.Of("site-a", 500));
        Assert.Equal(origin, origins.Of("site-a", 501));
        Assert.Equal(origin, origins.Of("site-a", Capacity + 500));
    }

    [Fact]
    public void An_event_remembered_twice_counts_once_so_it_pushes_nothing_else_out()
    {
        var origins = new TraceOrigins();
        var first = Origin();
        for (var seq = 1; seq <= Capacity; seq++)
        {
            origins.Remember("site-a", seq, 1, first);
        }

        for (var again = 0; again < 1_000; again++)
        {
            origins.Remember("site-a", Capacity, 1, Origin()); // the same event: the first origin stays, nothing is dropped
        }

        Assert.Equal(first, origins.Of("site-a", 1));
        Assert.Equal(first, origins.Of("site-a", Capacity));
    }

    [Fact]
    public async Task Sites_remembering_at_the_same_time_keep_the_bound()
    {
        var origins = new TraceOrigins();
        var origin = Origin();
        const int sites = 8;
        const int perSite = 5_000; // 40,000 in all, twice the capacity
        await Task.WhenAll(Enumerable.Range(0, sites).Select(s => Task.Run(() =>
        {
            for (var seq = 1; seq <= perSite; seq++)
            {
                origins.Remember($"site-{s}", seq, 1, origin);
            }
        })));

        var kept = Enumerable.Range(0, sites).Sum(s => Enumerable.Range(1, perSite).Count(seq => origins.Of($"site-{s}", seq) != default));
        Assert.InRange(kept, Capacity - sites, Capacity); // two sites evicting at once may each take one more
    }

    private static ActivityContext Origin() => new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
}
