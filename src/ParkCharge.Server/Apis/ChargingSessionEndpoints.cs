using System.Text.Json;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

using ParkCharge.Server.Auth;
using ParkCharge.Server.Ocpi;
using ParkCharge.Server.Sites;
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
        sessions.MapGet("/{id}/cdr", CdrAsync).RequireRead().WithSummary("The OCPI 2.2.1 CDR of a finished session: charging periods, tariff, totals with and without VAT");
        return api;
    }

    private static async Task<Results<Ok<Page<ChargingSessionView>>, ValidationProblem>> ListAsync(
        string? chargerId, string? siteId, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        try
        {
            return TypedResults.Ok((await store.Sessions.ListAsync(
                new ChargingSessionFilter { ChargerId = chargerId, SiteId = siteId, From = from, To = to, Limit = limit ?? 50, Cursor = cursor },
                ct)).Map(ChargingSessionView.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    /// <summary>Priced from the engine's memory, where a session stays for <see cref="SiteState.SessionRetention"/> after it ended.</summary>
    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> CdrAsync(string id, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (await store.Sessions.GetAsync(id, ct) is not { } view)
        {
            return TypedResults.Problem(title: "No such charging session", detail: $"No charging session '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var now = time.GetUtcNow();
        var outcome = await engines.ReadAsync(new SiteId(view.SiteId), state =>
            state.FindSession(id) is { } session
                ? SessionCdr.Build(state, session, now)
                : new SessionCdr.Outcome(null, StatusCodes.Status404NotFound, $"Charging session '{id}' ended more than {SiteState.SessionRetention.TotalDays} days ago; its CDR is no longer kept."));
        return outcome.Cdr is { } cdr
            ? TypedResults.Ok(TariffEndpoints.Element(cdr))
            : TypedResults.Problem(title: outcome.Status == StatusCodes.Status409Conflict ? "The session has not finished" : "No CDR", detail: outcome.Problem, statusCode: outcome.Status);
    }

    private static async Task<Results<Ok<ChargingSessionView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Sessions.GetAsync(id, ct) is { } session
            ? TypedResults.Ok(ChargingSessionView.From(session))
            : TypedResults.Problem(title: "No such charging session", detail: $"No charging session '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
