using System.Data.Common;
using System.Globalization;

using ParkCharge.Storage.Json;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Storage.Webhooks;

/// <summary>Whether a subscription is being delivered.</summary>
public static class WebhookStatus
{
    /// <summary>Delivered (or waiting for its next retry).</summary>
    public const string Active = "Active";

    /// <summary>Stopped by someone; events wait at the cursor until it is resumed.</summary>
    public const string Paused = "Paused";

    /// <summary>Stopped because an event failed every attempt (dead letter); events wait at the cursor until it is resumed.</summary>
    public const string Dead = "Dead";
}

/// <summary>A webhook subscription as stored. The secret is kept encrypted; it is only in clear text when it is signed with.</summary>
public sealed record WebhookSubscription
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    public string? Description { get; init; }

    /// <summary>Type patterns (<c>charging.started</c>, <c>charging.*</c>, <c>*</c>).</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary>The sites delivered; empty: every site.</summary>
    public required IReadOnlyList<string> SiteIds { get; init; }

    public required string ProtectedSecret { get; init; }

    /// <summary>One of <see cref="WebhookStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Failed attempts at the event delivery is held at (0 when delivery is healthy).</summary>
    public int Attempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public string? LastError { get; init; }

    public DateTimeOffset? DeadAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The id of the API key that made it (or was given it by an admin); null for subscriptions made before owners were kept.</summary>
    public string? OwnerKeyId { get; init; }

    public bool Covers(string site) => SiteIds.Count == 0 || SiteIds.Contains(site, StringComparer.Ordinal);
}

/// <summary>How far a subscription has delivered a site's events.</summary>
public sealed record WebhookCursor(string Site, long DeliveredSequence);

/// <summary>A requested re-delivery of a range of a site's events.</summary>
public sealed record WebhookReplayRecord(
    long Id,
    string Site,
    long FromSequence,
    long ToSequence,
    long NextSequence,
    DateTimeOffset RequestedAt,
    string RequestedBy,
    DateTimeOffset? CompletedAt);

/// <summary>One attempt to deliver an event, as the delivery log keeps it.</summary>
/// <param name="Kind"><c>live</c> or <c>replay</c>.</param>
/// <param name="Outcome"><c>Delivered</c> (2xx), <c>Failed</c> (to be retried) or <c>Dead</c> (the last attempt failed: the subscription is dead-lettered).</param>
/// <param name="StatusCode">The receiver's HTTP status; null when no answer came (refused, timed out).</param>
public sealed record WebhookDeliveryRecord(
    long Id,
    string Site,
    long Sequence,
    string EventId,
    string EventType,
    string Kind,
    int Attempt,
    DateTimeOffset At,
    int? StatusCode,
    long DurationMs,
    string Outcome,
    string? Error);

/// <summary>
/// Webhook subscriptions and their delivery state: a cursor per site (the last event delivered), the
/// retry state of the event delivery is blocked on, replays, and the delivery log. Not site data, so
/// it lives beside the log; every write is its own short transaction.
/// </summary>
public sealed class WebhookStore(Database database)
{
    private const string Columns = """
        id, url, description, event_types, site_ids, secret, status, attempts, next_attempt_at, last_error, dead_at, created_at, updated_at, owner_key_id
        """;

    public async Task CreateAsync(WebhookSubscription subscription, IReadOnlyDictionary<string, long> startCursors, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = connection.Command($"""
            INSERT INTO webhook_subscriptions ({Columns})
            VALUES (@id, @url, @description, @event_types, @site_ids, @secret, @status, 0, NULL, NULL, NULL, @created_at, @updated_at, @owner)
            """, transaction))
        {
            command.With("id", subscription.Id).With("url", subscription.Url).With("description", subscription.Description).With("owner", subscription.OwnerKeyId)
                .With("secret", subscription.ProtectedSecret).With("status", subscription.Status)
                .With("created_at", database.Instant(subscription.CreatedAt)).With("updated_at", database.Instant(subscription.UpdatedAt));
            database.AddJson(command, "event_types", LogJson.Serialize(subscription.EventTypes));
            database.AddJson(command, "site_ids", LogJson.Serialize(subscription.SiteIds));
            await command.ExecuteNonQueryAsync(ct);
        }

