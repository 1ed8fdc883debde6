using System.Data.Common;
using System.Text;

using ParkCharge.Core.Plates;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Queries;

/// <summary>Which parking sessions to list: by site, plate, status and time, newest first.</summary>
public sealed record ParkingSessionFilter
{
    public string? SiteId { get; init; }

    /// <summary>Matched after normalisation ("b-cd 1234" finds BCD1234); with <see cref="Similar"/>, OCR look-alikes too.</summary>
    public string? Plate { get; init; }

    public bool Similar { get; init; }

    /// <summary>Open or Closed.</summary>
    public string? Status { get; init; }

    /// <summary>Sessions still inside at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Sessions that entered (or, without an entry, left) before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 50;

    public string? Cursor { get; init; }
}

/// <summary>Reads of the parking projections.</summary>
public sealed class ParkingQueries(Database database)
{
    private const string SessionColumns = """
        id, site_id, plate, plate_raw, region, status, entered_at, exited_at, closed_by, entry_lane, exit_lane,
        anomalies, merged_session_ids, updated_at, sort_at
        """;

    public async Task<ResultPage<ParkingSessionRecord>> ListSessionsAsync(ParkingSessionFilter filter, CancellationToken ct)
    {
        var limit = Math.Clamp(filter.Limit, 1, 500);
        var sql = new StringBuilder($"SELECT {SessionColumns} FROM parking_sessions WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        if (filter.SiteId is not null)
        {
            sql.Append(" AND site_id = @site");
            command.With("site", filter.SiteId);
        }

        var plate = filter.Plate is null ? null : PlateText.Normalize(filter.Plate);
        if (plate is not null && !filter.Similar)
        {
            sql.Append(" AND plate = @plate");
            command.With("plate", plate);
        }

        if (filter.Status is not null)
        {
            sql.Append(" AND status = @status");
            command.With("status", filter.Status);
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND (exited_at IS NULL OR exited_at >= @from)");
            command.With("from", database.Instant(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND sort_at < @to");
            command.With("to", database.Instant(to));
        }

        if (KeysetCursor.TryParse(filter.Cursor, out var after))
        {
            sql.Append(" AND (sort_at < @after_at OR (sort_at = @after_at AND id < @after_id))");
            command.With("after_at", database.Instant(after.At)).With("after_id", after.Id);
        }

        sql.Append(" ORDER BY sort_at DESC, id DESC");
        if (plate is null || !filter.Similar)
        {
            sql.Append(" LIMIT @limit");
            command.With("limit", limit + 1);
        }

        command.CommandText = sql.ToString();
        var items = new List<(ParkingSessionRecord View, DateTimeOffset SortAt)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var view = ReadSession(reader);
                if (plate is null || !filter.Similar || PlateSimilarity.IsSameVehicle(view.Plate, plate))
                {
                    items.Add((view, database.ReadInstant(reader, 14)));
                }

                if (items.Count > limit)
                {
                    break;
                }
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = KeysetCursor.Format(items[^1].SortAt, items[^1].View.Id);
        }

        return new ResultPage<ParkingSessionRecord>([.. items.Select(i => i.View)], next);
    }

    /// <summary>One session with its sightings, bay visits and audit trail.</summary>
    public async Task<ParkingSessionRecord?> GetSessionAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        ParkingSessionRecord? session = null;
        await using (var command = connection.Command($"SELECT {SessionColumns} FROM parking_sessions WHERE id = @id").With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                session = ReadSession(reader);
            }
        }

        if (session is null)
        {
            return null;
        }

        var sightings = new List<SightingRecord>();
        await using (var command = connection.Command("""
            SELECT id, camera, place, lane, bay, plate, plate_raw, best_confidence, direction, region, first_seen_at, last_seen_at,
                   read_count, reads, acted, parking_session_id, bay_visit_id
            FROM sightings WHERE parking_session_id = @id
               OR bay_visit_id IN (SELECT id FROM bay_visits WHERE parking_session_id = @id)
            ORDER BY first_seen_at, id
            """).With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                sightings.Add(ReadSighting(reader));
            }
        }

        var visits = await VisitsAsync(connection, "parking_session_id = @id", id, ct);
        var audit = new List<AuditRecord>();
        await using (var command = connection.Command("SELECT at, by_whom, action, target, reason, detail FROM audit_log WHERE target = @id ORDER BY id").With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                audit.Add(new AuditRecord(database.ReadInstant(reader, 0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetString(5)));
            }
        }

