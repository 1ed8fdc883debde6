using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Storage.Projections;

/// <summary>
/// Writes a site's appended observations, their events and the projections they change, inside the
/// caller's transaction (DESIGN.md §1.3–1.4): every read is consistent with the log.
/// </summary>
internal static class ProjectionWriter
{
    private const string InsertObservation = """
        INSERT INTO observations (site_id, seq, key, source, kind, event_time, received_at, payload, reply)
        VALUES (@site, @seq, @key, @source, @kind, @event_time, @received_at, @json_payload, @json_reply)
        """;

    private const string InsertEvent = """
        INSERT INTO events (site_id, seq, id, observation_seq, type, event_time, recorded_at, payload)
        VALUES (@site, @seq, @id, @observation_seq, @type, @event_time, @recorded_at, @json_payload)
        """;

    private const string UpsertCharger = """
        INSERT INTO chargers (id, site_id, display_name, password_hash, security_profile, registered_at, vendor, model,
            serial_number, firmware_version, last_boot_at, ocpp_version, connection_id, connected_node, connected_at,
            remote_address, last_disconnected_at, last_disconnect_reason, updated_seq)
        VALUES (@id, @site, @display_name, @password_hash, @security_profile, @registered_at, @vendor, @model,
            @serial_number, @firmware_version, @last_boot_at, @ocpp_version, @connection_id, @connected_node, @connected_at,
            @remote_address, @last_disconnected_at, @last_disconnect_reason, @seq)
        ON CONFLICT (id) DO UPDATE SET
            site_id = excluded.site_id, display_name = excluded.display_name, password_hash = excluded.password_hash,
            security_profile = excluded.security_profile, registered_at = excluded.registered_at, vendor = excluded.vendor,
            model = excluded.model, serial_number = excluded.serial_number, firmware_version = excluded.firmware_version,
            last_boot_at = excluded.last_boot_at, ocpp_version = excluded.ocpp_version, connection_id = excluded.connection_id,
            connected_node = excluded.connected_node, connected_at = excluded.connected_at, remote_address = excluded.remote_address,
            last_disconnected_at = excluded.last_disconnected_at, last_disconnect_reason = excluded.last_disconnect_reason,
            updated_seq = excluded.updated_seq
        """;

    private const string UpsertConnector = """
        INSERT INTO connectors (charger_id, evse_id, connector_id, status, since, error_code, info, vendor_error_code)
        VALUES (@charger, @evse, @connector, @status, @since, @error_code, @info, @vendor_error_code)
        ON CONFLICT (charger_id, evse_id, connector_id) DO UPDATE SET
            status = excluded.status, since = excluded.since, error_code = excluded.error_code,
            info = excluded.info, vendor_error_code = excluded.vendor_error_code
        """;

    private const string InsertStatus = """
        INSERT INTO connector_status_history (site_id, charger_id, evse_id, connector_id, status, charging_state,
            error_code, info, vendor_error_code, event_time, received_at, seq)
        VALUES (@site, @charger, @evse, @connector, @status, @charging_state, @error_code, @info, @vendor_error_code,
            @event_time, @received_at, @seq)
        """;

    private const string UpsertSession = """
        INSERT INTO charging_sessions (id, site_id, charger_id, ocpp_version, transaction_id, evse_id, connector_id, status,
            id_token, id_token_type, started_at, stopped_at, stop_reason, meter_start_wh, meter_stop_wh, energy_wh,
            energy_method, charging_state, remote_start_id, last_power_w, last_soc_percent, anomalies, missing_seq_nos,
            first_received_at, last_received_at, last_event_at, updated_seq)
        VALUES (@id, @site, @charger, @version, @transaction_id, @evse, @connector, @status,
            @id_token, @id_token_type, @started_at, @stopped_at, @stop_reason, @meter_start_wh, @meter_stop_wh, @energy_wh,
            @energy_method, @charging_state, @remote_start_id, @last_power_w, @last_soc_percent, @anomalies, @missing_seq_nos,
            @first_received_at, @last_received_at, @last_event_at, @seq)
        ON CONFLICT (id) DO UPDATE SET
            evse_id = excluded.evse_id, connector_id = excluded.connector_id, status = excluded.status,
            id_token = excluded.id_token, id_token_type = excluded.id_token_type, started_at = excluded.started_at,
            stopped_at = excluded.stopped_at, stop_reason = excluded.stop_reason, meter_start_wh = excluded.meter_start_wh,
            meter_stop_wh = excluded.meter_stop_wh, energy_wh = excluded.energy_wh, energy_method = excluded.energy_method,
            charging_state = excluded.charging_state, remote_start_id = excluded.remote_start_id,
            last_power_w = excluded.last_power_w, last_soc_percent = excluded.last_soc_percent,
            anomalies = excluded.anomalies, missing_seq_nos = excluded.missing_seq_nos,
            last_received_at = excluded.last_received_at, last_event_at = excluded.last_event_at, updated_seq = excluded.updated_seq
        """;

