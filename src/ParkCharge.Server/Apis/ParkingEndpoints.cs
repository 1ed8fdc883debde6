using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>Corrects a parking session's plate.</summary>
public sealed record PlateCorrectionRequest([property: MaxLength(32)] string Plate, string Reason);

/// <summary>Closes a parking session: at a given time, with a given exit sighting (resolving a review item), or now.</summary>
public sealed record CloseParkingSessionRequest(string Reason, DateTimeOffset? ExitedAt = null, [property: MaxLength(200)] string? ExitSightingId = null);

/// <summary>Merges another session of the same stay into this one.</summary>
public sealed record MergeParkingSessionsRequest([property: MaxLength(200)] string SessionId, string Reason);

/// <summary>/api/v1/parking-sessions and /api/v1/parking-anomalies: stays, their evidence, and operator corrections.</summary>
internal static class ParkingEndpoints
{
    public static RouteGroupBuilder MapParkingEndpoints(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/parking-sessions").WithTags("Parking sessions");
        sessions.MapGet("/", ListAsync).RequireRead().WithSummary("Parking sessions, newest first; filter by site, plate (optionally OCR-similar), status and time");
        sessions.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One parking session with its sightings, bay visits and audit trail");
        sessions.MapPost("/{id}/plate", CorrectPlateAsync).RequireOperator().WithSummary("Correct the plate (audited)");
        sessions.MapPost("/{id}/close", CloseAsync).RequireOperator().WithSummary("Close the session, optionally with the exit sighting of a review item (audited)");
        sessions.MapPost("/{id}/merge", MergeAsync).RequireOperator().WithSummary("Merge another session of the same stay into this one (audited)");

        api.MapGet("/parking-anomalies", AnomaliesAsync).RequireRead().WithTags("Parking sessions")
            .WithSummary("What an operator should look at: exits without entry, ambiguous exits (the review queue), over-long stays, ...");
        api.MapGet("/sightings/{id}", SightingAsync).RequireRead().WithTags("Parking sessions").WithSummary("One camera sighting with every read");
        return api;
    }

    private static async Task<Results<Ok<Page<ParkingSessionView>>, ValidationProblem>> ListAsync(
        string? siteId, string? plate, bool? similar, string? status, DateTimeOffset? from, DateTimeOffset? to, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        if (status is not null && status is not ("Open" or "Closed"))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["Open or Closed."] });
        }

        try
        {
            return TypedResults.Ok((await store.Parking.ListSessionsAsync(
                new ParkingSessionFilter { SiteId = siteId, Plate = plate, Similar = similar ?? false, Status = status, From = from, To = to, Limit = limit ?? 50, Cursor = cursor },
                ct)).Map(ParkingSessionView.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static async Task<Results<Ok<ParkingSessionView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Parking.GetSessionAsync(id, ct) is { } session ? TypedResults.Ok(ParkingSessionView.From(session)) : NoSuchSession(id);

    private static async Task<Results<Ok<ParkingSessionView>, ValidationProblem, ProblemHttpResult>> CorrectPlateAsync(
        string id, PlateCorrectionRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || string.IsNullOrWhiteSpace(request.Plate))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["A plate and a reason are required: corrections are audited."] });
        }

        return await CorrectAsync(id, http, store, engines, time, by => new PlateCorrected(id, request.Plate, by, request.Reason), ct);
    }

    private static async Task<Results<Ok<ParkingSessionView>, ValidationProblem, ProblemHttpResult>> CloseAsync(
        string id, CloseParkingSessionRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["A reason is required: corrections are audited."] });
        }

        return await CorrectAsync(id, http, store, engines, time, by => new ParkingSessionClosedByOperator(id, request.ExitedAt, request.ExitSightingId, by, request.Reason), ct);
    }

    private static async Task<Results<Ok<ParkingSessionView>, ValidationProblem, ProblemHttpResult>> MergeAsync(
        string id, MergeParkingSessionsRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || string.IsNullOrWhiteSpace(request.SessionId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["The session to merge and a reason are required: corrections are audited."] });
        }

        return await CorrectAsync(id, http, store, engines, time, by => new ParkingSessionsMerged(id, request.SessionId, by, request.Reason), ct);
    }

    /// <summary>Sends an operator's correction to the session's site engine and answers with the session after it.</summary>
    private static async Task<Results<Ok<ParkingSessionView>, ValidationProblem, ProblemHttpResult>> CorrectAsync(
        string id, HttpContext http, Store store, SiteEngines engines, TimeProvider time, Func<string, ObservationPayload> correction, CancellationToken ct)
    {
        if (await store.Parking.GetSessionAsync(id, ct) is not { } session)
        {
            return NoSuchSession(id);
        }

        var reply = await engines.SubmitAsync(ApiObservations.Create(http, new SiteId(session.SiteId), correction(ApiObservations.Operator(http.User)), time));
        if (reply is Refused refused)
        {
            return TypedResults.Problem(title: "The correction was refused", detail: refused.Reason, statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Ok(ParkingSessionView.From((await store.Parking.GetSessionAsync(id, ct))!));
    }

    private static async Task<Results<Ok<Page<ParkingAnomalyView>>, ValidationProblem>> AnomaliesAsync(
        string? siteId, string? kind, bool? resolved, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        if (kind is not null && !Enum.TryParse<ParkingAnomalyKind>(kind, out _))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = [$"One of {string.Join(", ", Enum.GetNames<ParkingAnomalyKind>())}."] });
        }

        try
        {
            return TypedResults.Ok((await store.Parking.ListAnomaliesAsync(siteId, kind, resolved, limit ?? 50, cursor, ct)).Map(ParkingAnomalyView.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static async Task<Results<Ok<SightingView>, ProblemHttpResult>> SightingAsync(string id, Store store, CancellationToken ct) =>
        await store.Parking.GetSightingAsync(id, ct) is { } sighting
            ? TypedResults.Ok(SightingView.From(sighting))
            : TypedResults.Problem(title: "No such sighting", detail: $"No sighting '{id}'.", statusCode: StatusCodes.Status404NotFound);


    private static ProblemHttpResult NoSuchSession(string id) =>
        TypedResults.Problem(title: "No such parking session", detail: $"No parking session '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
