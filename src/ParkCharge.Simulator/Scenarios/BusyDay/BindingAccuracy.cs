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
            results.Add(new TransactionResult(truth, engine, binding, boundVehicle, baseline, baselineVehicle));
        }

        return new BindingAccuracyResult
        {
            Day = day,
            Transactions = results,
            Engine = AccuracyScore.Of("ParkCharge engine", results.Select(r => (r.Truth, r.Engine))),
            Baseline = AccuracyScore.Of("naive baseline", results.Select(r => (r.Truth, r.Baseline))),
            Observations = player.Observations,
            Timers = player.Timers,
        };
    }

    /// <summary>
    /// Delivers the messages in arrival order and, like <c>SiteEngineHost</c>, submits a
    /// <see cref="TimerElapsed"/> when the state's next deadline has passed: one armed timer, re-armed
    /// after every decision when the deadline changed, received at the deadline (or at once if it is
    /// already past). Keeps the latest version of every sighting, parking session, visit, charging
    /// session and binding the engine produced, so the score sees what the projections would.
    /// </summary>
    private sealed class Player(SimulatedDay day)
    {
        private readonly SiteState _state = new(day.Site.Id);
        private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ParkingSession> _parkingSessions = new(StringComparer.Ordinal);
        private readonly Dictionary<string, BayVisit> _visits = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
        private readonly Dictionary<(ChargerId, string), string> _sessions = [];
        private DateTimeOffset? _armed;
        private bool _pending;
        private DateTimeOffset _lastReceived = DateTimeOffset.MinValue;

        public NaiveBaseline Baseline { get; } = new(day.Site, day.VehicleOfRead);

        public int Observations { get; private set; }

        public int Timers { get; private set; }

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
                Take(decision.Changes);
            }

            Observations++;
            _lastReceived = observation.ReceivedAt > _lastReceived ? observation.ReceivedAt : _lastReceived;
            var next = _state.NextDeadline;
            if (next != _armed)
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
            }

            foreach (var binding in changes.Bindings)
            {
                _bindings[binding.ChargingSessionId] = binding;
            }
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
    string? BaselineVehicle);

public sealed record BindingAccuracyResult
{
    public required SimulatedDay Day { get; init; }

    public required IReadOnlyList<TransactionResult> Transactions { get; init; }

    public required AccuracyScore Engine { get; init; }

    public required AccuracyScore Baseline { get; init; }

    /// <summary>Observations the engine decided on (messages and timers, repeats included).</summary>
    public int Observations { get; init; }

    public int Timers { get; init; }
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