    private const string InsertSecurityEvent = """
        INSERT INTO charger_security_events (id, site_id, charger_id, type, occurred_at, tech_info, received_at, seq)
        VALUES (@id, @site, @charger, @type, @occurred_at, @tech_info, @received_at, @seq)
        """;

    private const string InsertSettlement = """
        INSERT INTO charger_settlements (id, site_id, charger_id, transaction_id, psp_reference, status, amount, currency, settled_at,
            outcome, reason, parking_session_id, payment_id, received_at, seq)
        VALUES (@id, @site, @charger, @transaction, @psp, @status, @amount, @currency, @settled_at,
            @outcome, @reason, @parking_session, @payment, @received_at, @seq)
        """;

    private const string InsertSample = """
        INSERT INTO meter_samples (session_id, timestamp, measurand, value, unit, phase, location, context, seq)
        VALUES (@session, @timestamp, @measurand, @value, @unit, @phase, @location, @context, @seq)
        """;

    public static async Task WriteAsync(RowRecorder sql, SiteAppend append, CancellationToken ct)
    {
        var db = sql.Database;
        var site = append.Site.Value;
        var chargers = new Dictionary<ChargerId, (ChargerState State, long Seq)>();
        var sessions = new Dictionary<string, (ChargingSession Session, long Seq)>(StringComparer.Ordinal);
        foreach (var (seq, observation, decision, firstEventSeq) in append.Entries)
        {
            await sql[InsertObservation]
                .Set("site", site).Set("seq", seq).Set("key", observation.Key).Set("source", observation.Source)
                .Set("kind", observation.Payload.Kind)
                .Set("event_time", db.Instant(observation.EventTime)).Set("received_at", db.Instant(observation.ReceivedAt))
                .Set("json_payload", LogJson.Serialize(observation.Payload)).Set("json_reply", LogJson.Serialize(decision.Reply))
                .RunAsync(ct);

            for (var i = 0; i < decision.Events.Count; i++)
            {
                var e = decision.Events[i];
                var eventSeq = firstEventSeq + i;
                await sql[InsertEvent]
                    .Set("site", site).Set("seq", eventSeq).Set("id", Ids.Event(append.Site, eventSeq)).Set("observation_seq", seq)
                    .Set("type", e.Type).Set("event_time", db.Instant(e.EventTime)).Set("recorded_at", db.Instant(observation.ReceivedAt))
                    .Set("json_payload", LogJson.Serialize(e))
                    .RunAsync(ct);
                if (e is ChargerSecurityEvent security)
                {
                    await sql[InsertSecurityEvent]
                        .Set("id", Ids.Event(append.Site, eventSeq)).Set("site", site).Set("charger", security.Charger.Value)
                        .Set("type", security.SecurityEventType).Set("occurred_at", db.Instant(security.OccurredAt)).Set("tech_info", security.TechInfo)
                        .Set("received_at", db.Instant(observation.ReceivedAt)).Set("seq", eventSeq)
                        .RunAsync(ct);
                }

                if (e is SettlementReceived settlement)
                {
                    await sql[InsertSettlement]
                        .Set("id", Ids.Event(append.Site, eventSeq)).Set("site", site).Set("charger", settlement.Charger.Value)
                        .Set("transaction", settlement.TransactionId).Set("psp", settlement.PspReference).Set("status", settlement.Status)
                        .Set("amount", db.Number(settlement.Amount)).Set("currency", settlement.Currency).Set("settled_at", db.Instant(settlement.SettledAt))
                        .Set("outcome", settlement.Outcome).Set("reason", settlement.Reason).Set("parking_session", settlement.ParkingSessionId)
                        .Set("payment", settlement.PaymentId).Set("received_at", db.Instant(observation.ReceivedAt)).Set("seq", eventSeq)
                        .RunAsync(ct);
                }
            }

            var changes = decision.Changes;
            foreach (var charger in changes.Chargers)
            {
                chargers[charger.Id] = (charger, seq);
            }

            foreach (var session in changes.Sessions)
            {
                sessions[session.Id] = (session, seq);
            }

            foreach (var entry in changes.StatusEntries)
            {
                await sql[InsertStatus]
                    .Set("site", site).Set("charger", entry.Charger.Value).Set("evse", entry.Connector.Evse ?? -1)
                    .Set("connector", entry.Connector.Connector).Set("status", entry.Status.ToString())
                    .Set("charging_state", entry.ChargingState?.ToString()).Set("error_code", entry.ErrorCode).Set("info", entry.Info)
                    .Set("vendor_error_code", entry.VendorErrorCode).Set("event_time", db.Instant(entry.EventTime))
                    .Set("received_at", db.Instant(entry.ReceivedAt)).Set("seq", seq)
                    .RunAsync(ct);
            }

            foreach (var (sessionId, sample) in changes.NewSamples)
            {
                await sql[InsertSample]
                    .Set("session", sessionId).Set("timestamp", db.Instant(sample.Timestamp)).Set("measurand", sample.Measurand)
                    .Set("value", db.Number(sample.Value)).Set("unit", sample.Unit).Set("phase", sample.Phase)
                    .Set("location", sample.Location).Set("context", sample.Context).Set("seq", seq)
                    .RunAsync(ct);
            }
        }

        foreach (var (charger, seq) in chargers.Values)
        {
            await WriteChargerAsync(sql, charger, seq, ct);
        }

        foreach (var (session, seq) in sessions.Values)
        {
            await WriteSessionAsync(sql, session, seq, ct);
        }

        await ParkingProjection.WriteAsync(sql, append.Site, append.Entries.Select(e => (e.Seq, e.Observation.ReceivedAt, e.Decision.Changes)), ct);
        await BillingProjection.WriteAsync(sql, append.Site, append.Entries.Select(e => (e.Seq, e.Decision.Changes)), ct);
        await CommandProjection.WriteAsync(sql, append.Site, append.Entries.Select(e => (e.Seq, e.Decision.Changes)), ct);
    }