        await StartCursorsAsync(connection, transaction, subscription.Id, startCursors, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Changes what a subscription delivers. Sites it no longer covers lose their cursors; sites it newly
    /// covers start at <paramref name="startCursors"/> (their current end), so a change never floods a
    /// receiver with history (a replay does that on purpose).
    /// </summary>
    public async Task<bool> UpdateAsync(WebhookSubscription subscription, IReadOnlyDictionary<string, long> startCursors, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = connection.Command("""
            UPDATE webhook_subscriptions SET url = @url, description = @description, event_types = @event_types, site_ids = @site_ids,
                secret = @secret, status = @status, updated_at = @updated_at, owner_key_id = @owner
            WHERE id = @id
            """, transaction))
        {
            command.With("id", subscription.Id).With("url", subscription.Url).With("description", subscription.Description).With("owner", subscription.OwnerKeyId)
                .With("secret", subscription.ProtectedSecret).With("status", subscription.Status)
                .With("updated_at", database.Instant(subscription.UpdatedAt));
            database.AddJson(command, "event_types", LogJson.Serialize(subscription.EventTypes));
            database.AddJson(command, "site_ids", LogJson.Serialize(subscription.SiteIds));
            if (await command.ExecuteNonQueryAsync(ct) == 0)
            {
                return false;
            }
        }

        foreach (var cursor in await CursorsAsync(connection, transaction, subscription.Id, ct))
        {
            if (!subscription.Covers(cursor.Site))
            {
                await using var drop = connection.Command("DELETE FROM webhook_cursors WHERE subscription_id = @id AND site_id = @site", transaction)
                    .With("id", subscription.Id).With("site", cursor.Site);
                await drop.ExecuteNonQueryAsync(ct);
            }
        }

        await StartCursorsAsync(connection, transaction, subscription.Id, startCursors, ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var table in (string[])["webhook_cursors", "webhook_replays", "webhook_deliveries"])
        {
            await using var command = connection.Command($"DELETE FROM {table} WHERE subscription_id = @id", transaction).With("id", id);
            await command.ExecuteNonQueryAsync(ct);
        }

        int deleted;
        await using (var command = connection.Command("DELETE FROM webhook_subscriptions WHERE id = @id", transaction).With("id", id))
        {
            deleted = await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return deleted > 0;
    }

    public async Task<WebhookSubscription?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM webhook_subscriptions WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM webhook_subscriptions ORDER BY created_at, id");
        var list = new List<WebhookSubscription>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<IReadOnlyList<WebhookCursor>> CursorsAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await CursorsAsync(connection, null, id, ct);
    }

