using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.MessageLog;
using ParkCharge.Storage.Queries;
using ParkCharge.Testing;

using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests;

public sealed class SqliteStoreTests(PostgresServer postgres) : StoreTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresStoreTests(PostgresServer postgres) : StoreTests(StoreEngine.Postgres, postgres);

/// <summary>The durable log, group commit and projections, the same on both engines.</summary>
public abstract class StoreTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private StoreOptions _options = null!;

    protected Store Store { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _options = await TestStores.CreateOptionsAsync(engine, postgres);
        Store = await TestStores.OpenAsync(_options);
    }

    public async ValueTask DisposeAsync() => await Store.DisposeAsync();

    [Fact]
    public async Task Migrations_run_at_first_start_and_not_again()
    {
        await Store.DisposeAsync();

        Store = await TestStores.OpenAsync(_options);

        Assert.True(await Store.PingAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await Store.Log.SitesAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_appended_session_reads_back_from_the_log_and_the_projections_exactly()
    {
        var site = new SiteWriter(new SiteId("alpha"));
        var t0 = site.Now;
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), "hash", 1, "Bay 1 charger"),
            new ConnectionOpened(Cp("CP1"), "c1", OcppVersion.Ocpp16, "node-a", "10.0.0.7"),
            new BootReported(Cp("CP1"), "Acme", "AC22", "SN-9", "4.2", "PowerUp"),
            new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing)));
        var start = site.DecideOne(new TransactionStartReported(Cp("CP1"), 1, "TAG-1", 1_000.5m), t0.AddTicks(1_234_560));
        site.Now = t0.AddMinutes(30);
        var meter = site.DecideOne(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), 1,
            [new MeterSample(t0.AddMinutes(15), Measurands.EnergyActiveImportRegister, 4_000.25m, "Wh", Context: "Sample.Periodic"),
             new MeterSample(t0.AddMinutes(15), Measurands.PowerActiveImport, 11_000m, "W")]));
        var stop = site.DecideOne(new TransactionStopReported(Cp("CP1"), 1, "TAG-1", 8_000.75m, "EVDisconnected", []));
        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [start, meter, stop]));

        var stored = await ReadLog("alpha");
        Assert.Equal(7, stored.Count);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), stored.Select(s => s.Seq));
        Assert.Equal(LogJson.Serialize(start.Observation.Payload), LogJson.Serialize(stored[4].Observation.Payload));
        Assert.Equal(start.Observation.EventTime, stored[4].Observation.EventTime);
        Assert.Equal(new TransactionStartReply(1, AuthorizationStatus.Accepted), stored[4].Reply);

        var session = Assert.Single((await Store.Sessions.ListAsync(new ChargingSessionFilter(), TestContext.Current.CancellationToken)).Items);
        var detail = (await Store.Sessions.GetAsync(session.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal(("CP1", "1", "Completed", "1.6"), (detail.ChargerId, detail.TransactionId, detail.Status, detail.OcppVersion));
        Assert.Equal(7_000.25m, detail.EnergyWh);
        Assert.Equal(start.Observation.EventTime, detail.StartedAt);
        Assert.Equal(site.Now, detail.StoppedAt);
        Assert.Equal(11_000m, detail.LastPowerW);
        Assert.Equal([4_000.25m, 11_000m], detail.MeterValues!.Select(v => v.Value));
        Assert.Equal("Preparing", Assert.Single(detail.StatusTimeline!).Status);

        var charger = (await Store.Chargers.GetAsync(Cp("CP1"), TestContext.Current.CancellationToken))!;
        Assert.Equal(("alpha", "Acme", "AC22", "1.6", true), (charger.SiteId, charger.Vendor, charger.Model, charger.OcppVersion, charger.Connection.Connected));
        Assert.Equal("Preparing", Assert.Single(charger.Connectors).Status);
        Assert.True(charger.HasPassword);
    }

    [Fact]
    public async Task Events_are_stored_in_site_sequence_order_with_stable_ids()
    {
        var site = new SiteWriter(new SiteId("beta"));
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), null, 0),
            new ConnectionOpened(Cp("CP1"), "c1", OcppVersion.Ocpp16, "n", null),
            new TransactionStartReported(Cp("CP1"), 1, "T", 0)));

        await using var connection = await Store.Database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, id, type FROM events WHERE site_id = 'beta' ORDER BY seq";
        var rows = new List<(long Seq, string Id, string Type)>();
        await using (var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        Assert.Equal([1L, 2L, 3L], rows.Select(r => r.Seq));
        Assert.Equal(["charger.registered", "charger.connected", "charging.started"], rows.Select(r => r.Type));
        Assert.Equal([.. Enumerable.Range(1, 3).Select(i => Ids.Event(new SiteId("beta"), i))], rows.Select(r => r.Id));
    }

    [Fact]
    public async Task A_second_writer_taking_the_same_sequence_number_gets_a_conflict_and_changes_nothing()
    {
        var first = new SiteWriter(new SiteId("gamma"));
        var second = new SiteWriter(new SiteId("gamma"));
        await Store.Writer.AppendAsync(first.Decide(new ChargerRegistration(Cp("CP1"), null, 0)));

        var conflict = await Assert.ThrowsAsync<LogConflictException>(() => Store.Writer.AppendAsync(second.Decide(new ChargerRegistration(Cp("CP2"), null, 0))));

        Assert.Equal(new SiteId("gamma"), conflict.Site);
        Assert.Single(await ReadLog("gamma"));
        Assert.Null(await Store.Chargers.GetAsync(Cp("CP2"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Concurrent_appends_of_many_sites_are_all_committed_and_one_sites_conflict_fails_only_that_site()
    {
        var sites = Enumerable.Range(0, 20).Select(i => new SiteWriter(new SiteId($"site-{i}"))).ToList();
        var appends = sites.Select(s => Store.Writer.AppendAsync(s.Decide(new ChargerRegistration(Cp("CP-" + s.State.Site.Value), null, 0)))).ToList();
        await Task.WhenAll(appends);

        var rival = new SiteWriter(new SiteId("site-3"));
        var tasks = sites.Select(s => Store.Writer.AppendAsync(s.Decide(new ConnectionOpened(Cp("CP-" + s.State.Site.Value), "c", OcppVersion.Ocpp201, "n", null))))
            .Append(Store.Writer.AppendAsync(rival.Decide(new ChargerRegistration(Cp("RIVAL"), null, 0))))
            .ToList();
        var outcomes = await Task.WhenAll(tasks.Select(async t =>
        {
            try
            {
                await t;
                return "ok";
            }
            catch (LogConflictException)
            {
                return "conflict";
            }
        }));

        Assert.Equal(20, outcomes.Count(o => o == "ok"));
        Assert.Equal("conflict", outcomes[^1]);
        foreach (var site in sites)
        {
            Assert.Equal(2, (await ReadLog(site.State.Site.Value)).Count);
        }
    }

    [Fact]
    public async Task Message_log_frames_are_kept_in_order_and_listed_newest_first_in_pages()
    {
        var t0 = new DateTimeOffset(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            Store.Writer.Record(new MessageLogEntry(Cp("CP1"), "c1", i % 2 == 0 ? MessageDirection.In : MessageDirection.Out, t0.AddSeconds(i), 2, $"m{i}", "Heartbeat", null, $"[2,\"m{i}\",\"Heartbeat\",{{}}]"));
        }

        Store.Writer.Record(new MessageLogEntry(Cp("OTHER"), "c9", MessageDirection.In, t0, null, null, null, "FormationViolation", "not json"));
        await Store.Writer.FlushAsync();

        var first = await Store.Messages.ListAsync(Cp("CP1"), before: null, limit: 3, TestContext.Current.CancellationToken);
        Assert.Equal(["m4", "m3", "m2"], first.Items.Select(m => m.MessageId));
        Assert.Equal(["in", "out", "in"], first.Items.Select(m => m.Direction));
        var second = await Store.Messages.ListAsync(Cp("CP1"), long.Parse(first.Next!, System.Globalization.CultureInfo.InvariantCulture), 3, TestContext.Current.CancellationToken);
        Assert.Equal(["m1", "m0"], second.Items.Select(m => m.MessageId));
        Assert.Null(second.Next);
        var bad = Assert.Single((await Store.Messages.ListAsync(Cp("OTHER"), null, 10, TestContext.Current.CancellationToken)).Items);
        Assert.Equal(("not json", "FormationViolation"), (bad.Frame, bad.ErrorCode));
    }

    [Fact]
    public async Task Sessions_are_listed_newest_first_filtered_by_charger_and_time_and_paged_without_gaps()
    {
        var site = new SiteWriter(new SiteId("delta"));
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("A"), null, 0), new ChargerRegistration(Cp("B"), null, 0)));
        var t0 = site.Now;
        var entries = new List<LoggedObservation>();
        for (var i = 0; i < 7; i++)
        {
            entries.Add(site.DecideOne(new TransactionStartReported(Cp(i % 2 == 0 ? "A" : "B"), 1, "T" + i, 0), t0.AddHours(i)));
        }

        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, entries));

        var byA = await Store.Sessions.ListAsync(new ChargingSessionFilter { ChargerId = "A" }, TestContext.Current.CancellationToken);
        Assert.Equal(["T6", "T4", "T2", "T0"], byA.Items.Select(s => s.IdToken));

        var window = await Store.Sessions.ListAsync(new ChargingSessionFilter { To = t0.AddHours(3) }, TestContext.Current.CancellationToken);
        Assert.Equal(["T2", "T1", "T0"], window.Items.Select(s => s.IdToken));

        var seen = new List<string?>();
        string? cursor = null;
        do
        {
            var page = await Store.Sessions.ListAsync(new ChargingSessionFilter { Limit = 3, Cursor = cursor }, TestContext.Current.CancellationToken);
            seen.AddRange(page.Items.Select(s => s.IdToken));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(["T6", "T5", "T4", "T3", "T2", "T1", "T0"], seen);
    }

    [Fact]
    public async Task Replaying_the_stored_log_through_the_engine_gives_the_stored_replies()
    {
        var site = new SiteWriter(new SiteId("epsilon"));
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CS"), null, 0),
            new TransactionEventReported { Charger = Cp("CS"), EventType = TransactionEventType.Started, TransactionId = "x", TriggerReason = "Authorized", SeqNo = 0, Connector = ConnectorRef.Ocpp201(1, 1), IdToken = new IdToken("abc", "ISO14443") },
            new TransactionStartReported(Cp("CS"), 2, "T", 5),
            new TransactionStopReported(Cp("CS"), 99, null, 7, null, [])));

        var replayed = new SiteState(new SiteId("epsilon"));
        foreach (var stored in await ReadLog("epsilon"))
        {
            var decision = SiteEngine.Decide(replayed, stored.Observation);
            replayed.Apply(stored.Observation, decision);
            Assert.Equal(stored.Reply, decision.Reply);
        }

        Assert.Equal(site.State.LastSeq, replayed.LastSeq);
        Assert.Equal(site.State.LastEventSeq, replayed.LastEventSeq);
        Assert.Equal(3, replayed.Sessions.Count);
    }

    [Fact]
    public async Task Api_keys_are_stored_as_hashes_and_found_by_them()
    {
        var created = new DateTimeOffset(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);
        Assert.False(await Store.ApiKeys.AnyActiveAsync(TestContext.Current.CancellationToken));

        await Store.ApiKeys.CreateAsync(new ParkCharge.Storage.ApiKeys.ApiKeyRecord("key_1", "ops", "admin", "hash-1", created, null), TestContext.Current.CancellationToken);

        var found = await Store.ApiKeys.FindByHashAsync("hash-1", TestContext.Current.CancellationToken);
        Assert.Equal(("key_1", "ops", "admin", created), (found?.Id, found?.Name, found?.Role, found?.CreatedAt));
        Assert.Null(await Store.ApiKeys.FindByHashAsync("hash-2", TestContext.Current.CancellationToken));
        Assert.True(await Store.ApiKeys.AnyActiveAsync(TestContext.Current.CancellationToken));
    }

    private async Task<List<StoredObservation>> ReadLog(string site)
    {
        var list = new List<StoredObservation>();
        await foreach (var stored in Store.Log.ReadAsync(new SiteId(site), 0, TestContext.Current.CancellationToken))
        {
            list.Add(stored);
        }

        return list;
    }
}
