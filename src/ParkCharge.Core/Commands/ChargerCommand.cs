using System.Text.Json.Serialization;

using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Commands;

/// <summary>What ParkCharge asks a charger to do; each maps to one OCPP CALL of either version.</summary>
public enum CommandType
{
    /// <summary>1.6 RemoteStartTransaction, 2.0.1 RequestStartTransaction.</summary>
    RemoteStart,

    /// <summary>1.6 RemoteStopTransaction, 2.0.1 RequestStopTransaction.</summary>
    RemoteStop,

    /// <summary>SetChargingProfile with one period: a power (W) or current (A) limit.</summary>
    SetChargingLimit,

    /// <summary>ClearChargingProfile of the profile ParkCharge set on that connector or charger.</summary>
    ClearChargingLimit,

    UnlockConnector,

    Reset,

    ChangeAvailability,

    /// <summary>TriggerMessage (1.6: ExtendedTriggerMessage for what only the security whitepaper's trigger can ask): the charger sends a message now.</summary>
    TriggerMessage,

    /// <summary>2.x GetVariables; 1.6 GetConfiguration (the variables are its keys).</summary>
    GetVariables,

    /// <summary>2.x SetVariables; 1.6 ChangeConfiguration (one key per command).</summary>
    SetVariables,

    /// <summary>UpdateFirmware (2.x with a requestId; its FirmwareStatusNotifications follow the command).</summary>
    UpdateFirmware,

    /// <summary>2.x GetLog; 1.6 GetDiagnostics (a diagnostics log) or the security whitepaper's GetLog (a security log).</summary>
    GetLog,

    /// <summary>SendLocalList: the site's local authorisation list, full or the difference since the version the charger holds (made by the node, <see cref="Automation.LocalListRules"/>).</summary>
    SendLocalList,

    /// <summary>GetLocalListVersion: the version of the local list the charger holds.</summary>
    GetLocalListVersion,

    /// <summary>OCPP 2.1 SetDefaultTariff: the site's charging tariff for the charger's local cost calculation (made by the node, <see cref="Billing.ChargerCostRules"/>).</summary>
    SetDefaultTariff,

    /// <summary>OCPP 2.1 GetTariffs: which tariffs the charger holds, on which EVSEs.</summary>
    GetTariffs,

    /// <summary>OCPP 2.1 ClearTariffs: the charger forgets its default tariffs (all of them).</summary>
    ClearTariffs,

    /// <summary>OCPP 2.0.1/2.1 CostUpdated: the running cost of a transaction, from the bill (made by the node, <see cref="Billing.ChargerCostRules"/>).</summary>
    CostUpdated,
}

/// <summary>Where a command is in its life. <see cref="Pending"/> and <see cref="Sent"/> are open; the rest are outcomes.</summary>
public enum CommandStatus
{
    /// <summary>Recorded; waiting for the charger to be connected and the dispatcher to send it.</summary>
    Pending,

    /// <summary>The CALL is on the wire; waiting for the charger's answer.</summary>
    Sent,

    /// <summary>The charger answered yes (Accepted, Unlocked, Scheduled).</summary>
    Accepted,

    /// <summary>The charger answered no (its status, e.g. Rejected or NotSupported), or with a CALLERROR.</summary>
    Rejected,

    /// <summary>The charger did not answer within the call timeout: it may or may not have acted.</summary>
    TimedOut,

    /// <summary>The charger was not connected within the command's wait, or the connection closed before it answered.</summary>
    Offline,

    /// <summary>The charger's answer broke the OCPP schema.</summary>
    Failed,

    /// <summary>An automation rule replaced it with a newer command before it was sent (a re-shared power limit).</summary>
    Superseded,
}

/// <summary>Who wanted the command: an API client, or one of the site's automation rules.</summary>
public enum CommandOrigin
{
    Api,

    /// <summary>Autocharge by plate: a known vehicle plugged in at an EV bay.</summary>
    Autocharge,

    /// <summary>The site power limit was re-shared.</summary>
    PowerLimit,

    /// <summary>The parking session's permit ended.</summary>
    PermitEnd,