    /// <summary>Pauses or reactivates. Reactivating (also a dead subscription) clears the retry state: the blocked event is tried at once.</summary>
    public async Task<bool> SetStatusAsync(string id, string status, DateTimeOffset now, CancellationToken ct)
    {
        var reset = status == WebhookStatus.Active
            ? ", attempts = 0, next_attempt_at = NULL, dead_at = NULL"
            : "";
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"UPDATE webhook_subscriptions SET status = @status, updated_at = @now{reset} WHERE id = @id")
            .With("id", id).With("status", status).With("now", database.Instant(now));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>
    /// Takes (or keeps) the right to deliver the subscription until <paramref name="until"/>. One node at a
    /// time delivers a subscription, or its events could arrive out of order. A lease that ran out (its node
    /// died) is taken over.
    /// </summary>
    public async Task<bool> TryLeaseAsync(string id, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            UPDATE webhook_subscriptions SET lease_owner = @owner, lease_until = @until
            WHERE id = @id AND (lease_owner IS NULL OR lease_owner = @owner OR lease_until < @now)
            """).With("id", id).With("owner", owner).With("until", database.Instant(until)).With("now", database.Instant(now));
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    /// <summary>Gives the lease up (the node stops), so another node need not wait for it to run out.</summary>
    public async Task ReleaseLeasesAsync(string owner, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("UPDATE webhook_subscriptions SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner")
            .With("owner", owner);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Records a delivered event and moves past it in one transaction: the site's cursor (live) or the
    /// replay's position, and the retry state is cleared.
    /// </summary>
    public async Task RecordDeliveredAsync(string id, WebhookDeliveryRecord delivery, WebhookReplayRecord? replay, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await InsertDeliveryAsync(connection, transaction, id, delivery, ct);
        if (replay is null)
        {
            await MoveCursorAsync(connection, transaction, id, delivery.Site, delivery.Sequence, ct);
        }
        else
        {
            await MoveReplayAsync(connection, transaction, replay.Id, delivery.Sequence + 1, null, ct);
        }

        await using (var command = connection.Command("""
            UPDATE webhook_subscriptions SET attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE id = @id AND attempts > 0
            """, transaction).With("id", id))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Records a failed attempt: the event stays where it is, to be tried again at <paramref name="nextAttemptAt"/>;
    /// with <paramref name="dead"/> the subscription stops (dead letter) until it is resumed.
    /// </summary>
    public async Task RecordFailedAsync(string id, WebhookDeliveryRecord delivery, DateTimeOffset? nextAttemptAt, bool dead, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await InsertDeliveryAsync(connection, transaction, id, delivery, ct);
        var status = dead ? ", status = @dead, dead_at = @at, updated_at = @at" : "";
        await using (var command = connection.Command($"""
            UPDATE webhook_subscriptions SET attempts = @attempts, next_attempt_at = @next, last_error = @error{status}
            WHERE id = @id AND status = @active
            """, transaction))
        {
            command.With("id", id).With("attempts", delivery.Attempt).With("next", database.Instant(nextAttemptAt))
                .With("error", delivery.Error).With("active", WebhookStatus.Active)
                .WithWhen(dead, "dead", WebhookStatus.Dead).WithWhen(dead, "at", database.Instant(delivery.At));
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>Moves a site's cursor past events the subscription does not want.</summary>
    public async Task AdvanceCursorAsync(string id, string site, long seq, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await MoveCursorAsync(connection, null, id, site, seq, ct);
    }

    public async Task<WebhookReplayRecord> AddReplayAsync(string id, string site, long from, long to, DateTimeOffset at, string by, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO webhook_replays (subscription_id, site_id, from_seq, to_seq, next_seq, requested_at, requested_by)
            VALUES (@id, @site, @from, @to, @from, @at, @by) RETURNING id
            """).With("id", id).With("site", site).With("from", from).With("to", to).With("at", database.Instant(at)).With("by", by);
        var replayId = Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        return new WebhookReplayRecord(replayId, site, from, to, from, at, by, null);
    }

    /// <summary>Replays not yet finished, oldest first.</summary>
    public async Task<IReadOnlyList<WebhookReplayRecord>> PendingReplaysAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT id, site_id, from_seq, to_seq, next_seq, requested_at, requested_by, completed_at FROM webhook_replays
            WHERE subscription_id = @id AND completed_at IS NULL ORDER BY id
            """).With("id", id);
        var list = new List<WebhookReplayRecord>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new WebhookReplayRecord(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                database.ReadInstant(reader, 5), reader.GetString(6), database.ReadInstantOrNull(reader, 7)));
        }

        return list;
    }

    /// <summary>Moves a replay past events it does not deliver; with <paramref name="completedAt"/> it is finished.</summary>
    public async Task AdvanceReplayAsync(long replayId, long nextSeq, DateTimeOffset? completedAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await MoveReplayAsync(connection, null, replayId, nextSeq, completedAt, ct);
    }

    /// <summary>The delivery log, newest first; <paramref name="before"/> is the previous page's <c>next</c>.</summary>
    public async Task<ResultPage<WebhookDeliveryRecord>> DeliveriesAsync(string id, long? before, int limit, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 1_000);
        await using var connection = await database.OpenAsync(ct);
        var filter = before is null ? "" : "AND id < @before";
        await using var command = connection.Command($"""
            SELECT id, site_id, seq, event_id, event_type, kind, attempt, at, status_code, duration_ms, outcome, error
            FROM webhook_deliveries WHERE subscription_id = @id {filter} ORDER BY id DESC LIMIT @limit
            """).With("id", id).WithWhen(before is not null, "before", before).With("limit", limit + 1);
        var items = new List<WebhookDeliveryRecord>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new WebhookDeliveryRecord(
                    reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                    reader.GetInt32(6), database.ReadInstant(reader, 7), reader.IntOrNull(8), reader.GetInt64(9), reader.GetString(10), reader.StringOrNull(11)));
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = items[^1].Id.ToString(CultureInfo.InvariantCulture);
        }

        return new ResultPage<WebhookDeliveryRecord>(items, next);
    }

    /// <summary>Forgets delivery attempts older than <paramref name="cutoff"/>.</summary>
    public async Task<int> PruneDeliveriesAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("DELETE FROM webhook_deliveries WHERE at < @cutoff").With("cutoff", database.Instant(cutoff));
        return await command.ExecuteNonQueryAsync(ct);
    }

    private WebhookSubscription Read(DbDataReader r) => new()
    {
        Id = r.GetString(0),
        Url = r.GetString(1),
        Description = r.StringOrNull(2),
        EventTypes = LogJson.DeserializeStrings(r.GetString(3)),
        SiteIds = LogJson.DeserializeStrings(r.GetString(4)),
        ProtectedSecret = r.GetString(5),
        Status = r.GetString(6),
        Attempts = r.GetInt32(7),
        NextAttemptAt = database.ReadInstantOrNull(r, 8),
        LastError = r.StringOrNull(9),
        DeadAt = database.ReadInstantOrNull(r, 10),
        CreatedAt = database.ReadInstant(r, 11),
        UpdatedAt = database.ReadInstant(r, 12),
        OwnerKeyId = r.StringOrNull(13),
    };

    private static async Task<IReadOnlyList<WebhookCursor>> CursorsAsync(DbConnection connection, DbTransaction? transaction, string id, CancellationToken ct)
    {
        await using var command = connection.Command("SELECT site_id, delivered_seq FROM webhook_cursors WHERE subscription_id = @id ORDER BY site_id", transaction)
            .With("id", id);
        var list = new List<WebhookCursor>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new WebhookCursor(reader.GetString(0), reader.GetInt64(1)));
        }

        return list;
    }

    private static async Task StartCursorsAsync(DbConnection connection, DbTransaction transaction, string id, IReadOnlyDictionary<string, long> cursors, CancellationToken ct)
    {
        foreach (var (site, seq) in cursors)
        {
            await using var command = connection.Command("""
                INSERT INTO webhook_cursors (subscription_id, site_id, delivered_seq) VALUES (@id, @site, @seq)
                ON CONFLICT (subscription_id, site_id) DO NOTHING
                """, transaction).With("id", id).With("site", site).With("seq", seq);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task MoveCursorAsync(DbConnection connection, DbTransaction? transaction, string id, string site, long seq, CancellationToken ct)
    {
        await using var command = connection.Command("""
            INSERT INTO webhook_cursors (subscription_id, site_id, delivered_seq) VALUES (@id, @site, @seq)
            ON CONFLICT (subscription_id, site_id) DO UPDATE SET delivered_seq = excluded.delivered_seq
            WHERE webhook_cursors.delivered_seq < excluded.delivered_seq
            """, transaction).With("id", id).With("site", site).With("seq", seq);
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task MoveReplayAsync(DbConnection connection, DbTransaction? transaction, long replayId, long nextSeq, DateTimeOffset? completedAt, CancellationToken ct)
    {
        var complete = completedAt is null ? "" : ", completed_at = @completed";
        await using var command = connection.Command($"""
            UPDATE webhook_replays SET next_seq = @next{complete} WHERE id = @id AND next_seq <= @next
            """, transaction).With("id", replayId).With("next", nextSeq).WithWhen(completedAt is not null, "completed", database.Instant(completedAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task InsertDeliveryAsync(DbConnection connection, DbTransaction transaction, string id, WebhookDeliveryRecord d, CancellationToken ct)
    {
        await using var command = connection.Command("""
            INSERT INTO webhook_deliveries (subscription_id, site_id, seq, event_id, event_type, kind, attempt, at, status_code, duration_ms, outcome, error)
            VALUES (@id, @site, @seq, @event_id, @event_type, @kind, @attempt, @at, @status_code, @duration_ms, @outcome, @error)
            """, transaction)
            .With("id", id).With("site", d.Site).With("seq", d.Sequence).With("event_id", d.EventId).With("event_type", d.EventType)
            .With("kind", d.Kind).With("attempt", d.Attempt).With("at", database.Instant(d.At)).With("status_code", d.StatusCode)
            .With("duration_ms", d.DurationMs).With("outcome", d.Outcome).With("error", d.Error);
        await command.ExecuteNonQueryAsync(ct);
    }
}
