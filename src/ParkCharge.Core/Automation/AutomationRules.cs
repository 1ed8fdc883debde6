using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Automation;

/// <summary>
/// The site's automation rules, run by the engine at the end of every decision on what the decision
/// changed, and on its timers. A rule acts only by issuing commands (with the rule as origin), and
/// every action is audited with the rule's reason. Pure like the rest of the engine: a replay of the
/// log makes the same decisions.
/// </summary>
internal static class AutomationRules
{
    private const string AutochargeActor = "automation:autocharge";
    private const string PowerLimitActor = "automation:power-limit";
    private const string PermitEndActor = "automation:permit-end";
    private const string MaxChargingTimeActor = "automation:max-charging-time";

    /// <summary>After every decision: the rules look at what it changed (bindings, sessions, visits, statuses, the configuration).</summary>
    public static void AfterDecision(SiteChangeSet work)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        if (work.ConfigurationChanged)
        {
            AuditSwitches(work, config);
        }

        if (config.Automation.Autocharge.Enabled)
        {
            Autocharge(work, config);
        }

        SharePower(work, config);
        PlanStops(work, config);

        // A stop planned or moved by this decision whose notice or stop time has come already (a binding made late, at
        // a timer or by a late message) is acted on now, at this decision's time, not left as a deadline in the past.
        if (work.StopPlans().Any(p => Due(p, config) <= work.EventTime))
        {
            Timer(work, work.EventTime);
        }

