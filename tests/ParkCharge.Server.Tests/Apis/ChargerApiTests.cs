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
}
