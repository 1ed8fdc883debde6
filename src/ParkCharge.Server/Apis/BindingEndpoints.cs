using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>Binds a charging session to a parking session (resolving a review item, or correcting a binding).</summary>
public sealed record ResolveBindingRequest([property: MaxLength(200)] string ParkingSessionId, string Reason);

/// <summary>/api/v1/bindings: the review queue; /api/v1/charging-sessions/{id}/binding: an operator's decision.</summary>
internal static class BindingEndpoints
{
    private static readonly string[] ReviewStatuses = [nameof(BindingStatus.Review), nameof(BindingStatus.Provisional)];

    public static RouteGroupBuilder MapBindingEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/bindings", ListAsync).WithTags("Bindings").RequireRead()
            .WithSummary("Bindings by status; by default the review queue (Review: not bound, Provisional: bound by a fallback)");
        api.MapPost("/charging-sessions/{id}/binding", ResolveAsync).WithTags("Bindings").RequireOperator()
            .WithSummary("Bind a charging session to a parking session (audited: who and why); it stands until an operator changes it");
        return api;
    }

    private static async Task<Results<Ok<Page<BindingView>>, ValidationProblem>> ListAsync(string? siteId, string? status, int? limit, string? cursor, Store store, CancellationToken ct)
    {
        var statuses = status is null ? ReviewStatuses : status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (statuses.FirstOrDefault(s => !Enum.TryParse<BindingStatus>(s, out _)) is { } unknown)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = [$"'{unknown}' is not one of {string.Join(", ", Enum.GetNames<BindingStatus>())}."] });
        }

        try
        {
            return TypedResults.Ok((await store.Bindings.ListAsync(siteId, statuses, limit ?? 50, cursor, ct)).Map(BindingView.From));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [e.Message] });
        }
    }

    private static async Task<Results<Ok<ChargingSessionView>, ValidationProblem, ProblemHttpResult>> ResolveAsync(
        string id, ResolveBindingRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Reason) || string.IsNullOrWhiteSpace(request.ParkingSessionId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["reason"] = ["A parking session and a reason are required: operator decisions are audited."] });
        }

        if (await store.Sessions.GetAsync(id, ct) is not { } session)
        {
            return TypedResults.Problem(title: "No such charging session", detail: $"No charging session '{id}'.", statusCode: StatusCodes.Status404NotFound);
        }

        var reply = await engines.SubmitAsync(ApiObservations.Create(http, new SiteId(session.SiteId),
            new BindingResolvedByOperator(id, request.ParkingSessionId, ApiObservations.Operator(http.User), request.Reason), time));
        if (reply is Refused refused)
        {
            return TypedResults.Problem(title: "The binding was refused", detail: refused.Reason, statusCode: StatusCodes.Status409Conflict);
        }

        return TypedResults.Ok(ChargingSessionView.From((await store.Sessions.GetAsync(id, ct))!));
    }

}
