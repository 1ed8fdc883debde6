using ParkCharge.Core.Charging;

namespace ParkCharge.Storage.MessageLog;

public enum MessageDirection
{
    /// <summary>From the charger to ParkCharge.</summary>
    In,

    /// <summary>From ParkCharge to the charger.</summary>
    Out,
}

/// <summary>One OCPP frame as it crossed the wire, kept in the per-charger message log (DESIGN.md §5).</summary>
/// <param name="MessageType">2 CALL, 3 CALLRESULT, 4 CALLERROR, and in OCPP 2.1 5 CALLRESULTERROR and 6 SEND; null for a frame that could not be parsed.</param>
/// <param name="ErrorCode">For a CALLERROR or CALLRESULTERROR, or for a bad inbound frame: the error code (it was answered with).</param>
/// <param name="Frame">The frame text as received or sent.</param>
public sealed record MessageLogEntry(
    ChargerId Charger,
    string? ConnectionId,
    MessageDirection Direction,
    DateTimeOffset At,
    int? MessageType,
    string? MessageId,
    string? Action,
    string? ErrorCode,
    string Frame);
