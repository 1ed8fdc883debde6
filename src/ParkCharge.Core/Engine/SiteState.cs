using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// Everything the site engine needs to decide: chargers, open and recent charging sessions, the keys
/// of recent observations. Changed only by <see cref="Apply"/> with a decision of the engine, so
/// replaying the log rebuilds it exactly. Completed sessions and observation keys are let go after
/// <see cref="SessionRetention"/> and <see cref="KeyRetention"/> (by receive time); the log and the
/// projections keep them.
/// </summary>
public sealed class SiteState
{
    /// <summary>How long a completed session stays in memory after its last message: late stops and meter values still find it.</summary>
    public static readonly TimeSpan SessionRetention = TimeSpan.FromDays(14);

    /// <summary>
    /// How long an observation's key is remembered. Chargers re-send within minutes (they retry until
    /// answered), API clients within a day; transaction messages re-sent later are still recognised by
    /// their content as long as their session is in memory.
    /// </summary>
    public static readonly TimeSpan KeyRetention = TimeSpan.FromDays(1);

    private const int PruneEvery = 1024;

    private readonly Dictionary<ChargerId, ChargerState> _chargers = [];
    private readonly Dictionary<string, ChargingSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<(ChargerId, string), string> _sessionByTransaction = [];
    private readonly Dictionary<ChargerId, List<string>> _sessionsByCharger = [];
    private readonly Dictionary<string, string> _sessionByStartFingerprint = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessedObservation> _processed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChargingSession> _active = new(StringComparer.Ordinal);

    public SiteState(SiteId site) => Site = site;

    public SiteId Site { get; }

    /// <summary>The sequence number of the last observation in the site's log (0 when empty).</summary>
    public long LastSeq { get; private set; }

    /// <summary>The sequence number of the last derived event (0 when none).</summary>
    public long LastEventSeq { get; private set; }

    /// <summary>The last OCPP 1.6 transaction id issued at this site.</summary>
    public int LastTransactionId { get; private set; }

    public IReadOnlyDictionary<ChargerId, ChargerState> Chargers => _chargers;

    public IReadOnlyDictionary<string, ChargingSession> Sessions => _sessions;

    public int ProcessedKeyCount => _processed.Count;

    /// <summary>The site's topology and rules; null until the site is configured.</summary>
    public SiteConfiguration? Configuration { get; private set; }

    public ParkingState Parking { get; } = new();

    public BindingState Binding { get; } = new();

    public Billing.BillingState Billing { get; } = new();

    public Commands.CommandState Commands { get; } = new();

    public Automation.AutomationState Automation { get; } = new();

    /// <summary>How each camera is doing (<see cref="CameraHealth"/>).</summary>
    public CameraHealthState Cameras { get; } = new();

    /// <summary>What every EV bay of the site is doing now (free, occupied, charging, finished, idle, ICE), from the bay occupancy module's state.</summary>
    public IReadOnlyList<BayOccupancy> Bays => BayOccupancy.All(this);

    /// <summary>What the EV bay is doing now; null when the site has no such bay.</summary>
    public BayOccupancy? Bay(string id) => Configuration?.FindBay(id) is { } bay ? BayOccupancy.At(this, bay) : null;

    /// <summary>The charging sessions of the site that are running.</summary>
    public IEnumerable<ChargingSession> ActiveSessions => _active.Values;

    public bool IsActive(string sessionId) => _active.ContainsKey(sessionId);

    /// <summary>
    /// The earliest moment the engine must look at again without any observation (a maximum stay
    /// running out, a command's wait ending): the earliest of its rule modules' deadlines
    /// (<see cref="SiteEngine.NextDeadline"/>). The host submits a <see cref="TimerElapsed"/> then.
    /// Null when nothing waits.
    /// </summary>
    public DateTimeOffset? NextDeadline => SiteEngine.NextDeadline(this);

    public ChargerState? FindCharger(ChargerId id) => _chargers.GetValueOrDefault(id);

    public ChargingSession? FindSession(string id) => _sessions.GetValueOrDefault(id);

    public ChargingSession? FindSessionByTransaction(ChargerId charger, string transactionId) =>
        _sessionByTransaction.TryGetValue((charger, transactionId), out var id) ? _sessions[id] : null;

    public ChargingSession? FindSessionByStartFingerprint(string fingerprint) =>
        _sessionByStartFingerprint.TryGetValue(fingerprint, out var id) ? _sessions[id] : null;

    public IEnumerable<ChargingSession> SessionsOf(ChargerId charger) =>
        _sessionsByCharger.TryGetValue(charger, out var ids) ? ids.Select(id => _sessions[id]) : [];

    public bool TryGetProcessed(string key, out ProcessedObservation processed) =>
        _processed.TryGetValue(key, out processed!);

