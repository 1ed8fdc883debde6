using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Projections;

/// <summary>The parking side of the projections: sites, sightings, parking sessions, bay visits, anomalies, audit.</summary>
internal static class ParkingProjection
{
    private const string UpsertSite = """
        INSERT INTO sites (id, name, time_zone, currency, configuration, updated_at, updated_seq)
        VALUES (@id, @name, @time_zone, @currency, @json_configuration, @updated_at, @seq)
        ON CONFLICT (id) DO UPDATE SET
            name = excluded.name, time_zone = excluded.time_zone, currency = excluded.currency,
            configuration = excluded.configuration, updated_at = excluded.updated_at, updated_seq = excluded.updated_seq
        """;

    private const string UpsertSighting = """
        INSERT INTO sightings (id, site_id, camera, place, lane, bay, plate, plate_raw, best_confidence, direction, region,
            first_seen_at, last_seen_at, read_count, reads, acted, parking_session_id, bay_visit_id, updated_seq)
        VALUES (@id, @site, @camera, @place, @lane, @bay, @plate, @plate_raw, @best_confidence, @direction, @region,
            @first_seen_at, @last_seen_at, @read_count, @json_reads, @acted, @parking_session_id, @bay_visit_id, @seq)
        ON CONFLICT (id) DO UPDATE SET
            bay = excluded.bay, plate = excluded.plate, plate_raw = excluded.plate_raw, best_confidence = excluded.best_confidence,
            direction = excluded.direction, region = excluded.region, first_seen_at = excluded.first_seen_at,
            last_seen_at = excluded.last_seen_at, read_count = excluded.read_count, reads = excluded.reads, acted = excluded.acted,
            parking_session_id = excluded.parking_session_id, bay_visit_id = excluded.bay_visit_id, updated_seq = excluded.updated_seq
        """;

    private const string UpsertSession = """
        INSERT INTO parking_sessions (id, site_id, plate, plate_raw, region, status, entered_at, exited_at, closed_by,
            entry_sighting_id, exit_sighting_id, entry_lane, exit_lane, anomalies, merged_session_ids, sort_at, updated_at, updated_seq)
        VALUES (@id, @site, @plate, @plate_raw, @region, @status, @entered_at, @exited_at, @closed_by,
            @entry_sighting_id, @exit_sighting_id, @entry_lane, @exit_lane, @anomalies, @json_merged, @sort_at, @updated_at, @seq)
        ON CONFLICT (id) DO UPDATE SET
            plate = excluded.plate, plate_raw = excluded.plate_raw, region = excluded.region, status = excluded.status,
            entered_at = excluded.entered_at, exited_at = excluded.exited_at, closed_by = excluded.closed_by,
            entry_sighting_id = excluded.entry_sighting_id, exit_sighting_id = excluded.exit_sighting_id,
            entry_lane = excluded.entry_lane, exit_lane = excluded.exit_lane, anomalies = excluded.anomalies,
            merged_session_ids = excluded.merged_session_ids, sort_at = excluded.sort_at, updated_at = excluded.updated_at,
            updated_seq = excluded.updated_seq
        """;

    private const string UpsertVisit = """
        INSERT INTO bay_visits (id, site_id, bay, plate, plate_raw, parking_session_id, started_at, last_seen_at, ended_at,
            end_reason, sighting_id, updated_seq)
        VALUES (@id, @site, @bay, @plate, @plate_raw, @parking_session_id, @started_at, @last_seen_at, @ended_at,
            @end_reason, @sighting_id, @seq)
        ON CONFLICT (id) DO UPDATE SET
            plate = excluded.plate, plate_raw = excluded.plate_raw, parking_session_id = excluded.parking_session_id,
            last_seen_at = excluded.last_seen_at, ended_at = excluded.ended_at, end_reason = excluded.end_reason,
            updated_seq = excluded.updated_seq
        """;

    private const string UpsertAnomaly = """
        INSERT INTO parking_anomalies (id, site_id, kind, at, plate, camera, sighting_id, parking_session_id, candidates,
            detail, resolved, resolution, updated_seq)
        VALUES (@id, @site, @kind, @at, @plate, @camera, @sighting_id, @parking_session_id, @json_candidates,
            @detail, @resolved, @resolution, @seq)
        ON CONFLICT (id) DO UPDATE SET resolved = excluded.resolved, resolution = excluded.resolution, updated_seq = excluded.updated_seq
        """;

    private const string InsertAudit = """
        INSERT INTO audit_log (site_id, seq, at, by_whom, action, target, reason, detail)
        VALUES (@site, @seq, @at, @by, @action, @target, @reason, @detail)
        """;

