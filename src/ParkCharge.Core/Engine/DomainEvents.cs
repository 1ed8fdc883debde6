using System.ComponentModel;
using System.Text.Json.Serialization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// A fact the site engine derived from an observation. Events are published through the outbox
/// (webhooks, live stream) in site-sequence order. The type name is the public, versioned contract.
/// </summary>
/// <param name="Type">The public event type, e.g. <c>charging.started</c> (written as the JSON discriminator).</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ChargerRegistered), ChargerRegistered.TypeName)]
[JsonDerivedType(typeof(ChargerConnected), ChargerConnected.TypeName)]
[JsonDerivedType(typeof(ChargerDisconnected), ChargerDisconnected.TypeName)]
[JsonDerivedType(typeof(ChargerBooted), ChargerBooted.TypeName)]
[JsonDerivedType(typeof(ConnectorStatusChanged), ConnectorStatusChanged.TypeName)]
[JsonDerivedType(typeof(ChargerFaultReported), ChargerFaultReported.TypeName)]
[JsonDerivedType(typeof(ChargerClockRejected), ChargerClockRejected.TypeName)]
[JsonDerivedType(typeof(ChargerSecurityEvent), ChargerSecurityEvent.TypeName)]
[JsonDerivedType(typeof(ChargerUpstreamCommandRefused), ChargerUpstreamCommandRefused.TypeName)]
[JsonDerivedType(typeof(ChargingStarted), ChargingStarted.TypeName)]
[JsonDerivedType(typeof(ChargingUpdated), ChargingUpdated.TypeName)]
[JsonDerivedType(typeof(ChargingMeterUpdated), ChargingMeterUpdated.TypeName)]
[JsonDerivedType(typeof(ChargingStopped), ChargingStopped.TypeName)]
[JsonDerivedType(typeof(ChargingAnomalyDetected), ChargingAnomalyDetected.TypeName)]
[JsonDerivedType(typeof(SiteConfigurationChanged), SiteConfigurationChanged.TypeName)]
[JsonDerivedType(typeof(ParkingSessionOpened), ParkingSessionOpened.TypeName)]
[JsonDerivedType(typeof(ParkingSessionClosed), ParkingSessionClosed.TypeName)]
[JsonDerivedType(typeof(ParkingSessionUpdated), ParkingSessionUpdated.TypeName)]
[JsonDerivedType(typeof(ParkingSessionInferred), ParkingSessionInferred.TypeName)]
[JsonDerivedType(typeof(BayVehicleArrived), BayVehicleArrived.TypeName)]
[JsonDerivedType(typeof(BayVehicleLeft), BayVehicleLeft.TypeName)]
[JsonDerivedType(typeof(BayOccupancySensed), BayOccupancySensed.TypeName)]
[JsonDerivedType(typeof(ParkingAnomalyDetected), ParkingAnomalyDetected.TypeName)]
[JsonDerivedType(typeof(BindingCreated), BindingCreated.TypeName)]
[JsonDerivedType(typeof(BindingChanged), BindingChanged.TypeName)]
[JsonDerivedType(typeof(BindingConfirmed), BindingConfirmed.TypeName)]
[JsonDerivedType(typeof(BindingReviewNeeded), BindingReviewNeeded.TypeName)]
[JsonDerivedType(typeof(BayIceDetected), BayIceDetected.TypeName)]
[JsonDerivedType(typeof(BayIdleStarted), BayIdleStarted.TypeName)]
[JsonDerivedType(typeof(BillSettled), BillSettled.TypeName)]
[JsonDerivedType(typeof(BillAdjusted), BillAdjusted.TypeName)]
[JsonDerivedType(typeof(PaymentCompleted), PaymentCompleted.TypeName)]
[JsonDerivedType(typeof(SettlementReceived), SettlementReceived.TypeName)]
[JsonDerivedType(typeof(ChargerTariffNotSent), ChargerTariffNotSent.TypeName)]
[JsonDerivedType(typeof(CommandRequested), CommandRequested.TypeName)]
[JsonDerivedType(typeof(CommandCompleted), CommandCompleted.TypeName)]
[JsonDerivedType(typeof(ChargerFirmwareStatus), ChargerFirmwareStatus.TypeName)]
[JsonDerivedType(typeof(ChargerLogStatus), ChargerLogStatus.TypeName)]
[JsonDerivedType(typeof(ChargerLogUploaded), ChargerLogUploaded.TypeName)]
[JsonDerivedType(typeof(ChargingStopScheduled), ChargingStopScheduled.TypeName)]
[JsonDerivedType(typeof(CameraSilent), CameraSilent.TypeName)]
[JsonDerivedType(typeof(CameraClockSkewed), CameraClockSkewed.TypeName)]
[JsonDerivedType(typeof(CameraDegraded), CameraDegraded.TypeName)]
[JsonDerivedType(typeof(CameraRecovered), CameraRecovered.TypeName)]
public abstract record DomainEvent([property: JsonIgnore] string Type)
{
    /// <summary>When it happened, by the clock of the source whose observation caused it.</summary>
    public required DateTimeOffset EventTime { get; init; }
}

