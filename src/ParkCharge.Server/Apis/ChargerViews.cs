using ParkCharge.Storage.Certificates;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

// Chargers as the API shows them: registration, connection, connectors, status timeline, message log, security events, certificates. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>A charger as the API shows it: registration, identity, connection and connector status.</summary>
public sealed record ChargerView
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    public string? DisplayName { get; init; }

    public required int SecurityProfile { get; init; }

    public required bool HasPassword { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public string? Vendor { get; init; }

    public string? Model { get; init; }

    public string? SerialNumber { get; init; }

    public string? FirmwareVersion { get; init; }

    public DateTimeOffset? LastBootAt { get; init; }

    /// <summary>"1.6", "2.0.1" or "2.1": the version of the latest connection.</summary>
    public string? OcppVersion { get; init; }

    public required ConnectionView Connection { get; init; }

    public DateTimeOffset? LastSeenAt { get; init; }

    public IReadOnlyList<ConnectorView> Connectors { get; init; } = [];

    /// <summary>The API's view of what the store read.</summary>
    internal static ChargerView From(ChargerRecord r) => new()
    {
        Id = r.Id,
        SiteId = r.SiteId,
        DisplayName = r.DisplayName,
        SecurityProfile = r.SecurityProfile,
        HasPassword = r.HasPassword,
        RegisteredAt = r.RegisteredAt,
        Vendor = r.Vendor,
        Model = r.Model,
        SerialNumber = r.SerialNumber,
        FirmwareVersion = r.FirmwareVersion,
        LastBootAt = r.LastBootAt,
        OcppVersion = r.OcppVersion,
        Connection = ConnectionView.From(r.Connection),
        LastSeenAt = r.LastSeenAt,
        Connectors = [.. r.Connectors.Select(ConnectorView.From)],
    };
}

public sealed record ConnectionView(
    bool Connected,
    string? ConnectionId,
    string? Node,
    DateTimeOffset? ConnectedAt,
    string? RemoteAddress,
    DateTimeOffset? LastDisconnectedAt,
    string? LastDisconnectReason)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static ConnectionView From(ConnectionRecord r) => new(
        r.Connected,
        r.ConnectionId,
        r.Node,
        r.ConnectedAt,
        r.RemoteAddress,
        r.LastDisconnectedAt,
        r.LastDisconnectReason);
}

/// <summary>A connector's current status. <see cref="EvseId"/> is null for OCPP 1.6.</summary>
public sealed record ConnectorView(int? EvseId, int ConnectorId, string Status, DateTimeOffset Since, string? ErrorCode, string? Info, string? VendorErrorCode)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static ConnectorView From(ConnectorRecord r) => new(
        r.EvseId,
        r.ConnectorId,
        r.Status,
        r.Since,
        r.ErrorCode,
        r.Info,
        r.VendorErrorCode);
}

/// <summary>One entry of a connector's status timeline.</summary>
public sealed record StatusEntryView(
    int? EvseId,
    int ConnectorId,
    string Status,
    string? ChargingState,
    DateTimeOffset EventTime,
    DateTimeOffset ReceivedAt,
    string? ErrorCode,
    string? Info)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static StatusEntryView From(StatusEntryRecord r) => new(
        r.EvseId,
        r.ConnectorId,
        r.Status,
        r.ChargingState,
        r.EventTime,
        r.ReceivedAt,
        r.ErrorCode,
        r.Info);
}

/// <summary>One frame of the message log.</summary>
public sealed record MessageView(
    long Id,
    DateTimeOffset At,
    string Direction,
    string? ConnectionId,
    int? MessageType,
    string? MessageId,
    string? Action,
    string? ErrorCode,
    string Frame)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static MessageView From(MessageRecord r) => new(
        r.Id,
        r.At,
        r.Direction,
        r.ConnectionId,
        r.MessageType,
        r.MessageId,
        r.Action,
        r.ErrorCode,
        r.Frame);
}

/// <summary>A security event a charger reported (SecurityEventNotification), as the API shows it.</summary>
/// <param name="Id">The id of the <c>charger.security_event</c> event that published it (the same in webhooks and the event stream).</param>
/// <param name="Type">The type as the charger sent it (OCPP's security events list, or the vendor's own).</param>
/// <param name="OccurredAt">When it happened, by the charger's clock.</param>
/// <param name="TechInfo">The charger's technical detail, if any.</param>
/// <param name="ReceivedAt">When ParkCharge received it.</param>
public sealed record SecurityEventView(
    string Id,
    string SiteId,
    string ChargerId,
    string Type,
    DateTimeOffset OccurredAt,
    string? TechInfo,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static SecurityEventView From(SecurityEventRecord r) => new(
        r.Id,
        r.SiteId,
        r.ChargerId,
        r.Type,
        r.OccurredAt,
        r.TechInfo,
        r.ReceivedAt);
}

/// <summary>A charger certificate ParkCharge issued, or saw a charger present at a TLS handshake.</summary>
/// <param name="Thumbprint">SHA-256 of the certificate's DER bytes, hex: the key.</param>
/// <param name="IssuedAt">When ParkCharge signed it; null for a certificate it did not issue.</param>
/// <param name="Delivery">The charger's answer to CertificateSigned (Accepted, Rejected) or why it did not arrive; null while none came.</param>
/// <param name="FirstPresentedAt">When a charger first connected with it; null while none did.</param>
public sealed record ChargerCertificateView(
    string Thumbprint,
    string ChargerId,
    string SiteId,
    string SerialNumber,
    string Subject,
    string Issuer,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string CertificatePem,
    DateTimeOffset? IssuedAt = null,
    string? Delivery = null,
    DateTimeOffset? DeliveredAt = null,
    DateTimeOffset? FirstPresentedAt = null,
    DateTimeOffset? LastPresentedAt = null)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static ChargerCertificateView From(ChargerCertificateRecord r) => new(
        r.Thumbprint,
        r.ChargerId,
        r.SiteId,
        r.SerialNumber,
        r.Subject,
        r.Issuer,
        r.NotBefore,
        r.NotAfter,
        r.CertificatePem,
        r.IssuedAt,
        r.Delivery,
        r.DeliveredAt,
        r.FirstPresentedAt,
        r.LastPresentedAt);
}