    /// <summary>Writes the final version of each entity this append changed, and every audit entry.</summary>
    public static async Task WriteAsync(RowRecorder sql, SiteId site, IEnumerable<(long Seq, DateTimeOffset ReceivedAt, SiteChanges Changes)> changes, CancellationToken ct)
    {
        var db = sql.Database;
        var sites = new Dictionary<SiteId, (SiteConfiguration, long, DateTimeOffset)>();
        var sightings = new Dictionary<string, (Sighting, long)>(StringComparer.Ordinal);
        var sessions = new Dictionary<string, (ParkingSession, long)>(StringComparer.Ordinal);
        var visits = new Dictionary<string, (BayVisit, long)>(StringComparer.Ordinal);
        var anomalies = new Dictionary<string, (ParkingAnomaly, long)>(StringComparer.Ordinal);
        foreach (var (seq, receivedAt, c) in changes)
        {
            if (c.Configuration is { } configuration)
            {
                sites[configuration.Id] = (configuration, seq, receivedAt);
            }

            c.Sightings.ToList().ForEach(x => sightings[x.Id] = (x, seq));
            c.ParkingSessions.ToList().ForEach(x => sessions[x.Id] = (x, seq));
            c.BayVisits.ToList().ForEach(x => visits[x.Id] = (x, seq));
            c.ParkingAnomalies.ToList().ForEach(x => anomalies[x.Id] = (x, seq));
            foreach (var entry in c.Audit)
            {
                await sql[InsertAudit].Set("site", site.Value).Set("seq", seq).Set("at", db.Instant(entry.At)).Set("by", entry.By)
                    .Set("action", entry.Action).Set("target", entry.Target).Set("reason", entry.Reason).Set("detail", entry.Detail).RunAsync(ct);
            }
        }

        foreach (var (s, seq, at) in sites.Values)
        {
            await sql[UpsertSite].Set("id", s.Id.Value).Set("name", s.Name).Set("time_zone", s.TimeZone).Set("currency", s.Currency)
                .Set("json_configuration", LogJson.Serialize(s)).Set("updated_at", db.Instant(at)).Set("seq", seq).RunAsync(ct);
        }

        foreach (var (s, seq) in sightings.Values)
        {
            await sql[UpsertSighting].Set("id", s.Id).Set("site", site.Value).Set("camera", s.Camera).Set("place", s.Place.ToString())
                .Set("lane", s.Lane).Set("bay", s.Bay).Set("plate", s.Plate).Set("plate_raw", s.Best.Raw).Set("best_confidence", s.Best.Confidence)
                .Set("direction", s.Direction?.ToString()).Set("region", s.Region).Set("first_seen_at", db.Instant(s.FirstSeenAt))
                .Set("last_seen_at", db.Instant(s.LastSeenAt)).Set("read_count", s.Count).Set("json_reads", LogJson.Serialize(s.Reads))
                .Set("acted", s.Acted).Set("parking_session_id", s.ParkingSessionId).Set("bay_visit_id", s.BayVisitId).Set("seq", seq).RunAsync(ct);
        }

        foreach (var (s, seq) in sessions.Values)
        {
            await sql[UpsertSession].Set("id", s.Id).Set("site", site.Value).Set("plate", s.Plate).Set("plate_raw", s.PlateRaw)
                .Set("region", s.Region).Set("status", s.Status.ToString()).Set("entered_at", db.Instant(s.EnteredAt))
                .Set("exited_at", db.Instant(s.ExitedAt)).Set("closed_by", s.ClosedBy?.ToString())
                .Set("entry_sighting_id", s.EntrySightingId).Set("exit_sighting_id", s.ExitSightingId).Set("entry_lane", s.EntryLane)
                .Set("exit_lane", s.ExitLane).Set("anomalies", s.Anomalies == ParkingAnomalies.None ? "" : s.Anomalies.ToString())
                .Set("json_merged", LogJson.Serialize(s.MergedSessionIds)).Set("sort_at", db.Instant(s.EnteredAt ?? s.ExitedAt ?? s.UpdatedAt))
                .Set("updated_at", db.Instant(s.UpdatedAt)).Set("seq", seq).RunAsync(ct);
        }

        foreach (var (v, seq) in visits.Values)
        {
            await sql[UpsertVisit].Set("id", v.Id).Set("site", site.Value).Set("bay", v.Bay).Set("plate", v.Plate).Set("plate_raw", v.PlateRaw)
                .Set("parking_session_id", v.ParkingSessionId).Set("started_at", db.Instant(v.StartedAt)).Set("last_seen_at", db.Instant(v.LastSeenAt))
                .Set("ended_at", db.Instant(v.EndedAt)).Set("end_reason", v.EndReason?.ToString()).Set("sighting_id", v.SightingId).Set("seq", seq).RunAsync(ct);
        }

        foreach (var (a, seq) in anomalies.Values)
        {
            await sql[UpsertAnomaly].Set("id", a.Id).Set("site", site.Value).Set("kind", a.Kind.ToString()).Set("at", db.Instant(a.At))
                .Set("plate", a.Plate).Set("camera", a.Camera).Set("sighting_id", a.SightingId).Set("parking_session_id", a.ParkingSessionId)
                .Set("json_candidates", LogJson.Serialize(a.Candidates)).Set("detail", a.Detail).Set("resolved", a.Resolved)
                .Set("resolution", a.Resolution).Set("seq", seq).RunAsync(ct);
        }
    }
}
