using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Tests.Cameras;

/// <summary>
/// Camera health on the engine's clock: silence judged against the other evidence and by opening hours, a clock
/// judged from many pushes, poor reads by their share; every alarm ended by camera.recovered.
/// </summary>
public sealed class CameraHealthTests
{
    /// <summary>08:00 in Europe/Berlin on the scenario's day (UTC+1 in March).</summary>
    private static readonly DateTimeOffset Eight = new(2026, 3, 2, 7, 0, 0, TimeSpan.Zero);

    private static SiteScenario Site(Func<CameraHealthSettings, CameraHealthSettings>? health = null, DateTimeOffset? start = null)
    {
        var site = new SiteScenario { Now = start ?? Eight }.WithCarPark();
        return health is null ? site : site.Reconfigure(c => c with { CameraHealth = health(c.CameraHealth ?? new CameraHealthSettings()) });
    }

    private static IEnumerable<T> Of<T>(SiteScenario site, string camera) where T : DomainEvent =>
        site.Events.OfType<T>().Where(e => e switch
        {
            CameraSilent s => s.Camera == camera,
            CameraClockSkewed s => s.Camera == camera,
            CameraDegraded d => d.Camera == camera,
            CameraRecovered r => r.Camera == camera,
            _ => false,
        });

    /// <summary>
    /// Cars in at one gate and out at the other a little later, both read (every other car comes in through the two-way
    /// lane instead): traffic every camera but the silent one sees.
    /// </summary>
    private static void Traffic(SiteScenario site, int cars, TimeSpan every, string? silent = null, Func<DateTimeOffset, DateTimeOffset>? clockOf = null)
    {
        for (var i = 0; i < cars; i++)
        {
            var plate = $"TR{site.Now:HHmm}{i:D2}";
            var entry = i % 2 == 0 ? "gate-in" : "gate-both";
            foreach (var camera in new[] { entry, "gate-out" }.Where(c => c != silent))
            {
                var at = clockOf is not null && camera == "gate-out" ? clockOf(site.Now) : site.Now;
                site.Read(camera, plate, at: at, direction: camera == "gate-both" ? TravelDirection.In : null);
                site.Advance(TimeSpan.FromSeconds(30));
            }

            site.Advance(every - TimeSpan.FromMinutes(1));
            site.RunTimers();
        }
    }

    [Fact]
    public void A_gate_camera_silent_while_the_other_gate_sees_traffic_is_flagged_soon_and_recovers_at_its_next_read()
    {
        var site = Site();
        Traffic(site, 20, TimeSpan.FromMinutes(3));
        Assert.Empty(site.Events.OfType<CameraSilent>());

        var lastRead = site.State.Cameras.Find("gate-in")!.LastReadAt;
        Traffic(site, 45, TimeSpan.FromMinutes(1), silent: "gate-in");

        // It had half of the first twenty cars; twenty in a row through the other entry (and none through it) is a
        // chance of one in a million for a camera that works. Every other car goes there, one a minute: 40-odd minutes.
        var silent = Assert.Single(site.Events.OfType<CameraSilent>());
        Assert.Equal(("gate-in", "in", lastRead), (silent.Camera, silent.Lane, silent.LastReadAt));
        Assert.InRange(silent.TrafficElsewhere, 18, 21);
        Assert.Contains("usually has", silent.Reason, StringComparison.Ordinal);
        Assert.InRange(silent.SilentFor, TimeSpan.FromMinutes(20), TimeSpan.FromMinutes(45));
        Assert.Empty(Of<CameraSilent>(site, "gate-out")); // exits are compared with exits
        Assert.Equal(silent.EventTime, site.State.Cameras.Find("gate-in")!.SilentSince);
        Assert.Empty(Of<CameraSilent>(site, "gate-out"));

        site.Read("gate-in", "BACK1");

        var recovered = Assert.Single(site.Events.OfType<CameraRecovered>());
        Assert.Equal(("gate-in", CameraCondition.Silent, silent.EventTime), (recovered.Camera, recovered.Condition, recovered.Since));
        Assert.Null(site.State.Cameras.Find("gate-in")!.SilentSince);
    }