[Description("A charger was registered at the site (through the API, a site file, or by auto-registration on its first connection).")]
public sealed record ChargerRegistered(ChargerId Charger, SiteId Site, int SecurityProfile) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.registered";
}

[Description("A charger opened its OCPP connection: the OCPP version and the node that holds the connection.")]
public sealed record ChargerConnected(ChargerId Charger, OcppVersion Version, string NodeId) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.connected";
}

[Description("A charger's OCPP connection closed, with the reason.")]
public sealed record ChargerDisconnected(ChargerId Charger, string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.disconnected";
}

[Description("A charger announced itself (BootNotification): vendor, model, serial number, firmware.")]
public sealed record ChargerBooted(ChargerId Charger, string Vendor, string Model, string? SerialNumber, string? FirmwareVersion) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.booted";
}

[Description("A connector's status changed (Available, Preparing, Charging, SuspendedEV, Finishing, Faulted, ...).")]
public sealed record ConnectorStatusChanged(
    ChargerId Charger,
    ConnectorRef Connector,
    ConnectorStatus Status,
    ConnectorStatus? PreviousStatus,
    ChargingState? ChargingState = null) : DomainEvent(TypeName)
{
    public const string TypeName = "connector.status_changed";
}

/// <summary>A connector went Faulted, reported an error code, or the charger raised a problem (2.0.1 NotifyEvent).</summary>
[Description("A connector went Faulted or reported an error code, or the charger raised a problem; cleared: the problem went away.")]
public sealed record ChargerFaultReported(ChargerId Charger, ConnectorRef? Connector, string ErrorCode, string? Info, bool Cleared = false) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.fault";
}

/// <summary>A charger's clock is out of range: its times are replaced by receive times until it is fixed.</summary>
[Description("A charger sent a time more than a year behind or a day ahead of the server's clock (a broken or reset clock): ParkCharge answered it normally and used the time the message was received. At most one per charger per hour; its charging sessions carry the anomaly ClockOutOfRange.")]
public sealed record ChargerClockRejected(ChargerId Charger, string Message, DateTimeOffset ReportedTime, DateTimeOffset ReceivedAt) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.clock_rejected";

    /// <summary>At most one event per charger in this time (by receive time): a dead clock is wrong in every message.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);
}

/// <summary>A charger reported a security event (SecurityEventNotification, OCPP 2.0.1/2.1 A04 and the 1.6 security whitepaper).</summary>
/// <param name="SecurityEventType">The security event's type as the charger sent it, e.g. <c>InvalidCsmsCertificate</c>, <c>TamperDetectionActivated</c>, <c>FirmwareUpdated</c>.</param>
/// <param name="OccurredAt">When it happened, by the charger's clock (the event's own time is when ParkCharge received it).</param>
/// <param name="TechInfo">What the charger adds, if anything.</param>
[Description("A charger reported a security event (SecurityEventNotification): its type from OCPP's security events list or the vendor's own, when it happened by the charger's clock, and the charger's technical detail.")]
public sealed record ChargerSecurityEvent(ChargerId Charger, string SecurityEventType, DateTimeOffset OccurredAt, string? TechInfo) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.security_event";
}

/// <summary>Proxy mode: ParkCharge refused a command from one of the charger's upstream backends (not allowed to it, or a charging profile that would overwrite ParkCharge's own).</summary>
/// <param name="Upstream">The upstream's name, as in the charger's <c>upstreams</c>.</param>
/// <param name="Action">The OCPP action refused, e.g. <c>Reset</c>, <c>SetChargingProfile</c>.</param>
/// <param name="Answer">What the backend got: a CALLERROR code (<c>SecurityError</c>) or <c>Rejected</c>.</param>
/// <param name="Reason">Why, for people.</param>
[Description("Proxy mode: ParkCharge refused a command one of the charger's upstream backends sent (an action that upstream may not send, or a charging profile that would overwrite ParkCharge's own); the backend got the answer named here.")]
public sealed record ChargerUpstreamCommandRefused(ChargerId Charger, string Upstream, string Action, string Answer, string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.upstream_command_refused";
}

