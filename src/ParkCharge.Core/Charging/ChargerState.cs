using System.Collections.Immutable;

using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Charging;

/// <summary>What ParkCharge knows about one charger: registration, identity, connection and connectors.</summary>
public sealed record ChargerState
{
    public required ChargerId Id { get; init; }

    public required SiteId Site { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>The hashed Basic-auth password; null when the charger connects without one.</summary>
    public string? PasswordHash { get; init; }

    /// <summary>OCPP security profile: 0 none, 1 Basic auth over ws, 2 Basic auth over TLS only.</summary>
    public int SecurityProfile { get; init; }

    public required DateTimeOffset RegisteredAt { get; init; }

    public string? Vendor { get; init; }

    public string? Model { get; init; }

    public string? SerialNumber { get; init; }

    public string? FirmwareVersion { get; init; }

    public DateTimeOffset? LastBootAt { get; init; }

    /// <summary>The OCPP version of the latest connection.</summary>
    public OcppVersion? Version { get; init; }

    /// <summary>The open connection, or null when the charger is offline.</summary>
    public ChargerConnection? Connection { get; init; }

    public DateTimeOffset? LastDisconnectedAt { get; init; }

    public string? LastDisconnectReason { get; init; }

    /// <summary>Connectors (and the whole charger, connector 0 / EVSE 0) in connector order; at most <see cref="MaxConnectors"/>.</summary>
    public ImmutableArray<ConnectorState> Connectors { get; init; } = [];

    /// <summary>
    /// When the charger's clock was last found out of range (receive time; see <see cref="ChargerInput"/>),
    /// so that <c>charger.clock_rejected</c> is published at most once per <see cref="Engine.ChargerClockRejected.Interval"/>.
    /// </summary>
    public DateTimeOffset? ClockRejectedAt { get; init; }

    /// <summary>
    /// How many connectors (EVSE/connector pairs) a charger's state keeps. The biggest real chargers
    /// have a few dozen outlets; a charger reporting statuses for thousands of connector ids (any
    /// number up to 2^31 passes the schema) gets them in its status timeline only, so its state, and
    /// the work per message, stay bounded.
    /// </summary>
    public const int MaxConnectors = 128;

    public ConnectorState? FindConnector(ConnectorRef connector)
    {
        foreach (var c in Connectors)
        {
            if (c.Connector == connector)
            {
                return c;
            }
        }

        return null;
    }

    public ChargerState WithConnector(ConnectorState connector)
    {
        var index = -1;
        for (var i = 0; i < Connectors.Length; i++)
        {
            if (Connectors[i].Connector == connector.Connector)
            {
                index = i;
                break;
            }
        }

        var connectors = index >= 0
            ? Connectors.SetItem(index, connector)
            : Connectors.Add(connector).Sort((a, b) => a.Connector.CompareTo(b.Connector));
        return this with { Connectors = connectors };
    }
}

/// <summary>An open OCPP connection: which node holds it and since when.</summary>
public sealed record ChargerConnection(string ConnectionId, OcppVersion Version, string NodeId, string? RemoteAddress, DateTimeOffset ConnectedAt);

/// <summary>
/// The current status of a connector: the report with the latest event time, not the latest to arrive; and
/// its latest period out of order (Faulted or Unavailable), so that a decision about a past moment (was the
/// outlet usable when that car plugged in next door?) still knows it once the connector is repaired.
/// </summary>
public sealed record ConnectorState(
    ConnectorRef Connector,
    ConnectorStatus Status,
    DateTimeOffset Since,
    string? ErrorCode = null,
    string? Info = null,
    string? VendorErrorCode = null,
    DateTimeOffset? OutOfOrderFrom = null,
    DateTimeOffset? OutOfOrderUntil = null)
{
    public bool IsOutOfOrder => Status is ConnectorStatus.Faulted or ConnectorStatus.Unavailable;

    /// <summary>The connector was out of order at <paramref name="at"/> (in its latest period out of order).</summary>
    public bool WasOutOfOrderAt(DateTimeOffset at) => OutOfOrderFrom is { } from && from <= at && (OutOfOrderUntil is null || OutOfOrderUntil > at);
}

/// <summary>One entry of a connector's status timeline, as reported.</summary>
public sealed record ConnectorStatusEntry(
    ChargerId Charger,
    ConnectorRef Connector,
    ConnectorStatus Status,
    DateTimeOffset EventTime,
    DateTimeOffset ReceivedAt,
    string? ErrorCode = null,
    string? Info = null,
    string? VendorErrorCode = null,
    ChargingState? ChargingState = null);
