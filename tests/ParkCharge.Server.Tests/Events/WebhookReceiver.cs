using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ParkCharge.Server.Tests.Events;

/// <summary>One request the receiver got, with the answer it gave.</summary>
internal sealed record ReceivedDelivery(
    string EventId,
    string EventType,
    string Site,
    long Sequence,
    string? Timestamp,
    string? Signature,
    int Attempt,
    bool Replay,
    byte[] Body,
    int Answer,
    DateTimeOffset ReceivedAt)
{
    public JsonElement Envelope => JsonDocument.Parse(Body).RootElement;

    /// <summary>The request's W3C trace context headers (<c>traceparent</c>), every value sent.</summary>
    public IReadOnlyList<string> TraceParents { get; init; } = [];

    public bool Accepted => Answer is >= 200 and < 300;

    /// <summary>
    /// The receiver's check as docs/integrators.md describes it, written independently of the server's
    /// code: HMAC-SHA256 over "{timestamp}.{body}", and a timestamp within five minutes of now.
    /// </summary>
    public bool IsSignedWith(string secret)
    {
        if (!long.TryParse(Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(ReceivedAt.ToUnixTimeSeconds() - seconds) > 300)
        {
            return false;
        }

        var signed = Encoding.UTF8.GetBytes(Timestamp + ".").Concat(Body).ToArray();
        var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
        return Signature?.Split(',').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.Trim()), Encoding.ASCII.GetBytes(expected))) == true;
    }
}

/// <summary>
/// A webhook receiver for tests: a real Kestrel server on a free loopback port that keeps every
/// request and answers with the status the test chooses (to fail for a while, then recover).
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedDelivery> _received = new();

    private WebhookReceiver(WebApplication app)
    {
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(new Uri(address), "/hook");
    }

    public Uri Url { get; }

    /// <summary>The receiver's clock (the test's fake clock, so that the replay window can be checked).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>The status to answer a request with; 200 unless the test says otherwise.</summary>
    public Func<int> Answer { get; set; } = () => StatusCodes.Status200OK;

    /// <summary>What a refusing answer (4xx, 5xx) carries: its content type and body.</summary>
    public (string ContentType, string Body) RefusalBody { get; set; } = ("text/plain", "receiver is down for maintenance");

    /// <summary>Every request so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedDelivery> Received => [.. _received];

    /// <summary>The requests answered with 2xx, in arrival order.</summary>
    public IReadOnlyList<ReceivedDelivery> Accepted => [.. _received.Where(r => r.Accepted)];

    public static async Task<WebhookReceiver> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? receiver = null;
        app.MapPost("/hook", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            var headers = http.Request.Headers;
            var answer = receiver!.Answer();
            receiver._received.Enqueue(new ReceivedDelivery(
                headers["ParkCharge-Event-Id"].ToString(),
                headers["ParkCharge-Event-Type"].ToString(),
                headers["ParkCharge-Site"].ToString(),
                long.Parse(headers["ParkCharge-Sequence"].ToString(), CultureInfo.InvariantCulture),
                headers["ParkCharge-Timestamp"],
                headers["ParkCharge-Signature"],
                int.Parse(headers["ParkCharge-Delivery-Attempt"].ToString(), CultureInfo.InvariantCulture),
                headers["ParkCharge-Replay"] == "true",
                body.ToArray(),
                answer,
                receiver.Clock.GetUtcNow())
            { TraceParents = [.. headers["traceparent"].OfType<string>()] });
            return answer >= 400
                ? Results.Text(receiver.RefusalBody.Body, receiver.RefusalBody.ContentType, statusCode: answer)
                : Results.Text("ok", statusCode: answer);
        });
        await app.StartAsync();
        receiver = new WebhookReceiver(app) { Clock = clock };
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
