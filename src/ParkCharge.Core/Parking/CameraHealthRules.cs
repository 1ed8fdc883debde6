using ParkCharge.Core.Billing;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// Which cameras are unwell. A silent camera looks the same as an empty lane, so silence is judged against the
/// site's other evidence: a lane camera that reads nothing while the other gates read vehicles and chargers start
/// (a bay camera: while charges start at its bays) is silent after <see cref="CameraHealthSettings.MinimumSilence"/>,
/// at any hour; within opening hours, also after <see cref="CameraHealthSettings.SilentAfter"/> without a push. A
/// clock is judged from many pushes, not one; read quality from the share of poor reads. Every alarm is ended by
/// <c>camera.recovered</c>. Pure: the time is the observation's and the timer's, so replay decides the same.
/// </summary>
internal static class CameraHealthRules
{
    /// <summary>How far ahead the silence deadline by opening hours is looked for (a week of closed days would be odd).</summary>
    private static readonly TimeSpan Horizon = TimeSpan.FromDays(8);

    /// <summary>After each decision: the push of a camera tells of that camera; a vehicle read or a charge started tells of the others.</summary>
    public static void AfterDecision(SiteChangeSet work)
    {
        if (work.Configuration is not { CameraHealth: not null } config)
        {
            return;
        }

        if (work.ConfigurationChanged)
        {
            Configured(work, config);
        }

        switch (work.Observation.Payload)
        {
            case PlateRead p:
                Pushed(work, config, p.Camera, Quality(config, p));
                break;
            case BayVacancyReported p:
                Pushed(work, config, p.Camera, null);
                break;
            case BayOccupancyReported p:
                Pushed(work, config, p.Camera, null);
                break;
        }

        TrafficElsewhere(work, config);
    }

    /// <summary>A timer: cameras whose silence has lasted long enough are silent, as of the moment it had.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { CameraHealth: not null } config)
        {
            return;
        }

