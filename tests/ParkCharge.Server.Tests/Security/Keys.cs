using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ParkCharge.Server.Tests.Security;

/// <summary>API keys made through the API by the test node's admin key, and clients that use them.</summary>
internal static class Keys
{
    public static async Task<(string Id, string Key)> CreateKeyAsync(
        this TestNode node, string role, string? name = null, string[]? allowedAddresses = null, DateTimeOffset? expiresAt = null)
    {
        using var response = await node.Http.PostAsJsonAsync(
            "/api/v1/api-keys", new { name = name ?? $"{role} test key", role, allowedAddresses, expiresAt }, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, body);
        using var created = JsonDocument.Parse(body);
        return (created.RootElement.GetProperty("apiKey").GetProperty("id").GetString()!, created.RootElement.GetProperty("key").GetString()!);
    }

    /// <summary>A client of the node that sends <paramref name="key"/>.</summary>
    public static HttpClient ClientWith(this TestNode node, string key)
    {
        var client = new HttpClient { BaseAddress = node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public static async Task<JsonElement> ProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return problem.RootElement.Clone();
    }
}
