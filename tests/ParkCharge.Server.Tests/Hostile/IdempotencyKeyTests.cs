using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteIdempotencyKeyTests(PostgresServer postgres) : IdempotencyKeyTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresIdempotencyKeyTests(PostgresServer postgres) : IdempotencyKeyTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, finding 6: an Idempotency-Key stands for one request — API key, method, route, target and body.
/// The same request again gets the first answer; any other request with the key is a 422 that says so and
/// does nothing; a request that was not carried out frees its key.
/// </summary>
public abstract class IdempotencyKeyTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;
    private string _first = null!;
    private string _second = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        await Garage.ConfigureAsync(_node.Http);
        _first = await Garage.StayAsync(_node, "AB123CD");
        _second = await Garage.StayAsync(_node, "XY987ZW");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_key_reused_for_a_payment_to_another_stay_is_a_422_and_records_nothing_for_it()
    {
        using var paid = await PayAsync(_node.Http, _first, 5.00m, "reused-key");
        using var other = await PayAsync(_node.Http, _second, 5.00m, "reused-key");
        using var repeat = await PayAsync(_node.Http, _first, 5.00m, "reused-key");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK], [paid.StatusCode, other.StatusCode, repeat.StatusCode]);
        var problem = await other.ProblemAsync();
        Assert.Contains($"POST /api/v1/parking-sessions/{_first}/payments", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(await paid.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await repeat.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("true", repeat.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(1, await PaymentsAsync(_first));
        Assert.Equal(0, await PaymentsAsync(_second));
    }

    [Fact]
    public async Task A_key_reused_with_another_body_on_the_same_target_is_a_422()
    {
        using var paid = await PayAsync(_node.Http, _first, 5.00m, "same-target");
        using var more = await PayAsync(_node.Http, _first, 7.00m, "same-target");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.UnprocessableEntity], [paid.StatusCode, more.StatusCode]);
        Assert.Contains("with another body", (await more.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await PaymentsAsync(_first));
    }

    [Fact]
    public async Task A_key_reused_on_another_endpoint_is_a_422_never_a_500()
    {
        using var paid = await PayAsync(_node.Http, _first, 5.00m, "cross-route");
        using var correction = await SendAsync(_node.Http, HttpMethod.Post, $"/api/v1/parking-sessions/{_second}/plate", new { plate = "XY987ZV", reason = "typo" }, "cross-route");
        using var command = await SendAsync(_node.Http, HttpMethod.Post, "/api/v1/commands", new { type = "reset", chargerId = "CP-1", offlineWaitSeconds = 0 }, "cross-route");
        using var charger = await SendAsync(_node.Http, HttpMethod.Post, "/api/v1/chargers", new { id = "CP-2", siteId = "garage" }, "cross-route");

        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        Assert.Equal([HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity, HttpStatusCode.UnprocessableEntity],
            [correction.StatusCode, command.StatusCode, charger.StatusCode]);
        using var list = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands", TestContext.Current.CancellationToken));
        Assert.Empty(list.RootElement.GetProperty("items").EnumerateArray());
        using var chargerGet = await _node.Http.GetAsync("/api/v1/chargers/CP-2", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, chargerGet.StatusCode);
    }

    [Fact]
    public async Task Keys_belong_to_their_api_key_so_two_integrators_may_use_the_same_one()
    {
        var (_, one) = await _node.CreateKeyAsync("integrator", name: "pay station 1");
        var (_, two) = await _node.CreateKeyAsync("integrator", name: "pay station 2");
        using var first = _node.ClientWith(one);
        using var second = _node.ClientWith(two);

        using var a = await PayAsync(first, _first, 1.00m, "receipt-1");
        using var b = await PayAsync(second, _second, 1.00m, "receipt-1");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [a.StatusCode, b.StatusCode]);
        Assert.Equal((1, 1), (await PaymentsAsync(_first), await PaymentsAsync(_second)));
    }

    [Fact]
    public async Task A_request_that_was_refused_frees_its_key_for_a_corrected_retry()
    {
        using var wrongCurrency = await SendAsync(_node.Http, HttpMethod.Post, $"/api/v1/parking-sessions/{_first}/payments",
            new { amount = 3.00m, currency = "USD", method = "card" }, "fixed-later");
        using var corrected = await PayAsync(_node.Http, _first, 3.00m, "fixed-later");

        Assert.Equal([HttpStatusCode.UnprocessableEntity, HttpStatusCode.OK], [wrongCurrency.StatusCode, corrected.StatusCode]);
        Assert.Contains("bills in EUR", (await wrongCurrency.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await PaymentsAsync(_first));
    }

    [Fact]
    public async Task The_same_request_sent_five_times_at_once_is_carried_out_once()
    {
        var sends = Enumerable.Range(0, 5).Select(_ => PayAsync(_node.Http, _first, 2.50m, "at-once")).ToList();
        var responses = await Task.WhenAll(sends);

        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict });
            if (response.StatusCode == HttpStatusCode.OK)
            {
                ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("paymentId").GetString()!);
            }
            else
            {
                Assert.NotNull(response.Headers.RetryAfter);
            }

            response.Dispose();
        }

        Assert.Single(ids);
        Assert.Equal(1, await PaymentsAsync(_first));
    }

    [Fact]
    public async Task Every_write_route_answers_a_repeat_with_its_first_answer()
    {
        var (_, integratorKey) = await _node.CreateKeyAsync("integrator");
        using var integrator = _node.ClientWith(integratorKey);
        using var hook = await integrator.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://93.184.215.14/hook", active = false }, TestContext.Current.CancellationToken);
        var hookId = (await hook.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString();

        var writes = new (HttpClient Client, HttpMethod Method, string Path, object Body)[]
        {
            (_node.Http, HttpMethod.Post, "/api/v1/chargers", new { id = "CP-9", siteId = "garage" }),
            (_node.Http, HttpMethod.Post, "/api/v1/commands", new { type = "reset", chargerId = "CP-1", offlineWaitSeconds = 0 }),
            (_node.Http, HttpMethod.Post, $"/api/v1/parking-sessions/{_second}/plate", new { plate = "XY987ZV", reason = "typo" }),
            (_node.Http, HttpMethod.Post, $"/api/v1/parking-sessions/{_first}/payments", new { amount = 1.50m, currency = "EUR", method = "cash" }),
            (integrator, HttpMethod.Patch, $"/api/v1/webhooks/{hookId}", new { description = "billing" }),
        };

        foreach (var (client, method, path, body) in writes)
        {
            var key = $"repeat-{method}-{path}";
            using var first = await SendAsync(client, method, path, body, key);
            using var again = await SendAsync(client, method, path, body, key);

            Assert.True(first.IsSuccessStatusCode, $"{method} {path}: {(int)first.StatusCode} {await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            Assert.Equal(first.StatusCode, again.StatusCode);
            Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.True(again.Headers.Contains("Idempotent-Replayed"), $"{method} {path} was carried out again");
        }

        using var commands = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/commands", TestContext.Current.CancellationToken));
        Assert.Single(commands.RootElement.GetProperty("items").EnumerateArray());
    }

    private static Task<HttpResponseMessage> PayAsync(HttpClient client, string session, decimal amount, string key) =>
        SendAsync(client, HttpMethod.Post, $"/api/v1/parking-sessions/{session}/payments", new { amount, currency = "EUR", method = "card", reference = "r-1" }, key);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<int> PaymentsAsync(string session)
    {
        using var bill = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{session}/bill", TestContext.Current.CancellationToken));
        return bill.RootElement.GetProperty("payments").GetArrayLength();
    }
}
