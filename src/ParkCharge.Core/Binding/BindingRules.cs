using System.Collections.Immutable;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
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

        var plugIn = PlugInAt(work, session);
        var existing = work.Binding(session.Id);
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
            if (visit.IceDetectedAt is null && visit.StartedAt + settings.IceLimit <= due && config.FindBay(visit.Bay) is { } bay && !ChargedSince(work, bay, visit.StartedAt - settings.BindingWindow))
            {
                work.Put(visit with { IceDetectedAt = due });
                work.Publish(new BayIceDetected(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, visit.StartedAt, bay.Charger, work.BayOutlet(bay)) { EventTime = due });
            }

            if (visit is { ChargingFinishedAt: { } finished, IdleSince: null } && finished + settings.IdleGrace <= due)
            {
                var current = work.Visit(visit.Id)!;
                work.Put(current with { IdleSince = finished + settings.IdleGrace });
                var served = config.FindBay(visit.Bay);
                var outlet = served is null ? (ConnectorRef?)null : work.BayOutlet(served);
                work.Publish(new BayIdleStarted(visit.Bay, visit.Plate, visit.Id, visit.ParkingSessionId, visit.ChargingSessionIds.LastOrDefault(), finished, finished + settings.IdleGrace, served?.Charger, outlet) { EventTime = due });
            }
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
        if (work.Session(binding.ChargingSessionId)?.IdToken?.Value is { } token && work.PlateOfToken(token) is { } knownPlate)
        {
            var known = candidates.FirstOrDefault(c => c.Plate == knownPlate) ?? InsideCandidate(work, knownPlate, "the id token was seen with this plate before");
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

            double timing;
            var offset = visit.StartedAt - t;
            if (offset.Duration() <= window)
            {
                timing = 1.0 - (0.2 * offset.Duration().TotalSeconds / window.TotalSeconds);
            }
            else if (offset < TimeSpan.Zero && (visit.EndedAt is null || visit.EndedAt >= t))
            {
                // Parked earlier and still there at the plug-in: the longer since it was last read, the less sure.
                var unseen = t - visit.LastSeenAt;
                timing = unseen <= window ? 0.85 : Math.Max(0.55, 0.85 - (0.05 * unseen.TotalHours));
            }
            else
            {
                continue;
            }

            var confidence = work.Sighting(visit.SightingId)?.Best.Confidence ?? 0.9;
            var score = (visit.Bay == served ? 1.0 : NeighbourFactor) * timing * (0.6 + (0.4 * confidence));
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

    private static BindingCandidate? InsideCandidate(SiteChangeSet work, string plate, string reason) =>
        work.OpenParkingSessions().Where(s => s.Plate == plate).OrderByDescending(s => s.EnteredAt).FirstOrDefault() is { } session
            ? new BindingCandidate(plate, session.Id, null, null, KnownTokenConfidence, null, session.EntrySightingId is null ? [] : [session.EntrySightingId], reason)
            : null;

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

        // The site's autocharge token is shared by every autocharged vehicle: it says nothing about a plate.
        if (method == BindingMethod.BayCamera && confidence >= (work.Configuration?.Settings.AutoAcceptConfidence ?? 1)
            && work.Session(binding.ChargingSessionId)?.IdToken?.Value is { } token && token != work.Configuration?.Automation.Autocharge.IdToken)
        {
            work.LinkToken(token, candidate.Plate);
        }

        if (work.Session(binding.ChargingSessionId) is { } session)
        {
            NoteChargingFinished(work, session);
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

    /// <summary>
    /// Charging finished (the transaction stopped, or the EV stopped drawing: 2.0.1 SuspendedEV or
    /// Idle) while the bound vehicle is still in the bay: its idle grace starts.
    /// </summary>
    private static void NoteChargingFinished(SiteChangeSet work, ChargingSession session)
    {
        var finished = session.Status == ChargingSessionStatus.Completed ? session.StoppedAt
            : session.ChargingState is ChargingState.SuspendedEV or ChargingState.Idle ? session.ChargingStateSince
            : null;
        if (work.Binding(session.Id) is not { IsBound: true, BayVisitId: { } visitId } || work.Visit(visitId) is not { IsCurrent: true } visit)
        {
            return;
        }

        if (finished is { } at && visit.ChargingFinishedAt is null)
        {
            work.Put(visit with { ChargingFinishedAt = at });
        }
        else if (finished is null && visit is { ChargingFinishedAt: not null, IdleSince: null })
        {
            work.Put(visit with { ChargingFinishedAt = null }); // charging resumed within the grace
        }
    }

    /// <summary>Did any charging session run on the bay's outlet since <paramref name="since"/>?</summary>
    private static bool ChargedSince(SiteChangeSet work, EvBayConfiguration bay, DateTimeOffset since) =>
        work.SessionsOf(bay.Charger).Any(s => bay.Serves(s.Connector) && (s.StoppedAt is null || s.StoppedAt >= since));

    /// <summary>A connector serving <paramref name="served"/> can be used by a car at <paramref name="bay"/>: the same bay, or one its cable reaches.</summary>
    private static bool Reaches(SiteConfiguration config, string served, string bay) =>
        served == bay
        || config.FindBay(served)?.Neighbours.Contains(bay) == true
        || config.FindBay(bay)?.Neighbours.Contains(served) == true;

    private static bool IsBoundBy(this ChargingBinding? binding, BindingMethod method) => binding is { IsBound: true } && binding.Method == method;
}