/// <summary>A short view of a charging session carried by charging events.</summary>
public sealed record ChargingSessionSummary(
    string SessionId,
    ChargerId Charger,
    ConnectorRef Connector,
    string TransactionId,
    string? IdToken,
    DateTimeOffset? StartedAt,
    DateTimeOffset? StoppedAt,
    decimal? EnergyWh,
    ChargingSessionStatus Status,
    ChargingAnomalies Anomalies)
{
    public static ChargingSessionSummary Of(ChargingSession s) =>
        new(s.Id, s.Charger, s.Connector, s.TransactionId, s.IdToken?.Value, s.StartedAt, s.StoppedAt, s.EnergyWh, s.Status, s.Anomalies);
}

[Description("A charging session started: a transaction began on a connector.")]
public sealed record ChargingStarted(ChargingSessionSummary Session) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.started";
}

/// <summary>The id token or the charging state of an active session changed.</summary>
[Description("An active charging session's id token or charging state changed.")]
public sealed record ChargingUpdated(ChargingSessionSummary Session, ChargingState? ChargingState) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.updated";
}

[Description("New meter values for a charging session: energy so far, power and state of charge (at most one per session per the site's meter event interval, default a minute).")]
public sealed record ChargingMeterUpdated(ChargingSessionSummary Session, decimal? PowerW, decimal? SoCPercent) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.meter_updated";
}

[Description("A charging session ended, with the energy delivered and the reason.")]
public sealed record ChargingStopped(ChargingSessionSummary Session, string? Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.stopped";
}

/// <summary>New anomaly flags on a session (see <see cref="ChargingAnomalies"/>); <see cref="Added"/> lists only the new ones.</summary>
[Description("A charging session got new anomaly flags (start never received, unknown transaction, lost or reordered messages, ...); added lists only the new ones.")]
public sealed record ChargingAnomalyDetected(ChargingSessionSummary Session, ChargingAnomalies Added, string Detail) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.anomaly";
}

/// <summary>A short view of a parking session carried by parking events.</summary>
public sealed record ParkingSessionSummary(
    string SessionId,
    string Plate,
    DateTimeOffset? EnteredAt,
    DateTimeOffset? ExitedAt,
    Parking.ParkingSessionStatus Status,
    Parking.ParkingAnomalies Anomalies)
{
    public static ParkingSessionSummary Of(Parking.ParkingSession s) => new(s.Id, s.Plate, s.EnteredAt, s.ExitedAt, s.Status, s.Anomalies);
}

[Description("The site's configuration (lanes, bays, cameras, rules) was set or changed.")]
public sealed record SiteConfigurationChanged(Sites.SiteId Site, string Name) : DomainEvent(TypeName)
{
    public const string TypeName = "site.configured";
}

[Description("A vehicle entered: a parking session opened, with its plate and the entry lane.")]
public sealed record ParkingSessionOpened(ParkingSessionSummary Session, string? Lane) : DomainEvent(TypeName)
{
    public const string TypeName = "parking.session_opened";
}

[Description("A parking session closed: the vehicle left, or an operator or a rule closed it.")]
public sealed record ParkingSessionClosed(ParkingSessionSummary Session, string? Lane, Parking.ParkingSessionClosure ClosedBy) : DomainEvent(TypeName)
{
    public const string TypeName = "parking.session_closed";
}

/// <summary>A parking session changed after it opened: its plate was corrected, a re-entry reopened it, another was merged into it.</summary>
[Description("A parking session changed after it opened: its plate was corrected, a re-entry reopened it, or another session was merged into it.")]
public sealed record ParkingSessionUpdated(ParkingSessionSummary Session, string Change) : DomainEvent(TypeName)
{
    public const string TypeName = "parking.session_updated";
}

