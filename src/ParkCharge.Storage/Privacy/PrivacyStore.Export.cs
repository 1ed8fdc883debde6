using System.Data.Common;
using System.Globalization;

using ParkCharge.Core.Plates;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Privacy;

/// <summary>One stored row about a plate, column by column, as text (instants in ISO 8601, JSON as stored).</summary>
public sealed record ExportedRow(IReadOnlyDictionary<string, string?> Columns);

/// <summary>Everything held about a plate, by kind, for an access request.</summary>
public sealed record PlateExport(
    string Plate,
    IReadOnlyList<ExportedRow> Stays,
    IReadOnlyList<ExportedRow> Reads,
    IReadOnlyList<ExportedRow> BayVisits,
    IReadOnlyList<ExportedRow> Bindings,
    IReadOnlyList<ExportedRow> Bills,
    IReadOnlyList<ExportedRow> Payments,
    IReadOnlyList<ExportedRow> Anomalies,
    IReadOnlyList<ExportedRow> Pictures,
    IReadOnlyList<ExportedRow> Audit,
    IReadOnlyList<ExportedRow> Observations);

/// <summary>A request of a data subject, as the audit keeps it (no plate: a keyed hash of it).</summary>
public sealed record PrivacyRequestRecord(DateTimeOffset At, string Kind, string PlateHash, string? KeyId, string? KeyName, string Outcome);

public sealed partial class PrivacyStore
{
    /// <summary>
    /// Everything stored about a plate (exactly, after normalisation), at every site: its stays, every read of
    /// them and every read of the plate that joined no stay, bay visits, bindings, bills and payments, anomalies,
    /// pictures (their metadata: the picture itself is fetched by its id), the audit entries on those rows, and
    /// the log's observations of its reads.
    /// </summary>
    public async Task<PlateExport> ExportAsync(string plate, CancellationToken ct)
    {
        var normalized = PlateText.Normalize(plate);
        await using var connection = await database.OpenAsync(ct);
        var stays = await RowsAsync(connection, "SELECT * FROM parking_sessions WHERE plate = @plate ORDER BY sort_at", normalized, null, ct);
        var sessions = stays.Select(s => s.Columns["id"]!).ToList();
        var visits = await RowsAsync(connection, $"SELECT * FROM bay_visits WHERE plate = @plate{In("parking_session_id", sessions)} ORDER BY started_at", normalized, sessions, ct);
        var visitIds = visits.Select(v => v.Columns["id"]!).ToList();
        var reads = await RowsAsync(connection, $"SELECT * FROM sightings WHERE plate = @plate{In("parking_session_id", sessions)}{In("bay_visit_id", visitIds, "v")} ORDER BY first_seen_at", normalized, sessions, ct, visitIds);
        var keys = reads.SelectMany(r => LogJson.DeserializeReads(r.Columns["reads"] ?? "[]")).Select(r => r.ObservationKey).Distinct().ToList();
        var bindings = await RowsAsync(connection, $"SELECT * FROM charging_bindings WHERE plate = @plate{In("parking_session_id", sessions)} ORDER BY plug_in_at", normalized, sessions, ct);
        var bills = await RowsAsync(connection, $"SELECT * FROM bills WHERE plate = @plate{In("parking_session_id", sessions)} ORDER BY settled_at", normalized, sessions, ct);
        var payments = sessions.Count == 0 ? [] : await RowsAsync(connection, $"SELECT * FROM payments WHERE 1 = 0{In("parking_session_id", sessions)} ORDER BY at", normalized, sessions, ct);
        var anomalies = await RowsAsync(connection, $"SELECT * FROM parking_anomalies WHERE plate = @plate{In("parking_session_id", sessions)} ORDER BY at", normalized, sessions, ct);
        var pictures = keys.Count == 0 ? [] : await RowsAsync(connection, $"SELECT id, site_id, camera, observation_key, name, content_type, received_at FROM anpr_images WHERE 1 = 0{In("observation_key", keys, "k")} ORDER BY received_at", normalized, null, ct, keys);
        var targets = sessions.Concat(bindings.Select(b => b.Columns["charging_session_id"]!)).ToList();
        var audit = targets.Count == 0 ? [] : await RowsAsync(connection, $"SELECT * FROM audit_log WHERE 1 = 0{In("target", targets)} ORDER BY at", normalized, targets, ct);
        var observations = keys.Count == 0 ? [] : await RowsAsync(connection, $"SELECT site_id, seq, key, source, kind, event_time, received_at, payload FROM observations WHERE 1 = 0{In("key", keys, "k")} ORDER BY site_id, seq", normalized, null, ct, keys);
        return new PlateExport(normalized, stays, reads, visits, bindings, bills, payments, anomalies, pictures, audit, observations);
    }

    /// <summary>An access or erasure request, for the audit.</summary>
    public async Task RecordRequestAsync(PrivacyRequestRecord request, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var insert = connection.Command("""
            INSERT INTO privacy_requests (at, kind, plate_hash, key_id, key_name, outcome) VALUES (@at, @kind, @hash, @key_id, @key_name, @outcome)
            """).With("at", database.Instant(request.At)).With("kind", request.Kind).With("hash", request.PlateHash)
            .With("key_id", request.KeyId).With("key_name", request.KeyName).With("outcome", request.Outcome);
        await insert.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The requests answered, newest first.</summary>
    public async Task<IReadOnlyList<PrivacyRequestRecord>> RequestsAsync(int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var select = connection.Command("SELECT at, kind, plate_hash, key_id, key_name, outcome FROM privacy_requests ORDER BY id DESC LIMIT @limit").With("limit", limit);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var requests = new List<PrivacyRequestRecord>();
        while (await reader.ReadAsync(ct))
        {
            requests.Add(new PrivacyRequestRecord(database.ReadInstant(reader, 0), reader.GetString(1), reader.GetString(2), reader.StringOrNull(3), reader.StringOrNull(4), reader.GetString(5)));
        }

        return requests;
    }

    private static string In(string column, List<string> values, string prefix = "i") =>
        values.Count == 0 ? "" : $" OR {column} IN ({Parameters(prefix, values.Count)})";

    private static async Task<List<ExportedRow>> RowsAsync(DbConnection connection, string sql, string plate, List<string>? ids, CancellationToken ct, List<string>? more = null)
    {
        await using var select = connection.Command(sql);
        if (sql.Contains("@plate", StringComparison.Ordinal))
        {
            select.With("plate", plate);
        }

        if (ids is not null && sql.Contains("@i0", StringComparison.Ordinal))
        {
            Bind(select, "i", ids);
        }

        if (more is not null)
        {
            Bind(select, sql.Contains("@v0", StringComparison.Ordinal) ? "v" : "k", more);
        }

        await using var reader = await select.ExecuteReaderAsync(ct);
        var rows = new List<ExportedRow>();
        while (await reader.ReadAsync(ct))
        {
            var columns = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                columns[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                {
                    DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)).ToString("O", CultureInfo.InvariantCulture),
                    DateTimeOffset o => o.ToString("O", CultureInfo.InvariantCulture),
                    byte[] bytes => $"({bytes.Length} bytes)",
                    var value => Convert.ToString(value, CultureInfo.InvariantCulture),
                };
            }

            rows.Add(new ExportedRow(columns));
        }

        return rows;
    }
}
