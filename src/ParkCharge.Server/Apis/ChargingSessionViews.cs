using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

// Charging sessions as the API shows them. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

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

    /// <summary>The API's view of what the store read.</summary>
    internal static ChargingSessionView From(ChargingSessionRecord r) => new()
    {
        Id = r.Id,
        SiteId = r.SiteId,
        ChargerId = r.ChargerId,
        OcppVersion = r.OcppVersion,
        TransactionId = r.TransactionId,
        EvseId = r.EvseId,
        ConnectorId = r.ConnectorId,
        Status = r.Status,
        IdToken = r.IdToken,
        IdTokenType = r.IdTokenType,
        StartedAt = r.StartedAt,
        StoppedAt = r.StoppedAt,
        StopReason = r.StopReason,
        MeterStartWh = r.MeterStartWh,
        MeterStopWh = r.MeterStopWh,
        EnergyWh = r.EnergyWh,
        EnergyMethod = r.EnergyMethod,
        ChargingState = r.ChargingState,
        RemoteStartId = r.RemoteStartId,
        LastPowerW = r.LastPowerW,
        LastSoCPercent = r.LastSoCPercent,
        Anomalies = r.Anomalies,
        MissingSeqNos = r.MissingSeqNos,
        MissingSeqNoRanges = [.. r.MissingSeqNoRanges.Select(SeqNoRangeView.From)],
        MissingSeqNoCount = r.MissingSeqNoCount,
        FirstReceivedAt = r.FirstReceivedAt,
        LastReceivedAt = r.LastReceivedAt,
        LastEventAt = r.LastEventAt,
        MeterValues = r.MeterValues is null ? null : [.. r.MeterValues.Select(MeterValueView.From)],
        StatusTimeline = r.StatusTimeline is null ? null : [.. r.StatusTimeline.Select(StatusEntryView.From)],
        Binding = r.Binding is null ? null : BindingView.From(r.Binding),
    };
}

/// <summary>A run of missing 2.0.1 seqNos, first to last inclusive.</summary>
public sealed record SeqNoRangeView(int First, int Last, long Count)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static SeqNoRangeView From(SeqNoRangeRecord r) => new(
        r.First,
        r.Last,
        r.Count);
}

/// <summary>One meter value in base units (Wh, W, A, V, Percent).</summary>
public sealed record MeterValueView(DateTimeOffset Timestamp, string Measurand, decimal Value, string Unit, string? Phase, string? Location, string? Context)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static MeterValueView From(MeterValueRecord r) => new(
        r.Timestamp,
        r.Measurand,
        r.Value,
        r.Unit,
        r.Phase,
        r.Location,
        r.Context);
}
