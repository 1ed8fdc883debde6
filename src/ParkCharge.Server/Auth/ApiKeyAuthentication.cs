using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

using ParkCharge.Storage;

namespace ParkCharge.Server.Auth;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>. The key is hashed and looked up in the store (through
/// <see cref="ApiKeyCache"/>); the key's role becomes a role claim.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    Store store,
    ApiKeyCache cache,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string RoleClaim = ClaimTypes.Role;
    public const string KeyIdClaim = "parkcharge:key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Use 'Authorization: Bearer <API key>'.");
        }

        var hash = Secrets.HashApiKey(header["Bearer ".Length..].Trim());
        var now = time.GetUtcNow();
        if (cache.TryGet(hash, now) is { } cached)
        {
            return AuthenticateResult.Success(new AuthenticationTicket(cached, SchemeName));
        }

        var key = await store.ApiKeys.FindByHashAsync(hash, Context.RequestAborted);
        if (key is null || key.RevokedAt is not null)
        {
            cache.Forget(hash);
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, key.Name), new Claim(KeyIdClaim, key.Id), new Claim(RoleClaim, key.Role)],
            SchemeName));
        cache.Remember(hash, principal, now);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "An API key is required",
            detail: "Send 'Authorization: Bearer <API key>'. The server prints an admin key at first start; PARKCHARGE_API_KEY sets one.")
            .ExecuteAsync(Context);
    }
}

/// <summary>Keys found recently, so that a busy integration does not cost a query per request. A revoked key stops working within <see cref="CacheFor"/>.</summary>
public sealed class ApiKeyCache
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, (ClaimsPrincipal Principal, DateTimeOffset Until)> _keys = new(StringComparer.Ordinal);

    public ClaimsPrincipal? TryGet(string hash, DateTimeOffset now) =>
        _keys.TryGetValue(hash, out var cached) && cached.Until > now ? cached.Principal : null;

    public void Remember(string hash, ClaimsPrincipal principal, DateTimeOffset now) => _keys[hash] = (principal, now + CacheFor);

    public void Forget(string hash) => _keys.TryRemove(hash, out _);
}
