using System.Data.Common;
using System.Text;

using ParkCharge.Core.Charging;

namespace ParkCharge.Storage.Queries;

/// <summary>Which sessions to list: by charger and/or site, overlapping a time range, newest first.</summary>
public sealed record ChargingSessionFilter
{
    public string? ChargerId { get; init; }

    public string? SiteId { get; init; }

    /// <summary>Sessions that were still going at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Sessions that started before this instant.</summary>
    public DateTimeOffset? To { get; init; }

    public int Limit { get; init; } = 50;

    /// <summary>The <c>next</c> cursor of the previous page.</summary>
    public string? Cursor { get; init; }
}

/// <summary>Reads of the charging-session projection.</summary>
public sealed class ChargingSessionQueries(Database database)
{
    /// <summary>How far around a session its connector's status timeline is shown (Preparing before, Finishing after).</summary>
    public static readonly TimeSpan TimelineMargin = TimeSpan.FromMinutes(10);

    private const string Columns = """
        id, site_id, charger_id, ocpp_version, transaction_id, evse_id, connector_id, status, id_token, id_token_type,
        started_at, stopped_at, stop_reason, meter_start_wh, meter_stop_wh, energy_wh, energy_method, charging_state,
        remote_start_id, last_power_w, last_soc_percent, anomalies, missing_seq_nos, first_received_at, last_received_at,
        last_event_at
        """;

    /// <summary>
    /// Sessions newest first by start (a session whose start is unknown sorts by when it was first
    /// heard of). Keyset paging: the cursor is the sort key of the last row.
    /// </summary>
    public async Task<ResultPage<ChargingSessionRecord>> ListAsync(ChargingSessionFilter filter, CancellationToken ct)
    {
        var limit = Math.Clamp(filter.Limit, 1, 500);
        var sql = new StringBuilder($"SELECT {Columns} FROM charging_sessions WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        if (filter.ChargerId is not null)
        {
            sql.Append(" AND charger_id = @charger");
            command.With("charger", filter.ChargerId);
        }

        if (filter.SiteId is not null)
        {
            sql.Append(" AND site_id = @site");
            command.With("site", filter.SiteId);
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND (stopped_at IS NULL OR stopped_at >= @from)");
            command.With("from", database.Instant(from));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND COALESCE(started_at, first_received_at) < @to");
            command.With("to", database.Instant(to));
        }

        var page = await KeysetCursor.PageAsync(
            database, command, sql, filter.Cursor, limit, ("COALESCE(started_at, first_received_at)", "id"), Read, s => (s.StartedAt ?? s.FirstReceivedAt, s.Id), ct);
        var bindings = await BindingsAsync(connection, page.Items.Select(s => s.Id).ToList(), ct);
        return page with { Items = [.. page.Items.Select(s => s with { Binding = bindings.GetValueOrDefault(s.Id) })] };
    }

    /// <summary>The bindings of the listed sessions, in one query (a list shows each session's binding as the single view does).</summary>
    private async Task<Dictionary<string, BindingRecord>> BindingsAsync(DbConnection connection, List<string> ids, CancellationToken ct)
    {
        var bindings = new Dictionary<string, BindingRecord>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return bindings;
        }

        await using var command = connection.Command(
            $"SELECT {BindingQueries.Columns} FROM charging_bindings WHERE charging_session_id IN ({string.Join(", ", ids.Select((_, i) => $"@id{i}"))})");
        for (var i = 0; i < ids.Count; i++)
        {
            command.With($"id{i}", ids[i]);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var binding = BindingQueries.Read(database, reader);
            bindings[binding.ChargingSessionId] = binding;
        }

        return bindings;
    }

