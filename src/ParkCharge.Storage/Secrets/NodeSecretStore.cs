using System.Security.Cryptography;

namespace ParkCharge.Storage.Secrets;

/// <summary>
/// Random secrets generated once per store and shared by every node that uses it (a PostgreSQL store
/// serves several): the first node to ask creates it, the others read the same one.
/// </summary>
public sealed class NodeSecretStore(Database database)
{
    /// <summary>The secret called <paramref name="name"/>, created with <paramref name="bytes"/> random bytes if it does not exist yet.</summary>
    public async Task<byte[]> GetOrCreateAsync(string name, int bytes, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        if (await ReadAsync(connection, name, ct) is { } existing)
        {
            return existing;
        }

        // Two nodes starting at once: one insert wins, both read the winner's.
        await using (var insert = connection.Command("""
            INSERT INTO node_secrets (name, value, created_at) VALUES (@name, @value, @at)
            ON CONFLICT (name) DO NOTHING
            """).With("name", name).With("value", Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes)))
            .With("at", Database.SortableText(DateTimeOffset.UtcNow)))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        return await ReadAsync(connection, name, ct) ?? throw new InvalidOperationException($"The node secret '{name}' could not be stored.");
    }

    private static async Task<byte[]?> ReadAsync(System.Data.Common.DbConnection connection, string name, CancellationToken ct)
    {
        await using var select = connection.Command("SELECT value FROM node_secrets WHERE name = @name").With("name", name);
        return await select.ExecuteScalarAsync(ct) is string value ? Convert.FromBase64String(value) : null;
    }
}
