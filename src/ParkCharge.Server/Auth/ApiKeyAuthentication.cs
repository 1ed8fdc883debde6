using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using ParkCharge.Storage;
using ParkCharge.Storage.ApiKeys;

namespace ParkCharge.Server.Auth;

/// <summary>The API key a request was authenticated with, for authorization (its allow-list), rate limits and the audit log.</summary>
public sealed record ApiKeyFeature(ApiKeyRecord Key, AddressAllowList AllowList);

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. The key is looked up by its hash (through <see cref="ApiKeyLookup"/>);
/// the key's role becomes a role claim. A revoked or expired key is refused (401); the key's IP
/// allow-list is checked by authorization (403), see <see cref="Policies"/>.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyLookup keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = ClaimTypes.Role;
    public const string KeyIdClaim = "parkcharge:key_id";

    private const string FailureItem = "parkcharge:auth-failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // API keys are for the API (and the metrics scrape): a charger's Basic credentials (OCPP) or a browser's are not refused API keys.
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)
            || !(Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || Request.Path.StartsWithSegments(Telemetry.NodeTelemetry.MetricsPath, StringComparison.OrdinalIgnoreCase)))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return Failure("Use 'Authorization: Bearer <API key>'.");
        }

        var found = await keys.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        if (found.Key is not { } key)
        {
            return Failure(found.Failure!);
        }

        Context.Features.Set(key.Feature);
        return AuthenticateResult.Success(new AuthenticationTicket(key.Principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = Context.Items.TryGetValue(FailureItem, out var item) ? item as string : null;
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: failure is null ? "An API key is required" : "The API key was not accepted",
            detail: failure ?? "Send 'Authorization: Bearer <API key>'. The server prints an admin key at first start; PARKCHARGE_API_KEY sets one.")
            .ExecuteAsync(Context);
    }

    private AuthenticateResult Failure(string message)
    {
        Context.Items[FailureItem] = message;
        return AuthenticateResult.Fail(message);
    }
}

/// <summary>
/// Finds the API key a request presents: by its keyed hash (<see cref="KeyHasher"/>) or, for a key stored
/// before keyed hashes, by its plain SHA-256, which is then replaced. Keys found are remembered for a
/// minute (<see cref="ApiKeyCache"/>), so a busy integration does not cost a query per request. A store
/// that cannot be reached is an exception (answered 503), never a refusal.
/// </summary>
public sealed partial class ApiKeyLookup(Store store, ApiKeyCache cache, KeyHasher hasher, TimeProvider time, ILogger<ApiKeyLookup> logger)
{
    /// <summary>The key and who it makes the caller, or why it is refused.</summary>
    public readonly record struct Result(ApiKeyCache.CachedKey? Key, string? Failure);

    public async Task<Result> FindAsync(string presented, CancellationToken ct)
    {
        var hash = hasher.Hash(presented);
        var now = time.GetUtcNow();
        if (cache.TryGet(hash, now) is { } cached)
        {
            return new Result(cached, null);
        }

        var key = await store.ApiKeys.FindByHashAsync(hash, ct);
        if (key is null && await store.ApiKeys.FindByHashAsync(Secrets.HashApiKey(presented), ct) is { } older)
        {
            await store.ApiKeys.RehashAsync(older.Id, hash, ct);
            key = older with { KeyHash = hash };
        }

        if (key is null || !key.IsActive(now))
        {
            cache.Forget(hash);
            return new Result(null, key switch
            {
                null => "The API key is not valid.",
                { RevokedAt: { } revoked } => $"The API key '{key.Name}' was revoked at {revoked.ToString("O", CultureInfo.InvariantCulture)}.",
                _ => $"The API key '{key.Name}' expired at {key.ExpiresAt!.Value.ToString("O", CultureInfo.InvariantCulture)}.",
            });
        }

        // Loaded from the store at most once a minute per key: that is when its last use is recorded.
        try
        {
            await store.ApiKeys.TouchAsync(key.Id, now, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogTouchFailed(logger, key.Id, e);
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), new Claim(ApiKeyAuthentication.KeyIdClaim, key.Id), new Claim(ApiKeyAuthentication.RoleClaim, key.Role)],
            ApiKeyAuthentication.SchemeName, ClaimTypes.Name, ApiKeyAuthentication.RoleClaim));
        var feature = new ApiKeyFeature(key, AddressAllowList.FromStored(key.AllowedAddresses));
        var until = key.ExpiresAt is { } expires && expires < now + ApiKeyCache.CacheFor ? expires : now + ApiKeyCache.CacheFor;
        cache.Remember(hash, principal, feature, until);
        return new Result(new ApiKeyCache.CachedKey(principal, feature, until), null);
    }

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Could not record the last use of API key {KeyId}")]
    private static partial void LogTouchFailed(ILogger logger, string keyId, Exception exception);
}

/// <summary>
/// Keys found recently, so that a busy integration does not cost a query per request. A key revoked
/// through this node stops working at once; through another node or the command line, within <see cref="CacheFor"/>.
/// </summary>
public sealed class ApiKeyCache
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);

    public CachedKey? TryGet(string hash, DateTimeOffset now) =>
        _keys.TryGetValue(hash, out var cached) && cached.Until > now ? cached : null;

    public void Remember(string hash, ClaimsPrincipal principal, ApiKeyFeature feature, DateTimeOffset until) =>
        _keys[hash] = new CachedKey(principal, feature, until);

    public void Forget(string hash) => _keys.TryRemove(hash, out _);

    /// <summary>Forgets the key with this id (after it was revoked here).</summary>
    public void ForgetKey(string keyId)
    {
        foreach (var (hash, cached) in _keys)
        {
            if (cached.Feature.Key.Id == keyId)
            {
                _keys.TryRemove(hash, out _);
            }
        }
    }

    public sealed record CachedKey(ClaimsPrincipal Principal, ApiKeyFeature Feature, DateTimeOffset Until);
}
