using System.Net;
using System.Net.Http.Headers;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Security;

/// <summary>HTTPS from Kestrel's configuration, set up as docs/operators.md tells operators to (PEM certificate and key files).</summary>
public sealed class HttpsTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_api_answers_over_https_with_the_certificate_from_kestrel_configuration()
    {
        var folder = TestStores.NewFolder("tls");
        var (certificatePath, keyPath, thumbprint) = TestPki.ServerPem(folder);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["urls"] = null,
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = certificatePath,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = keyPath,
        });
        string? presented = null;
        using var client = new HttpClient(new HttpClientHandler
        {
            // Trust exactly the certificate made here: the call proves TLS with it, not with any certificate.
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => (presented = certificate?.GetCertHashString()) == thumbprint,
        })
        { BaseAddress = node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestNode.AdminKey);

        using var response = await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal("https", node.BaseUri.Scheme);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(thumbprint, presented);
    }
}
