using System.Net;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>The headers that tell a browser how to treat what the node serves.</summary>
public sealed class SecurityHeaderTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_api_reference_page_admits_only_the_nodes_own_scripts_and_no_framing()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        using var anonymous = new HttpClient { BaseAddress = node.BaseUri };

        using var page = await anonymous.GetAsync("/api/reference/", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var policy = Header(page, "Content-Security-Policy");
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.Matches(@"script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+;", policy);
        Assert.DoesNotContain("unsafe-inline' 'self'; script", policy, StringComparison.Ordinal);
        Assert.DoesNotMatch("script-src[^;]*unsafe", policy);
        Assert.Equal("nosniff", Header(page, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(page, "X-Frame-Options"));
    }

    [Fact]
    public async Task Api_answers_cannot_be_sniffed_framed_or_cached()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

        using var sites = await node.Http.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var refused = await new HttpClient { BaseAddress = node.BaseUri }.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        foreach (var response in new[] { sites, refused })
        {
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Contains("default-src 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"), StringComparison.Ordinal);
            Assert.Equal("no-store", Header(response, "Cache-Control"));
        }

        Assert.False(sites.Headers.Contains("Strict-Transport-Security"), "HSTS is for HTTPS answers only (RFC 6797 §7.2).");
    }

    [Fact]
    public async Task Answers_over_https_carry_strict_transport_security()
    {
        var folder = TestStores.NewFolder("tls");
        var (certificatePath, keyPath, _) = TestPki.ServerPem(folder);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["urls"] = null,
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = certificatePath,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = keyPath,
        });

        using var api = await node.Http.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        using var reference = await node.Http.GetAsync("/api/reference/", TestContext.Current.CancellationToken);
        using var dashboard = await node.Http.GetAsync("/dashboard/", TestContext.Current.CancellationToken);

        Assert.All([api, reference, dashboard], r => Assert.StartsWith("max-age=", Header(r, "Strict-Transport-Security"), StringComparison.Ordinal));
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{response.RequestMessage?.RequestUri} has no {name} header.");
}
