using System.ComponentModel.DataAnnotations;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>Registers a charger, or updates its password, profile or name (what is omitted stays as it is).</summary>
/// <param name="Id">The charge point identity, as in its OCPP URL.</param>
/// <param name="Password">The Basic-auth password (16 to 40 characters). Omitted on an update: the current one stays.</param>
/// <param name="SiteId">The site the charger belongs to; <c>default</c> when omitted.</param>
/// <param name="SecurityProfile">0 (no auth; removes a password), 1 (Basic auth), 2 (Basic auth, TLS only), 3 (TLS client certificate whose subject CN is the charger's id; removes a password). Defaults to 1 with a password, else 0.</param>
/// <param name="DisplayName">A name for people.</param>
public sealed record RegisterChargerRequest([property: MaxLength(48)] string Id, [property: MaxLength(40)] string? Password = null, [property: MaxLength(64)] string? SiteId = null, int? SecurityProfile = null, [property: MaxLength(200)] string? DisplayName = null);

/// <summary>Registers or updates many chargers in one request (provisioning a site or a fleet).</summary>
/// <param name="Chargers">1 to 1,000 registrations, each as for <c>POST /api/v1/chargers</c>; every id at most once.</param>
public sealed record RegisterChargersRequest([property: MaxLength(ChargerEndpoints.MaxBulk)] IReadOnlyList<RegisterChargerRequest>? Chargers);

/// <summary>What became of each charger of a bulk registration, in the order sent, with the counts.</summary>
public sealed record BulkRegistrationView(int Created, int Updated, int Refused, IReadOnlyList<BulkRegistrationItem> Chargers);

/// <summary>One charger of a bulk registration.</summary>
/// <param name="Id">The charger id as sent.</param>
/// <param name="Outcome"><c>created</c>, <c>updated</c> or <c>refused</c>.</param>
/// <param name="Charger">The charger as registered (not when refused).</param>
/// <param name="Status">When refused: the HTTP status the single registration would have answered (400 or 409).</param>
/// <param name="Errors">When refused for invalid fields: the errors by field, as in a validation problem.</param>
/// <param name="Detail">When refused for another reason (a charger registered at another site): why.</param>
public sealed record BulkRegistrationItem(
    string Id, string Outcome, ChargerView? Charger = null, int? Status = null, IDictionary<string, string[]>? Errors = null, string? Detail = null);

/// <summary>/api/v1/chargers: registration, state, status history and message log.</summary>
internal static class ChargerEndpoints
{
    /// <summary>The most registrations one bulk request may carry.</summary>
    public const int MaxBulk = 1_000;

    /// <summary>Registrations of a bulk request decided at once (their sites' engines batch them into few commits).</summary>
    private const int BulkConcurrency = 64;

    public static RouteGroupBuilder MapChargerEndpoints(this RouteGroupBuilder api)
    {
        var chargers = api.MapGroup("/chargers").WithTags("Chargers");
        chargers.MapPost("/", RegisterAsync).RequireAdmin().WithSummary("Register a charger (or update its password, profile or name)");
        chargers.MapPost("/bulk", RegisterManyAsync).RequireAdmin().WithSummary("Register or update up to 1,000 chargers in one request");
        chargers.MapGet("/", ListAsync).RequireRead().WithSummary("Chargers with connection state and connector status");
        chargers.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One charger");
        chargers.MapGet("/{id}/messages", MessagesAsync).RequireRead().WithSummary("The charger's OCPP message log, newest first");
        chargers.MapGet("/{id}/status-history", StatusHistoryAsync).RequireRead().WithSummary("The connectors' status timeline");
        return api;
    }

