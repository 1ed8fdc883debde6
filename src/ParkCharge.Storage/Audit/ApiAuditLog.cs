using System.Globalization;
using System.Text;

using ParkCharge.Storage.Queries;

namespace ParkCharge.Storage.Audit;

/// <summary>
/// One state-changing API call: who (the key), when, what (method and path), the answer's status,
/// from where, and the client's <c>Idempotency-Key</c>. Never the body: it may carry secrets.
/// </summary>
public sealed record ApiAuditRecord
{
    /// <summary>The row's number; 0 for an entry not yet stored.</summary>
    public long Id { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? KeyId { get; init; }

    public string? KeyName { get; init; }

    public string? Role { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    public required int Status { get; init; }

    public string? ClientIp { get; init; }

    public string? IdempotencyKey { get; init; }
}

/// <summary>The audit log of the integration API (table <c>api_audit</c>), newest first when read.</summary>
public sealed class ApiAuditLog(Database database)
{
    /// <summary>Stores an entry; it is durable when this returns.</summary>
    public async Task AppendAsync(ApiAuditRecord entry, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO api_audit (at, key_id, key_name, role, method, path, status, client_ip, idempotency_key)
            VALUES (@at, @key, @name, @role, @method, @path, @status, @ip, @idem)
            """)
            .With("at", database.Instant(entry.At)).With("key", entry.KeyId).With("name", entry.KeyName).With("role", entry.Role)
            .With("method", entry.Method).With("path", entry.Path).With("status", entry.Status)
            .With("ip", entry.ClientIp).With("idem", entry.IdempotencyKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Entries newest first, optionally of one key and within a time range; <paramref name="cursor"/> is a previous page's <c>next</c>.</summary>
    /// <exception cref="ArgumentException">The cursor is not one this log returned.</exception>
    public async Task<ResultPage<ApiAuditRecord>> ListAsync(string? keyId, DateTimeOffset? from, DateTimeOffset? to, int limit, string? cursor, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 500);
        var before = ParseCursor(cursor);
        var sql = new StringBuilder("SELECT id, at, key_id, key_name, role, method, path, status, client_ip, idempotency_key FROM api_audit WHERE 1 = 1");
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        if (keyId is not null)
        {
            sql.Append(" AND key_id = @key");
            command.With("key", keyId);
        }

        if (from is { } f)
        {
            sql.Append(" AND at >= @from");
            command.With("from", database.Instant(f));
        }

        if (to is { } t)
        {
            sql.Append(" AND at < @to");
            command.With("to", database.Instant(t));
        }

        if (before is { } b)
        {
            sql.Append(" AND id < @before");
            command.With("before", b);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit");
        command.With("limit", limit + 1);
        command.CommandText = sql.ToString();
        var items = new List<ApiAuditRecord>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                items.Add(new ApiAuditRecord
                {
                    Id = reader.GetInt64(0),
                    At = database.ReadInstant(reader, 1),
                    KeyId = reader.StringOrNull(2),
                    KeyName = reader.StringOrNull(3),
                    Role = reader.StringOrNull(4),
                    Method = reader.GetString(5),
                    Path = reader.GetString(6),
                    Status = reader.GetInt32(7),
                    ClientIp = reader.StringOrNull(8),
                    IdempotencyKey = reader.StringOrNull(9),
                });
            }
        }

        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = Convert.ToBase64String(Encoding.UTF8.GetBytes("audit|" + items[^1].Id.ToString(CultureInfo.InvariantCulture)));
        }

        return new ResultPage<ApiAuditRecord>(items, next);
    }

    private static long? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            if (text.StartsWith("audit|", StringComparison.Ordinal) && long.TryParse(text.AsSpan("audit|".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor));
    }
}
