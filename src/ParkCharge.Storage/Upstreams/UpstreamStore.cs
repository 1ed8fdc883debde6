namespace ParkCharge.Storage.Upstreams;

/// <summary>A charger's upstream as stored: its settings without secrets (JSON) and its secrets encrypted by the caller.</summary>
public sealed record StoredUpstream(string ChargerId, string Name, int Position, string SettingsJson, string? ProtectedSecrets, DateTimeOffset UpdatedAt);

/// <summary>
/// Proxy mode's configuration: the backends each charger is proxied to. Written when a site document or
/// the API sets a charger's upstreams (the whole list at once), read when the charger connects.
/// </summary>
public sealed class UpstreamStore(Database database)
{
    /// <summary>The charger's upstreams in their declared order; empty when ParkCharge is its only backend.</summary>
    public async Task<IReadOnlyList<StoredUpstream>> ForChargerAsync(string chargerId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            SELECT charger_id, name, position, settings, protected_secrets, updated_at
            FROM charger_upstreams WHERE charger_id = @charger ORDER BY position, name
            """).With("charger", chargerId);
        var upstreams = new List<StoredUpstream>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            upstreams.Add(new StoredUpstream(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), database.ReadInstant(reader, 5)));
        }

        return upstreams;
    }

    /// <summary>Replaces the charger's upstreams with <paramref name="upstreams"/> (none: the charger is no longer proxied), in one transaction.</summary>
    public async Task ReplaceAsync(string chargerId, IReadOnlyList<StoredUpstream> upstreams, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var delete = connection.Command("DELETE FROM charger_upstreams WHERE charger_id = @charger", transaction).With("charger", chargerId))
        {
            await delete.ExecuteNonQueryAsync(ct);
        }

        foreach (var upstream in upstreams)
        {
            await using var insert = connection.Command("""
                INSERT INTO charger_upstreams (charger_id, name, position, settings, protected_secrets, updated_at)
                VALUES (@charger, @name, @position, @settings, @secrets, @updated_at)
                """, transaction);
            insert.With("charger", chargerId).With("name", upstream.Name).With("position", upstream.Position).With("settings", upstream.SettingsJson)
                .With("secrets", upstream.ProtectedSecrets).With("updated_at", database.Instant(upstream.UpdatedAt));
            await insert.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }
}
