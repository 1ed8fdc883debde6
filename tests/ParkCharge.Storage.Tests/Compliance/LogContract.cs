using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.MessageLog;
using ParkCharge.Testing;

using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>The durable log: appends in one transaction, the per-site sequence as the fence between writers, reading back in order.</summary>
public abstract class LogContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    public sealed class OnSqlite(PostgresServer postgres) : LogContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : LogContract(StoreEngine.Postgres, postgres);

    [Fact]
    public async Task Migrations_run_at_first_start_and_not_again()
    {
        await ReopenAsync();

        Assert.True(await Store.PingAsync(Ct));
        Assert.Empty(await Store.Log.SitesAsync(Ct));
    }

    [Fact]
    public async Task An_append_reads_back_in_sequence_order_with_its_keys_times_payloads_and_replies_exactly()
    {
        var site = new SiteWriter(new SiteId("alpha"));
        var first = site.DecideOne(new ChargerRegistration(Cp("CP1"), "hash", 1, "Bay 1"), key: "reg");
        site.Now = site.Now.AddTicks(1_234_567); // sub-millisecond times survive both engines
        var second = site.DecideOne(new TransactionStartReported(Cp("CP1"), 1, "TAG", 1_000.5m), site.Now.AddMinutes(-3), key: "start");
        var third = site.DecideOne(new ConnectionClosed(Cp("NOBODY"), "c9", "gone"), key: "refused");

        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [first, second, third]));

        var stored = await ReadLogAsync("alpha");
        Assert.Equal([1L, 2L, 3L], stored.Select(s => s.Seq));
        Assert.Equal(["reg", "start", "refused"], stored.Select(s => s.Observation.Key));
        LoggedObservation[] appended = [first, second, third];
        Assert.Equal(appended.Select(e => (e.Observation.EventTime, e.Observation.ReceivedAt, e.Observation.Source)),
            stored.Select(s => (s.Observation.EventTime, s.Observation.ReceivedAt, s.Observation.Source)));
        Assert.Equal(appended.Select(e => LogJson.Serialize(e.Observation.Payload)), stored.Select(s => LogJson.Serialize(s.Observation.Payload)));
        Assert.Equal([first.Decision.Reply, second.Decision.Reply, third.Decision.Reply], stored.Select(s => s.Reply));
        Assert.IsType<Refused>(stored[2].Reply);
    }

    [Fact]
    public async Task Reading_after_a_position_gives_only_what_follows_it_in_order_across_page_boundaries()
    {
        var site = new SiteWriter(new SiteId("long"));
        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [.. Enumerable.Range(0, 2_101).Select(i => site.DecideOne(new ChargerRegistration(Cp($"CP-{i}"), null, 0)))]));

        var all = await ReadLogAsync("long");
        var tail = await ReadLogAsync("long", after: 1_999);

        Assert.Equal(Enumerable.Range(1, 2_101).Select(i => (long)i), all.Select(s => s.Seq));
        Assert.Equal(Enumerable.Range(2_000, 102).Select(i => (long)i), tail.Select(s => s.Seq));
        Assert.Empty(await ReadLogAsync("long", after: 2_101));
        Assert.Empty(await ReadLogAsync("nowhere"));
    }

    [Fact]
    public async Task A_second_writer_taking_the_same_sequence_number_gets_a_conflict_and_changes_nothing()
    {
        var first = new SiteWriter(new SiteId("gamma"));
        var second = new SiteWriter(new SiteId("gamma"));
        await Store.Writer.AppendAsync(first.Decide(new ChargerRegistration(Cp("CP1"), null, 0)));

        var conflict = await Assert.ThrowsAsync<LogConflictException>(() => Store.Writer.AppendAsync(second.Decide(new ChargerRegistration(Cp("CP2"), null, 0))));

        Assert.Equal(new SiteId("gamma"), conflict.Site);
        Assert.Single(await ReadLogAsync("gamma"));
        Assert.Null(await Store.Chargers.GetAsync(Cp("CP2"), Ct));
    }

    [Fact]
    public async Task An_observation_key_already_in_a_site_s_log_conflicts_there_and_nothing_of_its_append_is_kept_but_another_site_may_use_it()
    {
        var site = new SiteWriter(new SiteId("keys"));
        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [site.DecideOne(new ChargerRegistration(Cp("CP1"), null, 0), key: "k")]));
        var fresh = site.DecideOne(new ChargerRegistration(Cp("CP2"), null, 0), key: "fresh");
        var repeat = site.DecideOne(new ChargerRegistration(Cp("CP3"), null, 0), key: "k2");
        var other = new SiteWriter(new SiteId("other-keys"));

        await Assert.ThrowsAsync<LogConflictException>(() => Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [fresh, repeat with { Observation = repeat.Observation with { Key = "k" } }])));
        await Store.Writer.AppendAsync(new SiteAppend(other.State.Site, [other.DecideOne(new ChargerRegistration(Cp("CP9"), null, 0), key: "k")]));

        Assert.Equal(["k"], (await ReadLogAsync("keys")).Select(s => s.Observation.Key));
        Assert.Null(await Store.Chargers.GetAsync(Cp("CP2"), Ct));
        Assert.Equal(["k"], (await ReadLogAsync("other-keys")).Select(s => s.Observation.Key));
    }

    [Fact]
    public async Task Concurrent_appends_of_many_sites_are_all_committed_and_one_sites_conflict_fails_only_that_site()
    {
        var sites = Enumerable.Range(0, 20).Select(i => new SiteWriter(new SiteId($"site-{i}"))).ToList();
        await Task.WhenAll(sites.Select(s => Store.Writer.AppendAsync(s.Decide(new ChargerRegistration(Cp("CP-" + s.State.Site.Value), null, 0)))));

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
            Assert.Equal(2, (await ReadLogAsync(site.State.Site.Value)).Count);
        }
    }

    [Fact]
    public async Task Events_are_stored_in_site_sequence_order_with_stable_ids_and_each_site_s_last_event_is_known()
    {
        var site = new SiteWriter(new SiteId("beta"));
        var quiet = new SiteWriter(new SiteId("quiet"));
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), null, 0),
            new ConnectionOpened(Cp("CP1"), "c1", OcppVersion.Ocpp16, "n", null),
            new TransactionStartReported(Cp("CP1"), 1, "T", 0)));
        await Store.Writer.AppendAsync(quiet.Decide(new ConnectionClosed(Cp("NOBODY"), "c", "gone"))); // refused: no event

        var events = new List<StoredEvent>();
        await foreach (var stored in Store.Log.EventsAsync(new SiteId("beta"), Ct))
        {
            events.Add(stored);
        }

        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal(["charger.registered", "charger.connected", "charging.started"], events.Select(e => e.Event.Type));
        Assert.Equal(3, await Store.Log.LastEventSeqAsync(new SiteId("beta"), Ct));
        Assert.Equal(0, await Store.Log.LastEventSeqAsync(new SiteId("quiet"), Ct));
        Assert.Equal(["beta", "quiet"], (await Store.Log.SitesAsync(Ct)).Select(s => s.Value).Order(StringComparer.Ordinal));

        var ids = await Store.Outbox.ReadAsync("beta", 0, 10, ct: Ct);
        Assert.Equal([.. Enumerable.Range(1, 3).Select(i => Ids.Event(new SiteId("beta"), i))], ids.Select(e => e.Id));
    }

    [Fact]
    public async Task A_stored_payload_this_version_cannot_read_comes_back_unreadable_and_the_rest_of_the_log_still_reads()
    {
        var site = new SiteWriter(new SiteId("old"));
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), null, 0),
            new ChargerRegistration(Cp("CP2"), null, 0),
            new ChargerRegistration(Cp("CP3"), null, 0)));
        await using (var connection = await Store.Database.OpenAsync(Ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = Engine == StoreEngine.Postgres
                ? """UPDATE observations SET kind = 'charger.from_the_future', payload = '{"kind":"charger.from_the_future","warp":9}'::jsonb WHERE site_id = 'old' AND seq = 2"""
                : """UPDATE observations SET kind = 'charger.from_the_future', payload = '{"kind":"charger.from_the_future","warp":9}' WHERE site_id = 'old' AND seq = 2""";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(Ct));
        }

        var stored = await ReadLogAsync("old");

        Assert.Equal([1L, 2L, 3L], stored.Select(s => s.Seq));
        var unreadable = Assert.IsType<UnreadablePayload>(stored[1].Observation.Payload);
        Assert.Equal("charger.from_the_future", unreadable.StoredKind);
        Assert.IsType<ChargerRegistration>(stored[2].Observation.Payload);
    }

    [Fact]
    public async Task A_store_reopened_on_its_data_reads_the_same_log_and_appends_after_it()
    {
        var site = new SiteWriter(new SiteId("restart"));
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0)));

        await ReopenAsync();
        await Store.Writer.AppendAsync(site.Decide(new ConnectionOpened(Cp("CP1"), "c", OcppVersion.Ocpp16, "n", null)));

        Assert.Equal([1L, 2L], (await ReadLogAsync("restart")).Select(s => s.Seq));
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
        foreach (var stored in await ReadLogAsync("epsilon"))
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
    public async Task Message_log_frames_that_come_within_the_writers_window_share_one_commit_and_a_flush_ends_the_wait()
    {
        var frames = Store.Writer.FrameWriter!;
        Assert.Equal(LogWriter.FrameWindow, frames.FrameGathering); // the message log's own writer gathers; the log's does not
        Assert.Equal(TimeSpan.Zero, Store.Writer.FrameGathering);
        frames.FrameGathering = TimeSpan.FromHours(1); // longer than the test: only the flush ends it
        var before = frames.Commits;
        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 10; i++)
        {
            // An exchange's in and out frames come milliseconds apart; committed as they came, each had a commit (and a page
            // of the charger's index) of its own.
            Store.Writer.Record(new MessageLogEntry(Cp("CP-1"), "c1", i % 2 == 0 ? MessageDirection.In : MessageDirection.Out, at.AddSeconds(i), 2, $"m{i}", "Heartbeat", null, $"[2,\"m{i}\",\"Heartbeat\",{{}}]"));
            await Task.Delay(5, Ct);
        }

        await Store.Writer.FlushAsync();

        Assert.Equal(1, frames.Commits - before);
        Assert.Equal(
            Enumerable.Range(0, 10).Reverse().Select(i => $"m{i}"),
            (await Store.Messages.ListAsync(Cp("CP-1"), null, 100, Ct)).Items.Select(m => m.MessageId));
    }
}

