using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;

using ParkCharge.Core.Plates;
using ParkCharge.Core.Privacy;

namespace ParkCharge.Storage.Privacy;

public sealed partial class PrivacyStore
{
    private async Task<PseudonymisationReport> PseudonymiseAsync(string site, List<Unit> units, (string Id, byte[] Secret) key, string reason, DateTimeOffset now, CancellationToken ct, IProgress<int>? unitsDone)
    {
        if (units.Count == 0)
        {
            return new PseudonymisationReport(0, 0, [], 0, 0, 0);
        }

        await using var connection = await database.OpenAsync(ct);

        // 1. The pseudonym of each unit, written down first: a pass cut short resumes with the same one (and the
        //    same secret for its misreads' variants while that secret lives).
        var secrets = new Dictionary<string, byte[]>(StringComparer.Ordinal) { [key.Id] = key.Secret };
        foreach (var unit in units)
        {
            var primary = PlateText.Normalize(unit.Primary ?? "");
            if (primary.Length == 0)
            {
                primary = unit.Plates.Select(PlateText.Normalize).FirstOrDefault(p => p.Length > 0 && !Pseudonyms.IsPseudonym(p)) ?? "";
            }

            await using (var insert = connection.Command("""
                INSERT INTO pseudonymisations (site_id, unit_id, pseudonym, key_id, reason, started_at) VALUES (@site, @unit, @pseudonym, @key, @reason, @at)
                ON CONFLICT (site_id, unit_id) DO NOTHING
                """).With("site", site).With("unit", unit.Id).With("pseudonym", Pseudonyms.Of(key.Secret, primary)).With("key", key.Id).With("reason", reason).With("at", database.Instant(now)))
            {
                await insert.ExecuteNonQueryAsync(ct);
            }

            string pseudonym, keyId;
            await using (var read = connection.Command("SELECT pseudonym, key_id FROM pseudonymisations WHERE site_id = @site AND unit_id = @unit").With("site", site).With("unit", unit.Id))
            await using (var reader = await read.ExecuteReaderAsync(ct))
            {
                await reader.ReadAsync(ct);
                (pseudonym, keyId) = (reader.GetString(0), reader.GetString(1));
            }

            if (!secrets.TryGetValue(keyId, out var secret))
            {
                await using var find = connection.Command("SELECT secret FROM pseudonym_keys WHERE site_id = @site AND id = @id").With("site", site).With("id", keyId);
                secret = secrets[keyId] = await find.ExecuteScalarAsync(ct) is string stored ? Convert.FromBase64String(stored) : key.Secret;
            }

            unit.PseudonymOf = n => n == primary ? pseudonym : Pseudonyms.Variant(secret, pseudonym, n);
            unit.Scrubber = new PlateScrubber(pseudonym, unit.Plates, unit.PseudonymOf);
        }

        // 2. The log: observations that brought a unit's reads or name its rows, and events that name them.
        var byKey = new Dictionary<string, Unit>(StringComparer.Ordinal);
        var byId = new Dictionary<string, Unit>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            foreach (var k in unit.ObservationKeys)
            {
                byKey[k] = unit;
            }

            foreach (var id in unit.Ids)
            {
                byId[id] = unit;
            }
        }