    private static async Task WriteChargerAsync(RowRecorder sql, ChargerState c, long seq, CancellationToken ct)
    {
        var db = sql.Database;
        await sql[UpsertCharger]
            .Set("id", c.Id.Value).Set("site", c.Site.Value).Set("display_name", c.DisplayName).Set("password_hash", c.PasswordHash)
            .Set("security_profile", c.SecurityProfile).Set("registered_at", db.Instant(c.RegisteredAt)).Set("vendor", c.Vendor)
            .Set("model", c.Model).Set("serial_number", c.SerialNumber).Set("firmware_version", c.FirmwareVersion)
            .Set("last_boot_at", db.Instant(c.LastBootAt)).Set("ocpp_version", c.Version?.ToString())
            .Set("connection_id", c.Connection?.ConnectionId).Set("connected_node", c.Connection?.NodeId)
            .Set("connected_at", db.Instant(c.Connection?.ConnectedAt)).Set("remote_address", c.Connection?.RemoteAddress)
            .Set("last_disconnected_at", db.Instant(c.LastDisconnectedAt)).Set("last_disconnect_reason", c.LastDisconnectReason)
            .Set("seq", seq)
            .RunAsync(ct);
        foreach (var connector in c.Connectors)
        {
            await sql[UpsertConnector]
                .Set("charger", c.Id.Value).Set("evse", connector.Connector.Evse ?? -1).Set("connector", connector.Connector.Connector)
                .Set("status", connector.Status.ToString()).Set("since", db.Instant(connector.Since)).Set("error_code", connector.ErrorCode)
                .Set("info", connector.Info).Set("vendor_error_code", connector.VendorErrorCode)
                .RunAsync(ct);
        }
    }

    private static async Task WriteSessionAsync(RowRecorder sql, ChargingSession s, long seq, CancellationToken ct)
    {
        var db = sql.Database;
        var energy = SessionMeter.Energy(s);
        await sql[UpsertSession]
            .Set("id", s.Id).Set("site", s.Site.Value).Set("charger", s.Charger.Value).Set("version", s.Version.ToString())
            .Set("transaction_id", s.TransactionId).Set("evse", s.Connector.Evse ?? -1).Set("connector", s.Connector.Connector)
            .Set("status", s.Status.ToString()).Set("id_token", s.IdToken?.Value).Set("id_token_type", s.IdToken?.Type)
            .Set("started_at", db.Instant(s.StartedAt)).Set("stopped_at", db.Instant(s.StoppedAt)).Set("stop_reason", s.StopReason)
            .Set("meter_start_wh", db.Number(s.MeterStartWh)).Set("meter_stop_wh", db.Number(s.MeterStopWh))
            .Set("energy_wh", db.Number(energy.EnergyWh)).Set("energy_method", energy.Method)
            .Set("charging_state", s.ChargingState?.ToString()).Set("remote_start_id", s.RemoteStartId)
            .Set("last_power_w", db.Number(s.LastPowerW)).Set("last_soc_percent", db.Number(s.LastSoCPercent))
            .Set("anomalies", s.Anomalies == ChargingAnomalies.None ? "" : s.Anomalies.ToString())
            .Set("missing_seq_nos", SeqNoRuns.Format(s.MissingSeqNos))
            .Set("first_received_at", db.Instant(s.FirstReceivedAt)).Set("last_received_at", db.Instant(s.LastReceivedAt))
            .Set("last_event_at", db.Instant(s.LastEventAt)).Set("seq", seq)
            .RunAsync(ct);
    }
}
