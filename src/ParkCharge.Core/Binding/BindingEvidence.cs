using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Binding;

/// <summary>What kind of evidence puts a candidate at the bay when the cable went in.</summary>
internal enum CandidateKind
{
    /// <summary>Read at the bay within the binding window of the plug-in: it had just arrived.</summary>
    Fresh,

    /// <summary>Read earlier and still there at the plug-in, having stood there no longer than the ICE limit.</summary>
    Standing,

    /// <summary>Stood there unplugged for longer than the ICE limit before the plug-in: evidence against it when a fresh car is there too.</summary>
    Stale,

    /// <summary>First read at the bay later during the charge, with no other car read there since the plug-in.</summary>
    Late,
}

/// <summary>A candidate vehicle with how it was found, whether it was read at the bay after the plug-in, and whether the evidence rules it out.</summary>
internal sealed record ScoredCandidate(BindingCandidate Candidate, CandidateKind Kind, bool ReadAfterPlugIn, bool RuledOut)
{
    /// <summary>At a neighbouring bay whose own outlet could not be used: it had every reason to reach over.</summary>
    public bool ReachesOver { get; init; }
}

/// <summary>
/// The evidence for and against each vehicle that could have plugged into a connector. One car stands in a
/// bay at a time, and the car whose cable is in stays until the charge ends: a car seen leaving while the
/// charge went on (another car read at its bay, read at another bay or at the exit, a vacancy report), a car
/// whose own charge had ended before the plug-in, and a car charging at another outlet at that moment are
/// ruled out, whatever their timing. The others are scored by time, read confidence and topology.
/// </summary>
internal static class BindingEvidence
{
    /// <summary>How much better than the runner-up (of another plate) the best candidate must be to be chosen.</summary>
    private const double Margin = 0.15;

    private const double NeighbourFactor = 0.55;

    /// <summary>A car at a neighbouring bay whose own outlet could not be used (faulted, or taken) has every reason to reach over.</summary>
    private const double ReachingOverFactor = 0.9;

    /// <summary>How fast a car standing unplugged in the bay stops being the likely one to plug in (0.85 → 0.80 in half an hour).</summary>
    private const double StillThereDecayPerHour = 0.1;

    /// <summary>A car first read at the bay during the charge, with nobody read there since the plug-in: it was there all along, unread.</summary>
    private const double ReadDuringChargeScore = 0.85;

    /// <summary>
    /// How long after the plug-in a first read at the bay still counts as the car that was there all along (a
    /// camera whose clock is minutes ahead, a read delayed): later, the bay may have filled after a car reached
    /// over from the next bay, and the car read there is that one.
    /// </summary>
    private static readonly TimeSpan LateHorizon = TimeSpan.FromMinutes(10);

    /// <summary>How long after its own charge at a bay ended a car re-read there is taken to be leaving, not plugging in again.</summary>
    private static readonly TimeSpan DoneHorizon = TimeSpan.FromHours(1);

    /// <summary>A candidate the evidence rules out keeps this share of its score (it stays listed for operators).</summary>
    private const double RuledOutFactor = 0.3;

    /// <summary>
    /// How much earlier than the charge's end a car must have left to be ruled out: camera and charger clocks
    /// differ by a minute or more, and a car leaves a moment after its own charge ends.
    /// </summary>
    private static readonly TimeSpan LeftTolerance = TimeSpan.FromMinutes(3);

    /// <summary>How long a car standing at the served bay unplugged makes a reach-over from an unread car next door as likely.</summary>
    private static readonly TimeSpan StoodAWhile = TimeSpan.FromMinutes(5);

    /// <summary>What is left of the score of a standing car whose standing is in doubt: below the auto-accept threshold, for an operator.</summary>
    private const double ReachOverDoubtFactor = 0.9;

    /// <summary>How long after its visit at a bay ended a car may still be read pulling out, passing other bays.</summary>
    private static readonly TimeSpan PullingOut = TimeSpan.FromMinutes(10);

    /// <summary>A connector serving <paramref name="served"/> can be used by a car at <paramref name="bay"/>: the same bay, or one its cable reaches.</summary>
    public static bool Reaches(SiteConfiguration config, string served, string bay) =>
        served == bay
        || config.FindBay(served)?.Neighbours.Contains(bay) == true
        || config.FindBay(bay)?.Neighbours.Contains(served) == true;

