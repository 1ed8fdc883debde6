namespace ParkCharge.Storage.Queries;

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
}

public sealed record ConnectionView(
    bool Connected,
    string? ConnectionId,
    string? Node,
    DateTimeOffset? ConnectedAt,
    string? RemoteAddress,
    DateTimeOffset? LastDisconnectedAt,
    string? LastDisconnectReason);

/// <summary>A connector's current status. <see cref="EvseId"/> is null for OCPP 1.6.</summary>
public sealed record ConnectorView(int? EvseId, int ConnectorId, string Status, DateTimeOffset Since, string? ErrorCode, string? Info, string? VendorErrorCode);

/// <summary>One entry of a connector's status timeline.</summary>
public sealed record StatusEntryView(
    int? EvseId,
    int ConnectorId,
    string Status,
    string? ChargingState,
    DateTimeOffset EventTime,
    DateTimeOffset ReceivedAt,
    string? ErrorCode,
    string? Info);

/// <summary>The credentials and site of a charger, for the OCPP handshake.</summary>
public sealed record ChargerCredentials(string ChargerId, string SiteId, string? PasswordHash, int SecurityProfile);

/// <summary>A charging session as the API shows it.</summary>
public sealed record ChargingSessionView
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    public required string ChargerId { get; init; }

    public required string OcppVersion { get; init; }

    public required string TransactionId { get; init; }

    public int? EvseId { get; init; }

    public required int ConnectorId { get; init; }

    /// <summary>Active or Completed.</summary>
    public required string Status { get; init; }

    public string? IdToken { get; init; }

    public string? IdTokenType { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    public string? StopReason { get; init; }

    public decimal? MeterStartWh { get; init; }

    public decimal? MeterStopWh { get; init; }

    /// <summary>Delivered energy in Wh; null when it cannot be known (see <see cref="Anomalies"/>).</summary>
    public decimal? EnergyWh { get; init; }

    /// <summary>register, interval or none: how <see cref="EnergyWh"/> was obtained.</summary>
    public required string EnergyMethod { get; init; }

    public string? ChargingState { get; init; }

    public int? RemoteStartId { get; init; }

    public decimal? LastPowerW { get; init; }

    public decimal? LastSoCPercent { get; init; }

    public IReadOnlyList<string> Anomalies { get; init; } = [];

    /// <summary>2.0.1: the first <see cref="SeqNoRuns.ListedMissing"/> missing seqNos, one by one (all of them for ordinary gaps).</summary>
    public IReadOnlyList<int> MissingSeqNos { get; init; } = [];

    /// <summary>2.0.1: every gap in the transaction's seqNos, as inclusive runs.</summary>
    public IReadOnlyList<SeqNoRangeView> MissingSeqNoRanges { get; init; } = [];

    /// <summary>2.0.1: how many seqNos are missing in all.</summary>
    public long MissingSeqNoCount { get; init; }

    public required DateTimeOffset FirstReceivedAt { get; init; }

    public required DateTimeOffset LastReceivedAt { get; init; }

    public DateTimeOffset? LastEventAt { get; init; }

    /// <summary>Only in the single-session view: every meter value, in time order.</summary>
    public IReadOnlyList<MeterValueView>? MeterValues { get; init; }

    /// <summary>Only in the single-session view: the connector's status timeline around the session.</summary>
    public IReadOnlyList<StatusEntryView>? StatusTimeline { get; init; }

    /// <summary>Only in the single-session view: which vehicle this session belongs to, with the evidence.</summary>
    public BindingView? Binding { get; init; }
}

/// <summary>A run of missing 2.0.1 seqNos, first to last inclusive.</summary>
public sealed record SeqNoRangeView(int First, int Last, long Count);

/// <summary>One meter value in base units (Wh, W, A, V, Percent).</summary>
public sealed record MeterValueView(DateTimeOffset Timestamp, string Measurand, decimal Value, string Unit, string? Phase, string? Location, string? Context);

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
    string Frame);

/// <summary>A page of results and the cursor for the next one (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