/// <summary>
/// A stay's entry or exit was not read and was inferred from other evidence with the plate exactly (<see cref="Parking.InferredStays"/>).
/// </summary>
/// <param name="End">entry or exit.</param>
/// <param name="At">The inferred time: the earliest evidence of presence for an entry, the last for an exit.</param>
/// <param name="Evidence">The ids of what it was inferred from: bay visits, charging sessions, the entry sighting, the exit cameras that were silent or degraded.</param>
/// <param name="Billed">Whether the stay's bill uses the inferred time (an inferred entry is billed only with the site's billInferredEntry).</param>
[Description("A stay's entry or exit was not read and was inferred from other evidence with the exact plate (bay reads, charges bound to the plate, the stay's own entry, a silent or degraded exit camera): end (entry or exit), at, reason, evidence ids, billed. The stay carries the EntryInferred or ExitInferred flag until a gate read replaces the inference (parking.session_updated).")]
public sealed record ParkingSessionInferred(ParkingSessionSummary Session, string End, DateTimeOffset At, string Reason, IReadOnlyList<string> Evidence, bool Billed) : DomainEvent(TypeName)
{
    public const string TypeName = "parking.session_inferred";
}

[Description("A bay camera saw a vehicle arrive in an EV bay.")]
public sealed record BayVehicleArrived(string Bay, string Plate, string VisitId, string? ParkingSessionId) : DomainEvent(TypeName)
{
    public const string TypeName = "bay.vehicle_arrived";
}

[Description("A vehicle left an EV bay.")]
public sealed record BayVehicleLeft(string Bay, string Plate, string VisitId, string? ParkingSessionId, Parking.BayVisitEnd Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "bay.vehicle_left";
}

[Description("A charger's own bay sensor (2.0.1/2.1 BayOccupancySensor, or a transaction started or ended on EVDetected/EVDeparted) sensed a vehicle arrive in an EV bay or leave it. No plate: binding finds whose vehicle it is where the bay camera is missing or saw nothing.")]
public sealed record BayOccupancySensed(string Bay, ChargerId Charger, int Outlet, string PresenceId, bool Occupied, Parking.BaySensorSignal Signal) : DomainEvent(TypeName)
{
    public const string TypeName = "bay.occupancy_sensed";
}

/// <summary>Something at the parking side for an operator to look at (see <see cref="Parking.ParkingAnomalyKind"/>).</summary>
[Description("Something at the parking side for an operator to look at: an exit without entry, an entry while inside, an ambiguous exit, a stay over the maximum, ...")]
public sealed record ParkingAnomalyDetected(Parking.ParkingAnomaly Anomaly) : DomainEvent(TypeName)
{
    public const string TypeName = "parking.anomaly";
}

/// <summary>A short view of a binding carried by binding events.</summary>
public sealed record BindingSummary(
    string ChargingSessionId,
    Charging.ChargerId Charger,
    Charging.ConnectorRef Connector,
    string TransactionId,
    string? Bay,
    Binding.BindingStatus Status,
    string? Plate,
    string? ParkingSessionId,
    Binding.BindingMethod? Method,
    double Confidence,
    TimeSpan? Offset,
    System.Collections.Immutable.ImmutableArray<string> Evidence,
    bool Tentative = false)
{
    public static BindingSummary Of(Binding.ChargingBinding b) =>
        new(b.ChargingSessionId, b.Charger, b.Connector, b.TransactionId, b.Bay, b.Status, b.Plate, b.ParkingSessionId, b.Method, b.Confidence, b.Offset, b.Evidence, b.Tentative);
}

/// <summary>A charging session was linked to a vehicle for the first time (tentatively while the evidence is not complete).</summary>
[Description("A charging session was linked to a vehicle (plate and parking session) for the first time, with method, confidence and evidence; tentative while the binding window is open and the car was not read after the plug-in.")]
public sealed record BindingCreated(BindingSummary Binding) : DomainEvent(TypeName)
{
    public const string TypeName = "binding.created";
}

/// <summary>A binding changed (a late read, a car seen leaving, a corrected plate, an operator): old and new values, and why.</summary>
[Description("A binding changed: later evidence contradicted it (a read after the plug-in, the bound car seen leaving while the charge went on, an exit read that names the stay), a plate was corrected or an operator decided; before and after, and why. A settled stay's bill gets an adjustment.")]
public sealed record BindingChanged(BindingSummary Before, BindingSummary After, string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "binding.changed";
}

/// <summary>A tentative binding was borne out by the complete evidence (the binding window ended, or the car was read after the plug-in).</summary>
[Description("A tentative binding stands on the complete evidence (the binding window ended, or the car was read at the bay after the plug-in): the same vehicle, no longer tentative.")]
public sealed record BindingConfirmed(BindingSummary Binding, string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "binding.confirmed";
}

