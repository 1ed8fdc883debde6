using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using OpenTelemetry.Trace;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Tests.Events;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Operations;

/// <summary>
/// Watching a node (docs/operators.md): the Prometheus scrape after a charging session shows what an operator
/// must see, and a charger's frame leaves one trace from its receipt through the engine and the commit to the
/// answer and on to the webhook it caused.
/// </summary>
public sealed partial class TelemetryTests(PostgresServer postgres)
{
    private const string Site = "telemetry";
    /// <summary>W3C Trace Context's traceparent, version 00: trace id, parent id, flags.</summary>
    private static readonly System.Text.RegularExpressions.Regex TraceParent = new("^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$");

    private static readonly Dictionary<string, string?> MetricsOn = new() { ["ParkCharge:Metrics:Enabled"] = "true" };

    [Fact]
    public async Task A_scrape_after_a_charging_session_shows_the_connection_its_messages_and_errors_the_decisions_and_the_commits()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        await node.RegisterChargerAsync("CP-M1", site: Site);
        await using (var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-M1"), OcppVersion.Ocpp16))
        {
            await ChargeAsync(charger);
            await SendRawAsync(charger, """[2,"bad-1","Heartbeat",{"unexpected":1}]"""); // refused by the schema: a CALLERROR
            await node.EventuallyAsync(ScrapeAsync, text => Sample(text, "parkcharge_ocpp_callerrors_total", ("direction", "sent")) >= 1);

            var scrape = await ScrapeAsync();
            Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_chargers_connected", ("version", "1.6")));
            Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_connections_opened_total", ("charger", "CP-M1")));
            foreach (var action in (string[])["BootNotification", "StartTransaction", "MeterValues", "StopTransaction"])
            {
                Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_messages_total", ("direction", "in"), ("action", action), ("outcome", "call")));
                Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_messages_total", ("direction", "out"), ("action", action), ("outcome", "result")));
                Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_reply_duration_seconds_count", ("action", action)));
            }

            Assert.Equal(1, Sample(scrape, "parkcharge_ocpp_messages_total", ("direction", "out"), ("action", "Heartbeat"), ("outcome", "error")));
            Assert.True(Sample(scrape, "parkcharge_ocpp_callerrors_total", ("direction", "sent"), ("code", "FormationViolation")) + Sample(scrape, "parkcharge_ocpp_callerrors_total", ("direction", "sent"), ("code", "OccurenceConstraintViolation")) + Sample(scrape, "parkcharge_ocpp_callerrors_total", ("direction", "sent"), ("code", "PropertyConstraintViolation")) >= 1,
                "no CALLERROR counted by its code:\n" + Lines(scrape, "parkcharge_ocpp_callerrors_total"));
            Assert.Equal(1, Sample(scrape, "parkcharge_engine_events_total", ("type", "charging.started")));
            Assert.Equal(1, Sample(scrape, "parkcharge_engine_events_total", ("type", "charging.stopped")));
            Assert.True(Sample(scrape, "parkcharge_engine_decision_duration_seconds_count", ("kind", "charging.start_reported")) >= 1, Lines(scrape, "parkcharge_engine_decision_duration_seconds_count"));
            Assert.True(Sample(scrape, "parkcharge_engine_observations_total", ("answer", "accepted")) >= 5);
            Assert.True(Sample(scrape, "parkcharge_store_commit_duration_seconds_count") >= 1);
            Assert.True(Sample(scrape, "parkcharge_store_commit_writes_count") >= 1);
            Assert.True(Sample(scrape, "parkcharge_engine_queue_wait_seconds_count") >= 5);
            Assert.Contains("parkcharge_store_queue_depth", scrape, StringComparison.Ordinal);
            Assert.Contains("parkcharge_engine_queue_depth{", scrape, StringComparison.Ordinal);
        }

        await node.EventuallyAsync(ScrapeAsync, text => Sample(text, "parkcharge_ocpp_chargers_connected", ("version", "1.6")) == 0);

        async Task<string> ScrapeAsync() => await node.Http.GetStringAsync("/metrics");
    }

