using System.Net;
using System.Net.Http.Json;
using System.Text;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Security;

/// <summary>Who may call what, from where and how often: roles, IP allow-lists, proxies and rate limits through real HTTP.</summary>
public sealed class AccessTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Site = """
        { "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "gate-camera-key-0123456789" } ] } ] }
        """;

    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_missing_unknown_or_malformed_key_gets_401_with_a_problem()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        using var wrong = _node.ClientWith("pck_not-a-key-anyone-issued");
        using var basic = new HttpClient { BaseAddress = _node.BaseUri };
        basic.DefaultRequestHeaders.Authorization = new("Basic", "YWRtaW46YWRtaW4=");

        using var none = await anonymous.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var unknown = await wrong.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var malformed = await basic.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], [none.StatusCode, unknown.StatusCode, malformed.StatusCode]);
        Assert.Equal("Bearer", Assert.Single(unknown.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("The API key is not valid.", (await unknown.ProblemAsync()).GetProperty("detail").GetString());
        Assert.Contains("Bearer", (await malformed.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_integrator_reads_but_configuring_a_site_needs_admin_and_the_problem_says_so()
    {
        var (_, key) = await _node.CreateKeyAsync("integrator");
        using var integrator = _node.ClientWith(key);

        using var read = await integrator.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var put = await integrator.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        using var register = await integrator.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-1" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [put.StatusCode, register.StatusCode]);
        var problem = await put.ProblemAsync();
        Assert.Equal(["admin"], problem.GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("integrator", problem.GetProperty("role").GetString());
        Assert.Contains("needs the role admin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var sites = await _node.Http.GetAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, sites.StatusCode); // nothing was configured
    }

    [Fact]
    public async Task Operator_actions_are_for_operators_and_admins_not_integrators()
    {
        var (_, operatorKey) = await _node.CreateKeyAsync("operator");
        var (_, integratorKey) = await _node.CreateKeyAsync("integrator");
        using var operatorClient = _node.ClientWith(operatorKey);
        using var integratorClient = _node.ClientWith(integratorKey);
        var correction = new { plate = "AB123", reason = "misread" };

        using var byOperator = await operatorClient.PostAsJsonAsync("/api/v1/parking-sessions/ps_none/plate", correction, TestContext.Current.CancellationToken);
        using var byAdmin = await _node.Http.PostAsJsonAsync("/api/v1/parking-sessions/ps_none/plate", correction, TestContext.Current.CancellationToken);
        using var byIntegrator = await integratorClient.PostAsJsonAsync("/api/v1/parking-sessions/ps_none/plate", correction, TestContext.Current.CancellationToken);
        using var binding = await integratorClient.PostAsJsonAsync("/api/v1/charging-sessions/cs_none/binding", new { parkingSessionId = "ps", reason = "r" }, TestContext.Current.CancellationToken);
        using var operatorKeys = await operatorClient.PostAsJsonAsync("/api/v1/api-keys", new { name = "mine", role = "admin" }, TestContext.Current.CancellationToken);

        // Past authorization, the operator and the admin learn that the session does not exist.
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound], [byOperator.StatusCode, byAdmin.StatusCode]);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [byIntegrator.StatusCode, binding.StatusCode, operatorKeys.StatusCode]);
        Assert.Equal(["admin", "operator"], (await byIntegrator.ProblemAsync()).GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["admin"], (await operatorKeys.ProblemAsync()).GetProperty("requiredRoles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task A_camera_role_key_pushes_for_any_configured_camera_and_reaches_nothing_else()
    {
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var (_, cameraKey) = await _node.CreateKeyAsync("camera", name: "ANPR server");
        var (_, integratorKey) = await _node.CreateKeyAsync("integrator");
        using var gateway = _node.ClientWith(cameraKey);
        using var integrator = _node.ClientWith(integratorKey);
        var read = new { cameraId = "gate-in", plate = "GW123", confidence = 0.95, capturedAt = DateTimeOffset.UtcNow };

        using var pushed = await gateway.PostAsJsonAsync("/api/v1/anpr/reads", read, TestContext.Current.CancellationToken);
        using var unknownCamera = await gateway.PostAsJsonAsync("/api/v1/anpr/reads", read with { cameraId = "nowhere" }, TestContext.Current.CancellationToken);
        using var byIntegrator = await integrator.PostAsJsonAsync("/api/v1/anpr/reads", read, TestContext.Current.CancellationToken);
        using var listing = await gateway.GetAsync("/api/v1/parking-sessions", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [unknownCamera.StatusCode, byIntegrator.StatusCode, listing.StatusCode]);
        var sessions = await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=GW123", TestContext.Current.CancellationToken);
        Assert.Contains("\"GW123\"", sessions, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_is_refused_from_an_address_outside_its_allow_list()
    {
        var (_, elsewhere) = await _node.CreateKeyAsync("integrator", allowedAddresses: ["192.0.2.0/24", "2001:db8::/32"]);
        var (_, loopback) = await _node.CreateKeyAsync("integrator", allowedAddresses: ["127.0.0.1"]);
        var (_, loopbackRange) = await _node.CreateKeyAsync("integrator", allowedAddresses: ["192.0.2.10", "127.0.0.0/8"]);
        using var fromElsewhere = _node.ClientWith(elsewhere);
        using var fromLoopback = _node.ClientWith(loopback);
        using var fromRange = _node.ClientWith(loopbackRange);

        using var refused = await fromElsewhere.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var allowed = await fromLoopback.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var inRange = await fromRange.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.ProblemAsync();
        Assert.Equal("Not allowed from this address", problem.GetProperty("title").GetString());
        Assert.Contains("may not be used from 127.0.0.1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("192.0.2", problem.GetProperty("detail").GetString(), StringComparison.Ordinal); // the list is not told
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [allowed.StatusCode, inRange.StatusCode]);
    }

    [Fact]
    public async Task X_forwarded_for_is_ignored_unless_the_sender_is_a_configured_proxy()
    {
        await using var behindProxy = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:ReverseProxy:KnownProxies:0"] = "127.0.0.1",
        });
        var (_, proxiedKey) = await behindProxy.CreateKeyAsync("integrator", allowedAddresses: ["203.0.113.7"]);
        var (_, directKey) = await _node.CreateKeyAsync("integrator", allowedAddresses: ["203.0.113.7"]);

        using var viaProxy = await GetAsync(behindProxy, proxiedKey, "203.0.113.7");
        using var otherClientViaProxy = await GetAsync(behindProxy, proxiedKey, "198.51.100.1");
        using var notViaProxy = await GetAsync(behindProxy, proxiedKey, forwardedFor: null);
        using var spoofed = await GetAsync(_node, directKey, "203.0.113.7");

        Assert.Equal(HttpStatusCode.OK, viaProxy.StatusCode);
        Assert.Equal([HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden], [otherClientViaProxy.StatusCode, notViaProxy.StatusCode, spoofed.StatusCode]);
        Assert.Contains("198.51.100.1", (await otherClientViaProxy.ProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        static async Task<HttpResponseMessage> GetAsync(TestNode node, string key, string? forwardedFor)
        {
            using var client = node.ClientWith(key);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/sites");
            if (forwardedFor is not null)
            {
                request.Headers.Add("X-Forwarded-For", forwardedFor);
            }

            return await client.SendAsync(request, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_key_over_its_rate_limit_gets_429_with_retry_after_while_other_keys_go_on()
    {
        // Two requests, then one more per hour: the third is over the limit whatever the test's speed.
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:RateLimits:Integrator:TokenLimit"] = "2",
            ["ParkCharge:RateLimits:Integrator:TokensPerPeriod"] = "1",
            ["ParkCharge:RateLimits:Integrator:PeriodSeconds"] = "3600",
        });
        var (_, first) = await node.CreateKeyAsync("integrator");
        var (_, second) = await node.CreateKeyAsync("integrator");
        using var busy = node.ClientWith(first);
        using var other = node.ClientWith(second);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 3; i++)
        {
            var response = await busy.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
            else
            {
                response.Dispose();
            }
        }

        using var otherKey = await other.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var admin = await node.Http.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        using (refused)
        {
            var retryAfter = refused!.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.InRange(retryAfter.Value.TotalSeconds, 1, 3600);
            var problem = await refused.ProblemAsync();
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            Assert.Contains("role integrator", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [otherKey.StatusCode, admin.StatusCode]);
    }

    [Fact]
    public async Task Requests_without_a_valid_key_are_limited_per_address()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:RateLimits:Anonymous:TokenLimit"] = "1",
            ["ParkCharge:RateLimits:Anonymous:TokensPerPeriod"] = "1",
            ["ParkCharge:RateLimits:Anonymous:PeriodSeconds"] = "3600",
        });
        using var guesser = node.ClientWith("pck_guess");

        using var firstGuess = await guesser.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var secondGuess = await guesser.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var withKey = await node.Http.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var health = await guesser.GetAsync("/healthz", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, firstGuess.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, secondGuess.StatusCode);
        Assert.NotNull(secondGuess.Headers.RetryAfter);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [withKey.StatusCode, health.StatusCode]);
    }
}