/// <summary>
/// The writers' queues are bounded: a store that stops keeping up makes appends wait for room (never
/// fail, never get lost); a message log that stops keeping up drops frames, counted and logged, and
/// holds up no append. When they catch up, everything waiting is committed in order.
/// </summary>
public abstract class WriterBackPressureContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    private const int Capacity = 4;

    public sealed class OnSqlite(PostgresServer postgres) : WriterBackPressureContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : WriterBackPressureContract(StoreEngine.Postgres, postgres);

    protected override StoreOptions Configure(StoreOptions options) => options with { WriterQueueCapacity = Capacity };

    [Fact]
    public async Task A_full_writer_queue_makes_appends_wait_for_room_keeps_the_frames_and_commits_every_append_once_the_store_catches_up()
    {
        var sites = Enumerable.Range(1, 6).Select(i => new SiteWriter(new SiteId($"site-{i}"))).ToList();
        Task first;
        Task[] queued;
        Task waiting;
        await using (await HeldWrites.HoldAsync(Options))
        {
            first = Store.Writer.AppendAsync(sites[0].Decide(new ChargerRegistration(Cp("CP-1"), null, 0)));
            await Eventually.UntilAsync(() => Store.Writer.Writing == 1 && Store.Writer.Queued == 0, "the writer to take the first append and wait for the store");
            queued = [.. sites.Skip(1).Take(Capacity).Select((s, i) => Store.Writer.AppendAsync(s.Decide(new ChargerRegistration(Cp($"CP-{i + 2}"), null, 0))))];
            await Eventually.UntilAsync(() => Store.Writer.Queued == Capacity, "the queue to fill");

            waiting = Store.Writer.AppendAsync(sites[5].Decide(new ChargerRegistration(Cp("CP-6"), null, 0)));
            for (var i = 0; i < 3; i++)
            {
                Store.Writer.Record(new MessageLogEntry(Cp("CP-1"), "c1", MessageDirection.In, sites[0].Now, 2, $"m{i}", "Heartbeat", null, "[2,\"m\",\"Heartbeat\",{}]"));
            }

            Assert.Equal(Capacity, Store.Writer.Queued);
            await Store.Writer.FrameWriter!.FlushAsync(); // the message log has a writer of its own: the frames go on
            Assert.Equal(0, Store.Writer.DroppedFrames);
            Assert.False(first.IsCompleted);
            Assert.All(queued, t => Assert.False(t.IsCompleted));
            Assert.False(waiting.IsCompleted);
        }

        await Task.WhenAll([first, .. queued, waiting]);
        await Store.Writer.FlushAsync();

        foreach (var site in sites)
        {
            Assert.Single(await ReadLogAsync(site.State.Site.Value));
        }

        Assert.Equal(["m2", "m1", "m0"], (await Store.Messages.ListAsync(Cp("CP-1"), null, 10, Ct)).Items.Select(m => m.MessageId));
        Assert.DoesNotContain(Log.Entries, e => e.EventId.Id == 3003);
    }

    [Fact]
    public async Task A_full_message_log_queue_drops_frames_counted_and_logged_holds_up_no_append_and_keeps_what_it_queued()
    {
        var site = new SiteWriter(new SiteId("site-1"));
        var frames = Store.Writer.FrameWriter!;
        await using (await HeldWrites.HoldMessageLogAsync(Options))
        {
            Store.Writer.Record(Frame(0));
            await Eventually.UntilAsync(() => frames.Writing == 1 && frames.Queued == 0, "the message log's writer to take the first frame and wait for its store");
            for (var i = 1; i <= Capacity + 3; i++)
            {
                Store.Writer.Record(Frame(i));
            }

            Assert.Equal(Capacity, frames.Queued);
            Assert.Equal(3, Store.Writer.DroppedFrames);
            await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP-1"), null, 0))); // committed while the message log waits
            Assert.Single(await ReadLogAsync("site-1"));
        }

        await Store.Writer.FlushAsync();
        Assert.Equal(
            Enumerable.Range(0, Capacity + 1).Reverse().Select(i => $"m{i}"),
            (await Store.Messages.ListAsync(Cp("CP-1"), null, 100, Ct)).Items.Select(m => m.MessageId));
        Assert.Contains(Log.Entries, e => e.EventId.Id == 3003 && e.Message.Contains("3 message-log frames were dropped", StringComparison.Ordinal));

        MessageLogEntry Frame(int i) => new(Cp("CP-1"), "c1", MessageDirection.In, site.Now, 2, $"m{i}", "Heartbeat", null, $"[2,\"m{i}\",\"Heartbeat\",{{}}]");
    }
}
