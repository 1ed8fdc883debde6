using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.AspNetCore.Http;

using ParkCharge.Server.Tests.Events;
using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

using static ParkCharge.Server.Tests.Events.EventScenario;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteWebhookTargetTests(PostgresServer postgres) : WebhookTargetTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresWebhookTargetTests(PostgresServer postgres) : WebhookTargetTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, finding 4: webhooks cannot be aimed at the node's own network — refused when a subscription is
/// made and again at every delivery, on the address actually connected to — unless the operator allows a
/// target; a refusing receiver's answer is kept only as its status and a short, sanitised excerpt.
/// </summary>
public abstract class WebhookTargetTests(StoreEngine engine, PostgresServer postgres)
{
    private static readonly Dictionary<string, string?> NoPrivateTargets = new() { [AllowLoopbackTargets] = "" };

    public static TheoryData<string> InternalTargets =>
    [
        "http://localhost:9/hook",
        "http://LocalHost/hook",
        "http://127.0.0.1/hook",
        "http://127.1/hook",
        "http://2130706433/hook",
        "http://0x7f000001/hook",
        "http://0177.0.0.1/hook",
        "http://127.255.255.254:8080/hook",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:7f00:1]/hook",
        "http://[0:0:0:0:0:0:0:1]/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/hook",
        "http://10.0.0.1/hook",
        "http://172.16.5.4/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
        "http://[fd00::1]/hook",
        "http://0.0.0.0/hook",
        "http://0/hook",
        "http://[64:ff9b::7f00:1]/hook",
        "http://[2002:7f00:1::]/hook",
    ];

    [Theory]
    [MemberData(nameof(InternalTargets))]
    public async Task A_webhook_aimed_at_an_internal_address_is_refused_in_every_spelling(string url)
    {
        await using var s = await StartAsync(engine, postgres, NoPrivateTargets);

        using var created = await s.Http.PostAsJsonAsync("/api/v1/webhooks", new { url }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        var problem = await created.ProblemAsync();
        var reason = problem.GetProperty("errors").GetProperty("url")[0].GetString();
        Assert.StartsWith("Not a webhook target", reason, StringComparison.Ordinal);
        Assert.DoesNotContain("does not resolve", reason, StringComparison.Ordinal); // refused for what it is, not for a failed look-up
        using var list = JsonDocument.Parse(await s.Http.GetStringAsync("/api/v1/webhooks", TestContext.Current.CancellationToken));
        Assert.Equal(0, list.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_subscription_cannot_be_moved_to_an_internal_address_and_a_public_one_is_accepted()
    {
        await using var s = await StartAsync(engine, postgres, NoPrivateTargets);

        // A public address literal: nothing is sent when subscribing, so it need not answer.
        using var created = await s.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://93.184.215.14/hook", active = false }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString();

        using var moved = await s.Http.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { url = "http://169.254.169.254/latest/meta-data/" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, moved.StatusCode);
        Assert.Equal("http://93.184.215.14/hook", (await s.WebhookAsync(id!)).GetProperty("url").GetString());
    }

    [Fact]
    public async Task Delivery_checks_the_address_it_connects_to_so_an_allowed_target_later_refused_receives_nothing()
    {
        // Allowed when subscribing (as a name resolving publicly then would be), refused when the node delivers.
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        var subscription = await s.SubscribeAsync(receiver, sites: [Site]);
        s.Time.Advance(TimeSpan.FromMinutes(1));

        await s.RestartAsync(NoPrivateTargets);
        await s.EnterAsync();
        await s.UntilAsync(async () => (await s.DeliveriesAsync(Id(subscription))).Count > 0, TimeSpan.FromSeconds(1), "a delivery attempt");

        var attempt = (await s.DeliveriesAsync(Id(subscription)))[0];
        Assert.Equal("Failed", attempt.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, attempt.GetProperty("statusCode").ValueKind);
        Assert.Contains("loopback", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task The_delivery_log_keeps_only_the_status_and_a_short_sanitised_excerpt_of_a_refusal()
    {
        await using var s = await StartAsync(engine, postgres);
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);
        receiver.Answer = () => StatusCodes.Status500InternalServerError;
        receiver.RefusalBody = ("application/json", "{\"error\":\"db down\",\n\u001b[31m\"connectionString\":\"Host=10.0.0.7;Password=" + new string('s', 5_000) + "\"}");
        var subscription = await s.SubscribeAsync(receiver, sites: [Site]);

        await s.EnterAsync();
        await s.UntilAsync(async () => (await s.DeliveriesAsync(Id(subscription))).Count > 0, TimeSpan.FromSeconds(1), "a failed delivery");
        receiver.RefusalBody = ("text/html", "<html><body>Internal admin console: users, secrets</body></html>");
        s.Time.Advance(TimeSpan.FromMinutes(5));
        await s.UntilAsync(async () => (await s.DeliveriesAsync(Id(subscription))).Count > 1, TimeSpan.FromSeconds(10), "a second failed delivery");

        var attempts = await s.DeliveriesAsync(Id(subscription));
        var json = attempts[0].GetProperty("error").GetString()!;
        Assert.Equal(500, attempts[0].GetProperty("statusCode").GetInt32());
        Assert.StartsWith("HTTP 500", json, StringComparison.Ordinal);
        Assert.Contains("db down", json, StringComparison.Ordinal);
        Assert.True(json.Length <= 160, $"{json.Length} characters kept");
        Assert.DoesNotContain(json, c => char.IsControl(c));
        Assert.Equal("HTTP 500 Internal Server Error", attempts[1].GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_operator_may_allow_named_private_targets()
    {
        await using var s = await StartAsync(engine, postgres, new Dictionary<string, string?> { [AllowLoopbackTargets] = "localhost" });
        await using var receiver = await WebhookReceiver.StartAsync(s.Time);

        using var byName = await s.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = $"http://localhost:{receiver.Url.Port}/hook", siteIds = new[] { Site } }, TestContext.Current.CancellationToken);
        using var byAddress = await s.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString() }, TestContext.Current.CancellationToken);
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.BadRequest], [byName.StatusCode, byAddress.StatusCode]);

        await s.EnterAsync();
        await s.UntilAsync(() => receiver.Accepted.Count > 0, TimeSpan.FromSeconds(1), "the allowed target to receive the event");
    }

    private static string Id(JsonElement e) => e.GetProperty("id").GetString()!;
}
