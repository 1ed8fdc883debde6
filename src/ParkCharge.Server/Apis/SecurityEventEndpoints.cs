using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>/api/v1/security-events: the security events chargers reported (SecurityEventNotification), newest first.</summary>
internal static class SecurityEventEndpoints
{
    public static RouteGroupBuilder MapSecurityEventEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/security-events").WithTags("Chargers")
            .MapGet("/", ListAsync).RequireRead()
            .WithSummary("Security events the chargers reported, newest first; filter by site, charger, type and time received");
        return api;
    }

    private static async Task<Results<Ok<Page<SecurityEventView>>, ValidationProblem>> ListAsync(
        string? siteId, string? chargerId, string? type, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor,
        Store store, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await store.SecurityEvents.ListAsync(new SecurityEventFilter
            {
                SiteId = siteId,
                ChargerId = chargerId,
                Type = type,
                From = from,
                To = to,
                Limit = limit ?? 50,
                Cursor = cursor,
            }, ct));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }
}