/// <summary>A charging session needs an operator: not bound (review), or bound only provisionally.</summary>
[Description("A charging session needs an operator: it could not be bound, or only provisionally; with the candidate vehicles.")]
public sealed record BindingReviewNeeded(BindingSummary Binding, System.Collections.Immutable.ImmutableArray<Binding.BindingCandidate> Candidates) : DomainEvent(TypeName)
{
    public const string TypeName = "binding.review_needed";
}

/// <summary>
/// A vehicle has occupied an EV bay without charging for longer than the site allows: which bay (and
/// the charger outlet it blocks), which vehicle, since when.
/// </summary>
[Description("A vehicle has occupied an EV bay without charging for longer than the site allows (ICE: a car blocking a charger).")]
public sealed record BayIceDetected(
    string Bay,
    string Plate,
    string VisitId,
    string? ParkingSessionId,
    DateTimeOffset Since,
    ChargerId? Charger = null,
    ConnectorRef? Connector = null) : DomainEvent(TypeName)
{
    public const string TypeName = "bay.ice_detected";
}

/// <summary>
/// Charging finished (by <see cref="Parking.ChargingFinish"/>, the rule the bill's idle lines follow) and the vehicle
/// is still in the bay after the grace: idle time starts. Which bay (and outlet), which vehicle and session, when
/// charging finished and when idle time began. Published again when charging resumed and finished once more.
/// </summary>
[Description("Charging finished (stopped, or the EV stopped drawing for the suspended threshold) and the vehicle is still in the EV bay after the grace period: idle time starts, as the bill's idle line does.")]
public sealed record BayIdleStarted(
    string Bay,
    string Plate,
    string VisitId,
    string? ParkingSessionId,
    string? ChargingSessionId,
    DateTimeOffset ChargingFinishedAt,
    DateTimeOffset? IdleSince = null,
    ChargerId? Charger = null,
    ConnectorRef? Connector = null) : DomainEvent(TypeName)
{
    public const string TypeName = "bay.idle_started";
}

/// <summary>A stay's bill became final at the exit (or when the stay was closed without an exit read).</summary>
[Description("A stay's bill became final at the exit (or when the stay was closed without an exit read): every line with period, quantity, unit price, amounts and rule.")]
public sealed record BillSettled(string BillId, string ParkingSessionId, string Plate, Billing.Bill Bill) : DomainEvent(TypeName)
{
    public const string TypeName = "bill.settled";
}

/// <summary>A settled bill was corrected by a later observation: a credit (negative total) or debit note linked to the bill.</summary>
[Description("A settled bill was corrected by a later observation (a queued meter value, a late binding, an operator correction): a credit or debit note linked to the bill, with the bill as it stands now.")]
public sealed record BillAdjusted(string BillId, string ParkingSessionId, string Plate, Billing.BillAdjustment Adjustment) : DomainEvent(TypeName)
{
    public const string TypeName = "bill.adjusted";
}

/// <summary>A payment for a stay was recorded.</summary>
[Description("A payment for a stay was recorded, with what is still due.")]
public sealed record PaymentCompleted(Billing.Payment Payment, string Plate, decimal BalanceDue) : DomainEvent(TypeName)
{
    public const string TypeName = "payment.completed";
}

/// <summary>
/// A payment terminal on a charger reported a settlement (OCPP 2.1 NotifySettlement) and what ParkCharge did with it:
/// <see cref="Outcome"/> is <c>recorded</c> (a payment on the stay's bill), <c>duplicate</c> (that PSP reference was
/// recorded before), <c>unmatched</c> (no stay to put it on: kept in the log and in the daily report),
/// <c>not_settled</c> (Canceled, Rejected, Failed: no money moved) or <c>refused</c> (an amount the site's currency
/// cannot hold).
/// </summary>
[Description("A payment terminal on a charger reported a settlement (OCPP 2.1 NotifySettlement): recorded as a payment on the stay's bill, a duplicate of one recorded before, unmatched (kept and reported), not settled, or refused.")]
public sealed record SettlementReceived(
    ChargerId Charger,
    string? TransactionId,
    string PspReference,
    string Status,
    decimal Amount,
    string Currency,
    DateTimeOffset SettledAt,
    string Outcome,
    string? Reason,
    string? ChargingSessionId,
    string? ParkingSessionId,
    string? PaymentId,
    string? ReceiptId,
    string? ReceiptUrl) : DomainEvent(TypeName)
{
    public const string TypeName = "payment.settlement_received";
}

