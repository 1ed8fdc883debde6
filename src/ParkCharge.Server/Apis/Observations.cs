using System.Security.Claims;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;

namespace ParkCharge.Server.Apis;

/// <summary>How an API request becomes an observation: who sent it and its idempotency key.</summary>
internal static class ApiObservations
{
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>
    /// With an <c>Idempotency-Key</c> header, a repeat of the request (same key, same API key)
    /// returns the first outcome and changes nothing; without one, every request is new.
    /// </summary>
    /// <summary>Who is acting, for the audit trail: the API key's name and id.</summary>
    public static string Operator(ClaimsPrincipal user) =>
        $"{user.Identity?.Name ?? "unknown"} ({user.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value ?? "no key"})";

    public static Observation Create(HttpContext http, SiteId site, ObservationPayload payload, TimeProvider time)
    {
        var keyId = http.User.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value ?? "anonymous";
        string? idempotencyKey = http.Request.Headers[IdempotencyHeader];
        var now = time.GetUtcNow();
        return new Observation
        {
            Site = site,
            Source = $"api:{keyId}",
            Key = string.IsNullOrWhiteSpace(idempotencyKey) ? $"api:{Guid.NewGuid():N}" : $"api:{keyId}:{idempotencyKey}",
            EventTime = now,
            ReceivedAt = now,
            Payload = payload,
        };
    }
}
