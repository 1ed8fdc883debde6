using ParkCharge.Core.Binding;
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
            end_reason, sighting_id, charging_session_ids, ice_detected_at, charging_finished_at, idle_since, source, updated_seq)
        VALUES (@id, @site, @bay, @plate, @plate_raw, @parking_session_id, @started_at, @last_seen_at, @ended_at,
            @end_reason, @sighting_id, @json_charging, @ice_detected_at, @charging_finished_at, @idle_since, @source, @seq)
        ON CONFLICT (id) DO UPDATE SET
            plate = excluded.plate, plate_raw = excluded.plate_raw, parking_session_id = excluded.parking_session_id,
            started_at = excluded.started_at, last_seen_at = excluded.last_seen_at, ended_at = excluded.ended_at,
            end_reason = excluded.end_reason, charging_session_ids = excluded.charging_session_ids,
            ice_detected_at = excluded.ice_detected_at, charging_finished_at = excluded.charging_finished_at,
            idle_since = excluded.idle_since, updated_seq = excluded.updated_seq
        """;

    private const string UpsertBinding = """
        INSERT INTO charging_bindings (charging_session_id, site_id, charger_id, evse_id, connector_id, transaction_id, bay,
            plug_in_at, status, wait_until, plate, parking_session_id, bay_visit_id, method, confidence, offset_ms, evidence,
            candidates, changes, decided_at, tentative, updated_seq)
        VALUES (@id, @site, @charger, @evse, @connector, @transaction_id, @bay,
            @plug_in_at, @status, @wait_until, @plate, @parking_session_id, @bay_visit_id, @method, @confidence, @offset_ms, @json_evidence,
            @json_candidates, @changes, @decided_at, @tentative, @seq)
        ON CONFLICT (charging_session_id) DO UPDATE SET
            evse_id = excluded.evse_id, connector_id = excluded.connector_id, bay = excluded.bay, plug_in_at = excluded.plug_in_at,
            status = excluded.status, wait_until = excluded.wait_until, plate = excluded.plate,
            parking_session_id = excluded.parking_session_id, bay_visit_id = excluded.bay_visit_id, method = excluded.method,
            confidence = excluded.confidence, offset_ms = excluded.offset_ms, evidence = excluded.evidence,
            candidates = excluded.candidates, changes = excluded.changes, decided_at = excluded.decided_at,
            tentative = excluded.tentative, updated_seq = excluded.updated_seq
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
        var bindings = new Dictionary<string, (ChargingBinding, long)>(StringComparer.Ordinal);
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
            c.Bindings.ToList().ForEach(x => bindings[x.ChargingSessionId] = (x, seq));
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
                .Set("ended_at", db.Instant(v.EndedAt)).Set("end_reason", v.EndReason?.ToString()).Set("sighting_id", v.SightingId)
                .Set("json_charging", LogJson.Serialize((IReadOnlyList<string>)v.ChargingSessionIds)).Set("ice_detected_at", db.Instant(v.IceDetectedAt))
                .Set("charging_finished_at", db.Instant(v.ChargingFinishedAt)).Set("idle_since", db.Instant(v.IdleSince)).Set("source", v.Source.ToString()).Set("seq", seq).RunAsync(ct);
        }

        foreach (var (b, seq) in bindings.Values)
        {
            await sql[UpsertBinding].Set("id", b.ChargingSessionId).Set("site", site.Value).Set("charger", b.Charger.Value)
                .Set("evse", b.Connector.Evse ?? -1).Set("connector", b.Connector.Connector).Set("transaction_id", b.TransactionId)
                .Set("bay", b.Bay).Set("plug_in_at", db.Instant(b.PlugInAt)).Set("status", b.Status.ToString())
                .Set("wait_until", db.Instant(b.WaitUntil)).Set("plate", b.Plate).Set("parking_session_id", b.ParkingSessionId)
                .Set("bay_visit_id", b.BayVisitId).Set("method", b.Method?.ToString()).Set("confidence", b.Confidence)
                .Set("offset_ms", b.Offset is { } offset ? (long)offset.TotalMilliseconds : null)
                .Set("json_evidence", LogJson.Serialize((IReadOnlyList<string>)b.Evidence)).Set("json_candidates", LogJson.Serialize((IReadOnlyList<BindingCandidate>)b.Candidates))
                .Set("changes", b.Changes).Set("decided_at", db.Instant(b.DecidedAt)).Set("tentative", b.Tentative).Set("seq", seq).RunAsync(ct);
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
