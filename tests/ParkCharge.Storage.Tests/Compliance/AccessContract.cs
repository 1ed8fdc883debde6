using System.Text;

using ParkCharge.Storage.ApiKeys;
using ParkCharge.Storage.Audit;
using ParkCharge.Storage.Idempotency;
using ParkCharge.Testing;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>What the API keeps beside the log: API keys, the audit of API calls, idempotency keys and the node's secrets.</summary>
public abstract class AccessContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);

    public sealed class OnSqlite(PostgresServer postgres) : AccessContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : AccessContract(StoreEngine.Postgres, postgres);

    [Fact]
    public async Task Api_keys_are_stored_as_hashes_found_by_them_and_active_until_revoked_or_expired()
    {
        Assert.False(await Store.ApiKeys.AnyActiveAsync(Ct));
        var key = new ApiKeyRecord("key_1", "ops", "admin", "hash-1", T0, null) { AllowedAddresses = ["10.0.0.0/8", "192.0.2.7/32"], ExpiresAt = T0.AddDays(30), CreatedBy = "first start" };

        await Store.ApiKeys.CreateAsync(key, Ct);
        await Store.ApiKeys.CreateAsync(new ApiKeyRecord("key_2", "gone", "integrator", "hash-2", T0.AddMinutes(1), null) { ExpiresAt = T0.AddMinutes(2) }, Ct);

        var found = (await Store.ApiKeys.FindByHashAsync("hash-1", Ct))!;
        Assert.Equal((key.Id, key.Name, key.Role, key.CreatedAt, key.ExpiresAt, key.CreatedBy), (found.Id, found.Name, found.Role, found.CreatedAt, found.ExpiresAt, found.CreatedBy));
        Assert.Equal(key.AllowedAddresses, found.AllowedAddresses);
        Assert.Null(await Store.ApiKeys.FindByHashAsync("hash-3", Ct));
        Assert.True(await Store.ApiKeys.AnyActiveAsync(Ct));
        Assert.Equal(["key_1", "key_2"], (await Store.ApiKeys.ListAsync(Ct)).Select(k => k.Id));

        Assert.True(await Store.ApiKeys.RevokeAsync("key_1", T0.AddHours(1), Ct));
        Assert.False(await Store.ApiKeys.RevokeAsync("key_none", T0.AddHours(1), Ct));
        Assert.Equal(T0.AddHours(1), (await Store.ApiKeys.GetAsync("key_1", Ct))!.RevokedAt);
        Assert.False((await Store.ApiKeys.GetAsync("key_2", Ct))!.IsActive(T0.AddMinutes(3)));
    }

    [Fact]
    public async Task A_key_can_be_rehashed_and_its_last_use_is_kept()
    {
        await Store.ApiKeys.CreateAsync(new ApiKeyRecord("key_1", "ops", "operator", "old-hash", T0, null), Ct);

        await Store.ApiKeys.RehashAsync("key_1", "new-hash", Ct);
        await Store.ApiKeys.TouchAsync("key_1", T0.AddMinutes(5), Ct);

        Assert.Null(await Store.ApiKeys.FindByHashAsync("old-hash", Ct));
        var key = (await Store.ApiKeys.FindByHashAsync("new-hash", Ct))!;
        Assert.Equal(("key_1", T0.AddMinutes(5)), (key.Id, key.LastUsedAt));
    }

    [Fact]
    public async Task The_audit_reads_newest_first_by_key_and_time_in_pages()
    {
        for (var i = 0; i < 5; i++)
        {
            await Store.Audit.AppendAsync(new ApiAuditRecord
            {
                At = T0.AddMinutes(i),
                KeyId = i % 2 == 0 ? "key_a" : "key_b",
                KeyName = "n",
                Role = "admin",
                Method = "POST",
                Path = $"/api/v1/things/{i}",
                Status = 201,
                ClientIp = "192.0.2.1",
                IdempotencyKey = i == 4 ? "idem-4" : null,
            }, Ct);
        }

        var first = await Store.Audit.ListAsync(null, null, null, 2, null, Ct);
        var second = await Store.Audit.ListAsync(null, null, null, 2, first.Next, Ct);
        var byKey = await Store.Audit.ListAsync("key_a", null, null, 10, null, Ct);
        var window = await Store.Audit.ListAsync(null, T0.AddMinutes(1), T0.AddMinutes(3), 10, null, Ct);

        Assert.Equal(["/api/v1/things/4", "/api/v1/things/3"], first.Items.Select(e => e.Path));
        Assert.Equal(["/api/v1/things/2", "/api/v1/things/1"], second.Items.Select(e => e.Path));
        Assert.Equal([T0.AddMinutes(4), T0.AddMinutes(2), T0], byKey.Items.Select(e => e.At));
        Assert.Equal(["/api/v1/things/2", "/api/v1/things/1"], window.Items.Select(e => e.Path));
        Assert.Equal("idem-4", first.Items[0].IdempotencyKey);
        await Assert.ThrowsAsync<ArgumentException>(() => Store.Audit.ListAsync(null, null, null, 2, "not-a-cursor", Ct));
    }

    [Fact]
    public async Task An_idempotency_key_is_claimed_once_keeps_its_answer_and_is_freed_when_its_request_was_not_carried_out()
    {
        var request = new IdempotentRequest("key_1", "idem-1", "POST", "/api/v1/commands", "/api/v1/commands", "sha256:abc");
        var otherKey = request with { ApiKeyId = "key_2" };

        Assert.True(await Store.Idempotency.TryClaimAsync(request, T0, T0.AddDays(-1), Ct));
        Assert.False(await Store.Idempotency.TryClaimAsync(request with { Fingerprint = "sha256:other" }, T0.AddSeconds(1), T0.AddDays(-1), Ct));
        Assert.True(await Store.Idempotency.TryClaimAsync(otherKey, T0, T0.AddDays(-1), Ct)); // keys are per API key
        await Store.Idempotency.ReleaseAsync(otherKey, Ct);
        Assert.True(await Store.Idempotency.TryClaimAsync(otherKey, T0.AddSeconds(2), T0.AddDays(-1), Ct));

        await Store.Idempotency.CompleteAsync(request, 202, "application/json", "/api/v1/commands/c1", Encoding.UTF8.GetBytes("""{"id":"c1"}"""), T0.AddSeconds(3), Ct);
        await Store.Idempotency.ReleaseAsync(request, Ct); // a completed key is not freed

        var record = (await Store.Idempotency.GetAsync("key_1", "idem-1", Ct))!;
        Assert.Equal((request, T0, T0.AddSeconds(3), 202, "application/json", "/api/v1/commands/c1"), (record.Request, record.CreatedAt, record.CompletedAt, record.Status, record.ContentType, record.Location));
        Assert.Equal("""{"id":"c1"}""", Encoding.UTF8.GetString(record.Body!));
        Assert.Null(await Store.Idempotency.GetAsync("key_1", "idem-none", Ct));
    }

    [Fact]
    public async Task A_claim_whose_request_never_finished_is_taken_over_once_and_expired_keys_are_claimed_afresh_or_pruned()
    {
        var request = new IdempotentRequest("key_1", "idem-1", "POST", "/api/v1/x", "/api/v1/x", "f");
        await Store.Idempotency.TryClaimAsync(request, T0, T0.AddDays(-1), Ct);
        var stale = (await Store.Idempotency.GetAsync("key_1", "idem-1", Ct))!;

        Assert.True(await Store.Idempotency.TakeOverAsync(stale, T0.AddMinutes(5), Ct));
        Assert.False(await Store.Idempotency.TakeOverAsync(stale, T0.AddMinutes(6), Ct)); // someone else took it first
        Assert.True(await Store.Idempotency.TryClaimAsync(request with { Fingerprint = "g" }, T0.AddDays(2), expiredBefore: T0.AddDays(1), Ct));
        Assert.Equal("g", (await Store.Idempotency.GetAsync("key_1", "idem-1", Ct))!.Request.Fingerprint);

        await Store.Idempotency.PruneAsync(T0.AddDays(3), Ct);
        Assert.Null(await Store.Idempotency.GetAsync("key_1", "idem-1", Ct));
    }

    [Fact]
    public async Task A_node_secret_is_made_once_and_every_opener_gets_the_same_one()
    {
        await using var other = await OpenAnotherAsync();

        var made = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => (i % 2 == 0 ? Store : other).NodeSecrets.GetOrCreateAsync("key-hashing", 32, Ct)));
        await ReopenAsync();
        var again = await Store.NodeSecrets.GetOrCreateAsync("key-hashing", 32, Ct);

        Assert.Equal(32, made[0].Length);
        Assert.All(made, m => Assert.Equal(made[0], m));
        Assert.Equal(made[0], again);
        Assert.NotEqual(made[0], await Store.NodeSecrets.GetOrCreateAsync("another", 32, Ct));
    }
}
