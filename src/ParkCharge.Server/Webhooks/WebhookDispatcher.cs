using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

using Microsoft.Extensions.Options;

using ParkCharge.Server.Apis;
using ParkCharge.Server.Events;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Events;
using ParkCharge.Storage.Webhooks;

namespace ParkCharge.Server.Webhooks;

/// <summary>
/// Delivers the outbox to webhook subscriptions (DESIGN.md §1.5): at least once, and per subscription
/// strictly in each site's sequence order. A subscription's next event is sent only after the previous
/// one was answered with 2xx, so a failing event holds back the ones after it, is retried with
/// back-off, and after <see cref="WebhookOptions.MaxAttempts"/> stops the subscription (dead letter)
/// until someone resumes it. Cursors are advanced in the store after each delivery: a restart
/// continues where delivery stopped (and may repeat the one event in flight: receivers de-duplicate by id).
/// </summary>
/// <remarks>
/// Each subscription has its own worker, so a slow receiver delays no one else. The dispatcher wakes
/// as soon as the log writer commits events (<see cref="Outbox.Changed"/>), when a retry is due, and
/// every poll interval for events other nodes committed. With several nodes on one PostgreSQL store, a
/// lease in the subscription's row lets one node at a time deliver it.
/// </remarks>
public sealed partial class WebhookDispatcher(
    Store store,
    IHttpClientFactory clients,
    WebhookSecrets secrets,
    IOptions<ParkChargeOptions> options,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger,
    Telemetry.NodeMetrics? metrics = null,
    Telemetry.TraceOrigins? origins = null) : BackgroundService
{
    public const string HttpClientName = "webhooks";

    private const int Batch = 100;

    /// <summary>How much of a refusing receiver's answer the delivery log keeps.</summary>
    private const int ExcerptLimit = 120;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Worker> _workers = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly string _owner = options.Value.NodeId;
    private volatile bool _reload = true;
    private IReadOnlyList<WebhookSubscription> _subscriptions = [];
    private CancellationToken _stopping = new(canceled: true);

    private WebhookOptions Settings => options.Value.Webhooks;

    /// <summary>A subscription was created, changed, resumed or given a replay: look at it now.</summary>
    public void Changed(string id)
    {
        _reload = true;
        var worker = _workers.GetOrAdd(id, i => new Worker(i));
        worker.Stale = true;
        worker.Kick(RunPassAsync);
        _wake.Writer.TryWrite(true);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var poll = options.Value.Events.PollInterval;
        var nextPoll = DateTimeOffset.MinValue;
        var nextPrune = DateTimeOffset.MinValue;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var committed = store.Outbox.Changed;
                var now = time.GetUtcNow();
                var wait = poll;
                try
                {
                    if (now >= nextPoll)
                    {
                        await store.Outbox.RefreshHeadsAsync(stoppingToken);
                        _reload = true;
                        nextPoll = now + poll;
                    }

                    if (now >= nextPrune)
                    {
                        await store.Webhooks.PruneDeliveriesAsync(now - Settings.DeliveryLogRetention, stoppingToken);
                        nextPrune = now + PruneEvery;
                    }

                    if (_reload)
                    {
                        _reload = false;
                        _subscriptions = await store.Webhooks.ListAsync(stoppingToken);
                    }

                    var due = nextPoll;
                    foreach (var subscription in _subscriptions)
                    {
                        if (subscription.Status != WebhookStatus.Active)
                        {
                            continue;
                        }

                        if (subscription.NextAttemptAt is { } retryAt && retryAt > now)
                        {
                            due = retryAt < due ? retryAt : due;
                            continue;
                        }

                        var worker = _workers.GetOrAdd(subscription.Id, i => new Worker(i));
                        if (worker.IsBehind(subscription, store.Outbox.Heads))
                        {
                            worker.Kick(RunPassAsync);
                        }
                    }

                    wait = due > now ? due - now : TimeSpan.Zero;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    LogLoopFailed(logger, e);
                }

                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                await Task.WhenAny(committed, _wake.Reader.WaitToReadAsync(waiting.Token).AsTask(), Task.Delay(wait, time, waiting.Token));
                await waiting.CancelAsync();
                _wake.Reader.TryRead(out _);
            }
        }
        finally
        {
            await Task.WhenAll(_workers.Values.Select(w => w.Running));
            try
            {
                await store.Webhooks.ReleaseLeasesAsync(_owner, CancellationToken.None);
            }
            catch (Exception e)
            {
                LogLoopFailed(logger, e);
            }
        }
    }

    private async Task RunPassAsync(Worker worker)
    {
        try
        {
            await PassAsync(worker, _stopping);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The node is stopping: the event in flight is delivered again after the restart.
        }
        catch (Exception e)
        {
            LogPassFailed(logger, worker.Id, e);
            _reload = true;
            _wake.Writer.TryWrite(true);
        }
    }

    /// <summary>Delivers what the subscription has not had yet: pending replays first, then every site's new events.</summary>
    private async Task PassAsync(Worker worker, CancellationToken ct)
    {
        worker.Stale = false;
        var subscription = await store.Webhooks.GetAsync(worker.Id, ct);
        if (subscription is null)
        {
            _workers.TryRemove(worker.Id, out _);
            return;
        }

        var now = time.GetUtcNow();
        if (subscription.Status != WebhookStatus.Active || subscription.NextAttemptAt > now)
        {
            return;
        }

        // Without the secret this node cannot sign: it must not take the lease from a node that can.
        string secret;
        try
        {
            secret = secrets.Unprotect(subscription.ProtectedSecret);
            worker.SecretUnreadable = false;
        }
        catch (CryptographicException e)
        {
            if (!worker.SecretUnreadable)
            {
                worker.SecretUnreadable = true;
                LogSecretUnreadable(logger, subscription.Id, e);
            }

            return;
        }

        if (!await store.Webhooks.TryLeaseAsync(subscription.Id, _owner, now, now + Lease, ct))
        {
            return; // another node delivers it
        }

        worker.LeaseUntil = now + Lease;

        var filter = EventTypeFilter.TryParse(subscription.EventTypes, out var parsed, out _) ? parsed : EventTypeFilter.All;
        var delivery = new Delivery(subscription, secret, subscription.Attempts);

        var replays = await store.Webhooks.PendingReplaysAsync(subscription.Id, ct);
        worker.HasReplays = replays.Count > 0;
        foreach (var replay in replays)
        {
            var next = replay.NextSequence;
            while (true)
            {
                var events = await store.Outbox.ReadAsync(replay.Site, next - 1, Batch, filter, replay.ToSequence, ct);
                foreach (var e in events)
                {
                    if (worker.Stale || !await DeliverAsync(worker, delivery, e, replay, ct))
                    {
                        return;
                    }

                    next = e.Seq + 1;
                }

                if (events.Count < Batch)
                {
                    await store.Webhooks.AdvanceReplayAsync(replay.Id, replay.ToSequence + 1, time.GetUtcNow(), ct);
                    break;
                }
            }
        }

        worker.HasReplays = false;
        var cursors = await store.Webhooks.CursorsAsync(subscription.Id, ct);
        worker.Cursors.Clear();
        foreach (var cursor in cursors)
        {
            worker.Cursors[cursor.Site] = cursor.DeliveredSequence;
        }

        worker.Loaded = true;
        bool more;
        do
        {
            more = false;
            foreach (var (site, head) in store.Outbox.Heads.OrderBy(h => h.Key, StringComparer.Ordinal))
            {
                // A site without a cursor has had its first event since the subscription began: all of it is new.
                var cursor = worker.Cursors.GetValueOrDefault(site);
                if (!subscription.Covers(site) || head <= cursor)
                {
                    continue;
                }

                var events = await store.Outbox.ReadAsync(site, cursor, Batch, filter, head, ct);
                foreach (var e in events)
                {
                    if (worker.Stale || !await DeliverAsync(worker, delivery, e, null, ct))
                    {
                        return;
                    }

                    worker.Cursors[site] = e.Seq;
                }

                if (events.Count == Batch)
                {
                    more = true;
                }
                else if (worker.Cursors.GetValueOrDefault(site) < head)
                {
                    // Everything up to the head that the filter wants was delivered: skip the rest.
                    await store.Webhooks.AdvanceCursorAsync(subscription.Id, site, head, ct);
                    worker.Cursors[site] = head;
                }
            }
        }
        while (more);
    }

    /// <summary>Sends one event; records the attempt, and on success moves past it. False when it failed (retry later).</summary>
    private async Task<bool> DeliverAsync(Worker worker, Delivery delivery, OutboxEvent e, WebhookReplayRecord? replay, CancellationToken ct)
    {
        var subscription = delivery.Subscription;
        var now = time.GetUtcNow();
        if (now > worker.LeaseUntil - (Lease / 2))
        {
            if (!await store.Webhooks.TryLeaseAsync(subscription.Id, _owner, now, now + Lease, ct))
            {
                return false;
            }

            worker.LeaseUntil = now + Lease;
        }

        var attempt = delivery.FailedAttempts + 1;
        var body = JsonSerializer.SerializeToUtf8Bytes(EventEnvelope.Of(e), ApiJsonContext.Default.EventEnvelope);
        var timestamp = now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var headers = request.Headers;
        headers.Add(WebhookHeaders.WebhookId, subscription.Id);
        headers.Add(WebhookHeaders.EventId, e.Id);
        headers.Add(WebhookHeaders.EventType, e.Type);
        headers.Add(WebhookHeaders.Site, e.Site);
        headers.Add(WebhookHeaders.Sequence, e.Seq.ToString(CultureInfo.InvariantCulture));
        headers.Add(WebhookHeaders.Timestamp, timestamp.ToString(CultureInfo.InvariantCulture));
        headers.Add(WebhookHeaders.Signature, WebhookSignature.Sign(delivery.Secret, timestamp, body));
        headers.Add(WebhookHeaders.Attempt, attempt.ToString(CultureInfo.InvariantCulture));
        if (replay is not null)
        {
            headers.Add(WebhookHeaders.Replay, "true");
        }

        int? status = null;
        string? error = null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();

        // In the trace of the frame or push the event came from, when this node still knows it; the request
        // carries W3C trace context (traceparent) so a receiver can join it, even when the node exports no traces.
        using var span = DeliverySpan(origins?.Of(e.Site, e.Seq) ?? default);
        span.SetTag("parkcharge.webhook", subscription.Id);
        span.SetTag("parkcharge.event", e.Type);
        span.SetTag("parkcharge.site", e.Site);
        span.SetTag("parkcharge.seq", e.Seq);
        span.SetTag("parkcharge.attempt", attempt);
        System.Diagnostics.Activity.Current = span;
        try
        {
            var client = clients.CreateClient(HttpClientName);
            client.Timeout = Settings.Timeout;
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = $"HTTP {status} {response.ReasonPhrase}{await SnippetAsync(response, ct)}";
            }
        }
        catch (HttpRequestException x)
        {
            error = x.InnerException switch
            {
                HttpRequestException refused => refused.Message, // refused by WebhookTargets before connecting
                { } inner => $"{x.Message} ({inner.Message})",
                null => x.Message,
            };
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            error = $"No answer within {Settings.Timeout.TotalSeconds:0.###} s.";
        }

        var duration = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        var kind = replay is null ? "live" : "replay";
        span.SetTag("http.response.status_code", status);
        if (error is null)
        {
            metrics?.WebhookDelivered(subscription.Id, e.RecordedAt);
            // The receiver has it: record that even when the node is stopping, or a graceful restart would
            // send it again (not cancelled by ct; a single short write).
            await store.Webhooks.RecordDeliveredAsync(subscription.Id,
                new WebhookDeliveryRecord(0, e.Site, e.Seq, e.Id, e.Type, kind, attempt, now, status, duration, "Delivered", null), replay, CancellationToken.None);
            if (delivery.FailedAttempts > 0)
            {
                LogRecovered(logger, subscription.Id, e.Site, e.Seq, attempt);
                _reload = true;
            }

            delivery.FailedAttempts = 0;
            return true;
        }

        var dead = attempt >= Settings.MaxAttempts;
        span.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
        metrics?.WebhookFailed(subscription.Id, e.RecordedAt, dead);
        DateTimeOffset? retryAt = dead ? null : now + RetrySchedule.After(attempt, Settings.FirstRetry, Settings.MaxRetry, Random.Shared);
        await store.Webhooks.RecordFailedAsync(subscription.Id,
            new WebhookDeliveryRecord(0, e.Site, e.Seq, e.Id, e.Type, kind, attempt, now, status, duration, dead ? "Dead" : "Failed", error), retryAt, dead, ct);
        if (dead)
        {
            LogDead(logger, subscription.Id, e.Site, e.Seq, attempt, error);
        }
        else
        {
            LogFailed(logger, subscription.Id, e.Site, e.Seq, attempt, error, retryAt!.Value);
        }

        _reload = true;
        _wake.Writer.TryWrite(true);
        return false;
    }

    /// <summary>
    /// The span of one delivery attempt: recorded when the node exports traces, otherwise one of its own that
    /// only gives the request its W3C trace context.
    /// </summary>
    private static System.Diagnostics.Activity DeliverySpan(System.Diagnostics.ActivityContext origin)
    {
        if (Telemetry.NodeTelemetry.StartSpan("webhook.deliver", System.Diagnostics.ActivityKind.Producer, origin) is { } recorded)
        {
            return recorded;
        }

        var span = new System.Diagnostics.Activity("webhook.deliver").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C);
        if (origin != default)
        {
            span.SetParentId(origin.TraceId, origin.SpanId, origin.TraceFlags);
        }

        var current = System.Diagnostics.Activity.Current;
        span.Start();
        System.Diagnostics.Activity.Current = current;
        return span;
    }

    /// <summary>
    /// The start of a refusing receiver's answer, which often gives the reason in its own words: text only
    /// (a plain, JSON or XML answer, not a page or a file), at most <see cref="ExcerptLimit"/> characters,
    /// printable ASCII with runs of anything else collapsed to one space. The delivery log is read through the
    /// API; it must not become a way to read what a server answered, only why it refused.
    /// </summary>
    private static async Task<string> SnippetAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var type = response.Content.Headers.ContentType?.MediaType ?? "";
        if (!(type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase) || type.EndsWith("json", StringComparison.OrdinalIgnoreCase)
            || type.EndsWith("xml", StringComparison.OrdinalIgnoreCase)) || type.Contains("html", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }

        try
        {
            var buffer = new byte[ExcerptLimit * 4];
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
            var text = Sanitised(Encoding.UTF8.GetString(buffer, 0, read));
            return text.Length == 0 ? "" : ": " + (text.Length <= ExcerptLimit ? text : text[..ExcerptLimit] + "...");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return "";
        }
    }

    private static string Sanitised(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var printable = c is >= ' ' and <= '~';
            if (printable && c != ' ')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != ' ')
            {
                builder.Append(' ');
            }
        }

        return builder.ToString().Trim();
    }

    /// <summary>What one pass knows of the subscription it delivers.</summary>
    private sealed class Delivery(WebhookSubscription subscription, string secret, int failedAttempts)
    {
        public WebhookSubscription Subscription { get; } = subscription;

        public string Secret { get; } = secret;

        public int FailedAttempts { get; set; } = failedAttempts;
    }

    /// <summary>
    /// One subscription's delivery loop: at most one pass at a time; a kick during a pass runs another
    /// pass right after it, so an event committed while a pass was finishing is not left for the poll.
    /// </summary>
    private sealed class Worker(string id)
    {
        private readonly Lock _gate = new();
        private bool _running;
        private bool _again;

        public string Id { get; } = id;

        /// <summary>The cursors as of the last pass (read by the dispatcher's loop to decide whether to kick).</summary>
        public ConcurrentDictionary<string, long> Cursors { get; } = new(StringComparer.Ordinal);

        public volatile bool Loaded;

        public volatile bool HasReplays;

        /// <summary>The subscription changed through the API: the pass in progress stops at the next event and starts over.</summary>
        public volatile bool Stale;

        public DateTimeOffset LeaseUntil { get; set; }

        /// <summary>Said once (in the log) that this node cannot decrypt the secret, rather than at every event.</summary>
        public bool SecretUnreadable { get; set; }

        public Task Running { get; private set; } = Task.CompletedTask;

        public bool IsBehind(WebhookSubscription subscription, IReadOnlyDictionary<string, long> heads)
        {
            if (!Loaded || HasReplays)
            {
                return true;
            }

            foreach (var (site, head) in heads)
            {
                if (subscription.Covers(site) && head > Cursors.GetValueOrDefault(site))
                {
                    return true;
                }
            }

            return false;
        }

        public void Kick(Func<Worker, Task> pass)
        {
            lock (_gate)
            {
                if (_running)
                {
                    _again = true;
                    return;
                }

                _running = true;
                _again = false;
                Running = Task.Run(() => LoopAsync(pass));
            }
        }

        private async Task LoopAsync(Func<Worker, Task> pass)
        {
            while (true)
            {
                await pass(this);
                lock (_gate)
                {
                    if (!_again)
                    {
                        _running = false;
                        return;
                    }

                    _again = false;
                }
            }
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Webhook delivery: the dispatcher's loop failed; it carries on")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Error, Message = "Webhook {Subscription}: a delivery pass failed; it is tried again")]
    private static partial void LogPassFailed(ILogger logger, string subscription, Exception exception);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Error, Message = "Webhook {Subscription}: its secret cannot be decrypted on this node (are the data-protection keys shared between nodes?)")]
    private static partial void LogSecretUnreadable(ILogger logger, string subscription, Exception exception);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Webhook {Subscription}: event {Site}#{Sequence} failed (attempt {Attempt}): {Error}; next attempt at {RetryAt:O}")]
    private static partial void LogFailed(ILogger logger, string subscription, string site, long sequence, int attempt, string error, DateTimeOffset retryAt);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Webhook {Subscription}: event {Site}#{Sequence} failed {Attempt} times ({Error}); the subscription is dead-lettered until it is resumed")]
    private static partial void LogDead(ILogger logger, string subscription, string site, long sequence, int attempt, string error);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Webhook {Subscription}: event {Site}#{Sequence} delivered after {Attempt} attempts")]
    private static partial void LogRecovered(ILogger logger, string subscription, string site, long sequence, int attempt);
}

/// <summary>The headers of a webhook delivery.</summary>
public static class WebhookHeaders
{
    public const string WebhookId = "ParkCharge-Webhook-Id";
    public const string EventId = "ParkCharge-Event-Id";
    public const string EventType = "ParkCharge-Event-Type";
    public const string Site = "ParkCharge-Site";
    public const string Sequence = "ParkCharge-Sequence";
    public const string Timestamp = "ParkCharge-Timestamp";
    public const string Signature = "ParkCharge-Signature";
    public const string Attempt = "ParkCharge-Delivery-Attempt";
    public const string Replay = "ParkCharge-Replay";
}
