using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteHostileValueTests(PostgresServer postgres) : HostileValueTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresHostileValueTests(PostgresServer postgres) : HostileValueTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, low findings: values no client should send — lone surrogates, bodies over their route's limit,
/// absurd dates and numbers in queries, megabytes of text, admin documents built to cost minutes — get a 4xx
/// problem, quickly, and are never stored.
/// </summary>
public abstract class HostileValueTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;
    private string _stay = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        await Garage.ConfigureAsync(_node.Http);
        _stay = await Garage.StayAsync(_node, "AB123CD");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData("/api/v1/chargers/CP-1/status-history?to=0001-01-01T00:00:00Z")]
    [InlineData("/api/v1/chargers/CP-1/status-history?from=9999-12-31T23:59:59Z")]
    [InlineData("/api/v1/chargers/CP-1/status-history?limit=-1")]
    [InlineData("/api/v1/chargers/CP-1/messages?before=-9223372036854775808&limit=2147483647")]
    [InlineData("/api/v1/charging-sessions?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")]
    [InlineData("/api/v1/parking-sessions?from=0001-01-01T00:00:00%2B14:00")]
    [InlineData("/api/v1/commands?to=0001-01-01T00:00:00Z&limit=0")]
    [InlineData("/api/v1/audit?from=9999-12-31T23:59:59Z")]
    [InlineData("/api/v1/events?after=-1&limit=100000000")]
    [InlineData("/api/v1/bindings?limit=99999999999999999999")]
    [InlineData("/api/v1/chargers/CP-1/status-history?to=not-a-time")]
    public async Task An_absurd_date_or_number_in_a_query_is_a_400_not_a_500(string query)
    {
        using var response = await _node.Http.GetAsync(query, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_lone_surrogate_in_any_json_body_is_a_400()
    {
        var bodies = new (HttpMethod Method, string Path, string Json)[]
        {
            (HttpMethod.Post, "/api/v1/chargers", """{"id":"CP-9","displayName":"\ud800"}"""),
            (HttpMethod.Post, "/api/v1/webhooks", """{"url":"http://93.184.215.14/x","description":"\udfff\ud800"}"""),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/payments", """{"amount":1.00,"currency":"EUR","method":"card","reference":"\ud800x"}"""),
            (HttpMethod.Post, "/api/v1/commands", """{"type":"remoteStart","chargerId":"CP-1","idToken":"\ud800"}"""),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/plate", """{"plate":"AB\ud800","reason":"x"}"""),
            (HttpMethod.Put, "/api/v1/sites/garage", """{"id":"garage","name":"\ud800","timeZone":"UTC","currency":"EUR"}"""),
            (HttpMethod.Put, "/api/v1/sites/garage/tariffs", """{"parking":[{"id":"\ud800"}]}"""),
            (HttpMethod.Post, "/api/v1/api-keys", """{"name":"\ud800","role":"integrator"}"""),
        };

        foreach (var (method, path, json) in bodies)
        {
            using var response = await _node.Http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
    }

    [Fact]
    public async Task A_property_named_twice_in_any_json_body_is_a_400_and_nothing_of_it_is_accepted()
    {
        // Which of the two values a reader takes differs between readers (the last one for the typed body, the
        // first or an exception for others): a body that says two things is refused, not guessed at.
        var bodies = new (HttpMethod Method, string Path, string Json)[]
        {
            (HttpMethod.Post, "/api/v1/chargers", """{"id":"CP-8","id":"CP-9"}"""),
            (HttpMethod.Post, "/api/v1/chargers", """{"id":"CP-9","displayName":"a","displayName":"b"}"""),
            (HttpMethod.Post, "/api/v1/webhooks", """{"url":"http://93.184.215.14/x","url":"http://93.184.215.14/y"}"""),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/payments", """{"amount":1.00,"currency":"EUR","method":"card","amount":1000.00}"""),
            (HttpMethod.Post, "/api/v1/commands", """{"type":"remoteStart","chargerId":"CP-1","chargerId":"CP-2","idToken":"T"}"""),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/plate", """{"plate":"XY987","reason":"x","plate":"ZZ111"}"""),
            (HttpMethod.Put, "/api/v1/sites/garage", """{"id":"garage","name":"A","name":"B","timeZone":"UTC","currency":"EUR"}"""),
            (HttpMethod.Post, "/api/v1/api-keys", """{"name":"k","role":"reader","role":"admin"}"""),
        };

        foreach (var (method, path, json) in bodies)
        {
            using var message = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            message.Headers.Add("Idempotency-Key", $"twice-{method}-{path}-{json.Length}");
            using var response = await _node.Http.SendAsync(message, TestContext.Current.CancellationToken);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} {json}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.True(body.Contains("duplicate", StringComparison.OrdinalIgnoreCase) || body.Contains("twice", StringComparison.Ordinal), $"{method} {path} {json}: the problem does not say what is wrong: {body}");
        }

        foreach (var charger in new[] { "CP-8", "CP-9" })
        {
            using var response = await _node.Http.GetAsync($"/api/v1/chargers/{charger}", TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        var stay = await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{_stay}", TestContext.Current.CancellationToken);
        Assert.Contains("\"plate\":\"AB123CD\"", stay, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_with_a_nul_character_is_a_400_never_a_store_error()
    {
        using var camera = new HttpClient { BaseAddress = _node.BaseUri };
        camera.DefaultRequestHeaders.Add("X-Camera-Key", Garage.GateKey);
        var requests = new (HttpClient Client, HttpMethod Method, string Path, string? Json)[]
        {
            (_node.Http, HttpMethod.Get, "/api/v1/chargers?siteId=gar%00age", null),
            (_node.Http, HttpMethod.Get, "/api/v1/parking-sessions?plate=AB%00", null),
            (_node.Http, HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/payments", """{"amount":1.00,"currency":"EUR","method":"card","reference":"r\u0000"}"""),
            (_node.Http, HttpMethod.Post, "/api/v1/chargers", """{"id":"CP-9","displayName":"a\u0000b"}"""),
            (_node.Http, HttpMethod.Put, "/api/v1/sites/garage", """{"id":"garage","name":"Gar\u0000age","timeZone":"UTC","currency":"EUR"}"""),
            (camera, HttpMethod.Post, "/api/v1/anpr/reads", """{"cameraId":"gate-in","plate":"AB\u0000CD"}"""),
        };

        foreach (var (client, method, path, json) in requests)
        {
            using var message = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
            message.Headers.Add("Idempotency-Key", $"nul-{method}-{path}");
            using var response = await client.SendAsync(message, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }
    }

    [Theory]
    [InlineData("POST", "/api/v1/chargers", 32L * 1024 * 1024)]
    [InlineData("POST", "/api/v1/commands", 100L * 1024)]
    [InlineData("PUT", "/api/v1/sites/garage", 2L * 1024 * 1024)]
    [InlineData("PUT", "/api/v1/sites/garage/tariffs", 2L * 1024 * 1024)]
    public async Task A_body_over_its_routes_limit_is_a_413_before_it_is_read(string method, string path, long length)
    {
        var (status, head) = await RawHttp.SendHeadersOnlyAsync(_node.BaseUri, method, path, [$"Authorization: Bearer {TestNode.AdminKey}"], length, "{");

        Assert.Equal(413, status);
        Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stored_text_has_a_length_limit_with_a_problem_naming_the_field()
    {
        var tooLong = new string('A', 5_000);
        var requests = new (HttpMethod Method, string Path, object Body, string Field)[]
        {
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/plate", new { plate = tooLong[..100], reason = "typo" }, "plate"),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/plate", new { plate = "AB123CE", reason = tooLong }, "reason"),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/payments", new { amount = 1.00m, currency = "EUR", method = tooLong[..60] }, "method"),
            (HttpMethod.Post, $"/api/v1/parking-sessions/{_stay}/payments", new { amount = 1.00m, currency = "EUR", method = "card", reference = tooLong }, "reference"),
            (HttpMethod.Post, "/api/v1/chargers", new { id = "CP-9", displayName = tooLong }, "displayName"),
            (HttpMethod.Post, "/api/v1/webhooks", new { url = "http://93.184.215.14/x", description = tooLong }, "description"),
            (HttpMethod.Post, "/api/v1/webhooks", new { url = "http://93.184.215.14/x", eventTypes = Enumerable.Repeat("charging.*", 500) }, "eventTypes"),
            (HttpMethod.Post, "/api/v1/commands", new { type = "remoteStop", chargingSessionId = "cs-1", reason = tooLong }, "reason"),
            (HttpMethod.Post, "/api/v1/api-keys", new { name = "x", role = "integrator", allowedAddresses = Enumerable.Repeat("10.0.0.1", 500) }, "allowedAddresses"),
        };

        foreach (var (method, path, body, field) in requests)
        {
            using var response = await _node.Http.SendAsync(new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) }, TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path} ({field}): {(int)response.StatusCode}");
            var problem = await response.ProblemAsync();
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{method} {path}: {problem}");
            Assert.DoesNotContain(tooLong[..200], problem.GetRawText(), StringComparison.Ordinal);
        }

        using var bill = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{_stay}/bill", TestContext.Current.CancellationToken));
        Assert.Equal(0, bill.RootElement.GetProperty("payments").GetArrayLength());
        using var session = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{_stay}", TestContext.Current.CancellationToken));
        Assert.Equal("AB123CD", session.RootElement.GetProperty("plate").GetString());
    }

    [Fact]
    public async Task A_site_document_with_a_megabyte_time_zone_is_refused_at_once_without_quoting_it()
    {
        var document = JsonSerializer.Serialize(new { id = "garage", name = "Garage", timeZone = string.Concat(Enumerable.Repeat("Europe/Berlin", 76_000)), currency = "EUR" });

        using var response = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(document, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("timeZone: is 988000 characters long; a value has at most 4096", body, StringComparison.Ordinal);
        Assert.True(body.Length < 10_000, $"the problem is {body.Length} characters");
        using var site = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));
        Assert.Equal("Europe/Berlin", site.RootElement.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Tariffs_with_tens_of_thousands_of_unknown_keys_or_aliases_that_expand_are_refused_with_a_short_problem()
    {
        var keys = string.Join(",", Enumerable.Range(0, 60_000).Select(i => $"\"k{i}\":{i}"));
        var unknown = "{\"parking\":[]," + keys + "}";
        var laughs = "a: &a [1,1,1,1,1,1,1,1,1,1]\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"l{i}: &l{i} [{string.Join(",", Enumerable.Repeat($"*{(i == 1 ? "a" : $"l{i - 1}")}", 10))}]\n")) + "parking: *l9\n";

        using var many = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", new StringContent(unknown, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var expanding = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", new StringContent(laughs, Encoding.UTF8, "application/yaml"), TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.BadRequest, HttpStatusCode.BadRequest], [many.StatusCode, expanding.StatusCode]);
        var problem = await many.ProblemAsync();
        Assert.Equal(100, problem.GetProperty("errors").GetArrayLength());
        Assert.Contains("has more than 1000 keys", problem.GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("expands to more than 200000 values", (await expanding.ProblemAsync()).GetProperty("errors")[0].GetString(), StringComparison.Ordinal);
        using var tariffs = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/tariffs", TestContext.Current.CancellationToken));
        Assert.Equal("standard", tariffs.RootElement.GetProperty("parking")[0].GetProperty("id").GetString());
    }
}
