using System.Data.Common;
using System.Text;

using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Queries;

/// <summary>A vehicle a charging session could belong to (review candidates).</summary>
public sealed record BindingCandidateRecord(string Plate, string? ParkingSessionId, string? BayVisitId, string? Bay, double Score, double? OffsetSeconds, IReadOnlyList<string> Evidence, string Reason);

/// <summary>The binding of a charging session to a vehicle, with its evidence.</summary>
public sealed record BindingRecord
{
    public required string ChargingSessionId { get; init; }

    public required string SiteId { get; init; }

    public required string ChargerId { get; init; }

    public int? EvseId { get; init; }

    public required int ConnectorId { get; init; }

    public required string TransactionId { get; init; }

    /// <summary>The EV bay the connector serves.</summary>
    public string? Bay { get; init; }

    /// <summary>When the car was plugged in (the charger's clock): what bay reads are compared with.</summary>
    public required DateTimeOffset PlugInAt { get; init; }

    /// <summary>Waiting, Bound, Provisional or Review.</summary>
    public required string Status { get; init; }

    public DateTimeOffset? WaitUntil { get; init; }

    public string? Plate { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    /// <summary>BayCamera, KnownIdToken, Fuzzy or Operator.</summary>
    public string? Method { get; init; }

    public required double Confidence { get; init; }

    /// <summary>Bay read time minus plug-in time, in seconds (negative: read before the plug-in).</summary>
    public double? OffsetSeconds { get; init; }

    /// <summary>The sightings (and operator actions) the binding rests on.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    public IReadOnlyList<BindingCandidateRecord> Candidates { get; init; } = [];

    public required int Changes { get; init; }

    /// <summary>
    /// Bound before the evidence is complete (the binding window still open, the car not read at the bay after the
    /// plug-in): it is confirmed or changed at the latest when the window ends. Every binding can still change later.
    /// </summary>
    public bool Tentative { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }
}

/// <summary>Reads of the bindings projection: per charging session, per parking session, and the review queue.</summary>
public sealed class BindingQueries(Database database)
{
    internal const string Columns = """
        charging_session_id, site_id, charger_id, evse_id, connector_id, transaction_id, bay, plug_in_at, status, wait_until,
        plate, parking_session_id, bay_visit_id, method, confidence, offset_ms, evidence, candidates, changes, decided_at, tentative
        """;

    public async Task<BindingRecord?> GetAsync(string chargingSessionId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM charging_bindings WHERE charging_session_id = @id").With("id", chargingSessionId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(database, reader) : null;
    }

    /// <summary>Bindings by status (the review queue is Review and Provisional), most recent plug-in first.</summary>
    public async Task<ResultPage<BindingRecord>> ListAsync(string? siteId, IReadOnlyCollection<string> statuses, int limit, string? cursor, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 500);
        var sql = new StringBuilder($"SELECT {Columns} FROM charging_bindings WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        if (siteId is not null)
        {
            sql.Append(" AND site_id = @site");
            command.With("site", siteId);
        }

        if (statuses.Count > 0)
        {
            sql.Append(" AND status IN (").Append(string.Join(", ", statuses.Select((_, i) => $"@status{i}"))).Append(')');
            var i = 0;
            foreach (var status in statuses)
            {
                command.With($"status{i++}", status);
            }
        }

        return await KeysetCursor.PageAsync(
            database, command, sql, cursor, limit, ("plug_in_at", "charging_session_id"), r => Read(database, r), b => (b.PlugInAt, b.ChargingSessionId), ct);
    }

    /// <summary>The review queue's size per site (bindings in Review or Provisional), for the node's metrics.</summary>
    public async Task<IReadOnlyDictionary<string, int>> CountInReviewAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT site_id, COUNT(*) FROM charging_bindings WHERE status IN ('Review', 'Provisional') GROUP BY site_id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            counts[reader.GetString(0)] = Convert.ToInt32(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        }

        return counts;
    }

    internal static BindingRecord Read(Database database, DbDataReader r)
    {
        var evse = r.GetInt32(3);
        return new BindingRecord
        {
            ChargingSessionId = r.GetString(0),
            SiteId = r.GetString(1),
            ChargerId = r.GetString(2),
            EvseId = evse < 0 ? null : evse,
            ConnectorId = r.GetInt32(4),
            TransactionId = r.GetString(5),
            Bay = r.StringOrNull(6),
            PlugInAt = database.ReadInstant(r, 7),
            Status = r.GetString(8),
            WaitUntil = database.ReadInstantOrNull(r, 9),
            Plate = r.StringOrNull(10),
            ParkingSessionId = r.StringOrNull(11),
            BayVisitId = r.StringOrNull(12),
            Method = r.StringOrNull(13),
            Confidence = r.GetDouble(14),
            OffsetSeconds = r.IsDBNull(15) ? null : r.GetInt64(15) / 1000.0,
            Evidence = LogJson.DeserializeStrings(r.GetString(16)),
            Candidates = [.. LogJson.DeserializeCandidates(r.GetString(17)).Select(c => new BindingCandidateRecord(
                c.Plate, c.ParkingSessionId, c.BayVisitId, c.Bay, c.Score, c.Offset?.TotalSeconds, [.. c.Evidence], c.Reason))],
            Changes = r.GetInt32(18),
            DecidedAt = database.ReadInstant(r, 19),
            Tentative = r.GetBoolean(20),
        };
    }
}
