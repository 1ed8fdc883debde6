namespace ParkCharge.Storage.Upstreams;

/// <summary>A charger message waiting for its backend: its place in the queue, its action and its payload as the charger sent it.</summary>
/// <param name="LocalTransactionId">For a 1.6 StartTransaction ParkCharge answered itself: the transaction id it gave the charger.</param>
public sealed record QueuedMessage(long Seq, string ChargerId, string Upstream, string Action, string Payload, int? LocalTransactionId, DateTimeOffset QueuedAt);

/// <summary>
/// Proxy mode's durable queue (DESIGN.md §6): the charger messages ParkCharge answered itself while the
/// primary backend was away, appended before the charger got its answer and removed only once the backend
/// answered them, so a crash loses none; and the 1.6 transaction ids mapped both ways once the backend
/// issued its own for a transaction ParkCharge started.
/// </summary>
public sealed class UpstreamQueue(Database database)
{
    /// <summary>Appends a message; it is durable when this completes.</summary>
    public async Task<long> AppendAsync(string chargerId, string upstream, string action, string payload, int? localTransactionId, DateTimeOffset queuedAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO upstream_queue (charger_id, upstream, action, payload, local_transaction_id, queued_at)
            VALUES (@charger, @upstream, @action, @payload, @local, @queued_at)
            RETURNING seq
            """);
        command.With("charger", chargerId).With("upstream", upstream).With("action", action).With("payload", payload)
            .With("local", localTransactionId).With("queued_at", database.Instant(queuedAt));
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The oldest messages waiting for the charger's upstream, in order.</summary>
    public async Task<IReadOnlyList<QueuedMessage>> PeekAsync(string chargerId, string upstream, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT seq, charger_id, upstream, action, payload, local_transaction_id, queued_at FROM upstream_queue
            WHERE charger_id = @charger AND upstream = @upstream ORDER BY seq LIMIT @limit
            """).With("charger", chargerId).With("upstream", upstream).With("limit", limit);
        var messages = new List<QueuedMessage>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            messages.Add(new QueuedMessage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt32(5), database.ReadInstant(reader, 6)));
        }

        return messages;
    }

    public async Task<int> CountAsync(string chargerId, string upstream, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT COUNT(*) FROM upstream_queue WHERE charger_id = @charger AND upstream = @upstream")
            .With("charger", chargerId).With("upstream", upstream);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The backend has the message: it leaves the queue, and (for a StartTransaction ParkCharge answered)
    /// the backend's transaction id is mapped to ParkCharge's, in one transaction.
    /// </summary>
    public async Task DeliveredAsync(QueuedMessage message, int? backendTransactionId, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (message.LocalTransactionId is { } local && backendTransactionId is { } backend)
        {
            await using var map = connection.Command("""
                INSERT INTO upstream_transaction_ids (charger_id, upstream, local_id, backend_id, mapped_at)
                VALUES (@charger, @upstream, @local, @backend, @at)
                ON CONFLICT (charger_id, upstream, local_id) DO UPDATE SET backend_id = excluded.backend_id, mapped_at = excluded.mapped_at
                """, transaction);
            map.With("charger", message.ChargerId).With("upstream", message.Upstream).With("local", local).With("backend", backend).With("at", database.Instant(at));
            await map.ExecuteNonQueryAsync(ct);
        }

        await using (var delete = connection.Command("DELETE FROM upstream_queue WHERE seq = @seq", transaction).With("seq", message.Seq))
        {
            await delete.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>The charger's 1.6 transaction ids mapped for the upstream: ParkCharge's (local) to the backend's.</summary>
    public async Task<IReadOnlyDictionary<int, int>> TransactionIdsAsync(string chargerId, string upstream, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT local_id, backend_id FROM upstream_transaction_ids WHERE charger_id = @charger AND upstream = @upstream")
            .With("charger", chargerId).With("upstream", upstream);
        var map = new Dictionary<int, int>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            map[reader.GetInt32(0)] = reader.GetInt32(1);
        }

        return map;
    }

    /// <summary>Notes how a backend answered for an id token (accepted or not), replacing what it said before.</summary>
    public async Task LearnTokenAsync(string upstreamUrl, string idToken, bool accepted, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO upstream_tokens (upstream_url, id_token, accepted, learnt_at) VALUES (@url, @token, @accepted, @at)
            ON CONFLICT (upstream_url, id_token) DO UPDATE SET accepted = excluded.accepted, learnt_at = excluded.learnt_at
            """);
        command.With("url", upstreamUrl).With("token", idToken).With("accepted", accepted ? 1 : 0).With("at", database.Instant(at));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Whether the backend at <paramref name="upstreamUrl"/> last accepted <paramref name="idToken"/>.</summary>
    public async Task<bool> TokenAcceptedAsync(string upstreamUrl, string idToken, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT accepted FROM upstream_tokens WHERE upstream_url = @url AND id_token = @token")
            .With("url", upstreamUrl).With("token", idToken);
        return await command.ExecuteScalarAsync(ct) is { } accepted and not DBNull && Convert.ToInt32(accepted, System.Globalization.CultureInfo.InvariantCulture) == 1;
    }
}