    /// <summary>One session with its meter values and its connector's status timeline.</summary>
    public async Task<ChargingSessionRecord?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        ChargingSessionRecord? session = null;
        await using (var command = connection.Command($"SELECT {Columns} FROM charging_sessions WHERE id = @id").With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                session = Read(reader);
            }
        }

        if (session is null)
        {
            return null;
        }

        var samples = new List<MeterValueRecord>();
        await using (var command = connection.Command("""
            SELECT timestamp, measurand, value, unit, phase, location, context FROM meter_samples
            WHERE session_id = @id ORDER BY timestamp, id
            """).With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                samples.Add(new MeterValueRecord(
                    database.ReadInstant(reader, 0), reader.GetString(1), database.ReadNumber(reader, 2), reader.GetString(3),
                    reader.StringOrNull(4), reader.StringOrNull(5), reader.StringOrNull(6)));
            }
        }

        IReadOnlyList<StatusEntryRecord> timeline = [];
        if (session.StartedAt is { } startedAt)
        {
            var until = (session.StoppedAt ?? session.LastEventAt ?? startedAt) + TimelineMargin;
            await using var command = connection.Command("""
                SELECT evse_id, connector_id, status, charging_state, event_time, received_at, error_code, info
                FROM connector_status_history
                WHERE charger_id = @charger AND evse_id = @evse AND connector_id = @connector
                  AND event_time >= @from AND event_time <= @to
                ORDER BY event_time, id
                """)
                .With("charger", session.ChargerId).With("evse", session.EvseId ?? -1).With("connector", session.ConnectorId)
                .With("from", database.Instant(startedAt - TimelineMargin)).With("to", database.Instant(until));
            timeline = await ChargerQueries.ReadStatusEntriesAsync(database, command, ct);
        }

        BindingRecord? binding = null;
        await using (var command = connection.Command($"SELECT {BindingQueries.Columns} FROM charging_bindings WHERE charging_session_id = @id").With("id", id))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                binding = BindingQueries.Read(database, reader);
            }
        }

        return session with { MeterValues = samples, StatusTimeline = timeline, Binding = binding };
    }

    /// <summary>The active sessions of a site's chargers: outlet (1.6 connector or 2.0.1 EVSE) and charging state.</summary>
    public async Task<IReadOnlyList<(string ChargerId, int Outlet, string? ChargingState)>> ActiveAsync(string siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT charger_id, evse_id, connector_id, charging_state FROM charging_sessions WHERE site_id = @site AND status = 'Active'
            """).With("site", siteId);
        var active = new List<(string, int, string?)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var evse = reader.GetInt32(1);
            active.Add((reader.GetString(0), evse < 0 ? reader.GetInt32(2) : evse, reader.StringOrNull(3)));
        }

        return active;
    }

    private ChargingSessionRecord Read(DbDataReader r)
    {
        var evse = r.GetInt32(5);
        var anomalies = r.GetString(21);
        var gaps = SeqNoRuns.Parse(r.GetString(22));
        return new ChargingSessionRecord
        {
            Id = r.GetString(0),
            SiteId = r.GetString(1),
            ChargerId = r.GetString(2),
            OcppVersion = ChargerQueries.VersionName(r.GetString(3))!,
            TransactionId = r.GetString(4),
            EvseId = evse < 0 ? null : evse,
            ConnectorId = r.GetInt32(6),
            Status = r.GetString(7),
            IdToken = r.StringOrNull(8),
            IdTokenType = r.StringOrNull(9),
            StartedAt = database.ReadInstantOrNull(r, 10),
            StoppedAt = database.ReadInstantOrNull(r, 11),
            StopReason = r.StringOrNull(12),
            MeterStartWh = database.ReadNumberOrNull(r, 13),
            MeterStopWh = database.ReadNumberOrNull(r, 14),
            EnergyWh = database.ReadNumberOrNull(r, 15),
            EnergyMethod = r.GetString(16),
            ChargingState = r.StringOrNull(17),
            RemoteStartId = r.IntOrNull(18),
            LastPowerW = database.ReadNumberOrNull(r, 19),
            LastSoCPercent = database.ReadNumberOrNull(r, 20),
            Anomalies = anomalies.Length == 0 ? [] : anomalies.Split(", "),
            MissingSeqNos = SeqNoRuns.Listed(gaps),
            MissingSeqNoRanges = [.. gaps.Select(g => new SeqNoRangeRecord(g.First, g.Last, g.Count))],
            MissingSeqNoCount = SeqNoLedger.Count(gaps),
            FirstReceivedAt = database.ReadInstant(r, 23),
            LastReceivedAt = database.ReadInstant(r, 24),
            LastEventAt = database.ReadInstantOrNull(r, 25),
        };
    }

    /// <summary>Anomaly names as the API lists them.</summary>
    public static IReadOnlyList<string> AnomalyNames(ChargingAnomalies anomalies) =>
        anomalies == ChargingAnomalies.None ? [] : anomalies.ToString().Split(", ");
}
