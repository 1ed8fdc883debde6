using System.Collections.Immutable;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// How plate reads become sightings, parking sessions and bay visits. Cameras read a car many
/// times, misread characters, miss cars and drift; every odd case is kept and listed as an
/// anomaly, never dropped, and ambiguity goes to review rather than to a guess (DESIGN.md §2).
/// </summary>
internal static class ParkingRules
{
    private static readonly Refused NotConfigured = new("The site has no configuration: load a site file or PUT /api/v1/sites/{id}.");

    /// <summary>How far inside its bay's part of the picture (in picture widths) a plate must be for its bay to be certain.</summary>
    private const double PlacedClear = 0.1;

    /// <summary>How many recent pushes of a camera say how far its clock runs ahead.</summary>
    private const int CameraLeadSamples = 9;

    /// <summary>A camera less than this ahead is taken as right (the server's own clock and the network jitter).</summary>
    private static readonly TimeSpan CameraAheadTolerance = TimeSpan.FromSeconds(5);

    /// <summary>How long before its exit a car that came in unseen may have stood at a bay (its visits there join its stay).</summary>
    private static readonly TimeSpan UnseenStay = TimeSpan.FromHours(12);

    /// <summary>How soon after a car was read at a bay another plate read there, near the line, is taken for the car next door.</summary>
    private static readonly TimeSpan NextDoor = TimeSpan.FromMinutes(2);

    /// <summary>How long after its outlet was unplugged (or its bay reported empty) a car may still be read pulling out.</summary>
    private static readonly TimeSpan PullingOut = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A capture time outside <see cref="EventTimes"/>' window is refused (the edge answers 400 before it
    /// gets here; this keeps reads logged by older versions from reaching the rules on replay).
    /// </summary>
    private static Refused? OutOfRange(SiteChangeSet work) =>
        EventTimes.IsPlausible(work.EventTime, work.ReceivedAt)
            ? null
            : new Refused($"The capture time {work.EventTime:O} is outside {EventTimes.Describe(work.ReceivedAt)}.");

    public static Reply Configure(SiteChangeSet work, SiteConfigured p)
    {
        if (p.Configuration.Id != work.State.Site)
        {
            return new Refused($"The configuration is for site '{p.Configuration.Id}', not '{work.State.Site}'.");
        }

        work.Configure(p.Configuration);
        work.Publish(new SiteConfigurationChanged(p.Configuration.Id, p.Configuration.Name) { EventTime = work.EventTime });
        return Acknowledged.Instance;
    }

    public static Reply Read(SiteChangeSet work, PlateRead p)
    {
        if (work.Configuration is not { } config)
        {
            return NotConfigured;
        }

        if (OutOfRange(work) is { } outOfRange)
        {
            return outOfRange;
        }

        if (config.FindCamera(p.Camera) is not { } camera)
        {
            return new Refused($"Camera '{p.Camera}' is not configured at site '{config.Id}'.");
        }

        var settings = config.Settings;
        var clockAhead = work.EventTime > work.ReceivedAt + settings.MaxClockAhead;
        var time = CaptureTime(work, camera.Id);

        var plate = PlateText.Of(p.Plate);
        var read = new SightingRead(time, p.Plate, plate.Normalized, p.Confidence, work.Observation.Key);
        var threshold = camera.MinConfidence ?? settings.MinConfidence;
        var confident = !plate.IsUnreadable && (p.Confidence is null || p.Confidence >= threshold);
        var bay = camera.IsLaneCamera ? null : BayOf(camera, p.Zone, p.PlateX);

        var placed = camera.Bays.Count == 1 || (p.Zone is null && p.PlateX is { } x && camera.Bays.Any(b => b.Contains(x) && Math.Min(x - b.XMin!.Value, b.XMax!.Value - x) >= PlacedClear));
        var nearLine = !placed && p.Zone is null && p.PlateX is not null && camera.Bays.Count == 2;
        var sighting = FindSighting(work, camera, bay, plate.Normalized, time, settings.SightingGap, p.Track);
        if (sighting is not null)
        {
            var before = sighting;
            sighting = sighting with
            {
                Reads = sighting.Reads.Add(read).Sort((a, b) => a.At.CompareTo(b.At)),
                Best = Better(sighting.Best, read),
                Direction = sighting.Direction ?? p.Direction,
                Region = sighting.Region ?? p.Region,
                Track = sighting.Track ?? p.Track,
            };
            work.Put(sighting);
            if (!before.Acted && confident && !AwaitsDirection(config, camera, sighting, p))
            {
                ResolveAnomalies(work, sighting.Id, ParkingAnomalyKind.LowConfidence, "a later read of the sighting was confident enough");
                Act(work, config, camera, sighting, placed, nearLine);
            }
            else if (before.Acted && before.Direction is null && sighting.Direction is not null && confident && IsTwoWay(config, camera))
            {
                // The sighting was taken at a two-way lane without a direction (a direction-unknown anomaly, no entry
                // or exit); a read of it that arrived late (a tracking camera's queued update) says which way it went.
                ResolveAnomalies(work, sighting.Id, ParkingAnomalyKind.DirectionUnknown, "a later read of the sighting gave the direction of travel");
                FollowBestRead(work, before, sighting);
                Act(work, config, camera, sighting, placed, nearLine);
            }
            else if (before.Acted)
            {
                FollowBestRead(work, before, sighting);
            }

            return Acknowledged.Instance;
        }

        sighting = new Sighting
        {
            Id = work.NewId("sighting"),
            Camera = camera.Id,
            Place = camera.IsLaneCamera ? SightingPlace.Lane : SightingPlace.Bay,
            Lane = camera.Lane,
            Bay = bay,
            Direction = p.Direction,
            Region = p.Region,
            Track = p.Track,
            Reads = [read],
            Best = read,
        };
        work.Put(sighting);
        if (clockAhead)
        {
            Raise(work, ParkingAnomalyKind.CameraClockAhead, time, sighting, detail: $"camera '{camera.Id}' reported {work.EventTime:O}, after the arrival time {work.ReceivedAt:O}; {time:O} was used");
        }

        if (plate.IsUnreadable)
        {
            Raise(work, ParkingAnomalyKind.UnreadablePlate, time, sighting, detail: $"camera '{camera.Id}' sent a read without readable text ('{p.Plate}')");
        }
        else if (!confident)
        {
            Raise(work, ParkingAnomalyKind.LowConfidence, time, sighting, detail: $"confidence {p.Confidence:0.##} is below the threshold {threshold:0.##}: kept as evidence");
        }
        else if (!AwaitsDirection(config, camera, sighting, p))
        {
            Act(work, config, camera, sighting, placed, nearLine);
        }

        return Acknowledged.Instance;
    }

