using System.Data.Common;
using System.Text;

using ParkCharge.Core.Commands;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Queries;

/// <summary>A charging limit as the store reads it.</summary>
public sealed record ChargingLimitRecord(decimal Value, string Unit, int? Phases);

/// <summary>A command to a charger and its outcome.</summary>
public sealed record CommandRecord
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

    public ChargingLimitRecord? Limit { get; init; }

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

    /// <summary>TriggerMessage: the message asked for.</summary>
    public string? RequestedMessage { get; init; }

    /// <summary>GetVariables, SetVariables: what was asked, and what the charger answered per variable.</summary>
    public IReadOnlyList<VariableRequest> Variables { get; init; } = [];

    public IReadOnlyList<VariableResult> VariableResults { get; init; } = [];

    public FirmwareRequest? Firmware { get; init; }

    public LogRequest? Log { get; init; }

    public int? RequestId { get; init; }

    public string? FileName { get; init; }

    public string? TransferStatus { get; init; }

    public DateTimeOffset? TransferStatusAt { get; init; }

    public long? UploadedBytes { get; init; }

    public LocalListUpdate? LocalList { get; init; }

    public int? ListVersion { get; init; }

    public Core.Billing.ChargerTariff? Tariff { get; init; }

    public decimal? TotalCost { get; init; }

    public static CommandRecord Of(string siteId, ChargerCommand c) => new()
    {
        Id = c.Id,
        SiteId = siteId,
        ChargerId = c.Charger.Value,
        Type = c.Type.ToString(),
        Status = c.Status.ToString(),
        Origin = c.Origin.ToString(),
        Connector = c.Outlet,
        EvseConnector = c.EvseConnector,
        IdToken = c.IdToken?.Value,
        IdTokenType = c.IdToken?.Type,
        IdTokenSource = c.TokenSource?.ToString(),
        Plate = c.Plate,
        ParkingSessionId = c.ParkingSessionId,
        BayVisitId = c.BayVisitId,
        ChargingSessionId = c.ChargingSessionId,
        TransactionId = c.TransactionId,
        RemoteStartId = c.RemoteStartId,
        Limit = c.Profile is { Limit: var l } ? new ChargingLimitRecord(l.Value, l.Unit.ToString(), l.Phases) : null,
        ChargingProfileId = c.Profile?.ProfileId ?? c.ProfileId,
        ChargingProfileScope = c.Profile?.Scope.ToString(),
        ResetType = c.Reset?.ToString(),
        Availability = c.Availability?.ToString(),
        Reason = c.Reason,
        RequestedBy = c.RequestedBy,
        RequestedAt = c.RequestedAt,
        ExpiresAt = c.ExpiresAt,
        SentAt = c.SentAt,
        CompletedAt = c.CompletedAt,
        Response = c.Response,
        Detail = c.Detail,
        RequestedMessage = c.RequestedMessage,
        Variables = c.Variables,
        VariableResults = c.VariableResults,
        Firmware = c.Firmware,
        Log = c.Log,
        RequestId = c.RequestId,
        FileName = c.FileName,
        TransferStatus = c.TransferStatus,
        TransferStatusAt = c.TransferStatusAt,
        UploadedBytes = c.UploadedBytes,
        LocalList = c.LocalList,
        ListVersion = c.ListVersion,
        Tariff = c.Tariff,
        TotalCost = c.TotalCost,
    };
}

/// <summary>What a list of commands is filtered by; every filter is optional.</summary>
public sealed record CommandFilter
{
    public string? SiteId { get; init; }

    public string? ChargerId { get; init; }

    public string? ChargingSessionId { get; init; }

    public IReadOnlyCollection<string> Statuses { get; init; } = [];

    public IReadOnlyCollection<string> Types { get; init; } = [];

    public IReadOnlyCollection<string> Origins { get; init; } = [];

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 50;

    public string? Cursor { get; init; }
}

/// <summary>Reads of the commands projection.</summary>
public sealed class CommandQueries(Database database)
{
    public async Task<CommandRecord?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT site_id, document FROM commands WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Commands newest first (by request time), filtered.</summary>
    /// <exception cref="ArgumentException">The cursor is not one this API returned.</exception>
    public async Task<ResultPage<CommandRecord>> ListAsync(CommandFilter filter, CancellationToken ct)
    {
        var limit = Math.Clamp(filter.Limit, 1, 500);
        var sql = new StringBuilder("SELECT site_id, document, requested_at, id FROM commands WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        void Equal(string column, string? value)
        {
            if (value is not null)
            {
                sql.Append(" AND ").Append(column).Append(" = @").Append(column);
                command.With(column, value);
            }
        }

        void In(string column, IReadOnlyCollection<string> values)
        {
            if (values.Count > 0)
            {
                sql.Append(" AND ").Append(column).Append(" IN (").Append(string.Join(", ", values.Select((_, i) => $"@{column}{i}"))).Append(')');
                var i = 0;
                foreach (var value in values)
                {
                    command.With($"{column}{i++}", value);
                }
            }
        }

        Equal("site_id", filter.SiteId);
        Equal("charger_id", filter.ChargerId);
        Equal("charging_session_id", filter.ChargingSessionId);
        In("status", filter.Statuses);
        In("type", filter.Types);
        In("origin", filter.Origins);
        if (filter.From is { } from)
        {
            sql.Append(" AND requested_at >= @from");
            command.With("from", database.Instant(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND requested_at < @to");
            command.With("to", database.Instant(to));
        }

        return await KeysetCursor.PageAsync(database, command, sql, filter.Cursor, limit, ("requested_at", "id"), Read, c => (c.RequestedAt, c.Id), ct);
    }

    private static CommandRecord Read(DbDataReader r) => CommandRecord.Of(r.GetString(0), LogJson.DeserializeCommand(r.GetString(1)));
}
