using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

using ParkCharge.Core.Plates;
using ParkCharge.Core.Privacy;

namespace ParkCharge.Storage.Privacy;

/// <summary>What one retention pass or erasure did.</summary>
public sealed record PseudonymisationReport(int Stays, int LooseReads, IReadOnlyList<HeldStay> Held, int LogRowsRewritten, int ProjectionRowsRewritten, int PicturesDeleted);

/// <summary>A stay whose plate is kept although its period ended or erasure was asked for, and why (a legal hold).</summary>
public sealed record HeldStay(string SiteId, string ParkingSessionId, string Reason);

/// <summary>
/// Pseudonymisation of stored plates (docs/privacy.md). The unit is a stay: its parking session (and those
/// merged into it), its bay visits, every sighting and read of them (look-alike misreads included), its
/// bindings, bill and anomalies, the observations that brought its reads and every event that names any of
/// them. All its plates become one pseudonym (HMAC-SHA256 of the stay's plate with the site's current
/// secret), so a replay of the rewritten log groups its reads as the engine did and gives the same bill.
/// Reads that never joined a stay are units of their own. Pictures of a unit are deleted.
/// <para>
/// Resumable: a unit's pseudonym is written down before any row is rewritten and reused if a pass is cut
/// short; the log is rewritten before the projections, and the parking session (which says the stay is
/// done) last. Rewriting a row twice changes nothing, so a pass can run again at any time.
/// </para>
/// </summary>
public sealed partial class PrivacyStore(Database database, Database messageLog)
{
    private const int Batch = 500;

    // ---- secrets -----------------------------------------------------------------------------------

    /// <summary>
    /// The site's secret for pseudonyms made now: the newest younger than <paramref name="period"/>, or a new
    /// one. Older secrets are destroyed (deleted) here: once its period is over nobody can make or check a
    /// pseudonym of that period again, so those pseudonyms become anonymous.
    /// </summary>
    public async Task<(string Id, byte[] Secret)> CurrentKeyAsync(string site, DateTimeOffset now, TimeSpan period, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using (var destroy = connection.Command("DELETE FROM pseudonym_keys WHERE site_id = @site AND created_at <= @before")
            .With("site", site).With("before", database.Instant(now - period)))
        {
            await destroy.ExecuteNonQueryAsync(ct);
        }

        if (await NewestKeyAsync(connection, site, ct) is { } current)
        {
            return current;
        }

        var id = "key-" + now.UtcDateTime.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        await using (var insert = connection.Command("INSERT INTO pseudonym_keys (site_id, id, secret, created_at) VALUES (@site, @id, @secret, @at)")
            .With("site", site).With("id", id).With("secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).With("at", database.Instant(now)))
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        return await NewestKeyAsync(connection, site, ct) ?? throw new InvalidOperationException("The pseudonym secret could not be stored.");
    }

    /// <summary>How many secrets the site holds (one in use; the rest would be a failure to destroy).</summary>
    public async Task<int> KeyCountAsync(string site, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var count = connection.Command("SELECT COUNT(*) FROM pseudonym_keys WHERE site_id = @site").With("site", site);
        return Convert.ToInt32(await count.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
    }

    private static async Task<(string, byte[])?> NewestKeyAsync(DbConnection connection, string site, CancellationToken ct)
    {
        await using var select = connection.Command("SELECT id, secret FROM pseudonym_keys WHERE site_id = @site ORDER BY created_at DESC, id DESC LIMIT 1").With("site", site);
        await using var reader = await select.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetString(0), Convert.FromBase64String(reader.GetString(1))) : null;
    }

    // ---- retention ---------------------------------------------------------------------------------

    /// <summary>
    /// One retention pass over a site: stays whose period ended are pseudonymised unless held; reads that never
    /// joined a stay, older than the settled-stay period, too; pictures, message-log entries, webhook
    /// deliveries and audit entries older than theirs are deleted.
    /// </summary>
    public async Task<PseudonymisationReport> ApplyRetentionAsync(string site, SiteRetention retention, DateTimeOffset now, CancellationToken ct, IProgress<int>? unitsDone = null)
    {
        var cutoff = now - retention.SettledStays;
        var stays = await ClosedStaysAsync(site, cutoff, null, ct);
        var due = new List<string>();
        var held = new List<HeldStay>();
        foreach (var stay in stays)
        {
            var (verdict, reason) = StayRetention.Judge(stay, retention, now);
            if (verdict == StayRetentionVerdict.Pseudonymise)
            {
                due.Add(stay.ParkingSessionId);
            }
            else if (verdict == StayRetentionVerdict.Held)
            {
                held.Add(new HeldStay(site, stay.ParkingSessionId, reason!));
            }
        }

        var key = await CurrentKeyAsync(site, now, retention.PseudonymKey, ct);
        var (units, loose) = await UnitsAsync(site, due, cutoff, null, held.Select(h => h.ParkingSessionId).ToHashSet(StringComparer.Ordinal), ct);
        var report = await PseudonymiseAsync(site, units, key, "retention", now, ct, unitsDone);
        var pictures = await DeleteOlderAsync("DELETE FROM anpr_images WHERE site_id = @site AND received_at < @before", site, now - retention.Pictures, ct);
        await DeleteMessageLogAsync(site, now - retention.MessageLog, ct);
        await DeleteOlderAsync("DELETE FROM webhook_deliveries WHERE site_id = @site AND at < @before", site, now - retention.DeliveryLog, ct);
        await DeleteOlderAsync("DELETE FROM audit_log WHERE site_id = @site AND at < @before", site, now - retention.AuditLog, ct);
        return report with { Stays = units.Count - loose, LooseReads = loose, Held = held, PicturesDeleted = report.PicturesDeleted + pictures };
    }

    /// <summary>
    /// The message log of the site's chargers before <paramref name="before"/> is deleted, charger by charger (on
    /// SQLite the message log is a file of its own, <see cref="Store.MessageLogDatabase"/>, which cannot join the
    /// store's <c>chargers</c> table).
    /// </summary>
    public async Task<int> DeleteMessageLogAsync(string site, DateTimeOffset before, CancellationToken ct)
    {
        var chargers = new List<string>();
        await using (var connection = await database.OpenAsync(ct))
        await using (var select = connection.Command("SELECT id FROM chargers WHERE site_id = @site").With("site", site))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                chargers.Add(reader.GetString(0));
            }
        }

        var deleted = 0;
        await using var log = await messageLog.OpenAsync(ct);
        foreach (var charger in chargers)
        {
            await using var delete = log.Command("DELETE FROM message_log WHERE charger_id = @charger AND at < @before")
                .With("charger", charger).With("before", messageLog.Instant(before));
            deleted += await delete.ExecuteNonQueryAsync(ct);
        }

        return deleted;
    }