/// <summary>
/// A charger that calculates the cost itself (settings.chargerCost <c>local</c>) was not sent the site's tariff: an OCPP
/// 2.1 charger could not price it as the bill does (<see cref="Problems"/> say why). It gets the running cost from
/// ParkCharge instead (CostUpdated and the final totalCost), as a <c>central</c> charger.
/// </summary>
[Description("A charger set to calculate the cost itself (chargerCost local) was not sent the site's charging tariff, because an OCPP 2.1 charger could not price it as the bill does; it gets the running cost from ParkCharge instead.")]
public sealed record ChargerTariffNotSent(ChargerId Charger, string TariffId, IReadOnlyList<string> Problems) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.tariff_not_sent";
}

/// <summary>A short view of a command carried by command events.</summary>
public sealed record CommandSummary(
    string CommandId,
    ChargerId Charger,
    Commands.CommandType CommandType,
    Commands.CommandOrigin Origin,
    Commands.CommandStatus Status,
    int? Outlet,
    string? IdToken,
    Commands.IdTokenSource? TokenSource,
    string? Plate,
    string? ChargingSessionId,
    string? TransactionId,
    Commands.ChargingLimit? Limit,
    string RequestedBy,
    DateTimeOffset RequestedAt,
    DateTimeOffset? CompletedAt,
    string? Response,
    string? Detail)
{
    public static CommandSummary Of(Commands.ChargerCommand c) => new(
        c.Id, c.Charger, c.Type, c.Origin, c.Status, c.Outlet, c.IdToken?.Value, c.TokenSource, c.Plate, c.ChargingSessionId, c.TransactionId,
        c.Profile?.Limit, c.RequestedBy, c.RequestedAt, c.CompletedAt, c.Response, c.Detail);
}

/// <summary>A command to a charger was recorded (by an API client or an automation rule); it is sent when the charger is connected.</summary>
[Description("A command to a charger was recorded (by an API client or an automation rule); it is sent when the charger is connected.")]
public sealed record CommandRequested(CommandSummary Command) : DomainEvent(TypeName)
{
    public const string TypeName = "command.requested";
}

/// <summary>A command ended: Accepted, Rejected, TimedOut, Offline, Failed or Superseded, with the charger's answer.</summary>
[Description("A command to a charger ended: Accepted, Rejected, TimedOut, Offline, Failed or Superseded, with the charger's answer.")]
public sealed record CommandCompleted(CommandSummary Command) : DomainEvent(TypeName)
{
    public const string TypeName = "command.completed";
}

[Description("A charger reported how a firmware update goes (FirmwareStatusNotification; 1.6 SignedFirmwareStatusNotification): Downloading, Downloaded, Installing, Installed, DownloadFailed, InstallationFailed, ... with the UpdateFirmware command it belongs to, when known.")]
public sealed record ChargerFirmwareStatus(ChargerId Charger, string Status, int? RequestId, string? CommandId) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.firmware_status";
}

[Description("A charger reported how a log upload goes (LogStatusNotification; 1.6 DiagnosticsStatusNotification): Uploading, Uploaded, UploadFailure, ... with the GetLog command it belongs to, when known.")]
public sealed record ChargerLogStatus(ChargerId Charger, string Status, int? RequestId, string? CommandId) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.log_status";
}

[Description("The log a GetLog command asked for arrived at the node (GET /api/v1/commands/{commandId}/log downloads it).")]
public sealed record ChargerLogUploaded(ChargerId Charger, string CommandId, string FileName, long Bytes) : DomainEvent(TypeName)
{
    public const string TypeName = "charger.log_uploaded";
}

/// <summary>
/// Charging will be stopped at <see cref="StopAt"/> by an automation rule (the vehicle's permit ends,
/// or the site's maximum charging time is reached): sent the rule's notice period before, so the
/// driver or an integrator can act. Plate and parking session are the bound vehicle's, if any.
/// </summary>
[Description("Charging will be stopped at stopAt by an automation rule (the vehicle's permit ends, or the site's maximum charging time is reached); sent the rule's notice period before, so the driver or an integrator can act.")]
public sealed record ChargingStopScheduled(ChargingSessionSummary Session, string? Plate, string? ParkingSessionId, DateTimeOffset StopAt, string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "charging.stop_scheduled";
}