        LocalListRules.AfterDecision(work, config);
    }

    /// <summary>Deadlines of the automation rules: stop notices and planned stops.</summary>
    public static DateTimeOffset? NextDeadline(AutomationState state, SiteConfiguration config)
    {
        DateTimeOffset? next = null;
        foreach (var plan in state.StopPlans)
        {
            if (Due(plan, config) is { } at && (next is null || at < next))
            {
                next = at;
            }
        }

        return next;
    }

    /// <summary>When a planned stop next needs the rules: its notice, then the stop; null when both are done (or the rule is off).</summary>
    private static DateTimeOffset? Due(StopPlan plan, SiteConfiguration config) =>
        Notice(config, plan.Cause) is not { } notice ? null
        : !plan.Noticed ? plan.EndsAt - notice
        : plan.StopCommandId is null ? plan.EndsAt
        : null;

    /// <summary>A planned stop coming: the notice before, the stop at the end.</summary>
    public static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var plan in work.StopPlans().OrderBy(p => p.EndsAt).ThenBy(p => p.ChargingSessionId, StringComparer.Ordinal).ToList())
        {
            if (Notice(config, plan.Cause) is not { } notice)
            {
                continue;
            }

            if (work.Session(plan.ChargingSessionId) is not { Status: ChargingSessionStatus.Active } session)
            {
                work.Put(plan with { Closed = true });
                continue;
            }

            var permitEnd = plan.Cause == StopCause.PermitEnd;
            var current = plan;
            if (!current.Noticed && current.EndsAt - notice <= due)
            {
                current = current with { Noticed = true };
                var why = permitEnd ? "the permit of the vehicle ends" : $"the site's maximum charging time of {Minutes(config.Automation.MaxChargingTime.Limit)} is reached";
                work.Publish(new ChargingStopScheduled(ChargingSessionSummary.Of(session), plan.Plate, plan.ParkingSessionId, plan.EndsAt, why) { EventTime = due });
            }

            if (current.StopCommandId is null && current.EndsAt <= due)
            {
                var actor = permitEnd ? PermitEndActor : MaxChargingTimeActor;
                var command = NewCommand(work, session.Charger, CommandType.RemoteStop, permitEnd ? CommandOrigin.PermitEnd : CommandOrigin.MaxChargingTime, actor, due) with
                {
                    ChargingSessionId = session.Id,
                    TransactionId = session.TransactionId,
                    Outlet = CommandRules.OutletOf(session.Connector),
                    Plate = plan.Plate,
                    ParkingSessionId = plan.ParkingSessionId,
                    Reason = permitEnd
                        ? $"the permit of {plan.Plate} ended at {plan.EndsAt:O}"
                        : $"the session reached the site's maximum charging time ({Minutes(config.Automation.MaxChargingTime.Limit)}) at {plan.EndsAt:O}",
                };
                CommandRules.Issue(work, command);
                work.Add(new AuditEntry(work.ReceivedAt, actor, "command.remote_stop", command.Id, command.Reason!, $"charging session {session.Id} on {session.Charger}/{session.Connector}"));
                current = current with { StopCommandId = command.Id };
            }

            if (current != plan)
            {
                work.Put(current);
            }
        }
    }

    /// <summary>
    /// The end of the permit that covered <paramref name="at"/>, following permits that continue it
    /// without a gap; null when none covered it or one never ends.
    /// </summary>
    public static DateTimeOffset? PermitEnd(IReadOnlyList<Billing.Permit> permits, string plate, DateTimeOffset at)
    {
        var covering = permits.Where(p => p.Covers(plate, at)).ToList();
        if (covering.Count == 0 || covering.Any(p => p.ValidTo is null))
        {
            return null;
        }

        var end = covering.Max(p => p.ValidTo!.Value);
        while (true)
        {
            var next = permits.Where(p => p.Covers(plate, end)).ToList();
            if (next.Count == 0)
            {
                return end;
            }

            if (next.Any(p => p.ValidTo is null))
            {
                return null;
            }

            var later = next.Max(p => p.ValidTo!.Value);
            if (later <= end)
            {
                return end;
            }

            end = later;
        }
    }

    // --- autocharge by plate ----------------------------------------------------------------------------

    /// <summary>Bays where this decision saw a vehicle arrive or a connector change: each is looked at.</summary>
    private static void Autocharge(SiteChangeSet work, SiteConfiguration config)
    {
        if (work.ReceivedAt - work.EventTime > TransactionRules.LateAfter)
        {
            return; // replayed from a charger's offline queue or a camera's buffer: the moment has passed
        }

        var bays = new HashSet<string>(StringComparer.Ordinal);
        foreach (var visit in work.ChangedVisits.Where(v => v.IsCurrent))
        {
            bays.Add(visit.Bay);
        }

        foreach (var status in work.ChangedStatuses)
        {
            if (config.BayServedBy(status.Charger, status.Connector) is { } served)
            {
                bays.Add(served.Id);
            }
        }

        foreach (var id in bays.Order(StringComparer.Ordinal))
        {
            if (config.FindBay(id) is { } bay)
            {
                TryAutocharge(work, config, bay);
            }
        }
    }

    private static void TryAutocharge(SiteChangeSet work, SiteConfiguration config, EvBayConfiguration bay)
    {
        var visit = work.CurrentVisits().Where(v => v.Bay == bay.Id).OrderByDescending(v => v.StartedAt).FirstOrDefault();
        if (visit is null || work.Charger(bay.Charger) is not { } charger)
        {
            return;
        }

        // Plugged in: 1.6 Preparing, 2.0.1 Occupied. Not while an authorised transaction runs there, nor
        // once one ran during this visit (a 2.0.1 connector stays Occupied after the driver's own stop).
        var plugged = charger.Connectors.Any(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector) && c.Status is ConnectorStatus.Preparing or ConnectorStatus.Occupied);
        if (!plugged
            || work.SessionsOf(bay.Charger).Any(s => bay.Serves(s.Connector) && s.IdToken is not null && (s.Status == ChargingSessionStatus.Active || s.StartedAt >= visit.StartedAt))
            || work.Commands().Any(c => c.Origin == CommandOrigin.Autocharge && c.BayVisitId == visit.Id))
        {
            return;
        }

        var plate = visit.ParkingSessionId is { } parked && work.ParkingSession(parked) is { } session ? session.Plate : visit.Plate;
        var rule = config.Automation.Autocharge;
        var listed = rule.Plates.FirstOrDefault(p => p.Plate == plate);
        var permitted = rule.Permits && config.Tariffs.Permits.Any(p => p.Covers(plate, work.EventTime));
        var learned = rule.LearnedTokens && work.TokenOfPlate(plate) is { } known && known != rule.IdToken ? known : null;
        if (listed is null && !permitted && learned is null)
        {
            return;
        }

        var (token, source) = listed?.IdToken is { } own ? (own, IdTokenSource.Plate)
            : learned is not null ? (learned, IdTokenSource.Learned)
            : (rule.IdToken, IdTokenSource.Site);
        if (token is null)
        {
            return; // the site file's validation requires a site token when a plate has none
        }

        var why = listed is not null ? $"{plate} is on the autocharge list"
            : permitted ? $"{plate} holds a permit"
            : $"{plate} was seen with id token {token} before";
        var command = NewCommand(work, bay.Charger, CommandType.RemoteStart, CommandOrigin.Autocharge, AutochargeActor, work.ReceivedAt) with
        {
            Outlet = bay.Connector,
            IdToken = new IdToken(token, source == IdTokenSource.Learned ? null : "Central"),
            TokenSource = source,
            Plate = plate,
            ParkingSessionId = visit.ParkingSessionId,
            BayVisitId = visit.Id,
            Reason = why,
        };
        command = command with { RemoteStartId = CommandRules.RemoteStartId(command.RequestSeq) };
        CommandRules.Issue(work, command);
        work.Add(new AuditEntry(work.ReceivedAt, AutochargeActor, "command.remote_start", command.Id, why,
            $"bay {bay.Id}, charger {bay.Charger} outlet {bay.Connector}, id token from {source.ToString().ToLowerInvariant()}"));
    }

    // --- the site power limit -------------------------------------------------------------------------

    /// <summary>
    /// Re-shares the limit when the running sessions change (one starts or stops), the configuration
    /// changes, or a charger reconnects (shares that did not reach it are sent again).
    /// </summary>
    private static void SharePower(SiteChangeSet work, SiteConfiguration config)
    {
        var rule = config.Automation.PowerLimit;
        if (!rule.Enabled || rule.LimitKw <= 0)
        {
            if (work.ConfigurationChanged)
            {
                foreach (var id in work.PowerShareSessions().ToList())
                {
                    work.Put(id, null);
                }
            }

            return;
        }

        var trigger = work.ConfigurationChanged
            || work.Observation.Payload is ConnectionOpened
            || work.ChangedSessions.Any(s => (s.Status == ChargingSessionStatus.Active) != work.State.IsActive(s.Id));
        if (!trigger)
        {
            return;
        }

        var active = work.ActiveSessions()
            .OrderBy(s => s.StartedAt ?? DateTimeOffset.MaxValue)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
        var shares = PowerSharing.Share(rule.LimitKw * 1000, rule.MinimumKw * 1000, active.Count);
        var reason = string.Create(CultureInfo.InvariantCulture, $"site limit {rule.LimitKw} kW shared by {active.Count} session(s), at least {rule.MinimumKw} kW each");
        for (var i = 0; i < active.Count; i++)
        {
            var session = active[i];
            if (session.Connector.IsWholeCharger)
            {
                continue; // a 2.0.1 transaction whose EVSE is not known yet cannot be given a profile
            }

            var previous = work.PowerShare(session.Id);
            var previousCommand = previous is null ? null : work.Command(previous.CommandId);
            var delivered = previousCommand is null || previousCommand.Status is CommandStatus.Accepted or CommandStatus.Pending or CommandStatus.Sent;
            if (previous is not null && previous.LimitW == shares[i] && delivered)
            {
                continue;
            }

            var outlet = CommandRules.OutletOf(session.Connector);
            var limit = rule.Unit == ChargingRateUnit.A
                ? new ChargingLimit(PowerSharing.ToAmps(shares[i], rule.Voltage, rule.Phases), ChargingRateUnit.A, rule.Phases)
                : new ChargingLimit(shares[i], ChargingRateUnit.W);
            var command = NewCommand(work, session.Charger, CommandType.SetChargingLimit, CommandOrigin.PowerLimit, PowerLimitActor, work.ReceivedAt) with
            {
                Outlet = outlet,
                ChargingSessionId = session.Id,
                TransactionId = session.TransactionId,
                Profile = new ChargingProfileSpec(ChargingProfiles.SharedLimitId(outlet), ChargingProfiles.StackLevel, ChargingLimitScope.Transaction, limit, work.ReceivedAt, session.TransactionId),
                Reason = reason,
            };
            if (previousCommand is { Status: CommandStatus.Pending })
            {
                CommandRules.Supersede(work, previousCommand, $"replaced by command {command.Id} before it was sent");
            }

            CommandRules.Issue(work, command);
            work.Put(session.Id, new PowerShare(shares[i], command.Id));
            work.Add(new AuditEntry(work.ReceivedAt, PowerLimitActor, "command.set_charging_limit", command.Id, reason,
                string.Create(CultureInfo.InvariantCulture, $"{shares[i]} W for charging session {session.Id} on {session.Charger}/{session.Connector}")));
        }

        var running = active.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var id in work.PowerShareSessions().Where(id => !running.Contains(id)).ToList())
        {
            if (work.PowerShare(id) is { } ended && work.Command(ended.CommandId) is { Status: CommandStatus.Pending } unsent)
            {
                CommandRules.Supersede(work, unsent, "the charging session ended before it was sent");
            }

            work.Put(id, null);
        }
    }

    // --- stop at permit end -----------------------------------------------------------------------------

    /// <summary>
    /// Plans the stop of a session whose vehicle's permit (the one in force when charging started)
    /// ends, or that would reach the site's maximum charging time; the earlier of the two: when a
    /// session is bound or rebound, starts or stops, or the configuration changes.
    /// </summary>
    private static void PlanStops(SiteChangeSet work, SiteConfiguration config)
    {
        var rule = config.Automation.StopAtPermitEnd;
        var maxTime = config.Automation.MaxChargingTime;
        if (!rule.Enabled && !maxTime.Enabled && !work.StopPlans().Any())
        {
            return;
        }

        var candidates = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var binding in work.ChangedBindings)
        {
            candidates.Add(binding.ChargingSessionId);
        }

        foreach (var session in work.ChangedSessions.Where(s => (s.Status == ChargingSessionStatus.Active) != work.State.IsActive(s.Id)))
        {
            candidates.Add(session.Id);
        }

        if (work.ConfigurationChanged)
        {
            candidates.UnionWith(work.ActiveSessions().Select(s => s.Id));
            candidates.UnionWith(work.StopPlans().Select(p => p.ChargingSessionId));
        }

        foreach (var id in candidates)
        {
            var existing = work.StopPlan(id);
            StopPlan? desired = null;
            if (work.Session(id) is { Status: ChargingSessionStatus.Active } session)
            {
                var bound = work.Binding(id) is { IsBound: true, ParkingSessionId: { } p, Plate: { } v } ? (Parking: p, Plate: v) : default;
                if (rule.Enabled && bound.Plate is not null && PermitEnd(config.Tariffs.Permits, bound.Plate, session.StartedAt ?? work.EventTime) is { } end)
                {
                    desired = new StopPlan(id, bound.Parking, bound.Plate, end);
                }

                var limitEnd = (session.StartedAt ?? work.EventTime) + maxTime.Limit;
                if (maxTime.Enabled && (desired is null || limitEnd < desired.EndsAt))
                {
                    desired = new StopPlan(id, bound.Parking, bound.Plate, limitEnd, Cause: StopCause.MaxChargingTime);
                }
            }

            if (desired is null)
            {
                if (existing is { Closed: false })
                {
                    work.Put(existing with { Closed = true });
                }
            }
            else if (existing is null || existing.Closed || existing.EndsAt != desired.EndsAt || existing.Cause != desired.Cause || existing.Plate != desired.Plate || existing.ParkingSessionId != desired.ParkingSessionId)
            {
                // The same stop for another vehicle (its binding changed): the notice given and the stop sent stand.
                var same = existing is { Closed: false } && existing.EndsAt == desired.EndsAt && existing.Cause == desired.Cause;
                work.Put(same ? desired with { Noticed = existing!.Noticed, StopCommandId = existing.StopCommandId } : desired);
            }
        }
    }

    // --- shared -----------------------------------------------------------------------------------------

    /// <summary>The notice of the rule behind a planned stop; null when that rule is off (its plans wait).</summary>
    private static TimeSpan? Notice(SiteConfiguration config, StopCause cause) => cause switch
    {
        StopCause.PermitEnd when config.Automation.StopAtPermitEnd.Enabled => config.Automation.StopAtPermitEnd.Notice,
        StopCause.MaxChargingTime when config.Automation.MaxChargingTime.Enabled => config.Automation.MaxChargingTime.Notice,
        _ => null,
    };

    private static string Minutes(TimeSpan span) => span.TotalMinutes % 60 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} h")
        : string.Create(CultureInfo.InvariantCulture, $"{span.TotalMinutes:0} min");

    private static ChargerCommand NewCommand(SiteChangeSet work, ChargerId charger, CommandType type, CommandOrigin origin, string actor, DateTimeOffset at) => new()
    {
        Id = work.NewId("command"),
        Charger = charger,
        Type = type,
        Origin = origin,
        RequestedBy = actor,
        RequestedAt = at,
        ExpiresAt = at + CommandRules.AutomationWait,
        RequestSeq = work.Seq,
    };

    /// <summary>Switching a rule on or off (or changing it) is audited with who configured the site.</summary>
    private static void AuditSwitches(SiteChangeSet work, SiteConfiguration config)
    {
        var before = work.State.Configuration?.Automation ?? new SiteAutomation();
        var after = config.Automation;
        var same = before.Autocharge with { Plates = [] } == after.Autocharge with { Plates = [] }
            && before.Autocharge.Plates.SequenceEqual(after.Autocharge.Plates)
            && before.StopAtPermitEnd == after.StopAtPermitEnd
            && before.MaxChargingTime == after.MaxChargingTime
            && before.PowerLimit == after.PowerLimit;
        if (!same)
        {
            work.Add(new AuditEntry(work.ReceivedAt, work.Observation.Source, "automation.configured", config.Id.Value, "site configuration", Describe(after)));
        }
    }

    private static string Describe(SiteAutomation a) => string.Create(CultureInfo.InvariantCulture,
        $"autocharge {(a.Autocharge.Enabled ? $"on ({a.Autocharge.Plates.Count} plate(s), permits {OnOff(a.Autocharge.Permits)}, learned tokens {OnOff(a.Autocharge.LearnedTokens)})" : "off")}; "
        + $"stop at permit end {(a.StopAtPermitEnd.Enabled ? $"on ({a.StopAtPermitEnd.Notice} notice)" : "off")}; "
        + $"max charging time {(a.MaxChargingTime.Enabled ? $"{a.MaxChargingTime.Limit} ({a.MaxChargingTime.Notice} notice)" : "off")}; "
        + $"power limit {(a.PowerLimit.Enabled ? $"{a.PowerLimit.LimitKw} kW (at least {a.PowerLimit.MinimumKw} kW per session, in {a.PowerLimit.Unit})" : "off")}");

    private static string OnOff(bool on) => on ? "on" : "off";
}