    /// <summary>The visit is (or was) evidence for or against the binding: it was at the bay around the plug-in or during the charge.</summary>
    public static bool Concerns(SiteConfiguration config, ChargingBinding binding, ChargingSession session, BayVisit visit, DateTimeOffset now)
    {
        var window = config.Settings.BindingWindow;
        return visit.StartedAt <= (session.StoppedAt ?? now) + window && (visit.EndedAt ?? DateTimeOffset.MaxValue) >= binding.PlugInAt - window;
    }

    /// <summary>
    /// The vehicle to bind, if one is clearly it: the best candidate not ruled out, at or above the threshold,
    /// better than the best of another plate by the margin, or fresh where that one stood past the ICE limit
    /// unplugged or was only read later (a car that just arrived plugs in; one that stood there for long does not).
    /// </summary>
    public static ScoredCandidate? Choose(IReadOnlyList<ScoredCandidate> scored, double threshold)
    {
        var viable = scored.Where(c => !c.RuledOut).ToList();
        if (viable.FirstOrDefault() is not { } best || best.Candidate.Score < threshold)
        {
            return null;
        }

        var runnerUp = viable.FirstOrDefault(c => c.Candidate.Plate != best.Candidate.Plate);
        var clear = runnerUp is null
            || best.Candidate.Score - runnerUp.Candidate.Score >= Margin
            || (best.Kind == CandidateKind.Fresh && runnerUp.Kind is CandidateKind.Stale or CandidateKind.Late);

        // A car next door whose own outlet could not be used, there at the plug-in, had every reason to reach over:
        // against a car at the served bay, the two are as likely, whatever their timing (an operator decides).
        var reachingOver = !best.ReachesOver && viable.Any(c => c.Candidate.Plate != best.Candidate.Plate && c.ReachesOver && c.Kind is CandidateKind.Fresh or CandidateKind.Standing);
        return clear && !reachingOver ? best : null;
    }

