using System.Collections.Immutable;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Plates;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Binding;

/// <summary>
/// How charging sessions are linked to vehicles. Chargers never report plates: the link is the bay
/// camera's read at the bay the connector serves, close in time to the plug-in (scored in
/// <see cref="BindingEvidence"/>). A binding is decided afresh from all the evidence every time the
/// evidence changes, until the stay is billed and after (a settled bill then gets an adjustment): a later
/// read, a car seen leaving while the charge goes on, an exit read that names the stay. Before the evidence
/// is complete (a read after the plug-in, or the end of the binding window) a clear candidate is bound
/// tentatively. Without a clear candidate at the window's end, the fallbacks (a known id token, the only
/// plausible vehicle inside); otherwise review. Everything is decided on event times, so late and
/// out-of-order messages bind as if they had come on time.
/// </summary>
internal static class BindingRules
{
    private const double KnownTokenConfidence = 0.85;
    private const double FuzzyConfidence = 0.5;

    /// <summary>
    /// The only vehicle that came in through the gates shortly before the charger sensed one arrive in the bay: the
    /// default auto-accept threshold, no more (a car parked elsewhere first could have moved there unseen).
    /// </summary>
    private const double SensorConfidence = 0.8;

    /// <summary>How long before a vehicle is sensed in a bay it may have come in through the gates (the drive, a search for the bay).</summary>
    private static readonly TimeSpan ArrivalDrive = TimeSpan.FromMinutes(15);

    /// <summary>How much later than the sensed arrival a gate's read may be stamped (the two clocks differ).</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMinutes(1);

    /// <summary>How long before a StartTransaction a Preparing/Occupied status still counts as its plug-in.</summary>
    private static readonly TimeSpan PlugInLead = TimeSpan.FromMinutes(30);

    /// <summary>How long after a moment a charge must still have run for its car to be taken as plugged in then, whatever the clocks.</summary>
    private static readonly TimeSpan ChargingForSure = TimeSpan.FromMinutes(3);

    /// <summary>How long a vehicle that entered may have been inside to be a fuzzy candidate.</summary>
    private static readonly TimeSpan FuzzyHorizon = TimeSpan.FromHours(12);