    /// <summary>
    /// A tracking camera on a two-way lane sends its first push of a vehicle before it knows the direction
    /// (AXIS License Plate Verifier: "the direction is always undefined" in a new event, an update follows
    /// when it is detected). Acting on it would make a direction-unknown anomaly of every vehicle, so the
    /// sighting waits for a push with the direction, or for the track's last one.
    /// </summary>
    private static bool AwaitsDirection(SiteConfiguration config, CameraConfiguration camera, Sighting sighting, PlateRead read) =>
        read is { Track: not null, TrackEnded: false } && sighting.Direction is null && IsTwoWay(config, camera);

    private static bool IsTwoWay(SiteConfiguration config, CameraConfiguration camera) =>
        camera.Lane is { } lane && config.FindLane(lane)?.Direction == LaneDirection.Both;

    public static Reply Vacated(SiteChangeSet work, BayVacancyReported p)
    {
        if (BayCameraReport(work, p.Camera) is { } refused)
        {
            return refused;
        }

        var bays = BaysReported(work.Configuration!.FindCamera(p.Camera)!, p.Zone);
        var at = CaptureTime(work, p.Camera);
        foreach (var visit in work.CurrentVisits().Where(v => bays.Contains(v.Bay) && v.LastSeenAt <= at).ToList())
        {
            EndVisit(work, visit, BayVisitEnd.Vacated, at);
        }

        return Acknowledged.Instance;
    }

    /// <summary>
    /// A bay reported taken without a plate: the vehicle of the bay's current visit is still there, so a vacancy
    /// reported for an earlier moment (a delayed push) no longer ends the visit. Without a visit it is kept as evidence only.
    /// </summary>
    public static Reply Occupied(SiteChangeSet work, BayOccupancyReported p)
    {
        if (BayCameraReport(work, p.Camera) is { } refused)
        {
            return refused;
        }

        var bays = BaysReported(work.Configuration!.FindCamera(p.Camera)!, p.Zone);
        var at = CaptureTime(work, p.Camera);
        foreach (var visit in work.CurrentVisits().Where(v => bays.Contains(v.Bay) && v.LastSeenAt < at).ToList())
        {
            work.Put(visit with { LastSeenAt = at });
        }

        return Acknowledged.Instance;
    }

    /// <summary>Null when a bay camera's report can be taken: the site is configured, the time plausible, the camera a bay camera.</summary>
    private static Refused? BayCameraReport(SiteChangeSet work, string cameraId)
    {
        if (work.Configuration is not { } config)
        {
            return NotConfigured;
        }

        if (OutOfRange(work) is { } outOfRange)
        {
            return outOfRange;
        }

        return config.FindCamera(cameraId) is { IsLaneCamera: false }
            ? null
            : new Refused($"Camera '{cameraId}' is not a bay camera at site '{config.Id}'.");
    }

    /// <summary>
    /// The bays a bay camera's report of a zone is about. A parking camera reports every space it sees, and the
    /// site names the ones that are its bays by zone: a space that is none of them is no bay (even at a camera with
    /// one bay); no zone at a camera with several bays is all of them.
    /// </summary>
    private static List<string> BaysReported(CameraConfiguration camera, string? zone)
    {
        var unknownZone = zone is not null && camera.Bays.Any(b => b.Zone is not null)
            && !camera.Bays.Any(b => string.Equals(b.Zone, zone, StringComparison.OrdinalIgnoreCase));
        return unknownZone ? []
            : zone is null && camera.Bays.Count > 1 ? [.. camera.Bays.Select(b => b.Bay)]
            : BayOf(camera, zone, null) is { } bay ? [bay] : [];
    }

    /// <summary>
    /// When a camera's push really happened, by the server's clock. A camera whose clock runs ahead stamps its
    /// pushes after their arrival, which cannot be: once a few pushes have shown it, by as much as its recent
    /// pushes were ahead (the median of the last few, so that one push delayed in its buffer or a clock set
    /// right changes little), its times are moved back. A time still further ahead of its arrival than the site
    /// believes gets the arrival time. A camera that runs behind cannot be told from one whose pushes take long
    /// to arrive; its times are kept.
    /// </summary>
    private static DateTimeOffset CaptureTime(SiteChangeSet work, string camera)
    {
        var lead = work.EventTime - work.ReceivedAt;
        var leads = work.CameraLeads(camera).Add(lead);
        leads = leads.Length > CameraLeadSamples ? leads.RemoveAt(0) : leads;
        work.Put(camera, leads);
        var median = leads.Sort()[leads.Length / 2];
        var ahead = leads.Length >= CameraLeadSamples && median > CameraAheadTolerance ? median : TimeSpan.Zero;
        var time = work.EventTime - ahead;
        return time > work.ReceivedAt + (work.Configuration?.Settings.MaxClockAhead ?? TimeSpan.Zero) ? work.ReceivedAt : time;
    }

