using System.Runtime.CompilerServices;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Log;

/// <summary>An observation read back from the log, with the answer its source was given.</summary>
public sealed record StoredObservation(long Seq, Observation Observation, Reply Reply);

/// <summary>
/// A stored observation whose payload this version cannot read (written by a version that knew a
/// shape this one does not). Replay hands it to the engine, which refuses it and carries on: one
/// unreadable row must not keep a site from loading.
/// </summary>
/// <param name="StoredKind">The kind the row was stored with.</param>
/// <param name="Problem">Why it could not be read.</param>
public sealed record UnreadablePayload(string StoredKind, string Problem) : ObservationPayload("unreadable");

/// <summary>A derived event as the log holds it.</summary>
public sealed record StoredEvent(long Seq, DomainEvent Event);

/// <summary>Reads a site's log in sequence order, to rebuild its state (at start, after a conflict, in replay).</summary>
public sealed class LogReader(Database database)
{
    private const int PageSize = 2_000;

    public async IAsyncEnumerable<StoredObservation> ReadAsync(SiteId site, long afterSeq, [EnumeratorCancellation] CancellationToken ct)
    {
        var from = afterSeq;
        while (true)
        {
            var page = new List<StoredObservation>(PageSize);
            await using (var connection = await database.OpenAsync(ct))
            await using (var command = connection.Command("""
                SELECT seq, key, source, event_time, received_at, payload, reply, kind FROM observations
                WHERE site_id = @site AND seq > @after ORDER BY seq LIMIT @limit
                """).With("site", site.Value).With("after", from).With("limit", PageSize))
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    var observation = new Observation
                    {
                        Site = site,
                        Key = reader.GetString(1),
                        Source = reader.GetString(2),
                        EventTime = database.ReadInstant(reader, 3),
                        ReceivedAt = database.ReadInstant(reader, 4),
                        Payload = ReadPayload(reader.GetString(5), reader.GetString(7)),
                    };
                    page.Add(new StoredObservation(reader.GetInt64(0), observation, ReadReply(reader.GetString(6))));
                }
            }

            foreach (var stored in page)
            {
                yield return stored;
            }

            if (page.Count < PageSize)
            {
                yield break;
            }

            from = page[^1].Seq;
        }
    }

    /// <summary>The sequence number of the site's last derived event (0 when none).</summary>
    public async Task<long> LastEventSeqAsync(SiteId site, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT MAX(seq) FROM events WHERE site_id = @site").With("site", site.Value);
        return await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static ObservationPayload ReadPayload(string json, string kind)
    {
        try
        {
            return LogJson.DeserializePayload(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            return new UnreadablePayload(kind, e.Message);
        }
    }

    private static Reply ReadReply(string json)
    {
        try
        {
            return LogJson.DeserializeReply(json);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or NotSupportedException or InvalidOperationException)
        {
            return new Refused($"The stored answer could not be read: {e.Message}");
        }
    }

    /// <summary>The site's derived events in sequence order.</summary>
    public async IAsyncEnumerable<StoredEvent> EventsAsync(SiteId site, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT seq, payload FROM events WHERE site_id = @site ORDER BY seq").With("site", site.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new StoredEvent(reader.GetInt64(0), LogJson.DeserializeEvent(reader.GetString(1)));
        }
    }

    /// <summary>Every site that has a log or a registered charger.</summary>
    public async Task<IReadOnlyList<SiteId>> SitesAsync(CancellationToken ct)
    {
        var sites = new List<SiteId>();
        await using var connection = await database.OpenAsync(ct);
        // A loose index scan over the log's (site_id, seq) key: one probe per site, not a pass over every observation
        // (start-up asks this, and a year of a busy site is over a million rows).
        await using var command = connection.Command("""
            WITH RECURSIVE logged (site_id) AS (
                SELECT MIN(site_id) FROM observations
                UNION ALL
                SELECT (SELECT MIN(o.site_id) FROM observations o WHERE o.site_id > logged.site_id) FROM logged WHERE logged.site_id IS NOT NULL
            )
            SELECT site_id FROM logged WHERE site_id IS NOT NULL UNION SELECT DISTINCT site_id FROM chargers ORDER BY 1
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sites.Add(new SiteId(reader.GetString(0)));
        }

        return sites;
    }
}
