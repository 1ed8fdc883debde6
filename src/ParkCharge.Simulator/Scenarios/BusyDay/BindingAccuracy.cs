using System.Globalization;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Plays a simulated day through the pure site engine the way the server's site host does, and scores
/// the final bindings, and the naive baseline's on the same messages, against the ground truth.
/// </summary>
public static class BindingAccuracy
{
    public static BindingAccuracyResult Run(SimulatedDay day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var player = new Player(day);
        player.Play();
        return Scored(day, player);
    }

    /// <summary>
    /// Plays the day through the engine as <see cref="Run"/> does (timers when the state asks for them, 1.6
    /// transaction ids as the engine issued them) and returns the state at the end and every event published.
    /// </summary>
    /// <summary>
    /// The day as the site's log would hold it: every observation the engine took, timers included, in order, with
    /// the 1.6 transaction ids the engine issued (what a replay of a node's log goes through).
    /// </summary>
    public static IReadOnlyList<Observation> Log(SimulatedDay day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var player = new Player(day) { Logged = [] };
        player.Play();
        return player.Logged;
    }

    public static (SiteState State, IReadOnlyList<DomainEvent> Events) Play(SimulatedDay day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var player = new Player(day, keepEvents: true);
        player.Play();
        return (player.State, player.Events);
    }

    /// <summary>
    /// Scores the bindings of a site's engine state after the day was played through a node (see
    /// <see cref="BusyDayNodePlayer"/>): the same scoring as <see cref="Run"/>, on what the node decided.
    /// </summary>
    /// <param name="issued">The 1.6 transaction ids the node issued, by the simulator's transaction ref.</param>
    public static BindingAccuracyResult Score(SimulatedDay day, SiteState state, IReadOnlyDictionary<string, int> issued)
    {
        ArgumentNullException.ThrowIfNull(day);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(issued);
        var player = new Player(day);
        player.Load(state, issued);
        foreach (var message in day.Messages)
        {
            player.Baseline.Observe(message);
        }

        return Scored(day, player);
    }

    private static BindingAccuracyResult Scored(SimulatedDay day, Player player)
    {
        var threshold = day.Site.Settings.AutoAcceptConfidence;
        var results = new List<TransactionResult>(day.Transactions.Count);
        foreach (var truth in day.Transactions)
        {
            var binding = player.BindingOf(truth);
            var boundVehicle = binding is { IsBound: true } ? player.VehicleOf(binding) : null;
            var engine = binding switch
            {
                null or { Status: BindingStatus.Waiting } => Outcome.Unbound,
                { Status: BindingStatus.Review } => Outcome.Review,
                _ when boundVehicle == truth.Vehicle => binding.Confidence >= threshold ? Outcome.Correct : Outcome.CorrectProvisional,
                _ => binding.Confidence >= threshold ? Outcome.WrongConfident : Outcome.WrongProvisional,
            };
            var baselineVehicle = player.Baseline.VehicleOf(truth.Ref);
            var baseline = baselineVehicle is null ? Outcome.Unbound : baselineVehicle == truth.Vehicle ? Outcome.Correct : Outcome.WrongConfident;
            var explanation = engine is Outcome.WrongConfident or Outcome.WrongProvisional || (truth.IsResolvable && engine != Outcome.Correct) ? player.Explain(truth, binding) : null;
            results.Add(new TransactionResult(truth, engine, binding, boundVehicle, baseline, baselineVehicle) { Explanation = explanation });
        }

        return new BindingAccuracyResult
        {
            Day = day,
            Transactions = results,
            Engine = AccuracyScore.Of("ParkCharge engine", results.Select(r => (r.Truth, r.Engine))),
            Baseline = AccuracyScore.Of("naive baseline", results.Select(r => (r.Truth, r.Baseline))),
            Observations = player.Observations,
            Timers = player.Timers,
            Explain = truth => player.Explain(truth, player.BindingOf(truth)),
        };
    }