    /// <summary>
    /// A connector going back to Available after its cable was in, with no read at its bay since, ends the visit
    /// there: of the car that stood there when the cable went in (<paramref name="cableInSince"/>). A car that
    /// arrived since (the Available reported late, after the charger was offline) is not the one that left.
    /// </summary>
    public static void ConnectorBecameAvailable(SiteChangeSet work, Charging.ChargerId charger, Charging.ConnectorRef connector, DateTimeOffset cableInSince, DateTimeOffset at)
    {
        if (work.Configuration?.BayServedBy(charger, connector) is not { } bay)
        {
            return;
        }

        // A visit the charger's bay sensor placed ends when that sensor says the vehicle left, not when the cable came out.
        foreach (var visit in work.CurrentVisits().Where(v => v.Bay == bay.Id && v.Source == BayVisitSource.BayCamera && v.LastSeenAt < at
            && v.StartedAt <= cableInSince + work.Configuration.Settings.BindingWindow).ToList())
        {
            EndVisit(work, visit, BayVisitEnd.ConnectorAvailable, at);
        }
    }

    /// <summary>Flags sessions that have been open longer than the site's maximum stay.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var session in work.OpenParkingSessions().ToList())
        {
            if (session.EnteredAt is { } entered && entered + config.Settings.MaxStay <= due && !session.Anomalies.HasFlag(ParkingAnomalies.OverMaxStay))
            {
                var flagged = session with { Anomalies = session.Anomalies | ParkingAnomalies.OverMaxStay, UpdatedAt = work.ReceivedAt };
                work.Put(flagged);
                Raise(work, ParkingAnomalyKind.OverMaxStay, due, null, flagged, detail: $"open since {entered:O}, longer than the maximum stay of {config.Settings.MaxStay}");
            }
        }
    }

    /// <summary>The earliest maximum stay to run out among the open sessions not yet flagged.</summary>
    public static DateTimeOffset? NextDeadline(ParkingState parking, SiteConfiguration config)
    {
        DateTimeOffset? next = null;
        foreach (var session in parking.OpenSessions)
        {
            if (session.EnteredAt is { } entered && !session.Anomalies.HasFlag(ParkingAnomalies.OverMaxStay) && (next is null || entered + config.Settings.MaxStay < next))
            {
                next = entered + config.Settings.MaxStay;
            }
        }

        return next;
    }

    public static Reply CorrectPlate(SiteChangeSet work, PlateCorrected p)
    {
        if (work.ParkingSession(p.ParkingSessionId) is not { } session)
        {
            return new Refused($"No parking session '{p.ParkingSessionId}'.");
        }

        var plate = PlateText.Of(p.Plate);
        if (plate.IsUnreadable)
        {
            return new Refused("The corrected plate has no letters or digits.");
        }

        var corrected = session with { Plate = plate.Normalized, PlateRaw = p.Plate, Anomalies = session.Anomalies | ParkingAnomalies.Corrected, UpdatedAt = work.ReceivedAt };
        work.Put(corrected);
        work.Add(new AuditEntry(work.ReceivedAt, p.By, "parking.plate_corrected", session.Id, p.Reason, $"{session.Plate} -> {plate.Normalized}"));
        work.Publish(new ParkingSessionUpdated(ParkingSessionSummary.Of(corrected), $"plate corrected from {session.Plate}") { EventTime = work.EventTime });
        Binding.BindingRules.OnParkingSession(work, corrected, null, $"plate corrected by {p.By}: {p.Reason}");
        return Acknowledged.Instance;
    }

    public static Reply CloseByOperator(SiteChangeSet work, ParkingSessionClosedByOperator p)
    {
        if (work.ParkingSession(p.ParkingSessionId) is not { } session)
        {
            return new Refused($"No parking session '{p.ParkingSessionId}'.");
        }

        if (!session.IsOpen)
        {
            return new Refused($"Parking session '{session.Id}' is already closed.");
        }

        if (p.ExitedAt is { } given && !EventTimes.IsPlausible(given, work.ReceivedAt))
        {
            return new Refused($"The exit time {given:O} is outside {EventTimes.Describe(work.ReceivedAt)}.");
        }

        Sighting? exit = null;
        if (p.ExitSightingId is { } sightingId)
        {
            exit = work.Sighting(sightingId);
            if (exit is null)
            {
                return new Refused($"No sighting '{sightingId}' (sightings are kept for {ParkingState.SightingRetention.TotalDays} days).");
            }
        }

        var exitedAt = p.ExitedAt ?? exit?.FirstSeenAt ?? work.EventTime;
        Close(work, session, exitedAt, exit, ParkingSessionClosure.Operator);
        if (exit is not null)
        {
            work.Put(exit with { Acted = true, ParkingSessionId = session.Id });
            ResolveAnomalies(work, exit.Id, ParkingAnomalyKind.ExitAmbiguous, $"assigned to session {session.Id} by {p.By}: {p.Reason}");
        }

        work.Add(new AuditEntry(work.ReceivedAt, p.By, "parking.session_closed", session.Id, p.Reason, $"exited at {exitedAt:O}" + (exit is null ? "" : $" (sighting {exit.Id})")));
        return Acknowledged.Instance;
    }

    public static Reply Merge(SiteChangeSet work, ParkingSessionsMerged p)
    {
        if (work.ParkingSession(p.KeepSessionId) is not { } keep || work.ParkingSession(p.MergeSessionId) is not { } merge || keep.Id == merge.Id)
        {
            return new Refused("Both sessions must exist and differ.");
        }

        var entered = Earliest(keep.EnteredAt, merge.EnteredAt);
        var exited = keep.IsOpen && merge.IsOpen ? null : Latest(keep.ExitedAt, merge.ExitedAt);
        var merged = keep with
        {
            EnteredAt = entered,
            EntrySightingId = entered == keep.EnteredAt ? keep.EntrySightingId : merge.EntrySightingId,
            EntryLane = entered == keep.EnteredAt ? keep.EntryLane : merge.EntryLane,
            ExitedAt = exited,
            ExitSightingId = exited == keep.ExitedAt ? keep.ExitSightingId : merge.ExitSightingId,
            ExitLane = exited == keep.ExitedAt ? keep.ExitLane : merge.ExitLane,
            Status = exited is null ? ParkingSessionStatus.Open : ParkingSessionStatus.Closed,
            ClosedBy = exited is null ? null : keep.ClosedBy ?? merge.ClosedBy,
            BayVisitIds = keep.BayVisitIds.AddRange(merge.BayVisitIds),
            MergedSessionIds = keep.MergedSessionIds.Add(merge.Id),
            Anomalies = (keep.Anomalies | ParkingAnomalies.Corrected) & ~ParkingAnomalies.ExitWithoutEntry,
            UpdatedAt = work.ReceivedAt,
        };
        var absorbed = merge with { Status = ParkingSessionStatus.Closed, ClosedBy = ParkingSessionClosure.Merged, ExitedAt = merge.ExitedAt ?? exited ?? work.EventTime, Anomalies = merge.Anomalies | ParkingAnomalies.Corrected, UpdatedAt = work.ReceivedAt };
        work.Put(merged);
        work.Put(absorbed);
        foreach (var visitId in merge.BayVisitIds)
        {
            if (work.Visit(visitId) is { } visit)
            {
                work.Put(visit with { ParkingSessionId = keep.Id });
            }
        }

        foreach (var anomaly in work.OpenAnomalies().Where(a => a.ParkingSessionId == merge.Id || a.ParkingSessionId == keep.Id).ToList())
        {
            work.Put(anomaly with { Resolved = true, Resolution = $"sessions merged by {p.By}: {p.Reason}" });
        }

        work.Add(new AuditEntry(work.ReceivedAt, p.By, "parking.sessions_merged", keep.Id, p.Reason, $"merged {merge.Id} into {keep.Id}"));
        work.Publish(new ParkingSessionUpdated(ParkingSessionSummary.Of(merged), $"merged with {merge.Id}") { EventTime = work.EventTime });
        work.Publish(new ParkingSessionClosed(ParkingSessionSummary.Of(absorbed), null, ParkingSessionClosure.Merged) { EventTime = work.EventTime });
        Binding.BindingRules.OnParkingSession(work, absorbed, merged.Id, $"sessions merged by {p.By}: {p.Reason}");
        Binding.BindingRules.OnParkingSession(work, merged, null, $"sessions merged by {p.By}: {p.Reason}");
        return Acknowledged.Instance;
    }

    /// <param name="placed">The read's bay is certain: the camera covers one bay, or the plate was well inside its bay's part of the picture.</param>
    /// <param name="nearLine">The read was placed by plate position, near the line between the camera's two bays.</param>
    private static void Act(SiteChangeSet work, SiteConfiguration config, CameraConfiguration camera, Sighting sighting, bool placed, bool nearLine)
    {
        sighting = sighting with { Acted = true };
        work.Put(sighting);
        if (camera.Lane is { } laneId)
        {
            var direction = config.FindLane(laneId)?.Direction switch
            {
                LaneDirection.Entry => TravelDirection.In,
                LaneDirection.Exit => TravelDirection.Out,
                _ => sighting.Direction,
            };
            switch (direction)
            {
                case TravelDirection.In:
                    Enter(work, config, sighting);
                    break;
                case TravelDirection.Out:
                    Exit(work, config, sighting);
                    break;
                default:
                    Raise(work, ParkingAnomalyKind.DirectionUnknown, sighting.FirstSeenAt, sighting, detail: $"lane '{laneId}' is two-way and camera '{camera.Id}' gave no direction of travel");
                    break;
            }
        }
        else
        {
            Arrive(work, camera, sighting, placed, nearLine);
        }
    }

    private static void Enter(SiteChangeSet work, SiteConfiguration config, Sighting sighting)
    {
        var at = sighting.FirstSeenAt;
        if (InferredStays.TakeLateEntry(work, config, sighting))
        {
            return;
        }

        if (config.Settings.ReentryWindow > TimeSpan.Zero
            && work.RecentParkingSessions()
                .Where(s => s is { Status: ParkingSessionStatus.Closed, ClosedBy: ParkingSessionClosure.ExitRead, ExitedAt: { } exited } && exited <= at && at - exited <= config.Settings.ReentryWindow && s.Plate == sighting.Plate)
                .OrderByDescending(s => s.ExitedAt)
                .FirstOrDefault() is { } left)
        {
            var reopened = left with { Status = ParkingSessionStatus.Open, ExitedAt = null, ExitSightingId = null, ExitLane = null, ClosedBy = null, Anomalies = left.Anomalies | ParkingAnomalies.ReEntry, UpdatedAt = work.ReceivedAt };
            work.Put(reopened);
            work.Put(sighting with { ParkingSessionId = reopened.Id });
            work.Publish(new ParkingSessionUpdated(ParkingSessionSummary.Of(reopened), $"re-entered {at - left.ExitedAt!.Value:c} after leaving") { EventTime = at });
            return;
        }

        // Only the exact plate counts as "already inside": two cars with look-alike plates are common
        // enough, and a car that is inside cannot drive in again, so a similar plate is another car.
        var inside = work.OpenParkingSessions().Where(s => s.Plate == sighting.Plate).ToList();
        var session = new ParkingSession
        {
            Id = work.NewId("parking-session"),
            Site = work.State.Site,
            Plate = sighting.Plate,
            PlateRaw = sighting.Best.Raw,
            Region = sighting.Region,
            Status = ParkingSessionStatus.Open,
            EnteredAt = at,
            EntrySightingId = sighting.Id,
            EntryLane = sighting.Lane,
            Anomalies = inside.Count > 0 ? ParkingAnomalies.EntryWhileInside : ParkingAnomalies.None,
            UpdatedAt = work.ReceivedAt,
        };
        foreach (var earlier in inside)
        {
            // A vehicle cannot be inside twice: its exit was missed. It left at the latest now; with inferred stays on,
            // at its last evidence of presence.
            if (InferredStays.LeftBefore(work, config, earlier, at) is { } inferred)
            {
                Close(work, earlier with { Anomalies = earlier.Anomalies | ParkingAnomalies.ExitNotRead | ParkingAnomalies.ExitInferred }, inferred.At, null, ParkingSessionClosure.ReEntered);
                InferredStays.ExitInferred(work, earlier.Id, inferred.At, inferred.Reason, inferred.Evidence);
                continue;
            }

            Close(work, earlier with { Anomalies = earlier.Anomalies | ParkingAnomalies.ExitNotRead }, Latest(earlier.EnteredAt, at)!.Value, null, ParkingSessionClosure.ReEntered);
        }

        work.Put(session);
        work.Put(sighting with { ParkingSessionId = session.Id });
        work.Publish(new ParkingSessionOpened(ParkingSessionSummary.Of(session), sighting.Lane) { EventTime = at });
        if (inside.Count > 0)
        {
            Raise(work, ParkingAnomalyKind.EntryWhileInside, at, sighting, session, [.. inside.Select(s => s.Id)],
                $"{sighting.Plate} entered while session {string.Join(", ", inside.Select(s => s.Id))} was open; that one was closed (exit not read)");
        }
    }

    private static void Exit(SiteChangeSet work, SiteConfiguration config, Sighting sighting)
    {
        var at = sighting.FirstSeenAt;
        if (InferredStays.TakeLateExit(work, config, sighting) is { } replaced)
        {
            // Bay visits of the car since its inferred exit (it was still here) join the stay, as for any exit read.
            Reconcile(work, replaced, sighting, at, orphan: false);
            return;
        }

        var exact = work.OpenParkingSessions().Where(s => s.Plate == sighting.Plate).OrderByDescending(s => s.EnteredAt).FirstOrDefault();
        if (exact is not null)
        {
            Close(work, exact, at, sighting, ParkingSessionClosure.ExitRead);
            Reconcile(work, exact.Id, sighting, at, orphan: false);
            return;
        }

        // One OCR error from the plate of a car that is plugged in and charging now: another car (a look-alike
        // plate, its entry not read), not that one leaving.
        var similar = work.OpenParkingSessions().Where(s => PlateSimilarity.IsSameVehicle(s.Plate, sighting.Plate) && !Binding.BindingRules.IsChargingAt(work, s.Id, at)).ToList();
        if (similar.Count == 1)
        {
            Close(work, similar[0] with { Anomalies = similar[0].Anomalies | ParkingAnomalies.MatchedBySimilarity }, at, sighting, ParkingSessionClosure.ExitRead);
            Reconcile(work, similar[0].Id, sighting, at, orphan: false);
            return;
        }

        if (similar.Count > 1)
        {
            Raise(work, ParkingAnomalyKind.ExitAmbiguous, at, sighting, null, [.. similar.Select(s => s.Id)],
                $"exit read {sighting.Plate} is like {string.Join(", ", similar.Select(s => s.Plate))} inside: an operator must choose");
            return;
        }

        var orphan = new ParkingSession
        {
            Id = work.NewId("parking-session"),
            Site = work.State.Site,
            Plate = sighting.Plate,
            PlateRaw = sighting.Best.Raw,
            Region = sighting.Region,
            Status = ParkingSessionStatus.Closed,
            ExitedAt = at,
            ExitSightingId = sighting.Id,
            ExitLane = sighting.Lane,
            ClosedBy = ParkingSessionClosure.ExitRead,
            Anomalies = ParkingAnomalies.ExitWithoutEntry,
            UpdatedAt = work.ReceivedAt,
        };
        work.Put(orphan);
        work.Put(sighting with { ParkingSessionId = orphan.Id });
        work.Publish(new ParkingSessionClosed(ParkingSessionSummary.Of(orphan), sighting.Lane, ParkingSessionClosure.ExitRead) { EventTime = at });
        Raise(work, ParkingAnomalyKind.ExitWithoutEntry, at, sighting, orphan, detail: $"{sighting.Plate} left but no open session matches it");
        Reconcile(work, orphan.Id, sighting, at, orphan: true);
    }

    /// <summary>
    /// A car leaving: a bay visit no stay was found for (its entry was missed, or its bay read is one OCR error
    /// off) whose plate is the exit read's was this car's; one within one OCR error of it too, when this car's
    /// entry was not read either (<paramref name="orphan"/>: a car that came in unseen) and no other vehicle
    /// inside is like it; never a visit that began while this car was charging at another bay. The visit joins the
    /// stay and ends, and the charging bound to it follows to the stay's bill.
    /// </summary>
    private static void Reconcile(SiteChangeSet work, string sessionId, Sighting exit, DateTimeOffset at, bool orphan)
    {
        if (work.ParkingSession(sessionId) is { } stay)
        {
            Binding.BindingRules.OnStayLeft(work, stay, exit.Plate, orphan);
        }

        // Visits at bays since the car may have come in (it left within the last half day), current or ended.
        var open = work.OpenParkingSessions().ToList();
        foreach (var visit in work.Visits().Where(v => v.ParkingSessionId is null && v.StartedAt <= at && (v.EndedAt is null || at - v.EndedAt <= UnseenStay)
            && (v.Plate == exit.Plate || (orphan && PlateSimilarity.IsSameVehicle(v.Plate, exit.Plate)))).ToList())
        {
            if (visit.Plate != exit.Plate && open.Any(s => PlateSimilarity.IsSameVehicle(s.Plate, visit.Plate) && !Binding.BindingRules.IsChargingAt(work, s.Id, visit.StartedAt, exceptBay: visit.Bay)))
            {
                continue; // like a vehicle still inside too (one not charging at another bay then): not for the exit read to decide
            }

            if (Binding.BindingRules.IsChargingAt(work, sessionId, visit.StartedAt, exceptBay: visit.Bay, leftAt: at))
            {
                continue; // this car was charging at another bay then: the read there was another car's (a look-alike)
            }

            var joined = visit with { ParkingSessionId = sessionId };
            work.Put(joined);
            if (work.ParkingSession(sessionId) is { } session && !session.BayVisitIds.Contains(visit.Id))
            {
                work.Put(session with { BayVisitIds = session.BayVisitIds.Add(visit.Id), UpdatedAt = work.ReceivedAt });
            }

            foreach (var anomaly in work.OpenAnomalies().Where(a => a.Kind == ParkingAnomalyKind.VisitWithoutSession && a.SightingId == visit.SightingId).ToList())
            {
                work.Put(anomaly with { Resolved = true, Resolution = $"the exit read {exit.Plate} names the stay {sessionId}", ParkingSessionId = sessionId });
            }

            if (joined.IsCurrent)
            {
                EndVisit(work, joined, BayVisitEnd.ExitedCarPark, Latest(visit.LastSeenAt, at)!.Value);
            }
            else
            {
                Binding.BindingRules.OnVisit(work, joined, $"the exit read {exit.Plate} names the stay of {visit.Plate}");
            }
        }
    }

    internal static void Close(SiteChangeSet work, ParkingSession session, DateTimeOffset at, Sighting? exit, ParkingSessionClosure closure)
    {
        var anomalies = session.Anomalies;
        if (session.EnteredAt is { } entered && at < entered)
        {
            // Camera clocks disagree: the exit camera says the car left before the entry camera saw it come.
            anomalies |= ParkingAnomalies.ExitBeforeEntry;
            at = entered;
        }

        var closed = session with
        {
            Status = ParkingSessionStatus.Closed,
            ExitedAt = at,
            ExitSightingId = exit?.Id ?? session.ExitSightingId,
            ExitLane = exit?.Lane ?? session.ExitLane,
            ClosedBy = closure,
            Anomalies = anomalies | (closure == ParkingSessionClosure.Operator ? ParkingAnomalies.Corrected : ParkingAnomalies.None),
            UpdatedAt = work.ReceivedAt,
        };
        work.Put(closed);
        if (exit is not null)
        {
            work.Put((work.Sighting(exit.Id) ?? exit) with { ParkingSessionId = closed.Id });
        }

        foreach (var visit in work.CurrentVisits().Where(v => v.ParkingSessionId == closed.Id).ToList())
        {
            EndVisit(work, visit, BayVisitEnd.ExitedCarPark, Latest(visit.LastSeenAt, at)!.Value);
        }

        foreach (var anomaly in work.OpenAnomalies().Where(a => a.Kind == ParkingAnomalyKind.OverMaxStay && a.ParkingSessionId == closed.Id).ToList())
        {
            work.Put(anomaly with { Resolved = true, Resolution = "the session closed" });
        }

        work.Publish(new ParkingSessionClosed(ParkingSessionSummary.Of(closed), closed.ExitLane, closure) { EventTime = at });
    }

    private static void Arrive(SiteChangeSet work, CameraConfiguration camera, Sighting sighting, bool placed, bool nearLine)
    {
        if (sighting.Bay is not { } bay)
        {
            Raise(work, ParkingAnomalyKind.BayUnknown, sighting.FirstSeenAt, sighting, detail: $"camera '{sighting.Camera}' covers several bays and the read named none");
            return;
        }

        var at = sighting.FirstSeenAt;
        var current = work.CurrentVisits().FirstOrDefault(v => v.Bay == bay);
        if (current is not null && PlateSimilarity.IsSameVehicle(current.Plate, sighting.Plate))
        {
            var extended = current with { LastSeenAt = Latest(current.LastSeenAt, sighting.LastSeenAt)!.Value, StartedAt = at < current.StartedAt ? at : current.StartedAt };
            work.Put(extended);
            work.Put(sighting with { BayVisitId = current.Id });
            Binding.BindingRules.OnVisit(work, extended, "a bay read arrived");
            return;
        }

        // A camera watching two bays places a read by zone or plate position; a car pulling out, or parked
        // off-centre, lands on the other side of the line. The car this camera sees (or just saw, pulling out)
        // at the other bay is that one: the read is its, not a new car's here (unless the plate sat well
        // inside this bay's part of the picture).
        // The same goes for a car read again at its own bay as it pulls out, its cable already out (or the bay
        // reported empty): that is the visit ending, not a new one.
        if (work.Visits().Where(v => (v.Bay == bay || (!placed && camera.Bays.Any(b => b.Bay == v.Bay))) && v.StartedAt <= at
                && (v.EndedAt is null ? v.Bay != bay : v.EndReason is BayVisitEnd.ConnectorAvailable or BayVisitEnd.Vacated && v.EndedAt <= at && at - v.EndedAt <= PullingOut)
                && PlateSimilarity.IsSameVehicle(v.Plate, sighting.Plate)).MaxBy(v => v.StartedAt) is { } there)
        {
            work.Put(sighting with { BayVisitId = there.Id });
            if (there.IsCurrent)
            {
                var seen = there with { LastSeenAt = Latest(there.LastSeenAt, sighting.LastSeenAt)!.Value };
                work.Put(seen);
                Binding.BindingRules.OnVisit(work, seen, "a bay read arrived");
            }

            return;
        }

        // One car is not replaced by another within seconds: a read near the line between the camera's two bays,
        // at a bay whose car was read a moment ago (or is charging there), while the other bay stands empty, is
        // the car next door (two cars parking side by side at once, one plate off-centre).
        if (nearLine && current is not null && at >= current.StartedAt && (at - current.LastSeenAt <= NextDoor || IsCharging(work, current))
            && camera.Bays.FirstOrDefault(b => b.Bay != bay) is { } other && !work.CurrentVisits().Any(v => v.Bay == other.Bay))
        {
            var nextDoor = sighting with { Bay = other.Bay };
            work.Put(nextDoor);
            Arrive(work, camera, nextDoor, placed: true, nearLine: false);
            return;
        }

        // The car at this bay is charging, its cable in, and the read comes after its binding window (so it is no
        // evidence about who plugged in, whenever it arrives): another plate read here is a car passing by, the
        // neighbour's car placed on this side, or a misread, not a new occupant.
        if (current is not null && at >= current.StartedAt && IsPluggedIn(work, current, at))
        {
            Raise(work, ParkingAnomalyKind.ReadAtChargingBay, at, sighting, null, current.ParkingSessionId is { } occupant ? [occupant] : [],
                $"{sighting.Plate} read at bay {bay} while {current.Plate} charges there: kept as evidence, {current.Plate} stays");
            return;
        }

        // A read delivered late, from before the vehicle that stands there now: a visit in the past.
        var endedBefore = current is not null && at < current.StartedAt ? current.StartedAt : (DateTimeOffset?)null;
        if (current is not null && endedBefore is null)
        {
            EndVisit(work, current, BayVisitEnd.AnotherVehicle, Latest(current.LastSeenAt, at)!.Value);
        }

        // The same plate at another bay: the car moved, unless it is charging there (its cable is in): then this
        // is another car, a look-alike plate or a misread, and cannot be that one.
        foreach (var elsewhere in work.CurrentVisits().Where(v => v.Bay != bay && v.StartedAt <= at && PlateSimilarity.IsSameVehicle(v.Plate, sighting.Plate) && !IsCharging(work, v)).ToList())
        {
            EndVisit(work, elsewhere, BayVisitEnd.MovedToAnotherBay, Latest(elsewhere.LastSeenAt, at)!.Value);
        }

        var matches = Match(work, sighting.Plate, bay);
        var session = matches.Count == 1 ? matches[0] : null;

        // A read delivered after its car had left (a camera running behind, a buffered push): the visit is that
        // stay's, and it ended when the car left.
        var gone = matches.Count == 0 ? LeftSince(work, sighting.Plate, at, bay) : null;
        session ??= gone;
        var (endedAt, endReason) = endedBefore is { } replaced && (gone?.ExitedAt is not { } exit || replaced <= exit) ? (endedBefore, BayVisitEnd.AnotherVehicle)
            : gone?.ExitedAt is { } left ? (left, BayVisitEnd.ExitedCarPark)
            : ((DateTimeOffset?)null, (BayVisitEnd?)null);
        var visit = new BayVisit
        {
            Id = work.NewId("bay-visit"),
            Bay = bay,
            Plate = sighting.Plate,
            PlateRaw = sighting.Best.Raw,
            ParkingSessionId = session?.Id,
            StartedAt = at,
            LastSeenAt = sighting.LastSeenAt,
            SightingId = sighting.Id,
            EndedAt = endedAt,
            EndReason = endReason,
        };
        work.Put(visit);
        work.Put(sighting with { BayVisitId = visit.Id });
        if (session is not null)
        {
            work.Put(session with { BayVisitIds = session.BayVisitIds.Add(visit.Id), UpdatedAt = work.ReceivedAt });
        }
        else
        {
            Raise(work, ParkingAnomalyKind.VisitWithoutSession, at, sighting, null, [.. matches.Select(s => s.Id)],
                matches.Count == 0 ? $"{sighting.Plate} at bay {bay} has no open parking session" : $"{sighting.Plate} at bay {bay} is like several vehicles inside");
        }

        work.Publish(new BayVehicleArrived(bay, visit.Plate, visit.Id, visit.ParkingSessionId) { EventTime = at });
        if (endedAt is { } ended)
        {
            work.Publish(new BayVehicleLeft(bay, visit.Plate, visit.Id, visit.ParkingSessionId, endReason!.Value) { EventTime = ended });
        }

        Binding.BindingRules.OnVisit(work, visit, "a bay read arrived");
    }

    internal static void EndVisit(SiteChangeSet work, BayVisit visit, BayVisitEnd reason, DateTimeOffset at)
    {
        var ended = (work.Visit(visit.Id) ?? visit) with { EndedAt = at, EndReason = reason };
        work.Put(ended);
        work.Publish(new BayVehicleLeft(ended.Bay, ended.Plate, ended.Id, ended.ParkingSessionId, reason) { EventTime = at });
        Binding.BindingRules.OnVisit(work, ended, $"{ended.Plate} left bay {ended.Bay}");
    }

    /// <summary>
    /// When a later read of an acted-on sighting is better than the one it acted on, the session or
    /// visit it made takes the better plate (unless an operator has set the plate).
    /// </summary>
    private static void FollowBestRead(SiteChangeSet work, Sighting before, Sighting after)
    {
        if (before.Best.Plate == after.Best.Plate)
        {
            if (after.BayVisitId is { } id && work.Visit(id) is { IsCurrent: true } extended)
            {
                work.Put(extended with { LastSeenAt = Latest(extended.LastSeenAt, after.LastSeenAt)!.Value });
            }

            return;
        }

        if (after.ParkingSessionId is { } sessionId && work.ParkingSession(sessionId) is { } session
            && session.EntrySightingId == after.Id && !session.Anomalies.HasFlag(ParkingAnomalies.Corrected))
        {
            var better = session with { Plate = after.Plate, PlateRaw = after.Best.Raw, UpdatedAt = work.ReceivedAt };
            work.Put(better);
            work.Publish(new ParkingSessionUpdated(ParkingSessionSummary.Of(better), $"plate read better: {session.Plate} -> {after.Plate}") { EventTime = after.LastSeenAt });
        }

        if (after.BayVisitId is { } visitId && work.Visit(visitId) is { } visit)
        {
            var better = visit with { Plate = after.Plate, PlateRaw = after.Best.Raw, LastSeenAt = Latest(visit.LastSeenAt, after.LastSeenAt)!.Value };
            work.Put(better);
            Binding.BindingRules.OnVisit(work, better, "a better read of the plate");
        }
    }

    /// <summary>
    /// The stay of the car with this plate (exactly, or the only one within one OCR error) that was inside at
    /// <paramref name="at"/> and has left since, unless it was charging at another bay then.
    /// </summary>
    private static ParkingSession? LeftSince(SiteChangeSet work, string plate, DateTimeOffset at, string bay)
    {
        var left = work.RecentParkingSessions()
            .Where(s => s.ExitedAt is { } exited && exited >= at && exited - at <= UnseenStay && (s.EnteredAt is null || s.EnteredAt <= at)
                && s.ClosedBy != ParkingSessionClosure.Merged && !Binding.BindingRules.IsChargingAt(work, s.Id, at, exceptBay: bay, leftAt: exited))
            .ToList();
        var exact = left.Where(s => s.Plate == plate).ToList();
        var similar = exact.Count > 0 ? exact : [.. left.Where(s => PlateSimilarity.IsSameVehicle(s.Plate, plate))];
        return similar.Count == 1 ? similar[0] : null;
    }

    /// <summary>
    /// Open sessions of the plate read at <paramref name="bay"/>: the exact plate if there is one, else every
    /// OCR-similar one; never a vehicle charging at another bay right now (a look-alike read as its plate is another car).
    /// </summary>
    private static List<ParkingSession> Match(SiteChangeSet work, string plate, string? bay = null)
    {
        var pinned = bay is null ? [] : work.CurrentVisits().Where(v => v.Bay != bay && v.ParkingSessionId is not null && IsCharging(work, v))
            .Select(v => v.ParkingSessionId!).ToHashSet(StringComparer.Ordinal);
        var open = work.OpenParkingSessions().Where(s => !pinned.Contains(s.Id)).ToList();
        var exact = open.Where(s => s.Plate == plate).ToList();
        return exact.Count > 0 ? exact : [.. open.Where(s => PlateSimilarity.IsSameVehicle(s.Plate, plate))];
    }

    /// <summary>The visit's vehicle is charging at its bay now (a charge bound to it is running): it is plugged in there.</summary>
    private static bool IsCharging(SiteChangeSet work, BayVisit visit) =>
        visit.ChargingSessionIds.Any(id => work.Session(id) is { Status: Charging.ChargingSessionStatus.Active });

    /// <summary>
    /// The visit's vehicle is charging there for sure at <paramref name="at"/>: a running charge is bound to it
    /// and its binding window was over by then, and its charger is online (a stop would have been reported; an
    /// offline charger's may be queued).
    /// </summary>
    private static bool IsPluggedIn(SiteChangeSet work, BayVisit visit, DateTimeOffset at) =>
        visit.ChargingSessionIds.Any(id => work.Session(id) is { Status: Charging.ChargingSessionStatus.Active } session
            && work.Binding(id) is { IsBound: true } binding && binding.PlugInAt + (work.Configuration?.Settings.BindingWindow ?? TimeSpan.Zero) < at
            && work.Charger(session.Charger)?.Connection is not null);

    /// <summary>
    /// How long one camera may follow one vehicle: a read of a track joins the track's sighting if it is at
    /// most this far from it (a queue at a barrier). A track id the camera reuses later (after a restart, its
    /// counter starts again) is another vehicle.
    /// </summary>
    internal static readonly TimeSpan TrackWindow = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The camera's sighting this read belongs to: the sighting of its track when the camera tracks vehicles;
    /// otherwise the same vehicle (or both unreadable), same bay, within the gap.
    /// </summary>
    private static Sighting? FindSighting(SiteChangeSet work, CameraConfiguration camera, string? bay, string plate, DateTimeOffset at, TimeSpan gap, string? track)
    {
        if (track is not null)
        {
            Sighting? tracked = null;
            foreach (var s in work.SightingsOf(camera.Id))
            {
                if (s.Track == track && s.Bay == bay && at >= s.FirstSeenAt - TrackWindow && at <= s.LastSeenAt + TrackWindow
                    && (tracked is null || s.LastSeenAt > tracked.LastSeenAt))
                {
                    tracked = s;
                }
            }

            if (tracked is not null)
            {
                return tracked;
            }
        }

        Sighting? best = null;
        foreach (var s in work.SightingsOf(camera.Id))
        {
            // Time and bay first: the plate comparison is the expensive part, and a busy gate camera has hundreds of sightings.
            if (s.Bay != bay || at < s.FirstSeenAt - gap || at > s.LastSeenAt + gap)
            {
                continue;
            }

            var sameVehicle = plate.Length == 0 ? s.Plate.Length == 0 : PlateSimilarity.IsSameVehicle(s.Plate, plate) || s.Reads.Any(r => r.Plate == plate);
            if (sameVehicle && (best is null || s.LastSeenAt > best.LastSeenAt))
            {
                best = s;
            }
        }

        return best;
    }

    /// <summary>The bay a bay camera's read is in: its only bay, the zone it names, or the band the plate is in.</summary>
    private static string? BayOf(CameraConfiguration camera, string? zone, double? plateX)
    {
        if (camera.Bays.Count == 1)
        {
            return camera.Bays[0].Bay;
        }

        if (zone is not null && camera.Bays.FirstOrDefault(b => string.Equals(b.Zone, zone, StringComparison.OrdinalIgnoreCase)) is { } byZone)
        {
            return byZone.Bay;
        }

        return plateX is { } x && camera.Bays.FirstOrDefault(b => b.Contains(x)) is { } byRegion ? byRegion.Bay : null;
    }

    private static SightingRead Better(SightingRead current, SightingRead candidate) =>
        current.Plate.Length == 0 && candidate.Plate.Length > 0 ? candidate
        : candidate.Plate.Length > 0 && (candidate.Confidence ?? 0) > (current.Confidence ?? 0) ? candidate
        : current;

    private static void Raise(
        SiteChangeSet work,
        ParkingAnomalyKind kind,
        DateTimeOffset at,
        Sighting? sighting,
        ParkingSession? session = null,
        ImmutableArray<string> candidates = default,
        string detail = "")
    {
        var anomaly = new ParkingAnomaly
        {
            Id = work.NewId("parking-anomaly"),
            Kind = kind,
            At = at,
            Plate = sighting?.Plate ?? session?.Plate,
            Camera = sighting?.Camera,
            SightingId = sighting?.Id,
            ParkingSessionId = session?.Id,
            Candidates = candidates.IsDefault ? [] : candidates,
            Detail = detail,
        };
        work.Put(anomaly);
        work.Publish(new ParkingAnomalyDetected(anomaly) { EventTime = at });
    }

    private static void ResolveAnomalies(SiteChangeSet work, string sightingId, ParkingAnomalyKind kind, string resolution)
    {
        foreach (var anomaly in work.OpenAnomalies().Where(a => a.SightingId == sightingId && a.Kind == kind).ToList())
        {
            work.Put(anomaly with { Resolved = true, Resolution = resolution });
        }
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
