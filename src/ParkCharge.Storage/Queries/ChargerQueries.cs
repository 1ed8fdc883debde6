using System.Data.Common;

using ParkCharge.Core.Charging;

namespace ParkCharge.Storage.Queries;

/// <summary>Reads of the chargers and connectors projections.</summary>
public sealed class ChargerQueries(Database database)
{
    private const string Columns = """
        id, site_id, display_name, password_hash, security_profile, registered_at, vendor, model, serial_number,
        firmware_version, last_boot_at, ocpp_version, connection_id, connected_node, connected_at, remote_address,
        last_disconnected_at, last_disconnect_reason, last_seen_at
        """;

    public async Task<IReadOnlyList<ChargerView>> ListAsync(string? siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var chargers = new List<ChargerView>();
        var where = siteId is null ? "" : "WHERE site_id = @site";
        await using (var command = connection.Command($"SELECT {Columns} FROM chargers {where} ORDER BY id").WithWhen(siteId is not null, "site", siteId))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                chargers.Add(ReadCharger(reader));
            }
        }

        var connectors = await ConnectorsAsync(connection, chargerId: null, ct);
        return [.. chargers.Select(c => c with { Connectors = connectors.GetValueOrDefault(c.Id) ?? [] })];
    }

    public async Task<ChargerView?> GetAsync(ChargerId id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        ChargerView? charger = null;
        await using (var command = connection.Command($"SELECT {Columns} FROM chargers WHERE id = @id").With("id", id.Value))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                charger = ReadCharger(reader);
            }
        }

        if (charger is null)
        {
            return null;
        }

        var connectors = await ConnectorsAsync(connection, id.Value, ct);
        return charger with { Connectors = connectors.GetValueOrDefault(charger.Id) ?? [] };
    }

    public async Task<ChargerCredentials?> GetCredentialsAsync(ChargerId id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT id, site_id, password_hash, security_profile FROM chargers WHERE id = @id").With("id", id.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ChargerCredentials(reader.GetString(0), reader.GetString(1), reader.StringOrNull(2), reader.GetInt32(3))
            : null;
    }

    /// <summary>The status timeline of a charger's connectors between two instants, oldest first.</summary>
    public async Task<IReadOnlyList<StatusEntryView>> StatusHistoryAsync(ChargerId id, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT evse_id, connector_id, status, charging_state, event_time, received_at, error_code, info
            FROM connector_status_history
            WHERE charger_id = @id AND event_time >= @from AND event_time <= @to
            ORDER BY event_time, id LIMIT @limit
            """).With("id", id.Value).With("from", database.Instant(from)).With("to", database.Instant(to)).With("limit", limit);
        return await ReadStatusEntriesAsync(database, command, ct);
    }

    internal static async Task<IReadOnlyList<StatusEntryView>> ReadStatusEntriesAsync(Database database, DbCommand command, CancellationToken ct)
    {
        var entries = new List<StatusEntryView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var evse = reader.GetInt32(0);
            entries.Add(new StatusEntryView(
                evse < 0 ? null : evse,
                reader.GetInt32(1),
                reader.GetString(2),
                reader.StringOrNull(3),
                database.ReadInstant(reader, 4),
                database.ReadInstant(reader, 5),
                reader.StringOrNull(6),
                reader.StringOrNull(7)));
        }

        return entries;
    }

    private async Task<Dictionary<string, List<ConnectorView>>> ConnectorsAsync(DbConnection connection, string? chargerId, CancellationToken ct)
    {
        var byCharger = new Dictionary<string, List<ConnectorView>>(StringComparer.Ordinal);
        var where = chargerId is null ? "" : "WHERE charger_id = @id";
        await using var command = connection.Command($"""
            SELECT charger_id, evse_id, connector_id, status, since, error_code, info, vendor_error_code FROM connectors
            {where} ORDER BY charger_id, evse_id, connector_id
            """).WithWhen(chargerId is not null, "id", chargerId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetString(0);
            if (!byCharger.TryGetValue(id, out var list))
            {
                byCharger[id] = list = [];
            }

            var evse = reader.GetInt32(1);
            list.Add(new ConnectorView(
                evse < 0 ? null : evse,
                reader.GetInt32(2),
                reader.GetString(3),
                database.ReadInstant(reader, 4),
                reader.StringOrNull(5),
                reader.StringOrNull(6),
                reader.StringOrNull(7)));
        }

        return byCharger;
    }

    private ChargerView ReadCharger(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        SiteId = r.GetString(1),
        DisplayName = r.StringOrNull(2),
        HasPassword = !r.IsDBNull(3),
        SecurityProfile = r.GetInt32(4),
        RegisteredAt = database.ReadInstant(r, 5),
        Vendor = r.StringOrNull(6),
        Model = r.StringOrNull(7),
        SerialNumber = r.StringOrNull(8),
        FirmwareVersion = r.StringOrNull(9),
        LastBootAt = database.ReadInstantOrNull(r, 10),
        OcppVersion = VersionName(r.StringOrNull(11)),
        Connection = new ConnectionView(
            Connected: !r.IsDBNull(12),
            ConnectionId: r.StringOrNull(12),
            Node: r.StringOrNull(13),
            ConnectedAt: database.ReadInstantOrNull(r, 14),
            RemoteAddress: r.StringOrNull(15),
            LastDisconnectedAt: database.ReadInstantOrNull(r, 16),
            LastDisconnectReason: r.StringOrNull(17)),
        LastSeenAt = database.ReadInstantOrNull(r, 18),
    };

    /// <summary>The protocol's own name for the version ("1.6", "2.0.1", "2.1").</summary>
    public static string? VersionName(string? stored) =>
        Enum.TryParse<OcppVersion>(stored, out var version) && Enum.IsDefined(version) && !char.IsDigit(stored![0]) ? version.Label() : stored;
}