    /// <summary>
    /// Delivers the messages in arrival order and, like <c>SiteEngineHost</c>, submits a
    /// <see cref="TimerElapsed"/> when the state's next deadline has passed: one armed timer, re-armed
    /// after every decision when the deadline changed or the timer fired, received at the deadline (or at
    /// once if it is already past); a deadline at or before the last timer gets a new one a second later. Keeps the latest version of every sighting, parking session, visit, charging
    /// session and binding the engine produced, so the score sees what the projections would.
    /// </summary>
    private sealed class Player(SimulatedDay day, bool keepEvents = false)
    {
        private SiteState _state = new(day.Site.Id);
        private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ParkingSession> _parkingSessions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, BayVisit> _visits = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChargingSession> _chargingSessions = new(StringComparer.Ordinal);
        private readonly Dictionary<(ChargerId, string), string> _sessions = [];
        private readonly List<ConnectorStatusEntry> _statuses = [];
        private DateTimeOffset? _armed;
        private DateTimeOffset? _fired;
        private bool _pending;
        private DateTimeOffset _lastReceived = DateTimeOffset.MinValue;

        public NaiveBaseline Baseline { get; } = new(day.Site, day.VehicleOfRead);

        public int Observations { get; private set; }

        public int Timers { get; private set; }

        public SiteState State => _state;

        /// <summary>When set, every observation the engine took (not a repeat) is added to it.</summary>
        public List<Observation>? Logged { get; init; }

        public List<DomainEvent> Events { get; } = [];

        public void Play()
        {
            foreach (var message in day.Messages)
            {
                Elapse(message.Observation.ReceivedAt);
                var observation = WithIssuedTransactionId(message);
                Baseline.Observe(message);
                var decision = Decide(observation);
                if (decision.Reply is TransactionStartReply start && message.TransactionRef is { } reference)
                {
                    _issued[reference] = start.TransactionId;
                }
            }

            Elapse(day.End);
        }

        /// <summary>Takes what a node's engine decided instead of playing the day here.</summary>
        public void Load(SiteState state, IReadOnlyDictionary<string, int> issued)
        {
            foreach (var (reference, id) in issued)
            {
                _issued[reference] = id;
            }

            Take(new SiteChanges
            {
                Sessions = [.. state.Sessions.Values],
                ParkingSessions = [.. state.Parking.Sessions],
                BayVisits = [.. state.Parking.Visits],
                Sightings = [.. state.Parking.Visits.Select(v => state.Parking.FindSighting(v.SightingId))
                    .Concat(state.Parking.Sessions.SelectMany(p => new[] { p.EntrySightingId, p.ExitSightingId }).OfType<string>().Select(state.Parking.FindSighting))
                    .OfType<Sighting>().DistinctBy(s => s.Id)],
                Bindings = [.. state.Binding.Bindings],
            });
            Observations = (int)state.LastSeq;
            _state = state;
        }

        public ChargingBinding? BindingOf(TransactionTruth truth)
        {
            var transactionId = truth.Version == OcppVersion.Ocpp16
                ? _issued.TryGetValue(truth.Ref, out var issued) ? issued.ToString(CultureInfo.InvariantCulture) : null
                : truth.Ref;
            return transactionId is not null && _sessions.TryGetValue((truth.Charger, transactionId), out var sessionId)
                ? _bindings.GetValueOrDefault(sessionId)
                : null;
        }

        /// <summary>The vehicle a binding names: the one whose reads opened its parking session (or, without one, its bay visit).</summary>
        public string? VehicleOf(ChargingBinding binding)
        {
            if (binding.ParkingSessionId is { } sessionId && _parkingSessions.TryGetValue(sessionId, out var session)
                && (session.EntrySightingId ?? session.ExitSightingId) is { } sightingId)
            {
                return VehicleOfSighting(sightingId);
            }

            return binding.BayVisitId is { } visitId && _visits.TryGetValue(visitId, out var visit) ? VehicleOfSighting(visit.SightingId) : null;
        }

        private string? VehicleOfSighting(string sightingId) =>
            _sightings.TryGetValue(sightingId, out var sighting)
                ? sighting.Reads.Select(r => day.VehicleOfRead.GetValueOrDefault(r.ObservationKey)).OfType<string>()
                    .GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault()
                : null;

