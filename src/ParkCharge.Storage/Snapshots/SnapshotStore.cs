using System.Data.Common;
using System.Globalization;

using ParkCharge.Core.Sites;

namespace ParkCharge.Storage.Snapshots;

/// <summary>A stored snapshot, without its state.</summary>
/// <param name="Seq">The last observation the state has taken.</param>
/// <param name="EventSeq">The last derived event by then.</param>
/// <param name="Format">The document's layout (<see cref="SiteStateFormat.FormatVersion"/>).</param>
/// <param name="Engine">The engine build that made it (<see cref="SiteStateFormat.EngineVersion"/>).</param>
/// <param name="LogTime">When observation <paramref name="Seq"/> was received.</param>
/// <param name="Size">Bytes of the compressed state.</param>
public sealed record SnapshotHeader(long Seq, long EventSeq, int Format, string Engine, DateTimeOffset LogTime, DateTimeOffset TakenAt, long Size);

/// <summary>Where a compacted site's log begins: the observations up to <see cref="Seq"/> are gone, the snapshot at it is the beginning.</summary>
public sealed record LogBase(long Seq, long EventSeq, DateTimeOffset LogTime, DateTimeOffset CompactedAt, long ObservationsDeleted);

/// <summary>What a compaction did.</summary>
/// <param name="EvidenceKept">Observations up to the base kept as evidence of stays not done with.</param>
public sealed record CompactionReport(long BaseSeq, long ObservationsDeleted, long EventsDeleted, long EvidenceKept);

/// <summary>
/// Snapshots of the sites' engine states and the compaction of their logs (tables <c>site_snapshots</c>,
/// <c>log_bases</c>; docs/operators.md, "Snapshots and compaction").
/// </summary>
public sealed class SnapshotStore(Database database)
{
    private const int DeleteBatch = 5_000;

    /// <summary>
    /// Besides the newest snapshots, the oldest of each week of log time (weeks from Monday, UTC) is kept until the log is
    /// compacted past it: compaction makes the newest snapshot older than <c>KeepLogFor</c> the log's beginning, and with
    /// only the newest few kept (taken hours apart) there would never be one that old. A week's step keeps the log
    /// between <c>KeepLogFor</c> and a week more, for about one snapshot per week of it on disk.
    /// </summary>
    public static readonly TimeSpan CandidateEvery = TimeSpan.FromDays(7);

    /// <summary>
    /// Stores a snapshot (a second one at the same position changes nothing) and lets go of the older ones beyond the
    /// newest <paramref name="keep"/>, but for the beginning of a compacted log and one per week after it that a later
    /// compaction may begin at (<see cref="CandidateEvery"/>). Its log time is the receive time of observation
    /// <see cref="SnapshotHeader.Seq"/> (the header's when the log no longer has it).
    /// </summary>
    public async Task SaveAsync(SiteId site, SnapshotHeader header, byte[] state, int keep, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        await using var connection = await database.OpenAsync(ct);
        await using (var insert = connection.Command("""
            INSERT INTO site_snapshots (site_id, seq, event_seq, format, engine, log_time, taken_at, state)
            VALUES (@site, @seq, @event_seq, @format, @engine,
                COALESCE((SELECT received_at FROM observations WHERE site_id = @site AND seq = @seq), @log_time), @taken_at, @state)
            ON CONFLICT (site_id, seq) DO NOTHING
            """).With("site", site.Value).With("seq", header.Seq).With("event_seq", header.EventSeq).With("format", header.Format)
            .With("engine", header.Engine).With("log_time", database.Instant(header.LogTime)).With("taken_at", database.Instant(header.TakenAt)).With("state", state))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        var headers = await ListAsync(site, ct);
        var logBase = await BaseAsync(site, ct);
        var kept = headers.Take(keep).Select(h => h.Seq).ToHashSet();
        if (logBase is not null)
        {
            kept.Add(logBase.Seq);
        }

        if (headers.Count > 0)
        {
            var newestWeek = Week(headers[0].LogTime);
            foreach (var week in headers.Where(h => (logBase is null || h.Seq > logBase.Seq) && Week(h.LogTime) < newestWeek).GroupBy(h => Week(h.LogTime)))
            {
                kept.Add(week.Min(h => h.Seq));
            }
        }

        foreach (var old in headers.Where(h => !kept.Contains(h.Seq)))
        {
            await using var delete = connection.Command("DELETE FROM site_snapshots WHERE site_id = @site AND seq = @seq").With("site", site.Value).With("seq", old.Seq);
            await delete.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The week (from Monday, UTC; 0001-01-01 was a Monday) an instant falls in.</summary>
    private static long Week(DateTimeOffset at) => at.UtcTicks / CandidateEvery.Ticks;

    /// <summary>The site's snapshots, newest first.</summary>
    public async Task<IReadOnlyList<SnapshotHeader>> ListAsync(SiteId site, CancellationToken ct)
    {
        var list = new List<SnapshotHeader>();
        await using var connection = await database.OpenAsync(ct);
        await using var select = connection.Command("""
            SELECT seq, event_seq, format, engine, log_time, taken_at, LENGTH(state) FROM site_snapshots WHERE site_id = @site ORDER BY seq DESC
            """).With("site", site.Value);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new SnapshotHeader(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetString(3),
                database.ReadInstant(reader, 4), database.ReadInstant(reader, 5), reader.GetInt64(6)));
        }

        return list;
    }

