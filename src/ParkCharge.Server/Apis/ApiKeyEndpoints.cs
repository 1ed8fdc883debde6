using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.ApiKeys;

namespace ParkCharge.Server.Apis;

/// <summary>An API key as the API shows it: never the key, never its hash.</summary>
/// <param name="AllowedAddresses">CIDR ranges it may be used from; empty: any address.</param>
/// <param name="LastUsedAt">When it was last used, to within a minute.</param>
/// <param name="Active">Neither revoked nor expired.</param>
public sealed record ApiKeyView(
    string Id,
    string Name,
    string Role,
    IReadOnlyList<string> AllowedAddresses,
    DateTimeOffset CreatedAt,
    string? CreatedBy,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    bool Active)
{
    internal static ApiKeyView From(ApiKeyRecord key, DateTimeOffset now) =>
        new(key.Id, key.Name, key.Role, key.AllowedAddresses, key.CreatedAt, key.CreatedBy, key.ExpiresAt, key.RevokedAt, key.LastUsedAt, key.IsActive(now));
}

/// <summary>The key a request was made with: who the caller is and what its role lets it do.</summary>
/// <param name="Policies">The policies the role passes (read, integrate, operate, admin): what a client may offer to do.</param>
public sealed record CurrentKeyView(string Id, string Name, string Role, DateTimeOffset? ExpiresAt, IReadOnlyList<string> Policies);

/// <summary>A new key: <see cref="Key"/> is shown this once; only its hash is kept.</summary>
public sealed record CreatedApiKeyResponse(string Key, ApiKeyView ApiKey);

/// <summary>/api/v1/api-keys (admin): create, list and revoke API keys; /api/v1/audit (admin): the audit log.</summary>
internal static class ApiKeyEndpoints
{
    public static RouteGroupBuilder MapApiKeyEndpoints(this RouteGroupBuilder api)
    {
        var keys = api.MapGroup("/api-keys").WithTags("API keys").RequireAdmin();
        keys.MapPost("/", CreateAsync).WithoutStoredAnswers()
            .WithSummary("Create an API key (name, role, optional IP allow-list and expiry); the key is in this answer only");
        keys.MapGet("/", ListAsync).WithSummary("API keys, revoked ones too (never the key or its hash)");
        keys.MapGet("/{id}", GetAsync).WithSummary("One API key (never the key or its hash)");
        keys.MapDelete("/{id}", RevokeAsync).WithSummary("Revoke an API key: it stops working at once on this node, within a minute on others");

        api.MapGet("/me", Me).WithTags("API keys").RequireRead()
            .WithSummary("The API key of the request: its name, role and the policies the role passes (a dashboard shows only what the key may do)");
        api.MapGet("/audit", AuditAsync).WithTags("API keys").RequireAdmin()
            .WithSummary("The audit log of state-changing API calls, newest first: who, when, what, status, from where");
        return api;
    }

    private static Results<Ok<CurrentKeyView>, UnauthorizedHttpResult> Me(HttpContext http)
    {
        if (http.Features.Get<ApiKeyFeature>() is not { } feature)
        {
            return TypedResults.Unauthorized();
        }

        var key = feature.Key;
        var policies = Policies.Roles.Where(p => p.Key != Policies.CameraGateway && p.Value.Contains(key.Role)).Select(p => p.Key).ToList();
        return TypedResults.Ok(new CurrentKeyView(key.Id, key.Name, key.Role, key.ExpiresAt, policies));
    }

    private static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem>> CreateAsync(
        NewApiKey request, HttpContext http, Store store, KeyHasher hasher, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var errors = ApiKeyIssuer.Validate(request, now);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The API key request is not valid");
        }

        var issued = await ApiKeyIssuer.CreateAsync(store, hasher, request, ApiObservations.Operator(http.User), now, ct);
        return TypedResults.Created($"/api/v1/api-keys/{issued.Record.Id}", new CreatedApiKeyResponse(issued.Key, ApiKeyView.From(issued.Record, now)));
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyView>>> ListAsync(Store store, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<ApiKeyView>>([.. (await store.ApiKeys.ListAsync(ct)).Select(k => ApiKeyView.From(k, now))]);
    }

    private static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> GetAsync(string id, Store store, TimeProvider time, CancellationToken ct) =>
        await store.ApiKeys.GetAsync(id, ct) is { } key ? TypedResults.Ok(ApiKeyView.From(key, time.GetUtcNow())) : NoSuchKey(id);

    /// <summary>
    /// Two revocations are refused, because they lock people out: the key set by PARKCHARGE_API_KEY
    /// (it is accepted again at every start; remove the setting instead) and the last active admin key.
    /// Revoking a revoked key changes nothing.
    /// </summary>
    private static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> RevokeAsync(
        string id, Store store, ApiKeyCache cache, KeyHasher hasher, IOptions<ParkChargeOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var keys = await store.ApiKeys.ListAsync(ct);
        if (keys.FirstOrDefault(k => k.Id == id) is not { } key)
        {
            return NoSuchKey(id);
        }

        if (key.RevokedAt is null)
        {
            if (options.Value.ApiKey is { Length: > 0 } configured && hasher.Matches(configured, key.KeyHash))
            {
                return Conflict("This key is set by the node's configuration (PARKCHARGE_API_KEY or ParkCharge:ApiKey); remove it there and restart instead.");
            }

            if (key.Role == ApiRoles.Admin && key.IsActive(now) && !keys.Any(k => k.Id != id && k.Role == ApiRoles.Admin && k.IsActive(now)))
            {
                return Conflict("This is the last active admin key: create another admin key first, or nobody could manage keys any more.");
            }

            await store.ApiKeys.RevokeAsync(id, now, ct);
            cache.ForgetKey(id);
        }

        return TypedResults.Ok(ApiKeyView.From((await store.ApiKeys.GetAsync(id, ct))!, now));
    }

    private static async Task<Results<Ok<Page<ApiAuditEntry>>, ValidationProblem>> AuditAsync(
        string? keyId, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok((await store.Audit.ListAsync(keyId, from, to, limit ?? 100, cursor, ct)).Map(ApiAuditEntry.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static ProblemHttpResult NoSuchKey(string id) =>
        TypedResults.Problem(title: "No such API key", detail: $"No API key '{id}'.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "The key cannot be revoked", detail: detail, statusCode: StatusCodes.Status409Conflict);
}