    /// <summary>The session reached the site's maximum charging time (an operator rule).</summary>
    MaxChargingTime,

    /// <summary>The site's local authorisation list changed, or the charger (re)connected (<see cref="Automation.LocalListRules"/>).</summary>
    LocalList,

    /// <summary>The charger's tariff or running cost, from the bill (<see cref="Billing.ChargerCostRules"/>).</summary>
    ChargerCost,
}

/// <summary>Where the id token of a remote start came from (it is recorded on the command).</summary>
public enum IdTokenSource
{
    /// <summary>The request named it.</summary>
    Given,

    /// <summary>The plate's own token from the site's autocharge list.</summary>
    Plate,

    /// <summary>The token seen with the plate before (a confident bay-camera binding).</summary>
    Learned,

    /// <summary>The site's autocharge token.</summary>
    Site,
}

/// <summary>The unit of a charging limit, as OCPP's chargingRateUnit.</summary>
public enum ChargingRateUnit
{
    /// <summary>Watts.</summary>
    W,

    /// <summary>Amperes per phase.</summary>
    A,
}

/// <summary>1.6 Soft/Hard; 2.0.1 OnIdle/Immediate.</summary>
public enum ResetKind
{
    /// <summary>1.6 Soft, 2.0.1 OnIdle: after running transactions end (1.6 stops them gracefully).</summary>
    Soft,

    /// <summary>1.6 Hard, 2.0.1 Immediate.</summary>
    Hard,
}

public enum Availability
{
    Operative,
    Inoperative,
}

/// <summary>Which OCPP charging-profile purpose a limit is set with.</summary>
public enum ChargingLimitScope
{
    /// <summary>The whole charger: 1.6 ChargePointMaxProfile, 2.0.1 ChargingStationMaxProfile on EVSE 0.</summary>
    Charger,

    /// <summary>One connector (EVSE), for every transaction on it: TxDefaultProfile.</summary>
    Connector,

    /// <summary>One running transaction: TxProfile (it ends with the transaction).</summary>
    Transaction,
}

/// <summary>A limit for a charging profile's single period: a value in W or A, and the phases when in A.</summary>
public sealed record ChargingLimit(decimal Value, ChargingRateUnit Unit, int? Phases = null);

/// <summary>
/// The charging profile a command sets, version-neutral. Ids are ParkCharge's own, fixed per target
/// (<see cref="ChargingProfiles"/>), so a newer limit replaces the older one on the charger and a
/// clear removes exactly what ParkCharge set.
/// </summary>
public sealed record ChargingProfileSpec(int ProfileId, int StackLevel, ChargingLimitScope Scope, ChargingLimit Limit, DateTimeOffset StartSchedule, string? TransactionId = null);

/// <summary>ParkCharge's charging-profile ids: one per target, far from the small ids installers use.</summary>
public static class ChargingProfiles
{
    public const int StackLevel = 1;

    /// <summary>The whole charger's maximum.</summary>
    public const int ChargerMaximumId = 9100;

    /// <summary>A connector's default limit (TxDefaultProfile): 9200 + the connector (1.6) or EVSE (2.0.1).</summary>
    public static int ConnectorDefaultId(int outlet) => 9200 + outlet;

    /// <summary>The site power limit's share for the transaction on an outlet (TxProfile): 9300 + the outlet.</summary>
    public static int SharedLimitId(int outlet) => 9300 + outlet;
}

/// <summary>
/// One command to one charger: what was asked, by whom and why, and what became of it. Built and
/// changed only by the site engine (the dispatcher that talks to the charger reports back through
/// observations), so a replay of the log gives every command and its outcome again.
/// </summary>
public sealed record ChargerCommand
{
    /// <summary>Derived from the log position of the request: stable, unique across sites.</summary>
    public required string Id { get; init; }

    public required ChargerId Charger { get; init; }

    public required CommandType Type { get; init; }

    public required CommandOrigin Origin { get; init; }

    /// <summary>The API key (name and id) or the automation rule that asked.</summary>
    public required string RequestedBy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>A command still pending then (the charger was not connected) ends <see cref="CommandStatus.Offline"/>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The site log position of the request: the order commands to one charger are sent in.</summary>
    public required long RequestSeq { get; init; }