    /// <summary>The compressed state of the snapshot at <paramref name="seq"/>; null when there is none.</summary>
    public async Task<byte[]?> ReadStateAsync(SiteId site, long seq, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var select = connection.Command("SELECT state FROM site_snapshots WHERE site_id = @site AND seq = @seq").With("site", site.Value).With("seq", seq);
        return await select.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>Where the site's log begins when it has been compacted; null when it holds every observation since the first.</summary>
    public async Task<LogBase?> BaseAsync(SiteId site, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var select = connection.Command("""
            SELECT base_seq, base_event_seq, log_time, compacted_at, observations_deleted FROM log_bases WHERE site_id = @site
            """).With("site", site.Value);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new LogBase(reader.GetInt64(0), reader.GetInt64(1), database.ReadInstant(reader, 2), database.ReadInstant(reader, 3), reader.GetInt64(4))
            : null;
    }

    /// <summary>
    /// Makes the snapshot at <paramref name="header"/> the beginning of the site's log and deletes the observations up to
    /// it, except those <paramref name="evidence"/> holds (key and payload: the evidence of stays not done with), and the
    /// events up to it that every webhook subscription has had (a subscription that has not started on the site keeps
    /// them all), except those of kept observations. The beginning is written first, then rows are deleted in batches:
    /// a compaction cut short leaves a log that begins at the recorded base, and the next one finishes it. The newest
    /// observation and event of the site are never deleted (the next append is checked against them).
    /// </summary>
    public async Task<CompactionReport> CompactAsync(SiteId site, SnapshotHeader header, DateTimeOffset now, Func<string, string, bool>? evidence, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var previous = await BaseAsync(site, ct);
        if (previous is not null && previous.Seq > header.Seq)
        {
            throw new InvalidOperationException($"Site '{site}' is compacted up to {previous.Seq} already; it cannot begin at {header.Seq}.");
        }

        await using (var upsert = connection.Command("""
            INSERT INTO log_bases (site_id, base_seq, base_event_seq, log_time, compacted_at, observations_deleted)
            VALUES (@site, @seq, @event_seq, @log_time, @now, 0)
            ON CONFLICT (site_id) DO UPDATE SET base_seq = excluded.base_seq, base_event_seq = excluded.base_event_seq,
                log_time = excluded.log_time, compacted_at = excluded.compacted_at
            """).With("site", site.Value).With("seq", header.Seq).With("event_seq", header.EventSeq)
            .With("log_time", database.Instant(header.LogTime)).With("now", database.Instant(now)))
        {
            await upsert.ExecuteNonQueryAsync(ct);
        }

        var kept = new HashSet<long>();
        long observations = 0, after = 0;
        while (true)
        {
            var doomed = new List<long>();
            var read = 0;
            await using (var select = connection.Command(string.Create(CultureInfo.InvariantCulture, $"""
                SELECT seq, key, payload FROM observations WHERE site_id = @site AND seq > @after AND seq <= @up_to
                  AND seq < (SELECT MAX(seq) FROM observations WHERE site_id = @site) ORDER BY seq LIMIT {DeleteBatch}
                """)).With("site", site.Value).With("after", after).With("up_to", header.Seq))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    read++;
                    after = reader.GetInt64(0);
                    if (evidence is not null && evidence(reader.GetString(1), reader.GetString(2)))
                    {
                        kept.Add(after);
                    }
                    else
                    {
                        doomed.Add(after);
                    }
                }
            }

            observations += await DeleteAsync(connection, "observations", site, doomed, ct);
            if (read < DeleteBatch)
            {
                break;
            }
        }