    private async Task<int> DeleteOlderAsync(string sql, string site, DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var delete = connection.Command(sql).With("site", site).With("before", database.Instant(before));
        return await delete.ExecuteNonQueryAsync(ct);
    }

    // ---- erasure -----------------------------------------------------------------------------------

    /// <summary>
    /// An erasure request: every stay of the plate (exactly, after normalisation) at every site is pseudonymised
    /// now, whatever its period, except what a legal hold keeps (an unpaid bill, an open dispute, a vehicle
    /// still inside), which the report lists with the reason. Reads of the plate that joined no stay go too.
    /// </summary>
    public async Task<PseudonymisationReport> EraseAsync(string plate, Func<string, SiteRetention> retentionOf, DateTimeOffset now, CancellationToken ct)
    {
        var normalized = PlateText.Normalize(plate);
        var total = new PseudonymisationReport(0, 0, [], 0, 0, 0);
        var held = new List<HeldStay>();
        foreach (var site in await SitesAsync(ct))
        {
            var retention = retentionOf(site);
            var stays = await ClosedStaysAsync(site, null, normalized, ct);
            var due = new List<string>();
            foreach (var stay in stays)
            {
                var (verdict, reason) = StayRetention.Judge(stay, retention, now, erasureRequested: true);
                if (verdict == StayRetentionVerdict.Pseudonymise)
                {
                    due.Add(stay.ParkingSessionId);
                }
                else
                {
                    held.Add(new HeldStay(site, stay.ParkingSessionId, reason!));
                }
            }

            var key = await CurrentKeyAsync(site, now, retention.PseudonymKey, ct);
            var (units, loose) = await UnitsAsync(site, due, null, normalized, held.Select(h => h.ParkingSessionId).ToHashSet(StringComparer.Ordinal), ct);
            var report = await PseudonymiseAsync(site, units, key, "erasure", now, ct, null);
            total = total with
            {
                Stays = total.Stays + units.Count - loose,
                LooseReads = total.LooseReads + loose,
                LogRowsRewritten = total.LogRowsRewritten + report.LogRowsRewritten,
                ProjectionRowsRewritten = total.ProjectionRowsRewritten + report.ProjectionRowsRewritten,
                PicturesDeleted = total.PicturesDeleted + report.PicturesDeleted,
            };
        }

        return total with { Held = held };
    }

