using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Apis;

public sealed class ChargerApiTests(PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task The_api_refuses_requests_without_a_valid_key_with_a_problem_document()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        using var noKey = await anonymous.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "pck_wrong");
        using var wrongKey = await anonymous.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("application/problem+json", noKey.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
    }

    [Fact]
    public async Task Health_needs_no_key()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        Assert.Equal("Healthy", await anonymous.GetStringAsync("/healthz", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_registered_charger_is_listed_without_its_password()
    {
        using var created = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-7", password = "correct-horse-battery", siteId = "north" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/chargers/CP-7", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.DoesNotContain("correct-horse-battery", body, StringComparison.Ordinal);
        using var charger = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-7", TestContext.Current.CancellationToken));
        Assert.Equal("north", charger.RootElement.GetProperty("siteId").GetString());
        Assert.Equal(1, charger.RootElement.GetProperty("securityProfile").GetInt32());
        Assert.True(charger.RootElement.GetProperty("hasPassword").GetBoolean());
        Assert.False(charger.RootElement.GetProperty("connection").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task A_bad_registration_gets_a_validation_problem_naming_each_field()
    {
        using var response = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "bad/id", password = "short", siteId = "Not A Site", securityProfile = 7 }, TestContext.Current.CancellationToken);
        using var noPassword = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-3", securityProfile = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["id", "password", "securityProfile", "siteId"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(HttpStatusCode.BadRequest, noPassword.StatusCode);
        Assert.Contains("needs a password", await noPassword.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registering_a_charger_again_at_another_site_is_a_conflict()
    {
        await _node.RegisterChargerAsync("CP-1", site: "north");

        using var again = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-1", siteId = "south" }, TestContext.Current.CancellationToken);
        using var update = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-1", siteId = "north", password = "0123456789abcdefXYZ" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
    }

    [Fact]
    public async Task Updating_a_chargers_name_keeps_its_password_and_profile_0_removes_it()
    {
        await _node.RegisterChargerAsync("CP-2", "a-password-of-16+chars", securityProfile: 2);

        using var renamed = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-2", displayName = "Bay 2" }, TestContext.Current.CancellationToken);
        using var afterRename = JsonDocument.Parse(await renamed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var opened = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-2", securityProfile = 0 }, TestContext.Current.CancellationToken);
        using var afterOpen = JsonDocument.Parse(await opened.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(("Bay 2", 2, true), (afterRename.RootElement.GetProperty("displayName").GetString(), afterRename.RootElement.GetProperty("securityProfile").GetInt32(), afterRename.RootElement.GetProperty("hasPassword").GetBoolean()));
        Assert.Equal((0, false), (afterOpen.RootElement.GetProperty("securityProfile").GetInt32(), afterOpen.RootElement.GetProperty("hasPassword").GetBoolean()));
    }

    [Fact]
    public async Task Unknown_chargers_and_sessions_are_not_found_problems()
    {
        using var charger = await _node.Http.GetAsync("/api/v1/chargers/NOPE", TestContext.Current.CancellationToken);
        using var messages = await _node.Http.GetAsync("/api/v1/chargers/NOPE/messages", TestContext.Current.CancellationToken);
        using var session = await _node.Http.GetAsync("/api/v1/charging-sessions/0123", TestContext.Current.CancellationToken);

        Assert.All([charger, messages, session], r =>
        {
            Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        });
    }

    [Fact]
    public async Task A_repeated_registration_with_the_same_idempotency_key_changes_nothing()
    {
        async Task<HttpStatusCode> Register(string name)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/chargers") { Content = JsonContent.Create(new { id = "CP-9", displayName = name }) };
            request.Headers.Add("Idempotency-Key", "register-cp-9");
            using var response = await _node.Http.SendAsync(request, TestContext.Current.CancellationToken);
            return response.StatusCode;
        }

        await Register("first");
        await Register("second");

        using var charger = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-9", TestContext.Current.CancellationToken));
        Assert.Equal("first", charger.RootElement.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task The_openapi_document_describes_the_api()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        using var doc = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));

        var paths = doc.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/chargers", paths);
        Assert.Contains("/api/v1/charging-sessions/{id}", paths);
    }

    [Fact]
    public async Task A_thousand_chargers_are_registered_in_one_request_and_the_admin_rate_limit_does_not_refuse_the_provisioning()
    {
        var ct = TestContext.Current.CancellationToken;
        var chargers = Enumerable.Range(1, 1_000).Select(i => new { id = $"FLEET-{i:D4}", siteId = $"site-{i % 10:D2}" }).ToArray();

        using var response = await _node.Http.PostAsJsonAsync("/api/v1/chargers/bulk", new { chargers }, ct);
        // The admin key's bucket (100 requests, 50 a second) is barely touched: a provisioning script goes on.
        var after = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var next = await _node.Http.GetAsync("/api/v1/chargers/FLEET-0001", ct);
            after.Add(next.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.Equal(1_000, body.RootElement.GetProperty("created").GetInt32());
        Assert.Equal(0, body.RootElement.GetProperty("refused").GetInt32());
        var items = body.RootElement.GetProperty("chargers").EnumerateArray().ToList();
        Assert.Equal(chargers.Select(c => c.id), items.Select(i => i.GetProperty("id").GetString()));
        Assert.All(items, i => Assert.Equal("created", i.GetProperty("outcome").GetString()));
        Assert.All(after, status => Assert.Equal(HttpStatusCode.OK, status));
        using var listed = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers?siteId=site-03", ct));
        Assert.Equal(100, listed.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_bulk_registration_refuses_each_bad_charger_with_its_reason_and_registers_the_others()
    {
        var ct = TestContext.Current.CancellationToken;
        await _node.RegisterChargerAsync("CP-SOUTH", site: "south");

        using var response = await _node.Http.PostAsJsonAsync("/api/v1/chargers/bulk", new
        {
            chargers = new object[]
            {
                new { id = "CP-A", siteId = "north" },
                new { id = "bad/id", siteId = "north" },
                new { id = "CP-SOUTH", siteId = "north" },
                new { id = "CP-B", siteId = "north", password = "short" },
                new { id = "CP-C", siteId = "north", password = "0123456789abcdefXYZ" },
                new { id = "CP-D", siteId = "north", securityProfile = 2 },
            },
        }, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var items = body.RootElement.GetProperty("chargers").EnumerateArray().ToList();
        Assert.Equal(["created", "refused", "refused", "refused", "created", "refused"], items.Select(i => i.GetProperty("outcome").GetString()));
        Assert.Equal((2, 0, 4), (body.RootElement.GetProperty("created").GetInt32(), body.RootElement.GetProperty("updated").GetInt32(), body.RootElement.GetProperty("refused").GetInt32()));
        Assert.True(items[1].GetProperty("errors").TryGetProperty("id", out _));
        Assert.Equal(409, items[2].GetProperty("status").GetInt32());
        Assert.Contains("site 'south'", items[2].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(items[3].GetProperty("errors").TryGetProperty("password", out _));
        Assert.Contains("needs a password", items[5].GetProperty("errors").GetProperty("securityProfile")[0].GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdefXYZ", body.RootElement.GetRawText(), StringComparison.Ordinal);
        using var north = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers?siteId=north", ct));
        Assert.Equal(["CP-A", "CP-C"], north.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order());
        using var south = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-SOUTH", ct));
        Assert.Equal("south", south.RootElement.GetProperty("siteId").GetString());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_001)]
    public async Task A_bulk_registration_of_no_charger_or_more_than_a_thousand_is_refused_whole(int count)
    {
        var ct = TestContext.Current.CancellationToken;
        var chargers = Enumerable.Range(1, count).Select(i => new { id = $"X-{i}" }).ToArray();

        using var response = await _node.Http.PostAsJsonAsync("/api/v1/chargers/bulk", new { chargers }, ct);
        using var missing = await _node.Http.PostAsJsonAsync("/api/v1/chargers/bulk", new { }, ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("chargers", out _));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        using var listed = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers", ct));
        Assert.Equal(0, listed.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_bulk_registration_naming_a_charger_twice_or_holding_a_null_is_refused_whole_naming_where()
    {
        var ct = TestContext.Current.CancellationToken;
        using var twice = await _node.Http.PostAsJsonAsync("/api/v1/chargers/bulk", new { chargers = new[] { new { id = "CP-1" }, new { id = "CP-2" }, new { id = "CP-1" } } }, ct);
        using var withNull = await _node.Http.PostAsync("/api/v1/chargers/bulk",
            new StringContent("""{"chargers":[{"id":"CP-9"},null]}""", System.Text.Encoding.UTF8, "application/json"), ct);

        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        using var problem = JsonDocument.Parse(await twice.Content.ReadAsStringAsync(ct));
        Assert.Contains("chargers[0]", problem.RootElement.GetProperty("errors").GetProperty("chargers[2].id")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, withNull.StatusCode);
        using var listed = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers", ct));
        Assert.Equal(0, listed.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task A_bulk_registration_sent_again_with_its_idempotency_key_registers_every_charger_once()
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<(HttpStatusCode, string)> SendAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/chargers/bulk")
            {
                Content = JsonContent.Create(new { chargers = new[] { new { id = "K-1", siteId = "east" }, new { id = "K-2", siteId = "east" }, new { id = "K-3", siteId = "west" } } }),
            };
            request.Headers.Add("Idempotency-Key", "provision-east-west-1");
            using var response = await _node.Http.SendAsync(request, ct);
            return (response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        var (first, firstBody) = await SendAsync();
        var (again, againBody) = await SendAsync();

        Assert.Equal(HttpStatusCode.OK, first);
        Assert.Equal(HttpStatusCode.OK, again);
        using var body = JsonDocument.Parse(firstBody);
        Assert.Equal(3, body.RootElement.GetProperty("created").GetInt32());
        using var replay = JsonDocument.Parse(againBody);
        Assert.Equal(3, replay.RootElement.GetProperty("created").GetInt32());
        using var listed = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers", ct));
        Assert.Equal(["K-1", "K-2", "K-3"], listed.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order());
    }
}
