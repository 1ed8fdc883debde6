using System.Collections.Immutable;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Binding;

/// <summary>
/// How charging sessions are linked to vehicles. Chargers never report plates: the link is the bay
/// camera's read at the bay the connector serves, close in time to the plug-in. Evidence is scored
/// (time, read confidence, topology); a plug-in without a read waits for a late one; then the
/// fallbacks (a known id token, the only plausible vehicle inside); otherwise review. Everything is
/// decided on event times, so late and out-of-order messages bind as if they had come on time.
/// </summary>
internal static class BindingRules
{
    /// <summary>How much better than the runner-up (of another plate) the best candidate must be to be chosen.</summary>
    private const double Margin = 0.15;

    /// <summary>A new bay-camera candidate replaces a binding only when clearly better than it.</summary>
    private const double ReplaceMargin = 0.05;

    private const double KnownTokenConfidence = 0.85;
    private const double FuzzyConfidence = 0.5;
    private const double NeighbourFactor = 0.55;

    /// <summary>How fast a car standing unplugged in the bay stops being the likely one to plug in (0.85 → 0.80 in half an hour).</summary>
    private const double StillThereDecayPerHour = 0.1;

    /// <summary>A car at a neighbouring bay whose own outlet could not be used (faulted, or taken) has every reason to reach over.</summary>
    private const double ReachingOverFactor = 0.9;

    /// <summary>How long before a StartTransaction a Preparing/Occupied status still counts as its plug-in.</summary>
    private static readonly TimeSpan PlugInLead = TimeSpan.FromMinutes(30);

    /// <summary>How long a vehicle that entered may have been inside to be a fuzzy candidate.</summary>
    private static readonly TimeSpan FuzzyHorizon = TimeSpan.FromHours(12);

    /// <summary>After a charging session appeared or changed: create its binding, or evaluate it again.</summary>
    public static void OnChargingSession(SiteChangeSet work, ChargingSession session)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        var existing = work.Binding(session.Id);
        var plugIn = PlugInAt(work, session);
        if (existing is not null && existing.Connector == session.Connector && existing.PlugInAt < plugIn)
        {
            // Once the connector reports Charging, Preparing is no longer there to date the plug-in: the
            // moment found at the start stands (it only moves earlier, when an earlier start arrives late).
            plugIn = existing.PlugInAt;
        }

        if (existing is null || existing.PlugInAt != plugIn || existing.Connector != session.Connector)
        {
            var binding = (existing ?? new ChargingBinding
            {
                ChargingSessionId = session.Id,
                Charger = session.Charger,
                Connector = session.Connector,
                TransactionId = session.TransactionId,
                PlugInAt = plugIn,
                Status = BindingStatus.Waiting,
                DecidedAt = work.ReceivedAt,
            }) with
            {
                Connector = session.Connector,
                PlugInAt = plugIn,
                Bay = config.BayServedBy(session.Charger, session.Connector)?.Id,
                WaitUntil = existing is { IsBound: true } ? existing.WaitUntil : plugIn + config.Settings.BindingWindow,
            };
            Evaluate(work, config, binding, existing, "charging session started");
        }

        if (work.Binding(session.Id) is { } current)
        {
            LearnToken(work, current);
        }

