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

    /// <summary>TriggerMessage: the message asked for.</summary>
    public string? RequestedMessage { get; init; }

    /// <summary>GetVariables, SetVariables.</summary>
    public IReadOnlyList<VariableRequest> Variables { get; init; } = [];

    public FirmwareRequest? Firmware { get; init; }

    public LogRequest? Log { get; init; }

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
/// <param name="Variables">GetVariables, SetVariables: the charger's answer per variable.</param>
/// <param name="FileName">GetLog: the file the charger uploads.</param>
/// <param name="ListVersion">GetLocalListVersion: the version the charger holds.</param>
public sealed record CommandAnswered(string CommandId, CommandStatus Outcome, string? Response, string? Detail, string? TransactionId = null,
    IReadOnlyList<VariableResult>? Variables = null, string? FileName = null, int? ListVersion = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "command.answered";
}

/// <summary>
/// A charger's status notification of a firmware update or a log upload (FirmwareStatusNotification, LogStatusNotification,
/// 1.6 DiagnosticsStatusNotification and SignedFirmwareStatusNotification): the status as the charger spelled it and the
/// request it belongs to (2.x and the 1.6 security whitepaper; 1.6 core carries none).
/// </summary>
public sealed record FileTransferStatusReported(ChargerId Charger, FileTransferKind Transfer, string Action, string Status, int? RequestId) : ObservationPayload(TypeName)
{
    public const string TypeName = "charger.file_transfer_status";
}

/// <summary>A charger uploaded the log a GetLog command asked for, to the node's signed link: the file is kept on the node.</summary>
public sealed record LogUploaded(string CommandId, string FileName, long Bytes) : ObservationPayload(TypeName)
{
    public const string TypeName = "command.log_uploaded";
}
