using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Routing;

using ParkCharge.Server.Auth;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Apis;

/// <summary>The OpenAPI document, the interactive reference page, and the rule that every endpoint says who may call it.</summary>
public sealed partial class ApiReferenceTests(PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Every_api_operation_has_a_summary_a_tag_the_bearer_scheme_and_its_roles()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        using var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken));

        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        var operations = document.RootElement.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Name: $"{o.Name.ToUpperInvariant()} {p.Name}", Operation: o.Value)))
            .ToList();
        Assert.True(operations.Count >= 25, $"only {operations.Count} operations");
        foreach (var (name, operation) in operations)
        {
            Assert.False(string.IsNullOrWhiteSpace(operation.TryGetProperty("summary", out var s) ? s.GetString() : null), $"{name} has no summary");
            Assert.True(operation.TryGetProperty("tags", out var tags) && tags.GetArrayLength() > 0, $"{name} has no tag");
            Assert.True(operation.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty("Bearer", out _)), $"{name} has no Bearer security");
            Assert.True(operation.GetProperty("responses").TryGetProperty("403", out _), $"{name} does not list 403");
        }

        var putSite = document.RootElement.GetProperty("paths").GetProperty("/api/v1/sites/{id}").GetProperty("put");
        Assert.Contains("Roles: admin.", putSite.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_endpoint_under_api_v1_declares_its_policy_and_writes_need_more_than_read()
    {
        var endpoints = ((IEndpointRouteBuilder)_node.App).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/api/v1/anpr", StringComparison.Ordinal)) // camera keys, checked by the push endpoint
            .ToList();

        Assert.NotEmpty(endpoints);
        foreach (var endpoint in endpoints)
        {
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [];
            var name = $"{string.Join(",", methods)} {endpoint.RoutePattern.RawText}";
            var access = endpoint.Metadata.GetOrderedMetadata<ApiAccess>();
            Assert.True(access.Count > 0, $"{name} declares no policy: add .RequireRead(), .RequireOperator() or .RequireAdmin()");
            if (methods.Any(m => m is "POST" or "PUT" or "PATCH" or "DELETE"))
            {
                Assert.True(access.All(a => a.Policy != Policies.Read), $"{name} changes state but integrators may call it");
            }
        }
    }

    [Fact]
    public async Task The_reference_page_is_served_by_the_node_itself_without_a_key_or_a_cdn()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };

        using var page = await anonymous.GetAsync("/api/reference", TestContext.Current.CancellationToken);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ParkCharge API reference", html, StringComparison.Ordinal);
        var sources = SourceAttribute().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(sources);
        Assert.DoesNotContain(sources, s => s.StartsWith("http", StringComparison.OrdinalIgnoreCase) || s.StartsWith("//", StringComparison.Ordinal));
        Assert.DoesNotContain("cdn.jsdelivr", html, StringComparison.OrdinalIgnoreCase);
        foreach (var source in sources)
        {
            using var asset = await anonymous.GetAsync(new Uri(new Uri(_node.BaseUri, "/api/reference/"), source), TestContext.Current.CancellationToken);
            Assert.True(asset.StatusCode == HttpStatusCode.OK, $"{source}: {asset.StatusCode}");
        }
    }

    [GeneratedRegex(@"<script[^>]*\bsrc=""([^""]+)""")]
    private static partial Regex SourceAttribute();
}