    [Fact]
    public async Task A_nodes_scrape_counts_its_own_chargers_not_those_of_another_node_in_the_same_process()
    {
        await using var watched = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        await using var other = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        await other.RegisterChargerAsync("CP-O1", site: Site);
        await using var charger = await TestCharger.ConnectAsync(other.OcppUri("CP-O1"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Other" });

        var scrape = await watched.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(0, Sample(scrape, "parkcharge_ocpp_connections_opened_total", ("charger", "CP-O1")));
        Assert.Equal(0, Sample(scrape, "parkcharge_ocpp_chargers_connected"));
        Assert.Equal(1, Sample(await other.Http.GetStringAsync("/metrics", TestContext.Current.CancellationToken), "parkcharge_ocpp_connections_opened_total", ("charger", "CP-O1")));
    }

    [Fact]
    public async Task A_charger_inventing_actions_and_error_codes_cannot_make_a_metric_series_per_string()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        await node.RegisterChargerAsync("CP-H1", site: Site);
        await using var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-H1"), OcppVersion.Ocpp16);
        for (var i = 0; i < 40; i++)
        {
            await SendRawAsync(charger, $$"""[2,"x-{{i}}","Invented{{i}}",{}]""");
            await SendRawAsync(charger, $$"""[4,"y-{{i}}","MadeUpCode{{i}}","",{}]""");
        }

        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Hostile" }); // answered after the 80 frames
        var scrape = await node.EventuallyAsync(() => node.Http.GetStringAsync("/metrics"),
            text => Sample(text, "parkcharge_ocpp_messages_total", ("direction", "in"), ("action", "other")) >= 40);

        Assert.DoesNotContain("Invented", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("MadeUpCode", scrape, StringComparison.Ordinal);
        Assert.Equal(40, Sample(scrape, "parkcharge_ocpp_callerrors_total", ("direction", "received"), ("code", "other")));
        Assert.Equal(40, Sample(scrape, "parkcharge_ocpp_messages_total", ("direction", "out"), ("action", "other"), ("outcome", "error")));
    }

    [Fact]
    public async Task Metrics_are_not_served_unless_turned_on_and_then_only_to_an_api_key()
    {
        await using (var off = await TestNode.StartAsync(StoreEngine.Sqlite, postgres))
        {
            using var response = await off.Http.GetAsync("/metrics", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        await using var on = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        using var anonymous = new HttpClient { BaseAddress = on.BaseUri };
        using var refused = await anonymous.GetAsync("/metrics", TestContext.Current.CancellationToken);
        using var integrator = new HttpClient { BaseAddress = on.BaseUri };
        integrator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await CreateKeyAsync(on, "integrator"));
        using var scraped = await integrator.GetAsync("/metrics", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.StartsWith("text/plain", scraped.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_frame_leaves_one_trace_from_its_receipt_through_the_engine_and_the_commit_to_the_reply_and_its_webhook()
    {
        var spans = new SpanList();
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres,
            new Dictionary<string, string?> { [EventScenario.AllowLoopbackTargets] = "127.0.0.1" },
            builder => builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(spans)));
        await node.RegisterChargerAsync("CP-T1", site: Site);
        using (var subscribed = await node.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), eventTypes = new[] { "charging.started" } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        await using var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-T1"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Traces" });
        var started = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-T", MeterStart = 0, Timestamp = DateTimeOffset.UtcNow });
        await Eventually.UntilAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 1, () => node.Changed);

        // An ActivitySource's listeners are the process's: spans of other tests' nodes arrive here too. This charger's are its own.
        var call = Assert.Single(spans.Snapshot(), s => s.DisplayName == "ocpp.call StartTransaction" && (string?)s.GetTagItem("ocpp.charger") == "CP-T1");
        var trace = spans.Snapshot().Where(s => s.TraceId == call.TraceId).ToList();
        var decide = Assert.Single(trace, s => s.DisplayName == "engine.decide");
        var commit = Assert.Single(trace, s => s.DisplayName == "store.commit");
        Assert.Equal(default, call.ParentSpanId); // a trace of its own, not under the WebSocket's request
        Assert.Equal(("CP-T1", "StartTransaction", "result"), ((string?)call.GetTagItem("ocpp.charger"), (string?)call.GetTagItem("ocpp.action"), (string?)call.GetTagItem("ocpp.outcome")));
        Assert.Equal((call.SpanId, call.SpanId), (decide.ParentSpanId, commit.ParentSpanId));
        Assert.Equal("charging.start_reported", decide.GetTagItem("parkcharge.observation"));
        Assert.True(call.StartTimeUtc <= decide.StartTimeUtc && decide.StartTimeUtc + decide.Duration <= commit.StartTimeUtc + commit.Duration,
            "the decision comes before the commit, both after the frame arrived");
        Assert.True(commit.StartTimeUtc + commit.Duration <= call.StartTimeUtc + call.Duration, "the answer is sent after the commit");
        Assert.Contains(call.Events, e => e.Name == "reply sent");
        Assert.True(started.TransactionId > 0);

        // The webhook the frame caused is delivered in the same trace, and tells the receiver so (W3C traceparent).
        var delivery = Assert.Single(receiver.Accepted, d => d.EventType == "charging.started");
        var traceparent = Assert.Single(delivery.TraceParents);
        Assert.True(TraceParent.IsMatch(traceparent), traceparent);
        Assert.Equal(call.TraceId.ToHexString(), traceparent.Split('-')[1]);
        var deliver = await Eventually.UntilAsync(
            () => Task.FromResult(spans.Snapshot().SingleOrDefault(s => s.DisplayName == "webhook.deliver" && s.TraceId == call.TraceId)), s => s is not null, () => node.Changed); // ends once the delivery is recorded
        Assert.Equal(call.TraceId, deliver!.TraceId);
        Assert.Equal(call.SpanId, deliver.ParentSpanId);
    }

    [Fact]
    public async Task A_webhook_carries_w3c_trace_context_even_from_a_node_that_exports_no_traces()
    {
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?> { [EventScenario.AllowLoopbackTargets] = "127.0.0.1" });
        await node.RegisterChargerAsync("CP-T2", site: Site);
        using (var subscribed = await node.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), eventTypes = new[] { "charger.connected" } }, TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        await using (var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-T2"), OcppVersion.Ocpp16))
        {
            await Eventually.UntilAsync(() => Task.FromResult(receiver.Accepted.Count), n => n >= 1, () => node.Changed);
        }

        var traceparent = Assert.Single(Assert.Single(receiver.Accepted).TraceParents);
        Assert.True(TraceParent.IsMatch(traceparent), traceparent);
    }

