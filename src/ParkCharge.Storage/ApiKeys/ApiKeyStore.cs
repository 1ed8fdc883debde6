namespace ParkCharge.Storage.ApiKeys;

/// <summary>An API key as stored: only the hash of the secret is kept (DESIGN.md §7).</summary>
public sealed record ApiKeyRecord(string Id, string Name, string Role, string KeyHash, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// API keys. They are not site data, so they live beside the log rather than in it; every key
/// is kept with its hash, role and lifetime.
/// </summary>
public sealed class ApiKeyStore(Database database)
{
    public async Task CreateAsync(ApiKeyRecord key, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO api_keys (id, name, role, key_hash, created_at) VALUES (@id, @name, @role, @hash, @created)
            """).With("id", key.Id).With("name", key.Name).With("role", key.Role).With("hash", key.KeyHash)
            .With("created", database.Instant(key.CreatedAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<ApiKeyRecord?> FindByHashAsync(string keyHash, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT id, name, role, key_hash, created_at, revoked_at FROM api_keys WHERE key_hash = @hash
            """).With("hash", keyHash);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new ApiKeyRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                database.ReadInstant(reader, 4), database.ReadInstantOrNull(reader, 5))
            : null;
    }

    /// <summary>True when at least one key that is not revoked exists.</summary>
    public async Task<bool> AnyActiveAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }
}
