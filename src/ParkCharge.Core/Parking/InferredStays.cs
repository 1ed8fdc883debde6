using System.Collections.Immutable;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>
/// A span in which an exit camera may have missed vehicles: from its last push before it was found silent (or from when
/// it was found degraded) until it pushed again (or recovered); <see cref="To"/> null while it lasts.
/// </summary>
public sealed record BlindSpell(CameraCondition Condition, DateTimeOffset From, DateTimeOffset? To)
{
    /// <summary>How long an ended spell is kept (a stay that entered before it may be closed by it).</summary>
    public static readonly TimeSpan Kept = TimeSpan.FromDays(8);

    public bool Covers(DateTimeOffset at) => From <= at && (To is null || To >= at);
}

/// <summary>
/// Stays whose gate read was missed, opened or closed provisionally from other evidence so that a broken gate camera does
/// not break billing (issue 22 part 3; docs/billing.md, "Inferred stays"). Evidence is always the stay's exact plate: a
/// bay visit read with that plate, or a charge bound to it by a bay camera, a known id token, the charger's sensor or an
/// operator, never a fuzzy match (a look-alike is another car as often as a misread). What is inferred is flagged
/// (<see cref="ParkingAnomalies.EntryInferred"/>, <see cref="ParkingAnomalies.ExitInferred"/>), published
/// (<see cref="ParkingSessionInferred"/>) and listed for review (<see cref="ParkingAnomalyKind.StayInferred"/>); a gate read
/// that arrives later replaces it.
/// <list type="bullet">
/// <item>An exit without entry: the entry is the earliest evidence of presence within the site's <c>lookBack</c>. The car
/// may have come in earlier, never later, so the bill can only be too low, not too high.</item>
/// <item>An entry while the plate's stay is open: that stay's exit is its last evidence of presence (the car must have
/// left between then and the new entry).</item>
/// <item>A vehicle last seen (its last evidence of presence: its entry, a bay read, a charge) while an exit camera was
/// silent or degraded, or within <c>leftBayGrace</c> before it went so, and not read leaving since: when it drove off
/// from its bay, its exit is that moment once <c>leftBayGrace</c> has passed; otherwise its last evidence once
/// <c>openLimit</c> has passed. A vehicle last seen while every exit camera worked is not closed (a long stay).</item>
/// </list>
/// </summary>
internal static class InferredStays
{
    /// <summary>A stretch in which the vehicle was at the car park, and what says so.</summary>
    /// <param name="Ongoing">It is there now (a current bay visit, a running charge).</param>
    /// <param name="LeftBay">It ended when the bay was reported empty (the car drove off from the bay).</param>
    /// <param name="Charging">A charge bound to the stay is running.</param>
    private readonly record struct Presence(DateTimeOffset From, DateTimeOffset To, string Evidence, string Words, bool Ongoing, bool LeftBay, bool Charging = false);

    /// <summary>An exit the timer will infer: when, at what time, why and from what.</summary>
    private readonly record struct DueExit(DateTimeOffset Due, DateTimeOffset At, string Reason, ImmutableArray<string> Evidence);

    private static InferredStaySettings? On(SiteConfiguration? config) => config?.InferredStays is { Enabled: true } settings ? settings : null;

