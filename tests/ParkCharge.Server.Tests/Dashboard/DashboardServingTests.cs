using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Dashboard;

/// <summary>The dashboard's files come from the node itself; its data only with an API key.</summary>
public sealed class DashboardServingTests(PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;
    private HttpClient _anonymous = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        _anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _node.BaseUri };
    }

    public async ValueTask DisposeAsync()
    {
        _anonymous.Dispose();
        await _node.DisposeAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dashboard")]
    public async Task The_root_and_the_bare_dashboard_path_redirect_to_the_dashboard(string path)
    {
        using var response = await _anonymous.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/dashboard/", response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/dashboard/", "text/html", "<script type=\"module\" src=\"app.js\">")]
    [InlineData("/dashboard/app.js", "text/javascript", "import")]
    [InlineData("/dashboard/api.js", "text/javascript", "Last-Event-ID")]
    [InlineData("/dashboard/plan.js", "text/javascript", "export function render")]
    [InlineData("/dashboard/charts.js", "text/javascript", "createElementNS")]
    [InlineData("/dashboard/style.css", "text/css", ".bay")]
    public async Task The_shell_is_served_without_a_key_from_the_executable_with_a_strict_content_policy(string path, string type, string contains)
    {
        using var response = await _anonymous.GetAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains(contains, text, StringComparison.Ordinal);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Empty(ExternalReferences(text));
    }

    [Theory]
    [InlineData("/api/v1/me")]
    [InlineData("/api/v1/sites")]
    [InlineData("/api/v1/sites/garage/bays")]
    [InlineData("/api/v1/chargers")]
    [InlineData("/api/v1/parking-sessions")]
    [InlineData("/api/v1/bindings")]
    [InlineData("/api/v1/sites/garage/reports/daily")]
    [InlineData("/api/v1/events/stream?site=garage")]
    public async Task Every_call_the_dashboard_makes_for_data_needs_a_key(string path)
    {
        using var response = await _anonymous.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("admin", new[] { "read", "operate", "integrate", "admin" })]
    [InlineData("operator", new[] { "read", "operate", "integrate" })]
    [InlineData("integrator", new[] { "read", "integrate" })]
    public async Task Me_tells_a_key_its_name_role_and_what_it_may_do(string role, string[] policies)
    {
        using var created = await _node.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = $"{role} board", role }, TestContext.Current.CancellationToken);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString();
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me", TestContext.Current.CancellationToken);

        Assert.Equal(($"{role} board", role), (me.GetProperty("name").GetString(), me.GetProperty("role").GetString()));
        Assert.Equal(policies.Order(), me.GetProperty("policies").EnumerateArray().Select(p => p.GetString()).Order());
        Assert.False(me.TryGetProperty("key", out _));
    }

    [Fact]
    public async Task A_camera_key_cannot_sign_in_to_the_dashboard()
    {
        using var created = await _node.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "anpr server", role = "camera" }, TestContext.Current.CancellationToken);
        var key = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString();
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var response = await client.GetAsync("/api/v1/me", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    /// <summary>Absolute URLs the page would load from (src=, href=, url(), import from): none may leave the node.</summary>
    private static IEnumerable<string> ExternalReferences(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, "(?:src|href)=\"(https?:[^\"]+)\"|url\\((https?:[^)]+)\\)|from '(https?:[^']+)'")
            .Select(m => m.Value);
}