    /// <summary>
    /// Vehicles at the bay the connector serves (or a neighbouring bay its cable reaches) around the plug-in or
    /// during the charge, best first, one per plate; and when to look again because a car seen leaving a moment
    /// ago will be ruled out if the charge goes on without it.
    /// </summary>
    public static (List<ScoredCandidate> Candidates, DateTimeOffset? RecheckAt) Candidates(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding, ChargingSession session)
    {
        if (binding.Bay is not { } served)
        {
            return ([], null);
        }

        var settings = config.Settings;
        var window = settings.BindingWindow;
        var t = binding.PlugInAt;
        var until = session.StoppedAt ?? work.Now;
        var runningUntil = RunningUntil(work, session);
        // The bay camera's evidence: a visit the charger's sensor placed is binding's own conclusion, not evidence for it.
        var visits = work.Visits().Where(v => v.Source == BayVisitSource.BayCamera && Reaches(config, served, v.Bay) && v.StartedAt <= until + window && (v.EndedAt ?? DateTimeOffset.MaxValue) >= t - window).ToList();
        var candidates = new List<ScoredCandidate>();
        DateTimeOffset? recheck = null;
        foreach (var visit in visits)
        {
            if (session.StoppedAt is null && visit is { EndedAt: { } left, EndReason: not BayVisitEnd.ConnectorAvailable } && left > t
                && left + LeftTolerance >= runningUntil && left + LeftTolerance + TimeSpan.FromSeconds(1) is var due && due > work.Now && (recheck is null || due < recheck))
            {
                recheck = due;
            }

            var offset = visit.StartedAt - t;
            var near = offset.Duration() <= window ? 1.0 - (0.2 * offset.Duration().TotalSeconds / window.TotalSeconds) : 0;
            var stillThere = 0.0;
            if (offset < TimeSpan.Zero && (visit.EndedAt is null || visit.EndedAt >= t))
            {
                // Parked earlier and still there at the plug-in: the longer since it was last read, the less sure.
                // A car read 110 s before the plug-in is no less likely the one than a car read 130 s before.
                // Drivers plug in within minutes of parking; a car that stood unplugged for half an hour is
                // as likely gone unseen (no vacancy report) with the next car's read missed, so by then the
                // stay alone no longer reaches the auto-accept threshold.
                var unseen = t - visit.LastSeenAt;
                stillThere = unseen <= window ? 0.85 : Math.Max(0.55, 0.85 - (StillThereDecayPerHour * unseen.TotalHours));
            }

            var during = visit.Bay == served && offset > window && offset <= LateHorizon && visit.StartedAt <= until && !ReadBetween(visits, served, visit, t)
                ? ReadDuringChargeScore
                : 0;
            var timing = Math.Max(near, Math.Max(stillThere, during));
            if (timing == 0)
            {
                if (visit is { EndedAt: { } gone, EndReason: { } why } && visit.Bay == served && gone <= t && gone >= t - window)
                {
                    // It left just before: listed, ruled out (and so not a vehicle "inside at no bay" either).
                    candidates.Add(new ScoredCandidate(
                        new BindingCandidate(Plate(work, visit), visit.ParkingSessionId, visit.Id, visit.Bay, 0, offset, [visit.SightingId], $"had left bay {visit.Bay} before the plug-in ({Describe(why)} at {gone:HH:mm:ss})"),
                        CandidateKind.Standing,
                        ReadAfterPlugIn: false,
                        RuledOut: true));
                }

                continue;
            }

            var kind = near > 0 ? CandidateKind.Fresh
                : stillThere >= during ? (t - visit.StartedAt > settings.IceLimit ? CandidateKind.Stale : CandidateKind.Standing)
                : CandidateKind.Late;

            // Which vehicle it is: when the read matched a vehicle the gates saw come in (exactly, or as
            // the only one within one OCR error), the gates confirm the plate and the bay camera's own
            // doubt about its text no longer matters; otherwise the read's confidence is all there is (a
            // misread plate without a stay is mended at the exit, when the exit read names the stay).
            var identity = visit.ParkingSessionId is not null ? 1.0 : 0.7 + (0.3 * (work.Sighting(visit.SightingId)?.Best.Confidence ?? 0.9));
            var reach = visit.Bay == served ? 1.0 : OwnOutletUnusable(work, config, visit, binding.ChargingSessionId, t) ? ReachingOverFactor : NeighbourFactor;
            var score = reach * timing * identity;

            // A car that stood at the served bay unplugged for minutes, beside a bay where nobody was read and
            // whose own outlet could not be used (or whose state is not known: the charger was offline): a car
            // there, its read missed, may well have reached over. The long standing is evidence against it.
            var doubt = visit.Bay == served && kind is CandidateKind.Standing or CandidateKind.Stale && t - visit.StartedAt > StoodAWhile
                ? UnreadReachOverPossible(work, config, session, binding, visits) : null;
            if (doubt is not null)
            {
                doubt = $"it had stood there unplugged for {(t - visit.StartedAt).TotalMinutes:0} min beside {doubt}";
            }
            else if (kind is CandidateKind.Standing or CandidateKind.Stale && ReReadWithoutPlugIn(work, visit, t, window) is { } reRead)
            {
                // Cameras read a car as it arrives, and again as it pulls out: a read minutes after its arrival,
                // with no plug-in then, is as likely the car leaving (the next car's read missed).
                doubt = $"it was read again at {reRead:HH:mm:ss}, {(reRead - visit.StartedAt).TotalMinutes:0} min after it arrived, without plugging in: as likely pulling out";
            }

            if (doubt is not null)
            {
                score *= ReachOverDoubtFactor;
            }

            var against = Against(work, config, binding, session, visit, runningUntil) ?? ArrivedAfter(visits, visit, t)
                ?? (kind == CandidateKind.Late ? EnteredAfter(work, visit, t + window) : null);

            var plate = Plate(work, visit);
            var where = kind switch
            {
                CandidateKind.Late => $"read at bay {visit.Bay} during the charge, {offset.TotalMinutes:0} min after the plug-in, with no other car read there since",
                _ when visit.Bay == served => "read at the bay the connector serves",
                _ => $"read at bay {visit.Bay}, which the cable reaches",
            };
            var reason = against ?? (doubt is null ? where : $"{where}, but {doubt}");
            candidates.Add(new ScoredCandidate(
                new BindingCandidate(plate, visit.ParkingSessionId, visit.Id, visit.Bay, Math.Round(against is null ? score : score * RuledOutFactor, 4), offset, [visit.SightingId], reason),
                kind,
                visit.Bay == served && visit.LastSeenAt >= t,
                against is not null)
            {
                ReachesOver = visit.Bay != served && reach == ReachingOverFactor,
            });

            // The read matched a car charging at another outlet at that moment: it was the one look-alike car inside.
            if (against is not null && visit.ParkingSessionId is { } matched && ChargingElsewhere(work, session, matched, t) is not null && LookAlike(work, visit, matched) is { } twin)
            {
                var twinAgainst = Against(work, config, binding, session, visit with { ParkingSessionId = twin.Id }, runningUntil) ?? ArrivedAfter(visits, visit, t);
                candidates.Add(new ScoredCandidate(
                    new BindingCandidate(twin.Plate, twin.Id, visit.Id, visit.Bay, Math.Round(twinAgainst is null ? score : score * RuledOutFactor, 4), offset, [visit.SightingId],
                        twinAgainst ?? $"{where} as {visit.Plate}, one OCR error from its plate, while {plate} was charging elsewhere"),
                    kind,
                    visit.Bay == served && visit.LastSeenAt >= t,
                    twinAgainst is not null)
                {
                    ReachesOver = visit.Bay != served && reach == ReachingOverFactor,
                });
            }
        }

        // Nobody stood at the served bay who could have plugged in, and a car next door could not use its own
        // outlet: that car reaching over is the whole story. A car read at the served bay only later is the one
        // that found the cable taken. A car that had stood at the served bay unplugged past the ICE limit is no
        // more likely to plug in now than before, against one that has just arrived next door.
        var servedStale = candidates.Any(c => !c.RuledOut && c.Candidate.Bay == served && c.Kind == CandidateKind.Stale);
        bool Reaching(ScoredCandidate c) => c.ReachesOver && !c.RuledOut && (!servedStale || c.Kind == CandidateKind.Fresh);
        if (!candidates.Any(c => !c.RuledOut && c.Candidate.Bay == served && c.Kind is CandidateKind.Fresh or CandidateKind.Standing) && candidates.Any(Reaching))
        {
            var nobody = servedStale ? $"the car at bay {served} had stood there unplugged past the ICE limit" : $"nobody at bay {served}";
            for (var i = 0; i < candidates.Count; i++)
            {
                var c = candidates[i];
                candidates[i] = Reaching(c)
                    ? c with { Candidate = c.Candidate with { Score = Math.Round(c.Candidate.Score / ReachingOverFactor, 4), Reason = $"read at bay {c.Candidate.Bay}, whose own outlet could not be used, and {nobody}" } }
                    : c.Kind == CandidateKind.Late && !c.RuledOut
                    ? c with { RuledOut = true, Candidate = c.Candidate with { Score = Math.Round(c.Candidate.Score * RuledOutFactor, 4), Reason = $"arrived at bay {served} after a car next door had reached over to its cable" } }
                    : c;
            }
        }

        List<ScoredCandidate> ranked =
        [
            .. candidates.GroupBy(c => c.Candidate.Plate)
                .Select(g => g.OrderBy(c => c.RuledOut).ThenByDescending(c => c.Candidate.Score).First())
                .OrderBy(c => c.RuledOut)
                .ThenByDescending(c => c.Candidate.Score)
                .ThenBy(c => c.Candidate.Offset?.Duration()),
        ];
        return (ranked, recheck);
    }