    /// <summary>After each decision: exit cameras' blind spells follow their alarms; stays that left without an entry get one from the evidence.</summary>
    public static void AfterDecision(SiteChangeSet work)
    {
        if (work.Configuration is not { } config || On(config) is not { } settings)
        {
            return;
        }

        RecordBlindSpells(work, config);
        foreach (var id in work.TouchedParkingSessions().ToList())
        {
            if (work.ParkingSession(id) is { IsOpen: false, ExitedAt: { } exit } stay && stay.ClosedBy != ParkingSessionClosure.Merged
                && stay.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry) && (stay.EnteredAt is null || stay.Anomalies.HasFlag(ParkingAnomalies.EntryInferred)))
            {
                InferEntry(work, settings, stay, exit);
            }
        }
    }

    private static void InferEntry(SiteChangeSet work, InferredStaySettings settings, ParkingSession stay, DateTimeOffset exit)
    {
        var evidence = Evidence(stay, work.Visit, work.Bindings(), work.Session).Where(p => p.From <= exit && exit - p.From <= settings.LookBack).ToList();
        if (evidence.Count == 0)
        {
            return; // no exact evidence: it stays an exit without entry (an anomaly, the unknown-entry charge)
        }

        var first = evidence.OrderBy(p => p.From).ThenBy(p => p.Evidence, StringComparer.Ordinal).First();
        if (stay.EnteredAt == first.From)
        {
            return;
        }

        var firstTime = stay.EnteredAt is null;
        var inferred = stay with { EnteredAt = first.From, Anomalies = stay.Anomalies | ParkingAnomalies.EntryInferred, UpdatedAt = work.ReceivedAt };
        work.Put(inferred);
        var reason = $"{stay.Plate} left at {exit:O} without an entry read; the earliest evidence it was here: {first.Words}";
        Publish(work, inferred, "entry", first.From, reason, [.. evidence.Select(p => p.Evidence).Distinct()], settings.BillInferredEntry, raise: firstTime);
        if (firstTime)
        {
            Resolve(work, stay.Id, ParkingAnomalyKind.ExitWithoutEntry, $"entry inferred at {first.From:O} from {first.Evidence} (review item {ParkingAnomalyKind.StayInferred})");
        }
    }

    /// <summary>
    /// An entry read of a stay that left without one (its entry inferred, or not): the read arrived late, from a camera's
    /// buffer. It becomes the stay's entry (replacing any inferred one) instead of opening a stay that would never close.
    /// </summary>
    public static bool TakeLateEntry(SiteChangeSet work, SiteConfiguration config, Sighting entry)
    {
        if (On(config) is not { } settings)
        {
            return false;
        }

        var at = entry.FirstSeenAt;
        var window = settings.LookBack > config.Settings.MaxStay ? settings.LookBack : config.Settings.MaxStay;
        var stays = work.RecentParkingSessions().Where(s => s.Plate == entry.Plate && s.ClosedBy != ParkingSessionClosure.Merged).ToList();
        var stay = stays.Where(s => s is { IsOpen: false, ExitedAt: { } x } && x >= at && x - at <= window && s.Anomalies.HasFlag(ParkingAnomalies.ExitWithoutEntry)
                && (s.EnteredAt is null || s.Anomalies.HasFlag(ParkingAnomalies.EntryInferred)))
            .OrderBy(s => s.ExitedAt).ThenBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault();

        // Another stay of the plate between the read and that exit: the read is not this stay's entry.
        if (stay is null || stays.Any(s => s.Id != stay.Id && (Between(s.EnteredAt, at, stay.ExitedAt!.Value) || Between(s.ExitedAt, at, stay.ExitedAt!.Value))))
        {
            return false;
        }

        var was = stay.Anomalies.HasFlag(ParkingAnomalies.EntryInferred) ? stay.EnteredAt : null;
        var corrected = stay with
        {
            EnteredAt = at,
            EntrySightingId = entry.Id,
            EntryLane = entry.Lane,
            Anomalies = stay.Anomalies & ~(ParkingAnomalies.ExitWithoutEntry | ParkingAnomalies.EntryInferred),
            UpdatedAt = work.ReceivedAt,
        };
        Resolve(work, stay.Id, ParkingAnomalyKind.ExitWithoutEntry, "the entry read arrived late");
        ReadReplaces(work, corrected, entry, $"entry read arrived late: entered at {at:O}" + (was is { } inferred ? $", replacing the inferred entry {inferred:O}" : ""));
        return true;
    }

    /// <summary>
    /// An exit read of a stay whose exit was inferred, with no later stay of the plate by then: the read is its real exit
    /// (a camera's buffer, a vehicle that stayed longer than the evidence showed) and replaces the inferred one.
    /// </summary>
    /// <returns>The stay whose exit the read became; null when it is no such stay's.</returns>
    public static string? TakeLateExit(SiteChangeSet work, SiteConfiguration config, Sighting exit)
    {
        if (On(config) is null)
        {
            return null;
        }

        var at = exit.FirstSeenAt;
        var stays = work.RecentParkingSessions().Where(s => s.Plate == exit.Plate && s.ClosedBy != ParkingSessionClosure.Merged).ToList();
        var stay = stays.Where(s => s is { IsOpen: false, EnteredAt: { } e } && e <= at && s.Anomalies.HasFlag(ParkingAnomalies.ExitInferred))
            .OrderByDescending(s => s.EnteredAt).ThenBy(s => s.Id, StringComparer.Ordinal).FirstOrDefault();
        if (stay is null || stays.Any(s => s.Id != stay.Id && s.EnteredAt is { } e && e > stay.EnteredAt && e <= at))
        {
            return null; // a stay of the plate that entered since owns the read
        }

        var replaced = stay with
        {
            ExitedAt = at,
            ExitSightingId = exit.Id,
            ExitLane = exit.Lane,
            ClosedBy = ParkingSessionClosure.ExitRead,
            Anomalies = stay.Anomalies & ~(ParkingAnomalies.ExitInferred | ParkingAnomalies.ExitNotRead),
            UpdatedAt = work.ReceivedAt,
        };
        ReadReplaces(work, replaced, exit, $"exit read arrived: left at {at:O}, replacing the inferred exit {stay.ExitedAt:O}");
        return replaced.Id;
    }

    /// <summary>A gate read became the stay's entry or exit: the stay takes it, the review item is resolved, the change published.</summary>
    private static void ReadReplaces(SiteChangeSet work, ParkingSession stay, Sighting read, string change)
    {
        work.Put(stay);
        work.Put(read with { ParkingSessionId = stay.Id });
        Resolve(work, stay.Id, ParkingAnomalyKind.StayInferred, change);
        work.Publish(new ParkingSessionUpdated(ParkingSessionSummary.Of(stay), change) { EventTime = read.FirstSeenAt });
    }

    /// <summary>
    /// The exit of a stay whose plate enters again at <paramref name="reentry"/> with no exit read: its last evidence of
    /// presence before the new entry. Null when inference is off or the evidence says it was still here (then it closes at the new entry).
    /// </summary>
    public static (DateTimeOffset At, string Reason, ImmutableArray<string> Evidence)? LeftBefore(SiteChangeSet work, SiteConfiguration config, ParkingSession stay, DateTimeOffset reentry)
    {
        if (On(config) is null || stay.EnteredAt is not { } entered || entered >= reentry)
        {
            return null;
        }

        // A visit still open is no sign the car is here now (it is coming in at the gate; the bay camera reports no empty
        // bay, or missed it): its last read is. A charge still running may be a charger that has not reported its stop yet:
        // the car may have been here until now, so it closes at the new entry as before.
        var evidence = Evidence(stay, work.Visit, work.Bindings(), work.Session).Where(p => p.From <= reentry).ToList();
        if (evidence.Any(p => p.Charging || p.To >= reentry))
        {
            return null;
        }

        var last = evidence.Where(p => p.To > entered).OrderByDescending(p => p.To).ThenBy(p => p.Evidence, StringComparer.Ordinal).FirstOrDefault();
        var at = last.Evidence is null ? entered : last.To;
        var words = last.Evidence is null ? $"its entry at {entered:O}" : last.Words;
        return (at, $"{stay.Plate} entered again at {reentry:O} without an exit read; the last evidence it was here: {words}",
            [.. new[] { stay.EntrySightingId }.OfType<string>().Concat(evidence.Select(p => p.Evidence)).Distinct()]);
    }

    /// <summary>After <see cref="ParkingRules"/> closed a stay at its inferred exit (a re-entry): published and listed for review.</summary>
    public static void ExitInferred(SiteChangeSet work, string stayId, DateTimeOffset at, string reason, ImmutableArray<string> evidence)
    {
        if (work.ParkingSession(stayId) is { } stay)
        {
            Publish(work, stay, "exit", at, reason, evidence, billed: true, raise: true);
        }
    }

    /// <summary>Closes the stays whose inferred exit has come (they left a bay, or stayed past the limit, while an exit camera was blind).</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config || On(config) is not { } settings)
        {
            return;
        }

        var spells = ExitSpells(config, work.CameraHealth);
        if (spells.Count == 0)
        {
            return;
        }

        ILookup<string, ChargingBinding>? bindings = null;
        foreach (var stay in work.OpenParkingSessions().Where(s => MayConcern(spells, s)).OrderBy(s => s.Id, StringComparer.Ordinal).ToList())
        {
            bindings ??= BoundByStay(work.Bindings());
            if (Due(stay, settings, spells, Evidence(stay, work.Visit, bindings[stay.Id], work.Session)) is { } exit && exit.Due <= due)
            {
                ParkingRules.Close(work, stay with { Anomalies = stay.Anomalies | ParkingAnomalies.ExitInferred }, exit.At, null, ParkingSessionClosure.Inferred);
                ExitInferred(work, stay.Id, exit.At, exit.Reason, exit.Evidence);
            }
        }
    }

    /// <summary>The earliest inferred exit to come among the open stays; null when no exit camera was blind.</summary>
    public static DateTimeOffset? NextDeadline(SiteState state, SiteConfiguration config)
    {
        if (On(config) is not { } settings)
        {
            return null;
        }

        var spells = ExitSpells(config, state.Cameras.Find);
        if (spells.Count == 0)
        {
            return null;
        }

        ILookup<string, ChargingBinding>? bindings = null;
        DateTimeOffset? next = null;
        foreach (var stay in state.Parking.OpenSessions.Where(s => MayConcern(spells, s)))
        {
            bindings ??= BoundByStay(state.Binding.Bindings);
            if (Due(stay, settings, spells, Evidence(stay, state.Parking.FindVisit, bindings[stay.Id], state.FindSession)) is { } exit && (next is null || exit.Due < next))
            {
                next = exit.Due;
            }
        }

        return next;
    }

    /// <summary>
    /// Whether a blind spell lasted until the stay entered or later: else nothing the stay did can have been missed (the
    /// evidence need not be looked at; after a spell has ended, the stays that came in since cost nothing).
    /// </summary>
    private static bool MayConcern(IReadOnlyList<(string Camera, BlindSpell Spell)> spells, ParkingSession stay) =>
        stay.EnteredAt is { } entered && spells.Any(s => s.Spell.To is null || s.Spell.To >= entered);

    private static ILookup<string, ChargingBinding> BoundByStay(IEnumerable<ChargingBinding> bindings) =>
        bindings.Where(b => b.IsBound && b.ParkingSessionId is not null).ToLookup(b => b.ParkingSessionId!, StringComparer.Ordinal);

    private static DueExit? Due(ParkingSession stay, InferredStaySettings settings, IReadOnlyList<(string Camera, BlindSpell Spell)> spells, List<Presence> evidence)
    {
        if (stay.EnteredAt is not { } entered || evidence.Any(p => p.Ongoing))
        {
            return null;
        }

        var last = evidence.Where(p => p.To > entered).OrderByDescending(p => p.To).ThenBy(p => p.Evidence, StringComparer.Ordinal).FirstOrDefault();
        var lastAt = last.Evidence is null ? entered : last.To;
        var lastWords = last.Evidence is null ? $"its entry at {entered:O}" : last.Words;
        ImmutableArray<string> ids = [.. new[] { stay.EntrySightingId }.OfType<string>().Concat(evidence.Select(p => p.Evidence)).Distinct()];
        // Only a vehicle last seen while an exit camera was blind (or just before it went blind) may have left unseen: one
        // last seen while every exit camera worked, and not read leaving since, is still here (a long stay, a permit holder).
        var grace = settings.LeftBayGrace;
        if (spells.Where(s => s.Spell.From <= lastAt + grace && (s.Spell.To is null || s.Spell.To >= lastAt)).Select(s => s.Camera).FirstOrDefault() is not { } blind)
        {
            return null;
        }

        ids = [.. ids, blind];
        return last is { Evidence: not null, LeftBay: true }
            ? new DueExit(lastAt + grace, lastAt, $"{stay.Plate} drove off from its bay ({last.Words}) while exit camera '{blind}' was silent or degraded, and no exit read followed within {grace}", ids)
            : new DueExit(lastAt + settings.OpenLimit, lastAt, $"{stay.Plate} was last seen ({lastWords}) while exit camera '{blind}' was silent or degraded, and has been open longer than {settings.OpenLimit} since", ids);
    }

    /// <summary>The blind spells of the site's exit cameras (lane cameras at an exit or two-way lane).</summary>
    private static List<(string Camera, BlindSpell Spell)> ExitSpells(SiteConfiguration config, Func<string, CameraHealth?> health)
    {
        var spells = new List<(string, BlindSpell)>();
        foreach (var camera in config.Cameras)
        {
            if (IsExitCamera(config, camera) && health(camera.Id) is { BlindSpells.Length: > 0 } h)
            {
                spells.AddRange(h.BlindSpells.Select(s => (camera.Id, s)));
            }
        }

        return spells;
    }

    private static bool IsExitCamera(SiteConfiguration config, CameraConfiguration camera) =>
        camera.Lane is { } lane && config.FindLane(lane)?.Direction is LaneDirection.Exit or LaneDirection.Both;

    /// <summary>An exit camera found silent or degraded opens a blind spell (a silent one from its last push); its next push or recovery ends it.</summary>
    private static void RecordBlindSpells(SiteChangeSet work, SiteConfiguration config)
    {
        foreach (var changed in work.ChangedCameraHealth().OrderBy(h => h.Camera, StringComparer.Ordinal).ToList())
        {
            if (config.FindCamera(changed.Camera) is not { } camera || !IsExitCamera(config, camera))
            {
                continue;
            }

            var health = changed;
            if (health.BlindSpells.Any(s => s.To < work.Now - BlindSpell.Kept))
            {
                health = health with { BlindSpells = [.. health.BlindSpells.Where(s => s.To is null || s.To >= work.Now - BlindSpell.Kept)] };
                work.Put(health);
            }

            var open = health.BlindSpells.Length > 0 && health.BlindSpells[^1].To is null ? health.BlindSpells[^1] : null;
            var silent = health.SilentSince is not null;
            var blind = silent || health.DegradedSince is not null;
            if (blind && open is null)
            {
                var spell = silent
                    ? new BlindSpell(CameraCondition.Silent, health.LastReadAt ?? health.WatchedSince, null)
                    : new BlindSpell(CameraCondition.Degraded, health.DegradedSince!.Value, null);
                work.Put(health with { BlindSpells = health.BlindSpells.Add(spell) });
            }
            else if (!blind && open is not null)
            {
                work.Put(health with { BlindSpells = health.BlindSpells.SetItem(health.BlindSpells.Length - 1, open with { To = health.LastReadAt ?? work.Now }) });
            }
        }
    }

    /// <summary>
    /// What says the stay's vehicle was here, with its plate exactly: bay visits read with the plate, and charges bound
    /// to the stay with the plate by anything but a fuzzy match.
    /// </summary>
    private static List<Presence> Evidence(ParkingSession stay, Func<string, BayVisit?> visit, IEnumerable<ChargingBinding> bindings, Func<string, ChargingSession?> charging)
    {
        var found = new List<Presence>();
        foreach (var v in stay.BayVisitIds.Select(visit).OfType<BayVisit>().Where(v => v.Plate == stay.Plate))
        {
            var leftBay = v is { EndedAt: not null, EndReason: BayVisitEnd.Vacated or BayVisitEnd.ConnectorAvailable or BayVisitEnd.SensorVacated };
            var to = leftBay ? v.EndedAt!.Value : v.LastSeenAt;
            found.Add(new Presence(v.StartedAt, to, v.Id, $"{v.Plate} at bay {v.Bay} from {v.StartedAt:O} to {to:O}", v.IsCurrent, leftBay));
        }

        foreach (var b in bindings.Where(b => b.IsBound && b.ParkingSessionId == stay.Id && b.Plate == stay.Plate && b.Method is not BindingMethod.Fuzzy))
        {
            if (charging(b.ChargingSessionId) is not { } c)
            {
                continue;
            }

            var from = c.StartedAt is { } started && started < b.PlugInAt ? started : b.PlugInAt;
            var to = c.StoppedAt is { } stopped && stopped > from ? stopped : from;
            found.Add(new Presence(from, to, c.Id, $"charge {c.Id} at {c.Charger} bound by {b.Method} from {from:O}", c.Status == ChargingSessionStatus.Active, false, c.Status == ChargingSessionStatus.Active));
        }

        return found;
    }

    private static void Publish(SiteChangeSet work, ParkingSession stay, string end, DateTimeOffset at, string reason, ImmutableArray<string> evidence, bool billed, bool raise)
    {
        work.Publish(new ParkingSessionInferred(ParkingSessionSummary.Of(stay), end, at, reason, evidence, billed) { EventTime = work.EventTime });
        if (!raise)
        {
            return;
        }

        var anomaly = new ParkingAnomaly
        {
            Id = work.NewId("parking-anomaly"),
            Kind = ParkingAnomalyKind.StayInferred,
            At = at,
            Plate = stay.Plate,
            ParkingSessionId = stay.Id,
            Candidates = evidence,
            Detail = $"{end} inferred at {at:O}{(billed ? "" : " (not billed from it)")}: {reason}",
        };
        work.Put(anomaly);
        work.Publish(new ParkingAnomalyDetected(anomaly) { EventTime = work.EventTime });
    }

    private static void Resolve(SiteChangeSet work, string stayId, ParkingAnomalyKind kind, string resolution)
    {
        foreach (var anomaly in work.OpenAnomalies().Where(a => a.ParkingSessionId == stayId && a.Kind == kind).ToList())
        {
            work.Put(anomaly with { Resolved = true, Resolution = resolution });
        }
    }

    private static bool Between(DateTimeOffset? t, DateTimeOffset from, DateTimeOffset to) => t is { } v && v >= from && v <= to;
}
