using ParkCharge.Storage.Webhooks;
using ParkCharge.Testing;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>Webhook subscriptions and their delivery state: cursors per site, the lease one node delivers under, retries, dead letters, replays, the delivery log.</summary>
public abstract class WebhookStoreContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);

    public sealed class OnSqlite(PostgresServer postgres) : WebhookStoreContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : WebhookStoreContract(StoreEngine.Postgres, postgres);

    [Fact]
    public async Task A_subscription_reads_back_as_made_and_starts_each_site_at_the_cursor_it_was_given()
    {
        var made = Subscription("wh_1") with { Description = "ERP", EventTypes = ["charging.*", "parking.session_closed"], SiteIds = ["a", "b"], OwnerKeyId = "key_9" };

        await Store.Webhooks.CreateAsync(made, new Dictionary<string, long> { ["a"] = 7, ["b"] = 0 }, Ct);

        var read = (await Store.Webhooks.GetAsync("wh_1", Ct))!;
        Assert.Equal((made.Url, made.Description, made.ProtectedSecret, made.Status, made.OwnerKeyId, made.CreatedAt), (read.Url, read.Description, read.ProtectedSecret, read.Status, read.OwnerKeyId, read.CreatedAt));
        Assert.Equal(made.EventTypes, read.EventTypes);
        Assert.Equal(made.SiteIds, read.SiteIds);
        Assert.Equal([new WebhookCursor("a", 7), new WebhookCursor("b", 0)], await Store.Webhooks.CursorsAsync("wh_1", Ct));
        Assert.Null(await Store.Webhooks.GetAsync("wh_none", Ct));
    }

    [Fact]
    public async Task Changing_a_subscription_s_sites_drops_the_cursors_it_no_longer_covers_and_keeps_the_others_where_they_were()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1") with { SiteIds = ["a", "b"] }, new Dictionary<string, long> { ["a"] = 7, ["b"] = 3 }, Ct);

        Assert.True(await Store.Webhooks.UpdateAsync(Subscription("wh_1") with { SiteIds = ["a", "c"], UpdatedAt = T0.AddHours(1) }, new Dictionary<string, long> { ["a"] = 99, ["c"] = 12 }, Ct));
        Assert.False(await Store.Webhooks.UpdateAsync(Subscription("wh_none"), new Dictionary<string, long>(), Ct));

        Assert.Equal([new WebhookCursor("a", 7), new WebhookCursor("c", 12)], await Store.Webhooks.CursorsAsync("wh_1", Ct));
        Assert.Equal(T0.AddHours(1), (await Store.Webhooks.GetAsync("wh_1", Ct))!.UpdatedAt);
    }

    [Fact]
    public async Task One_node_at_a_time_holds_a_subscription_s_lease_until_it_runs_out_or_is_given_up()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long>(), Ct);

        Assert.True(await Store.Webhooks.TryLeaseAsync("wh_1", "node-a", T0, T0.AddMinutes(2), Ct));
        Assert.False(await Store.Webhooks.TryLeaseAsync("wh_1", "node-b", T0.AddMinutes(1), T0.AddMinutes(3), Ct));
        Assert.True(await Store.Webhooks.TryLeaseAsync("wh_1", "node-a", T0.AddMinutes(1), T0.AddMinutes(3), Ct)); // renewed
        Assert.False(await Store.Webhooks.TryLeaseAsync("wh_1", "node-b", T0.AddMinutes(2.5), T0.AddMinutes(4), Ct));
        Assert.True(await Store.Webhooks.TryLeaseAsync("wh_1", "node-b", T0.AddMinutes(3.5), T0.AddMinutes(5), Ct)); // node-a's ran out

        await Store.Webhooks.ReleaseLeasesAsync("node-b", Ct);
        Assert.True(await Store.Webhooks.TryLeaseAsync("wh_1", "node-c", T0.AddMinutes(4), T0.AddMinutes(6), Ct));
    }

    [Fact]
    public async Task A_failed_attempt_holds_the_cursor_and_the_delivery_that_follows_moves_it_on_and_clears_the_retry_state()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long> { ["a"] = 4 }, Ct);

        await Store.Webhooks.RecordFailedAsync("wh_1", Delivery("a", 5, 1, T0, "Failed", "HTTP 503"), T0.AddSeconds(10), dead: false, Ct);
        var retrying = (await Store.Webhooks.GetAsync("wh_1", Ct))!;
        var held = await Store.Webhooks.CursorsAsync("wh_1", Ct);
        await Store.Webhooks.RecordDeliveredAsync("wh_1", Delivery("a", 5, 2, T0.AddSeconds(10), "Delivered", null), null, Ct);
        var delivered = (await Store.Webhooks.GetAsync("wh_1", Ct))!;

        Assert.Equal((WebhookStatus.Active, 1, T0.AddSeconds(10), "HTTP 503"), (retrying.Status, retrying.Attempts, retrying.NextAttemptAt, retrying.LastError));
        Assert.Equal([new WebhookCursor("a", 4)], held);
        Assert.Equal((0, (DateTimeOffset?)null, (string?)null), (delivered.Attempts, delivered.NextAttemptAt, delivered.LastError));
        Assert.Equal([new WebhookCursor("a", 5)], await Store.Webhooks.CursorsAsync("wh_1", Ct));
    }

    [Fact]
    public async Task The_last_failed_attempt_dead_letters_the_subscription_until_it_is_resumed_and_a_paused_one_takes_no_failures()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long> { ["a"] = 4 }, Ct);
        await Store.Webhooks.CreateAsync(Subscription("wh_2"), new Dictionary<string, long> { ["a"] = 4 }, Ct);

        await Store.Webhooks.RecordFailedAsync("wh_1", Delivery("a", 5, 20, T0, "Dead", "timeout"), null, dead: true, Ct);
        var dead = (await Store.Webhooks.GetAsync("wh_1", Ct))!;
        Assert.True(await Store.Webhooks.SetStatusAsync("wh_1", WebhookStatus.Active, T0.AddHours(1), Ct));
        var resumed = (await Store.Webhooks.GetAsync("wh_1", Ct))!;
        Assert.True(await Store.Webhooks.SetStatusAsync("wh_2", WebhookStatus.Paused, T0, Ct));
        await Store.Webhooks.RecordFailedAsync("wh_2", Delivery("a", 5, 1, T0, "Failed", "HTTP 500"), T0.AddSeconds(10), dead: false, Ct);
        Assert.False(await Store.Webhooks.SetStatusAsync("wh_none", WebhookStatus.Paused, T0, Ct));

        Assert.Equal((WebhookStatus.Dead, 20, T0, "timeout"), (dead.Status, dead.Attempts, dead.DeadAt, dead.LastError));
        Assert.Equal((WebhookStatus.Active, 0, (DateTimeOffset?)null, (DateTimeOffset?)null, T0.AddHours(1)), (resumed.Status, resumed.Attempts, resumed.NextAttemptAt, resumed.DeadAt, resumed.UpdatedAt));
        var paused = (await Store.Webhooks.GetAsync("wh_2", Ct))!;
        Assert.Equal((WebhookStatus.Paused, 0), (paused.Status, paused.Attempts));
        Assert.Single((await Store.Webhooks.DeliveriesAsync("wh_2", null, 10, Ct)).Items); // the attempt is logged all the same
    }

    [Fact]
    public async Task A_cursor_never_moves_back()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long> { ["a"] = 4 }, Ct);

        await Store.Webhooks.AdvanceCursorAsync("wh_1", "a", 9, Ct);
        await Store.Webhooks.AdvanceCursorAsync("wh_1", "a", 6, Ct);
        await Store.Webhooks.RecordDeliveredAsync("wh_1", Delivery("a", 8, 1, T0, "Delivered", null), null, Ct);
        await Store.Webhooks.AdvanceCursorAsync("wh_1", "b", 2, Ct);

        Assert.Equal([new WebhookCursor("a", 9), new WebhookCursor("b", 2)], await Store.Webhooks.CursorsAsync("wh_1", Ct));
    }

    [Fact]
    public async Task A_replay_moves_through_its_range_without_touching_the_live_cursor_and_is_pending_until_completed()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long> { ["a"] = 20 }, Ct);
        var replay = await Store.Webhooks.AddReplayAsync("wh_1", "a", 3, 5, T0, "ops (key_1)", Ct);
        var second = await Store.Webhooks.AddReplayAsync("wh_1", "b", 1, 1, T0.AddMinutes(1), "ops (key_1)", Ct);

        await Store.Webhooks.RecordDeliveredAsync("wh_1", Delivery("a", 3, 1, T0, "Delivered", null) with { Kind = "replay" }, replay, Ct);
        var pending = await Store.Webhooks.PendingReplaysAsync("wh_1", Ct);
        await Store.Webhooks.AdvanceReplayAsync(replay.Id, 6, T0.AddMinutes(2), Ct);

        Assert.Equal([(replay.Id, 4L), (second.Id, 1L)], pending.Select(r => (r.Id, r.NextSequence)));
        Assert.Equal(("a", 3L, 5L, "ops (key_1)"), (pending[0].Site, pending[0].FromSequence, pending[0].ToSequence, pending[0].RequestedBy));
        Assert.Equal([second.Id], (await Store.Webhooks.PendingReplaysAsync("wh_1", Ct)).Select(r => r.Id));
        Assert.Equal([new WebhookCursor("a", 20)], await Store.Webhooks.CursorsAsync("wh_1", Ct));
    }

    [Fact]
    public async Task The_delivery_log_reads_newest_first_in_pages_and_old_attempts_are_pruned()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long>(), Ct);
        for (var i = 1; i <= 5; i++)
        {
            await Store.Webhooks.RecordDeliveredAsync("wh_1", Delivery("a", i, 1, T0.AddDays(i), "Delivered", null), null, Ct);
        }

        var first = await Store.Webhooks.DeliveriesAsync("wh_1", null, 3, Ct);
        var second = await Store.Webhooks.DeliveriesAsync("wh_1", long.Parse(first.Next!, System.Globalization.CultureInfo.InvariantCulture), 3, Ct);
        var pruned = await Store.Webhooks.PruneDeliveriesAsync(T0.AddDays(3), Ct);

        Assert.Equal([5L, 4L, 3L], first.Items.Select(d => d.Sequence));
        Assert.Equal([2L, 1L], second.Items.Select(d => d.Sequence));
        Assert.Null(second.Next);
        Assert.Equal(2, pruned);
        Assert.Equal([5L, 4L, 3L], (await Store.Webhooks.DeliveriesAsync("wh_1", null, 10, Ct)).Items.Select(d => d.Sequence));
        var kept = first.Items[0];
        Assert.Equal(("a", "evt-5", "charging.started", "live", 1, 200, "Delivered", T0.AddDays(5)), (kept.Site, kept.EventId, kept.EventType, kept.Kind, kept.Attempt, kept.StatusCode, kept.Outcome, kept.At));
    }

    [Fact]
    public async Task Deleting_a_subscription_takes_its_cursors_replays_and_deliveries_with_it_and_leaves_the_others()
    {
        await Store.Webhooks.CreateAsync(Subscription("wh_1"), new Dictionary<string, long> { ["a"] = 1 }, Ct);
        await Store.Webhooks.CreateAsync(Subscription("wh_2") with { CreatedAt = T0.AddMinutes(1) }, new Dictionary<string, long> { ["a"] = 1 }, Ct);
        await Store.Webhooks.AddReplayAsync("wh_1", "a", 1, 1, T0, "ops", Ct);
        await Store.Webhooks.RecordDeliveredAsync("wh_1", Delivery("a", 2, 1, T0, "Delivered", null), null, Ct);

        Assert.True(await Store.Webhooks.DeleteAsync("wh_1", Ct));
        Assert.False(await Store.Webhooks.DeleteAsync("wh_1", Ct));

        Assert.Equal(["wh_2"], (await Store.Webhooks.ListAsync(Ct)).Select(s => s.Id));
        Assert.Empty(await Store.Webhooks.CursorsAsync("wh_1", Ct));
        Assert.Empty(await Store.Webhooks.PendingReplaysAsync("wh_1", Ct));
        Assert.Empty((await Store.Webhooks.DeliveriesAsync("wh_1", null, 10, Ct)).Items);
        Assert.Single(await Store.Webhooks.CursorsAsync("wh_2", Ct));
    }

    private static WebhookSubscription Subscription(string id) => new()
    {
        Id = id,
        Url = $"https://erp.example.com/hooks/{id}",
        EventTypes = ["*"],
        SiteIds = [],
        ProtectedSecret = "protected:" + id,
        Status = WebhookStatus.Active,
        CreatedAt = T0,
        UpdatedAt = T0,
    };

    private static WebhookDeliveryRecord Delivery(string site, long seq, int attempt, DateTimeOffset at, string outcome, string? error) =>
        new(0, site, seq, $"evt-{seq}", "charging.started", "live", attempt, at, error is null ? 200 : 503, 12, outcome, error);
}
