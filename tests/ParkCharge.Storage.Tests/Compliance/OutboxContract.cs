using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Events;
using ParkCharge.Testing;

using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>The events table as the outbox: reads after a position, type filters, sites' heads, and the commit signal.</summary>
public abstract class OutboxContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    public sealed class OnSqlite(PostgresServer postgres) : OutboxContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : OutboxContract(StoreEngine.Postgres, postgres);

    [Fact]
    public async Task Events_after_a_position_come_in_sequence_within_a_limit_and_an_end()
    {
        await AppendSessionAsync("a"); // registered, connected, charging.started, charging.stopped ...

        var all = await Store.Outbox.ReadAsync("a", 0, 100, ct: Ct);
        var middle = await Store.Outbox.ReadAsync("a", 1, 2, ct: Ct);
        var bounded = await Store.Outbox.ReadAsync("a", 0, 100, upTo: 2, ct: Ct);

        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.Equal([2L, 3L], middle.Select(e => e.Seq));
        Assert.Equal([1L, 2L], bounded.Select(e => e.Seq));
        Assert.Empty(await Store.Outbox.ReadAsync("a", all[^1].Seq, 100, ct: Ct));
        Assert.All(all, e => Assert.Equal("a", e.Site));
    }

    [Theory]
    [InlineData("charging.started", new[] { "charging.started" })]
    [InlineData("charger.*", new[] { "charger.registered", "charger.connected" })]
    [InlineData("charging.started,charger.connected", new[] { "charger.connected", "charging.started" })]
    [InlineData("*", new[] { "charger.registered", "charger.connected", "charging.started" })]
    public async Task A_type_filter_keeps_exact_types_and_prefixes_in_sequence_order(string patterns, string[] expected)
    {
        await AppendSessionAsync("f");
        Assert.True(EventTypeFilter.TryParse(patterns, out var filter, out var error), error);

        var events = await Store.Outbox.ReadAsync("f", 0, 100, filter, ct: Ct);

        Assert.Equal(expected, events.Select(e => e.Type).Where(t => t is "charger.registered" or "charger.connected" or "charging.started"));
        Assert.All(events, e => Assert.True(filter.Matches(e.Type)));
        Assert.Equal(events.Select(e => e.Seq).Order(), events.Select(e => e.Seq));
    }

    [Fact]
    public async Task A_commit_with_events_completes_the_change_signal_and_one_without_does_not()
    {
        var site = new SiteWriter(new SiteId("signal"));
        var before = Store.Outbox.Changed;
        await Store.Writer.AppendAsync(site.Decide(new ConnectionClosed(Cp("NOBODY"), "c", "gone"))); // refused: no event
        Assert.False(before.IsCompleted);

        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0)));

        Assert.True(before.IsCompleted);
        Assert.False(Store.Outbox.Changed.IsCompleted);
        Assert.Equal(1, Store.Outbox.Heads["signal"]);
    }

    [Fact]
    public async Task Heads_another_node_committed_are_learnt_by_a_refresh_and_signalled()
    {
        await using var other = await OpenAnotherAsync();
        var site = new SiteWriter(new SiteId("elsewhere"));
        await Store.Outbox.RefreshHeadsAsync(Ct);
        var changed = Store.Outbox.Changed;

        await other.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new ChargerRegistration(Cp("CP2"), null, 0)));

        Assert.False(Store.Outbox.Heads.ContainsKey("elsewhere"));
        Assert.Equal(2, (await Store.Outbox.RefreshHeadsAsync(Ct))["elsewhere"]);
        Assert.True(changed.IsCompleted);
        Assert.Equal(2, await Store.Outbox.HeadAsync("elsewhere", Ct));
        Assert.Equal(0, await Store.Outbox.HeadAsync("nowhere", Ct));
    }

    [Fact]
    public async Task An_event_reads_back_with_its_id_times_and_the_data_the_catalogue_publishes()
    {
        await AppendSessionAsync("env");

        var started = (await Store.Outbox.ReadAsync("env", 0, 100, ct: Ct)).Single(e => e.Type == "charging.started");
        using var data = System.Text.Json.JsonDocument.Parse(started.Data);

        Assert.Equal(Core.Engine.Ids.Event(new SiteId("env"), started.Seq), started.Id);
        Assert.Equal(new SiteWriter(new SiteId("env")).Now, started.EventTime);
        Assert.Equal("CP1", data.RootElement.GetProperty("session").GetProperty("charger").GetString());
        Assert.NotNull(EventCatalogue.Find(started.Type));
    }

    private async Task AppendSessionAsync(string siteId)
    {
        var site = new SiteWriter(new SiteId(siteId));
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), null, 0),
            new ConnectionOpened(Cp("CP1"), "c1", OcppVersion.Ocpp16, "n", null),
            new TransactionStartReported(Cp("CP1"), 1, "TAG", 0)));
    }
}
