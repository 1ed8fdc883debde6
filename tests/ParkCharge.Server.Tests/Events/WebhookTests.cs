using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Http;

using ParkCharge.Testing;

using static ParkCharge.Server.Tests.Events.EventScenario;

namespace ParkCharge.Server.Tests.Events;

public sealed class SqliteWebhookTests(PostgresServer postgres) : WebhookTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresWebhookTests(PostgresServer postgres) : WebhookTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Webhooks end to end: real events (camera pushes, a charger over OCPP) delivered from the outbox to a
/// real HTTP receiver that fails, recovers, is down for an hour; the node's clock is moved by the test.
/// </summary>
public abstract class WebhookTests(StoreEngine engine, PostgresServer postgres)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_receiver_that_fails_for_a_while_then_gets_every_event_exactly_once_in_order_with_valid_signatures()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        var requests = 0;
        receiver.Answer = () => Interlocked.Increment(ref requests) <= 5 ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
        var subscription = await s.SubscribeAsync(receiver, sites: [Site]);
        var start = StartOf(subscription, Site);

        await using var charger = await s.ConnectChargerAsync();
        for (var i = 0; i < 4; i++)
        {
            var plate = await s.EnterAsync();
            if (i % 2 == 0)
            {
                await s.ExitAsync(plate);
            }
        }

        var made = await s.EventsAsync(Site, start);
        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "every event to be accepted");

        var expected = await s.EventsAsync(Site, start);
        var accepted = receiver.Accepted.Where(r => r.Site == Site).ToList();
        var firstAcceptance = accepted.DistinctBy(r => r.EventId).ToList();
        Assert.True(made.Count >= 9, $"The scenario made {made.Count} events.");
        Assert.Equal(expected.Select(Id), firstAcceptance.Select(r => r.EventId));
        Assert.Equal(firstAcceptance.Count, accepted.Count); // nothing accepted twice
        Assert.All(firstAcceptance.Zip(expected), pair => Assert.True(JsonElement.DeepEquals(pair.Second, pair.First.Envelope), "The body is the event as the API lists it."));
        Assert.All(receiver.Received, r => Assert.True(r.IsSignedWith(subscription.GetProperty("secret").GetString()!), $"Delivery of {r.EventId} (attempt {r.Attempt}) is not signed."));

        var failures = (await s.DeliveriesAsync(Id(subscription))).Where(d => d.GetProperty("outcome").GetString() == "Failed").ToList();
        Assert.Equal([1, 2, 3, 4, 5], failures.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.All(failures, d => Assert.Equal((500, Id(expected[0])), (d.GetProperty("statusCode").GetInt32(), d.GetProperty("eventId").GetString())));
        Assert.Equal(6, receiver.Received.First(r => r.Accepted).Attempt);
    }

    [Fact]
    public async Task A_receiver_down_for_an_hour_loses_nothing()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        receiver.Answer = () => StatusCodes.Status503ServiceUnavailable;
        var subscription = await s.SubscribeAsync(receiver);
        var start = StartOf(subscription, Site);

        // An hour of traffic while the receiver is down: minute by minute, each attempt that came due made
        // (the subscription's next attempt lies ahead of the clock) before the clock moves on.
        for (var minute = 0; minute < 60; minute++)
        {
            if (minute % 10 == 0)
            {
                await s.EnterAsync();
            }

            await s.Node.EventuallyAsync(() => s.WebhookAsync(Id(subscription)), w => NextAttemptAhead(w, s.Time.GetUtcNow()));
            s.Time.Advance(Minute);
        }

        var during = await s.WebhookAsync(Id(subscription));
        Assert.Empty(receiver.Accepted);
        Assert.True(receiver.Received.Count >= 3, $"Only {receiver.Received.Count} attempts in an hour.");
        Assert.All(receiver.Received, r => Assert.Equal(start + 1, r.Sequence)); // the first event holds back the rest
        Assert.Equal("Active", during.GetProperty("status").GetString());
        Assert.Contains("503", during.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        receiver.Answer = () => StatusCodes.Status200OK;
        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "the backlog to be delivered");

        var expected = await s.EventsAsync(Site, start);
        Assert.True(expected.Count >= 6);
        Assert.Equal(expected.Select(Id), receiver.Accepted.Where(r => r.Site == Site).Select(r => r.EventId));
        var after = await s.WebhookAsync(Id(subscription));
        Assert.Equal((0, JsonValueKind.Null), (after.GetProperty("attempts").GetInt32(), after.GetProperty("lastError").ValueKind));
    }

    [Fact]
    public async Task An_event_that_fails_every_attempt_dead_letters_the_subscription_and_resume_continues_from_it()
    {
        await using var s = await StartAsync(engine, postgres, new Dictionary<string, string?> { ["ParkCharge:Webhooks:MaxAttempts"] = "3" });
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        receiver.Answer = () => StatusCodes.Status500InternalServerError;
        var subscription = await s.SubscribeAsync(receiver, sites: [Site]);
        var start = StartOf(subscription, Site);
        for (var i = 0; i < 3; i++)
        {
            await s.EnterAsync();
        }

        await s.UntilAsync(async () => (await s.WebhookAsync(Id(subscription))).GetProperty("status").GetString() == "Dead", Minute, "the dead letter");

        var attempts = await s.DeliveriesAsync(Id(subscription));
        Assert.Equal(["Failed", "Failed", "Dead"], attempts.Select(d => d.GetProperty("outcome").GetString()));
        Assert.Equal([1, 2, 3], attempts.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.All(attempts, d => Assert.Equal(start + 1, d.GetProperty("sequence").GetInt64()));
        Assert.All(attempts, d => Assert.StartsWith("HTTP 500", d.GetProperty("error").GetString(), StringComparison.Ordinal));
        Assert.Equal(3, receiver.Received.Count);
        Assert.NotEqual(JsonValueKind.Null, (await s.WebhookAsync(Id(subscription))).GetProperty("deadAt").ValueKind);

        receiver.Answer = () => StatusCodes.Status200OK;
        using var resume = await s.Http.PostAsync($"/api/v1/webhooks/{Id(subscription)}/resume", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "delivery after the resume");

        var expected = await s.EventsAsync(Site, start);
        Assert.Equal(expected.Select(Id), receiver.Accepted.Select(r => r.EventId));
        Assert.Equal(1, receiver.Accepted[0].Attempt); // resumed afresh
    }

    [Fact]
    public async Task A_replay_delivers_a_range_again_in_order_even_from_before_the_subscription()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        var subscription = await s.SubscribeAsync(receiver, sites: [Site]);
        var start = StartOf(subscription, Site);
        for (var i = 0; i < 3; i++)
        {
            await s.ExitAsync(await s.EnterAsync());
        }

        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "live delivery");
        var to = start + 3;

        using var replay = await s.Http.PostAsJsonAsync($"/api/v1/webhooks/{Id(subscription)}/replay", new { fromSequence = 1, toSequence = to }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Accepted, replay.StatusCode);
        await s.UntilAsync(() => receiver.Received.Count(r => r.Replay) >= to, Minute, "the replay");
        var replayed = receiver.Received.Where(r => r.Replay).ToList();
        Assert.Equal((await s.EventsAsync(Site)).Take((int)to).Select(Id), replayed.Select(r => r.EventId));
        Assert.All(replayed, r => Assert.True(r.IsSignedWith(subscription.GetProperty("secret").GetString()!)));
        await s.UntilAsync(async () => (await s.WebhookAsync(Id(subscription))).GetProperty("replays").GetArrayLength() == 0, Minute, "the replay to be finished");
        Assert.All(
            (await s.DeliveriesAsync(Id(subscription))).Where(d => d.GetProperty("kind").GetString() == "replay"),
            d => Assert.Equal("Delivered", d.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task A_subscription_gets_only_the_event_types_and_sites_it_asked_for()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        const string eventTypes = "parking.session_closed,charger.*";
        var subscription = await s.SubscribeAsync(receiver, types: eventTypes.Split(','), sites: [Site]);
        var start = StartOf(subscription, Site);

        await using var charger = await s.ConnectChargerAsync();
        for (var i = 0; i < 3; i++)
        {
            var plate = await s.EnterAsync();
            await s.EnterAsync(OtherSite);
            if (i > 0)
            {
                await s.ExitAsync(plate);
            }
        }

        var expected = await s.EventsAsync(Site, start, eventTypes);
        await s.UntilAsync(() => receiver.Accepted.Count >= expected.Count, Minute, "the matching events");
        await s.UntilAsync(async () => (await s.WebhookAsync(Id(subscription))).GetProperty("sites").EnumerateArray()
            .Single(c => c.GetProperty("site").GetString() == Site) is var c && c.GetProperty("deliveredSequence").GetInt64() == c.GetProperty("lastSequence").GetInt64(),
            Minute, "the cursor to pass the events it does not want");

        Assert.Equal(expected.Select(Id), receiver.Accepted.Select(r => r.EventId));
        Assert.Equal(2, receiver.Accepted.Count(r => r.EventType == "parking.session_closed"));
        Assert.Contains(receiver.Accepted, r => r.EventType == "charger.connected");
        Assert.All(receiver.Accepted, r => Assert.True(r.EventType == "parking.session_closed" || r.EventType.StartsWith("charger.", StringComparison.Ordinal), r.EventType));
        Assert.All(receiver.Accepted, r => Assert.Equal(Site, r.Site));
    }

    [Fact]
    public async Task A_restarted_node_continues_delivery_where_it_stopped()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        var subscription = await s.SubscribeAsync(receiver);
        var start = StartOf(subscription, Site);
        await s.EnterAsync();
        await s.EnterAsync();
        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "delivery before the restart");

        await s.RestartAsync();
        await s.EnterAsync();
        await s.UntilAsync(() => CaughtUpAsync(s, receiver, Site, start), Minute, "delivery after the restart");

        // At least once: a delivery answered just before the stop, whose cursor was not yet stored, comes
        // again after the restart. After de-duplication on the event id, every event once and in order.
        Assert.Equal((await s.EventsAsync(Site, start)).Select(Id), receiver.Accepted.Where(r => r.Site == Site).Select(r => r.EventId).Distinct());
    }

    [Fact]
    public async Task A_subscription_is_validated_and_its_generated_secret_is_shown_only_once()
    {
        await using var s = await StartAsync(engine, postgres);
        using var bad = await s.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "ftp://example.org/hook", eventTypes = new[] { "charging.strated" }, siteIds = new[] { "Not A Site" } }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("application/problem+json", bad.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("errors");
        Assert.Equal(["eventTypes", "siteIds", "url"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("charging.strated", errors.GetProperty("eventTypes")[0].GetString(), StringComparison.Ordinal);

        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        var created = await s.SubscribeAsync(receiver, types: ["charging.*"]);
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString(), StringComparison.Ordinal);
        var read = await s.WebhookAsync(Id(created));
        Assert.False(read.TryGetProperty("secret", out _));
        Assert.Equal(["charging.*"], read.GetProperty("eventTypes").EnumerateArray().Select(t => t.GetString()));

        using var pause = await s.Http.PatchAsJsonAsync($"/api/v1/webhooks/{Id(created)}", new { status = "paused" }, TestContext.Current.CancellationToken);
        Assert.Equal("Paused", JsonDocument.Parse(await pause.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("status").GetString());
        using var delete = await s.Http.DeleteAsync($"/api/v1/webhooks/{Id(created)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var gone = await s.Http.GetAsync($"/api/v1/webhooks/{Id(created)}", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    private static string Id(JsonElement e) => e.GetProperty("id").GetString()!;

    /// <summary>The sequence delivery starts after for the site: its last event when the subscription was made.</summary>
    private static long StartOf(JsonElement subscription, string site) =>
        subscription.GetProperty("sites").EnumerateArray().Single(c => c.GetProperty("site").GetString() == site).GetProperty("deliveredSequence").GetInt64();

    /// <summary>True when the receiver has accepted every event of the site after <paramref name="start"/>.</summary>
    private static async Task<bool> CaughtUpAsync(EventScenario s, WebhookReceiver receiver, string site, long start)
    {
        var ids = (await s.EventsAsync(site, start)).Select(Id).ToHashSet();
        return ids.Count > 0 && ids.SetEquals(receiver.Accepted.Where(r => r.Site == site).Select(r => r.EventId));
    }

    /// <summary>The subscription failed at least once and its next attempt is not due yet by the node's clock.</summary>
    private static bool NextAttemptAhead(JsonElement webhook, DateTimeOffset now) =>
        webhook.GetProperty("attempts").GetInt32() > 0
        && webhook.GetProperty("nextAttemptAt").ValueKind == JsonValueKind.String
        && webhook.GetProperty("nextAttemptAt").GetDateTimeOffset() > now;

}