    private static async Task<Results<Created<ChargerView>, Ok<ChargerView>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterChargerRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        var outcome = await RegisterOneAsync(request, http, store, engines, time, ct);
        return outcome switch
        {
            { Errors: { } errors, Title: { } title } => TypedResults.ValidationProblem(errors, title: title),
            { Errors: { } errors } => TypedResults.ValidationProblem(errors),
            { Charger: { } view, Created: true } => TypedResults.Created($"/api/v1/chargers/{Uri.EscapeDataString(view.Id)}", view),
            { Charger: { } view } => TypedResults.Ok(view),
            _ => TypedResults.Problem(title: outcome.Title, detail: outcome.Detail, statusCode: outcome.Status),
        };
    }

    /// <summary>
    /// Many registrations in one request, one rate-limit token: an admin provisioning a fleet is not refused by the
    /// API's rate limit. Each charger is registered as by <c>POST /api/v1/chargers</c> (its own observation at its
    /// site) and gets its own outcome; a refused one does not stop the others, and the request can be sent again as
    /// it is (a registration that is already there is an update that changes nothing).
    /// </summary>
    private static async Task<Results<Ok<BulkRegistrationView>, ValidationProblem>> RegisterManyAsync(
        RegisterChargersRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        var list = request.Chargers;
        if (list is null || list.Count is 0 or > MaxBulk)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["chargers"] = [$"Send 1 to {MaxBulk:N0} chargers (this request has {list?.Count ?? 0}); split a larger fleet into several requests."] },
                title: "The bulk registration is not valid");
        }

        var duplicates = list.Select((c, i) => (c?.Id, i)).Where(x => x.Id is not null).GroupBy(x => x.Id, StringComparer.Ordinal).Where(g => g.Count() > 1).ToList();
        var missing = list.Select((c, i) => (c, i)).Where(x => x.c is null).ToList();
        if (duplicates.Count > 0 || missing.Count > 0)
        {
            var errors = new Dictionary<string, string[]>();
            foreach (var group in duplicates)
            {
                foreach (var (_, i) in group.Skip(1))
                {
                    errors[$"chargers[{i}].id"] = [$"Charger '{group.Key}' is also at chargers[{group.First().i}]: send each charger once."];
                }
            }

            foreach (var (_, i) in missing)
            {
                errors[$"chargers[{i}]"] = ["A registration is an object with at least an id."];
            }

            return TypedResults.ValidationProblem(errors, title: "The bulk registration is not valid");
        }

        var outcomes = new Registration[list.Count];
        await Parallel.ForAsync(0, list.Count, new ParallelOptions { MaxDegreeOfParallelism = BulkConcurrency, CancellationToken = ct }, async (i, token) =>
            outcomes[i] = await RegisterOneAsync(list[i], http, store, engines, time, token, bulk: true));
        var items = new List<BulkRegistrationItem>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var o = outcomes[i];
            items.Add(o.Charger is { } view
                ? new BulkRegistrationItem(list[i].Id, o.Created ? "created" : "updated", view)
                : new BulkRegistrationItem(list[i].Id, "refused", Status: o.Status, Errors: o.Errors, Detail: o.Detail));
        }

        return TypedResults.Ok(new BulkRegistrationView(
            items.Count(x => x.Outcome == "created"), items.Count(x => x.Outcome == "updated"), items.Count(x => x.Outcome == "refused"), items));
    }

    /// <summary>What registering one charger came to: its view (created or updated), or why it was refused.</summary>
    private sealed record Registration(ChargerView? Charger, bool Created, int Status, Dictionary<string, string[]>? Errors, string? Title, string? Detail)
    {
        public static Registration Invalid(Dictionary<string, string[]> errors, string? title = "The charger registration is not valid") =>
            new(null, false, StatusCodes.Status400BadRequest, errors, title, null);
    }

    private static async Task<Registration> RegisterOneAsync(
        RegisterChargerRequest request, HttpContext http, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct, bool bulk = false)
    {
        var errors = Validate(request);
        if (errors.Count > 0)
        {
            return Registration.Invalid(errors);
        }

        var id = new ChargerId(request.Id);
        var site = new SiteId(request.SiteId ?? SiteId.Default.Value);
        var existing = await store.Chargers.GetCredentialsAsync(id, ct);
        if (existing is not null && existing.SiteId != site.Value)
        {
            return new Registration(null, false, StatusCodes.Status409Conflict, null,
                "The charger belongs to another site",
                $"Charger '{id}' is registered at site '{existing.SiteId}'. Moving a charger to another site is not supported yet.");
        }

        // An update without a password keeps the one the charger has; security profiles 0 and 3 remove it
        // (profile 3 authenticates by certificate: a password left behind would be a second way in).
        var hash = request.Password is not null ? Secrets.HashPassword(request.Password)
            : request.SecurityProfile is 0 or 3 ? null
            : existing?.PasswordHash;
        if (request.SecurityProfile is null && request.Password is not null && existing is { SecurityProfile: 3 })
        {
            return Registration.Invalid(
                new Dictionary<string, string[]> { ["securityProfile"] = ["The charger uses security profile 3 (certificate); to give it a password, say which profile (1 or 2) it moves to."] });
        }

        var profile = request.SecurityProfile
            ?? (existing is { SecurityProfile: 3 } ? 3 : hash is null ? 0 : existing is { SecurityProfile: 1 or 2 } ? existing.SecurityProfile : 1);
        if (profile is 1 or 2 && hash is null)
        {
            return Registration.Invalid(
                new Dictionary<string, string[]> { ["securityProfile"] = [$"Security profile {profile} needs a password."] });
        }

        var observation = ApiObservations.Create(http, site, new ChargerRegistration(id, hash, profile, request.DisplayName), time, bulk ? id.Value : null);
        var reply = await engines.SubmitAsync(observation);
        if (reply is Refused refused)
        {
            return Registration.Invalid(new Dictionary<string, string[]> { ["id"] = [refused.Reason] }, title: null);
        }

        var view = ChargerView.From((await store.Chargers.GetAsync(id, ct))!);
        return new Registration(view, existing is null, existing is null ? StatusCodes.Status201Created : StatusCodes.Status200OK, null, null, null);
    }

    private static async Task<Ok<IReadOnlyList<ChargerView>>> ListAsync(string? siteId, Store store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<ChargerView>>([.. (await store.Chargers.ListAsync(siteId, ct)).Select(ChargerView.From)]);

    private static async Task<Results<Ok<ChargerView>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        ChargerId.IsValid(id) && await store.Chargers.GetAsync(new ChargerId(id), ct) is { } charger
            ? TypedResults.Ok(ChargerView.From(charger))
            : NotFound(id);

    private static async Task<Results<Ok<Page<MessageView>>, ProblemHttpResult>> MessagesAsync(
        string id, long? before, int? limit, Store store, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok((await store.Messages.ListAsync(new ChargerId(id), before, limit ?? 100, ct)).Map(MessageView.From));
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
        return TypedResults.Ok<IReadOnlyList<StatusEntryView>>([.. (await store.Chargers.StatusHistoryAsync(new ChargerId(id), since, until, Math.Clamp(limit ?? 1_000, 1, 10_000), ct)).Select(StatusEntryView.From)]);
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(title: "No such charger", detail: $"No charger '{id}' is registered.", statusCode: StatusCodes.Status404NotFound);

    private static Dictionary<string, string[]> Validate(RegisterChargerRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Id is null || !ChargerId.IsValid(request.Id))
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