    [Fact]
    public async Task Every_metric_the_grafana_dashboard_shows_is_in_a_scrape_of_a_node_at_work()
    {
        var dashboard = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "grafana", "parkcharge.dashboard.json"), TestContext.Current.CancellationToken);
        var queries = JsonDocument.Parse(dashboard).RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        var named = queries.SelectMany(q => MetricName().Matches(q).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);

        await using var s = await EventScenario.StartAsync(StoreEngine.Sqlite, postgres, MetricsOn);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        await s.SubscribeAsync(receiver);
        await using (var charger = await s.ConnectChargerAsync())
        {
            var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-D", MeterStart = 0, Timestamp = s.Time.GetUtcNow() });
            await charger.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = start.TransactionId, MeterStop = 900, Timestamp = s.Time.GetUtcNow() });
            await SendRawAsync(charger, """[2,"bad-2","Heartbeat",{"unexpected":1}]""");
            await s.ExitAsync(await s.EnterAsync());
            using (var stream = await s.Http.GetAsync($"/api/v1/events/stream?site={EventScenario.Site}", HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken))
            {
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
            }

            await s.UntilAsync(() => receiver.Accepted.Any(d => d.EventType == "parking.session_closed"), TimeSpan.FromSeconds(1), "the webhook delivered");
            var scrape = await s.Node.EventuallyAsync(() => s.Http.GetStringAsync("/metrics"), text => named.All(n => text.Contains(n, StringComparison.Ordinal)));

            var samples = PrometheusText.Samples(scrape).Select(x => x.Name).ToHashSet(StringComparer.Ordinal);
            var missing = named.Where(n => !samples.Contains(n)).ToList();
            Assert.True(missing.Count == 0, "not in the scrape: " + string.Join(", ", missing));
            Assert.True(named.Count >= 15, $"the dashboard names {named.Count} metrics");
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("parkcharge_[a-z_]+")]
    private static partial System.Text.RegularExpressions.Regex MetricName();

    /// <summary>A 1.6 charging session: boot, start, a meter value, stop.</summary>
    private static async Task ChargeAsync(TestCharger charger)
    {
        var now = DateTimeOffset.UtcNow;
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Metrics" });
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-M", MeterStart = 1000, Timestamp = now });
        await charger.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
        {
            ConnectorId = 1,
            TransactionId = start.TransactionId,
            MeterValue = [new MeterValue { Timestamp = now.AddSeconds(1), SampledValue = [new SampledValue { Value = "1500" }] }],
        });
        await charger.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = start.TransactionId, MeterStop = 2500, Timestamp = now.AddSeconds(2) });
    }

    /// <summary>A frame as a charger with a bug would send it, past the test charger's own checks.</summary>
    private static Task SendRawAsync(TestCharger charger, string frame) =>
        charger.Socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    private static async Task<string> CreateKeyAsync(TestNode node, string role)
    {
        using var response = await node.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "prometheus", role });
        response.EnsureSuccessStatusCode();
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return created.RootElement.GetProperty("key").GetString()!;
    }

    /// <summary>The sum of a metric's samples in a Prometheus text scrape whose labels include <paramref name="labels"/>.</summary>
    internal static double Sample(string scrape, string name, params (string Label, string Value)[] labels) =>
        PrometheusText.Samples(scrape)
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Sum(s => s.Value);

    private static string Lines(string scrape, string name) =>
        string.Join('\n', scrape.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)));

    /// <summary>The in-memory exporter's list, safe to read while the node exports into it.</summary>
    private sealed class SpanList : ICollection<Activity>
    {
        private readonly List<Activity> _spans = [];

        public int Count { get { lock (_spans) { return _spans.Count; } } }

        public bool IsReadOnly => false;

        public List<Activity> Snapshot() { lock (_spans) { return [.. _spans]; } }

        public void Add(Activity item) { lock (_spans) { _spans.Add(item); } }

        public void Clear() { lock (_spans) { _spans.Clear(); } }

        public bool Contains(Activity item) { lock (_spans) { return _spans.Contains(item); } }

        public void CopyTo(Activity[] array, int arrayIndex) { lock (_spans) { _spans.CopyTo(array, arrayIndex); } }

        public bool Remove(Activity item) { lock (_spans) { return _spans.Remove(item); } }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}