        var logRows = 0;
        var observationUnits = new Dictionary<long, List<Unit>>();
        var changes = new List<(long Seq, string Payload, string Reply)>();
        await using (var select = connection.Command("SELECT seq, key, payload, reply FROM observations WHERE site_id = @site ORDER BY seq").With("site", site))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (seq, observationKey, payload, reply) = (reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
                var named = Named(payload + reply, byId);
                var own = byKey.GetValueOrDefault(observationKey);
                if (own is not null && !named.Contains(own))
                {
                    named.Add(own);
                }

                if (named.Count == 0)
                {
                    continue;
                }

                observationUnits[seq] = named;
                var (newPayload, newReply) = (payload, reply);
                foreach (var unit in named)
                {
                    // A read's own text and the camera's alternatives are the unit's vehicle, whatever they say.
                    var scrubber = unit == own ? new PlateScrubber(unit.Scrubber.Pseudonym, unit.Plates.Concat(PlateFields(payload)), unit.PseudonymOf) : unit.Scrubber;
                    (newPayload, newReply) = (scrubber.Json(newPayload), scrubber.Json(newReply));
                }

                if (newPayload != payload || newReply != reply)
                {
                    changes.Add((seq, newPayload, newReply));
                }
            }
        }

        logRows += await WriteAsync(connection, changes, "UPDATE observations SET payload = @json_a, reply = @json_b WHERE site_id = @site AND seq = @seq", site, ct);
        changes.Clear();
        await using (var select = connection.Command("SELECT seq, observation_seq, payload FROM events WHERE site_id = @site ORDER BY seq").With("site", site))
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (seq, observationSeq, payload) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2));
                var named = Named(payload, byId);
                foreach (var unit in observationUnits.GetValueOrDefault(observationSeq) ?? [])
                {
                    if (!named.Contains(unit))
                    {
                        named.Add(unit);
                    }
                }

                var scrubbed = named.Aggregate(payload, (json, unit) => unit.Scrubber.Json(json));
                if (scrubbed != payload)
                {
                    changes.Add((seq, scrubbed, ""));
                }
            }
        }

        logRows += await WriteAsync(connection, changes, "UPDATE events SET payload = @json_a WHERE site_id = @site AND seq = @seq", site, ct);

        // 2b. Snapshots of the site's engine state hold the plates of its recent stays. Each object in a snapshot is
        //     scrubbed for the units it or an object around it names (a sighting by its id, a taught token by its
        //     charging session), never for a plate text alone: a regular's stays that are kept keep their plate.
        if (await Snapshots.SnapshotStore.CountAsync(connection, site, ct) > 0)
        {
            var kept = await KeptPlatesAsync(connection, site, byId, ct);
            logRows += await Snapshots.SnapshotStore.RewriteAsync(connection, site, json => ScrubSnapshot(json, byId, kept), ct);
        }

        // 3. Projections, unit by unit; the parking session last (it says the stay is done); pictures deleted.
        var projectionRows = 0;
        var pictures = 0;
        var done = 0;
        foreach (var unit in units)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "sightings", "id", unit.Sightings, ["plate", "plate_raw"], ["reads"], unit.Scrubber, ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "bay_visits", "id", unit.Visits, ["plate", "plate_raw"], [], unit.Scrubber, ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "charging_bindings", "charging_session_id", unit.Bindings, ["plate"], ["evidence", "candidates"], unit.Scrubber, ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "bills", "id", unit.Bills, ["plate"], ["document"], unit.Scrubber, ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "parking_anomalies", "id", unit.Anomalies, ["plate", "detail", "resolution"], ["candidates"], unit.Scrubber, ct);
            projectionRows += await ScrubRowsAsync(connection, transaction, "audit_log", "target", [.. unit.Ids], ["reason", "detail"], [], unit.Scrubber, ct);
            foreach (var id in unit.Sessions)
            {
                // Bindings in review and anomalies that list this stay among their candidates.
                projectionRows += await ScrubWhereAsync(connection, transaction, "charging_bindings", "charging_session_id", "CAST(candidates AS TEXT) LIKE @like", id, ["plate"], ["evidence", "candidates"], unit.Scrubber, ct);
                projectionRows += await ScrubWhereAsync(connection, transaction, "parking_anomalies", "id", "CAST(candidates AS TEXT) LIKE @like", id, ["plate", "detail", "resolution"], ["candidates"], unit.Scrubber, ct);
            }

            if (unit.ObservationKeys.Count > 0)
            {
                var keys = unit.ObservationKeys.ToList();
                await using var delete = connection.Command($"DELETE FROM anpr_images WHERE site_id = @site AND observation_key IN ({Parameters("k", keys.Count)})", transaction).With("site", site);
                Bind(delete, "k", keys);
                pictures += await delete.ExecuteNonQueryAsync(ct);
            }

            projectionRows += await ScrubRowsAsync(connection, transaction, "parking_sessions", "id", unit.Sessions, ["plate", "plate_raw"], [], unit.Scrubber, ct);
            await using (var complete = connection.Command("UPDATE pseudonymisations SET completed_at = @at WHERE site_id = @site AND unit_id = @unit", transaction)
                .With("at", database.Instant(now)).With("site", site).With("unit", unit.Id))
            {
                await complete.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            unitsDone?.Report(++done);
        }

        return new PseudonymisationReport(units.Count, 0, [], logRows, projectionRows, pictures);
    }

    /// <summary>
    /// A snapshot's JSON with the plates replaced, object by object: the object of a row (one with an id of its own) for
    /// every unit named anywhere in it, as a log entry is, and what it holds with it. A plate
    /// in an object that names no row at all (what a binding learnt: plate to id token) is replaced when it is a unit's
    /// plate and no stay, visit or read that stays (a kept stay of the same regular) has it.
    /// </summary>
    private static string ScrubSnapshot(string json, Dictionary<string, Unit> byId, HashSet<string> kept)
    {
        if (byId.Count == 0 || Named(json, byId).Count == 0)
        {
            return json;
        }

        var root = JsonNode.Parse(json)!;
        var byPlate = new Dictionary<string, Unit>(StringComparer.Ordinal);
        foreach (var unit in byId.Values.Distinct())
        {
            foreach (var plate in unit.Scrubber.Plates.Where(p => !kept.Contains(p)))
            {
                byPlate.TryAdd(plate, unit);
            }
        }

        return Scrub(root["state"] ?? root, [], false, byId, byPlate) ? root.ToJsonString() : json; // not the header: the engine build looks like an id
    }

    /// <summary>The plates (normalised) of the stays, visits and reads of the site that are not among the units: they stay readable.</summary>
    private static async Task<HashSet<string>> KeptPlatesAsync(DbConnection connection, string site, Dictionary<string, Unit> byId, CancellationToken ct)
    {
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var table in (string[])["parking_sessions", "bay_visits", "sightings"])
        {
            await using var select = connection.Command($"SELECT id, plate FROM {table} WHERE site_id = @site").With("site", site);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                if (!byId.ContainsKey(reader.GetString(0)) && !reader.IsDBNull(1))
                {
                    kept.Add(PlateText.Normalize(reader.GetString(1)));
                }
            }
        }

        return kept;
    }

    /// <summary>The ids an object or array names itself (its own string values that look like row ids).</summary>
    private static List<string> OwnIds(JsonNode node) =>
        [.. Children(node).OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var t) ? t : null).OfType<string>().Where(t => Id().IsMatch(t) && t.Length == 32)];

    private static IEnumerable<JsonNode?> Children(JsonNode node) => node switch
    {
        JsonObject o => o.Select(p => p.Value),
        JsonArray a => a,
        _ => [],
    };

    private static bool Scrub(JsonNode node, List<Unit> scope, bool named, Dictionary<string, Unit> byId, Dictionary<string, Unit> byPlate)
    {
        var ids = OwnIds(node);
        named |= ids.Count > 0;
        var own = scope;
        if (ids.Count > 0)
        {
            // A row's object (it has an id of its own) is scrubbed, like a log entry, for every unit named anywhere in it.
            foreach (var unit in Named(node.ToJsonString(), byId).Where(u => !scope.Contains(u)))
            {
                own = [.. own, unit];
            }
        }

        var changed = false;
        if (node is JsonObject obj)
        {
            foreach (var name in obj.Select(p => p.Key).ToList())
            {
                changed |= ScrubChild(obj[name], replacement => obj[name] = replacement, own, named, byId, byPlate);
            }
        }
        else if (node is JsonArray array)
        {
            for (var i = 0; i < array.Count; i++)
            {
                var at = i;
                changed |= ScrubChild(array[i], replacement => array[at] = replacement, own, named, byId, byPlate);
            }
        }

        return changed;
    }

    private static bool ScrubChild(JsonNode? child, Action<JsonNode> replace, List<Unit> scope, bool named, Dictionary<string, Unit> byId, Dictionary<string, Unit> byPlate)
    {
        if (child is JsonValue value && value.TryGetValue<string>(out var text))
        {
            var scrubbed = scope.Aggregate(text, (t, unit) => unit.Scrubber.Text(t));
            if (!named && scrubbed == text && text.Length <= 32 && byPlate.TryGetValue(Core.Plates.PlateText.Normalize(text), out var owner))
            {
                scrubbed = owner.Scrubber.Text(text);
            }

            if (scrubbed != text)
            {
                replace(JsonValue.Create(scrubbed));
                return true;
            }

            return false;
        }

        return child is not null && Scrub(child, scope, named, byId, byPlate);
    }

    private static List<Unit> Named(string text, Dictionary<string, Unit> byId)
    {
        var named = new List<Unit>();
        if (byId.Count == 0)
        {
            return named;
        }

        foreach (System.Text.RegularExpressions.ValueMatch match in Id().EnumerateMatches(text))
        {
            if (byId.GetValueOrDefault(text.Substring(match.Index, match.Length)) is { } unit && !named.Contains(unit))
            {
                named.Add(unit);
            }
        }

        return named;
    }

    private async Task<int> WriteAsync(DbConnection connection, List<(long Seq, string A, string B)> changes, string sql, string site, CancellationToken ct)
    {
        foreach (var chunk in changes.Chunk(Batch))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            foreach (var (seq, a, b) in chunk)
            {
                await using var update = connection.Command(sql, transaction).With("site", site).With("seq", seq);
                database.AddJson(update, "json_a", a);
                if (sql.Contains("@json_b", StringComparison.Ordinal))
                {
                    database.AddJson(update, "json_b", b);
                }

                await update.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }

        return changes.Count;
    }

    private Task<int> ScrubRowsAsync(DbConnection connection, DbTransaction transaction, string table, string keyColumn, List<string> keys, string[] text, string[] json, PlateScrubber scrubber, CancellationToken ct) =>
        keys.Count == 0 ? Task.FromResult(0) : ScrubAsync(connection, transaction, table, keyColumn, $"{keyColumn} IN ({Parameters("k", keys.Count)})", c => Bind(c, "k", keys), text, json, scrubber, ct);

    private Task<int> ScrubWhereAsync(DbConnection connection, DbTransaction transaction, string table, string keyColumn, string where, string id, string[] text, string[] json, PlateScrubber scrubber, CancellationToken ct) =>
        ScrubAsync(connection, transaction, table, keyColumn, where, c => c.With("like", "%" + id + "%"), text, json, scrubber, ct);

    private async Task<int> ScrubAsync(DbConnection connection, DbTransaction transaction, string table, string keyColumn, string where, Action<DbCommand> bind, string[] text, string[] json, PlateScrubber scrubber, CancellationToken ct)
    {
        var columns = text.Concat(json).ToArray();
        var rows = new List<(object Key, string?[] Values)>();
        await using (var select = connection.Command($"SELECT {keyColumn}, {string.Join(", ", columns)} FROM {table} WHERE {where}", transaction))
        {
            bind(select);
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var values = new string?[columns.Length];
                var changed = false;
                for (var i = 0; i < columns.Length; i++)
                {
                    var before = reader.IsDBNull(i + 1) ? null : reader.GetString(i + 1);
                    values[i] = before is null ? null : i < text.Length ? scrubber.Text(before) : scrubber.Json(before);
                    changed |= values[i] != before;
                }

                if (changed)
                {
                    rows.Add((reader.GetValue(0), values));
                }
            }
        }

        foreach (var (key, values) in rows)
        {
            var sets = string.Join(", ", columns.Select((c, i) => $"{c} = @c{i.ToString(CultureInfo.InvariantCulture)}"));
            await using var update = connection.Command($"UPDATE {table} SET {sets} WHERE {keyColumn} = @key", transaction).With("key", key);
            for (var i = 0; i < columns.Length; i++)
            {
                var name = "c" + i.ToString(CultureInfo.InvariantCulture);
                if (i >= text.Length && values[i] is { } document)
                {
                    database.AddJson(update, name, document);
                }
                else
                {
                    update.With(name, values[i]);
                }
            }

            await update.ExecuteNonQueryAsync(ct);
        }

        return rows.Count;
    }
}
