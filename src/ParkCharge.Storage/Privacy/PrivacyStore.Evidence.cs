using System.Data.Common;

using ParkCharge.Core.Privacy;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Privacy;

/// <summary>
/// What a site's log must keep as evidence when it is compacted (docs/operators.md, "Snapshots and compaction"): the
/// observations of the stays that are not done with (open, unpaid, disputed, or still within their retention period),
/// found as pseudonymisation finds a stay's rows: the reads of its sightings, and every observation naming one of its
/// rows (its session, visits, sightings, bindings, bill, anomalies).
/// </summary>
/// <param name="Stays">How many stays hold evidence.</param>
public sealed record LogEvidence(int Stays, IReadOnlySet<string> ObservationKeys, IReadOnlySet<string> Ids)
{
    /// <summary>True when the stored observation is evidence of a held stay.</summary>
    public bool Holds(string key, string payload)
    {
        if (ObservationKeys.Contains(key))
        {
            return true;
        }

        if (Ids.Count == 0)
        {
            return false;
        }

        foreach (System.Text.RegularExpressions.ValueMatch match in PrivacyStore.IdPattern().EnumerateMatches(payload))
        {
            if (Ids.Contains(payload.Substring(match.Index, match.Length)))
            {
                return true;
            }
        }

        return false;
    }
}

public sealed partial class PrivacyStore
{
    internal static System.Text.RegularExpressions.Regex IdPattern() => Id();

    /// <summary>
    /// The evidence the site's log must keep now (<see cref="LogEvidence"/>): of every stay that is open, or that
    /// retention keeps or holds. Found in one pass over each of the site's tables (sessions, visits, sightings,
    /// bindings, bills, anomalies), joined in memory: the rows a stay-by-stay search
    /// (<see cref="EvidenceStayByStayAsync"/>, pseudonymisation's) finds, without its queries per stay, which at a
    /// year of a busy site (tens of thousands of unpaid stays) each scanned the site's sightings and anomalies.
    /// </summary>
    public async Task<LogEvidence> EvidenceAsync(string site, SiteRetention retention, DateTimeOffset now, CancellationToken ct)
    {
        var held = await HeldOrOpenStaysAsync(site, retention, now, ct);
        var sessions = new HashSet<string>(held, StringComparer.Ordinal);
        var ids = new HashSet<string>(held, StringComparer.Ordinal);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await database.OpenAsync(ct);

        // A stay's sessions: its own and those merged into it.
        await ScanAsync(connection, "SELECT id, merged_session_ids FROM parking_sessions WHERE site_id = @site", site, reader =>
        {
            if (sessions.Contains(reader.GetString(0)) && reader.GetString(1) is var merged && merged != "[]")
            {
                foreach (var id in LogJson.DeserializeStrings(merged))
                {
                    ids.Add(id);
                }
            }
        }, ct);
        sessions.UnionWith(ids);

        var visits = new HashSet<string>(StringComparer.Ordinal);
        await ScanAsync(connection, "SELECT id, parking_session_id FROM bay_visits WHERE site_id = @site AND parking_session_id IS NOT NULL", site, reader =>
        {
            if (sessions.Contains(reader.GetString(1)))
            {
                visits.Add(reader.GetString(0));
            }
        }, ct);

        var sightings = new HashSet<string>(StringComparer.Ordinal);
        await ScanAsync(connection, "SELECT id, parking_session_id, bay_visit_id, reads FROM sightings WHERE site_id = @site", site, reader =>
        {
            if ((!reader.IsDBNull(1) && sessions.Contains(reader.GetString(1))) || (!reader.IsDBNull(2) && visits.Contains(reader.GetString(2))))
            {
                sightings.Add(reader.GetString(0));
                foreach (var read in LogJson.DeserializeReads(reader.GetString(3)))
                {
                    keys.Add(read.ObservationKey);
                }
            }
        }, ct);

        ids.UnionWith(visits);
        ids.UnionWith(sightings);
        foreach (var sql in (string[])[
            "SELECT charging_session_id, parking_session_id, NULL FROM charging_bindings WHERE site_id = @site",
            "SELECT id, parking_session_id, NULL FROM bills WHERE site_id = @site",
            "SELECT id, parking_session_id, sighting_id FROM parking_anomalies WHERE site_id = @site"])
        {
            await ScanAsync(connection, sql, site, reader =>
            {
                if ((!reader.IsDBNull(1) && sessions.Contains(reader.GetString(1))) || (!reader.IsDBNull(2) && sightings.Contains(reader.GetString(2))))
                {
                    ids.Add(reader.GetString(0));
                }
            }, ct);
        }

        return new LogEvidence(held.Count, keys, ids);
    }

    /// <summary>
    /// The same evidence found stay by stay as pseudonymisation finds a stay's rows (several queries per stay): the
    /// reference <see cref="EvidenceAsync"/> is checked against (RetentionTests) and timed against (the site-year bench);
    /// too slow for a year of a busy site.
    /// </summary>
    public async Task<LogEvidence> EvidenceStayByStayAsync(string site, SiteRetention retention, DateTimeOffset now, CancellationToken ct)
    {
        var held = await HeldOrOpenStaysAsync(site, retention, now, ct);
        var (units, _) = await UnitsAsync(site, held, DateTimeOffset.MinValue, null, [], ct);
        return new LogEvidence(
            held.Count,
            units.SelectMany(u => u.ObservationKeys).ToHashSet(StringComparer.Ordinal),
            units.SelectMany(u => u.Ids).ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>The stays whose evidence the log keeps: closed ones that retention keeps or holds, and open ones.</summary>
    private async Task<List<string>> HeldOrOpenStaysAsync(string site, SiteRetention retention, DateTimeOffset now, CancellationToken ct)
    {
        var held = new List<string>();
        foreach (var stay in await ClosedStaysAsync(site, now, null, ct))
        {
            if (StayRetention.Judge(stay, retention, now).Verdict != StayRetentionVerdict.Pseudonymise)
            {
                held.Add(stay.ParkingSessionId);
            }
        }

        await using var connection = await database.OpenAsync(ct);
        await ScanAsync(connection, """
            SELECT id FROM parking_sessions WHERE site_id = @site AND status <> 'Closed' AND (closed_by IS NULL OR closed_by <> 'Merged')
            """, site, reader => held.Add(reader.GetString(0)), ct);
        return held;
    }

    private static async Task ScanAsync(DbConnection connection, string sql, string site, Action<DbDataReader> row, CancellationToken ct)
    {
        await using var select = connection.Command(sql).With("site", site);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            row(reader);
        }
    }
}
