using System.Data.Common;
using System.Globalization;

namespace ParkCharge.Storage.ApiKeys;

/// <summary>An API key as stored: only the hash of the secret is kept (DESIGN.md §7).</summary>
public sealed record ApiKeyRecord(string Id, string Name, string Role, string KeyHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    /// <summary>CIDR ranges the key may be used from (a single address is a /32 or /128); empty: any address.</summary>
    public IReadOnlyList<string> AllowedAddresses { get; init; } = [];

    /// <summary>After this instant the key is refused; null: it does not expire.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the key was last seen (to within the server's key cache period, a minute).</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>Who created it: an admin key's name and id, the command line, or the node at start.</summary>
    public string? CreatedBy { get; init; }

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is not { } expires || expires > now);
}

/// <summary>
/// API keys. They are not site data, so they live beside the log rather than in it; every key
/// is kept with its hash, role, allow-list and lifetime.
/// </summary>
public sealed class ApiKeyStore(Database database)
{
    private const string Columns = "id, name, role, key_hash, created_at, revoked_at, allowed_addresses, expires_at, last_used_at, created_by";

    public async Task CreateAsync(ApiKeyRecord key, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO api_keys (id, name, role, key_hash, created_at, allowed_addresses, expires_at, created_by)
            VALUES (@id, @name, @role, @hash, @created, @allowed, @expires, @by)
            """).With("id", key.Id).With("name", key.Name).With("role", key.Role).With("hash", key.KeyHash)
            .With("created", database.Instant(key.CreatedAt))
            .With("allowed", key.AllowedAddresses.Count == 0 ? null : string.Join(',', key.AllowedAddresses))
            .With("expires", database.Instant(key.ExpiresAt))
            .With("by", key.CreatedBy);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM api_keys WHERE key_hash = @hash").With("hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Stores the key's hash in another form (an older form is replaced the first time the key is used).</summary>
    public async Task RehashAsync(string id, string keyHash, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("UPDATE api_keys SET key_hash = @hash WHERE id = @id").With("hash", keyHash).With("id", id);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM api_keys WHERE id = @id").With("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Every key, revoked ones too, oldest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command($"SELECT {Columns} FROM api_keys ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(ct);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(ct))
        {
            keys.Add(Read(reader));
        }

        return keys;
    }

    /// <summary>Revokes the key; false when it was already revoked or does not exist (the first revocation time stays).</summary>
    public async Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL")
            .With("id", id).With("at", database.Instant(at));
        return await command.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Records that the key was used (callers throttle this: it is a write).</summary>
    public async Task TouchAsync(string id, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("UPDATE api_keys SET last_used_at = @at WHERE id = @id")
            .With("id", id).With("at", database.Instant(at));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>True when at least one key that is not revoked exists.</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture) > 0;
    }

    private ApiKeyRecord Read(DbDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
            database.ReadInstant(reader, 4), database.ReadInstantOrNull(reader, 5))
        {
            AllowedAddresses = reader.StringOrNull(6) is { Length: > 0 } allowed ? allowed.Split(',') : [],
            ExpiresAt = database.ReadInstantOrNull(reader, 7),
            LastUsedAt = database.ReadInstantOrNull(reader, 8),
            CreatedBy = reader.StringOrNull(9),
        };
}