        /// <summary>What the engine saw around a transaction: the visits at its bays and what ended them, the charge, the binding's history.</summary>
        public string Explain(TransactionTruth truth, ChargingBinding? binding)
        {
            var text = new System.Text.StringBuilder();
            var bays = new[] { truth.Bay, truth.ServedBay }.Concat(day.Site.FindBay(truth.ServedBay)?.Neighbours ?? []).Distinct(StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
            var t = binding?.PlugInAt ?? truth.PluggedInAt;
            var session = binding is null ? null : _chargingSessions.GetValueOrDefault(binding.ChargingSessionId);
            var token = session?.IdToken?.Value;
            text.Append(CultureInfo.InvariantCulture, $"    charge {session?.Charger}/{session?.Connector} plug-in {t:HH:mm:ss} stop {session?.StoppedAt:HH:mm:ss} status {session?.Status} token {token} known as {(token is null ? null : _state.Binding.PlateOf(token))} (knows {(token is not null && _state.Binding.Knows(token))})\n");
            foreach (var stay in _parkingSessions.Values.Where(p => p.Plate == truth.Plate || ParkCharge.Core.Plates.PlateSimilarity.IsSameVehicle(p.Plate, truth.Plate))
                .Where(p => (p.EnteredAt ?? p.ExitedAt) < t.AddHours(12) && (p.ExitedAt ?? DateTimeOffset.MaxValue) > t.AddHours(-12)))
            {
                text.Append(CultureInfo.InvariantCulture, $"    stay {stay.Id[..6]} {stay.Plate} {stay.EnteredAt:HH:mm:ss}..{stay.ExitedAt:HH:mm:ss} {stay.ClosedBy} {stay.Anomalies}\n");
            }

            if (binding?.ParkingSessionId is { } bound)
            {
                foreach (var other in _bindings.Values.Where(b => b.ParkingSessionId == bound && b.ChargingSessionId != binding.ChargingSessionId))
                {
                    var charge = _chargingSessions.GetValueOrDefault(other.ChargingSessionId);
                    text.Append(CultureInfo.InvariantCulture, $"    same stay also bound: {other.Charger}/{other.Connector} {other.PlugInAt:HH:mm:ss}..{charge?.StoppedAt:HH:mm:ss} {other.Status} {other.Method} tentative {other.Tentative}\n");
                }
            }

            foreach (var visit in _visits.Values.Where(v => bays.Contains(v.Bay) && v.StartedAt < (session?.StoppedAt ?? t.AddHours(3)) && (v.EndedAt ?? DateTimeOffset.MaxValue) > t.AddMinutes(-60)).OrderBy(v => v.StartedAt))
            {
                var who = _sightings.TryGetValue(visit.SightingId, out var sighting) ? string.Join(",", sighting.Reads.Select(r => day.VehicleOfRead.GetValueOrDefault(r.ObservationKey)).Distinct()) : "?";
                text.Append(CultureInfo.InvariantCulture, $"    visit {visit.Bay} {visit.Plate} ({who}) {visit.StartedAt:HH:mm:ss}..{visit.LastSeenAt:HH:mm:ss} ended {visit.EndedAt:HH:mm:ss} {visit.EndReason} session {visit.ParkingSessionId?[..6]} charges {visit.ChargingSessionIds.Length}\n");
            }

            foreach (var bay in day.Site.EvBays.Where(b => bays.Contains(b.Id)))
            {
                var timeline = _statuses.Where(e => e.Charger == bay.Charger && bay.Serves(e.Connector) && e.EventTime > t.AddMinutes(-90) && e.EventTime < t.AddMinutes(30))
                    .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.EventTime:HH:mm:ss} {e.Status}"));
                text.Append(CultureInfo.InvariantCulture, $"    outlet of {bay.Id} ({bay.Charger}/{bay.Connector}): {string.Join(", ", timeline)}\n");
            }

            return text.ToString();
        }

        private Observation WithIssuedTransactionId(SimulatedMessage message)
        {
            if (message.TransactionRef is not { } reference || !_issued.TryGetValue(reference, out var id))
            {
                return message.Observation;
            }

            ObservationPayload payload = message.Observation.Payload switch
            {
                TransactionStopReported stop => stop with { TransactionId = id },
                MeterValuesReported { TransactionId: not null } meter => meter with { TransactionId = id },
                var other => other,
            };
            return message.Observation with { Payload = payload };
        }

        private void Elapse(DateTimeOffset until)
        {
            while (_pending && _armed is { } due && due <= until)
            {
                _pending = false;
                _fired = due;
                Timers++;
                Decide(new Observation
                {
                    Site = day.Site.Id,
                    Source = "timer",
                    Key = string.Create(CultureInfo.InvariantCulture, $"timer:{due.UtcTicks}"),
                    EventTime = due,
                    ReceivedAt = due > _lastReceived ? due : _lastReceived,
                    Payload = new TimerElapsed(due),
                });
            }
        }

