using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ParkCharge.Server.Telemetry;

/// <summary>
/// The node's metrics (docs/operators.md, "Watching a node"), one instrument per thing an operator watches.
/// Recorded at the edges (connections, camera pushes, the site engines' host, webhook delivery, commands,
/// the event stream); the store's writer has its own meter (<see cref="Storage.Log.StoreMetrics"/>).
/// Names follow OpenTelemetry's conventions; Prometheus shows them with <c>_</c> for <c>.</c>, a unit suffix
/// and <c>_total</c> on counters (<c>parkcharge_ocpp_messages_total</c>).
/// </summary>
public sealed class NodeMetrics
{
    /// <summary>Latency buckets in seconds, from a fast in-memory answer to a store that is struggling.</summary>
    private static readonly double[] Seconds = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _connectionsOpened;
    private readonly Counter<long> _messages;
    private readonly Counter<long> _callErrors;
    private readonly Histogram<double> _replyDuration;
    private readonly Histogram<double> _decisionDuration;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _observations;
    private readonly Counter<long> _events;
    private readonly Counter<long> _bindings;
    private readonly Counter<long> _cameraReads;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Histogram<double> _webhookLag;
    private readonly UpDownCounter<long> _streamClients;
    private readonly Counter<long> _commands;
    private readonly ConcurrentDictionary<string, WebhookState> _webhooks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _lastCameraRead = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public NodeMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(NodeTelemetry.Name);
        _connectionsOpened = meter.CreateCounter<long>("parkcharge.ocpp.connections.opened", "{connection}",
            "Charger connections accepted, per charger: a charger that opens many in a short time is flapping.");
        _messages = meter.CreateCounter<long>("parkcharge.ocpp.messages", "{message}",
            "OCPP-J frames in and out, by direction, action and outcome (call, result, error, send).");
        _callErrors = meter.CreateCounter<long>("parkcharge.ocpp.callerrors", "{message}",
            "CALLERRORs by direction (sent: our answer to a charger; received: a charger's answer to us) and error code.");
        _replyDuration = meter.CreateHistogram("parkcharge.ocpp.reply.duration", "s",
            "From a charger's CALL received to our answer sent (the engine, the commit and the queue before them), per action.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        _decisionDuration = meter.CreateHistogram("parkcharge.engine.decision.duration", "s",
            "Time the pure engine takes to decide one observation, per kind of observation.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        _queueWait = meter.CreateHistogram("parkcharge.engine.queue.wait", "s",
            "Time an observation waits in its site's queue before the engine takes it.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
        _observations = meter.CreateCounter<long>("parkcharge.engine.observations", "{observation}",
            "Observations decided, by kind and answer (accepted, refused, repeat, failed).");
        _events = meter.CreateCounter<long>("parkcharge.engine.events", "{event}", "Events the engines derived and committed, by type.");
        _bindings = meter.CreateCounter<long>("parkcharge.binding.outcomes", "{binding}",
            "Binding decisions committed: created, changed, confirmed, review_needed, resolved_by_operator.");
        foreach (var outcome in (string[])["created", "changed", "confirmed", "review_needed"])
        {
            _bindings.Add(0, new KeyValuePair<string, object?>("outcome", outcome)); // a series from the start, so rate() and alerts see the first one
        }

        _cameraReads = meter.CreateCounter<long>("parkcharge.anpr.reads", "{read}",
            "Camera reads pushed, per camera and outcome (accepted, repeat, refused, rejected: the push was not accepted).");
        _webhookDeliveries = meter.CreateCounter<long>("parkcharge.webhook.deliveries", "{delivery}",
            "Webhook delivery attempts per subscription and outcome (delivered, failed, dead).");
        _webhookLag = meter.CreateHistogram("parkcharge.webhook.delivery.lag", "s",
            "From an event's commit to its delivery's 2xx answer, per subscription.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] });
        meter.CreateObservableGauge("parkcharge.webhook.lag", ObserveWebhookLag, "s",
            "Per subscription: how long the event it is stuck on has waited (while failing), else the lag of its last delivery.");
        meter.CreateObservableGauge("parkcharge.anpr.last_read.age", ObserveCameraSilence, "s",
            "Per camera that pushed since the node started: seconds since its last accepted read (a silent gate camera).");
        _streamClients = meter.CreateUpDownCounter<long>("parkcharge.events.stream.clients", "{client}", "Clients reading the live event stream now.");
        _commands = meter.CreateCounter<long>("parkcharge.commands", "{command}", "Commands to chargers by type and outcome (the charger's answer, or why none).");
        Meter = meter;
    }

    /// <summary>The node's meter, for the gauges other services add (<see cref="NodeGauges"/>).</summary>
    internal Meter Meter { get; }

    public void ConnectionOpened(string charger) => _connectionsOpened.Add(1, new KeyValuePair<string, object?>("charger", charger));

    public void Message(string direction, string? action, string outcome) =>
        _messages.Add(1, new("direction", direction), new("action", action ?? "unknown"), new("outcome", outcome));

    public void CallError(string direction, string code) => _callErrors.Add(1, new("direction", direction), new("code", code));

    public void Replied(string action, TimeSpan elapsed) => _replyDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("action", action));

