using System.Runtime.CompilerServices;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Log;

/// <summary>An observation read back from the log, with the answer its source was given.</summary>
public sealed record StoredObservation(long Seq, Observation Observation, Reply Reply);

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
                SELECT seq, key, source, event_time, received_at, payload, reply FROM observations
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
                        Payload = LogJson.DeserializePayload(reader.GetString(5)),
                    };
                    page.Add(new StoredObservation(reader.GetInt64(0), observation, LogJson.DeserializeReply(reader.GetString(6))));
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
        await using var command = connection.Command("SELECT DISTINCT site_id FROM observations UNION SELECT DISTINCT site_id FROM chargers ORDER BY 1");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            sites.Add(new SiteId(reader.GetString(0)));
        }

        return sites;
    }
}
