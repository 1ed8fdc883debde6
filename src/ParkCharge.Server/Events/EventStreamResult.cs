using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

using ParkCharge.Server.Apis;
using ParkCharge.Storage.Events;

namespace ParkCharge.Server.Events;

/// <summary>
/// A live stream of events as server-sent events: first what the client has not had (the backlog after
/// its position), then each event as soon as it is committed, with a heartbeat comment while idle.
/// Each event's <c>id</c> is the stream's position after it (<see cref="StreamPosition"/>), so a
/// reconnect with <c>Last-Event-ID</c> continues without a gap or a repeat.
/// </summary>
/// <remarks>
/// Written by hand rather than with <c>TypedResults.ServerSentEvents</c>: that writes events only, and
/// a stream needs comments for heartbeats (an event would wake every client's handler).
/// </remarks>
internal sealed class EventStreamResult(
    Outbox outbox,
    string? site,
    StreamPosition? from,
    EventTypeFilter filter,
    TimeProvider time,
    TimeSpan heartbeat,
    TimeSpan poll,
    CancellationToken stopping) : IResult, IEndpointMetadataProvider
{
    private const int Batch = 200;

    /// <summary>How long a client's EventSource waits before reconnecting.</summary>
    private const int RetryMilliseconds = 2000;

    public static void PopulateMetadata(System.Reflection.MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));

    public async Task ExecuteAsync(HttpContext http)
    {
        // The stream ends when the client leaves or the node stops (it reconnects to another node).
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        var ct = ended.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not hold the stream back
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var metrics = http.RequestServices.GetService<Telemetry.NodeMetrics>();
        metrics?.StreamOpened();
        try
        {
            await StreamAsync(response, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException && ct.IsCancellationRequested)
        {
            // The client went away (or the node is stopping); it resumes from its last event id.
        }
        finally
        {
            metrics?.StreamClosed();
        }
    }

    private async Task StreamAsync(HttpResponse response, CancellationToken ct)
    {
        var heads = await outbox.RefreshHeadsAsync(ct);
        var position = from ?? StartAtTheEnd(heads);
        var scanned = new Dictionary<string, long>(StringComparer.Ordinal);
        await WriteAsync(response, $"retry: {RetryMilliseconds}\n: ParkCharge events{(site is null ? "" : " of site " + site)}\n\n", ct);
        var nextHeartbeat = time.GetUtcNow() + heartbeat;
        var nextPoll = time.GetUtcNow() + poll;
        var text = new StringBuilder();
        while (!ct.IsCancellationRequested)
        {
            var committed = outbox.Changed;
            var more = false;
            foreach (var s in Sites(position))
            {
                // Skip a site whose known events were all read already (those the filter wants were sent).
                var head = outbox.Heads.GetValueOrDefault(s);
                if (head <= Math.Max(position[s], scanned.GetValueOrDefault(s)))
                {
                    continue;
                }

                var events = await outbox.ReadAsync(s, position[s], Batch, filter, null, ct);
                foreach (var e in events)
                {
                    position[s] = e.Seq;
                    text.Append("id: ").Append(position.Format(site)).Append('\n')
                        .Append("data: ").Append(JsonSerializer.Serialize(EventEnvelope.Of(e), ApiJsonContext.Default.EventEnvelope)).Append("\n\n");
                }

                if (events.Count == Batch)
                {
                    more = true;
                }
                else
                {
                    scanned[s] = head;
                }

                if (text.Length > 0)
                {
                    await WriteAsync(response, text.ToString(), ct);
                    text.Clear();
                }
            }

            if (more)
            {
                continue; // still catching up
            }

            var now = time.GetUtcNow();
            if (now >= nextHeartbeat)
            {
                await WriteAsync(response, ": heartbeat\n\n", ct);
                nextHeartbeat = now + heartbeat;
            }

            if (now >= nextPoll)
            {
                // Events other nodes committed are not signalled here: look for them.
                await outbox.RefreshHeadsAsync(ct);
                nextPoll = now + poll;
                continue;
            }

            var wake = nextHeartbeat < nextPoll ? nextHeartbeat : nextPoll;
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(ct);
            await Task.WhenAny(committed, Task.Delay(wake - now, time, waiting.Token));
            await waiting.CancelAsync();
        }
    }

    /// <summary>Without a position the stream starts at the end: only what happens from now on.</summary>
    private StreamPosition StartAtTheEnd(IReadOnlyDictionary<string, long> heads)
    {
        var position = new StreamPosition();
        foreach (var (s, head) in heads)
        {
            if (site is null || s == site)
            {
                position[s] = head;
            }
        }

        return position;
    }

    private List<string> Sites(StreamPosition position) =>
        site is not null ? [site] : [.. position.Sites.Union(outbox.Heads.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct)
    {
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }
}
