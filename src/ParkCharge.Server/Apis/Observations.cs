using System.Security.Claims;

using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;

namespace ParkCharge.Server.Apis;

/// <summary>How an API request becomes an observation: who sent it and its idempotency key.</summary>
internal static class ApiObservations
{
    public const string IdempotencyHeader = IdempotencyKeys.Header;

    /// <summary>Who is acting, for the audit trail: the API key's name and id.</summary>
    public static string Operator(ClaimsPrincipal user) =>
        $"{user.Identity?.Name ?? "unknown"} ({user.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value ?? "no key"})";

    /// <summary>
    /// The request as an observation. With an <c>Idempotency-Key</c> (see <see cref="IdempotencyKeys"/>), its key
    /// stands for exactly this request (API key, Idempotency-Key, method, target, body), so the engine takes a
    /// repeat of it for a repeat and nothing else; without one, every request is new.
    /// </summary>
    /// <param name="part">
    /// Which of several observations of one request this is (a bulk registration: the charger id): with an
    /// Idempotency-Key, each gets its own observation key, the same again when the request is sent again.
    /// </param>
    public static Observation Create(HttpContext http, SiteId site, ObservationPayload payload, TimeProvider time, string? part = null)
    {
        var keyId = http.User.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value ?? "anonymous";
        var now = time.GetUtcNow();
        return new Observation
        {
            Site = site,
            Source = $"api:{keyId}",
            Key = http.Features.Get<IdempotencyFeature>()?.ObservationKey is { } key ? (part is null ? key : $"{key}:{part}") : $"api:{Guid.NewGuid():N}",
            EventTime = now,
            ReceivedAt = now,
            Payload = payload,
        };
    }
}
