using System.Data.Common;
using System.Globalization;
using System.Text.Json.Nodes;

using ParkCharge.Core.Privacy;
using ParkCharge.Storage.Json;

namespace ParkCharge.Storage.Privacy;

public sealed partial class PrivacyStore
{
    /// <summary>One stay (or a loose read) to pseudonymise: its rows' ids, its reads' observation keys and every text its plate had.</summary>
    private sealed class Unit(string id)
    {
        public string Id { get; } = id;

        public List<string> Sessions { get; } = [];

        public List<string> Visits { get; } = [];

        public List<string> Sightings { get; } = [];

        public List<string> Bindings { get; } = [];

        public List<string> Bills { get; } = [];

        public List<string> Anomalies { get; } = [];

        public HashSet<string> ObservationKeys { get; } = new(StringComparer.Ordinal);

        public List<string> Plates { get; } = [];

        /// <summary>The plate the pseudonym is made from: the stay's, else its first readable read.</summary>
        public string? Primary { get; set; }

        public PlateScrubber Scrubber { get; set; } = null!;

        public Func<string, string> PseudonymOf { get; set; } = null!;

        public IEnumerable<string> Ids => Sessions.Concat(Visits).Concat(Sightings).Concat(Bindings).Concat(Bills).Concat(Anomalies);
    }

    /// <summary>The units for the due stays, and for loose reads (older than <paramref name="looseBefore"/>, or of <paramref name="plate"/>) not of a held stay.</summary>
    private async Task<(List<Unit> Units, int Loose)> UnitsAsync(string site, List<string> dueStays, DateTimeOffset? looseBefore, string? plate, HashSet<string> heldStays, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var units = new List<Unit>();
        foreach (var stay in dueStays)
        {
            var unit = new Unit(stay);
            unit.Sessions.Add(stay);
            await using (var select = connection.Command("SELECT plate, plate_raw, merged_session_ids FROM parking_sessions WHERE id = @id").With("id", stay))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    unit.Primary = reader.GetString(0);
                    unit.Plates.Add(reader.GetString(0));
                    unit.Plates.Add(reader.GetString(1));
                    unit.Sessions.AddRange(LogJson.DeserializeStrings(reader.GetString(2)));
                }
            }

