using System.Collections.Immutable;

using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Charging;

public enum ChargingSessionStatus
{
    /// <summary>The transaction has started and no stop is known.</summary>
    Active,

    /// <summary>A stop was reported (or inferred, see <see cref="ChargingAnomalies.StopInferred"/>).</summary>
    Completed,
}

/// <summary>
/// What was odd about a session. None of these loses data: the session is kept, flagged and listed,
/// so that an operator (and later the billing) can see why a figure may be uncertain.
/// </summary>
[Flags]
public enum ChargingAnomalies
{
    None = 0,

    /// <summary>The session was first known from a later message (a stop, an update, meter values): its start was never received.</summary>
    StartNotReceived = 1 << 0,

    /// <summary>1.6: a StopTransaction named a transaction id ParkCharge never issued.</summary>
    UnknownTransaction = 1 << 1,

    /// <summary>2.0.1: a gap in seqNo: at least one TransactionEvent was lost.</summary>
    SequenceGap = 1 << 2,

    /// <summary>2.0.1: events arrived out of seqNo order (they are applied by their own time).</summary>
    OutOfOrder = 1 << 3,

    /// <summary>A later transaction on the same connector implied that this one ended; no stop was received.</summary>
    StopInferred = 1 << 4,

    /// <summary>The energy register went down between two samples (a meter reset or replacement).</summary>
    MeterDecreased = 1 << 5,

    /// <summary>The stop meter value is below the start: no energy figure can be trusted.</summary>
    NegativeEnergy = 1 << 6,

    /// <summary>Messages of this session were queued by the charger while offline and arrived late.</summary>
    DeliveredLate = 1 << 7,

    /// <summary>2.0.1: an event arrived after the transaction had ended.</summary>
    EventAfterEnd = 1 << 8,

    /// <summary>
    /// 2.0.1: a seqNo was negative, implausibly far from the transaction's others, or beyond the
    /// <see cref="SeqNoLedger.MaxRanges"/> runs kept; the event was applied, its seqNo not used for gaps.
    /// </summary>
    SequenceInvalid = 1 << 9,

    /// <summary>
    /// A message's time was outside <see cref="Observations.EventTimes"/>' window (a broken charger clock):
    /// the time the message was received was used instead.
    /// </summary>
    ClockOutOfRange = 1 << 10,

    /// <summary>A meter value beyond <see cref="MeterSample.MaxMagnitude"/> was left out (it stays in the message log).</summary>
    MeterValueOutOfRange = 1 << 11,
}

/// <summary>
/// One charging transaction, the same model for OCPP 1.6 and 2.0.1. Built only by the site engine;
/// every field is what the charger reported or what follows from it deterministically.
/// </summary>
public sealed record ChargingSession
{
    /// <summary>ParkCharge's id: stable, unique across sites, derived from the log position that created it.</summary>
    public required string Id { get; init; }

    public required SiteId Site { get; init; }

    public required ChargerId Charger { get; init; }

    public required OcppVersion Version { get; init; }

    /// <summary>The OCPP transaction id: the integer ParkCharge assigned (1.6, as text) or the charger's string (2.0.1).</summary>
    public required string TransactionId { get; init; }

    public required ConnectorRef Connector { get; init; }

    public ChargingSessionStatus Status { get; init; }

    public IdToken? IdToken { get; init; }

    /// <summary>When the transaction started by the charger's clock; null until a start is known.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    /// <summary>The charger's reason (1.6 Reason, 2.0.1 stoppedReason), or <c>Inferred</c>.</summary>
    public string? StopReason { get; init; }

    /// <summary>1.6 meterStart; 2.0.1 has none and uses the Transaction.Begin register sample.</summary>
    public decimal? MeterStartWh { get; init; }

    /// <summary>1.6 meterStop; 2.0.1 has none and uses the Transaction.End register sample.</summary>
    public decimal? MeterStopWh { get; init; }

    /// <summary>2.0.1 chargingState, the latest by event time.</summary>
    public ChargingState? ChargingState { get; init; }

    /// <summary>The event time of <see cref="ChargingState"/>.</summary>
    public DateTimeOffset? ChargingStateSince { get; init; }

    /// <summary>
    /// Every charging state reported during the transaction, by event time: 2.0.1 chargingState, and 1.6
    /// StatusNotifications (Charging, SuspendedEV, SuspendedEVSE, Finishing) of its connector. Billing
    /// reads charging and not-charging periods from it; empty: charging from start to stop.
    /// </summary>
    public ImmutableArray<ChargingStateChange> ChargingStates { get; init; } = [];

    /// <summary>2.0.1 remoteStartId, when the transaction was started remotely.</summary>
    public int? RemoteStartId { get; init; }

    /// <summary>Every sample that belongs to the session, ordered by time (ties in arrival order).</summary>
    public ImmutableArray<MeterSample> Samples { get; init; } = [];

    /// <summary>2.0.1: the seqNos received, as ascending runs (for gap and duplicate detection; see <see cref="SeqNoLedger"/>).</summary>
    public ImmutableArray<SeqNoRange> SeqNos { get; init; } = [];

    /// <summary>2.0.1: seqNos known to be missing (between the lowest and highest received), as runs.</summary>
    public ImmutableArray<SeqNoRange> MissingSeqNos => SeqNoLedger.Missing(SeqNos);

    public ChargingAnomalies Anomalies { get; init; }

    /// <summary>When ParkCharge first heard of this session.</summary>
    public required DateTimeOffset FirstReceivedAt { get; init; }

    /// <summary>When ParkCharge last received anything for this session.</summary>
    public required DateTimeOffset LastReceivedAt { get; init; }

    /// <summary>The charger's last time for this session (start, stop or latest sample).</summary>
    public DateTimeOffset? LastEventAt { get; init; }

    /// <summary>The event time of the last <c>charging.meter_updated</c> published for this session (they are thinned out).</summary>
    public DateTimeOffset? MeterEventAt { get; init; }

    /// <summary>Energy delivered, in Wh; null when it cannot be known (no readings, or the meter went backwards).</summary>
    public decimal? EnergyWh => SessionMeter.Energy(this).EnergyWh;

    /// <summary>The latest active power sample in W, if the charger reports power.</summary>
    public decimal? LastPowerW => SessionMeter.Latest(this, Measurands.PowerActiveImport);

    /// <summary>The latest state of charge in percent, if the charger (or the car) reports it.</summary>
    public decimal? LastSoCPercent => SessionMeter.Latest(this, Measurands.StateOfCharge);
}
