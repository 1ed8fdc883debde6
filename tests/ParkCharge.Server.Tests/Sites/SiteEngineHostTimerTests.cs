using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>
/// The site host's one timer: a deadline is met at or after its due time whatever the clock's resolution.
/// Timers fire early (the timer queue and the wall clock count differently, an accelerated clock rounds)
/// and late (a busy machine); neither may leave a plug-in waiting, nor stall the site's later deadlines.
/// </summary>
public sealed class SiteEngineHostTimerTests : IAsyncLifetime
{
    private static readonly SiteId Site = new("timers");
    private static readonly ChargerId Charger = new("CP1");

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
    private Store _store = null!;
    private int _keys;

    public async ValueTask InitializeAsync() =>
        _store = await TestStores.OpenAsync(new StoreOptions { DataDirectory = TestStores.NewFolder("timers") });

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Theory]
    [InlineData(0.0004)] // a fraction of a millisecond: what the independent harness saw
    [InlineData(3)]
    [InlineData(250)]
    public async Task A_timer_firing_early_is_armed_again_and_the_plug_in_is_decided_at_its_deadline(double earlyMilliseconds)
    {
        var early = TimeSpan.FromMilliseconds(earlyMilliseconds);
        await using var host = new SiteEngineHost(Site, _store, new SkewedTimers(_clock, -early), NullLogger.Instance, new QueueOptions());
        host.Start();
        var plugIn = await PlugInWithoutAnyReadAsync(host);
        var deadline = plugIn + new SiteSettings().BindingWindow;

        _clock.SetUtcNow(deadline - early); // the timer fires: the wall clock is not at the deadline yet
        Assert.Equal(BindingStatus.Waiting, (await BindingAsync(host)).Status);

        _clock.SetUtcNow(deadline + TimeSpan.FromMilliseconds(1)); // the timer armed again for what was left

        var binding = await EventuallyAsync(host, b => b.Status != BindingStatus.Waiting);
        Assert.Equal(BindingStatus.Review, binding.Status);
        Assert.False(await host.ReadAsync(s => s.NextDeadline) <= deadline);
    }

    [Fact]
    public async Task A_timer_firing_late_decides_the_plug_in_when_it_fires()
    {
        var late = TimeSpan.FromSeconds(7);
        await using var host = new SiteEngineHost(Site, _store, new SkewedTimers(_clock, late), NullLogger.Instance, new QueueOptions());
        host.Start();
        var plugIn = await PlugInWithoutAnyReadAsync(host);
        var deadline = plugIn + new SiteSettings().BindingWindow;

        _clock.SetUtcNow(deadline + TimeSpan.FromSeconds(1));
        Assert.Equal(BindingStatus.Waiting, (await BindingAsync(host)).Status);
        _clock.SetUtcNow(deadline + late);

        Assert.Equal(BindingStatus.Review, (await EventuallyAsync(host, b => b.Status != BindingStatus.Waiting)).Status);
    }

    [Fact]
    public async Task Every_later_plug_in_of_the_site_is_decided_when_timers_fire_early()
    {
        var early = TimeSpan.FromTicks(3);
        await using var host = new SiteEngineHost(Site, _store, new SkewedTimers(_clock, -early), NullLogger.Instance, new QueueOptions());
        host.Start();
        var window = new SiteSettings().BindingWindow;
        List<DateTimeOffset> plugIns = [await PlugInWithoutAnyReadAsync(host)];
        foreach (var connector in (int[])[2, 3])
        {
            _clock.Advance(TimeSpan.FromSeconds(30));
            plugIns.Add(_clock.GetUtcNow());
            await SubmitAsync(host, new TransactionStartReported(Charger, connector, $"RFID-{connector}", 0));
        }

        foreach (var deadline in plugIns.Select(p => p + window))
        {
            _clock.SetUtcNow(deadline - early); // each timer fires a moment before its deadline by the wall clock
            await host.ReadAsync(_ => 0); // the loop takes what the timer queued
        }

        _clock.Advance(TimeSpan.FromSeconds(1));

        var bindings = await EventuallyAsync(host, s => s.Binding.Bindings.ToList(), all => all.All(b => b.Status != BindingStatus.Waiting));
        Assert.Equal(3, bindings.Count);
        Assert.All(bindings, b => Assert.Equal(BindingStatus.Review, b.Status));
    }

    [Fact]
    public async Task A_deadline_a_late_read_sets_before_the_last_timer_is_still_met()
    {
        await using var host = new SiteEngineHost(Site, _store, _clock, NullLogger.Instance, new QueueOptions());
        host.Start();
        await PlugInWithoutAnyReadAsync(host);
        _clock.Advance(TimeSpan.FromMinutes(3)); // the binding window's timer fires
        await EventuallyAsync(host, b => b.Status != BindingStatus.Waiting);

        // A bay camera's read buffered for twenty minutes: the car has stood in B3 past the ICE limit
        // already, a deadline before the timer that just fired.
        var readAt = _clock.GetUtcNow() - TimeSpan.FromMinutes(20);
        await SubmitAsync(host, new PlateRead { Camera = "cam-b3", Plate = "PETROL1", Confidence = 0.9 }, readAt);
        _clock.Advance(SiteEngineHost.MissedDeadlineRetry);

        var visit = await EventuallyAsync(host, s => s.Parking.CurrentVisits.Single(), v => v.IceDetectedAt is not null);
        Assert.Equal("PETROL1", visit.Plate);
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.0001, 1.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(1.2, 2.0)]
    [InlineData(-5.0, 0.0)]
    public void A_timer_is_armed_for_at_least_what_is_left_in_whole_milliseconds(double leftMilliseconds, double armedMilliseconds)
    {
        var now = _clock.GetUtcNow();
        Assert.Equal(TimeSpan.FromMilliseconds(armedMilliseconds), SiteEngineHost.DelayUntil(now + TimeSpan.FromMilliseconds(leftMilliseconds), now));
    }

    /// <summary>A site with bays B1..B3 on CP1 (camera cam-b3 on B3), two cars inside, and a plug-in at B1 that no camera saw.</summary>
    private async Task<DateTimeOffset> PlugInWithoutAnyReadAsync(SiteEngineHost host)
    {
        await SubmitAsync(host, new SiteConfigured(new SiteConfiguration
        {
            Id = Site,
            Name = "Timers",
            TimeZone = "Europe/Berlin",
            Currency = "EUR",
            Lanes = [new LaneConfiguration("in", LaneDirection.Entry)],
            Cameras =
            [
                new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = "k" },
                new CameraConfiguration { Id = "cam-b3", Bays = [new CameraBay("B3")], KeyHash = "k" },
            ],
            EvBays =
            [
                new EvBayConfiguration { Id = "B1", Charger = Charger, Connector = 1 },
                new EvBayConfiguration { Id = "B2", Charger = Charger, Connector = 2 },
                new EvBayConfiguration { Id = "B3", Charger = Charger, Connector = 3 },
            ],
        }));
        await SubmitAsync(host, new ChargerRegistration(Charger, null, 0));
        await SubmitAsync(host, new PlateRead { Camera = "gate-in", Plate = "AAA111", Confidence = 0.95 });
        await SubmitAsync(host, new PlateRead { Camera = "gate-in", Plate = "BBB222", Confidence = 0.95 });
        _clock.Advance(TimeSpan.FromMinutes(3));
        var plugIn = _clock.GetUtcNow();
        await SubmitAsync(host, new TransactionStartReported(Charger, 1, "RFID-1", 0));
        Assert.Equal(BindingStatus.Waiting, (await BindingAsync(host)).Status);
        return plugIn;
    }

    private Task<Reply> SubmitAsync(SiteEngineHost host, ObservationPayload payload, DateTimeOffset? eventTime = null)
    {
        var now = _clock.GetUtcNow();
        return host.SubmitAsync(new Observation
        {
            Site = Site,
            Source = "test",
            Key = "test-" + ++_keys,
            EventTime = eventTime ?? now,
            ReceivedAt = now,
            Payload = payload,
        });
    }

    private static Task<ChargingBinding> BindingAsync(SiteEngineHost host) =>
        host.ReadAsync(s => s.Binding.Bindings.OrderBy(b => b.PlugInAt).First());

    private static Task<ChargingBinding> EventuallyAsync(SiteEngineHost host, Func<ChargingBinding, bool> done) =>
        EventuallyAsync(host, s => s.Binding.Bindings.OrderBy(b => b.PlugInAt).First(), done);

    /// <summary>The timer's observation goes through the host's queue: read until the loop has taken it.</summary>
    private static async Task<T> EventuallyAsync<T>(SiteEngineHost host, Func<SiteState, T> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await host.ReadAsync(read);
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// A clock whose timers fire <c>skew</c> after their due time, or before it when negative (by at most half
    /// the delay: a timer is early by a clock's rounding, not by its whole length), as real timers do.
    /// </summary>
    private sealed class SkewedTimers(TimeProvider clock, TimeSpan skew) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? dueTime : Skewed(dueTime), period);

        private TimeSpan Skewed(TimeSpan dueTime) =>
            skew >= TimeSpan.Zero ? dueTime + skew : dueTime - (-skew < dueTime / 2 ? -skew : dueTime / 2);
    }
}