        var charging = new List<BindingRecord>();
        await using (var command = connection.Command($"SELECT {BindingQueries.Columns} FROM charging_bindings WHERE parking_session_id = @id ORDER BY plug_in_at").With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                charging.Add(BindingQueries.Read(database, reader));
            }
        }

        return session with { Sightings = sightings, BayVisits = visits, Audit = audit, Charging = charging };
    }

    public async Task<ResultPage<ParkingAnomalyRecord>> ListAnomaliesAsync(string? siteId, string? kind, bool? resolved, int limit, string? cursor, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 500);
        var sql = new StringBuilder("""
            SELECT id, site_id, kind, at, plate, camera, sighting_id, parking_session_id, candidates, detail, resolved, resolution
            FROM parking_anomalies WHERE 1 = 1
            """);
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        if (siteId is not null)
        {
            sql.Append(" AND site_id = @site");
            command.With("site", siteId);
        }

        if (kind is not null)
        {
            sql.Append(" AND kind = @kind");
            command.With("kind", kind);
        }

        if (resolved is { } r)
        {
            sql.Append(" AND resolved = @resolved");
            command.With("resolved", r);
        }

        return await KeysetCursor.PageAsync(database, command, sql, cursor, limit, ("at", "id"), reader => new ParkingAnomalyRecord
        {
            Id = reader.GetString(0),
            SiteId = reader.GetString(1),
            Kind = reader.GetString(2),
            At = database.ReadInstant(reader, 3),
            Plate = reader.StringOrNull(4),
            Camera = reader.StringOrNull(5),
            SightingId = reader.StringOrNull(6),
            ParkingSessionId = reader.StringOrNull(7),
            Candidates = LogJson.DeserializeStrings(reader.GetString(8)),
            Detail = reader.GetString(9),
            Resolved = reader.GetBoolean(10),
            Resolution = reader.StringOrNull(11),
        }, a => (a.At, a.Id), ct);
    }

    /// <summary>The current visits at a site's bays, by bay.</summary>
    public async Task<IReadOnlyDictionary<string, BayVisitRecord>> CurrentVisitsAsync(string siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var visits = await VisitsAsync(connection, "site_id = @id AND ended_at IS NULL", siteId, ct);
        return visits.GroupBy(v => v.Bay).ToDictionary(g => g.Key, g => g.OrderByDescending(v => v.StartedAt).First(), StringComparer.Ordinal);
    }

    public async Task<int> VehiclesInsideAsync(string siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT COUNT(*) FROM parking_sessions WHERE site_id = @site AND status = 'Open'").With("site", siteId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<SightingRecord?> GetSightingAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT id, camera, place, lane, bay, plate, plate_raw, best_confidence, direction, region, first_seen_at, last_seen_at,
                   read_count, reads, acted, parking_session_id, bay_visit_id
            FROM sightings WHERE id = @id
            """).With("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadSighting(reader) : null;
    }

    public async Task<IReadOnlyList<SiteRecord>> SitesAsync(CancellationToken ct) => await ReadSitesAsync(null, ct);

    public async Task<SiteRecord?> GetSiteAsync(string id, CancellationToken ct) => await ReadSitesAsync(id, ct) is [var site, ..] ? site : null;

    private async Task<IReadOnlyList<SiteRecord>> ReadSitesAsync(string? id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var where = id is null ? "" : "WHERE id = @id";
        await using var command = connection.Command($"SELECT id, name, time_zone, currency, updated_at, configuration FROM sites {where} ORDER BY id").WithWhen(id is not null, "id", id);
        var sites = new List<SiteRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sites.Add(new SiteRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), database.ReadInstant(reader, 4), reader.GetString(5)));
        }

        return sites;
    }

    private async Task<List<BayVisitRecord>> VisitsAsync(DbConnection connection, string where, string id, CancellationToken ct)
    {
        var visits = new List<BayVisitRecord>();
        await using var command = connection.Command($"""
            SELECT id, bay, plate, plate_raw, parking_session_id, started_at, last_seen_at, ended_at, end_reason,
                   charging_session_ids, ice_detected_at, charging_finished_at, idle_since, source
            FROM bay_visits WHERE {where} ORDER BY started_at, id
            """).With("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            visits.Add(new BayVisitRecord(
                reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.StringOrNull(4),
                database.ReadInstant(reader, 5), database.ReadInstant(reader, 6), database.ReadInstantOrNull(reader, 7), reader.StringOrNull(8),
                LogJson.DeserializeStrings(reader.GetString(9)), database.ReadInstantOrNull(reader, 10), database.ReadInstantOrNull(reader, 11),
                database.ReadInstantOrNull(reader, 12), reader.GetString(13)));
        }

        return visits;
    }

    private ParkingSessionRecord ReadSession(DbDataReader r)
    {
        var anomalies = r.GetString(11);
        return new ParkingSessionRecord
        {
            Id = r.GetString(0),
            SiteId = r.GetString(1),
            Plate = r.GetString(2),
            PlateRaw = r.GetString(3),
            Region = r.StringOrNull(4),
            Status = r.GetString(5),
            EnteredAt = database.ReadInstantOrNull(r, 6),
            ExitedAt = database.ReadInstantOrNull(r, 7),
            ClosedBy = r.StringOrNull(8),
            EntryLane = r.StringOrNull(9),
            ExitLane = r.StringOrNull(10),
            Anomalies = anomalies.Length == 0 ? [] : anomalies.Split(", "),
            MergedSessionIds = LogJson.DeserializeStrings(r.GetString(12)),
            UpdatedAt = database.ReadInstant(r, 13),
        };
    }

    private SightingRecord ReadSighting(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Camera = r.GetString(1),
        Place = r.GetString(2),
        Lane = r.StringOrNull(3),
        Bay = r.StringOrNull(4),
        Plate = r.GetString(5),
        PlateRaw = r.GetString(6),
        BestConfidence = r.IsDBNull(7) ? null : r.GetDouble(7),
        Direction = r.StringOrNull(8),
        Region = r.StringOrNull(9),
        FirstSeenAt = database.ReadInstant(r, 10),
        LastSeenAt = database.ReadInstant(r, 11),
        ReadCount = r.GetInt32(12),
        Reads = [.. LogJson.DeserializeReads(r.GetString(13)).Select(x => new SightingReadRecord(x.At, x.Raw, x.Plate, x.Confidence))],
        Acted = r.GetBoolean(14),
        ParkingSessionId = r.StringOrNull(15),
        BayVisitId = r.StringOrNull(16),
    };
}
