namespace ParkCharge.Storage.Queries;

/// <summary>A charging session as the daily reconciliation needs it.</summary>
public sealed record ChargingDayRow(
    string Id, string ChargerId, string TransactionId, DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt, decimal? EnergyWh, string Anomalies,
    string? BindingStatus, string? ParkingSessionId);

/// <summary>A parking session that touches a day.</summary>
public sealed record ParkingDayRow(string Id, string Plate, string Status, DateTimeOffset? EnteredAt, DateTimeOffset? ExitedAt, string Anomalies);

/// <summary>The rows the daily reconciliation report is built from.</summary>
public sealed class ReconciliationQueries(Database database)
{
    public async Task<IReadOnlyList<ChargingDayRow>> ChargingStartedAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT s.id, s.charger_id, s.transaction_id, s.started_at, s.stopped_at, s.energy_wh, s.anomalies, b.status, b.parking_session_id
            FROM charging_sessions s LEFT JOIN charging_bindings b ON b.charging_session_id = s.id
            WHERE s.site_id = @site AND s.started_at >= @from AND s.started_at < @to
            ORDER BY s.started_at, s.id
            """).With("site", siteId).With("from", database.Instant(from)).With("to", database.Instant(to));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ChargingDayRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ChargingDayRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), database.ReadInstantOrNull(reader, 3), database.ReadInstantOrNull(reader, 4),
                database.ReadNumberOrNull(reader, 5), reader.GetString(6), reader.StringOrNull(7), reader.StringOrNull(8)));
        }

        return rows;
    }

    /// <summary>Parking sessions that entered or left in [from, to), or were inside at its end.</summary>
    public async Task<IReadOnlyList<ParkingDayRow>> ParkingAsync(string siteId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT id, plate, status, entered_at, exited_at, anomalies FROM parking_sessions
            WHERE site_id = @site AND ((entered_at >= @from AND entered_at < @to) OR (exited_at >= @from AND exited_at < @to)
                OR (status = 'Open' AND entered_at < @to))
            ORDER BY sort_at, id
            """).With("site", siteId).With("from", database.Instant(from)).With("to", database.Instant(to));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ParkingDayRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ParkingDayRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), database.ReadInstantOrNull(reader, 3), database.ReadInstantOrNull(reader, 4), reader.GetString(5)));
        }

        return rows;
    }
}
