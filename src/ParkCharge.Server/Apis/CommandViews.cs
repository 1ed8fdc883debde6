using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

// Commands as the API shows them. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>A command to a charger and its outcome.</summary>
public sealed record CommandView
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    public required string ChargerId { get; init; }

    /// <summary>RemoteStart, RemoteStop, SetChargingLimit, ClearChargingLimit, UnlockConnector, Reset or ChangeAvailability.</summary>
    public required string Type { get; init; }

    /// <summary>Pending, Sent, Accepted, Rejected, TimedOut, Offline, Failed or Superseded.</summary>
    public required string Status { get; init; }

    /// <summary>Api, Autocharge, PowerLimit or PermitEnd.</summary>
    public required string Origin { get; init; }

    /// <summary>The 1.6 connector id or the 2.0.1 EVSE id; null for the whole charger.</summary>
    public int? Connector { get; init; }

    /// <summary>2.0.1 unlock: the connector on the EVSE.</summary>
    public int? EvseConnector { get; init; }

    public string? IdToken { get; init; }

    public string? IdTokenType { get; init; }

    /// <summary>Where the token came from: Given, Plate, Learned or Site.</summary>
    public string? IdTokenSource { get; init; }

    public string? Plate { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    /// <summary>Remote stop and shared limits: the session; remote start: the session it started.</summary>
    public string? ChargingSessionId { get; init; }

    public string? TransactionId { get; init; }

    public int? RemoteStartId { get; init; }

    public ChargingLimitView? Limit { get; init; }

    /// <summary>The charging profile set or cleared (ParkCharge's own id for the target).</summary>
    public int? ChargingProfileId { get; init; }

    /// <summary>Charger (ChargePointMaxProfile / ChargingStationMaxProfile), Connector (TxDefaultProfile) or Transaction (TxProfile).</summary>
    public string? ChargingProfileScope { get; init; }

    /// <summary>Soft or Hard.</summary>
    public string? ResetType { get; init; }

    /// <summary>Operative or Inoperative.</summary>
    public string? Availability { get; init; }

    public string? Reason { get; init; }

    public required string RequestedBy { get; init; }

    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>Still pending then, the command ends Offline.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? SentAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The charger's answer: its status, or a CALLERROR code.</summary>
    public string? Response { get; init; }

    public string? Detail { get; init; }

    /// <summary>triggerMessage: the message asked for.</summary>
    public string? RequestedMessage { get; init; }

    /// <summary>getVariables, setVariables: what was asked (component, variable, evse, connector, instances, attributeType, value).</summary>
    public IReadOnlyList<Core.Commands.VariableRequest>? Variables { get; init; }

    /// <summary>getVariables, setVariables: the charger's answer per variable (status, value; 1.6: readOnly).</summary>
    public IReadOnlyList<Core.Commands.VariableResult>? VariableResults { get; init; }

    public FirmwareView? Firmware { get; init; }

    public LogView? Log { get; init; }

    /// <summary>updateFirmware, getLog: the requestId the charger's status notifications carry.</summary>
    public int? RequestId { get; init; }

    /// <summary>getLog: the file the charger said it uploads.</summary>
    public string? FileName { get; init; }

    /// <summary>updateFirmware, getLog: the charger's latest status notification (Downloading, Installed, Uploaded, ...).</summary>
    public string? TransferStatus { get; init; }

    public DateTimeOffset? TransferStatusAt { get; init; }

    /// <summary>getLog: the size of the log uploaded to the node (GET /api/v1/commands/{id}/log).</summary>
    public long? UploadedBytes { get; init; }

    /// <summary>sendLocalList (made by the node): the list's version, full or differential, and the tokens sent (removed ones with <c>remove</c>).</summary>
    public LocalListView? LocalList { get; init; }

    /// <summary>getLocalListVersion: the version the charger holds (0: none).</summary>
    public int? ListVersion { get; init; }

    /// <summary>setDefaultTariff (made by the node): the OCPP 2.1 tariff sent, with its versioned id.</summary>
    public Core.Billing.ChargerTariff? Tariff { get; init; }

    /// <summary>costUpdated (made by the node): the running cost sent, including VAT.</summary>
    public decimal? TotalCost { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static CommandView From(CommandRecord r) => new()
    {
        Id = r.Id,
        SiteId = r.SiteId,
        ChargerId = r.ChargerId,
        Type = r.Type,
        Status = r.Status,
        Origin = r.Origin,
        Connector = r.Connector,
        EvseConnector = r.EvseConnector,
        IdToken = r.IdToken,
        IdTokenType = r.IdTokenType,
        IdTokenSource = r.IdTokenSource,
        Plate = r.Plate,
        ParkingSessionId = r.ParkingSessionId,
        BayVisitId = r.BayVisitId,
        ChargingSessionId = r.ChargingSessionId,
        TransactionId = r.TransactionId,
        RemoteStartId = r.RemoteStartId,
        Limit = r.Limit is null ? null : ChargingLimitView.From(r.Limit),
        ChargingProfileId = r.ChargingProfileId,
        ChargingProfileScope = r.ChargingProfileScope,
        ResetType = r.ResetType,
        Availability = r.Availability,
        Reason = r.Reason,
        RequestedBy = r.RequestedBy,
        RequestedAt = r.RequestedAt,
        ExpiresAt = r.ExpiresAt,
        SentAt = r.SentAt,
        CompletedAt = r.CompletedAt,
        Response = r.Response,
        Detail = r.Detail,
        RequestedMessage = r.RequestedMessage,
        Variables = r.Variables.Count == 0 ? null : r.Variables,
        VariableResults = r.VariableResults.Count == 0 ? null : r.VariableResults,
        Firmware = r.Firmware is { } f ? new FirmwareView(f.FileName, f.FileName is null ? f.Location : null, f.RetrieveAt, f.InstallAt, f.Retries, (int?)f.RetryInterval?.TotalSeconds) : null,
        Log = r.Log is { } l ? new LogView(l.Kind.ToString(), l.Oldest, l.Latest, l.Retries, (int?)l.RetryInterval?.TotalSeconds) : null,
        RequestId = r.RequestId,
        FileName = r.FileName,
        TransferStatus = r.TransferStatus,
        TransferStatusAt = r.TransferStatusAt,
        UploadedBytes = r.UploadedBytes,
        LocalList = r.LocalList is { } list ? new LocalListView(list.Version, list.Full, list.Entries) : null,
        ListVersion = r.ListVersion,
        Tariff = r.Tariff,
        TotalCost = r.TotalCost,
    };
}

/// <summary>A local authorisation list update as the API shows it.</summary>
public sealed record LocalListView(int Version, bool Full, IReadOnlyList<Core.Commands.LocalListEntry> Entries);

/// <summary>A firmware update as the API shows it: the node's file, or the location given; the signed link the charger got is not shown.</summary>
public sealed record FirmwareView(string? FileName, string? Location, DateTimeOffset RetrieveAt, DateTimeOffset? InstallAt, int? Retries, int? RetryIntervalSeconds);

/// <summary>A log upload as the API shows it: DiagnosticsLog or SecurityLog, the period, retries.</summary>
public sealed record LogView(string LogType, DateTimeOffset? Oldest, DateTimeOffset? Latest, int? Retries, int? RetryIntervalSeconds);

/// <summary>A charging limit as the API shows it.</summary>
public sealed record ChargingLimitView(decimal Value, string Unit, int? Phases)
{
    /// <summary>setDefaultTariff (made by the node): the OCPP 2.1 tariff sent, with its versioned id.</summary>
    public Core.Billing.ChargerTariff? Tariff { get; init; }

    /// <summary>costUpdated (made by the node): the running cost sent, including VAT.</summary>
    public decimal? TotalCost { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static ChargingLimitView From(ChargingLimitRecord r) => new(
        r.Value,
        r.Unit,
        r.Phases);
}
