namespace ParkCharge.Core.Commands;

/// <summary>
/// One variable to read or set: a 2.0.1/2.1 component and variable (with the EVSE, connector and instances that name
/// them), or a 1.6 configuration key (<see cref="Variable"/>; the component is not used). <see cref="Value"/> is what to
/// set (SetVariables, ChangeConfiguration); <see cref="AttributeType"/> Actual (the default), Target, MinSet or MaxSet.
/// </summary>
public sealed record VariableRequest
{
    public string? Component { get; init; }

    public string? ComponentInstance { get; init; }

    public int? Evse { get; init; }

    public int? Connector { get; init; }

    public required string Variable { get; init; }

    public string? VariableInstance { get; init; }

    public string? AttributeType { get; init; }

    public string? Value { get; init; }
}

/// <summary>
/// What the charger said of one variable: its status as OCPP spells it (2.x GetVariableStatus/SetVariableStatus:
/// Accepted, Rejected, UnknownComponent, UnknownVariable, NotSupportedAttributeType, RebootRequired; 1.6: Accepted,
/// Rejected, RebootRequired, NotSupported, or UnknownKey for a key GetConfiguration did not know), the value read, and
/// for 1.6 keys whether they are read-only.
/// </summary>
public sealed record VariableResult
{
    public string? Component { get; init; }

    public string? ComponentInstance { get; init; }

    public int? Evse { get; init; }

    public int? Connector { get; init; }

    public required string Variable { get; init; }

    public string? VariableInstance { get; init; }

    public string? AttributeType { get; init; }

    public required string Status { get; init; }

    public string? Value { get; init; }

    public bool? ReadOnly { get; init; }

    /// <summary>The charger's statusInfo (reason code and additional information), when it gave one.</summary>
    public string? Detail { get; init; }
}

/// <summary>
/// A firmware update: a file the node serves (<see cref="FileName"/>, uploaded to the node before; the charger gets a
/// signed, expiring HTTPS link to it) or a location elsewhere (<see cref="Location"/>), when to fetch it, when to install
/// it (2.x), how often to retry, and for signed firmware (2.x) the signing certificate and signature.
/// </summary>
public sealed record FirmwareRequest
{
    public string? FileName { get; init; }

    public string? Location { get; init; }

    public required DateTimeOffset RetrieveAt { get; init; }

    public DateTimeOffset? InstallAt { get; init; }

    public int? Retries { get; init; }

    public TimeSpan? RetryInterval { get; init; }

    public string? SigningCertificate { get; init; }

    public string? Signature { get; init; }
}

/// <summary>Which log a charger uploads (2.x LogEnumType; 1.6 DiagnosticsLog is GetDiagnostics, SecurityLog the security whitepaper's GetLog).</summary>
public enum LogKind
{
    DiagnosticsLog,
    SecurityLog,
}

/// <summary>
/// A log upload: which log, the oldest and latest entries wanted, how often to retry. The charger uploads it to the
/// node over HTTPS, to a signed, expiring link made when the command is sent.
/// </summary>
public sealed record LogRequest
{
    public LogKind Kind { get; init; } = LogKind.DiagnosticsLog;

    public DateTimeOffset? Oldest { get; init; }

    public DateTimeOffset? Latest { get; init; }

    public int? Retries { get; init; }

    public TimeSpan? RetryInterval { get; init; }

    /// <summary>Where the charger uploads it: the node's signed link, made when the command is sent (never stored).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? UploadLocation { get; init; }
}

/// <summary>What a firmware update or a log upload is doing, as the charger's status notifications say.</summary>
public enum FileTransferKind
{
    /// <summary>FirmwareStatusNotification (1.6, 2.x), SignedFirmwareStatusNotification (1.6 security whitepaper).</summary>
    Firmware,

    /// <summary>LogStatusNotification (2.x, 1.6 security whitepaper), DiagnosticsStatusNotification (1.6).</summary>
    Log,
}

/// <summary>
/// One entry of a local authorisation list: an id token the charger may accept while it cannot reach ParkCharge (the
/// plate it stands for, for people), or, in a differential update, a token to take off (<see cref="Remove"/>).
/// </summary>
/// <param name="Type">The 2.x token type (ISO14443, MacAddress, ...); null: ISO14443.</param>
public sealed record LocalListEntry(string IdToken, string? Type, string? Plate, bool Remove = false);

/// <summary>A SendLocalList: the list's new version, full (replacing the charger's list) or differential, and its entries.</summary>
public sealed record LocalListUpdate(int Version, bool Full, System.Collections.Immutable.ImmutableArray<LocalListEntry> Entries);
