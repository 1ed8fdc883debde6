using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>The charging facet of a decision's working view: the chargers and charging sessions a decision changed, the connector statuses and meter samples it added, the 1.6 transaction ids it issued (the chargers and transactions modules write them).</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<ChargerId, ChargerState> _chargers = [];
    private readonly Dictionary<string, ChargingSession> _sessions = new(StringComparer.Ordinal);
    private readonly List<ConnectorStatusEntry> _statusEntries = [];
    private readonly List<SessionSample> _newSamples = [];
    private int? _lastTransactionId;

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

    /// <summary>A charging session, with this decision's changes.</summary>
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

    /// <summary>Active charging sessions of the site, with this decision's changes.</summary>
    public IEnumerable<ChargingSession> ActiveSessions()
    {
        foreach (var s in State.ActiveSessions)
        {
            var current = _sessions.TryGetValue(s.Id, out var changed) ? changed : s;
            if (current.Status == ChargingSessionStatus.Active)
            {
                yield return current;
            }
        }

        foreach (var s in _sessions.Values)
        {
            if (s.Status == ChargingSessionStatus.Active && !State.IsActive(s.Id))
            {
                yield return s;
            }
        }
    }

    /// <summary>The bay's outlet as its charger names it: a 1.6 connector, or a 2.0.1/2.1 EVSE (connector 1 unless the charger reported another).</summary>
    public ConnectorRef BayOutlet(EvBayConfiguration bay) =>
        Charger(bay.Charger) is { } charger && charger.Connectors.FirstOrDefault(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector)) is { } known
            ? known.Connector
            : Charger(bay.Charger)?.Version is { } version && version.IsOcpp2() ? ConnectorRef.Ocpp201(bay.Connector, 1) : ConnectorRef.Ocpp16(bay.Connector);

    /// <summary>What this decision changed so far, for the automation rules that react to it.</summary>
    public IReadOnlyCollection<ChargingSession> ChangedSessions => _sessions.Values;

    public IReadOnlyList<ConnectorStatusEntry> ChangedStatuses => _statusEntries;

    public int IssueTransactionId()
    {
        var next = (_lastTransactionId ?? State.LastTransactionId) + 1;
        _lastTransactionId = next;
        return next;
    }
}