    /// <summary>
    /// Until when the charge is known to have run: its stop; else, while its charger is connected (a stop
    /// would have come), now; else (the charger is offline, its stop may be queued) its last message.
    /// </summary>
    private static DateTimeOffset RunningUntil(SiteChangeSet work, ChargingSession session)
    {
        if (session.StoppedAt is { } stopped)
        {
            return stopped;
        }

        var heard = session.LastEventAt ?? session.StartedAt ?? session.FirstReceivedAt;
        return work.Charger(session.Charger)?.Connection is { } connection && work.Now - connection.ConnectedAt > LeftTolerance && work.Now > heard ? work.Now : heard;
    }

    /// <summary>
    /// Why the car of this visit cannot be the one charging, if it cannot: it left while the charge went on,
    /// its own charge had ended before the plug-in, or it was charging at another outlet at that moment.
    /// </summary>
    private static string? Against(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding, ChargingSession session, BayVisit visit, DateTimeOffset runningUntil)
    {
        var t = binding.PlugInAt;
        if (visit is { EndedAt: { } left, EndReason: { } why } && why != BayVisitEnd.ConnectorAvailable && (left < t || left < runningUntil - LeftTolerance)
            && !ReplacedByAPasserBy(work, visit, t, runningUntil))
        {
            return left <= t
                ? $"had left bay {visit.Bay} before the plug-in ({Describe(why)} at {left:HH:mm:ss})"
                : $"left bay {visit.Bay} while the charge went on ({Describe(why)} at {left:HH:mm:ss})";
        }

        if (visit is { EndedAt: { } unplugged, EndReason: BayVisitEnd.ConnectorAvailable } && unplugged < t)
        {
            return $"its bay's outlet was unplugged at {unplugged:HH:mm:ss}, before this plug-in";
        }

        foreach (var id in visit.ChargingSessionIds)
        {
            if (id == session.Id || work.Session(id) is not { } other)
            {
                continue;
            }

            if (other is { Status: ChargingSessionStatus.Completed, StoppedAt: { } stopped } && stopped <= t)
            {
                return $"its own charge on {other.Charger}/{Outlet(other.Connector)} had ended at {stopped:HH:mm:ss}: it was leaving";
            }

            if (ActiveAt(work, other, t))
            {
                return $"it was charging on {other.Charger}/{Outlet(other.Connector)} at that moment";
            }
        }

        return visit.ParkingSessionId is { } stay ? AgainstStay(work, config, binding, session, stay) : null;
    }

