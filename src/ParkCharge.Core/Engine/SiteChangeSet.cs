using ParkCharge.Core.Automation;
using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

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
    private readonly Dictionary<string, Sighting> _sightings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingSession> _parkingSessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BayVisit> _visits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ParkingAnomaly> _anomalies = new(StringComparer.Ordinal);
    private readonly List<AuditEntry> _audit = [];
    private readonly Dictionary<string, ChargingBinding> _bindings = new(StringComparer.Ordinal);
    private readonly List<(string, string?, string)> _tokenPlates = [];
    private readonly Dictionary<string, Billing.SettledBill> _bills = new(StringComparer.Ordinal);
    private readonly List<Billing.Payment> _payments = [];
    private readonly Dictionary<string, ChargerCommand> _commands = new(StringComparer.Ordinal);
    private readonly Dictionary<string, StopPlan> _stopPlans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PowerShare?> _powerShares = new(StringComparer.Ordinal);
    private readonly List<(string ChargingSessionId, string Reason)> _reconsider = [];
    private readonly Dictionary<string, System.Collections.Immutable.ImmutableArray<TimeSpan>> _cameraLeads = new(StringComparer.Ordinal);
    private int? _lastTransactionId;
    private SiteConfiguration? _configuration;
    private int _created;

    public SiteState State { get; } = state;

    public Observation Observation { get; } = observation;

    /// <summary>What was set aside in a charger's message before deciding (see <see cref="ChargerInput"/>).</summary>
    public ChargerInputIssues Input { get; init; }

    /// <summary>The sequence number this observation will have in the site log.</summary>
    public long Seq => State.LastSeq + 1;

    public DateTimeOffset EventTime => Observation.EventTime;

    public DateTimeOffset ReceivedAt => Observation.ReceivedAt;

    /// <summary>
    /// The server's time of this decision, for comparing with deadlines: when the observation arrived, and
    /// for a timer no earlier than its due time. A host's timer may fire a moment before its deadline by the
    /// wall clock (timers and clocks count differently); the deadline is met all the same, never left
    /// pending with nothing to wake it again.
    /// </summary>
    public DateTimeOffset Now => Observation.Payload is TimerElapsed timer && timer.DueAt > ReceivedAt ? timer.DueAt : ReceivedAt;

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

    public void Publish(DomainEvent e) => _events.Add(e);

    /// <summary>The site's configuration, as this decision sees it.</summary>
    public SiteConfiguration? Configuration => _configuration ?? State.Configuration;

    public void Configure(SiteConfiguration configuration) => _configuration = configuration;

    /// <summary>A new id for something this decision creates (several per decision are fine).</summary>
    public string NewId(string kind) => Ids.For(State.Site, kind, Seq, _created++);

    public Sighting? Sighting(string id) => _sightings.TryGetValue(id, out var changed) ? changed : State.Parking.FindSighting(id);

    /// <summary>The camera's recent sightings, with this decision's changes.</summary>
    public IEnumerable<Sighting> SightingsOf(string camera) =>
        Merge(State.Parking.SightingsOf(camera), _sightings.Values.Where(s => s.Camera == camera), s => s.Id, _sightings);

    public void Put(Sighting sighting) => _sightings[sighting.Id] = sighting;

    public ParkingSession? ParkingSession(string id) =>
        _parkingSessions.TryGetValue(id, out var changed) ? changed : State.Parking.FindSession(id);

    public IEnumerable<ParkingSession> OpenParkingSessions() =>
        Merge(State.Parking.OpenSessions, _parkingSessions.Values, s => s.Id, _parkingSessions).Where(s => s.IsOpen);

    /// <summary>Recently closed sessions (for re-entry), with this decision's changes.</summary>
    public IEnumerable<ParkingSession> RecentParkingSessions() =>
        Merge(State.Parking.Sessions, _parkingSessions.Values, s => s.Id, _parkingSessions);

    public void Put(ParkingSession session) => _parkingSessions[session.Id] = session;

    public BayVisit? Visit(string id) => _visits.TryGetValue(id, out var changed) ? changed : State.Parking.FindVisit(id);

    public IEnumerable<BayVisit> CurrentVisits() =>
        Merge(State.Parking.CurrentVisits, _visits.Values, v => v.Id, _visits).Where(v => v.IsCurrent);

    public void Put(BayVisit visit) => _visits[visit.Id] = visit;

    /// <summary>Current and recently ended visits, with this decision's changes.</summary>
    public IEnumerable<BayVisit> Visits() => Merge(State.Parking.Visits, _visits.Values, v => v.Id, _visits);

    /// <summary>The camera's recent leads (capture time minus arrival time), with this decision's.</summary>
    public System.Collections.Immutable.ImmutableArray<TimeSpan> CameraLeads(string camera) =>
        _cameraLeads.TryGetValue(camera, out var changed) ? changed : State.Parking.CameraLeads(camera);

    public void Put(string camera, System.Collections.Immutable.ImmutableArray<TimeSpan> leads) => _cameraLeads[camera] = leads;

    public ParkingAnomaly? Anomaly(string id) => _anomalies.TryGetValue(id, out var changed) ? changed : State.Parking.FindAnomaly(id);

    public IEnumerable<ParkingAnomaly> OpenAnomalies() =>
        Merge(State.Parking.OpenAnomalies, _anomalies.Values, a => a.Id, _anomalies).Where(a => !a.Resolved);

    public void Put(ParkingAnomaly anomaly) => _anomalies[anomaly.Id] = anomaly;

    public void Add(AuditEntry entry) => _audit.Add(entry);

    public ChargingBinding? Binding(string chargingSessionId) =>
        _bindings.TryGetValue(chargingSessionId, out var changed) ? changed : State.Binding.Find(chargingSessionId);

    public IEnumerable<ChargingBinding> Bindings() =>
        Merge(State.Binding.Bindings, _bindings.Values, b => b.ChargingSessionId, _bindings);

    public void Put(ChargingBinding binding) => _bindings[binding.ChargingSessionId] = binding;

    /// <summary>
    /// The one vehicle's plate the token was seen with (misreads of it count as it); null when never, or when with
    /// several vehicles. What the binding of <paramref name="except"/> taught is left out (a binding cannot be its
    /// own evidence).
    /// </summary>
    public string? PlateOfToken(string token, string? except = null) => BindingState.OnePlate(Taught(token), except);

    /// <summary>What the bindings taught about the token, with this decision's links and take-backs applied in order (as <see cref="Binding.BindingState"/> takes them).</summary>
    private List<(string Source, string Plate)> Taught(string token)
    {
        var taught = State.Binding.Taught(token).ToList();
        foreach (var (t, plate, source) in _tokenPlates)
        {
            if (t == token)
            {
                BindingState.Teach(taught, source, plate);
            }
        }

        return taught;
    }

    public void LinkToken(string token, string plate, string source) => _tokenPlates.Add((token, plate, source));

    /// <summary>Takes back what <paramref name="source"/>'s binding taught about the token.</summary>
    public void UnlinkToken(string token, string source) => _tokenPlates.Add((token, null, source));

    public Billing.SettledBill? SettledBill(string parkingSessionId) =>
        _bills.TryGetValue(parkingSessionId, out var changed) ? changed : State.Billing.Find(parkingSessionId);

    public void Put(Billing.SettledBill bill) => _bills[bill.Bill.ParkingSessionId] = bill;

    public IEnumerable<Billing.Payment> PaymentsOf(string parkingSessionId) =>
        State.Billing.PaymentsOf(parkingSessionId).Concat(_payments.Where(p => p.ParkingSessionId == parkingSessionId));

    public void Add(Billing.Payment payment) => _payments.Add(payment);

    public ChargerCommand? Command(string id) => _commands.TryGetValue(id, out var changed) ? changed : State.Commands.Find(id);

    /// <summary>The commands in memory (open, and finished within a day), with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> Commands() => Merge(State.Commands.All, _commands.Values, c => c.Id, _commands);

    /// <summary>Pending and sent commands, with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> OpenCommands() => Merge(State.Commands.Open, _commands.Values, c => c.Id, _commands).Where(c => c.IsOpen);

    public void Put(ChargerCommand command) => _commands[command.Id] = command;

    /// <summary>Remote starts not yet matched with the session they started, with this decision's changes.</summary>
    public IEnumerable<ChargerCommand> UnlinkedRemoteStarts() =>
        Merge(State.Commands.UnlinkedRemoteStarts, _commands.Values, c => c.Id, _commands).Where(CommandState.IsUnlinkedStart);

    public StopPlan? StopPlan(string chargingSessionId) =>
        _stopPlans.TryGetValue(chargingSessionId, out var changed) ? changed : State.Automation.FindStopPlan(chargingSessionId);

    public IEnumerable<StopPlan> StopPlans() =>
        Merge(State.Automation.StopPlans, _stopPlans.Values, p => p.ChargingSessionId, _stopPlans).Where(p => !p.Closed);

    public void Put(StopPlan plan) => _stopPlans[plan.ChargingSessionId] = plan;

    public PowerShare? PowerShare(string chargingSessionId) =>
        _powerShares.TryGetValue(chargingSessionId, out var changed) ? changed : State.Automation.FindPowerShare(chargingSessionId);

    public IEnumerable<string> PowerShareSessions() =>
        State.Automation.PowerShares.Select(s => s.ChargingSessionId).Union(_powerShares.Keys, StringComparer.Ordinal).Where(id => PowerShare(id) is not null);

    /// <summary>Records the share a session was last given (null: it no longer has one).</summary>
    public void Put(string chargingSessionId, PowerShare? share) => _powerShares[chargingSessionId] = share;

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

    /// <summary>The plate's token learnt from an earlier confident binding, if any.</summary>
    public string? TokenOfPlate(string plate) =>
        _tokenPlates.LastOrDefault(t => t.Item2 == plate) is { Item1: { } token } ? token : State.Binding.TokenOf(plate);

    /// <summary>The bay's outlet as its charger names it: a 1.6 connector, or a 2.0.1/2.1 EVSE (connector 1 unless the charger reported another).</summary>
    public ConnectorRef BayOutlet(EvBayConfiguration bay) =>
        Charger(bay.Charger) is { } charger && charger.Connectors.FirstOrDefault(c => !c.Connector.IsWholeCharger && bay.Serves(c.Connector)) is { } known
            ? known.Connector
            : Charger(bay.Charger)?.Version is { } version && version.IsOcpp2() ? ConnectorRef.Ocpp201(bay.Connector, 1) : ConnectorRef.Ocpp16(bay.Connector);

    /// <summary>What this decision changed so far, for the automation rules that react to it.</summary>
    public IReadOnlyCollection<ChargingSession> ChangedSessions => _sessions.Values;

    public IReadOnlyCollection<BayVisit> ChangedVisits => _visits.Values;

    public IReadOnlyList<ConnectorStatusEntry> ChangedStatuses => _statusEntries;

    public IReadOnlyCollection<ChargingBinding> ChangedBindings => _bindings.Values;

    public bool ConfigurationChanged => _configuration is not null;

    /// <summary>The parking sessions this decision touched, directly or through a bay visit, a binding or a charging session.</summary>
    public IEnumerable<string> TouchedParkingSessions()
    {
        var ids = new HashSet<string>(_parkingSessions.Keys, StringComparer.Ordinal);
        ids.UnionWith(_visits.Values.Select(v => v.ParkingSessionId).OfType<string>());
        foreach (var binding in _bindings.Values)
        {
            ids.UnionWith(new[] { binding.ParkingSessionId, State.Binding.Find(binding.ChargingSessionId)?.ParkingSessionId }.OfType<string>());
        }

        foreach (var session in _sessions.Keys)
        {
            if (Binding(session)?.ParkingSessionId is { } id)
            {
                ids.Add(id);
            }
        }

        return ids.Order(StringComparer.Ordinal);
    }

    public int IssueTransactionId()
    {
        var next = (_lastTransactionId ?? State.LastTransactionId) + 1;
        _lastTransactionId = next;
        return next;
    }

    /// <summary>
    /// Asks for a binding to be decided again at the end of this decision, once all its evidence is in
    /// (a read that ends one visit and starts another is one change of evidence, not two).
    /// </summary>
    public void Reconsider(string chargingSessionId, string reason)
    {
        if (!_reconsider.Exists(r => r.ChargingSessionId == chargingSessionId))
        {
            _reconsider.Add((chargingSessionId, reason));
        }
    }

    /// <summary>The bindings to decide again, in the order they were asked for; the list is emptied.</summary>
    public IReadOnlyList<(string ChargingSessionId, string Reason)> TakeReconsiderations()
    {
        var taken = _reconsider.ToList();
        _reconsider.Clear();
        return taken;
    }

    /// <summary>The decision: the reply, and everything the modules changed and published.</summary>
    public Decision ToDecision(Reply reply) => new()
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
            Configuration = _configuration,
            Sightings = [.. _sightings.Values],
            ParkingSessions = [.. _parkingSessions.Values],
            BayVisits = [.. _visits.Values],
            ParkingAnomalies = [.. _anomalies.Values],
            CameraLeads = [.. _cameraLeads.Select(c => (c.Key, c.Value))],
            Audit = _audit,
            Bindings = [.. _bindings.Values],
            TokenPlates = _tokenPlates,
            Bills = [.. _bills.Values],
            Payments = _payments,
            Commands = [.. _commands.Values],
            StopPlans = [.. _stopPlans.Values],
            PowerShares = [.. _powerShares.Select(p => (p.Key, p.Value))],
        },
    };

    /// <summary>The state's items with this decision's versions in their place, then this decision's new items.</summary>
    private static IEnumerable<T> Merge<T>(IEnumerable<T> stored, IEnumerable<T> changed, Func<T, string> id, Dictionary<string, T> byId)
    {
        // Only the changed items' keys need remembering: they are the ones that could come twice.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in stored)
        {
            if (byId.Count > 0 && byId.TryGetValue(id(item), out var newer))
            {
                seen.Add(id(newer));
                yield return newer;
            }
            else
            {
                yield return item;
            }
        }

        foreach (var item in changed)
        {
            if (!seen.Contains(id(item)))
            {
                yield return item;
            }
        }
    }
}
