using System.Globalization;
using System.Net;
using System.Text.Json;

using ParkCharge.Testing;

using static ParkCharge.Server.Tests.Events.EventScenario;

namespace ParkCharge.Server.Tests.Events;

public sealed class SqliteEventStreamTests(PostgresServer postgres) : EventStreamTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresEventStreamTests(PostgresServer postgres) : EventStreamTests(StoreEngine.Postgres, postgres);

/// <summary>The live stream (server-sent events) through real HTTP: backlog, live events, resuming after a disconnect.</summary>
public abstract class EventStreamTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private EventScenario _s = null!;

    public async ValueTask InitializeAsync() => _s = await StartAsync(engine, postgres);

    public async ValueTask DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task A_stream_resumed_after_a_disconnect_has_no_gap_and_no_repeat()
    {
        await _s.ExitAsync(await _s.EnterAsync());
        var received = new List<SseMessage>();

        // Connected: the backlog from the start, then live events.
        using (var stream = await SseClient.OpenAsync(_s.Http, $"?site={Site}&after=0"))
        {
            Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
            var head = await _s.HeadAsync();
            received.AddRange(await stream.EventsUntilAsync(e => e.Count > 0 && Seq(e[^1]) >= head));
            await _s.EnterAsync();
            head = await _s.HeadAsync();
            received.AddRange(await stream.EventsUntilAsync(e => e.Count > 0 && Seq(e[^1]) >= head));
        }

        // Disconnected while things happen.
        await _s.EnterAsync();
        await _s.EnterAsync();

        // Reconnected as an EventSource does: the URL as before, the last id in Last-Event-ID.
        using (var stream = await SseClient.OpenAsync(_s.Http, $"?site={Site}&after=0", lastEventId: received[^1].Id))
        {
            await _s.EnterAsync();
            var head = await _s.HeadAsync();
            received.AddRange(await stream.EventsUntilAsync(e => e.Count > 0 && Seq(e[^1]) >= head));
        }

        var expected = await _s.EventsAsync(Site);
        Assert.Equal(expected.Select(e => e.GetProperty("sequence").GetInt64()).Take(received.Count), received.Select(Seq));
        Assert.Equal(expected.Select(e => e.GetProperty("id").GetString()).Take(received.Count), received.Select(m => Envelope(m).GetProperty("id").GetString()));
        Assert.Equal(Enumerable.Range(1, received.Count).Select(i => (long)i), received.Select(Seq));
    }

    [Fact]
    public async Task A_stream_of_every_site_resumes_each_site_from_its_composite_id()
    {
        var start = new Dictionary<string, long> { [Site] = await _s.HeadAsync(Site), [OtherSite] = await _s.HeadAsync(OtherSite) };
        var received = new List<SseMessage>();
        using (var stream = await SseClient.OpenAsync(_s.Http, ""))
        {
            await stream.NextAsync(); // the opening comment: the stream stands at the end of every site now
            await _s.EnterAsync(Site);
            await _s.EnterAsync(OtherSite);
            var heads = await HeadsAsync();
            received.AddRange(await stream.EventsUntilAsync(e => CaughtUp(e, heads)));
        }

        await _s.EnterAsync(OtherSite);
        await _s.ExitAsync(await _s.EnterAsync(Site), Site);
        var lastId = received[^1].Id!;
        Assert.Contains($"{Site}:", lastId, StringComparison.Ordinal);
        Assert.Contains($"{OtherSite}:", lastId, StringComparison.Ordinal);

        using (var stream = await SseClient.OpenAsync(_s.Http, "", lastEventId: lastId))
        {
            var heads = await HeadsAsync();
            received.AddRange(await stream.EventsUntilAsync(e => CaughtUp(received.Concat(e).ToList(), heads)));
        }

        foreach (var site in (string[])[Site, OtherSite])
        {
            var sequences = received.Select(Envelope).Where(e => e.GetProperty("site").GetString() == site).Select(e => e.GetProperty("sequence").GetInt64()).ToList();
            var expected = (await _s.EventsAsync(site, start[site])).Select(e => e.GetProperty("sequence").GetInt64()).Take(sequences.Count);
            Assert.Equal(expected, sequences);
            Assert.True(sequences.Count >= 2, $"{site}: {sequences.Count} events");
        }
    }

    [Fact]
    public async Task A_stream_sends_only_the_types_asked_for()
    {
        using var stream = await SseClient.OpenAsync(_s.Http, $"?site={Site}&types=parking.session_closed");
        await stream.NextAsync();
        var first = await _s.EnterAsync();
        await _s.EnterAsync();
        await _s.ExitAsync(first);

        var events = await stream.EventsUntilAsync(e => e.Count == 1);

        Assert.Equal("parking.session_closed", Envelope(events[0]).GetProperty("type").GetString());
        Assert.Equal((await _s.EventsAsync(Site, type: "parking.session_closed"))[^1].GetProperty("id").GetString(), Envelope(events[0]).GetProperty("id").GetString());
    }

    [Fact]
    public async Task An_idle_stream_sends_heartbeat_comments()
    {
        using var stream = await SseClient.OpenAsync(_s.Http, $"?site={Site}");
        var opening = await stream.NextAsync();
        Assert.Null(opening.Data);

        var next = stream.NextAsync(TestContext.Current.CancellationToken);
        await _s.UntilAsync(() => next.IsCompleted, TimeSpan.FromSeconds(5), "a heartbeat");

        var heartbeat = await next;
        Assert.Null(heartbeat.Data);
        Assert.Contains("heartbeat", heartbeat.Comments);
    }

    [Fact]
    public async Task A_position_that_is_not_one_is_refused_with_a_problem()
    {
        using var response = await _s.Http.GetAsync($"/api/v1/events/stream?site={Site}&after=yesterday", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<Dictionary<string, long>> HeadsAsync() =>
        new() { [Site] = await _s.HeadAsync(Site), [OtherSite] = await _s.HeadAsync(OtherSite) };

    private static bool CaughtUp(List<SseMessage> events, Dictionary<string, long> heads) =>
        heads.All(h => events.Select(Envelope).Any(e => e.GetProperty("site").GetString() == h.Key && e.GetProperty("sequence").GetInt64() >= h.Value));

    private static long Seq(SseMessage message) => long.Parse(message.Id!, CultureInfo.InvariantCulture);

    private static JsonElement Envelope(SseMessage message) => JsonDocument.Parse(message.Data!).RootElement;
}