        private Decision Decide(Observation observation)
        {
            var decision = SiteEngine.Decide(_state, observation);
            if (!decision.IsRepeat)
            {
                _state.Apply(observation, decision);
                Logged?.Add(observation);
                if (keepEvents)
                {
                    Events.AddRange(decision.Events);
                }

                Take(decision.Changes);
            }

            Observations++;
            _lastReceived = observation.ReceivedAt > _lastReceived ? observation.ReceivedAt : _lastReceived;
            var next = _state.NextDeadline;
            if (next is { } deadline && _fired is { } fired && deadline <= fired)
            {
                // As the host does: a deadline at or before the last timer gets a new timer a second later.
                next = (_lastReceived > fired ? _lastReceived : fired) + TimeSpan.FromSeconds(1);
            }

            if (next != _armed || (!_pending && next is not null))
            {
                _armed = next;
                _pending = next is not null;
            }

            return decision;
        }

        private void Take(SiteChanges changes)
        {
            foreach (var sighting in changes.Sightings)
            {
                _sightings[sighting.Id] = sighting;
            }

            foreach (var session in changes.ParkingSessions)
            {
                _parkingSessions[session.Id] = session;
            }

            foreach (var visit in changes.BayVisits)
            {
                _visits[visit.Id] = visit;
            }

            foreach (var session in changes.Sessions)
            {
                _sessions[(session.Charger, session.TransactionId)] = session.Id;
                _chargingSessions[session.Id] = session;
            }

            foreach (var binding in changes.Bindings)
            {
                _bindings[binding.ChargingSessionId] = binding;
            }

            _statuses.AddRange(changes.StatusEntries);
        }
    }
}

/// <summary>How one system did on one transaction.</summary>
public enum Outcome
{
    /// <summary>Bound to the vehicle that charged, with a confidence at or above the auto-accept threshold: no operator needed.</summary>
    Correct,

    /// <summary>Bound to the right vehicle, below the threshold: an operator is asked to confirm.</summary>
    CorrectProvisional,

    /// <summary>Bound to another vehicle at or above the threshold: the wrong driver is billed, and nobody is asked.</summary>
    WrongConfident,

    /// <summary>Bound to another vehicle below the threshold: an operator is asked, and may catch it.</summary>
    WrongProvisional,

    /// <summary>Sent to the review queue with candidates.</summary>
    Review,

    /// <summary>No binding at all (still waiting, or nothing to bind to).</summary>
    Unbound,
}

public sealed record TransactionResult(
    TransactionTruth Truth,
    Outcome Engine,
    ChargingBinding? Binding,
    string? EngineVehicle,
    Outcome Baseline,
    string? BaselineVehicle)
{
    /// <summary>For a miss: what the engine saw around the transaction (visits at its bays, what ended them, the charge).</summary>
    public string? Explanation { get; init; }
}

public sealed record BindingAccuracyResult
{
    public required SimulatedDay Day { get; init; }

    public required IReadOnlyList<TransactionResult> Transactions { get; init; }

    public required AccuracyScore Engine { get; init; }

    public required AccuracyScore Baseline { get; init; }

    /// <summary>Observations the engine decided on (messages and timers, repeats included).</summary>
    public int Observations { get; init; }

    public int Timers { get; init; }

    /// <summary>What the engine saw around a transaction (visits at its bays, stays of its plate, the charge, the token).</summary>
    public Func<TransactionTruth, string> Explain { get; init; } = _ => "";
}

/// <summary>The counts of one system's outcomes over a day.</summary>
public sealed record AccuracyScore(
    string System,
    int Transactions,
    int Resolvable,
    int Correct,
    int CorrectProvisional,
    int WrongConfident,
    int WrongProvisional,
    int Review,
    int Unbound,
    int ResolvableCorrect)
{
    /// <summary>Of the resolvable transactions, the share bound to the right vehicle above the threshold (no operator involved).</summary>
    public double ResolvableCorrectShare => Resolvable == 0 ? 1 : (double)ResolvableCorrect / Resolvable;

    public static AccuracyScore Of(string system, IEnumerable<(TransactionTruth Truth, Outcome Outcome)> outcomes)
    {
        var list = outcomes.ToList();
        int Count(Outcome outcome) => list.Count(o => o.Outcome == outcome);
        return new AccuracyScore(
            system,
            list.Count,
            list.Count(o => o.Truth.IsResolvable),
            Count(Outcome.Correct),
            Count(Outcome.CorrectProvisional),
            Count(Outcome.WrongConfident),
            Count(Outcome.WrongProvisional),
            Count(Outcome.Review),
            Count(Outcome.Unbound),
            list.Count(o => o.Truth.IsResolvable && o.Outcome == Outcome.Correct));
    }
}