    /// <summary>
    /// Why the vehicle of this stay cannot be the one charging, if it cannot: it was charging at another outlet at
    /// that moment, or may well have been, or its own charge at this bay had just ended (it was leaving).
    /// </summary>
    private static string? AgainstStay(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding, ChargingSession session, string stay)
    {
        var t = binding.PlugInAt;
        if (ChargingElsewhere(work, session, stay, t) is { } elsewhere)
        {
            // A vehicle cannot charge at two outlets at once (a look-alike plate read at another bay is another car).
            return $"it was charging on {elsewhere.Charger}/{Outlet(elsewhere.Connector)} at that moment";
        }

        if (CableInWhereItMovedFrom(work, config, session, stay, t) is { } cable)
        {
            return cable;
        }

        foreach (var other in work.Bindings())
        {
            // Nor does a car plug in again where its own charge has just ended: it is leaving (re-read as it pulls out).
            if (other.IsBound && other.ParkingSessionId == stay && other.ChargingSessionId != session.Id && other.Method != BindingMethod.Fuzzy && other.Bay == binding.Bay
                && work.Session(other.ChargingSessionId) is { Status: ChargingSessionStatus.Completed, StoppedAt: { } stopped } charging && stopped <= t && t - stopped < DoneHorizon)
            {
                return $"its own charge on {charging.Charger}/{Outlet(charging.Connector)} had ended at {stopped:HH:mm:ss}: it was leaving";
            }
        }

        return null;
    }

    /// <summary>
    /// The stay's car was read at another bay first, a cable went in there while it stood there, and that charge
    /// still ran at <paramref name="t"/>; then the car was read elsewhere, which ended that visit as a move. A car
    /// whose cable is in stays until its charge ends: one of the two reads was another car (a look-alike plate, its
    /// charger's messages late): not for the binding to decide.
    /// </summary>
    private static string? CableInWhereItMovedFrom(SiteChangeSet work, SiteConfiguration config, ChargingSession session, string stay, DateTimeOffset t)
    {
        foreach (var there in work.Visits())
        {
            if (there is not { EndReason: BayVisitEnd.MovedToAnotherBay, EndedAt: { } moved } || there.ParkingSessionId != stay || config.FindBay(there.Bay) is not { } bay)
            {
                continue;
            }

            foreach (var other in work.SessionsOf(bay.Charger))
            {
                var plugIn = work.Binding(other.Id)?.PlugInAt ?? other.StartedAt;
                if (other.Id != session.Id && bay.Serves(other.Connector) && plugIn is { } cableIn && cableIn >= there.StartedAt - config.Settings.BindingWindow
                    && cableIn < moved && cableIn <= t && (other.StoppedAt is null || other.StoppedAt > t))
                {
                    return $"a cable went in at bay {there.Bay} ({other.Charger}/{Outlet(other.Connector)}) while it stood there, and that charge went on: it may still have been there";
                }
            }
        }

        return null;
    }

