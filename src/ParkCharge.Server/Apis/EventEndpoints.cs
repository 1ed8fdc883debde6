using System.Globalization;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Events;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Events;

namespace ParkCharge.Server.Apis;

/// <summary>A published event type in the catalogue.</summary>
/// <param name="Schema">Where its JSON schema is.</param>
public sealed record EventTypeView(string Type, int Version, string? Description, string Schema);

/// <summary>/api/v1/events: the event catalogue, the outbox read by site sequence, and the live stream.</summary>
internal static class EventEndpoints
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1_000;

    public static RouteGroupBuilder MapEventEndpoints(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events").WithTags("Events").RequireRead();
        events.MapGet("/", ListAsync).WithSummary("A site's events in sequence order, after a sequence number");
        events.MapGet("/types", Types).WithSummary("The event catalogue: every published type with its version and schema");
        events.MapGet("/types/{type}/schema", Schema).WithSummary("The JSON schema of a published event of the type (envelope and data)");
        events.MapGet("/stream", StreamAsync).WithSummary("Server-sent events: the backlog after a position, then live events; resumes from Last-Event-ID");
        return api;
    }

    private static async Task<Results<Ok<Page<EventEnvelope>>, ValidationProblem>> ListAsync(
        string? site, long? after, int? limit, string? type, Store store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(site))
        {
            errors["site"] = ["A site is required: events are numbered per site (see GET /api/v1/sites)."];
        }
        else if (!SiteId.IsValid(site))
        {
            errors["site"] = ["A site id is 1 to 64 characters of a-z, 0-9, '-' and '_'."];
        }

        if (after < 0)
        {
            errors["after"] = ["'after' is a sequence number (0 for the start)."];
        }

        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"'limit' is 1 to {MaxLimit}."];
        }

        if (!EventTypeFilter.TryParse(type, out var filter, out var filterError))
        {
            errors["type"] = [filterError];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The event query is not valid");
        }

        var take = limit ?? DefaultLimit;
        var events = await store.Outbox.ReadAsync(site!, after ?? 0, take, filter, null, ct);
        var next = events.Count == take ? events[^1].Seq.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new Page<EventEnvelope>([.. events.Select(EventEnvelope.Of)], next));
    }

    private static Ok<IReadOnlyList<EventTypeView>> Types() =>
        TypedResults.Ok<IReadOnlyList<EventTypeView>>([.. EventCatalogue.Types.Select(t =>
            new EventTypeView(t.Name, t.Version, t.Description, $"/api/v1/events/types/{t.Name}/schema"))]);

    private static Results<ContentHttpResult, ProblemHttpResult> Schema(string type) =>
        EventCatalogue.Find(type) is { } known
            ? TypedResults.Text(EventCatalogue.Schema(known).ToJsonString(), "application/schema+json")
            : TypedResults.Problem(
                title: "No such event type",
                detail: $"'{type}' is not a published event type; GET /api/v1/events/types lists them.",
                statusCode: StatusCodes.Status404NotFound);

    private static Results<EventStreamResult, ValidationProblem> StreamAsync(
        string? site, string? types, string? after, HttpContext http, Store store, TimeProvider time,
        IOptions<ParkChargeOptions> options, IHostApplicationLifetime lifetime)
    {
        var errors = new Dictionary<string, string[]>();
        if (site is not null && !SiteId.IsValid(site))
        {
            errors["site"] = ["A site id is 1 to 64 characters of a-z, 0-9, '-' and '_'."];
        }

        if (!EventTypeFilter.TryParse(types, out var filter, out var filterError))
        {
            errors["types"] = [filterError];
        }

        // A reconnecting EventSource sends the last id it saw; it wins over the URL's original 'after'.
        string? resumeFrom = http.Request.Headers["Last-Event-ID"];
        resumeFrom = string.IsNullOrWhiteSpace(resumeFrom) ? after : resumeFrom;
        StreamPosition? position = null;
        if (errors.Count == 0 && !string.IsNullOrWhiteSpace(resumeFrom) && !StreamPosition.TryParse(resumeFrom, site, out position, out var positionError))
        {
            errors["after"] = [positionError];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The event stream request is not valid");
        }

        var settings = options.Value.Events;
        return new EventStreamResult(
            store.Outbox, site, position, filter!, time,
            settings.Heartbeat, settings.PollInterval,
            lifetime.ApplicationStopping);
    }
}
