using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Charging;

/// <summary>An operator (or the auto-registration policy) registered or re-registered a charger at a site.</summary>
/// <param name="PasswordHash">The Basic-auth password, hashed by the edge (never the password itself); null for none.</param>
/// <param name="SecurityProfile">OCPP security profile: 0 none, 1 Basic auth, 2 Basic auth over TLS, 3 TLS client certificate.</param>
public sealed record ChargerRegistration(ChargerId Charger, string? PasswordHash, int SecurityProfile, string? Name = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.registration";
}

/// <summary>A charger's WebSocket was accepted by a server node.</summary>
public sealed record ConnectionOpened(ChargerId Charger, string ConnectionId, OcppVersion Version, string NodeId, string? RemoteAddress) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.connection_opened";
}

/// <summary>A charger's WebSocket closed (or the node that held it restarted).</summary>
public sealed record ConnectionClosed(ChargerId Charger, string ConnectionId, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.connection_closed";
}

/// <summary>BootNotification: who the charger says it is.</summary>
public sealed record BootReported(
    ChargerId Charger,
    string Vendor,
    string Model,
    string? SerialNumber,
    string? FirmwareVersion,
    string? Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.boot_reported";
}

/// <summary>StatusNotification for one connector (or the whole charger).</summary>
public sealed record ConnectorStatusReported(
    ChargerId Charger,
    ConnectorRef Connector,
    ConnectorStatus Status,
    string? ErrorCode = null,
    string? Info = null,
    string? VendorErrorCode = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "connector.status_reported";
}

/// <summary>Authorize: a driver presented an id token at the charger.</summary>
public sealed record IdTokenPresented(ChargerId Charger, IdToken IdToken) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.id_token_presented";
}

/// <summary>OCPP 1.6 StartTransaction. The event time is the charger's timestamp of the start.</summary>
public sealed record TransactionStartReported(
    ChargerId Charger,
    int ConnectorId,
    string IdTag,
    decimal MeterStartWh,
    int? ReservationId = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "charging.start_reported";

    /// <summary>
    /// Proxy mode: the transaction id the charger's own backend issued in its answer, which went to the
    /// charger unchanged. The session takes that id, so that the charger's later messages, the backend's
    /// commands and ParkCharge's API all name the same transaction. Null: ParkCharge issues the id.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? IssuedTransactionId { get; init; }
}

/// <summary>OCPP 1.6 StopTransaction. The event time is the charger's timestamp of the stop.</summary>
public sealed record TransactionStopReported(
    ChargerId Charger,
    int TransactionId,
    string? IdTag,
    decimal MeterStopWh,
    string? Reason,
    IReadOnlyList<MeterSample> Samples) : ObservationPayload(TypeName)
{
    public const string TypeName = "charging.stop_reported";
}

/// <summary>
/// MeterValues (1.6 and 2.0.1). A 1.6 charger may name the transaction; otherwise the samples belong to
/// whichever transaction was active on the connector at each sample's time.
/// </summary>
public sealed record MeterValuesReported(
    ChargerId Charger,
    ConnectorRef Connector,
    int? TransactionId,
    IReadOnlyList<MeterSample> Samples) : ObservationPayload(TypeName)
{
    public const string TypeName = "charging.meter_values_reported";
}

/// <summary>The 2.0.1 TransactionEvent eventType.</summary>
public enum TransactionEventType
{
    Started,
    Updated,
    Ended,
}

/// <summary>OCPP 2.0.1 TransactionEvent. The event time is the charger's timestamp.</summary>
public sealed record TransactionEventReported() : ObservationPayload(TypeName)
{
    public const string TypeName = "charging.transaction_event_reported";

    public required ChargerId Charger { get; init; }

    public required TransactionEventType EventType { get; init; }

    public required string TransactionId { get; init; }

    public required string TriggerReason { get; init; }

    public required int SeqNo { get; init; }

    /// <summary>The charger queued this event while it had no connection.</summary>
    public bool Offline { get; init; }

    /// <summary>Only on the first event of a transaction, or when it changes.</summary>
    public ConnectorRef? Connector { get; init; }

    public ChargingState? ChargingState { get; init; }

    public string? StoppedReason { get; init; }

    public int? RemoteStartId { get; init; }

    public IdToken? IdToken { get; init; }

    public IReadOnlyList<MeterSample> Samples { get; init; } = [];
}

/// <summary>One entry of a 2.0.1 NotifyEvent (a monitored variable changed or a problem was raised/cleared).</summary>
public sealed record ChargerEventData(
    int EventId,
    DateTimeOffset Timestamp,
    string Trigger,
    string ActualValue,
    string Component,
    string Variable,
    int? Evse = null,
    int? Connector = null,
    string? TechCode = null,
    string? TechInfo = null,
    bool? Cleared = null,
    string? EventNotificationType = null);

/// <summary>OCPP 2.0.1 NotifyEvent.</summary>
public sealed record ChargerEventsReported(ChargerId Charger, IReadOnlyList<ChargerEventData> Events) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.events_reported";
}

/// <summary>
/// A security event the charger reports (SecurityEventNotification: OCPP 2.0.1 and 2.1 A04, the 1.6
/// security whitepaper): a type from OCPP's security events list ("InvalidCsmsCertificate",
/// "TamperDetectionActivated", ...) or the vendor's own, when it happened by the charger's clock, and
/// what the charger adds.
/// </summary>
public sealed record SecurityEventReported(ChargerId Charger, string SecurityEventType, DateTimeOffset OccurredAt, string? TechInfo) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.security_event_reported";
}

/// <summary>DataTransfer from the charger: vendor-specific content that ParkCharge keeps but does not interpret.</summary>
public sealed record DataTransferReceived(ChargerId Charger, string VendorId, string? MessageId, string? Data) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.data_transfer_received";
}

/// <summary>
/// A charger notification ParkCharge records without interpreting (firmware and diagnostics status,
/// reports, ...): kept so that nothing a charger reported is lost.
/// </summary>
public sealed record ChargerNotificationReceived(ChargerId Charger, string Action, string PayloadJson) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.notification_received";
}

/// <summary>
/// Proxy mode: ParkCharge refused a command one of the charger's upstream backends sent it (an action its
/// ACL does not allow, a charging profile that would overwrite ParkCharge's own). The refusal already went
/// to the backend; this records it and publishes it, so a conflict is visible beyond the message log.
/// </summary>
/// <param name="Upstream">The upstream's name.</param>
/// <param name="Action">The OCPP action refused.</param>
/// <param name="Answer">What the backend was answered (a CALLERROR code, or <c>Rejected</c>).</param>
/// <param name="Reason">Why, for people.</param>
public sealed record UpstreamCommandRefused(ChargerId Charger, string Upstream, string Action, string Answer, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.upstream_command_refused";
}