    /// <summary>The charge at another outlet that a binding gives to this stay, running at <paramref name="at"/>, if any.</summary>
    private static ChargingSession? ChargingElsewhere(SiteChangeSet work, ChargingSession session, string stay, DateTimeOffset at) =>
        work.Bindings()
            .Where(b => b.IsBound && b.ParkingSessionId == stay && b.ChargingSessionId != session.Id && b.Method != BindingMethod.Fuzzy
                && (b.Charger != session.Charger || b.Connector != session.Connector))
            .Select(b => work.Session(b.ChargingSessionId))
            .FirstOrDefault(c => c is not null && ActiveAt(work, c, at));

    /// <summary>
    /// The one other vehicle inside when the visit's car was read, its plate one OCR error from the text read, and
    /// standing at no other bay: the car the read was, when the stay it matched was charging elsewhere (look-alike
    /// plates, the gates telling them apart).
    /// </summary>
    private static ParkingSession? LookAlike(SiteChangeSet work, BayVisit visit, string matched)
    {
        var at = visit.StartedAt;
        var alike = work.RecentParkingSessions()
            .Where(s => s.Id != matched && s.ClosedBy != ParkingSessionClosure.Merged && s.EnteredAt <= at && (s.ExitedAt is null || s.ExitedAt >= at)
                && PlateSimilarity.IsSameVehicle(s.Plate, visit.Plate)
                && !work.Visits().Any(v => v.ParkingSessionId == s.Id && v.Bay != visit.Bay && v.StartedAt < at && (v.EndedAt ?? DateTimeOffset.MaxValue) > at))
            .Take(2)
            .ToList();
        return alike.Count == 1 ? alike[0] : null;
    }

    /// <summary>
    /// The visit ended after the plug-in because another plate was read at its bay, and that was a car pulling out
    /// of another bay (its own visit there had just ended) that was gone again while the charge went on (read at
    /// the exit, at another bay, or the bay reported empty): read on this side of the line as it passed. The cable
    /// stayed in: it is no evidence that this car left.
    /// </summary>
    private static bool ReplacedByAPasserBy(SiteChangeSet work, BayVisit visit, DateTimeOffset plugIn, DateTimeOffset runningUntil)
    {
        if (visit is not { EndReason: BayVisitEnd.AnotherVehicle, EndedAt: { } left } || left < plugIn)
        {
            return false;
        }

        var next = work.Visits().Where(v => v.Id != visit.Id && v.Bay == visit.Bay && v.StartedAt > visit.StartedAt && v.StartedAt <= left).MaxBy(v => v.StartedAt);
        return next is { EndedAt: { } gone, EndReason: not BayVisitEnd.ConnectorAvailable and not BayVisitEnd.AnotherVehicle }
            && gone < runningUntil - LeftTolerance
            && next.ChargingSessionIds.IsEmpty
            && work.Visits().Any(v => v.Bay != visit.Bay && v.EndedAt is { } ended && ended <= next.StartedAt && next.StartedAt - ended <= PullingOut
                && (v.Plate == next.Plate || (v.ParkingSessionId is not null && v.ParkingSessionId == next.ParkingSessionId)));
    }

    /// <summary>The gates' plate (from the parking session) is the vehicle's identity; the bay read only found it.</summary>
    private static string Plate(SiteChangeSet work, BayVisit visit) =>
        visit.ParkingSessionId is { } parked && work.ParkingSession(parked) is { } stay ? stay.Plate : visit.Plate;

    private static bool ActiveAt(SiteChangeSet work, ChargingSession session, DateTimeOffset at) =>
        (work.Binding(session.Id)?.PlugInAt ?? session.StartedAt) is { } from && from <= at && (session.StoppedAt is null || session.StoppedAt > at);

    /// <summary>
    /// A car first read at a bay after another car was read there after the plug-in arrived after the plug-in
    /// (one car stands in a bay at a time): it cannot have plugged in then.
    /// </summary>
    private static string? ArrivedAfter(List<BayVisit> visits, BayVisit visit, DateTimeOffset t) =>
        visit.StartedAt > t && visits.FirstOrDefault(o => o.Id != visit.Id && o.Bay == visit.Bay && o.StartedAt < visit.StartedAt && o.LastSeenAt >= t && o.Plate != visit.Plate) is { } before
            ? $"arrived at bay {visit.Bay} after the plug-in ({before.Plate} was read there at {before.LastSeenAt:HH:mm:ss})"
            : null;

