using System.Text.Json.Serialization;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// A fact the site engine derived from an observation. Events are published through the outbox
/// (webhooks, live stream) in site-sequence order. The type name is the public, versioned contract.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ChargerRegistered), ChargerRegistered.TypeName)]
[JsonDerivedType(typeof(ChargerConnected), ChargerConnected.TypeName)]
[JsonDerivedType(typeof(ChargerDisconnected), ChargerDisconnected.TypeName)]
[JsonDerivedType(typeof(ChargerBooted), ChargerBooted.TypeName)]
[JsonDerivedType(typeof(ConnectorStatusChanged), ConnectorStatusChanged.TypeName)]
[JsonDerivedType(typeof(ChargerFaultReported), ChargerFaultReported.TypeName)]
[JsonDerivedType(typeof(ChargingStarted), ChargingStarted.TypeName)]
[JsonDerivedType(typeof(ChargingUpdated), ChargingUpdated.TypeName)]
[JsonDerivedType(typeof(ChargingMeterUpdated), ChargingMeterUpdated.TypeName)]
[JsonDerivedType(typeof(ChargingStopped), ChargingStopped.TypeName)]
[JsonDerivedType(typeof(ChargingAnomalyDetected), ChargingAnomalyDetected.TypeName)]
public abstract record DomainEvent
{
    /// <summary>The public event type, e.g. <c>charging.started</c>.</summary>
    [JsonIgnore]
    public abstract string Type { get; }

    /// <summary>When it happened, by the clock of the source whose observation caused it.</summary>
    public required DateTimeOffset EventTime { get; init; }
}

public sealed record ChargerRegistered(ChargerId Charger, SiteId Site, int SecurityProfile) : DomainEvent
{
    public const string TypeName = "charger.registered";

    public override string Type => TypeName;
}

public sealed record ChargerConnected(ChargerId Charger, OcppVersion Version, string NodeId) : DomainEvent
{
    public const string TypeName = "charger.connected";

    public override string Type => TypeName;
}

public sealed record ChargerDisconnected(ChargerId Charger, string Reason) : DomainEvent
{
    public const string TypeName = "charger.disconnected";

    public override string Type => TypeName;
}

public sealed record ChargerBooted(ChargerId Charger, string Vendor, string Model, string? SerialNumber, string? FirmwareVersion) : DomainEvent
{
    public const string TypeName = "charger.booted";

    public override string Type => TypeName;
}

public sealed record ConnectorStatusChanged(
    ChargerId Charger,
    ConnectorRef Connector,
    ConnectorStatus Status,
    ConnectorStatus? PreviousStatus,
    ChargingState? ChargingState = null) : DomainEvent
{
    public const string TypeName = "connector.status_changed";

    public override string Type => TypeName;
}

/// <summary>A connector went Faulted, reported an error code, or the charger raised a problem (2.0.1 NotifyEvent).</summary>
public sealed record ChargerFaultReported(ChargerId Charger, ConnectorRef? Connector, string ErrorCode, string? Info, bool Cleared = false) : DomainEvent
{
    public const string TypeName = "charger.fault";

    public override string Type => TypeName;
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

public sealed record ChargingStarted(ChargingSessionSummary Session) : DomainEvent
{
    public const string TypeName = "charging.started";

    public override string Type => TypeName;
}

/// <summary>The id token or the charging state of an active session changed.</summary>
public sealed record ChargingUpdated(ChargingSessionSummary Session, ChargingState? ChargingState) : DomainEvent
{
    public const string TypeName = "charging.updated";

    public override string Type => TypeName;
}

public sealed record ChargingMeterUpdated(ChargingSessionSummary Session, decimal? PowerW, decimal? SoCPercent) : DomainEvent
{
    public const string TypeName = "charging.meter_updated";

    public override string Type => TypeName;
}

public sealed record ChargingStopped(ChargingSessionSummary Session, string? Reason) : DomainEvent
{
    public const string TypeName = "charging.stopped";

    public override string Type => TypeName;
}

/// <summary>New anomaly flags on a session (see <see cref="ChargingAnomalies"/>); <see cref="Added"/> lists only the new ones.</summary>
public sealed record ChargingAnomalyDetected(ChargingSessionSummary Session, ChargingAnomalies Added, string Detail) : DomainEvent
{
    public const string TypeName = "charging.anomaly";

    public override string Type => TypeName;
}