            await CollectAsync(connection, unit, "SELECT id, plate, plate_raw FROM parking_sessions WHERE id IN ({0})", unit.Sessions, null, ct);
            await CollectAsync(connection, unit, "SELECT id, plate, plate_raw FROM bay_visits WHERE parking_session_id IN ({0})", unit.Sessions, unit.Visits, ct);
            await CollectSightingsAsync(connection, unit, "parking_session_id IN ({0}) OR bay_visit_id IN ({1})", ct);
            await CollectAsync(connection, unit, "SELECT charging_session_id, plate, NULL FROM charging_bindings WHERE parking_session_id IN ({0})", unit.Sessions, unit.Bindings, ct);
            await CollectAsync(connection, unit, "SELECT id, NULL, NULL FROM bills WHERE parking_session_id IN ({0})", unit.Sessions, unit.Bills, ct);
            await CollectAsync(connection, unit, "SELECT id, plate, NULL FROM parking_anomalies WHERE parking_session_id IN ({0})", unit.Sessions, unit.Anomalies, ct);
            await CollectAsync(connection, unit, "SELECT id, plate, NULL FROM parking_anomalies WHERE sighting_id IN ({0})", unit.Sightings, unit.Anomalies, ct);
            units.Add(unit);
        }

        // Reads that joined no stay: bay visits of no stay, and sightings of neither.
        var looseCount = 0;
        var filter = plate is null ? "last_seen_at < @before" : "plate = @plate";
        foreach (var (table, link) in new[] { ("bay_visits", "parking_session_id IS NULL"), ("sightings", "parking_session_id IS NULL AND bay_visit_id IS NULL") })
        {
            var loose = new List<(string Id, string Plate)>();
            await using (var select = connection.Command($"SELECT id, plate FROM {table} WHERE site_id = @site AND {link} AND {filter}")
                .With("site", site).WithWhen(plate is null, "before", looseBefore is { } b ? database.Instant(b) : null).WithWhen(plate is not null, "plate", plate))
            await using (var reader = await select.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    if (!Pseudonyms.IsPseudonym(reader.GetString(1)) && reader.GetString(1).Length > 0)
                    {
                        loose.Add((reader.GetString(0), reader.GetString(1)));
                    }
                }
            }

            foreach (var (id, text) in loose)
            {
                var unit = new Unit(id) { Primary = text };
                if (table == "bay_visits")
                {
                    unit.Visits.Add(id);
                    await CollectAsync(connection, unit, "SELECT id, plate, plate_raw FROM bay_visits WHERE id IN ({0})", unit.Visits, null, ct);
                    await CollectSightingsAsync(connection, unit, "bay_visit_id IN ({1})", ct);
                }
                else
                {
                    unit.Sightings.Add(id);
                    await CollectSightingsAsync(connection, unit, "id IN ({2})", ct);
                }

                await CollectAsync(connection, unit, "SELECT id, plate, NULL FROM parking_anomalies WHERE sighting_id IN ({0})", unit.Sightings, unit.Anomalies, ct);
                units.Add(unit);
                looseCount++;
            }
        }

        _ = heldStays; // held stays are not units; their rows are never named by a unit's ids
        return (units, looseCount);
    }

    private static async Task CollectAsync(DbConnection connection, Unit unit, string sql, List<string> ids, List<string>? into, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var select = connection.Command(string.Format(CultureInfo.InvariantCulture, sql, Parameters("i", ids.Count)));
        Bind(select, "i", ids);
        await using var reader = await select.ExecuteReaderAsync(ct);
        var found = new List<string>();
        while (await reader.ReadAsync(ct))
        {
            found.Add(reader.GetString(0));
            for (var c = 1; c < 3; c++)
            {
                if (!reader.IsDBNull(c))
                {
                    unit.Plates.Add(reader.GetString(c));
                }
            }
        }

        if (into is not null)
        {
            foreach (var id in found.Where(f => !into.Contains(f)))
            {
                into.Add(id);
            }
        }
    }

    /// <summary>Sightings by a condition on sessions ({0}), visits ({1}) or their own ids ({2}), with every read's text and observation key.</summary>
    private static async Task CollectSightingsAsync(DbConnection connection, Unit unit, string condition, CancellationToken ct)
    {
        var sql = "SELECT id, plate, plate_raw, reads FROM sightings WHERE " + string.Format(
            CultureInfo.InvariantCulture, condition,
            unit.Sessions.Count == 0 ? "NULL" : Parameters("s", unit.Sessions.Count),
            unit.Visits.Count == 0 ? "NULL" : Parameters("v", unit.Visits.Count),
            unit.Sightings.Count == 0 ? "NULL" : Parameters("g", unit.Sightings.Count));
        await using var select = connection.Command(sql);
        Bind(select, "s", unit.Sessions);
        Bind(select, "v", unit.Visits);
        Bind(select, "g", unit.Sightings);
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (!unit.Sightings.Contains(reader.GetString(0)))
            {
                unit.Sightings.Add(reader.GetString(0));
            }

            unit.Plates.Add(reader.GetString(1));
            unit.Plates.Add(reader.GetString(2));
            foreach (var read in LogJson.DeserializeReads(reader.GetString(3)))
            {
                unit.Plates.Add(read.Raw);
                unit.Plates.Add(read.Plate);
                unit.ObservationKeys.Add(read.ObservationKey);
            }
        }
    }

    private static string Parameters(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "@" + prefix + i.ToString(CultureInfo.InvariantCulture)));

    private static void Bind(DbCommand command, string prefix, List<string> values)
    {
        for (var i = 0; i < values.Count; i++)
        {
            command.With(prefix + i.ToString(CultureInfo.InvariantCulture), values[i]);
        }
    }

    /// <summary>The strings at a property named <c>plate</c> (any depth): a read's text and the camera's alternatives.</summary>
    private static IEnumerable<string> PlateFields(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            yield break;
        }

        var stack = new Stack<JsonNode?>([root]);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case JsonObject o:
                    foreach (var (name, value) in o)
                    {
                        if (string.Equals(name, "plate", StringComparison.OrdinalIgnoreCase) && value is JsonValue v && v.TryGetValue<string>(out var text))
                        {
                            yield return text;
                        }
                        else
                        {
                            stack.Push(value);
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        stack.Push(item);
                    }

                    break;
            }
        }
    }
}