    [Fact]
    public void However_much_the_others_see_a_camera_is_not_silent_before_the_minimum_silence()
    {
        var site = Site();
        Traffic(site, 6, TimeSpan.FromMinutes(2));
        var lastRead = site.State.Cameras.Find("gate-in")!.LastReadAt!.Value;

        // Twenty-five cars in through the two-way lane within five minutes: a rush there, not (yet) a broken camera.
        for (var i = 0; i < 25; i++)
        {
            site.Advance(TimeSpan.FromSeconds(12));
            site.Read("gate-both", $"K{1000 + (i * 7919 % 9000)}XZ", direction: TravelDirection.In);
        }

        site.RunTimers();
        Assert.Empty(site.Events.OfType<CameraSilent>());

        Assert.True(site.Now < lastRead + new CameraHealthSettings().MinimumSilence);

        site.Advance(TimeSpan.FromMinutes(10)).RunTimers();
        Assert.Equal(lastRead + new CameraHealthSettings().MinimumSilence, Assert.Single(site.Events.OfType<CameraSilent>(), e => e.Camera == "gate-in").EventTime);
    }

    [Fact]
    public void A_quiet_night_raises_no_silence_and_a_gate_that_stays_silent_after_opening_is_flagged_by_its_usual_rate()
    {
        // Three days of a gate reading a car every five minutes from 07:00 to 22:00 local, nothing at night.
        var site = Site(h => h with { OpeningHours = new OpeningHours(new TimeOnly(7, 0), new TimeOnly(22, 0)), SilentAfter = TimeSpan.FromHours(1) });
        for (var day = 0; day < 3; day++)
        {
            site.Now = Eight.AddDays(day).AddHours(-1); // 07:00 local
            for (var i = 0; i < 15 * 12; i++)
            {
                site.Read("gate-in", $"D{day}C{i:D3}");
                site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
            }

            for (var hour = 0; hour < 9; hour++)
            {
                site.Advance(TimeSpan.FromHours(1)).RunTimers();
            }
        }

        Assert.Empty(Of<CameraSilent>(site, "gate-in"));

        // The fourth morning nothing comes. Its quietest day had 12 cars an hour from 08:00 local (the hours before have
        // no three days of history yet and expect nothing): fourteen cars (e^-13.8 = one in a million) by 09:09.
        site.Now = Eight.AddDays(3).AddHours(-1);
        site.RunTimers();
        Assert.Empty(Of<CameraSilent>(site, "gate-in"));
        site.Advance(TimeSpan.FromHours(2)).RunTimers();
        Assert.Empty(Of<CameraSilent>(site, "gate-in"));
        site.Advance(TimeSpan.FromHours(1)).RunTimers();

        var silent = Assert.Single(Of<CameraSilent>(site, "gate-in"));
        Assert.Equal(Eight.AddDays(3).AddMinutes(69), silent.EventTime, TimeSpan.FromSeconds(30));
        Assert.Contains("opening hours", silent.Reason, StringComparison.Ordinal);
        Assert.Equal(12, site.State.Cameras.Find("gate-in")!.LeastReadsPerHour(silent.EventTime.AddHours(-1)));
    }

    [Fact]
    public void A_gate_quiet_at_that_hour_on_one_day_of_the_week_is_not_silent_by_the_clock()
    {
        var site = Site(h => h with { OpeningHours = new OpeningHours(new TimeOnly(7, 0), new TimeOnly(22, 0)) });
        for (var day = 0; day < 3; day++)
        {
            site.Now = Eight.AddDays(day).AddHours(-1);
            var quietMorning = day == 1;
            for (var i = 0; i < 15 * 12; i++)
            {
                if (!quietMorning || i >= 36)
                {
                    site.Read("gate-in", $"D{day}C{i:D3}");
                }

                site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
            }
        }

        // Its quietest day had nobody from 07:00 to 10:00: by the clock it is silent only once that day's later traffic
        // (12 an hour from 10:00) would have brought fourteen cars, at 11:09.
        site.Now = Eight.AddDays(3).AddHours(-1);
        site.Advance(TimeSpan.FromHours(3.5)).RunTimers();

        Assert.Empty(Of<CameraSilent>(site, "gate-in"));
        site.Advance(TimeSpan.FromHours(1)).RunTimers();
        Assert.Single(Of<CameraSilent>(site, "gate-in"));
    }

