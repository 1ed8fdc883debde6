using System.Net.Http.Headers;

namespace ParkCharge.Server.Tests.Events;

/// <summary>One server-sent message: its id, its data, and the comments before it.</summary>
internal sealed record SseMessage(string? Id, string? Data, IReadOnlyList<string> Comments);

/// <summary>A client of the live event stream, reading it message by message as an EventSource would.</summary>
internal sealed class SseClient : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseClient(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body);
    }

    public HttpResponseMessage Response => _response;

    public static async Task<SseClient> OpenAsync(HttpClient http, string query, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/events/stream" + query);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseClient(response, await response.Content.ReadAsStreamAsync());
    }

    /// <summary>The next message (an event, or comments alone); fails the test if none comes in time.</summary>
    public async Task<SseMessage> NextAsync(CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        string? id = null;
        string? data = null;
        var comments = new List<string>();
        var any = false;
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token) ?? throw new EndOfStreamException("The stream ended.");
            if (line.Length == 0)
            {
                if (any)
                {
                    return new SseMessage(id, data, comments);
                }

                continue;
            }

            any = true;
            if (line.StartsWith(':'))
            {
                comments.Add(line[1..].Trim());
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data = (data is null ? "" : data + "\n") + line[5..].TrimStart();
            }
        }
    }

    /// <summary>Reads events (skipping comments) until <paramref name="done"/> holds for what was read.</summary>
    public async Task<List<SseMessage>> EventsUntilAsync(Func<List<SseMessage>, bool> done)
    {
        var events = new List<SseMessage>();
        while (!done(events))
        {
            var message = await NextAsync();
            if (message.Data is not null)
            {
                events.Add(message);
            }
        }

        return events;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}
