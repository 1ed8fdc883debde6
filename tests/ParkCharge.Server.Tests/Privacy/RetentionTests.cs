using System.Data.Common;
using System.Globalization;
using System.Text;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Privacy;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.MessageLog;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Privacy;

public sealed class SqliteRetentionTests(PostgresServer postgres) : RetentionTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresRetentionTests(PostgresServer postgres) : RetentionTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Retention at a site with short periods (issue 20): a simulated month through the engine and the log
/// writer, then the retention pass; afterwards a scan of every table and column finds no plate of a
/// settled stay older than the period, pictures are gone, bills and the reconciliation are unchanged and
/// the rewritten log replays to the same answers, events and bills.
/// </summary>
public abstract class RetentionTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private static readonly SiteId Site = new("privacy-site");
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = Start.AddDays(30);
    private static readonly SiteRetention Retention = new() { SettledStays = TimeSpan.FromDays(7), Pictures = TimeSpan.FromDays(1), PseudonymKey = TimeSpan.FromDays(10) };

    private readonly List<string> _folders = [];
    private readonly SiteState _state = new(Site);
    private readonly Dictionary<string, Stay> _stays = new(StringComparer.Ordinal);
    private Store _store = null!;
    private long _keys;

    private sealed record Stay(string Plate, DateTimeOffset LeftAt, bool Paid, IReadOnlyList<string> Texts);

    public async ValueTask InitializeAsync() => _store = await TestStores.OpenAsync(await TestStores.CreateOptionsAsync(engine, postgres));

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task After_a_month_with_short_retention_no_plate_of_a_settled_stay_older_than_the_period_is_anywhere_in_the_database()
    {
        var ct = TestContext.Current.CancellationToken;
        await PlayMonthAsync();
        var billsBefore = await BillsAsync();
        var parkingBefore = await ReconciliationAsync();
        // The charger's message log (on SQLite a file of its own): a frame older than its period, and a recent one.
        var oldFrame = End - Retention.MessageLog - TimeSpan.FromHours(1);
        foreach (var at in (DateTimeOffset[])[oldFrame, End.AddHours(-1)])
        {
            _store.Writer.Record(new MessageLogEntry(new ChargerId("CP-1"), "conn-1", MessageDirection.In, at, 2, "m-" + at.ToUnixTimeSeconds(), "Heartbeat", null, "[2,\"m\",\"Heartbeat\",{}]"));
        }

        await _store.Writer.FlushAsync();
        Assert.Equal(2, (await _store.Messages.ListAsync(new ChargerId("CP-1"), null, 10, ct)).Items.Count);

        // A snapshot of the engine's state holds the plates of the recent stays too (issue 20 item 4).
        var snapshot = new Storage.Snapshots.SnapshotHeader(_state.LastSeq, _state.LastEventSeq, Storage.Snapshots.SiteStateFormat.FormatVersion,
            Storage.Snapshots.SiteStateFormat.EngineVersion, End, End, 0);
        await _store.Snapshots.SaveAsync(Site, snapshot, Storage.Snapshots.SiteStateFormat.Write(_state), 2, ct);
        Assert.NotEmpty(await ScanAsync(_stays.Values.Select(s => s.Plate)));

        var report = await _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, End, ct);
        Assert.Equal([End.AddHours(-1)], (await _store.Messages.ListAsync(new ChargerId("CP-1"), null, 10, ct)).Items.Select(m => m.At));

        // Held: the unpaid ones, and those with an open dispute (a binding in review, an unresolved anomaly).
        var disputed = report.Held.Where(h => h.Reason.StartsWith("open dispute", StringComparison.Ordinal)).Select(h => h.ParkingSessionId).ToHashSet();
        var gone = _stays.Where(s => s.Value.LeftAt < End - Retention.SettledStays && s.Value.Paid && !disputed.Contains(s.Key)).Select(s => s.Value).ToList();
        var kept = _stays.Values.Except(gone).ToList();
        Assert.True(gone.Count > 300, $"only {gone.Count} stays expired");
        Assert.Equal(gone.Count, report.Stays);
        Assert.Equal(
            _stays.Where(s => s.Value.LeftAt < End - Retention.SettledStays && !s.Value.Paid).Select(s => s.Key).Order(),
            report.Held.Where(h => h.Reason.StartsWith("unpaid bill", StringComparison.Ordinal)).Select(h => h.ParkingSessionId).Order());
        Assert.True(disputed.Count < 20, $"{disputed.Count} stays held for disputes");
        await AssertDisputesAreOpenAsync(disputed);
        // A plate that also has a stay still kept (a regular's last week, an unpaid visit) is still there, of course.
        var found = await ScanAsync(gone.SelectMany(s => s.Texts).Except(kept.SelectMany(s => s.Texts)));
        Assert.Empty(found);
        var stillThere = await ScanAsync(kept.Select(s => s.Plate));
        Assert.Equal(kept.Select(s => s.Plate).Distinct().Order(), stillThere.Select(f => f.Text).Distinct().Order());

        Assert.Equal(0, await OldPicturesAsync());
        Assert.Equal(billsBefore, await BillsAsync());
        Assert.Equal(parkingBefore, await ReconciliationAsync());
        await AssertReplayMatchesAsync();

        // The snapshot was scrubbed like the log: a start-up from it builds the state a replay of the rewritten log does,
        // but for one thing it cannot know. A regular's card taught its plate by an old stay (now pseudonymised) and by a
        // kept one: the replay learns "pseudonym -> card" and "plate -> card", the snapshot only has "plate -> card" (no
        // pseudonym is ever read at a gate, so nothing is decided on the missing entry).
        var loader = new ParkCharge.Server.Sites.SiteStateLoader(_store, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var fromSnapshot = await loader.LoadAsync(Site, ct);
        Assert.Equal(_state.LastSeq, fromSnapshot.Snapshot?.Seq);
        var differences = StateComparison.Differences((await loader.LoadAsync(Site, ct, useSnapshots: false)).State, fromSnapshot.State, max: 1000)
            .Where(d => !(d.Contains("_tokenByPlate[PSN", StringComparison.Ordinal) && d.EndsWith("missing after the snapshot", StringComparison.Ordinal)))
            .Where(d => !d.Contains("_tokenByPlate:", StringComparison.Ordinal))
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));

        var again = await _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, End, ct);
        Assert.Equal((0, 0, 0), (again.Stays, again.LogRowsRewritten, again.ProjectionRowsRewritten));
    }

    [Fact]
    public async Task A_pass_cut_short_in_the_middle_resumes_and_ends_as_an_uninterrupted_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await PlayMonthAsync(days: 12);
        using var crash = new CancellationTokenSource();
        var progress = new SynchronousProgress(done =>
        {
            if (done == 5)
            {
                crash.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, Start.AddDays(12), crash.Token, progress));
        var resumed = await _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, Start.AddDays(12), ct);

        var disputed = resumed.Held.Where(h => h.Reason.StartsWith("open dispute", StringComparison.Ordinal)).Select(h => h.ParkingSessionId).ToHashSet();
        var gone = _stays.Where(s => s.Value.LeftAt < Start.AddDays(5) && s.Value.Paid && !disputed.Contains(s.Key)).Select(s => s.Value).ToList();
        Assert.Equal(gone.Count - 5, resumed.Stays);
        Assert.Empty(await ScanAsync(gone.SelectMany(s => s.Texts).Except(_stays.Values.Except(gone).SelectMany(s => s.Texts))));
        await AssertOnePseudonymPerStayAsync();
        await AssertReplayMatchesAsync();
    }

    [Fact]
    public async Task A_key_rotation_between_passes_gives_a_plate_a_new_pseudonym_but_never_splits_a_stay_and_the_old_secret_is_destroyed()
    {
        var ct = TestContext.Current.CancellationToken;
        await PlayMonthAsync();

        // Day 15: the stays of the first week. Day 26 (the 10-day key has rotated): those of the second and third.
        await _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, Start.AddDays(15), ct);
        await _store.Privacy.ApplyRetentionAsync(Site.Value, Retention, Start.AddDays(26), ct);

        Assert.Equal(1, await _store.Privacy.KeyCountAsync(Site.Value, ct));
        await AssertOnePseudonymPerStayAsync();
        // The regular's stays pseudonymised before and after the rotation carry two pseudonyms, which cannot be linked;
        // those of the last week still carry the plate.
        var sessions = await PlatesOfSessionsAsync();
        var regular = _stays.Where(s => s.Value.Plate == "RG0001").ToList();
        Assert.Equal(2, regular.Where(s => s.Value.LeftAt < Start.AddDays(19)).Select(s => sessions[s.Key]).Distinct().Count(p => Pseudonyms.IsPseudonym(p)));
        Assert.All(regular.Where(s => s.Value.LeftAt >= Start.AddDays(19)), s => Assert.Equal("RG0001", sessions[s.Key]));
        await AssertReplayMatchesAsync();
    }

    [Fact]
    public async Task Erasure_of_a_plate_with_one_paid_and_one_unpaid_stay_pseudonymises_the_paid_one_and_lists_the_unpaid_one_as_held()
    {
        var ct = TestContext.Current.CancellationToken;
        await PlayMonthAsync(days: 3);
        var twice = _stays.Where(s => s.Value.Plate == "ER4242").ToList();
        Assert.Equal(2, twice.Count);

        var report = await _store.Privacy.EraseAsync("er 4242", _ => Retention, Start.AddDays(3), ct);

        var unpaid = Assert.Single(twice, s => !s.Value.Paid);
        var held = Assert.Single(report.Held);
        Assert.Equal(unpaid.Key, held.ParkingSessionId);
        Assert.StartsWith("unpaid bill", held.Reason, StringComparison.Ordinal);
        Assert.Equal(1, report.Stays);
        var sessions = await PlatesOfSessionsAsync();
        Assert.Equal("ER4242", sessions[unpaid.Key]);
        Assert.True(Pseudonyms.IsPseudonym(sessions[twice.Single(s => s.Value.Paid).Key]));
        await AssertReplayMatchesAsync();
    }

    [Fact]
    public async Task The_evidence_compaction_keeps_found_in_one_pass_is_exactly_what_the_stay_by_stay_search_finds()
    {
        var ct = TestContext.Current.CancellationToken;
        await PlayMonthAsync();
        // Two vehicles still inside at the end (open stays, one read at a bay), and a bay read of no stay.
        await ObserveAsync(End.AddHours(-2), new PlateRead { Camera = "gate-in", Plate = "IN0001", Confidence = 0.95 }, null);
        await ObserveAsync(End.AddHours(-2).AddMinutes(1), new PlateRead { Camera = "gate-in", Plate = "IN0002", Confidence = 0.95 }, null);
        await ObserveAsync(End.AddHours(-2).AddMinutes(4), new PlateRead { Camera = "cam-1", Plate = "IN0002", Confidence = 0.9 }, null);
        await ObserveAsync(End.AddHours(-1), new PlateRead { Camera = "cam-2", Plate = "LS0001", Confidence = 0.9 }, null);

        // Before retention (most stays within their period or unpaid), with the defaults, and after a pass pseudonymised the due ones.
        var sizes = new List<(int Stays, int Keys, int Ids)>();
        foreach (var (retention, pass) in ((SiteRetention, bool)[])[(Retention, false), (new SiteRetention(), false), (Retention, true)])
        {
            if (pass)
            {
                await _store.Privacy.ApplyRetentionAsync(Site.Value, retention, End, ct);
            }

            var stayByStay = await _store.Privacy.EvidenceStayByStayAsync(Site.Value, retention, End, ct);
            var onePass = await _store.Privacy.EvidenceAsync(Site.Value, retention, End, ct);
            Assert.Equal(stayByStay.Stays, onePass.Stays);
            Assert.Equal(stayByStay.ObservationKeys.Order(StringComparer.Ordinal), onePass.ObservationKeys.Order(StringComparer.Ordinal));
            Assert.Equal(stayByStay.Ids.Order(StringComparer.Ordinal), onePass.Ids.Order(StringComparer.Ordinal));
            sizes.Add((onePass.Stays, onePass.ObservationKeys.Count, onePass.Ids.Count));
        }

        // Not trivially equal: hundreds of stays, their reads and rows; the pass changes none of it (it pseudonymised only
        // stays that hold nothing).
        Assert.True(sizes.All(s => s.Stays > 200 && s.Keys > 2 * s.Stays && s.Ids > 4 * s.Stays), string.Join(", ", sizes));
        Assert.True(sizes[1].Stays > sizes[0].Stays && sizes[2] == sizes[0], string.Join(", ", sizes));
    }

    // ---- the month ------------------------------------------------------------------------------------

    /// <summary>
    /// A month at a car park with four EV bays, 20 vehicles a day: every third charges (read at its bay), one
    /// in ten does not pay, some exits are misread by one look-alike character, a plate that is part of a
    /// longer one and a raw text with separators are among them, and a regular comes every other day.
    /// </summary>
    private async Task PlayMonthAsync(int days = 30)
    {
        var random = new Random(20);
        var observations = new List<(DateTimeOffset At, ObservationPayload Payload, DateTimeOffset? EventTime)>
        {
            (Start.AddMinutes(-3), new ChargerRegistration(new ChargerId("CP-1"), null, 0), null),
            (Start.AddMinutes(-2), new ConnectionOpened(new ChargerId("CP-1"), "conn-1", OcppVersion.Ocpp16, "node-a", "127.0.0.1"), null),
            (Start.AddMinutes(-1), new SiteConfigured(Configuration()), null),
        };
        var plans = new List<(string Raw, string Plate, string? ExitRead, DateTimeOffset Entered, DateTimeOffset Left, bool Paid, int? Bay)>();
        for (var day = 0; day < days; day++)
        {
            for (var v = 0; v < 20; v++)
            {
                var n = day * 20 + v;
                var (raw, plate) = (v, day) switch
                {
                    (0, _) when day % 2 == 0 => ("RG0001", "RG0001"),
                    (1, 1) => ("QX1234", "QX1234"),
                    (1, _) when day == days - 1 => ("QX12345", "QX12345"),
                    (2, 0) or (2, 2) => ("ER 4242", "ER4242"),
                    (3, _) => ($"MU-{Letters(n)} {n:0000}", $"MU{Letters(n)}{n:0000}"),
                    _ => ($"{Letters(n)}{n:0000}X", $"{Letters(n)}{n:0000}X"),
                };
                var exitRead = v == 4 ? string.Concat(plate[..2], "O", plate[3..]) : null; // one look-alike misread at the exit (a 0 read as O)
                var entered = Start.AddDays(day).AddMinutes(random.Next(0, 600));
                var left = entered.AddMinutes(random.Next(20, 400));
                var paid = !(v == 7 || (v == 2 && day == 2));
                plans.Add((raw, plate, exitRead, entered, left, paid, v % 3 == 0 ? (n / 3) % 4 : null));
            }
        }

        var tx = 0;
        foreach (var p in plans)
        {
            observations.Add((p.Entered, new PlateRead { Camera = "gate-in", Plate = p.Raw, Confidence = 0.95, HasImage = true }, null));
            if (p.Bay is { } bay)
            {
                var atBay = p.Entered.AddMinutes(3 + bay);
                var plugged = atBay.AddSeconds(30);
                observations.Add((atBay, new PlateRead { Camera = $"cam-{bay + 1}", Plate = p.Raw, Confidence = 0.9 }, null));
                observations.Add((plugged, new TransactionStartReported(new ChargerId("CP-1"), bay + 1, $"TAG-{tx}", 0), null));
                var transaction = ++tx;
                observations.Add((p.Left.AddMinutes(-5), new TransactionStopReported(new ChargerId("CP-1"), transaction, null, random.Next(1_000, 40_000), null, []), null));
            }

            observations.Add((p.Left, new PlateRead { Camera = "gate-out", Plate = p.ExitRead ?? p.Raw, Confidence = 0.95 }, null));
        }

        foreach (var (at, payload, eventTime) in observations.OrderBy(o => o.At))
        {
            var key = await ObserveAsync(at, payload, eventTime);
            if (payload is PlateRead { HasImage: true } read)
            {
                await _store.Images.SaveAsync(Site.Value, read.Camera, key, "plate.jpg", "image/jpeg", Encoding.UTF8.GetBytes("JPEG " + read.Plate), at, CancellationToken.None);
            }

            if (payload is not PlateRead { Camera: "gate-out" })
            {
                continue;
            }

            // The stay this exit closed is paid at the pay station a second later (or not, for one in ten).
            foreach (var session in _state.Parking.Sessions.Where(s => !s.IsOpen && s.ClosedBy != ParkingSessionClosure.Merged && !_stays.ContainsKey(s.Id)).ToList())
            {
                var matching = plans.Where(p => p.Plate == session.Plate && p.Entered == session.EnteredAt).ToList();
                Assert.True(matching.Count == 1, $"session {session.Plate} entered {session.EnteredAt} exited {session.ExitedAt} {session.ClosedBy} {session.Anomalies}");
                var plan = matching[0];
                var bill = _state.Billing.Find(session.Id);
                if (plan.Paid && bill is { Total: > 0 })
                {
                    await ObserveAsync(at.AddSeconds(1), new PaymentRecorded(session.Id, bill.Total, "EUR", "card", "ref-" + session.Id[..6], "pay-station"), null);
                }

                _stays[session.Id] = new Stay(plan.Plate, plan.Left, plan.Paid || bill is not { Total: > 0 }, [plan.Raw, plan.Plate, .. plan.ExitRead is { } e ? [e] : Array.Empty<string>()]);
            }
        }

        Assert.True(plans.Count == _stays.Count, string.Join("; ", plans.Where(p => !_stays.Values.Any(s => s.Plate == p.Plate && s.LeftAt == p.Left)).Take(5).Select(p => $"{p.Plate} {p.Entered:O}")));

        // A bill adjusted after its payment (a binding confirmed later) is owed again: not paid.
        var owed = (await _store.Bills.AllAsync(CancellationToken.None)).ToDictionary(b => b.ParkingSessionId, b => b.Current.Total, StringComparer.Ordinal);
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        await using var select = Command(connection, "SELECT parking_session_id, amount FROM payments");
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            owed[reader.GetString(0)] -= Convert.ToDecimal(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        foreach (var (id, stay) in _stays.ToList())
        {
            _stays[id] = stay with { Paid = owed.GetValueOrDefault(id) <= 0 };
        }
    }

    /// <summary>
    /// Two letters with no look-alike (so no two vehicles of the month are one OCR error apart): with the
    /// digits, any two plates differ in at least two places.
    /// </summary>
    private static string Letters(int n)
    {
        const string alphabet = "CEFHJKMNPRWXY";
        return string.Concat(alphabet[n % 13], alphabet[n / 13 % 13]);
    }

    private async Task<string> ObserveAsync(DateTimeOffset at, ObservationPayload payload, DateTimeOffset? eventTime)
    {
        var observation = new Observation
        {
            Site = Site,
            Source = "test",
            Key = "o-" + (++_keys).ToString(CultureInfo.InvariantCulture),
            EventTime = eventTime ?? at,
            ReceivedAt = at,
            Payload = payload,
        };
        var decision = SiteEngine.Decide(_state, observation);
        var applied = _state.Apply(observation, decision);
        await _store.Writer.AppendAsync(new SiteAppend(Site, [new LoggedObservation(applied.Seq, observation, decision, applied.FirstEventSeq)]));
        return observation.Key;
    }

    // ---- what the database holds ----------------------------------------------------------------------

    /// <summary>Every table, every column, every row: where each text occurs (case-insensitive), as (table, column, text).</summary>
    private async Task<List<(string Table, string Column, string Text)>> ScanAsync(IEnumerable<string> texts)
    {
        var wanted = texts.Distinct().ToList();
        var found = new List<(string, string, string)>();
        await ScanAsync(_store.Database, wanted, found);
        if (_store.MessageLogDatabase != _store.Database)
        {
            await ScanAsync(_store.MessageLogDatabase, wanted, found); // on SQLite the message log is a file of its own
        }

        return found;
    }

    private async Task ScanAsync(Database database, List<string> wanted, List<(string Table, string Column, string Text)> found)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var tables = new List<string>();
        await using (var list = Command(connection, engine == StoreEngine.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains(database == _store.Database ? "bills" : "message_log", tables);
        foreach (var table in tables)
        {
            await using var select = Command(connection, $"SELECT * FROM {table}");
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
                    {
                        byte[] zipped when zipped is [0x1f, 0x8b, ..] => Unzipped(zipped), // a snapshot of an engine's state
                        byte[] bytes => Encoding.UTF8.GetString(bytes),
                        var other => Convert.ToString(other, CultureInfo.InvariantCulture),
                    };
                    foreach (var text in wanted.Where(t => value is not null && IsWordIn(t, value)))
                    {
                        found.Add((table, reader.GetName(i), text));
                    }
                }
            }
        }
    }

    private static string Unzipped(byte[] zipped)
    {
        using var zip = new System.IO.Compression.GZipStream(new MemoryStream(zipped), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(zip);
        return reader.ReadToEnd();
    }

    /// <summary>As a word: "QX1234" is not in "QX12345" (that is another vehicle's plate).</summary>
    private static bool IsWordIn(string text, string value)
    {
        for (var at = value.IndexOf(text, StringComparison.OrdinalIgnoreCase); at >= 0; at = value.IndexOf(text, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            if ((at == 0 || !char.IsLetterOrDigit(value[at - 1])) && (at + text.Length == value.Length || !char.IsLetterOrDigit(value[at + text.Length])))
            {
                return true;
            }
        }

        return false;
    }

    private static DbCommand Command(DbConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private async Task<int> OldPicturesAsync()
    {
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        await using var select = Command(connection, "SELECT received_at FROM anpr_images");
        await using var reader = await select.ExecuteReaderAsync();
        var old = 0;
        while (await reader.ReadAsync())
        {
            var at = reader.GetValue(0) switch
            {
                DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
                DateTimeOffset o => o,
                var text => DateTimeOffset.Parse(Convert.ToString(text, CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture),
            };
            old += at < End - Retention.Pictures ? 1 : 0;
        }

        return old;
    }

    private async Task<Dictionary<string, string>> PlatesOfSessionsAsync()
    {
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        await using var select = Command(connection, "SELECT id, plate FROM parking_sessions");
        await using var reader = await select.ExecuteReaderAsync();
        var plates = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            plates[reader.GetString(0)] = reader.GetString(1);
        }

        return plates;
    }

    /// <summary>Every stay held for a dispute has a binding in review (or provisional) or an unresolved anomaly.</summary>
    private async Task AssertDisputesAreOpenAsync(HashSet<string> disputed)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        await using var select = Command(connection, """
            SELECT parking_session_id FROM charging_bindings WHERE status IN ('Provisional', 'Review') AND parking_session_id IS NOT NULL
            UNION SELECT parking_session_id FROM parking_anomalies WHERE NOT resolved AND parking_session_id IS NOT NULL
            """);
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            open.Add(reader.GetString(0));
        }

        Assert.Subset(open, disputed);
    }

    /// <summary>A stay's session, bill, visits, sightings and bindings carry one and the same pseudonym (or its variants).</summary>
    private async Task AssertOnePseudonymPerStayAsync()
    {
        var sessions = await PlatesOfSessionsAsync();
        var bills = (await _store.Bills.AllAsync(CancellationToken.None)).ToDictionary(b => b.ParkingSessionId, b => b.Plate, StringComparer.Ordinal);
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        foreach (var (table, link) in new[] { ("bay_visits", "parking_session_id"), ("sightings", "parking_session_id"), ("charging_bindings", "parking_session_id") })
        {
            await using var select = Command(connection, $"SELECT {link}, plate FROM {table} WHERE {link} IS NOT NULL");
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var session = sessions[reader.GetString(0)];
                if (Pseudonyms.IsPseudonym(session) && !reader.IsDBNull(1))
                {
                    // The stay's pseudonym, or for a misread (the exit read "0" as "O") a variant of it.
                    Assert.True(Pseudonyms.AreOneStay(session, reader.GetString(1)), $"{table}: {reader.GetString(1)} is not of the stay {session}");
                }
            }
        }

        foreach (var (id, plate) in sessions.Where(s => Pseudonyms.IsPseudonym(s.Value)))
        {
            if (bills.TryGetValue(id, out var billPlate))
            {
                Assert.Equal(plate, billPlate);
            }
        }
    }

    private async Task<List<string>> BillsAsync() =>
        [.. (await _store.Bills.AllAsync(CancellationToken.None)).Select(b => string.Join('|', b.Id, b.ParkingSessionId, b.Current.Total.ToString(CultureInfo.InvariantCulture), b.Current.Lines.Count, b.Adjustments.Count))];

    private async Task<List<string>> ReconciliationAsync() =>
        [.. (await _store.Reconciliation.ParkingAsync(Site.Value, Start.AddDays(-1), End.AddDays(1), CancellationToken.None)).Select(r => string.Join('|', r.Id, r.Status, r.EnteredAt, r.ExitedAt, r.Anomalies))];

    private async Task AssertReplayMatchesAsync()
    {
        var folder = Directory.CreateTempSubdirectory("parkcharge-privacy-replay-").FullName;
        _folders.Add(folder);
        await using var rebuilt = await TestStores.OpenAsync(new StoreOptions { DataDirectory = folder });
        var report = await Replay.RunAsync(_store, rebuilt, null, TestContext.Current.CancellationToken);
        Assert.True(report.Identical, $"answers {report.RepliesDiffering}, events {report.EventsDiffering}, bills {string.Join("; ", report.BillsDiffering.Take(5))}");
        Assert.True(report.BillsCompared > 0);
    }

    private sealed class SynchronousProgress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }

    private static SiteConfiguration Configuration() => new()
    {
        Id = Site,
        Name = "Privacy car park",
        TimeZone = "Europe/Berlin",
        Currency = "EUR",
        Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit)],
        Cameras =
        [
            new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = "k1" },
            new CameraConfiguration { Id = "gate-out", Lane = "out", KeyHash = "k2" },
            .. Enumerable.Range(1, 4).Select(i => new CameraConfiguration { Id = $"cam-{i}", Bays = [new CameraBay($"B{i}")], KeyHash = $"kb{i}" }),
        ],
        EvBays = [.. Enumerable.Range(1, 4).Select(i => new EvBayConfiguration { Id = $"B{i}", Charger = new ChargerId("CP-1"), Connector = i })],
        OrdinaryBays = 50,
        Settings = new SiteSettings { StoreImages = true, Retention = Retention },
        Tariffs = new SiteTariffs
        {
            Parking = [new ParkingTariff { Id = "day", Vat = 19, DailyCap = 20m, Bands = [new ParkingBand { Name = "all", From = new TimeOnly(0, 0), To = new TimeOnly(0, 0), PricePerUnit = 0.75m, Unit = TimeSpan.FromMinutes(15) }] }],
            Charging = [new ChargingTariff { Id = "ac", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.39m, 19)])] }],
        },
    };
}