    public void Decided(string kind, TimeSpan elapsed, string answer)
    {
        _decisionDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("kind", kind));
        _observations.Add(1, new("kind", kind), new("answer", answer));
    }

    public void Waited(TimeSpan elapsed) => _queueWait.Record(elapsed.TotalSeconds);

    public void EventCommitted(string type)
    {
        _events.Add(1, new KeyValuePair<string, object?>("type", type));
        if (type.StartsWith("binding.", StringComparison.Ordinal))
        {
            _bindings.Add(1, new KeyValuePair<string, object?>("outcome", type["binding.".Length..]));
        }
    }

    public void CameraRead(string camera, string outcome)
    {
        _cameraReads.Add(1, new("camera", camera), new("outcome", outcome));
        if (outcome is "accepted" or "repeat")
        {
            _lastCameraRead[camera] = Stopwatch.GetTimestamp();
        }
    }

    public void WebhookDelivered(string subscription, DateTimeOffset recordedAt)
    {
        var lag = _time.GetUtcNow() - recordedAt;
        _webhookDeliveries.Add(1, new("subscription", subscription), new("outcome", "delivered"));
        _webhookLag.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("subscription", subscription));
        _webhooks[subscription] = new WebhookState(null, lag);
    }

    public void WebhookFailed(string subscription, DateTimeOffset recordedAt, bool dead)
    {
        _webhookDeliveries.Add(1, new("subscription", subscription), new("outcome", dead ? "dead" : "failed"));
        _webhooks[subscription] = new WebhookState(recordedAt, TimeSpan.Zero);
    }

    public void StreamOpened() => _streamClients.Add(1);

    public void StreamClosed() => _streamClients.Add(-1);

    public void CommandAnswered(string type, string outcome) => _commands.Add(1, new("type", type), new("outcome", outcome));

    private IEnumerable<Measurement<double>> ObserveWebhookLag()
    {
        var now = _time.GetUtcNow();
        foreach (var (subscription, state) in _webhooks)
        {
            var lag = state.StuckSince is { } since ? now - since : state.LastLag;
            yield return new Measurement<double>(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("subscription", subscription));
        }
    }

    private IEnumerable<Measurement<double>> ObserveCameraSilence()
    {
        foreach (var (camera, at) in _lastCameraRead)
        {
            yield return new Measurement<double>(Stopwatch.GetElapsedTime(at).TotalSeconds, new KeyValuePair<string, object?>("camera", camera));
        }
    }

    /// <param name="StuckSince">When the event a failing subscription waits on was committed; null when it delivers.</param>
    private sealed record WebhookState(DateTimeOffset? StuckSince, TimeSpan LastLag);
}