    /// <summary>The visit's car came in through the gate after <paramref name="latest"/>: it cannot have been at the bay at the plug-in.</summary>
    private static string? EnteredAfter(SiteChangeSet work, BayVisit visit, DateTimeOffset latest) =>
        visit.ParkingSessionId is { } stay && work.ParkingSession(stay)?.EnteredAt is { } entered && entered > latest
            ? $"it came in at {entered:HH:mm:ss}, after the plug-in"
            : null;

    /// <summary>
    /// The latest read of the visit when it came in a later sighting than its arrival's (after more than the
    /// binding window) and not within the window of the plug-in: the car read again, and no plug-in followed.
    /// </summary>
    private static DateTimeOffset? ReReadWithoutPlugIn(SiteChangeSet work, BayVisit visit, DateTimeOffset t, TimeSpan window) =>
        work.Sighting(visit.SightingId) is { } arrival && visit.LastSeenAt - arrival.LastSeenAt > window && visit.LastSeenAt < t - window
            ? visit.LastSeenAt
            : null;

    /// <summary>Another car was read at the served bay between the plug-in and this visit's first read.</summary>
    private static bool ReadBetween(List<BayVisit> visits, string served, BayVisit visit, DateTimeOffset t) =>
        visits.Any(o => o.Id != visit.Id && o.Bay == served && o.StartedAt < visit.StartedAt && o.LastSeenAt >= t);

    private static string Describe(BayVisitEnd why) => why switch
    {
        BayVisitEnd.Vacated => "the camera reported the bay empty",
        BayVisitEnd.AnotherVehicle => "another car was read there",
        BayVisitEnd.MovedToAnotherBay => "read at another bay",
        BayVisitEnd.ExitedCarPark => "read leaving the car park",
        BayVisitEnd.Operator => "ended by an operator",
        _ => why.ToString(),
    };

    private static string Outlet(ConnectorRef connector) => (connector.Evse ?? connector.Connector).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A bay next to the served one (its cable reaches) where no car was read at the plug-in, whose own outlet
    /// could not be used then, or whose state is not known because the charger was offline at the plug-in (its
    /// faults then were never reported): described, if there is one.
    /// </summary>
    private static string? UnreadReachOverPossible(SiteChangeSet work, SiteConfiguration config, ChargingSession session, ChargingBinding binding, List<BayVisit> visits)
    {
        var t = binding.PlugInAt;
        var offline = session.FirstReceivedAt - t > config.Settings.BindingWindow;
        foreach (var bay in config.EvBays)
        {
            if (bay.Id == binding.Bay || !Reaches(config, binding.Bay!, bay.Id) || visits.Any(v => v.Bay == bay.Id && v.StartedAt <= t && (v.EndedAt ?? DateTimeOffset.MaxValue) >= t))
            {
                continue;
            }

            if (work.Charger(bay.Charger)?.Connectors.Any(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector) && c.WasOutOfOrderAt(t)) == true)
            {
                return $"bay {bay.Id}, whose outlet was out of order, with no car read there";
            }

            if (offline && bay.Charger == session.Charger)
            {
                return $"bay {bay.Id}, with no car read there, while the charger was offline (its outlets' state unknown)";
            }
        }

        return null;
    }

    /// <summary>
    /// The outlet of the bay a car stands in could not be used at the plug-in: faulted or unavailable, or
    /// charging another vehicle (one bound elsewhere: an unbound charge on it may well be this car's own).
    /// Drivers use the cable of the neighbouring bay when theirs is out of order or taken; otherwise a car
    /// next door is a poor candidate.
    /// </summary>
    private static bool OwnOutletUnusable(SiteChangeSet work, SiteConfiguration config, BayVisit visit, string chargingSessionId, DateTimeOffset t)
    {
        if (config.FindBay(visit.Bay) is not { } bay)
        {
            return false;
        }

        if (work.Charger(bay.Charger)?.Connectors.Any(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector) && c.WasOutOfOrderAt(t)) == true)
        {
            return true;
        }

        return work.SessionsOf(bay.Charger).Any(s => s.Id != chargingSessionId && bay.Serves(s.Connector) && s.StartedAt <= t && (s.StoppedAt is null || s.StoppedAt > t)
            && work.Binding(s.Id) is { IsBound: true } other && other.BayVisitId != visit.Id && (other.ParkingSessionId is null || other.ParkingSessionId != visit.ParkingSessionId));
    }
}
