using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Projections;

/// <summary>Commands to chargers, each as it stands after the append.</summary>
internal static class CommandProjection
{
    private const string UpsertCommand = """
        INSERT INTO commands (id, site_id, charger_id, type, status, origin, requested_at, completed_at, charging_session_id,
            request_seq, document, updated_seq)
        VALUES (@id, @site, @charger, @type, @status, @origin, @requested_at, @completed_at, @charging_session_id,
            @request_seq, @json_document, @seq)
        ON CONFLICT (id) DO UPDATE SET
            status = excluded.status, completed_at = excluded.completed_at, charging_session_id = excluded.charging_session_id,
            document = excluded.document, updated_seq = excluded.updated_seq
        """;

    public static async Task WriteAsync(RowRecorder sql, SiteId site, IEnumerable<(long Seq, SiteChanges Changes)> changes, CancellationToken ct)
    {
        var db = sql.Database;
        var latest = new Dictionary<string, (ChargerCommand Command, long Seq)>(StringComparer.Ordinal);
        foreach (var (seq, c) in changes)
        {
            foreach (var command in c.Commands)
            {
                latest[command.Id] = (command, seq);
            }
        }

        foreach (var (command, seq) in latest.Values)
        {
            await sql[UpsertCommand]
                .Set("id", command.Id).Set("site", site.Value).Set("charger", command.Charger.Value).Set("type", command.Type.ToString())
                .Set("status", command.Status.ToString()).Set("origin", command.Origin.ToString())
                .Set("requested_at", db.Instant(command.RequestedAt)).Set("completed_at", db.Instant(command.CompletedAt))
                .Set("charging_session_id", command.ChargingSessionId).Set("request_seq", command.RequestSeq)
                .Set("json_document", LogJson.Serialize(command)).Set("seq", seq)
                .RunAsync(ct);
        }
    }
}
