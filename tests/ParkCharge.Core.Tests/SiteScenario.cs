using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Tests;

/// <summary>
/// Drives a site engine the way the server does (decide, then apply), with a hand-moved clock.
/// Keeps every observation and decision so tests can replay them.
/// </summary>
internal sealed class SiteScenario
{
    private int _messages;

    public SiteScenario(SiteId? site = null)
    {
        State = new SiteState(site ?? new SiteId("test-site"));
    }

    public SiteState State { get; private set; }

    /// <summary>The server's clock: receive time of the next observation.</summary>
    public DateTimeOffset Now { get; set; } = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    public List<Observation> Log { get; } = [];

    public List<DomainEvent> Events { get; } = [];

    /// <summary>Every audit entry the engine wrote.</summary>
    public List<AuditEntry> Audit { get; } = [];

    public static ChargerId Cp(string id) => new(id);

    /// <summary>
    /// A car park with an entry lane (camera <c>gate-in</c>), an exit lane (<c>gate-out</c>), a
    /// two-way lane (<c>gate-both</c>), EV bays B1..B4 served by charger CP1 connectors 1..4, a
    /// camera per bay for B1 and B2 (<c>cam-b1</c>, <c>cam-b2</c>) and one camera covering B3 and B4
    /// (<c>cam-b34</c>: zone "left"/"right", or the left/right half of the picture).
    /// </summary>
    public SiteScenario WithCarPark(
        Func<SiteSettings, SiteSettings>? settings = null,
        ParkCharge.Core.Billing.SiteTariffs? tariffs = null,
        ParkCharge.Core.Automation.SiteAutomation? automation = null)
    {
        WithCharger("CP1");
        Observe(new SiteConfigured(new SiteConfiguration
        {
            Id = State.Site,
            Name = "Test car park",
            TimeZone = "Europe/Berlin",
            Currency = "EUR",
            Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit), new LaneConfiguration("both", LaneDirection.Both)],
            Cameras =
            [
                new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = "k1" },
                new CameraConfiguration { Id = "gate-out", Lane = "out", KeyHash = "k2" },
                new CameraConfiguration { Id = "gate-both", Lane = "both", KeyHash = "k3" },
                new CameraConfiguration { Id = "cam-b1", Bays = [new CameraBay("B1")], KeyHash = "k4" },
                new CameraConfiguration { Id = "cam-b2", Bays = [new CameraBay("B2")], KeyHash = "k5" },
                new CameraConfiguration { Id = "cam-b34", Bays = [new CameraBay("B3", "left", 0, 0.5), new CameraBay("B4", "right", 0.5, 1)], KeyHash = "k6" },
            ],
            EvBays =
            [
                new EvBayConfiguration { Id = "B1", Charger = Cp("CP1"), Connector = 1, Neighbours = ["B2"] },
                new EvBayConfiguration { Id = "B2", Charger = Cp("CP1"), Connector = 2, Neighbours = ["B1"] },
                new EvBayConfiguration { Id = "B3", Charger = Cp("CP1"), Connector = 3 },
                new EvBayConfiguration { Id = "B4", Charger = Cp("CP1"), Connector = 4 },
            ],
            OrdinaryBays = 20,
            Settings = settings?.Invoke(new SiteSettings()) ?? new SiteSettings(),
            Tariffs = tariffs ?? new ParkCharge.Core.Billing.SiteTariffs(),
            Automation = automation ?? new ParkCharge.Core.Automation.SiteAutomation(),
            CameraHealth = new CameraHealthSettings(),
        }));
        return this;
    }

    /// <summary>Sets the site's configuration again with other automation rules (as a site file reload does).</summary>
    public SiteScenario Reconfigure(Func<SiteConfiguration, SiteConfiguration> change)
    {
        Observe(new SiteConfigured(change(State.Configuration!)));
        return this;
    }

    /// <summary>The commands in memory, oldest first.</summary>
    public IReadOnlyList<ParkCharge.Core.Commands.ChargerCommand> Commands => [.. State.Commands.All.OrderBy(c => c.RequestSeq).ThenBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>A camera read; the event time defaults to now.</summary>
    public Decision Read(string camera, string plate, double? confidence = 0.9, DateTimeOffset? at = null, TravelDirection? direction = null, string? zone = null, double? plateX = null, string? key = null) =>
        Observe(new PlateRead { Camera = camera, Plate = plate, Confidence = confidence, Direction = direction, Zone = zone, PlateX = plateX }, at, key);

    /// <summary>
    /// Submits the timers that are due by <see cref="Now"/>, as the host does: a deadline that is still
    /// the next one after its timer ran is not submitted again (the host arms a timer only for a new deadline).
    /// </summary>
    public void RunTimers()
    {
        while (State.NextDeadline is { } due && due <= Now)
        {
            if (Observe(new TimerElapsed(due), due, key: "timer:" + due.UtcTicks.ToString(CultureInfo.InvariantCulture)).IsRepeat)
            {
                return;
            }
        }
    }

    public ParkCharge.Core.Binding.ChargingBinding Binding(string charger, string transactionId) =>
        State.Binding.Find(Session(charger, transactionId).Id) ?? throw new InvalidOperationException($"No binding for {transactionId}.");

    /// <summary>A 1.6 plug-in: Preparing on the connector, then StartTransaction <paramref name="startAfter"/> later.</summary>
    public int PlugIn16(string charger, int connector, string idTag, DateTimeOffset? at = null, TimeSpan? startAfter = null)
    {
        var plugged = at ?? Now;
        Observe(new ConnectorStatusReported(Cp(charger), ConnectorRef.Ocpp16(connector), ConnectorStatus.Preparing), plugged);
        return Start16(charger, connector, idTag, 0, plugged + (startAfter ?? TimeSpan.FromSeconds(20)));
    }

    public ParkingSession ParkingSession(string plate) =>
        State.Parking.Sessions.Where(s => s.Plate == plate).OrderByDescending(s => s.UpdatedAt).FirstOrDefault()
        ?? throw new InvalidOperationException($"No parking session for {plate}.");

    public BayVisit? CurrentVisit(string bay) => State.Parking.CurrentVisits.SingleOrDefault(v => v.Bay == bay);

    public IEnumerable<ParkingAnomaly> Anomalies(ParkingAnomalyKind kind) =>
        Events.OfType<ParkingAnomalyDetected>().Select(e => e.Anomaly).Where(a => a.Kind == kind);

    public SiteScenario WithCharger(string id, OcppVersion version = OcppVersion.Ocpp16)
    {
        Observe(new ChargerRegistration(Cp(id), null, 0));
        Observe(new ConnectionOpened(Cp(id), "conn-" + id, version, "node-a", "127.0.0.1"));
        return this;
    }

    public SiteScenario Advance(TimeSpan by)
    {
        Now += by;
        return this;
    }

    /// <summary>Feeds one observation; the event time defaults to the receive time.</summary>
    public Decision Observe(ObservationPayload payload, DateTimeOffset? eventTime = null, string? key = null)
    {
        var observation = new Observation
        {
            Site = State.Site,
            Source = "test",
            Key = key ?? "msg-" + (++_messages).ToString(CultureInfo.InvariantCulture),
            EventTime = eventTime ?? Now,
            ReceivedAt = Now,
            Payload = payload,
        };
        return Observe(observation);
    }

    public Decision Observe(Observation observation)
    {
        var decision = SiteEngine.Decide(State, observation);
        State.Apply(observation, decision);
        if (!decision.IsRepeat)
        {
            Log.Add(observation);
            Events.AddRange(decision.Events);
            Audit.AddRange(decision.Changes.Audit);
        }

        return decision;
    }

    /// <summary>A fresh state built by replaying the log, as the server does at start.</summary>
    public (SiteState State, List<DomainEvent> Events) Replay()
    {
        var state = new SiteState(State.Site);
        var events = new List<DomainEvent>();
        foreach (var observation in Log)
        {
            var decision = SiteEngine.Decide(state, observation);
            state.Apply(observation, decision);
            events.AddRange(decision.Events);
        }

        return (state, events);
    }

    public ChargingSession Session(string charger, string transactionId) =>
        State.FindSessionByTransaction(Cp(charger), transactionId) ?? throw new InvalidOperationException($"No session {transactionId} on {charger}.");

    public ChargingSession OnlySession() => Assert.Single(State.Sessions.Values);

    public ChargingSession OnlySessionOf(string charger) => Assert.Single(State.SessionsOf(Cp(charger)));

    public int Start16(string charger, int connector, string idTag, decimal meterStartWh, DateTimeOffset? at = null, string? key = null)
    {
        var decision = Observe(new TransactionStartReported(Cp(charger), connector, idTag, meterStartWh), at, key);
        return Assert.IsType<TransactionStartReply>(decision.Reply).TransactionId;
    }

    public Decision Stop16(string charger, int transactionId, decimal meterStopWh, DateTimeOffset? at = null, string? reason = null, IReadOnlyList<MeterSample>? samples = null, string? key = null) =>
        Observe(new TransactionStopReported(Cp(charger), transactionId, null, meterStopWh, reason, samples ?? []), at, key);

    public Decision TxEvent(
        string charger,
        TransactionEventType type,
        string transactionId,
        int seqNo,
        DateTimeOffset? at = null,
        ChargingState? state = null,
        decimal? registerWh = null,
        int evse = 1,
        bool offline = false,
        string? idToken = null,
        string? key = null)
    {
        var time = at ?? Now;
        return Observe(
            new TransactionEventReported
            {
                Charger = Cp(charger),
                EventType = type,
                TransactionId = transactionId,
                TriggerReason = type switch { TransactionEventType.Started => "CablePluggedIn", TransactionEventType.Ended => "EVDeparted", _ => "MeterValuePeriodic" },
                SeqNo = seqNo,
                Offline = offline,
                Connector = type == TransactionEventType.Started ? ConnectorRef.Ocpp201(evse, 1) : null,
                ChargingState = state,
                StoppedReason = type == TransactionEventType.Ended ? "EVDisconnected" : null,
                IdToken = idToken is null ? null : new IdToken(idToken, "ISO14443"),
                Samples = registerWh is { } wh
                    ? [Register(time, wh, type switch { TransactionEventType.Started => "Transaction.Begin", TransactionEventType.Ended => "Transaction.End", _ => "Sample.Periodic" })]
                    : [],
            },
            time,
            key);
    }

    public static MeterSample Register(DateTimeOffset at, decimal wh, string? context = null) =>
        new(at, Measurands.EnergyActiveImportRegister, wh, "Wh", Context: context);

    public static MeterSample Power(DateTimeOffset at, decimal watts) =>
        new(at, Measurands.PowerActiveImport, watts, "W");
}
