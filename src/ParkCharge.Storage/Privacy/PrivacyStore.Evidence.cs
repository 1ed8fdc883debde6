using ParkCharge.Core.Privacy;

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

    /// <summary>The evidence the site's log must keep now (<see cref="LogEvidence"/>): of every stay that is open, or that retention keeps or holds.</summary>
    public async Task<LogEvidence> EvidenceAsync(string site, SiteRetention retention, DateTimeOffset now, CancellationToken ct)
    {
        var held = new List<string>();
        foreach (var stay in await ClosedStaysAsync(site, now, null, ct))
        {
            if (StayRetention.Judge(stay, retention, now).Verdict != StayRetentionVerdict.Pseudonymise)
            {
                held.Add(stay.ParkingSessionId);
            }
        }

        await using (var connection = await database.OpenAsync(ct))
        await using (var open = connection.Command("""
            SELECT id FROM parking_sessions WHERE site_id = @site AND status <> 'Closed' AND (closed_by IS NULL OR closed_by <> 'Merged')
            """).With("site", site))
        await using (var reader = await open.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                held.Add(reader.GetString(0));
            }
        }

        var (units, _) = await UnitsAsync(site, held, DateTimeOffset.MinValue, null, [], ct);
        return new LogEvidence(
            held.Count,
            units.SelectMany(u => u.ObservationKeys).ToHashSet(StringComparer.Ordinal),
            units.SelectMany(u => u.Ids).ToHashSet(StringComparer.Ordinal));
    }
}
