using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>/api/v1/charging-sessions: charging sessions of both OCPP versions in one model.</summary>
internal static class ChargingSessionEndpoints
{
    public static RouteGroupBuilder MapChargingSessionEndpoints(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/charging-sessions").WithTags("Charging sessions");
        sessions.MapGet("/", ListAsync).RequireRead().WithSummary("Charging sessions, newest first; filter by charger, site and time");
        sessions.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One charging session with its meter values and status timeline");
        return api;
    }

    private static async Task<Results<Ok<Page<ChargingSessionView>>, ValidationProblem>> ListAsync(
        string? chargerId, string? siteId, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok(await store.Sessions.ListAsync(
                new ChargingSessionFilter { ChargerId = chargerId, SiteId = siteId, From = from, To = to, Limit = limit ?? 50, Cursor = cursor },
                ct));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static async Task<Results<Ok<ChargingSessionView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Sessions.GetAsync(id, ct) is { } session
            ? TypedResults.Ok(session)
            : TypedResults.Problem(title: "No such charging session", detail: $"No charging session '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