    [Fact]
    public void Without_opening_hours_a_site_with_no_traffic_elsewhere_has_no_silent_camera_however_long_it_is_quiet()
    {
        var site = Site();
        site.Read("gate-in", "ONE1");
        for (var hour = 0; hour < 30; hour++)
        {
            site.Advance(TimeSpan.FromHours(1)).RunTimers();
        }

        Assert.Empty(site.Events.OfType<CameraSilent>());
    }

    [Fact]
    public void A_camera_whose_clock_drifts_three_minutes_behind_is_clock_skewed_and_recovers_when_it_is_set_right()
    {
        var site = Site();
        Traffic(site, 10, TimeSpan.FromMinutes(6));
        Assert.Empty(site.Events.OfType<CameraClockSkewed>());
        Assert.Equal(TimeSpan.Zero, site.State.Cameras.Find("gate-out")!.ClockOffset);

        Traffic(site, 10, TimeSpan.FromMinutes(6), clockOf: now => now.AddMinutes(-3));

        var skewed = Assert.Single(site.Events.OfType<CameraClockSkewed>());
        Assert.Equal(("gate-out", TimeSpan.FromMinutes(-3)), (skewed.Camera, skewed.Offset));
        Assert.Empty(Of<CameraClockSkewed>(site, "gate-in"));

        Traffic(site, 10, TimeSpan.FromMinutes(6));

        var recovered = Assert.Single(site.Events.OfType<CameraRecovered>());
        Assert.Equal((CameraCondition.ClockSkewed, skewed.EventTime), (recovered.Condition, recovered.Since));
    }

    [Fact]
    public void A_camera_ahead_by_three_minutes_is_clock_skewed_too()
    {
        var site = Site();
        Traffic(site, 10, TimeSpan.FromMinutes(6), clockOf: now => now.AddMinutes(3));

        Assert.Equal(TimeSpan.FromMinutes(3), Assert.Single(site.Events.OfType<CameraClockSkewed>()).Offset);
    }

    [Fact]
    public void A_camera_with_a_right_clock_whose_reads_arrive_late_in_bursts_is_not_clock_skewed()
    {
        var site = Site();

        // Every quarter of an hour the camera's link comes back and it sends what it buffered: the reads of the
        // last fifteen minutes, each with its true capture time, all arriving at once.
        for (var burst = 0; burst < 12; burst++)
        {
            var start = site.Now;
            site.Advance(TimeSpan.FromMinutes(15));
            for (var i = 0; i < 6; i++)
            {
                site.Read("gate-in", $"B{burst:D2}C{i}", at: start.AddMinutes(i * 2.5));
            }

            site.Read("gate-in", $"B{burst:D2}NOW", at: site.Now.AddSeconds(-2));
        }

        Assert.Empty(site.Events.OfType<CameraClockSkewed>());
        Assert.InRange(site.State.Cameras.Find("gate-in")!.ClockOffset!.Value, TimeSpan.FromSeconds(-5), TimeSpan.Zero);
    }

    [Fact]
    public void One_read_from_a_far_away_clock_does_not_make_a_camera_skewed()
    {
        var site = Site();
        Traffic(site, 6, TimeSpan.FromMinutes(6));
        site.Read("gate-out", "ODD1", at: site.Now.AddMinutes(-40));
        Traffic(site, 6, TimeSpan.FromMinutes(6));

        Assert.Empty(site.Events.OfType<CameraClockSkewed>());
    }

