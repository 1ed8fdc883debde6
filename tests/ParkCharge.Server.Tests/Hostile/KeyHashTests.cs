using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Tests.Security;
using ParkCharge.Storage;
using ParkCharge.Storage.ApiKeys;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteKeyHashTests(PostgresServer postgres) : KeyHashTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresKeyHashTests(PostgresServer postgres) : KeyHashTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, low findings: camera keys are stored as HMACs under a secret of the store, integrators see no
/// hash at all, hashes stored before still authenticate (and are replaced), and key ids give nothing away.
/// </summary>
public abstract class KeyHashTests(StoreEngine engine, PostgresServer postgres)
{
    private const string CameraKey = "gate-camera-key-0123456789";

    private const string Site = $$"""
        { "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{CameraKey}}" } ] } ] }
        """;

    [Fact]
    public async Task Integrators_and_operators_see_no_camera_key_hash_and_admins_only_a_keyed_one()
    {
        await using var node = await TestNode.StartAsync(engine, postgres);
        using var put = await node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        foreach (var role in new[] { "integrator", "operator" })
        {
            var (_, key) = await node.CreateKeyAsync(role);
            using var client = node.ClientWith(key);
            var list = await client.GetStringAsync("/api/v1/sites", TestContext.Current.CancellationToken);
            var one = await client.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken);

            Assert.DoesNotContain("keyHash", list + one, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Secrets.HashApiKey(CameraKey), list + one, StringComparison.Ordinal);
            Assert.Contains("gate-in", one, StringComparison.Ordinal);
        }

        using var admin = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));
        var hash = admin.RootElement.GetProperty("document").GetProperty("lanes")[0].GetProperty("cameras")[0].GetProperty("keyHash").GetString()!;
        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", hash);
        Assert.DoesNotContain(Secrets.HashApiKey(CameraKey), hash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_camera_stored_with_a_plain_sha256_hash_still_authenticates_and_a_new_document_rehashes_it_under_a_secret_that_survives_restarts()
    {
        var store = await TestStores.CreateOptionsAsync(engine, postgres);
        string keyed;
        await using (var node = await TestNode.StartAsync(store))
        {
            // As a node before keyed hashes stored it.
            await node.ConfigureSiteAsync(new SiteConfiguration
            {
                Id = new SiteId("garage"),
                Name = "Garage",
                TimeZone = "Europe/Berlin",
                Currency = "EUR",
                Lanes = [new LaneConfiguration("in", LaneDirection.Entry)],
                Cameras = [new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = Secrets.HashApiKey(CameraKey) }],
            });
            Assert.Equal(HttpStatusCode.OK, await PushAsync(node, "AB1"));
            Assert.Equal(HttpStatusCode.Forbidden, await PushAsync(node, "AB2", "gate-camera-key-0123456780"));

            using var put = await node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            keyed = await KeyHashOfAsync(node);
            Assert.StartsWith("hmac-sha256:", keyed, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, await PushAsync(node, "AB3"));
        }

        await using (var restarted = await TestNode.StartAsync(store))
        {
            Assert.Equal(HttpStatusCode.OK, await PushAsync(restarted, "AB4"));
            using var again = await restarted.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(keyed, await KeyHashOfAsync(restarted));
        }
    }

    [Fact]
    public async Task An_api_key_stored_with_a_plain_sha256_hash_still_works_and_is_rehashed_at_its_first_use()
    {
        await using var node = await TestNode.StartAsync(engine, postgres);
        var store = node.App.Services.GetRequiredService<Store>();
        const string olderKey = "pck_an-integrator-key-stored-by-an-older-node";
        var plain = Secrets.HashApiKey(olderKey);
        await store.ApiKeys.CreateAsync(new ApiKeyRecord($"key_{plain[..12]}", "older integrator", ApiRoles.Integrator, plain, DateTimeOffset.UtcNow, null), TestContext.Current.CancellationToken);

        using var client = node.ClientWith(olderKey);
        using var first = await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);
        node.App.Services.GetRequiredService<ApiKeyCache>().ForgetKey($"key_{plain[..12]}");
        using var second = await client.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [first.StatusCode, second.StatusCode]);
        Assert.Null(await store.ApiKeys.FindByHashAsync(plain, TestContext.Current.CancellationToken));
        var rehashed = await store.ApiKeys.GetAsync($"key_{plain[..12]}", TestContext.Current.CancellationToken);
        Assert.True(node.App.Services.GetRequiredService<KeyHasher>().Matches(olderKey, rehashed!.KeyHash));
        Assert.StartsWith("hmac-sha256:", rehashed.KeyHash, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_id_shown_to_others_gives_away_no_digits_of_the_keys_plain_hash()
    {
        await using var node = await TestNode.StartAsync(engine, postgres);

        var (id, key) = await node.CreateKeyAsync("integrator");
        using var me = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/me", TestContext.Current.CancellationToken));

        Assert.NotEqual($"key_{Secrets.HashApiKey(key)[..12]}", id);
        Assert.NotEqual($"key_{Secrets.HashApiKey(TestNode.AdminKey)[..12]}", me.RootElement.GetProperty("id").GetString());
    }

    private static async Task<HttpStatusCode> PushAsync(TestNode node, string plate, string key = CameraKey)
    {
        using var client = new HttpClient { BaseAddress = node.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anpr/reads") { Content = JsonContent.Create(new { cameraId = "gate-in", plate }) };
        request.Headers.Add("X-Camera-Key", key);
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    private static async Task<string> KeyHashOfAsync(TestNode node)
    {
        using var site = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));
        return site.RootElement.GetProperty("document").GetProperty("lanes")[0].GetProperty("cameras")[0].GetProperty("keyHash").GetString()!;
    }
}
