using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

using ParkCharge.Core.Sites;

namespace ParkCharge.Storage.Events;

/// <summary>An event as the outbox gives it out: its place in its site's sequence, and its data (see <see cref="EventCatalogue.Data"/>).</summary>
public sealed record OutboxEvent(string Site, long Seq, string Id, string Type, DateTimeOffset EventTime, DateTimeOffset RecordedAt, string Data);

/// <summary>
/// The events table seen as the outbox (DESIGN.md §1.5): events are written with the observation that
/// caused them, in the same transaction, so whatever is here is durable and in its site's order. This
/// reads them after a position, knows how far each site's sequence goes, and tells waiting readers
/// (webhook delivery, live streams) as soon as the log writer commits more.
/// </summary>
/// <remarks>
/// A site's events become visible strictly in sequence order: a site has one writer, whose events
/// are committed in one transaction per unit, and a competing node must reload (and so see those
/// events) before it can append. So a reader that continues after the last sequence it saw misses nothing.
/// </remarks>
public sealed class Outbox(Database database)
{
    private readonly ConcurrentDictionary<string, long> _heads = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>
    /// Completes when this node next commits events. Take it before reading and await it after: an
    /// event committed in between completes it, so nothing waits for the next poll. Commits of other
    /// nodes (PostgreSQL) are signalled only in cluster mode (<see cref="Heard"/>): readers also poll (<see cref="RefreshHeadsAsync"/>).
    /// </summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The last event sequence of every site known to have events (by this node's commits and the last refresh).</summary>
    public IReadOnlyDictionary<string, long> Heads => _heads;

    /// <summary>
    /// Raised after this node committed events, with each site's last committed event (on the log writer's
    /// thread: a handler only hands them on). Cluster mode tells the other nodes with it.
    /// </summary>
    public event Action<IReadOnlyList<(SiteId Site, long LastEventSeq)>>? CommittedHere;

    /// <summary>Called by the log writer after a commit, with each site's last committed event.</summary>
    internal void Committed(IReadOnlyList<(SiteId Site, long LastEventSeq)> heads)
    {
        if (heads.Count == 0)
        {
            return;
        }

        foreach (var (site, seq) in heads)
        {
            Advance(site.Value, seq);
        }

        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        CommittedHere?.Invoke(heads);
    }

    /// <summary>Another node committed events of these sites up to these sequences: readers of this node read them now.</summary>
    public void Heard(IEnumerable<(string Site, long LastEventSeq)> heads)
    {
        var advanced = false;
        foreach (var (site, seq) in heads)
        {
            advanced |= Advance(site, seq);
        }

        if (advanced)
        {
            Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        }
    }

    /// <summary>Reads every site's last event sequence from the database (catching up with other nodes' commits).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RefreshHeadsAsync(CancellationToken ct)
    {
        // A loose index scan over the (site_id, seq) key: one probe per site rather than a scan of every event.
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("""
            WITH RECURSIVE sites (site_id) AS (
                SELECT MIN(site_id) FROM events
                UNION ALL
                SELECT (SELECT MIN(e.site_id) FROM events e WHERE e.site_id > sites.site_id) FROM sites WHERE sites.site_id IS NOT NULL
            )
            SELECT site_id, (SELECT MAX(e.seq) FROM events e WHERE e.site_id = sites.site_id) FROM sites WHERE site_id IS NOT NULL
            """);
        var advanced = false;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                advanced |= Advance(reader.GetString(0), reader.GetInt64(1));
            }
        }

        if (advanced)
        {
            Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
        }

        return _heads;
    }

    /// <summary>The last event sequence of a site (0 when it has none).</summary>
    public async Task<long> HeadAsync(string site, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("SELECT MAX(seq) FROM events WHERE site_id = @site").With("site", site);
        var head = await command.ExecuteScalarAsync(ct) is { } value and not DBNull ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
        Advance(site, head);
        return head;
    }

    /// <summary>
    /// A site's events after <paramref name="after"/> (up to <paramref name="upTo"/>), in sequence order,
    /// at most <paramref name="limit"/>, only those the filter matches.
    /// </summary>
    public async Task<IReadOnlyList<OutboxEvent>> ReadAsync(string site, long after, int limit, EventTypeFilter? filter = null, long? upTo = null, CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.Command("");
        var sql = new StringBuilder("SELECT seq, id, type, event_time, recorded_at, payload FROM events WHERE site_id = @site AND seq > @after");
        command.With("site", site).With("after", after);
        if (upTo is { } to)
        {
            sql.Append(" AND seq <= @to");
            command.With("to", to);
        }

        if (filter is { MatchesEverything: false })
        {
            var terms = new List<string>();
            var i = 0;
            foreach (var exact in filter.Exact)
            {
                terms.Add($"type = @type{i}");
                command.With($"type{i++}", exact);
            }

            foreach (var prefix in filter.Prefixes)
            {
                terms.Add($"substr(type, 1, {prefix.Length.ToString(CultureInfo.InvariantCulture)}) = @type{i}");
                command.With($"type{i++}", prefix);
            }

            sql.Append(" AND (").AppendJoin(" OR ", terms).Append(')');
        }

        sql.Append(" ORDER BY seq LIMIT @limit");
        command.With("limit", Math.Max(1, limit));
        command.CommandText = sql.ToString();
        var events = new List<OutboxEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            events.Add(new OutboxEvent(
                site, reader.GetInt64(0), reader.GetString(1), reader.GetString(2),
                database.ReadInstant(reader, 3), database.ReadInstant(reader, 4), EventCatalogue.Data(reader.GetString(5))));
        }

        return events;
    }

    private bool Advance(string site, long seq)
    {
        while (true)
        {
            if (_heads.TryGetValue(site, out var known))
            {
                if (known >= seq || _heads.TryUpdate(site, seq, known))
                {
                    return known < seq;
                }
            }
            else if (seq <= 0 || _heads.TryAdd(site, seq))
            {
                return seq > 0;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