    [Fact]
    public void A_camera_whose_reads_turn_poor_is_degraded_and_recovers_when_they_are_good_again()
    {
        var site = Site();
        for (var i = 0; i < 20; i++)
        {
            site.Read("gate-in", $"GOOD{i}", confidence: 0.95);
            site.Advance(TimeSpan.FromMinutes(1));
        }

        // A lens fogging up: more and more reads below the confidence threshold, some with no text at all.
        for (var i = 0; i < 12; i++)
        {
            site.Read("gate-in", i % 3 == 0 ? "--" : $"FOG{i}", confidence: 0.4);
            site.Advance(TimeSpan.FromMinutes(1));
        }

        var degraded = Assert.Single(site.Events.OfType<CameraDegraded>());
        Assert.Equal("gate-in", degraded.Camera);
        Assert.True(degraded.LowConfidenceShare + degraded.UnreadableShare >= 0.5);
        Assert.True(degraded.UnreadableShare > 0);

        for (var i = 0; i < 15; i++)
        {
            site.Read("gate-in", $"CLEAR{i}", confidence: 0.95);
            site.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(CameraCondition.Degraded, Assert.Single(site.Events.OfType<CameraRecovered>()).Condition);
        Assert.Single(site.Events.OfType<CameraDegraded>());
    }

    [Fact]
    public void A_bay_camera_is_silent_when_charges_start_at_its_bays_without_a_read()
    {
        var site = Site();
        site.Read("cam-b1", "SEEN1");
        site.Advance(TimeSpan.FromMinutes(30));
        site.Observe(new BayVacancyReported("cam-b1"));
        site.Advance(TimeSpan.FromMinutes(1));
        for (var i = 0; i < new CameraHealthSettings().SilentAmidCharges; i++)
        {
            var tx = site.PlugIn16("CP1", 1, $"RFID-{i}");
            site.Advance(TimeSpan.FromMinutes(10));
            site.Stop16("CP1", tx, 5_000);
            site.Advance(TimeSpan.FromMinutes(10));
        }

        site.RunTimers();
        var silent = Assert.Single(site.Events.OfType<CameraSilent>(), s => s.Camera == "cam-b1");
        Assert.Equal(["B1"], silent.Bays);
        Assert.Empty(Of<CameraSilent>(site, "cam-b2"));
    }

    [Fact]
    public void The_usual_rate_is_the_same_hour_on_the_days_before()
    {
        var site = Site();
        for (var day = 0; day < 3; day++)
        {
            var start = Eight.AddDays(day);
            site.Now = start;
            for (var i = 0; i < 4 + day; i++)
            {
                site.Read("gate-in", $"D{day}R{i}");
                site.Advance(TimeSpan.FromMinutes(5));
            }
        }

        var health = site.State.Cameras.Find("gate-in")!;
        Assert.Equal(6, health.ReadsLastHour(site.Now));
        Assert.Equal(4.5, health.UsualReadsPerHour(site.Now));
        Assert.Equal(0, health.UsualReadsPerHour(site.Now.AddHours(3)));
    }

    [Fact]
    public void Replaying_the_log_decides_the_same_camera_alarms()
    {
        var site = Site(h => h with { OpeningHours = new OpeningHours(new TimeOnly(7, 0), new TimeOnly(22, 0)) });
        Traffic(site, 10, TimeSpan.FromMinutes(4));
        Traffic(site, 50, TimeSpan.FromMinutes(2), silent: "gate-in", clockOf: now => now.AddMinutes(-3));
        site.Advance(TimeSpan.FromHours(3)).RunTimers();
        Assert.NotEmpty(site.Events.OfType<CameraSilent>());
        Assert.NotEmpty(site.Events.OfType<CameraClockSkewed>());

        var (replayed, events) = site.Replay();

        Assert.Equal(
            site.Events.Where(e => e.Type.StartsWith("camera.", StringComparison.Ordinal)).Select(e => (e.Type, e.EventTime)),
            events.Where(e => e.Type.StartsWith("camera.", StringComparison.Ordinal)).Select(e => (e.Type, e.EventTime)));
        Assert.Equal(
            site.State.Cameras.All.OrderBy(c => c.Camera).Select(c => (c.Camera, c.SilentSince, c.ClockSkewedSince, c.ClockOffset, c.LastReadAt)),
            replayed.Cameras.All.OrderBy(c => c.Camera).Select(c => (c.Camera, c.SilentSince, c.ClockSkewedSince, c.ClockOffset, c.LastReadAt)));
    }
}