    private async Task<List<string>> SitesAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var select = connection.Command("SELECT id FROM sites ORDER BY id");
        await using var reader = await select.ExecuteReaderAsync(ct);
        var sites = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            sites.Add(reader.GetString(0));
        }

        return sites;
    }

    // ---- which stays --------------------------------------------------------------------------------

    /// <summary>Stays (not merged into another) that left before <paramref name="leftBefore"/>, or all stays of a plate, with what is owed and open.</summary>
    private async Task<List<StayForRetention>> ClosedStaysAsync(string site, DateTimeOffset? leftBefore, string? plate, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var paid = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using (var payments = connection.Command("SELECT parking_session_id, amount FROM payments WHERE site_id = @site").With("site", site))
        await using (var reader = await payments.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                paid[reader.GetString(0)] = paid.GetValueOrDefault(reader.GetString(0)) + database.ReadNumber(reader, 1);
            }
        }

        var done = await CompletedUnitsAsync(connection, site, ct);

        // The unresolved anomalies counted in one grouped pass (parking_anomalies has no index by stay: a count per
        // stay scanned them all for each stay).
        var where = plate is null ? "p.status = 'Closed' AND COALESCE(p.exited_at, p.updated_at) < @before" : "p.plate = @plate";
        await using var select = connection.Command($"""
            SELECT p.id, p.status, COALESCE(p.exited_at, p.updated_at), p.plate,
                (SELECT b.total FROM bills b WHERE b.parking_session_id = p.id),
                COALESCE(a.n, 0),
                (SELECT COUNT(*) FROM charging_bindings c WHERE c.parking_session_id = p.id AND c.status IN ('Provisional', 'Review'))
            FROM parking_sessions p
            LEFT JOIN (
                SELECT parking_session_id, COUNT(*) AS n FROM parking_anomalies
                WHERE site_id = @site AND parking_session_id IS NOT NULL AND NOT resolved GROUP BY parking_session_id
            ) a ON a.parking_session_id = p.id
            WHERE p.site_id = @site AND (p.closed_by IS NULL OR p.closed_by <> 'Merged') AND {where}
            ORDER BY p.sort_at, p.id
            """).With("site", site).WithWhen(plate is null, "before", leftBefore is { } b ? database.Instant(b) : null).WithWhen(plate is not null, "plate", plate);
        await using var rows = await select.ExecuteReaderAsync(ct);
        var stays = new List<StayForRetention>();
        while (await rows.ReadAsync(ct))
        {
            var id = rows.GetString(0);
            var current = rows.GetString(3);
            if (plate is null && (Pseudonyms.IsPseudonym(current) || (current.Length == 0 && done.Contains(id))))
            {
                continue; // done (a stay with an unreadable plate has nothing to hide in its session row: done once its reads are)
            }

            var total = database.ReadNumberOrNull(rows, 4) ?? 0;
            var disputes = Convert.ToInt32(rows.GetValue(5), CultureInfo.InvariantCulture) + Convert.ToInt32(rows.GetValue(6), CultureInfo.InvariantCulture);
            stays.Add(new StayForRetention(id, rows.GetString(1) != "Closed", database.ReadInstant(rows, 2), Math.Max(0, total - paid.GetValueOrDefault(id)), disputes));
        }

        return stays;
    }

    private static async Task<HashSet<string>> CompletedUnitsAsync(DbConnection connection, string site, CancellationToken ct)
    {
        await using var select = connection.Command("SELECT unit_id FROM pseudonymisations WHERE site_id = @site AND completed_at IS NOT NULL").With("site", site);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var done = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            done.Add(reader.GetString(0));
        }

        return done;
    }

    [GeneratedRegex("[0-9a-f]{32}")]
    private static partial Regex Id();
}