    /// <summary>
    /// Takes over a decision on <paramref name="observation"/> and returns the sequence numbers it
    /// was given. A repeat changes nothing.
    /// </summary>
    public AppliedDecision Apply(Observation observation, Decision decision)
    {
        if (decision.IsRepeat)
        {
            return new AppliedDecision(0, 0);
        }

        var seq = ++LastSeq;
        var firstEventSeq = LastEventSeq + 1;
        LastEventSeq += decision.Events.Count;
        _processed[observation.Key] = new ProcessedObservation(seq, decision.Reply, observation.ReceivedAt);

        var changes = decision.Changes;
        foreach (var charger in changes.Chargers)
        {
            _chargers[charger.Id] = charger;
        }

        foreach (var session in changes.Sessions)
        {
            TakeSession(session);
        }

        if (changes.LastTransactionId is { } tx)
        {
            LastTransactionId = Math.Max(LastTransactionId, tx);
        }

        if (changes.Configuration is { } configuration)
        {
            Configuration = configuration;
        }

        Parking.Take(changes);
        Binding.Take(changes, observation.ReceivedAt);
        Billing.Take(changes);
        Commands.Take(changes);
        Automation.Take(changes);
        Cameras.Take(changes);

        if (seq % PruneEvery == 0)
        {
            Prune(observation.ReceivedAt);
        }

        return new AppliedDecision(seq, decision.Events.Count == 0 ? 0 : firstEventSeq);
    }

    /// <summary>
    /// After a replay, makes the next sequence numbers follow the log's own: a replayed decision that
    /// differs from the stored one (a newer engine, a stored observation it now refuses) may have
    /// produced fewer events, and the next append must not reuse a sequence number the log holds.
    /// </summary>
    public void AlignWithLog(long lastSeq, long lastEventSeq)
    {
        LastSeq = Math.Max(LastSeq, lastSeq);
        LastEventSeq = Math.Max(LastEventSeq, lastEventSeq);
    }

    /// <summary>The fingerprint of a 1.6 StartTransaction: a re-sent start (even with a new message id) has the same one.</summary>
    public static string StartFingerprint(ChargerId charger, int connectorId, string idTag, decimal meterStartWh, DateTimeOffset timestamp) =>
        FormattableString.Invariant($"{charger.Value}|{connectorId}|{idTag}|{meterStartWh}|{timestamp.UtcTicks}");

    private static string? StartFingerprint(ChargingSession s) =>
        s is { Version: OcppVersion.Ocpp16, StartedAt: { } at, MeterStartWh: { } meter, IdToken: { } token }
        && !s.Anomalies.HasFlag(ChargingAnomalies.StartNotReceived)
            ? StartFingerprint(s.Charger, s.Connector.Connector, token.Value, meter, at)
            : null;

    private void TakeSession(ChargingSession session)
    {
        if (!_sessions.ContainsKey(session.Id))
        {
            _sessionByTransaction[(session.Charger, session.TransactionId)] = session.Id;
            if (!_sessionsByCharger.TryGetValue(session.Charger, out var ids))
            {
                _sessionsByCharger[session.Charger] = ids = [];
            }

            ids.Add(session.Id);
        }

        _sessions[session.Id] = session;
        if (session.Status == ChargingSessionStatus.Active)
        {
            _active[session.Id] = session;
        }
        else
        {
            _active.Remove(session.Id);
        }

        if (StartFingerprint(session) is { } fingerprint)
        {
            _sessionByStartFingerprint[fingerprint] = session.Id;
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var session in _sessions.Values.Where(s => s.Status == ChargingSessionStatus.Completed && s.LastReceivedAt < now - SessionRetention).ToList())
        {
            _sessions.Remove(session.Id);
            Binding.Forget(session.Id);
            _sessionByTransaction.Remove((session.Charger, session.TransactionId));
            _sessionsByCharger[session.Charger].Remove(session.Id);
            if (StartFingerprint(session) is { } fingerprint)
            {
                _sessionByStartFingerprint.Remove(fingerprint);
            }
        }

        foreach (var key in _processed.Where(p => p.Value.ReceivedAt < now - KeyRetention).Select(p => p.Key).ToList())
        {
            _processed.Remove(key);
        }

        Parking.Prune(now, SessionRetention);
        Binding.Prune(now);
        Commands.Prune(now);
        foreach (var bill in Billing.Bills.Where(b => Parking.FindSession(b.Bill.ParkingSessionId) is null).ToList())
        {
            Billing.Forget(bill.Bill.ParkingSessionId);
        }
    }
}

/// <summary>What the log remembers of an observation for idempotency: its position and its answer.</summary>
public readonly record struct ProcessedObservation(long Seq, Reply Reply, DateTimeOffset ReceivedAt);

/// <summary>The log positions a decision was given: the observation's sequence number and its first event's.</summary>
public readonly record struct AppliedDecision(long Seq, long FirstEventSeq);
