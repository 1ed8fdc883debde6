namespace ParkCharge.Storage.Queries;

/// <summary>
/// Pictures cameras pushed, kept only for sites that enable it (plates are personal data and
/// pictures more so; DESIGN.md §7). Stored beside the log, keyed by the read's observation key.
/// </summary>
public sealed class AnprImageStore(Database database)
{
    public async Task SaveAsync(string siteId, string camera, string observationKey, string name, string contentType, ReadOnlyMemory<byte> content, DateTimeOffset receivedAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            INSERT INTO anpr_images (site_id, camera, observation_key, name, content_type, content, received_at)
            VALUES (@site, @camera, @key, @name, @type, @content, @at)
            """).With("site", siteId).With("camera", camera).With("key", observationKey).With("name", name).With("type", contentType)
            .With("content", content.ToArray()).With("at", database.Instant(receivedAt));
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> CountAsync(string siteId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT COUNT(*) FROM anpr_images WHERE site_id = @site").With("site", siteId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }
}
