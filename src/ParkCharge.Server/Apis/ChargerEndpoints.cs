using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>Registers a charger, or updates its password, profile or name (what is omitted stays as it is).</summary>
/// <param name="Id">The charge point identity, as in its OCPP URL.</param>
/// <param name="Password">The Basic-auth password (16 to 40 characters). Omitted on an update: the current one stays.</param>
/// <param name="SiteId">The site the charger belongs to; <c>default</c> when omitted.</param>
/// <param name="SecurityProfile">0 (no auth; removes a password), 1 (Basic auth), 2 (Basic auth, TLS only), 3 (TLS client certificate whose subject CN is the charger's id; removes a password). Defaults to 1 with a password, else 0.</param>
/// <param name="DisplayName">A name for people.</param>
public sealed record RegisterChargerRequest([property: MaxLength(48)] string Id, [property: MaxLength(40)] string? Password = null, [property: MaxLength(64)] string? SiteId = null, int? SecurityProfile = null, [property: MaxLength(200)] string? DisplayName = null);

/// <summary>/api/v1/chargers: registration, state, status history and message log.</summary>
internal static class ChargerEndpoints
{
    public static RouteGroupBuilder MapChargerEndpoints(this RouteGroupBuilder api)
    {
        var chargers = api.MapGroup("/chargers").WithTags("Chargers");
        chargers.MapPost("/", RegisterAsync).RequireAdmin().WithSummary("Register a charger (or update its password, profile or name)");
        chargers.MapGet("/", ListAsync).RequireRead().WithSummary("Chargers with connection state and connector status");
        chargers.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One charger");
        chargers.MapGet("/{id}/messages", MessagesAsync).RequireRead().WithSummary("The charger's OCPP message log, newest first");
        chargers.MapGet("/{id}/status-history", StatusHistoryAsync).RequireRead().WithSummary("The connectors' status timeline");
        return api;
    }

    private static async Task<Results<Created<ChargerView>, Ok<ChargerView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterChargerRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The charger registration is not valid");
        }

        var id = new ChargerId(request.Id);
        var site = new SiteId(request.SiteId ?? SiteId.Default.Value);
        var existing = await store.Chargers.GetCredentialsAsync(id, ct);
        if (existing is not null && existing.SiteId != site.Value)
        {
            return TypedResults.Problem(
                title: "The charger belongs to another site",
                detail: $"Charger '{id}' is registered at site '{existing.SiteId}'. Moving a charger to another site is not supported yet.",
                statusCode: StatusCodes.Status409Conflict);
        }

        // An update without a password keeps the one the charger has; security profiles 0 and 3 remove it
        // (profile 3 authenticates by certificate: a password left behind would be a second way in).
        var hash = request.Password is not null ? Secrets.HashPassword(request.Password)
            : request.SecurityProfile is 0 or 3 ? null
            : existing?.PasswordHash;
        if (request.SecurityProfile is null && request.Password is not null && existing is { SecurityProfile: 3 })
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["securityProfile"] = ["The charger uses security profile 3 (certificate); to give it a password, say which profile (1 or 2) it moves to."] },
                title: "The charger registration is not valid");
        }

        var profile = request.SecurityProfile
            ?? (existing is { SecurityProfile: 3 } ? 3 : hash is null ? 0 : existing is { SecurityProfile: 1 or 2 } ? existing.SecurityProfile : 1);
        if (profile is 1 or 2 && hash is null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["securityProfile"] = [$"Security profile {profile} needs a password."] },
                title: "The charger registration is not valid");
        }

        var observation = ApiObservations.Create(http, site, new ChargerRegistration(id, hash, profile, request.DisplayName), time);
        var reply = await engines.SubmitAsync(observation);
        if (reply is Refused refused)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [refused.Reason] });
        }

        var view = (await store.Chargers.GetAsync(id, ct))!;
        return existing is null ? TypedResults.Created($"/api/v1/chargers/{Uri.EscapeDataString(id.Value)}", view) : TypedResults.Ok(view);
    }

    private static async Task<Ok<IReadOnlyList<ChargerView>>> ListAsync(string? siteId, Store store, CancellationToken ct) =>
        TypedResults.Ok(await store.Chargers.ListAsync(siteId, ct));

    private static async Task<Results<Ok<ChargerView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        ChargerId.IsValid(id) && await store.Chargers.GetAsync(new ChargerId(id), ct) is { } charger
            ? TypedResults.Ok(charger)
            : NotFound(id);

    private static async Task<Results<Ok<Page<MessageView>>, ProblemHttpResult>> MessagesAsync(
        string id, long? before, int? limit, Store store, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(await store.Messages.ListAsync(new ChargerId(id), before, limit ?? 100, ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<StatusEntryView>>, ProblemHttpResult>> StatusHistoryAsync(
        string id, DateTimeOffset? from, DateTimeOffset? to, int? limit, Store store, TimeProvider time, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is null)
        {
            return NotFound(id);
        }

        var until = to ?? time.GetUtcNow();
        var since = from ?? until.AddDays(-1);
        return TypedResults.Ok(await store.Chargers.StatusHistoryAsync(new ChargerId(id), since, until, Math.Clamp(limit ?? 1_000, 1, 10_000), ct));
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(title: "No such charger", detail: $"No charger '{id}' is registered.", statusCode: StatusCodes.Status404NotFound);

    private static Dictionary<string, string[]> Validate(RegisterChargerRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!ChargerId.IsValid(request.Id))
        {
            errors["id"] = ["A charger id is 1 to 48 printable ASCII characters without '/', ':', '?', '#', '%' or spaces."];
        }

        if (request.SiteId is not null && !SiteId.IsValid(request.SiteId))
        {
            errors["siteId"] = ["A site id is 1 to 64 characters of a-z, 0-9, '-' and '_'."];
        }

        // OCPP 2.0.1 BasicAuthPassword is 16 to 40 characters; 1.6 security whitepaper: AuthorizationKey 16+ bytes.
        if (request.Password is { } password && (password.Length is < 16 or > 40 || password.Any(c => c is < ' ' or > '~')))
        {
            errors["password"] = ["A charger password is 16 to 40 printable ASCII characters (OCPP BasicAuthPassword)."];
        }

        if (request.SecurityProfile is { } profile)
        {
            if (profile is < 0 or > 3)
            {
                errors["securityProfile"] = ["Security profiles 0 (none), 1 (Basic auth), 2 (Basic auth over TLS) and 3 (TLS client certificate) are supported."];
            }
            else if (profile == 3 && request.Password is not null)
            {
                errors["password"] = ["Security profile 3 authenticates the charger by its TLS client certificate: send no password."];
            }
        }

        return errors;
    }
}