    public CommandStatus Status { get; init; }

    /// <summary>The 1.6 connector id or the 2.0.1 EVSE id; null for the whole charger (or, for a start, the charger's choice).</summary>
    public int? Outlet { get; init; }

    /// <summary>2.0.1: the connector on the EVSE (unlock); 1 when not given.</summary>
    public int? EvseConnector { get; init; }

    /// <summary>Remote start: the id token the transaction is started with.</summary>
    public IdToken? IdToken { get; init; }

    public IdTokenSource? TokenSource { get; init; }

    /// <summary>Remote start for a vehicle: its plate (and parking session), when known.</summary>
    public string? Plate { get; init; }

    public string? ParkingSessionId { get; init; }

    /// <summary>Autocharge: the bay visit that triggered it (one autocharge per visit).</summary>
    public string? BayVisitId { get; init; }

    /// <summary>Remote stop and shared limits: the session; remote start: the session it started, once the charger reported it.</summary>
    public string? ChargingSessionId { get; init; }

    public string? TransactionId { get; init; }

    /// <summary>2.0.1 remoteStartId: the charger echoes it in the transaction it starts.</summary>
    public int? RemoteStartId { get; init; }

    /// <summary>SetChargingLimit: the profile sent.</summary>
    public ChargingProfileSpec? Profile { get; init; }

    /// <summary>ClearChargingLimit: the profile id cleared.</summary>
    public int? ProfileId { get; init; }

    public ResetKind? Reset { get; init; }

    public Availability? Availability { get; init; }

    /// <summary>TriggerMessage: the message asked for, as OCPP spells it (StatusNotification, MeterValues, BootNotification, ...).</summary>
    public string? RequestedMessage { get; init; }

    /// <summary>GetVariables, SetVariables: what to read or set.</summary>
    public System.Collections.Immutable.ImmutableArray<VariableRequest> Variables { get; init; } = [];

    /// <summary>GetVariables, SetVariables: what the charger answered, per variable.</summary>
    public System.Collections.Immutable.ImmutableArray<VariableResult> VariableResults { get; init; } = [];

    public FirmwareRequest? Firmware { get; init; }

    public LogRequest? Log { get; init; }

    /// <summary>UpdateFirmware, GetLog: the requestId the charger's status notifications carry (2.x; the 1.6 security whitepaper).</summary>
    public int? RequestId { get; init; }

    /// <summary>GetLog: the name of the file the charger said it uploads (empty: it has no log to upload).</summary>
    public string? FileName { get; init; }

    /// <summary>UpdateFirmware, GetLog: the charger's latest status notification (Downloading, Installed, Uploaded, UploadFailed, ...).</summary>
    public string? TransferStatus { get; init; }

    public DateTimeOffset? TransferStatusAt { get; init; }

    /// <summary>GetLog: the log the charger uploaded to the node (its size in bytes), once it arrived.</summary>
    public long? UploadedBytes { get; init; }

    /// <summary>SetDefaultTariff: the tariff sent.</summary>
    public Billing.ChargerTariff? Tariff { get; init; }

    /// <summary>CostUpdated: the running total including VAT, in the site's currency.</summary>
    public decimal? TotalCost { get; init; }

    /// <summary>SendLocalList: the version, full or differential, and the entries sent.</summary>
    public LocalListUpdate? LocalList { get; init; }

    /// <summary>GetLocalListVersion: the version the charger said it holds (0: none; 1.6 -1: not supported).</summary>
    public int? ListVersion { get; init; }

    /// <summary>Why: the operator's note or the rule's reason.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    /// <summary>The connection it was sent over (a close of that connection before the answer means Offline).</summary>
    public string? ConnectionId { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>What the charger said: its status (Accepted, Rejected, NotSupported, Unlocked, ...) or a CALLERROR code.</summary>
    public string? Response { get; init; }

    /// <summary>A sentence for people: the CALLERROR description, or why it ended as it did.</summary>
    public string? Detail { get; init; }

    [JsonIgnore]
    public bool IsOpen => Status is CommandStatus.Pending or CommandStatus.Sent;
}