        foreach (var camera in config.Cameras)
        {
            if (work.CameraHealth(camera.Id) is not { SilentSince: null } health)
            {
                continue;
            }

            var at = SilenceDue(config, camera, health);
            if (at <= work.Now)
            {
                Silent(work, config, camera, health, at.Value);
            }
            else if (at != health.SilenceDue)
            {
                work.Put(health with { SilenceDue = at });
            }
        }
    }

    /// <summary>The earliest moment a camera that is not silent yet would become so.</summary>
    public static DateTimeOffset? NextDeadline(CameraHealthState cameras, SiteConfiguration config)
    {
        DateTimeOffset? next = null;
        foreach (var health in cameras.All)
        {
            if (health is { SilentSince: null, SilenceDue: { } due } && (next is null || due < next) && config.FindCamera(health.Camera) is not null)
            {
                next = due;
            }
        }

        return next;
    }

    private static void Configured(SiteChangeSet work, SiteConfiguration config)
    {
        foreach (var camera in config.Cameras)
        {
            var health = work.CameraHealth(camera.Id) ?? new CameraHealth { Camera = camera.Id, WatchedSince = work.Now };
            health = health with { QuietDue = QuietDue(config, camera, health) };
            work.Put(health with { SilenceDue = SilenceDue(config, camera, health) });
        }
    }

    private static ReadQuality Quality(SiteConfiguration config, PlateRead read)
    {
        if (PlateText.Of(read.Plate).IsUnreadable)
        {
            return ReadQuality.Unreadable;
        }

        var threshold = config.FindCamera(read.Camera)?.MinConfidence ?? config.Settings.MinConfidence;
        return read.Confidence is { } confidence && confidence < threshold ? ReadQuality.LowConfidence : ReadQuality.Confident;
    }

    /// <summary>A push from the camera: it is not silent; its rate, clock and (for a plate read) read quality take it in.</summary>
    private static void Pushed(SiteChangeSet work, SiteConfiguration config, string cameraId, ReadQuality? quality)
    {
        if (config.FindCamera(cameraId) is not { } camera || !EventTimes.IsPlausible(work.EventTime, work.ReceivedAt))
        {
            return; // refused: nothing of the camera was taken
        }

        var settings = config.CameraHealth!; // the rules run only where the site has the settings (AfterDecision, Timer)
        var arrived = work.ReceivedAt;
        var health = work.CameraHealth(cameraId) ?? new CameraHealth { Camera = cameraId, WatchedSince = arrived };

        var hour = CameraHealth.HourOf(arrived);
        var hourly = health.HourlyReads.SetItem(hour, health.HourlyReads.GetValueOrDefault(hour) + 1);
        var oldest = hour.AddDays(-CameraHealth.UsualRateDays - 1);
        foreach (var old in hourly.Keys.TakeWhile(h => h < oldest).ToList())
        {
            hourly = hourly.Remove(old);
        }

        var offset = work.EventTime - arrived;
        var span = new DateTimeOffset(arrived.UtcTicks - (arrived.UtcTicks % CameraHealth.ClockSampleSpan.Ticks), TimeSpan.Zero);
        var clock = health.Clock;
        if (clock.Length > 0 && clock[^1].Span == span)
        {
            clock = clock.SetItem(clock.Length - 1, new ClockSample(span, offset > clock[^1].Offset ? offset : clock[^1].Offset));
        }
        else
        {
            clock = clock.Add(new ClockSample(span, offset));
            clock = clock.Length > CameraHealth.ClockSamples ? clock.RemoveAt(0) : clock;
        }

        var reads = health.RecentReads;
        if (quality is { } q)
        {
            reads = reads.Add(q);
            reads = reads.Length > settings.QualityWindow ? reads.RemoveRange(0, reads.Length - settings.QualityWindow) : reads;
        }

        var before = health;
        health = health with
        {
            LastReadAt = health.LastReadAt is { } last && last > arrived ? last : arrived,
            LastCaptureAt = work.EventTime,
            HourlyReads = hourly,
            Clock = clock,
            RecentReads = reads,
            TrafficElsewhere = 0,
        };

        if (before.SilentSince is { } silentSince)
        {
            health = health with { SilentSince = null };
            Recovered(work, health, CameraCondition.Silent, silentSince, $"a push arrived at {arrived:O}, captured {work.EventTime:O}");
        }

        health = Clock(work, settings, health);
        health = Reads(work, settings, health);
        health = health with { QuietDue = QuietDue(config, camera, health) };
        work.Put(health with { SilenceDue = SilenceDue(config, camera, health) });
    }

    private static CameraHealth Clock(SiteChangeSet work, CameraHealthSettings settings, CameraHealth health)
    {
        if (health.ClockOffset is not { } offset)
        {
            return health;
        }

        if (health.ClockSkewedSince is null && offset.Duration() > settings.MaxClockOffset)
        {
            work.Publish(new CameraClockSkewed(health.Camera, offset, settings.MaxClockOffset, health.Clock.Length) { EventTime = work.Now });
            return health with { ClockSkewedSince = work.Now };
        }

        if (health.ClockSkewedSince is { } since && offset.Duration() <= settings.MaxClockOffset / 2)
        {
            Recovered(work, health, CameraCondition.ClockSkewed, since, $"its clock is {Describe(offset)} (limit {Sites.Files.Durations.Format(settings.MaxClockOffset)})");
            return health with { ClockSkewedSince = null };
        }

        return health;
    }

    private static CameraHealth Reads(SiteChangeSet work, CameraHealthSettings settings, CameraHealth health)
    {
        if (health.RecentReads.Length < (settings.QualityWindow + 1) / 2)
        {
            return health;
        }

        var poor = health.LowConfidenceShare + health.UnreadableShare;
        if (health.DegradedSince is null && poor >= settings.DegradedShare)
        {
            work.Publish(new CameraDegraded(health.Camera, Math.Round(health.LowConfidenceShare, 3), Math.Round(health.UnreadableShare, 3), health.RecentReads.Length, settings.DegradedShare)
            {
                EventTime = work.Now,
            });
            return health with { DegradedSince = work.Now };
        }

        if (health.DegradedSince is { } since && poor <= settings.DegradedShare / 2)
        {
            Recovered(work, health, CameraCondition.Degraded, since, $"{poor:P0} of its last {health.RecentReads.Length} reads were poor");
            return health with { DegradedSince = null };
        }

        return health;
    }

    /// <summary>
    /// What this decision tells of the cameras that did not push: a vehicle newly read at a lane is traffic for the
    /// other lanes of its direction (and its own share of it); a charge started, and a vehicle read arriving at a bay
    /// without a stay (it came in unseen), is traffic for the entries; a charge started at a bay where its camera saw
    /// no vehicle is traffic for that camera. (Exits without an entry are not counted: they tell that an entry was
    /// missed, but not when.)
    /// </summary>
    private static void TrafficElsewhere(SiteChangeSet work, SiteConfiguration config)
    {
        var seenAt = work.NewSightings().Where(s => s.Place == SightingPlace.Lane).Select(s => config.FindCamera(s.Camera)).OfType<CameraConfiguration>().ToList();
        var charges = work.Published.OfType<ChargingStarted>().Select(e => config.BayServedBy(e.Session.Charger, e.Session.Connector)?.Id).ToList();
        var unseenAt = charges.OfType<string>().Where(bay => !work.CurrentVisits().Any(v => v.Bay == bay && v.Source == BayVisitSource.BayCamera)).ToList();
        var cameForward = work.ChangedVisits.Count(v => v.ParkingSessionId is null && v.Source == BayVisitSource.BayCamera && work.State.Parking.FindVisit(v.Id) is null);
        if (seenAt.Count == 0 && charges.Count == 0 && cameForward == 0)
        {
            return;
        }

        foreach (var camera in config.Cameras)
        {
            if (work.CameraHealth(camera.Id) is not { } health)
            {
                continue;
            }

            int peers, own = 0;
            if (camera.IsLaneCamera)
            {
                var direction = DirectionOf(config, camera);
                own = seenAt.Count(c => c.Id == camera.Id);
                peers = seenAt.Count(c => c.Id != camera.Id && Comparable(direction, DirectionOf(config, c)))
                    + (direction == LaneDirection.Exit ? 0 : charges.Count + cameForward);
            }
            else
            {
                peers = unseenAt.Count(b => camera.Bays.Any(cb => cb.Bay == b));
            }

            if (peers == 0 && own == 0)
            {
                continue;
            }

            var ownTraffic = health.OwnTraffic + own;
            var peerTraffic = health.PeerTraffic + peers;
            if (ownTraffic + peerTraffic > ShareMemory)
            {
                (ownTraffic, peerTraffic) = (ownTraffic / 2, peerTraffic / 2);
            }

            health = health with
            {
                TrafficElsewhere = health.TrafficElsewhere + peers,
                OwnTraffic = ownTraffic,
                PeerTraffic = peerTraffic,
            };
            health = health with { SilenceDue = SilenceDue(config, camera, health) };
            work.Put(health);
            if (health is { SilentSince: null, SilenceDue: { } due } && due <= work.Now)
            {
                Silent(work, config, camera, health, work.Now);
            }
        }
    }

    /// <summary>How much traffic the usual share remembers (older traffic counts half each time it is reached).</summary>
    private const double ShareMemory = 200;

    /// <summary>
    /// How unlikely the silence must be before the traffic elsewhere makes a lane camera silent: the chance that a working
    /// camera with its usual share saw none of it.
    /// </summary>
    private const double SilenceChance = 0.000001;

    /// <summary>
    /// How many reads the camera's usual rate must have expected in its silence, for opening hours to make it silent:
    /// as many as make no read at all as unlikely as <see cref="SilenceChance"/> (Poisson: e^-9.2 = 0.0001).
    /// </summary>
    private static readonly double ExpectedReads = -Math.Log(SilenceChance);

    private static LaneDirection DirectionOf(SiteConfiguration config, CameraConfiguration camera) =>
        camera.Lane is { } lane ? config.FindLane(lane)?.Direction ?? LaneDirection.Both : LaneDirection.Both;

    /// <summary>Entries are compared with entries, exits with exits; a two-way lane with both.</summary>
    private static bool Comparable(LaneDirection a, LaneDirection b) => a == b || a == LaneDirection.Both || b == LaneDirection.Both;

    /// <summary>How much traffic elsewhere a lane camera may miss before it is silent: more, the smaller its usual share.</summary>
    private static int TrafficNeeded(CameraHealthSettings settings, CameraHealth health) =>
        Math.Max(settings.SilentAmidTraffic, (int)Math.Ceiling(Math.Log(SilenceChance) / Math.Log(1 - health.UsualShare)));

    /// <summary>
    /// When the camera, unless it pushes first, is silent: <see cref="CameraHealthSettings.MinimumSilence"/> after its
    /// last push once the traffic elsewhere made its silence unlikely; for a lane camera, also
    /// when opening hours and its usual rate say so (<see cref="CameraHealth.QuietDue"/>). Null when nothing applies yet.
    /// </summary>
    private static DateTimeOffset? SilenceDue(SiteConfiguration config, CameraConfiguration camera, CameraHealth health)
    {
        var settings = config.CameraHealth!; // the rules run only where the site has the settings (AfterDecision, Timer)
        var last = health.LastReadAt ?? health.WatchedSince;
        var amidTraffic = camera.IsLaneCamera
            ? settings.SilentAmidTraffic > 0 && health.TrafficElsewhere >= TrafficNeeded(settings, health)
            : settings.SilentAmidCharges > 0 && health.TrafficElsewhere >= settings.SilentAmidCharges;
        DateTimeOffset? due = amidTraffic ? last + settings.MinimumSilence : null;
        return health.QuietDue is { } quiet && (due is null || quiet < due) ? quiet : due;
    }

    /// <summary>
    /// When a lane camera is silent by the clock: once <see cref="CameraHealthSettings.SilentAfter"/> of opening hours
    /// passed since its last push and even its quietest rate for those hours (the same hours on the days before, at least
    /// three of them) expected so many reads in them (<see cref="ExpectedReads"/>) that none at all would be as unlikely
    /// as <see cref="SilenceChance"/>. A gate that is quiet at that hour on some day of the week (an exit in the morning)
    /// is not silent by the clock; a camera without three days of history is judged by the traffic elsewhere alone.
    /// </summary>
    private static DateTimeOffset? QuietDue(SiteConfiguration config, CameraConfiguration camera, CameraHealth health)
    {
        var settings = config.CameraHealth!; // the rules run only where the site has the settings (AfterDecision, Timer)
        if (!camera.IsLaneCamera || settings.OpeningHours is not { } hours)
        {
            return null;
        }

        var last = health.LastReadAt ?? health.WatchedSince;
        var open = TimeSpan.Zero;
        var expected = 0.0;
        foreach (var (start, end) in hours.Intervals(last, last + Horizon, TimeZones.Find(config.TimeZone)))
        {
            var from = start > last ? start : last;
            while (from < end)
            {
                var hourEnd = CameraHealth.HourOf(from).AddHours(1);
                var to = hourEnd < end ? hourEnd : end;
                var rate = health.LeastReadsPerHour(from) ?? 0;
                var forOpen = settings.SilentAfter - open;
                var forExpected = expected >= ExpectedReads ? TimeSpan.Zero : rate > 0 ? TimeSpan.FromHours((ExpectedReads - expected) / rate) : TimeSpan.MaxValue;
                var needed = forOpen > forExpected ? forOpen : forExpected;
                if (needed <= to - from)
                {
                    return from + (needed > TimeSpan.Zero ? needed : TimeSpan.Zero);
                }

                open += to - from;
                expected += rate * (to - from).TotalHours;
                from = to;
            }
        }

        return null;
    }

    private static void Silent(SiteChangeSet work, SiteConfiguration config, CameraConfiguration camera, CameraHealth health, DateTimeOffset at)
    {
        var settings = config.CameraHealth!; // the rules run only where the site has the settings (AfterDecision, Timer)
        var last = health.LastReadAt ?? health.WatchedSince;
        var reason = health.QuietDue is { } quiet && quiet <= at
            ? $"no push for {Sites.Files.Durations.Format(at - last)}, {Sites.Files.Durations.Format(settings.SilentAfter)} or more of it in opening hours, when even its quietest day had {Math.Round(ExpectedReads)} or more vehicles in that time"
            : !camera.IsLaneCamera
                ? $"{health.TrafficElsewhere} charges started at its bays since its last push"
                : $"{health.TrafficElsewhere} vehicles at the other lanes and charges since its last push, of which it usually has {health.UsualShare:P0}";
        work.Put(health with { SilentSince = at });
        work.Publish(new CameraSilent(camera.Id, camera.Lane, [.. camera.Bays.Select(b => b.Bay)], health.LastReadAt, at - last, health.TrafficElsewhere, reason)
        {
            EventTime = at,
        });
    }

    private static void Recovered(SiteChangeSet work, CameraHealth health, CameraCondition condition, DateTimeOffset since, string detail) =>
        work.Publish(new CameraRecovered(health.Camera, condition, since, detail) { EventTime = work.Now });

    private static string Describe(TimeSpan offset)
    {
        var text = Sites.Files.Durations.Format(offset.Duration());
        return offset < TimeSpan.Zero ? $"{text} behind" : offset > TimeSpan.Zero ? $"{text} ahead" : "right";
    }
}
