using ParkCharge.Core.Charging;

namespace ParkCharge.Storage.Queries;

/// <summary>Reads of the per-charger message log, newest first.</summary>
public sealed class MessageLogQueries(Database database)
{
    public async Task<ResultPage<MessageRecord>> ListAsync(ChargerId charger, long? before, int limit, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 1_000);
        await using var connection = await database.OpenAsync(ct);
        var filter = before is null ? "" : "AND id < @before";
        await using var command = connection.Command($"""
            SELECT id, at, direction, connection_id, message_type, message_id, action, error_code, frame FROM message_log
            WHERE charger_id = @charger {filter} ORDER BY id DESC LIMIT @limit
            """).With("charger", charger.Value).WithWhen(before is not null, "before", before).With("limit", limit + 1);
        var items = new List<MessageRecord>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new MessageRecord(
                    reader.GetInt64(0), database.ReadInstant(reader, 1), reader.GetString(2), reader.StringOrNull(3),
                    reader.IntOrNull(4), reader.StringOrNull(5), reader.StringOrNull(6), reader.StringOrNull(7), reader.GetString(8)));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new ResultPage<MessageRecord>(items, next);
    }
}