/// <summary>Prometheus' text exposition format, read as a scraper reads it: samples with their labels.</summary>
internal static class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public static IEnumerable<Sample> Samples(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ', line.Length - 1);
            string name;
            string rest;
            if (brace >= 0 && brace < line.IndexOf(' ', StringComparison.Ordinal))
            {
                name = line[..brace];
                var close = line.IndexOf("} ", brace, StringComparison.Ordinal);
                ReadLabels(line[(brace + 1)..close], labels);
                rest = line[(close + 2)..];
            }
            else
            {
                name = line[..line.IndexOf(' ', StringComparison.Ordinal)];
                rest = line[(name.Length + 1)..];
            }

            var value = rest.Split(' ')[0];
            _ = space;
            yield return new Sample(name, labels, value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            });
        }
    }

    private static void ReadLabels(string text, Dictionary<string, string> labels)
    {
        var i = 0;
        while (i < text.Length)
        {
            var eq = text.IndexOf('=', i);
            var key = text[i..eq].Trim(',', ' ');
            var value = new StringBuilder();
            var j = eq + 2; // past ="
            for (; text[j] != '"'; j++)
            {
                if (text[j] == '\\')
                {
                    j++;
                    value.Append(text[j] == 'n' ? '\n' : text[j]);
                }
                else
                {
                    value.Append(text[j]);
                }
            }

            labels[key] = value.ToString();
            i = j + 1;
        }
    }
}