        NoteChargingFinished(work, session);
    }

    /// <summary>After a bay visit started or changed: bindings whose plug-in it could explain look again.</summary>
    public static void OnVisit(SiteChangeSet work, BayVisit visit)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        var window = config.Settings.BindingWindow;
        foreach (var binding in work.Bindings().ToList())
        {
            if (binding.Method == BindingMethod.Operator || binding.Bay is null || !Reaches(config, binding.Bay, visit.Bay))
            {
                continue;
            }

            var near = visit.StartedAt <= binding.PlugInAt + window && (visit.EndedAt ?? DateTimeOffset.MaxValue) >= binding.PlugInAt - window;
            if (near)
            {
                Evaluate(work, config, binding, binding, "a bay read arrived");
            }
        }
    }

    /// <summary>A parking session's plate was corrected, or it was merged into another: its bindings follow.</summary>
    public static void OnParkingSession(SiteChangeSet work, ParkingSession session, string? mergedInto, string reason)
    {
        foreach (var binding in work.Bindings().Where(b => b.ParkingSessionId == session.Id).ToList())
        {
            var after = binding with
            {
                ParkingSessionId = mergedInto ?? session.Id,
                Plate = mergedInto is null ? session.Plate : work.ParkingSession(mergedInto)?.Plate ?? binding.Plate,
                Changes = binding.Changes + 1,
                DecidedAt = work.ReceivedAt,
            };
            if (after.Plate != binding.Plate || after.ParkingSessionId != binding.ParkingSessionId)
            {
                work.Put(after);
                work.Publish(new BindingChanged(BindingSummary.Of(binding), BindingSummary.Of(after), reason) { EventTime = work.EventTime });
            }
        }
    }

    /// <summary>An operator's decision: it stands until an operator changes it.</summary>
    public static Reply ResolveByOperator(SiteChangeSet work, BindingResolvedByOperator p)
    {
        if (work.Binding(p.ChargingSessionId) is not { } binding)
        {
            return new Refused($"No binding for charging session '{p.ChargingSessionId}' at this site.");
        }

        if (work.ParkingSession(p.ParkingSessionId) is not { } parking)
        {
            return new Refused($"No parking session '{p.ParkingSessionId}'.");
        }

        var visit = work.Visits().Where(v => v.ParkingSessionId == parking.Id && v.Bay == binding.Bay).OrderByDescending(v => v.StartedAt).FirstOrDefault();
        var candidate = new BindingCandidate(parking.Plate, parking.Id, visit?.Id, visit?.Bay, 1.0, visit is null ? null : visit.StartedAt - binding.PlugInAt, [], $"operator {p.By}: {p.Reason}");
        Bind(work, binding, BindingStatus.Bound, BindingMethod.Operator, candidate, 1.0, $"resolved by {p.By}: {p.Reason}");
        work.Add(new AuditEntry(work.ReceivedAt, p.By, "binding.resolved", binding.ChargingSessionId, p.Reason, $"bound to {parking.Plate} ({parking.Id})"));
        return Acknowledged.Instance;
    }

    /// <summary>Deadlines: a waiting window ran out; a vehicle stood in an EV bay without charging too long; an idle grace ended.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var binding in work.Bindings().Where(b => b.Status == BindingStatus.Waiting && b.WaitUntil <= due).ToList())
        {
            Evaluate(work, config, binding, binding, "the binding window ended");
        }

        var settings = config.Settings;
        foreach (var visit in work.CurrentVisits().ToList())
        {
            if (visit.IceDetectedAt is null && visit.StartedAt + settings.IceLimit <= due && config.FindBay(visit.Bay) is { } bay && !ChargedSince(work.SessionsOf(bay.Charger), bay, visit.StartedAt - settings.BindingWindow))
            {
                work.Put(visit with { IceDetectedAt = due });
                work.Publish(new BayIceDetected(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, visit.StartedAt, bay.Charger, work.BayOutlet(bay)) { EventTime = due });
            }

            Parking.IdleRules.Timer(work, work.Visit(visit.Id)!, due);
        }
    }

    /// <summary>
    /// The plug-in moment: a 1.6 connector reports Preparing (2.0.1: Occupied) when the cable goes in,
    /// often well before the StartTransaction (after the driver badges). Without that, the start.
    /// </summary>
    private static DateTimeOffset PlugInAt(SiteChangeSet work, ChargingSession session)
    {
        var start = session.StartedAt ?? session.LastEventAt ?? session.FirstReceivedAt;
        var status = work.Charger(session.Charger)?.FindConnector(session.Connector);
        return status is { Status: ConnectorStatus.Preparing or ConnectorStatus.Occupied } && status.Since <= start && start - status.Since <= PlugInLead
            ? status.Since
            : start;
    }

    private static void Evaluate(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding, ChargingBinding? before, string reason)
    {
        if (before is { Method: BindingMethod.Operator })
        {
            return;
        }

        var settings = config.Settings;
        var candidates = Candidates(work, config, binding);
        var best = candidates.FirstOrDefault();
        var runnerUp = candidates.FirstOrDefault(c => best is not null && c.Plate != best.Plate);
        var clear = best is not null && (runnerUp is null || best.Score - runnerUp.Score >= Margin);

        if (clear && best!.Score >= settings.AutoAcceptConfidence)
        {
            if (before is { IsBound: true } bound && bound.Plate != best.Plate && best.Score < bound.Confidence + ReplaceMargin)
            {
                return; // not clearly better than what was decided: keep it, do not flip-flop
            }

            Bind(work, binding, BindingStatus.Bound, BindingMethod.BayCamera, best, best.Score, reason);
            return;
        }

        if (before is { IsBound: true, Method: BindingMethod.BayCamera or BindingMethod.KnownIdToken })
        {
            return; // a confident binding stands against weaker or ambiguous later evidence
        }

        if (work.ReceivedAt < binding.WaitUntil && !before.IsBoundBy(BindingMethod.Fuzzy))
        {
            Put(work, binding with { Status = BindingStatus.Waiting, Candidates = [.. candidates] }, before);
            return;
        }

        // The window is over: the fallbacks, in order.
        if (work.Session(binding.ChargingSessionId)?.IdToken?.Value is { Length: > 0 } token && work.PlateOfToken(token) is { } knownPlate)
        {
            // The token's vehicle: among the candidates, or else inside the car park, unless the bay camera
            // saw another car at this very bay (the token and the camera disagree: an operator decides).
            var known = candidates.FirstOrDefault(c => c.Plate == knownPlate) ?? candidates.FirstOrDefault(c => PlateSimilarity.IsSameVehicle(c.Plate, knownPlate))
                ?? (candidates.Any(c => c.Bay == binding.Bay) ? null : InsideCandidate(work, binding, knownPlate, "the id token was seen with this plate before"));
            if (known is not null)
            {
                Bind(work, binding, BindingStatus.Bound, BindingMethod.KnownIdToken, known, Math.Max(KnownTokenConfidence, known.Score), reason);
                return;
            }
        }

        var inside = FuzzyCandidates(work, binding);
        if (candidates.Count == 0 && inside.Count == 1)
        {
            Bind(work, binding, BindingStatus.Provisional, BindingMethod.Fuzzy, inside[0], FuzzyConfidence, reason);
            return;
        }

        var all = candidates.Concat(inside.Where(i => candidates.All(c => c.Plate != i.Plate))).Take(5).ToImmutableArray();
        Review(work, binding, before, all, reason);
    }

    /// <summary>Vehicles at the bay the connector serves (or a neighbouring bay its cable reaches) around the plug-in, best first, one per plate.</summary>
    private static List<BindingCandidate> Candidates(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding)
    {
        if (binding.Bay is not { } served)
        {
            return [];
        }

        var window = config.Settings.BindingWindow;
        var t = binding.PlugInAt;
        var candidates = new List<BindingCandidate>();
        foreach (var visit in work.Visits())
        {
            if (!Reaches(config, served, visit.Bay))
            {
                continue;
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

            var timing = Math.Max(near, stillThere);
            if (timing == 0)
            {
                continue;
            }

            // Which vehicle it is: when the read matched a vehicle the gates saw come in (exactly, or as
            // the only one within one OCR error), the gates confirm the plate and the bay camera's own
            // doubt about its text no longer matters; otherwise the read's confidence is all there is.
            var identity = visit.ParkingSessionId is not null ? 1.0 : 0.6 + (0.4 * (work.Sighting(visit.SightingId)?.Best.Confidence ?? 0.9));
            var reach = visit.Bay == served ? 1.0 : OwnOutletUnusable(work, config, visit, binding.ChargingSessionId, t) ? ReachingOverFactor : NeighbourFactor;
            var score = reach * timing * identity;
            if (visit.ChargingSessionIds.Any(id => id != binding.ChargingSessionId && work.Session(id) is { Status: ChargingSessionStatus.Active }))
            {
                score *= 0.5; // that vehicle is already charging elsewhere
            }

            // The gates' plate (from the parking session) is the vehicle's identity; the bay read only found it.
            var plate = visit.ParkingSessionId is { } parked && work.ParkingSession(parked) is { } session ? session.Plate : visit.Plate;
            candidates.Add(new BindingCandidate(
                plate, visit.ParkingSessionId, visit.Id, visit.Bay, Math.Round(score, 4), offset, [visit.SightingId],
                visit.Bay == served ? "read at the bay the connector serves" : $"read at bay {visit.Bay}, which the cable reaches"));
        }

        return [.. candidates.GroupBy(c => c.Plate).Select(g => g.MaxBy(c => c.Score)!).OrderByDescending(c => c.Score).ThenBy(c => c.Offset?.Duration())];
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

        var status = work.Charger(bay.Charger)?.Connectors.FirstOrDefault(c => bay.Serves(c.Connector));
        if (status is { Status: ConnectorStatus.Faulted or ConnectorStatus.Unavailable } && status.Since <= t)
        {
            return true;
        }

        return work.SessionsOf(bay.Charger).Any(s => s.Id != chargingSessionId && bay.Serves(s.Connector) && s.StartedAt <= t && (s.StoppedAt is null || s.StoppedAt > t)
            && work.Binding(s.Id) is { IsBound: true } other && other.BayVisitId != visit.Id && (other.ParkingSessionId is null || other.ParkingSessionId != visit.ParkingSessionId));
    }

    /// <summary>Vehicles inside that could be at this charger: entered before the plug-in, standing at no bay, charging nowhere.</summary>
    private static List<BindingCandidate> FuzzyCandidates(SiteChangeSet work, ChargingBinding binding)
    {
        var t = binding.PlugInAt;
        var atBays = work.CurrentVisits().Select(v => v.ParkingSessionId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var charging = work.Bindings()
            .Where(b => b.IsBound && b.ChargingSessionId != binding.ChargingSessionId && work.Session(b.ChargingSessionId) is { Status: ChargingSessionStatus.Active })
            .Select(b => b.ParkingSessionId).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return
        [
            .. work.OpenParkingSessions()
                .Where(s => s.EnteredAt is { } entered && entered <= t && t - entered <= FuzzyHorizon && !atBays.Contains(s.Id) && !charging.Contains(s.Id))
                .OrderByDescending(s => s.EnteredAt)
                .Select(s => new BindingCandidate(s.Plate, s.Id, null, null, FuzzyConfidence, null, s.EntrySightingId is null ? [] : [s.EntrySightingId], "inside, at no bay, charging nowhere")),
        ];
    }

    /// <summary>
    /// The plate's vehicle inside the car park (its exact plate, or else the only open session within one
    /// OCR error of it: the gates misread plates too), unless a camera places it at a bay (this one's camera
    /// would have seen it) or it is charging elsewhere.
    /// </summary>
    private static BindingCandidate? InsideCandidate(SiteChangeSet work, ChargingBinding binding, string plate, string reason)
    {
        var open = work.OpenParkingSessions().ToList();
        var exact = open.Where(s => s.Plate == plate).OrderByDescending(s => s.EnteredAt).FirstOrDefault();
        var similar = exact is null ? open.Where(s => PlateSimilarity.IsSameVehicle(s.Plate, plate)).Take(2).ToList() : [];
        if ((exact ?? (similar.Count == 1 ? similar[0] : null)) is not { } session
            || work.CurrentVisits().Any(v => v.ParkingSessionId == session.Id)
            || work.Bindings().Any(b => b.IsBound && b.ParkingSessionId == session.Id && b.ChargingSessionId != binding.ChargingSessionId
                && work.Session(b.ChargingSessionId) is { Status: ChargingSessionStatus.Active }))
        {
            return null;
        }

        return new BindingCandidate(session.Plate, session.Id, null, null, KnownTokenConfidence, null, session.EntrySightingId is null ? [] : [session.EntrySightingId], reason);
    }

    private static void Bind(SiteChangeSet work, ChargingBinding binding, BindingStatus status, BindingMethod method, BindingCandidate candidate, double confidence, string reason)
    {
        var before = work.Binding(binding.ChargingSessionId);
        var after = binding with
        {
            Status = status,
            Method = method,
            Plate = candidate.Plate,
            ParkingSessionId = candidate.ParkingSessionId,
            BayVisitId = candidate.BayVisitId,
            Confidence = Math.Round(confidence, 4),
            Offset = candidate.Offset,
            Evidence = candidate.Evidence,
            Candidates = [],
            WaitUntil = null,
            DecidedAt = work.ReceivedAt,
            Changes = before is { IsBound: true } ? binding.Changes + 1 : binding.Changes,
        };
        if (before is { IsBound: true } && before.Plate == after.Plate && before.ParkingSessionId == after.ParkingSessionId && before.Method == after.Method && before.Status == after.Status)
        {
            return;
        }

        work.Put(after);
        MoveToVisit(work, before?.BayVisitId, after);
        if (before is { IsBound: true })
        {
            work.Publish(new BindingChanged(BindingSummary.Of(before), BindingSummary.Of(after), reason) { EventTime = work.EventTime });
        }
        else
        {
            work.Publish(new BindingCreated(BindingSummary.Of(after)) { EventTime = work.EventTime });
        }

        if (status == BindingStatus.Provisional)
        {
            work.Publish(new BindingReviewNeeded(BindingSummary.Of(after), [candidate]) { EventTime = work.EventTime });
        }

        LearnToken(work, after);

        if (work.Session(binding.ChargingSessionId) is { } session)
        {
            NoteChargingFinished(work, session);
        }
    }

    /// <summary>
    /// A confident bay-camera binding teaches which plate goes with the session's id token (for the
    /// known-token fallback). A 2.0.1 charger sends the token when the driver authorises, often after the
    /// binding was made, so this runs again when it arrives. A token seen with a second plate (a fleet
    /// card, a free-vend tag) identifies nobody from then on; an empty one (NoAuthorization) never does,
    /// nor does the site's autocharge token (every autocharged vehicle shares it).
    /// </summary>
    private static void LearnToken(SiteChangeSet work, ChargingBinding binding)
    {
        if (binding is { Status: BindingStatus.Bound, Method: BindingMethod.BayCamera, Plate: { } plate }
            && binding.Confidence >= (work.Configuration?.Settings.AutoAcceptConfidence ?? 1)
            && work.Session(binding.ChargingSessionId)?.IdToken?.Value is { Length: > 0 } token
            && token != work.Configuration?.Automation.Autocharge.IdToken
            && (!work.KnowsToken(token) || (work.PlateOfToken(token) is { } known && known != plate && !PlateSimilarity.IsSameVehicle(known, plate))))
        {
            work.LinkToken(token, plate);
        }
    }

    private static void Review(SiteChangeSet work, ChargingBinding binding, ChargingBinding? before, ImmutableArray<BindingCandidate> candidates, string reason)
    {
        var after = binding with
        {
            Status = BindingStatus.Review,
            Method = null,
            Plate = null,
            ParkingSessionId = null,
            BayVisitId = null,
            Confidence = 0,
            Offset = null,
            Evidence = [],
            Candidates = candidates,
            WaitUntil = null,
            DecidedAt = work.ReceivedAt,
        };
        if (before is { Status: BindingStatus.Review } && before.Candidates.Select(c => c.Plate).SequenceEqual(candidates.Select(c => c.Plate)))
        {
            return;
        }

        work.Put(after);
        MoveToVisit(work, before?.BayVisitId, after);
        if (before is { IsBound: true })
        {
            work.Publish(new BindingChanged(BindingSummary.Of(before), BindingSummary.Of(after), reason) { EventTime = work.EventTime });
        }

        work.Publish(new BindingReviewNeeded(BindingSummary.Of(after), candidates) { EventTime = work.EventTime });
    }

    private static void Put(SiteChangeSet work, ChargingBinding binding, ChargingBinding? before)
    {
        if (before is null || before.Status != binding.Status || before.WaitUntil != binding.WaitUntil
            || before.PlugInAt != binding.PlugInAt || !before.Candidates.SequenceEqual(binding.Candidates))
        {
            work.Put(binding);
        }
    }

    /// <summary>The visit knows the charging sessions bound to it (for ICE and idle detection).</summary>
    private static void MoveToVisit(SiteChangeSet work, string? fromVisit, ChargingBinding after)
    {
        if (fromVisit is not null && fromVisit != after.BayVisitId && work.Visit(fromVisit) is { } old)
        {
            work.Put(old with { ChargingSessionIds = old.ChargingSessionIds.Remove(after.ChargingSessionId) });
        }

        if (after.BayVisitId is { } visitId && work.Visit(visitId) is { } visit && !visit.ChargingSessionIds.Contains(after.ChargingSessionId))
        {
            work.Put(visit with { ChargingSessionIds = visit.ChargingSessionIds.Add(after.ChargingSessionId) });
        }
    }

    /// <summary>Has the bound vehicle finished charging? One rule decides, for the event, the bill and the dashboard.</summary>
    private static void NoteChargingFinished(SiteChangeSet work, ChargingSession session) => Parking.IdleRules.Note(work, session);

    /// <summary>
    /// Did any charging session run on the bay's outlet since <paramref name="since"/>? Then a vehicle
    /// standing there is not an ICE occupant, even when its charge could not be bound to it.
    /// </summary>
    internal static bool ChargedSince(IEnumerable<ChargingSession> sessionsOfCharger, EvBayConfiguration bay, DateTimeOffset since) =>
        sessionsOfCharger.Any(s => bay.Serves(s.Connector) && (s.StoppedAt is null || s.StoppedAt >= since));

    /// <summary>A connector serving <paramref name="served"/> can be used by a car at <paramref name="bay"/>: the same bay, or one its cable reaches.</summary>
    private static bool Reaches(SiteConfiguration config, string served, string bay) =>
        served == bay
        || config.FindBay(served)?.Neighbours.Contains(bay) == true
        || config.FindBay(bay)?.Neighbours.Contains(served) == true;

    private static bool IsBoundBy(this ChargingBinding? binding, BindingMethod method) => binding is { IsBound: true } && binding.Method == method;
}
