using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Security;

public sealed class SqliteApiKeyTests(PostgresServer postgres) : ApiKeyTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresApiKeyTests(PostgresServer postgres) : ApiKeyTests(StoreEngine.Postgres, postgres);

/// <summary>API keys managed through the API and the audit log of state-changing calls, on both stores, through real HTTP.</summary>
public abstract class ApiKeyTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Start);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync() =>
        _node = await TestNode.StartAsync(engine, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(_time));

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_new_key_is_shown_once_and_never_listed_and_works_for_its_role()
    {
        using var created = await _node.Http.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "billing system", role = "integrator", allowedAddresses = new[] { "127.0.0.1", "10.20.0.0/16" } }, TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var key = body.RootElement.GetProperty("key").GetString()!;
        var id = body.RootElement.GetProperty("apiKey").GetProperty("id").GetString()!;

        var list = await _node.Http.GetStringAsync("/api/v1/api-keys", TestContext.Current.CancellationToken);
        var one = await _node.Http.GetStringAsync($"/api/v1/api-keys/{id}", TestContext.Current.CancellationToken);
        using var integrator = _node.ClientWith(key);
        using var read = await integrator.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/api-keys/{id}", created.Headers.Location?.OriginalString);
        Assert.StartsWith("pck_", key, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, one, StringComparison.Ordinal);
        Assert.DoesNotContain(Auth.Secrets.HashApiKey(key), list + one, StringComparison.Ordinal);
        Assert.DoesNotContain("hash", list + one, StringComparison.OrdinalIgnoreCase);
        using var listed = JsonDocument.Parse(list);
        var view = Assert.Single(listed.RootElement.EnumerateArray(), k => k.GetProperty("id").GetString() == id);
        Assert.Equal(("billing system", "integrator", true), (view.GetProperty("name").GetString(), view.GetProperty("role").GetString(), view.GetProperty("active").GetBoolean()));
        Assert.Equal(["127.0.0.1/32", "10.20.0.0/16"], view.GetProperty("allowedAddresses").EnumerateArray().Select(a => a.GetString()));
        Assert.StartsWith("configured admin key (key_", view.GetProperty("createdBy").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        using var used = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/api-keys/{id}", TestContext.Current.CancellationToken));
        Assert.Equal(Start, used.RootElement.GetProperty("lastUsedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_bad_key_request_gets_a_problem_naming_each_field()
    {
        using var response = await _node.Http.PostAsJsonAsync("/api/v1/api-keys",
            new { name = "", role = "superuser", allowedAddresses = new[] { "10.1.2.3/8", "not-an-address" }, expiresAt = Start.AddDays(-1) }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.ProblemAsync()).GetProperty("errors");
        Assert.Equal(["allowedAddresses", "expiresAt", "name", "role"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(2, errors.GetProperty("allowedAddresses").GetArrayLength());
        Assert.Contains("admin, operator, integrator, camera", errors.GetProperty("role")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once()
    {
        var (id, key) = await _node.CreateKeyAsync("operator");
        using var client = _node.ClientWith(key);
        using var before = await client.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);

        using var revoked = await _node.Http.DeleteAsync($"/api/v1/api-keys/{id}", TestContext.Current.CancellationToken);
        using var after = await client.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
        using var again = await _node.Http.DeleteAsync($"/api/v1/api-keys/{id}", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("revoked", (await after.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var view = JsonDocument.Parse(await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(Start, view.RootElement.GetProperty("revokedAt").GetDateTimeOffset());
        Assert.False(view.RootElement.GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_key_stops_working_when_it_expires_even_while_cached()
    {
        var (_, key) = await _node.CreateKeyAsync("integrator", expiresAt: Start.AddSeconds(30));
        using var client = _node.ClientWith(key);
        using var before = await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        _time.Advance(TimeSpan.FromSeconds(31));
        using var after = await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("expired", (await after.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_configured_admin_key_and_the_last_admin_key_cannot_be_revoked()
    {
        using var keys = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/api-keys", TestContext.Current.CancellationToken));
        var configured = Assert.Single(keys.RootElement.EnumerateArray()).GetProperty("id").GetString();
        var (otherAdmin, otherKey) = await _node.CreateKeyAsync("admin");
        using var otherClient = _node.ClientWith(otherKey);

        using var configuredRevoke = await _node.Http.DeleteAsync($"/api/v1/api-keys/{configured}", TestContext.Current.CancellationToken);
        using var selfRevoke = await otherClient.DeleteAsync($"/api/v1/api-keys/{otherAdmin}", TestContext.Current.CancellationToken);
        using var missing = await _node.Http.DeleteAsync("/api/v1/api-keys/key_nope", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Conflict, configuredRevoke.StatusCode);
        Assert.Contains("PARKCHARGE_API_KEY", (await configuredRevoke.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, selfRevoke.StatusCode); // another admin key (the configured one) remains
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Every_state_changing_call_is_audited_with_who_what_and_the_idempotency_key_but_never_the_body()
    {
        var (operatorId, operatorKey) = await _node.CreateKeyAsync("operator", name: "night shift");
        var (_, integratorKey) = await _node.CreateKeyAsync("integrator", name: "dashboard");
        using var operatorClient = _node.ClientWith(operatorKey);
        using var integratorClient = _node.ClientWith(integratorKey);
        _time.Advance(TimeSpan.FromMinutes(5));

        using var correction = new HttpRequestMessage(HttpMethod.Post, "/api/v1/parking-sessions/ps_missing/plate")
        {
            Content = JsonContent.Create(new { plate = "AB123", reason = "misread" }),
            Headers = { { "Idempotency-Key", "retry-7" } },
        };
        using var corrected = await operatorClient.SendAsync(correction, TestContext.Current.CancellationToken);
        using var refused = await integratorClient.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-X" }, TestContext.Current.CancellationToken);
        using var registered = await _node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-9", password = "a-secret-password-123" }, TestContext.Current.CancellationToken);
        using var read = await operatorClient.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);

        var audit = await _node.Http.GetStringAsync("/api/v1/audit", TestContext.Current.CancellationToken);
        using var page = JsonDocument.Parse(audit);
        var entries = page.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(
            [("POST", "/api/v1/chargers", 201, "configured admin key"), ("POST", "/api/v1/chargers", 403, "dashboard"), ("POST", "/api/v1/parking-sessions/ps_missing/plate", 404, "night shift")],
            entries.Take(3).Select(e => (e.GetProperty("method").GetString(), e.GetProperty("path").GetString(), e.GetProperty("status").GetInt32(), e.GetProperty("keyName").GetString())));
        var byOperator = entries[2];
        Assert.Equal((operatorId, "operator", "127.0.0.1", "retry-7"),
            (byOperator.GetProperty("keyId").GetString(), byOperator.GetProperty("role").GetString(), byOperator.GetProperty("clientIp").GetString(), byOperator.GetProperty("idempotencyKey").GetString()));
        Assert.Equal(Start.AddMinutes(5), byOperator.GetProperty("at").GetDateTimeOffset());
        Assert.DoesNotContain(entries, e => e.GetProperty("method").GetString() == "GET");
        Assert.DoesNotContain("a-secret-password-123", audit, StringComparison.Ordinal);
        Assert.DoesNotContain("misread", audit, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_audit_log_pages_newest_first_and_is_for_admins_only()
    {
        var (_, operatorKey) = await _node.CreateKeyAsync("operator");
        using var operatorClient = _node.ClientWith(operatorKey);
        for (var i = 0; i < 3; i++)
        {
            using var _ = await operatorClient.PostAsJsonAsync($"/api/v1/parking-sessions/ps_{i}/close", new { reason = "test" }, TestContext.Current.CancellationToken);
        }

        using var first = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/audit?limit=2", TestContext.Current.CancellationToken));
        var next = first.RootElement.GetProperty("next").GetString();
        using var second = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/audit?limit=2&cursor={Uri.EscapeDataString(next!)}", TestContext.Current.CancellationToken));
        using var byOperator = await operatorClient.GetAsync("/api/v1/audit", TestContext.Current.CancellationToken);

        var paths = first.RootElement.GetProperty("items").EnumerateArray().Concat(second.RootElement.GetProperty("items").EnumerateArray())
            .Select(e => e.GetProperty("path").GetString()).ToList();
        Assert.Equal(["/api/v1/parking-sessions/ps_2/close", "/api/v1/parking-sessions/ps_1/close", "/api/v1/parking-sessions/ps_0/close", "/api/v1/api-keys"], paths.Take(4));
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
    }
}
