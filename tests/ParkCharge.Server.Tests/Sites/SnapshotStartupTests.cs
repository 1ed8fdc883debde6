using System.Data.Common;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Simulator.Scenarios.BusyDay;
using ParkCharge.Storage;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.Snapshots;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sites;

public sealed class SqliteSnapshotStartupTests(PostgresServer postgres) : SnapshotStartupTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresSnapshotStartupTests(PostgresServer postgres) : SnapshotStartupTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Start-up from snapshots and compaction of the log (issue 20 item 4), on both stores: a site loads from its newest
/// usable snapshot and replays only the log after it, to the state a full replay builds; unusable snapshots are passed
/// over; compaction deletes the log below an old enough snapshot, never the evidence of stays still open, and start-up
/// and <c>replay</c> then begin at that snapshot.
/// </summary>
public abstract class SnapshotStartupTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private readonly CapturedLog _log = new();
    private Store _store = null!;
    private StoreOptions _options = null!;
    private IReadOnlyList<Observation> _day = null!;
    private SiteId _site;

    /// <summary>The full replay's state after each observation index a snapshot was taken at.</summary>
    private readonly Dictionary<int, SiteState> _snapshotStates = [];

    public async ValueTask InitializeAsync()
    {
        _options = await TestStores.CreateOptionsAsync(engine, postgres);
        _store = await TestStores.OpenAsync(_options);
        _day = Day();
        _site = _day[0].Site;
    }

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    private ILogger Logger => new LoggerFactory([_log]).CreateLogger("ParkCharge.Server.Sites.SiteEngineHost");

    [Fact]
    public async Task A_site_loads_from_its_newest_snapshot_and_replays_only_the_log_after_it_to_the_state_of_a_full_replay()
    {
        var ct = TestContext.Current.CancellationToken;
        var full = await StoreAsync(snapshotsAt: [_day.Count / 3, 2 * _day.Count / 3]);

        var load = await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct);

        Assert.Equal(2 * _day.Count / 3, load.Snapshot?.Seq);
        Assert.Equal(_day.Count - (2 * _day.Count / 3), load.Replayed);
        Assert.Equal(0, load.Divergences);
        Assert.Empty(StateComparison.Differences(full, load.State));
        var replayed = await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct, useSnapshots: false);
        Assert.Null(replayed.Snapshot);
        Assert.Equal(_day.Count, replayed.Replayed);
        Assert.Empty(StateComparison.Differences(replayed.State, load.State));
    }

    [Fact]
    public async Task A_damaged_snapshot_or_one_of_another_engine_build_is_passed_over_with_a_warning_for_an_older_one_or_the_whole_log()
    {
        var ct = TestContext.Current.CancellationToken;
        var full = await StoreAsync(snapshotsAt: [_day.Count / 4, _day.Count / 2, 3 * _day.Count / 4]);
        await ExecuteAsync($"UPDATE site_snapshots SET state = @junk WHERE seq = {3 * _day.Count / 4}", ("junk", new byte[] { 0x1f, 0x8b, 8, 0, 1, 2, 3 }));
        await ExecuteAsync($"UPDATE site_snapshots SET engine = 'another-build' WHERE seq = {_day.Count / 2}");

        var load = await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct);

        Assert.Equal(_day.Count / 4, load.Snapshot?.Seq);
        Assert.Empty(StateComparison.Differences(full, load.State));
        Assert.Equal(2, _log.Entries.Count(e => e.EventId.Id == 2012 && e.Level == LogLevel.Warning));

        await ExecuteAsync($"UPDATE site_snapshots SET state = @junk WHERE seq = {_day.Count / 4}", ("junk", new byte[] { 1, 2, 3 }));
        var fromTheLog = await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct);
        Assert.Null(fromTheLog.Snapshot);
        Assert.Equal(_day.Count, fromTheLog.Replayed);
        Assert.Empty(StateComparison.Differences(full, fromTheLog.State));
    }

    [Fact]
    public async Task Compaction_deletes_the_log_below_an_old_enough_snapshot_and_start_up_and_replay_begin_there()
    {
        var ct = TestContext.Current.CancellationToken;
        var cuts = Enumerable.Range(1, 9).Select(i => i * _day.Count / 10).ToArray();
        var full = await StoreAsync(snapshotsAt: cuts, keep: 10);
        var end = _day[^1].ReceivedAt;

        // Keep a day of log: the newest snapshot older than that becomes the beginning.
        var plan = await LogCompaction.PlanAsync(_store, _site, end, TimeSpan.FromDays(1), ct);
        Assert.NotNull(plan);
        Assert.True(plan.LogTime < end - TimeSpan.FromDays(1));
        var newer = (await _store.Snapshots.ListAsync(_site, ct)).Where(h => h.Seq > plan.Seq).ToList();
        Assert.NotEmpty(newer);
        Assert.All(newer, h => Assert.True(h.LogTime >= end - TimeSpan.FromDays(1)));

        // Nobody pays in the generated days: with short periods, the stays that are open (cars whose exit was never
        // read among them), or unpaid and left in the last 12 hours, or settled in the last 6, keep their evidence.
        var retention = new Core.Privacy.SiteRetention { SettledStays = TimeSpan.FromHours(6), UnpaidStays = TimeSpan.FromHours(12) };
        var evidence = await _store.Privacy.EvidenceAsync(_site.Value, retention, end, ct);
        var report = await _store.Snapshots.CompactAsync(_site, plan, end, evidence.Holds, ct);

        Assert.Equal(plan.Seq, report.BaseSeq);
        Assert.Equal(plan.Seq, report.ObservationsDeleted + report.EvidenceKept);
        Assert.True(report.EvidenceKept > 0 && report.ObservationsDeleted > 10 * report.EvidenceKept, $"{report.EvidenceKept} kept, {report.ObservationsDeleted} deleted");
        Assert.True(report.EventsDeleted > 0);
        var left = await _store.Log.ReadAsync(_site, 0, ct).ToListAsync(ct);
        Assert.Equal(_day.Count - plan.Seq + report.EvidenceKept, left.Count);
        var keys = left.Select(o => o.Observation.Key).ToHashSet(StringComparer.Ordinal);
        var openBefore = full.Parking.OpenSessions.Where(p => p.EntrySightingId is not null && p.EnteredAt < plan.LogTime).ToList();
        Assert.NotEmpty(openBefore);
        Assert.All(openBefore, p => Assert.All(full.Parking.FindSighting(p.EntrySightingId!)?.Reads ?? [], r => Assert.Contains(r.ObservationKey, keys)));
        Assert.Equal([.. newer.Select(h => h.Seq), plan.Seq], (await _store.Snapshots.ListAsync(_site, ct)).Select(h => h.Seq));
        Assert.Null(await LogCompaction.PlanAsync(_store, _site, end, TimeSpan.FromDays(1), ct));

        // Start-up: the newest snapshot; with none newer usable, the beginning; without snapshots at all, the beginning too.
        Assert.Empty(StateComparison.Differences(full, (await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct)).State));
        var fromBeginning = await new SiteStateLoader(_store, Logger).LoadAsync(_site, ct, useSnapshots: false);
        Assert.Equal(plan.Seq, fromBeginning.Snapshot?.Seq);
        Assert.Equal(0, fromBeginning.Divergences);
        Assert.Empty(StateComparison.Differences(full, fromBeginning.State));

        // replay verifies from the beginning: every answer and event after it, and the bills the rest settled.
        await using var target = await TestStores.OpenAsync(new StoreOptions { DataDirectory = TestStores.NewFolder("replay") });
        var replay = await Replay.RunAsync(_store, target, null, ct);
        Assert.True(replay.Identical, $"{replay.RepliesDiffering} answers, {replay.EventsDiffering} events, bills: {string.Join("; ", replay.BillsDiffering)}");
        Assert.Equal(_day.Count - plan.Seq, replay.Observations);
        Assert.True(replay.BillsCompared > 10, $"{replay.BillsCompared} bills compared");
    }

    [Fact]
    public async Task A_compacted_log_whose_beginning_cannot_be_read_does_not_load_on_an_empty_state()
    {
        var ct = TestContext.Current.CancellationToken;
        await StoreAsync(snapshotsAt: [_day.Count / 5]);
        var header = (await _store.Snapshots.ListAsync(_site, ct)).Single();
        await _store.Snapshots.CompactAsync(_site, header, _day[^1].ReceivedAt, null, ct);
        await ExecuteAsync("UPDATE site_snapshots SET state = @junk", ("junk", new byte[] { 9, 9, 9 }));

        await Assert.ThrowsAsync<SnapshotUnreadableException>(() => new SiteStateLoader(_store, Logger).LoadAsync(_site, ct));
        Assert.Contains(_log.Entries, e => e.EventId.Id == 2014 && e.Level == LogLevel.Critical);
    }

    [Fact]
    public async Task The_engine_writes_snapshots_as_it_goes_and_a_restarted_engine_loads_from_the_newest()
    {
        var ct = TestContext.Current.CancellationToken;
        var part = _day.Take(3_000).ToList();
        var clock = new FakeTimeProvider(part[0].ReceivedAt); // frozen: the engine's timers wait, the log's own timers come in it
        var options = new SnapshotOptions { Every = 500, Keep = 2 };
        await using (var host = new SiteEngineHost(_site, _store, clock, Logger, new QueueOptions(), snapshots: options))
        {
            host.Start();
            for (var i = 0; i < part.Count; i++)
            {
                await host.SubmitAsync(part[i]);
                if ((i + 1) % options.Every == 0)
                {
                    // A snapshot still being stored makes the next one wait: on a busy machine the feed pauses until the
                    // store has caught up with the last period, as a real site's quiet moments let it.
                    var due = i + 1 - options.Every;
                    await Eventually.UntilAsync(
                        async () => (await _store.Snapshots.ListAsync(_site, ct)).Select(h => h.Seq).DefaultIfEmpty(0).Max() >= due,
                        $"a snapshot at {due} or later");
                }
            }
        }

        var snapshots = await _store.Snapshots.ListAsync(_site, ct);
        Assert.Equal(2, snapshots.Count);
        Assert.True(snapshots[0].Seq >= part.Count - 1_000, $"newest at {snapshots[0].Seq}");
        Assert.All(snapshots, h => Assert.Equal(SiteStateFormat.EngineVersion, h.Engine));
        Assert.All(snapshots, h => Assert.Equal(part[(int)h.Seq - 1].ReceivedAt, h.LogTime));

        await using var restarted = new SiteEngineHost(_site, _store, clock, Logger, new QueueOptions(), snapshots: options);
        restarted.Start();
        await restarted.WarmUpAsync();
        Assert.Equal(0, restarted.ReplayDivergences);
        Assert.Contains(_log.Entries, e => e.EventId.Id == 2015 && e.Message.Contains($"snapshot at {snapshots[0].Seq}", StringComparison.Ordinal));
        var state = await restarted.ReadAsync(s => s);
        var expected = new SiteState(_site);
        foreach (var observation in part)
        {
            expected.Apply(observation, SiteEngine.Decide(expected, observation));
        }

        Assert.Empty(StateComparison.Differences(expected, state));
    }

    [Fact]
    public async Task A_snapshot_taken_while_observations_keep_arriving_holds_exactly_the_state_after_its_observation()
    {
        var ct = TestContext.Current.CancellationToken;
        var part = _day.Take(3_000).ToList();
        var clock = new FakeTimeProvider(part[0].ReceivedAt);
        var options = new SnapshotOptions { Every = 100, Keep = 100 };
        await using (var host = new SiteEngineHost(_site, _store, clock, Logger, new QueueOptions(), snapshots: options))
        {
            host.Start();

            // Submitted without waiting for the answers: the engine copies its state between units while the next ones
            // queue, and goes on deciding while the copies are serialised and stored.
            await Task.WhenAll(part.Select(host.SubmitAsync).ToList());
        }

        var snapshots = (await _store.Snapshots.ListAsync(_site, ct)).OrderBy(h => h.Seq).ToList();
        Assert.True(snapshots.Count >= 5, $"{snapshots.Count} snapshots");
        var expected = new SiteState(_site);
        var next = 0;
        foreach (var header in snapshots)
        {
            while (expected.LastSeq < header.Seq)
            {
                expected.Apply(part[next], SiteEngine.Decide(expected, part[next]));
                next++;
            }

            var document = await _store.Snapshots.ReadStateAsync(_site, header.Seq, ct);
            var restored = SiteStateFormat.Read(_site, document!, tolerant: false, out _);
            Assert.Equal(header.Seq, restored.LastSeq);
            var differences = StateComparison.Differences(expected, restored);
            Assert.True(differences.Count == 0, $"snapshot at {header.Seq}: " + string.Join("\n", differences));
        }
    }

    [Fact]
    public async Task Snapshots_taken_every_six_hours_keep_one_a_week_so_that_compaction_finds_one_as_old_as_the_log_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        var start = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var document = SiteStateFormat.Write(new SiteState(_site));
        async Task SnapshotAsync(int i)
        {
            var at = start.AddHours(6 * i);
            var header = new SnapshotHeader(i + 1, i + 1, SiteStateFormat.FormatVersion, SiteStateFormat.EngineVersion, at, at, document.Length);
            await _store.Snapshots.SaveAsync(_site, header, document, keep: 2, ct);
        }

        // 120 days at four snapshots a day, as a node with the defaults takes them (Keep 2).
        for (var i = 0; i < 4 * 120; i++)
        {
            await SnapshotAsync(i);
        }

        var now = start.AddHours(6 * ((4 * 120) - 1));
        var kept = await _store.Snapshots.ListAsync(_site, ct);
        Assert.InRange(kept.Count, 2 + 16, 2 + 18); // the newest two, and the first of each earlier week
        var plan = await LogCompaction.PlanAsync(_store, _site, now, TimeSpan.FromDays(90), ct);
        Assert.NotNull(plan);
        Assert.InRange(now - plan.LogTime, TimeSpan.FromDays(90), TimeSpan.FromDays(97));

        // Compacted there, the week candidates below the beginning go; the beginning and the later weeks stay.
        await _store.Snapshots.CompactAsync(_site, plan, now, null, ct);
        await SnapshotAsync(4 * 120);
        var after = await _store.Snapshots.ListAsync(_site, ct);
        Assert.Equal(plan.Seq, after.Min(h => h.Seq));
        Assert.InRange(after.Count, 2 + 13, 2 + 15);
        Assert.All(after.Where(h => h.Seq != plan.Seq).Skip(2).GroupBy(h => h.LogTime.UtcTicks / TimeSpan.FromDays(7).Ticks), week => Assert.Single(week));
    }

    [Fact]
    public async Task A_node_starts_from_the_snapshot_without_reading_the_log_below_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var at = 2 * _day.Count / 3;
        var full = await StoreAsync(snapshotsAt: [at]);

        // The log below the snapshot cannot be read any more: a start-up that read it would fail or decide otherwise.
        await ExecuteAsync($"UPDATE observations SET payload = '{{\"broken\":true}}' WHERE site_id = @site AND seq <= {at}", ("site", _site.Value));
        await _store.DisposeAsync();
        _store = await TestStores.OpenAsync(_options);

        await using var node = await TestNode.StartAsync(
            _options,
            new Dictionary<string, string?> { ["Logging:LogLevel:ParkCharge.Server.Sites"] = "Information" },
            builder => builder.Logging.AddProvider(_log));
        var engines = node.App.Services.GetRequiredService<SiteEngines>();
        Assert.Contains(_site, engines.Sites);
        var engine = engines.For(_site);
        Assert.Equal(1, engine.Loads);
        Assert.Equal(0, engine.ReplayDivergences);
        Assert.Contains(_log.Entries, e => e.EventId.Id == 2015 && e.Message.Contains($"snapshot at {at}: {_day.Count - at} observations replayed after it", StringComparison.Ordinal));
        Assert.DoesNotContain(_log.Entries, e => e.EventId.Id is 2001 or 2002 or 2005 or 2012);
        var state = await engine.ReadAsync(SiteStateFormat.Copy);
        Assert.True(state.LastSeq >= full.LastSeq);
        Assert.Equal(full.Configuration!.Id, state.Configuration?.Id);
        using var answer = await node.Http.GetAsync($"/api/v1/sites/{_site.Value}/cameras", ct);
        Assert.Equal(System.Net.HttpStatusCode.OK, answer.StatusCode);
    }

    /// <summary>A day and a half at a 6-bay site as its log holds it (some 10,000 observations, timers included).</summary>
    private static IReadOnlyList<Observation> Day()
    {
        var day = BusyDayGenerator.Generate(new BusyDayOptions { Seed = 20, Days = 3, EvBays = 6 });
        return BindingAccuracy.Log(day.Until(day.Options.FirstDay.AddHours(60), TimeSpan.FromMinutes(30)));
    }

    /// <summary>Decides the day and appends it as the engine host does, with a snapshot after each of <paramref name="snapshotsAt"/> observations.</summary>
    private async Task<SiteState> StoreAsync(int[] snapshotsAt, int keep = 5)
    {
        var state = new SiteState(_site);
        var entries = new List<LoggedObservation>();
        for (var i = 0; i < _day.Count; i++)
        {
            var decision = SiteEngine.Decide(state, _day[i]);
            var applied = state.Apply(_day[i], decision);
            entries.Add(new LoggedObservation(applied.Seq, _day[i], decision, applied.FirstEventSeq));
            if (snapshotsAt.Contains(i + 1) || entries.Count == 500 || i == _day.Count - 1)
            {
                await _store.Writer.AppendAsync(new SiteAppend(_site, entries));
                entries = [];
            }

            if (snapshotsAt.Contains(i + 1))
            {
                var header = new SnapshotHeader(state.LastSeq, state.LastEventSeq, SiteStateFormat.FormatVersion, SiteStateFormat.EngineVersion, _day[i].ReceivedAt, _day[i].ReceivedAt, 0);
                await _store.Snapshots.SaveAsync(_site, header, SiteStateFormat.Write(state), keep, CancellationToken.None);
            }
        }

        return state;
    }

    private async Task ExecuteAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await _store.Database.OpenAsync(CancellationToken.None);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}