        var eventsUpTo = Math.Min(header.EventSeq, await DeliveredEverywhereAsync(connection, site, ct));
        long events = 0;
        after = 0;
        while (true)
        {
            var doomed = new List<long>();
            var read = 0;
            await using (var select = connection.Command(string.Create(CultureInfo.InvariantCulture, $"""
                SELECT seq, observation_seq FROM events WHERE site_id = @site AND seq > @after AND seq <= @up_to
                  AND seq < (SELECT MAX(seq) FROM events WHERE site_id = @site) ORDER BY seq LIMIT {DeleteBatch}
                """)).With("site", site.Value).With("after", after).With("up_to", eventsUpTo))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    read++;
                    after = reader.GetInt64(0);
                    if (!kept.Contains(reader.GetInt64(1)))
                    {
                        doomed.Add(after);
                    }
                }
            }

            events += await DeleteAsync(connection, "events", site, doomed, ct);
            if (read < DeleteBatch)
            {
                break;
            }
        }

        await using (var count = connection.Command("UPDATE log_bases SET observations_deleted = observations_deleted + @n WHERE site_id = @site")
            .With("n", observations).With("site", site.Value))
        {
            await count.ExecuteNonQueryAsync(ct);
        }

        // Snapshots older than the new beginning describe a log that is gone.
        await using (var older = connection.Command("DELETE FROM site_snapshots WHERE site_id = @site AND seq < @seq").With("site", site.Value).With("seq", header.Seq))
        {
            await older.ExecuteNonQueryAsync(ct);
        }

        return new CompactionReport(header.Seq, observations, events, kept.Count);
    }

    private static async Task<long> DeleteAsync(DbConnection connection, string table, SiteId site, List<long> seqs, CancellationToken ct)
    {
        if (seqs.Count == 0)
        {
            return 0;
        }

        await using var delete = connection.Command(string.Create(CultureInfo.InvariantCulture, $"DELETE FROM {table} WHERE site_id = @site AND seq IN ({string.Join(",", seqs)})"))
            .With("site", site.Value);
        return await delete.ExecuteNonQueryAsync(ct);
    }

    /// <summary>How many snapshots the site has.</summary>
    internal static async Task<long> CountAsync(DbConnection connection, string site, CancellationToken ct)
    {
        await using var count = connection.Command("SELECT COUNT(*) FROM site_snapshots WHERE site_id = @site").With("site", site);
        return Convert.ToInt64(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Rewrites the state of every snapshot of the site through <paramref name="change"/> (its JSON text), for the
    /// pseudonymisation of plates; returns how many changed.
    /// </summary>
    internal static async Task<int> RewriteAsync(DbConnection connection, string site, Func<string, string> change, CancellationToken ct)
    {
        var rewritten = new List<(long Seq, byte[] State)>();
        await using (var select = connection.Command("SELECT seq, state FROM site_snapshots WHERE site_id = @site").With("site", site))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var json = SiteStateFormat.Text((byte[])reader.GetValue(1));
                var changed = change(json);
                if (changed != json)
                {
                    rewritten.Add((reader.GetInt64(0), SiteStateFormat.Compress(changed)));
                }
            }
        }

        foreach (var (seq, state) in rewritten)
        {
            await using var update = connection.Command("UPDATE site_snapshots SET state = @state WHERE site_id = @site AND seq = @seq")
                .With("state", state).With("site", site).With("seq", seq);
            await update.ExecuteNonQueryAsync(ct);
        }

        return rewritten.Count;
    }

    /// <summary>The site's events every webhook subscription has been given (all when there is no subscription).</summary>
    private static async Task<long> DeliveredEverywhereAsync(DbConnection connection, SiteId site, CancellationToken ct)
    {
        await using var select = connection.Command("""
            SELECT (SELECT COUNT(*) FROM webhook_subscriptions),
                   (SELECT COUNT(*) FROM webhook_cursors WHERE site_id = @site),
                   (SELECT MIN(delivered_seq) FROM webhook_cursors WHERE site_id = @site)
            """).With("site", site.Value);
        await using var reader = await select.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (subscriptions, cursors) = (reader.GetInt64(0), reader.GetInt64(1));
        if (subscriptions == 0)
        {
            return long.MaxValue;
        }

        return cursors < subscriptions || reader.IsDBNull(2) ? 0 : reader.GetInt64(2);
    }
}
