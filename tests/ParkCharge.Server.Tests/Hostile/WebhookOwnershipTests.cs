using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteWebhookOwnershipTests(PostgresServer postgres) : WebhookOwnershipTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresWebhookOwnershipTests(PostgresServer postgres) : WebhookOwnershipTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, finding 5: a webhook subscription belongs to the API key that made it. Another integrator can
/// neither see nor change, pause, replay, read the deliveries of, or delete it (it does not exist for them);
/// admins see and manage all.
/// </summary>
public abstract class WebhookOwnershipTests(StoreEngine engine, PostgresServer postgres)
{
    [Fact]
    public async Task An_integrator_cannot_see_change_or_delete_another_keys_subscription_and_admins_see_all()
    {
        await using var node = await TestNode.StartAsync(engine, postgres);
        var (firstId, firstKey) = await node.CreateKeyAsync("integrator", name: "billing");
        var (_, secondKey) = await node.CreateKeyAsync("integrator", name: "parking app");
        using var first = node.ClientWith(firstKey);
        using var second = node.ClientWith(secondKey);
        var admins = await CreateAsync(node.Http, "http://93.184.215.14/admin-hook");
        var billing = await CreateAsync(first, "http://93.184.215.14/billing-hook");

        var attempts = new Dictionary<string, HttpResponseMessage>();
        foreach (var id in new[] { admins, billing })
        {
            attempts[$"GET {id}"] = await second.GetAsync($"/api/v1/webhooks/{id}", TestContext.Current.CancellationToken);
            attempts[$"PATCH {id}"] = await second.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { url = "http://93.184.215.14/stolen" }, TestContext.Current.CancellationToken);
            attempts[$"resume {id}"] = await second.PostAsync($"/api/v1/webhooks/{id}/resume", null, TestContext.Current.CancellationToken);
            attempts[$"replay {id}"] = await second.PostAsJsonAsync($"/api/v1/webhooks/{id}/replay", new { fromSequence = 1, site = "garage" }, TestContext.Current.CancellationToken);
            attempts[$"deliveries {id}"] = await second.GetAsync($"/api/v1/webhooks/{id}/deliveries", TestContext.Current.CancellationToken);
            attempts[$"DELETE {id}"] = await second.DeleteAsync($"/api/v1/webhooks/{id}", TestContext.Current.CancellationToken);
        }

        foreach (var (what, response) in attempts)
        {
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{what}: {(int)response.StatusCode}");
            response.Dispose();
        }

        Assert.Empty(await ListAsync(second));
        Assert.Equal([billing], await ListAsync(first));
        Assert.Equal([admins, billing], await ListAsync(node.Http));
        var kept = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/webhooks/{admins}", TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(("http://93.184.215.14/admin-hook", "Paused"), (kept.GetProperty("url").GetString(), kept.GetProperty("status").GetString()));
        var own = JsonDocument.Parse(await first.GetStringAsync($"/api/v1/webhooks/{billing}", TestContext.Current.CancellationToken)).RootElement;
        Assert.Equal(firstId, own.GetProperty("ownerKeyId").GetString());
    }

    [Fact]
    public async Task Only_an_admin_gives_a_subscription_to_another_key()
    {
        await using var node = await TestNode.StartAsync(engine, postgres);
        var (_, oldKey) = await node.CreateKeyAsync("integrator", name: "billing (retiring)");
        var (newId, newKey) = await node.CreateKeyAsync("integrator", name: "billing");
        using var retiring = node.ClientWith(oldKey);
        using var replacement = node.ClientWith(newKey);
        var id = await CreateAsync(retiring, "http://93.184.215.14/billing-hook");

        using var grab = await replacement.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { ownerKeyId = newId }, TestContext.Current.CancellationToken);
        using var give = await retiring.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { ownerKeyId = newId }, TestContext.Current.CancellationToken);
        using var admin = await node.Http.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { ownerKeyId = newId }, TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.OK], [grab.StatusCode, give.StatusCode, admin.StatusCode]);
        Assert.Equal([id], await ListAsync(replacement));
        Assert.Empty(await ListAsync(retiring));
    }

    private static async Task<string> CreateAsync(HttpClient client, string url)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/webhooks", new { url, active = false }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString()!;
    }

    private static async Task<List<string>> ListAsync(HttpClient client) =>
        [.. JsonDocument.Parse(await client.GetStringAsync("/api/v1/webhooks", TestContext.Current.CancellationToken)).RootElement.EnumerateArray().Select(w => w.GetProperty("id").GetString()!)];
}
