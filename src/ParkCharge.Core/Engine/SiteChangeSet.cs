using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Engine;

/// <summary>
/// The working view of one decision: reads see the state plus what this decision changed so far;
/// writes are collected and become the decision's <see cref="SiteChanges"/>. Local mutation only:
/// the state itself is never touched.
/// </summary>
internal sealed class SiteChangeSet(SiteState state, Observation observation)
{
    private readonly Dictionary<ChargerId, ChargerState> _chargers = [];
    private readonly Dictionary<string, ChargingSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<ConnectorStatusEntry> _statusEntries = [];
    private readonly List<SessionSample> _newSamples = [];
    private readonly List<DomainEvent> _events = [];
    private int? _lastTransactionId;

    public SiteState State { get; } = state;

    public Observation Observation { get; } = observation;

    /// <summary>The sequence number this observation will have in the site log.</summary>
    public long Seq => State.LastSeq + 1;

    public DateTimeOffset EventTime => Observation.EventTime;

    public DateTimeOffset ReceivedAt => Observation.ReceivedAt;

    public ChargerState? Charger(ChargerId id) =>
        _chargers.TryGetValue(id, out var changed) ? changed : State.FindCharger(id);

    public void Put(ChargerState charger) => _chargers[charger.Id] = charger;

    public ChargingSession? SessionByTransaction(ChargerId charger, string transactionId)
    {
        foreach (var s in _sessions.Values)
        {
            if (s.Charger == charger && s.TransactionId == transactionId)
            {
                return s;
            }
        }

        return State.FindSessionByTransaction(charger, transactionId) is { } found ? Session(found.Id) : null;
    }

    public ChargingSession? Session(string id) =>
        _sessions.TryGetValue(id, out var changed) ? changed : State.FindSession(id);

    /// <summary>The sessions of a charger, with this decision's changes applied.</summary>
    public IEnumerable<ChargingSession> SessionsOf(ChargerId charger)
    {
        foreach (var s in State.SessionsOf(charger))
        {
            yield return _sessions.TryGetValue(s.Id, out var changed) ? changed : s;
        }

        foreach (var s in _sessions.Values)
        {
            if (s.Charger == charger && State.FindSession(s.Id) is null)
            {
                yield return s;
            }
        }
    }

    public void Put(ChargingSession session) => _sessions[session.Id] = session;

    public void Add(ConnectorStatusEntry entry) => _statusEntries.Add(entry);

    public void AddSample(string sessionId, MeterSample sample) => _newSamples.Add(new SessionSample(sessionId, sample));

    public void Publish(DomainEvent e) => _events.Add(e);

    public int IssueTransactionId()
    {
        var next = (_lastTransactionId ?? State.LastTransactionId) + 1;
        _lastTransactionId = next;
        return next;
    }

    public Decision Decide(Reply reply) => new()
    {
        Reply = reply,
        Events = _events,
        Changes = new SiteChanges
        {
            Chargers = [.. _chargers.Values],
            Sessions = [.. _sessions.Values],
            StatusEntries = _statusEntries,
            NewSamples = _newSamples,
            LastTransactionId = _lastTransactionId,
        },
    };
}