    /// <summary>After a charging session appeared or changed: create its binding, or evaluate it again when its plug-in or its end moved.</summary>
    public static void OnChargingSession(SiteChangeSet work, ChargingSession session, ChargingSession? before)
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
                WaitUntil = plugIn + config.Settings.BindingWindow,
            };
            Evaluate(work, config, binding, existing, existing is null ? "charging session started" : "the plug-in moment moved");
            ReconsiderMovedAway(work, config, binding);
        }
        else if (before is not null && (before.StoppedAt != session.StoppedAt || before.Status != session.Status
            || (existing.RecheckAt is not null && before.LastEventAt != session.LastEventAt)))
        {
            // The end of the charge says who had to stay: a car that left before it is not the one charging.
            Evaluate(work, config, existing, existing, session.Status == ChargingSessionStatus.Completed ? "the charge ended" : "the charge went on");
        }

        if (work.Binding(session.Id) is { } current)
        {
            LearnToken(work, current);
        }

        BayOccupancyRules.ChargeChanged(work, session);
    }

    /// <summary>
    /// After a bay visit started, changed or ended: the bindings it is evidence for or against look again, once
    /// the decision's evidence is all in (a read near a plug-in, a car read at the bay during a charge, a car
    /// seen leaving while one went on).
    /// </summary>
    public static void OnVisit(SiteChangeSet work, BayVisit visit, string reason)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var binding in work.Bindings())
        {
            if (binding.Method != BindingMethod.Operator && binding.Bay is { } bay && BindingEvidence.Reaches(config, bay, visit.Bay)
                && work.Session(binding.ChargingSessionId) is { } session && BindingEvidence.Concerns(config, binding, session, visit, work.Now))
            {
                work.Reconsider(binding.ChargingSessionId, reason);
            }
        }
    }

    /// <summary>
    /// A charge learnt late (its charger was offline) began at a bay whose car was read at another bay since: the
    /// bindings of that car's stay are decided again (a car whose cable is in stays: that read may be a look-alike's).
    /// </summary>
    private static void ReconsiderMovedAway(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding)
    {
        if (binding.Bay is not { } bay)
        {
            return;
        }

        var window = config.Settings.BindingWindow;
        foreach (var moved in work.Visits().Where(v => v.Bay == bay && v.EndReason == BayVisitEnd.MovedToAnotherBay && v.EndedAt > binding.PlugInAt
            && v.StartedAt <= binding.PlugInAt + window && v.ParkingSessionId is not null).ToList())
        {
            foreach (var other in work.Bindings().Where(o => o.ParkingSessionId == moved.ParkingSessionId && o.ChargingSessionId != binding.ChargingSessionId))
            {
                work.Reconsider(other.ChargingSessionId, $"a charge at bay {bay} began before {moved.Plate} was read at another bay");
            }
        }
    }

    /// <summary>At the end of a decision: the bindings whose evidence changed are decided again.</summary>
    public static void AfterDecision(SiteChangeSet work)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        // Deciding one binding can change another's evidence (a car bound here is charging elsewhere): a few rounds at most.
        for (var round = 0; round < 3; round++)
        {
            var pending = work.TakeReconsiderations();
            if (pending.Count == 0)
            {
                return;
            }

            foreach (var (id, reason) in pending)
            {
                if (work.Binding(id) is { } binding)
                {
                    Evaluate(work, config, binding, binding, reason);
                }
            }
        }
    }

    /// <summary>
    /// A car left and its exit read names its stay: charges bound to its plate without a stay (its entry was
    /// not read; the plate, or, when this car came in unseen, one OCR error off it) join the stay, and its bill.
    /// A binding by a known card, provisional because the car's entry was not read, stands once the car leaves
    /// after the charge ended.
    /// </summary>
    public static void OnStayLeft(SiteChangeSet work, ParkingSession session, string exitPlate, bool enteredUnseen)
    {
        var open = work.OpenParkingSessions().ToList();
        foreach (var binding in work.Bindings().Where(b => b.IsBound && b.ParkingSessionId is null && b.Plate is { } plate && b.PlugInAt <= (session.ExitedAt ?? work.EventTime)
            && (plate == exitPlate || plate == session.Plate || (enteredUnseen && PlateSimilarity.IsSameVehicle(plate, exitPlate)))).ToList())
        {
            if (binding.Plate != exitPlate && binding.Plate != session.Plate
                && open.Any(s => PlateSimilarity.IsSameVehicle(s.Plate, binding.Plate!) && !IsChargingAt(work, s.Id, binding.PlugInAt, exceptBay: binding.Bay)))
            {
                continue; // like a vehicle still inside too (one not charging at another bay then)
            }

            if (ChargingAt(work, binding.PlugInAt, binding.ChargingSessionId).Contains(session.Id)
                || work.Bindings().Any(o => o.IsBound && o.ParkingSessionId == session.Id && o.ChargingSessionId != binding.ChargingSessionId && o.PlugInAt >= binding.PlugInAt
                    && work.Session(binding.ChargingSessionId) is { } charge && (charge.StoppedAt is null || charge.StoppedAt > o.PlugInAt)))
            {
                continue; // the stay was charging elsewhere meanwhile: the plate was another car's (a shared card)
            }

            var after = binding with { ParkingSessionId = session.Id, Plate = session.Plate, Changes = binding.Changes + 1, DecidedAt = work.ReceivedAt };

            // A known card's car whose entry was not read was not known to be inside: it was, and left after the
            // charge had ended. The card and the exit agree.
            if (binding is { Status: BindingStatus.Provisional, Method: BindingMethod.KnownIdToken } && enteredUnseen
                && work.Session(binding.ChargingSessionId) is { StoppedAt: { } stopped } && session.ExitedAt >= stopped)
            {
                after = after with { Status = BindingStatus.Bound, Confidence = KnownTokenConfidence };
            }

            work.Put(after);
            work.Publish(new BindingChanged(BindingSummary.Of(binding), BindingSummary.Of(after), $"the exit read {exitPlate} names the stay of {binding.Plate}") { EventTime = work.EventTime });
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
        if (visit is null && binding.Bay is { } bay && BaySensorRules.PresenceAt(work, bay, binding.PlugInAt, work.Configuration?.Settings.BindingWindow ?? TimeSpan.Zero) is { } sensed)
        {
            candidate = BaySensorRules.Place(work, sensed, candidate); // the vehicle the charger sensed there is the operator's
        }

        Bind(work, binding, BindingStatus.Bound, BindingMethod.Operator, candidate, 1.0, tentative: false, $"resolved by {p.By}: {p.Reason}");
        work.Add(new AuditEntry(work.ReceivedAt, p.By, "binding.resolved", binding.ChargingSessionId, p.Reason, $"bound to {parking.Plate} ({parking.Id})"));
        return Acknowledged.Instance;
    }

    /// <summary>Deadlines: a binding window ran out (a waiting binding is decided, a tentative one confirmed or changed), or a recheck is due.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var binding in work.Bindings().Where(b => ((b.Status == BindingStatus.Waiting || b.Tentative) && b.WaitUntil <= due) || b.RecheckAt <= due).ToList())
        {
            Evaluate(work, config, binding, binding, binding.RecheckAt <= due && !(binding.WaitUntil <= due) ? "the charge went on" : "the binding window ended");
        }
    }

    /// <summary>When a binding must be looked at again without an observation: the end of its window (while waiting or tentative), a recheck.</summary>
    public static DateTimeOffset? NextDeadline(BindingState state)
    {
        DateTimeOffset? next = null;
        foreach (var binding in state.Bindings)
        {
            if ((binding.Status == BindingStatus.Waiting || binding.Tentative) && binding.WaitUntil is { } wait && (next is null || wait < next))
            {
                next = wait;
            }

            if (binding.RecheckAt is { } recheck && (next is null || recheck < next))
            {
                next = recheck;
            }
        }

        return next;
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

    /// <summary>
    /// Decides the binding from all the evidence there is now, whatever was decided before (only an
    /// operator's decision stands): the same evidence, in whatever order it arrived, gives the same binding.
    /// </summary>
    private static void Evaluate(SiteChangeSet work, SiteConfiguration config, ChargingBinding binding, ChargingBinding? before, string reason)
    {
        if (before is { Method: BindingMethod.Operator } || work.Session(binding.ChargingSessionId) is not { } session)
        {
            return;
        }

        var settings = config.Settings;
        var (scored, recheck) = BindingEvidence.Candidates(work, config, binding, session);
        binding = binding with { RecheckAt = recheck };
        var candidates = scored.Select(c => c.Candidate).ToList();
        var windowOver = work.Now >= binding.PlugInAt + settings.BindingWindow;
        if (BindingEvidence.Choose(scored, settings.AutoAcceptConfidence) is { } chosen)
        {
            // Complete: the window is over, or the car was read at the bay after the plug-in (it was there).
            var tentative = !windowOver && !chosen.ReadAfterPlugIn;
            Bind(work, binding with { WaitUntil = binding.PlugInAt + settings.BindingWindow }, BindingStatus.Bound, BindingMethod.BayCamera, chosen.Candidate, chosen.Candidate.Score, tentative, Why(reason, chosen.Candidate, before, scored));
            return;
        }

        if (!windowOver)
        {
            Wait(work, binding with { WaitUntil = binding.PlugInAt + settings.BindingWindow }, before, [.. candidates], Why(reason, null, before, scored));
            return;
        }

        // The window is over: the fallbacks, in order. Where the bay camera is missing or saw nobody who could be it, the
        // charger's own bay sensor may have sensed the vehicle arrive: whoever the fallbacks find is placed there by it.
        var sensed = binding.Bay is { } servedBay && scored.All(c => c.RuledOut)
            ? BaySensorRules.PresenceAt(work, servedBay, binding.PlugInAt, settings.BindingWindow)
            : null;
        if (session.IdToken?.Value is { Length: > 0 } token && work.PlateOfToken(token, except: session.Id) is { } knownPlate)
        {
            // The token's vehicle: among the candidates (unless the evidence rules it out), or else inside the car
            // park, unless the bay camera saw another car at this very bay (the token and the camera disagree:
            // an operator decides).
            var plausible = scored.Where(c => !c.RuledOut).Select(c => c.Candidate).ToList();
            var known = plausible.FirstOrDefault(c => c.Plate == knownPlate) ?? plausible.FirstOrDefault(c => PlateSimilarity.IsSameVehicle(c.Plate, knownPlate))
                ?? (plausible.Any(c => c.Bay == binding.Bay) ? null : InsideCandidate(work, binding, knownPlate, "the id token was seen with this plate before", sensed?.BayVisitId));
            if (known is not null)
            {
                // Without a stay (its entry was not read) the token's car is not known to be inside at all: as
                // likely, the card is shared with another car. Usable, for an operator to confirm.
                var placed = known.ParkingSessionId is not null || known.BayVisitId is not null;
                if (sensed is not null && known.BayVisitId is null)
                {
                    known = BaySensorRules.Place(work, sensed, known with { Evidence = known.Evidence.Add(sensed.Id) });
                }

                Bind(work, binding, placed ? BindingStatus.Bound : BindingStatus.Provisional, BindingMethod.KnownIdToken, known,
                    placed ? Math.Max(KnownTokenConfidence, known.Score) : FuzzyConfidence, tentative: false, Why(reason, known, before, scored));
                return;
            }
        }

        var arrived = sensed is null ? [] : ArrivalCandidates(work, binding, sensed);
        if (arrived.Count == 1)
        {
            var confidence = SensorConfidence;
            var arrival = BaySensorRules.Place(work, sensed!, arrived[0]);
            Bind(work, binding, confidence >= settings.AutoAcceptConfidence ? BindingStatus.Bound : BindingStatus.Provisional, BindingMethod.ChargerSensor, arrival,
                confidence, tentative: false, Why(reason, arrival, before, scored));
            return;
        }

        var inside = FuzzyCandidates(work, binding, sensed?.BayVisitId).Where(i => !scored.Any(c => c.RuledOut && c.Candidate.ParkingSessionId == i.ParkingSessionId)).ToList();
        if (scored.All(c => c.RuledOut) && inside.Count == 1 && arrived.Count == 0)
        {
            var only = sensed is null ? inside[0] : BaySensorRules.Place(work, sensed, inside[0] with { Evidence = inside[0].Evidence.Add(sensed.Id) });
            Bind(work, binding, BindingStatus.Provisional, BindingMethod.Fuzzy, only, FuzzyConfidence, tentative: false, Why(reason, only, before, scored));
            return;
        }

        var all = arrived.Concat(candidates.Where(c => arrived.All(a => a.Plate != c.Plate)))
            .Concat(inside.Where(i => candidates.All(c => c.Plate != i.Plate) && arrived.All(a => a.Plate != i.Plate))).Take(5).ToImmutableArray();
        Review(work, binding, before, all, Why(reason, null, before, scored));
    }

    /// <summary>Why a binding is what it is now: what happened, who was chosen and why, and what became of the one bound before.</summary>
    private static string Why(string reason, BindingCandidate? chosen, ChargingBinding? before, IReadOnlyList<ScoredCandidate> scored)
    {
        var text = chosen is null ? reason : $"{reason}: {chosen.Plate} {chosen.Reason}";
        if (before is { IsBound: true, Plate: { } was } && was != chosen?.Plate)
        {
            var old = scored.FirstOrDefault(c => c.Candidate.Plate == was);
            text += old is { RuledOut: true } ? $"; {was}: {old.Candidate.Reason}" : $"; {was} is no longer clearly the one";
        }

        return text;
    }

    /// <summary>
    /// The vehicles that can be the one the charger sensed arrive in the bay: entered through the gates within
    /// <see cref="ArrivalDrive"/> before the arrival (the drive from the gate to the bay; a minute after, for the
    /// clocks), placed at no other bay then and charging nowhere then. One is the vehicle; several are for an operator.
    /// </summary>
    private static List<BindingCandidate> ArrivalCandidates(SiteChangeSet work, ChargingBinding binding, BayPresence sensed)
    {
        var arrival = sensed.StartedAt;
        var placed = AtBaysAt(work, arrival, except: sensed.BayVisitId);
        var charging = ChargingAt(work, binding.PlugInAt, binding.ChargingSessionId);
        return
        [
            .. InsideAt(work, arrival + ClockSlack)
                .Where(s => s.EnteredAt is { } entered && entered <= arrival + ClockSlack && arrival - entered <= ArrivalDrive && !placed.Contains(s.Id) && !charging.Contains(s.Id))
                .OrderByDescending(s => s.EnteredAt)
                .Select(s => new BindingCandidate(
                    s.Plate, s.Id, null, sensed.Bay, SensorConfidence, s.EnteredAt - arrival,
                    [.. (s.EntrySightingId is null ? Array.Empty<string>() : [s.EntrySightingId]), sensed.Id],
                    $"entered at {s.EnteredAt:HH:mm:ss}, {Math.Max(0, (arrival - s.EnteredAt!.Value).TotalMinutes):0} min before the charger sensed a vehicle arrive in bay {sensed.Bay} (no plate read at the bay)")),
        ];
    }

    /// <summary>Vehicles inside at the plug-in that could be at this charger: entered before it, standing at no bay then, charging nowhere then.</summary>
    private static List<BindingCandidate> FuzzyCandidates(SiteChangeSet work, ChargingBinding binding, string? exceptVisit)
    {
        var t = binding.PlugInAt;
        var placed = AtBaysAt(work, t, exceptVisit);
        var charging = ChargingAt(work, t, binding.ChargingSessionId);
        return
        [
            .. InsideAt(work, t)
                .Where(s => s.EnteredAt is { } entered && t - entered <= FuzzyHorizon && !placed.Contains(s.Id) && !charging.Contains(s.Id))
                .OrderByDescending(s => s.EnteredAt)
                .Select(s => new BindingCandidate(s.Plate, s.Id, null, null, FuzzyConfidence, null, s.EntrySightingId is null ? [] : [s.EntrySightingId], "inside, at no bay, charging nowhere")),
        ];
    }

    /// <summary>
    /// The plate's vehicle inside the car park at the plug-in (its exact plate, or else the only stay within one
    /// OCR error of it: the gates misread plates too), unless a camera placed it at a bay then (this one's camera
    /// would have seen it) or it was charging elsewhere then. Decided on what was true at the plug-in, so that
    /// the answer does not change when the car has left since.
    /// </summary>
    private static BindingCandidate? InsideCandidate(SiteChangeSet work, ChargingBinding binding, string plate, string reason, string? exceptVisit)
    {
        var t = binding.PlugInAt;
        var inside = InsideAt(work, t);
        var exact = inside.Where(s => s.Plate == plate).OrderByDescending(s => s.EnteredAt).FirstOrDefault();
        var similar = exact is null ? inside.Where(s => PlateSimilarity.IsSameVehicle(s.Plate, plate)).Take(3).ToList() : [];
        if (exact is null && similar.Count == 0)
        {
            // Its entry was not read: the plate without a stay yet (the exit read will name the stay), unless a
            // camera placed the plate at a bay.
            return work.Visits().Any(v => v.Id != exceptVisit && v.Plate == plate && v.StartedAt <= t && (v.EndedAt ?? DateTimeOffset.MaxValue) >= t)
                ? null
                : new BindingCandidate(plate, null, null, null, KnownTokenConfidence, null, [], reason + " (its entry was not read)");
        }

        if ((exact ?? (similar.Count == 1 ? similar[0] : null)) is not { } session
            || AtBaysAt(work, t, exceptVisit).Contains(session.Id)
            || ChargingAt(work, t, binding.ChargingSessionId).Contains(session.Id))
        {
            return null;
        }

        return new BindingCandidate(session.Plate, session.Id, null, null, KnownTokenConfidence, null, session.EntrySightingId is null ? [] : [session.EntrySightingId], reason);
    }

    /// <summary>The stays that had entered and not yet left at <paramref name="t"/>.</summary>
    private static List<ParkingSession> InsideAt(SiteChangeSet work, DateTimeOffset t) =>
        [.. work.RecentParkingSessions().Where(s => s.ClosedBy != ParkingSessionClosure.Merged && s.EnteredAt <= t && (s.ExitedAt is null || s.ExitedAt >= t))];

    /// <summary>The stays a bay camera (or a charger's sensor, once bound) placed at a bay at <paramref name="t"/>, but for the visit <paramref name="except"/>.</summary>
    private static HashSet<string> AtBaysAt(SiteChangeSet work, DateTimeOffset t, string? except = null) =>
        [.. work.Visits().Where(v => v.Id != except && v.StartedAt <= t && (v.EndedAt ?? DateTimeOffset.MaxValue) >= t).Select(v => v.ParkingSessionId).OfType<string>()];

    /// <summary>
    /// A charge bound to the stay was plugged in at <paramref name="at"/> at another bay than <paramref name="exceptBay"/>
    /// and still ran minutes later (camera and charger clocks differ): its car was there, plugged in, for sure. For
    /// a car that left at <paramref name="leftAt"/>, a charge that went on after that was not its own.
    /// </summary>
    internal static bool IsChargingAt(SiteChangeSet work, string stay, DateTimeOffset at, string? exceptBay = null, DateTimeOffset? leftAt = null) =>
        work.Bindings().Any(b => b.IsBound && b.ParkingSessionId == stay && b.Method != BindingMethod.Fuzzy && b.PlugInAt <= at && (exceptBay is null || b.Bay != exceptBay)
            && work.Session(b.ChargingSessionId) is { } charge && (charge.StoppedAt is null || charge.StoppedAt > at + ChargingForSure)
            && (leftAt is null || (charge.StoppedAt is { } stopped && stopped <= leftAt + ChargingForSure)));

    /// <summary>The stays bound to another charge that was running at <paramref name="t"/>.</summary>
    private static HashSet<string> ChargingAt(SiteChangeSet work, DateTimeOffset t, string except) =>
        [.. work.Bindings()
            .Where(b => b.IsBound && b.Method != BindingMethod.Fuzzy && b.ChargingSessionId != except && b.PlugInAt <= t
                && work.Session(b.ChargingSessionId) is { } charge && (charge.StoppedAt is null || charge.StoppedAt > t))
            .Select(b => b.ParkingSessionId).OfType<string>()];

    /// <summary>
    /// Binds (or binds again) the charging session. A first binding is <c>binding.created</c>; a change of
    /// vehicle, method or status is <c>binding.changed</c> with the reason; a tentative binding that the
    /// complete evidence bears out is <c>binding.confirmed</c>.
    /// </summary>
    private static void Bind(SiteChangeSet work, ChargingBinding binding, BindingStatus status, BindingMethod method, BindingCandidate candidate, double confidence, bool tentative, string reason)
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
            WaitUntil = tentative ? binding.WaitUntil : null,
            Tentative = tentative,
            DecidedAt = work.ReceivedAt,
        };
        var sameVehicle = before is { IsBound: true } && before.Plate == after.Plate && before.ParkingSessionId == after.ParkingSessionId
            && before.Method == after.Method && before.Status == after.Status;
        if (sameVehicle && before!.Tentative == after.Tentative)
        {
            if (before.BayVisitId != after.BayVisitId || before.Offset != after.Offset || before.Confidence != after.Confidence || before.WaitUntil != after.WaitUntil
                || before.RecheckAt != after.RecheckAt)
            {
                work.Put(after with { Changes = before.Changes, DecidedAt = before.DecidedAt }); // the same decision, on fresher evidence
                MoveToVisit(work, before.BayVisitId, after);
            }

            return;
        }

        after = after with { Changes = before is { IsBound: true } && !sameVehicle ? before.Changes + 1 : before?.Changes ?? 0 };
        work.Put(after);
        MoveToVisit(work, before?.BayVisitId, after);
        ReconsiderOthers(work, before, after);
        if (sameVehicle)
        {
            work.Publish(new BindingConfirmed(BindingSummary.Of(after), reason) { EventTime = work.EventTime });
        }
        else if (before is { IsBound: true })
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
            BayOccupancyRules.ChargeChanged(work, session);
        }
    }

    /// <summary>
    /// A confident bay-camera binding teaches which plate goes with the session's id token (for the
    /// known-token fallback); a tentative one does not yet (it may still change). A 2.0.1 charger sends the
    /// token when the driver authorises, often after the binding was made, so this runs again when it
    /// arrives. A token seen with a second vehicle's plate (a fleet card, a free-vend tag) identifies nobody
    /// while both bindings stand (a binding revised takes back what it taught); an empty one (NoAuthorization)
    /// never does, nor does the site's autocharge token (every autocharged vehicle shares it).
    /// </summary>
    private static void LearnToken(SiteChangeSet work, ChargingBinding binding)
    {
        if (binding is { Status: BindingStatus.Bound, Method: BindingMethod.BayCamera, Tentative: false, Plate: { } plate }
            && binding.Confidence >= (work.Configuration?.Settings.AutoAcceptConfidence ?? 1)
            && work.Session(binding.ChargingSessionId)?.IdToken?.Value is { Length: > 0 } token
            && token != work.Configuration?.Automation.Autocharge.IdToken)
        {
            var known = work.PlateOfToken(token);
            work.LinkToken(token, plate, binding.ChargingSessionId);
            if (known is not null && known != plate && !PlateSimilarity.IsSameVehicle(known, plate))
            {
                // The card is shared after all (a fleet card): what it decided alone is decided again.
                foreach (var other in work.Bindings().Where(b => b.Method == BindingMethod.KnownIdToken && b.ChargingSessionId != binding.ChargingSessionId
                    && work.Session(b.ChargingSessionId)?.IdToken?.Value == token).ToList())
                {
                    work.Reconsider(other.ChargingSessionId, $"the card {token} was seen with {plate} too");
                }
            }
        }
    }

    private static void Review(SiteChangeSet work, ChargingBinding binding, ChargingBinding? before, ImmutableArray<BindingCandidate> candidates, string reason)
    {
        var after = Undecided(binding, before, BindingStatus.Review, candidates) with { WaitUntil = null, DecidedAt = work.ReceivedAt };
        if (before is { Status: BindingStatus.Review } && before.Candidates.Select(c => c.Plate).SequenceEqual(candidates.Select(c => c.Plate)))
        {
            if (before.RecheckAt != after.RecheckAt)
            {
                work.Put(before with { RecheckAt = after.RecheckAt });
            }

            return;
        }

        PutUndecided(work, before, after, reason);
        work.Publish(new BindingReviewNeeded(BindingSummary.Of(after), candidates) { EventTime = work.EventTime });
    }

    /// <summary>Not decided yet: waiting for the window's end. A tentative binding that the evidence no longer bears out waits again, and says so.</summary>
    private static void Wait(SiteChangeSet work, ChargingBinding binding, ChargingBinding? before, ImmutableArray<BindingCandidate> candidates, string reason)
    {
        var after = Undecided(binding, before, BindingStatus.Waiting, candidates);
        if (before is not null && before.Status == after.Status && before.WaitUntil == after.WaitUntil && before.PlugInAt == after.PlugInAt
            && before.Connector == after.Connector && before.RecheckAt == after.RecheckAt && before.Candidates.SequenceEqual(after.Candidates))
        {
            return;
        }

        PutUndecided(work, before, after, reason);
    }

    /// <summary>A binding without a vehicle now: what it held is let go (<c>binding.changed</c> when it held one).</summary>
    private static void PutUndecided(SiteChangeSet work, ChargingBinding? before, ChargingBinding after, string reason)
    {
        work.Put(after);
        MoveToVisit(work, before?.BayVisitId, after);
        ReconsiderOthers(work, before, after);
        if (before is { IsBound: true })
        {
            work.Publish(new BindingChanged(BindingSummary.Of(before), BindingSummary.Of(after), reason) { EventTime = work.EventTime });
        }
    }

    /// <summary>No vehicle: what Review and Wait share. A binding that held a vehicle counts one change more.</summary>
    private static ChargingBinding Undecided(ChargingBinding binding, ChargingBinding? before, BindingStatus status, ImmutableArray<BindingCandidate> candidates) =>
        binding with
        {
            Status = status,
            Method = null,
            Plate = null,
            ParkingSessionId = null,
            BayVisitId = null,
            Confidence = 0,
            Offset = null,
            Evidence = [],
            Candidates = candidates,
            Tentative = false,
            Changes = before is { IsBound: true } ? before.Changes + 1 : before?.Changes ?? 0,
        };

    /// <summary>
    /// A vehicle charges at one outlet at a time: when a binding takes a stay, or lets one go, the bindings
    /// that hold or considered that stay, and the charges running at the same time, are decided again.
    /// </summary>
    private static void ReconsiderOthers(SiteChangeSet work, ChargingBinding? before, ChargingBinding after)
    {
        if ((before?.ParkingSessionId == after.ParkingSessionId && before?.Plate == after.Plate) || work.Session(after.ChargingSessionId) is not { } session)
        {
            return;
        }

        // What this binding taught about its id token goes with it.
        if (before is { Plate: { } taught } && taught != after.Plate && session.IdToken?.Value is { Length: > 0 } token)
        {
            work.UnlinkToken(token, session.Id);
        }

        string[] stays = [.. new[] { before?.ParkingSessionId, after.ParkingSessionId }.OfType<string>()];
        var end = session.StoppedAt ?? DateTimeOffset.MaxValue;
        foreach (var other in work.Bindings())
        {
            if (other.ChargingSessionId == after.ChargingSessionId || other.Method == BindingMethod.Operator)
            {
                continue;
            }

            var concerned = (other.ParkingSessionId is { } stay && stays.Contains(stay))
                || other.Candidates.Any(c => c.ParkingSessionId is { } candidate && stays.Contains(candidate))
                || (other.IsBound && other.PlugInAt < end && work.Session(other.ChargingSessionId) is { } charge && (charge.StoppedAt ?? DateTimeOffset.MaxValue) > after.PlugInAt);
            if (concerned)
            {
                work.Reconsider(other.ChargingSessionId, $"the charge on {after.Charger}/{after.Connector} was bound again");
            }
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
}
