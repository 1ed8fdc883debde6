using System.Data.Common;

namespace ParkCharge.Storage.Idempotency;

/// <summary>The request an <c>Idempotency-Key</c> was first used for: who, what, on which target, with which body.</summary>
public sealed record IdempotentRequest(string ApiKeyId, string IdempotencyKey, string Method, string Route, string Target, string Fingerprint);

/// <summary>What a key holds: the request it was first used for, and its answer once that was carried out.</summary>
public sealed record IdempotencyRecord(IdempotentRequest Request, DateTimeOffset CreatedAt)
{
    public DateTimeOffset? CompletedAt { get; init; }

    public int? Status { get; init; }

    public string? ContentType { get; init; }

    public string? Location { get; init; }

    public byte[]? Body { get; init; }
}

/// <summary>
/// Idempotency keys of API writes. A key is claimed by inserting it (the primary key makes two
/// simultaneous claims of one key have one winner), completed with the answer, or released when the
/// request was not carried out. Not site data: it lives beside the log.
/// </summary>
public sealed class IdempotencyStore(Database database)
{
    private const string Columns = "api_key_id, idempotency_key, method, route, target, fingerprint, created_at, completed_at, status, content_type, location, body";

    /// <summary>Claims the key for <paramref name="request"/>; false when it holds another claim (one older than <paramref name="expiredBefore"/> is dropped first).</summary>
    public async Task<bool> TryClaimAsync(IdempotentRequest request, DateTimeOffset now, DateTimeOffset expiredBefore, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using (var expired = connection.Command("DELETE FROM idempotency_keys WHERE api_key_id = @key AND idempotency_key = @idem AND created_at < @before")
            .With("key", request.ApiKeyId).With("idem", request.IdempotencyKey).With("before", database.Instant(expiredBefore)))
        {
            await expired.ExecuteNonQueryAsync(ct);
        }

        await using var insert = connection.Command("""
            INSERT INTO idempotency_keys (api_key_id, idempotency_key, method, route, target, fingerprint, created_at)
            VALUES (@key, @idem, @method, @route, @target, @fingerprint, @now)
            ON CONFLICT (api_key_id, idempotency_key) DO NOTHING
            """).With("key", request.ApiKeyId).With("idem", request.IdempotencyKey).With("method", request.Method).With("route", request.Route)
            .With("target", request.Target).With("fingerprint", request.Fingerprint).With("now", database.Instant(now));
        return await insert.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IdempotencyRecord?> GetAsync(string apiKeyId, string idempotencyKey, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM idempotency_keys WHERE api_key_id = @key AND idempotency_key = @idem")
            .With("key", apiKeyId).With("idem", idempotencyKey);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Takes over a claim whose request never finished (its node stopped before answering): true when this caller now holds it.</summary>
    public async Task<bool> TakeOverAsync(IdempotencyRecord stale, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            UPDATE idempotency_keys SET created_at = @now
            WHERE api_key_id = @key AND idempotency_key = @idem AND completed_at IS NULL AND created_at = @then
            """).With("key", stale.Request.ApiKeyId).With("idem", stale.Request.IdempotencyKey)
            .With("now", database.Instant(now)).With("then", database.Instant(stale.CreatedAt));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Keeps the answer of the request that was carried out.</summary>
    public async Task CompleteAsync(IdempotentRequest request, int status, string? contentType, string? location, byte[] body, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            UPDATE idempotency_keys SET completed_at = @now, status = @status, content_type = @type, location = @location, body = @body
            WHERE api_key_id = @key AND idempotency_key = @idem
            """).With("key", request.ApiKeyId).With("idem", request.IdempotencyKey).With("now", database.Instant(now))
            .With("status", status).With("type", contentType).With("location", location).With("body", body);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Frees the key: its request was not carried out, so it may be sent again (corrected or not).</summary>
    public async Task ReleaseAsync(IdempotentRequest request, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("DELETE FROM idempotency_keys WHERE api_key_id = @key AND idempotency_key = @idem AND completed_at IS NULL")
            .With("key", request.ApiKeyId).With("idem", request.IdempotencyKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Forgets keys older than <paramref name="before"/>.</summary>
    public async Task PruneAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("DELETE FROM idempotency_keys WHERE created_at < @before").With("before", database.Instant(before));
        await command.ExecuteNonQueryAsync(ct);
    }

    private IdempotencyRecord Read(DbDataReader r) => new(
        new IdempotentRequest(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)),
        database.ReadInstant(r, 6))
    {
        CompletedAt = database.ReadInstantOrNull(r, 7),
        Status = r.IntOrNull(8),
        ContentType = r.StringOrNull(9),
        Location = r.StringOrNull(10),
        Body = r.IsDBNull(11) ? null : r.GetFieldValue<byte[]>(11),
    };
}
