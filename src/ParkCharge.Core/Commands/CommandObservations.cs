using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;

namespace ParkCharge.Core.Commands;

/// <summary>
/// What an API client asked for. Fields a type does not use are ignored; what a type needs and lacks
/// is refused by the engine with a reason.
/// </summary>
public sealed record CommandRequest
{
    public required CommandType Type { get; init; }

    /// <summary>Every type but a remote stop (which takes the charger of its session).</summary>
    public ChargerId? Charger { get; init; }

    /// <summary>The 1.6 connector id or the 2.0.1 EVSE id; null or 0: the whole charger.</summary>
    public int? Outlet { get; init; }

    /// <summary>2.0.1 unlock: the connector on the EVSE.</summary>
    public int? EvseConnector { get; init; }

    /// <summary>Remote start with this token.</summary>
    public IdToken? IdToken { get; init; }

    /// <summary>Remote start for this vehicle: the token linked to the plate (or the site's autocharge token) is used.</summary>
    public string? Plate { get; init; }

    /// <summary>Remote start for the vehicle of this parking session.</summary>
    public string? ParkingSessionId { get; init; }

    /// <summary>Remote stop of this session.</summary>
    public string? ChargingSessionId { get; init; }

    public ChargingLimit? Limit { get; init; }

    public ResetKind? Reset { get; init; }

    public Availability? Availability { get; init; }

    /// <summary>How long the command may wait for an offline charger to connect; zero: it ends Offline at once.</summary>
    public TimeSpan OfflineWait { get; init; }

    public string? Reason { get; init; }
}

/// <summary>An API client asked for a command (DESIGN.md §1: an operator command is an observation).</summary>
public sealed record CommandSubmitted(CommandRequest Request, string By) : ObservationPayload(TypeName)
{
    public const string TypeName = "command.submitted";
}

/// <summary>
/// The dispatcher is about to send the command over this connection. Recorded before the CALL
/// leaves, so that a command is sent at most once: after a crash it is not sent again.
/// </summary>
public sealed record CommandSent(string CommandId, string ConnectionId) : ObservationPayload(TypeName)
{
    public const string TypeName = "command.sent";
}

/// <summary>How the CALL ended: the charger's answer, a CALLERROR, no answer, or a closed connection.</summary>
/// <param name="TransactionId">2.0.1 RequestStartTransaction: the transaction the charger had already started.</param>
public sealed record CommandAnswered(string CommandId, CommandStatus Outcome, string? Response, string? Detail, string? TransactionId = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "command.answered";
}
