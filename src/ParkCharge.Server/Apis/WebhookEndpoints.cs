using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json.Serialization;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Webhooks;
using ParkCharge.Storage;
using ParkCharge.Storage.Events;
using ParkCharge.Storage.Webhooks;

namespace ParkCharge.Server.Apis;

/// <summary>A new webhook subscription.</summary>
/// <param name="Url">Where events are POSTed (http or https).</param>
/// <param name="EventTypes">Type patterns: <c>charging.started</c>, <c>charging.*</c>, <c>*</c>. Omitted: every type.</param>
/// <param name="SiteIds">The sites delivered. Omitted or empty: every site.</param>
/// <param name="Secret">The signing secret (16 to 256 characters). Omitted: one is generated and shown once in the answer.</param>
/// <param name="Active">False creates it paused.</param>
public sealed record CreateWebhookRequest(
    [property: MaxLength(2000)] string Url,
    [property: MaxLength(100)] IReadOnlyList<string>? EventTypes = null,
    [property: MaxLength(1000)] IReadOnlyList<string>? SiteIds = null,
    [property: MaxLength(256)] string? Secret = null,
    string? Description = null,
    bool? Active = null);

/// <summary>Changes to a subscription; what is omitted stays as it is.</summary>
/// <param name="Status"><c>Active</c> or <c>Paused</c>. Making a dead subscription active resumes it.</param>
/// <param name="Secret">A new signing secret (16 to 256 characters); deliveries are signed with it from now on.</param>
/// <param name="OwnerKeyId">Admins only: give the subscription to another API key (e.g. the one replacing a retired key).</param>
public sealed record UpdateWebhookRequest(
    [property: MaxLength(2000)] string? Url = null,
    [property: MaxLength(100)] IReadOnlyList<string>? EventTypes = null,
    [property: MaxLength(1000)] IReadOnlyList<string>? SiteIds = null,
    [property: MaxLength(256)] string? Secret = null,
    string? Description = null,
    [property: MaxLength(20)] string? Status = null,
    [property: MaxLength(64)] string? OwnerKeyId = null);

/// <summary>Re-deliver a range of a site's events (those the subscription's filter wants), in order.</summary>
/// <param name="Site">Required unless the subscription covers exactly one site.</param>
/// <param name="ToSequence">Omitted: up to the site's last event now.</param>
public sealed record WebhookReplayRequest(long FromSequence, long? ToSequence = null, [property: MaxLength(64)] string? Site = null);

/// <summary>How far a subscription has delivered a site: its cursor and the site's last event.</summary>
public sealed record WebhookSiteView(string Site, long DeliveredSequence, long LastSequence);

/// <summary>A webhook subscription and the state of its delivery.</summary>
/// <param name="OwnerKeyId">The API key it belongs to (the one that made it); null for subscriptions older than owners, which only admins see.</param>
/// <param name="Status">Active, Paused or Dead (dead letter: an event failed every attempt; resume it).</param>
/// <param name="Attempts">Failed attempts at the event delivery is held at; 0 when healthy.</param>
public sealed record WebhookView(
    string Id,
    string Url,
    string? Description,
    string? OwnerKeyId,
    IReadOnlyList<string> EventTypes,
    IReadOnlyList<string> SiteIds,
    string Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset? DeadAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<WebhookSiteView> Sites,
    IReadOnlyList<WebhookReplay> Replays)
{
    /// <summary>Only in the answer that created it with a generated secret: keep it, it is not shown again.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Secret { get; init; }
}

/// <summary>
/// /api/v1/webhooks: subscriptions, their delivery log, resume and replay. A subscription belongs to the API
/// key that made it: a key sees, changes, replays and deletes only its own (another key's is "not found",
/// as if it did not exist); admins see and manage all, and may give one to another key. Targets must be
/// public addresses unless the operator allows private ones (<see cref="WebhookTargets"/>).
/// </summary>
internal static class WebhookEndpoints
{
    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks").RequireIntegration(); // integrators manage their own subscriptions
        webhooks.MapPost("/", CreateAsync).WithoutStoredAnswers().WithSummary("Subscribe a URL to events (the secret is shown once)");
        webhooks.MapGet("/", ListAsync).WithSummary("The calling key's subscriptions (an admin's: every subscription) with their delivery state");
        webhooks.MapGet("/{id}", GetAsync).WithSummary("One subscription: delivery state, cursors per site, pending replays");
        webhooks.MapPatch("/{id}", UpdateAsync).WithSummary("Change URL, filters, secret, description, or pause / activate");
        webhooks.MapDelete("/{id}", DeleteAsync).WithSummary("Remove a subscription and its delivery log");
        webhooks.MapPost("/{id}/resume", ResumeAsync).WithSummary("Resume a paused or dead-lettered subscription: the held event is tried at once");
        webhooks.MapPost("/{id}/replay", ReplayAsync).WithSummary("Deliver a range of a site's events again, in order");
        webhooks.MapGet("/{id}/deliveries", DeliveriesAsync).WithSummary("The delivery log, newest first: status code, duration, error, attempt");
        return api;
    }

    private static async Task<Results<Created<WebhookView>, ValidationProblem>> CreateAsync(
        CreateWebhookRequest request, ClaimsPrincipal user, Store store, WebhookSecrets secrets, WebhookTargets targets, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var url = await ValidateUrlAsync(request.Url, targets, errors, ct);
        var types = ValidateTypes(request.EventTypes, errors);
        var sites = ValidateSites(request.SiteIds, errors);
        ValidateSecret(request.Secret, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook subscription is not valid");
        }

        var secret = request.Secret ?? WebhookSecrets.New();
        var now = time.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Id = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            Url = url!,
            Description = request.Description,
            EventTypes = types!,
            SiteIds = sites!,
            ProtectedSecret = secrets.Protect(secret),
            Status = request.Active == false ? WebhookStatus.Paused : WebhookStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
            OwnerKeyId = KeyIdOf(user),
        };

        // Delivery starts with what happens from now on: every site starts at its current end.
        await store.Webhooks.CreateAsync(subscription, await StartCursorsAsync(store, subscription, ct), ct);
        dispatcher.Changed(subscription.Id);
        var view = (await ViewAsync(store, subscription.Id, ct))! with { Secret = request.Secret is null ? secret : null };
        return TypedResults.Created($"/api/v1/webhooks/{subscription.Id}", view);
    }

    private static async Task<Ok<IReadOnlyList<WebhookView>>> ListAsync(ClaimsPrincipal user, Store store, CancellationToken ct)
    {
        var views = new List<WebhookView>();
        foreach (var subscription in (await store.Webhooks.ListAsync(ct)).Where(s => Manages(user, s)))
        {
            views.Add(await ViewAsync(store, subscription, ct));
        }

        return TypedResults.Ok<IReadOnlyList<WebhookView>>(views);
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, Store store, CancellationToken ct) =>
        await OwnAsync(store, user, id, ct) is { } subscription ? TypedResults.Ok(await ViewAsync(store, subscription, ct)) : NotFound(id);

    private static async Task<Results<Ok<WebhookView>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        string id, UpdateWebhookRequest request, ClaimsPrincipal user, Store store, WebhookSecrets secrets, WebhookTargets targets, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken ct)
    {
        if (await OwnAsync(store, user, id, ct) is not { } current)
        {
            return NotFound(id);
        }

        var errors = new Dictionary<string, string[]>();
        var url = request.Url is null ? current.Url : await ValidateUrlAsync(request.Url, targets, errors, ct);
        if (request.OwnerKeyId is not null)
        {
            if (!user.IsInRole(ApiRoles.Admin))
            {
                errors["ownerKeyId"] = ["Only an admin gives a subscription to another API key."];
            }
            else if (await store.ApiKeys.GetAsync(request.OwnerKeyId, ct) is null)
            {
                errors["ownerKeyId"] = [$"No API key '{request.OwnerKeyId}'."];
            }
        }

        var types = request.EventTypes is null ? current.EventTypes : ValidateTypes(request.EventTypes, errors);
        var sites = request.SiteIds is null ? current.SiteIds : ValidateSites(request.SiteIds, errors);
        ValidateSecret(request.Secret, errors);
        string? status = null;
        if (request.Status is not null)
        {
            status = request.Status.Equals(WebhookStatus.Active, StringComparison.OrdinalIgnoreCase) ? WebhookStatus.Active
                : request.Status.Equals(WebhookStatus.Paused, StringComparison.OrdinalIgnoreCase) ? WebhookStatus.Paused
                : null;
            if (status is null)
            {
                errors["status"] = ["A subscription's status can be set to Active or Paused."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The webhook subscription is not valid");
        }

        var now = time.GetUtcNow();
        var updated = current with
        {
            Url = url!,
            EventTypes = types!,
            SiteIds = sites!,
            Description = request.Description ?? current.Description,
            ProtectedSecret = request.Secret is null ? current.ProtectedSecret : secrets.Protect(request.Secret),
            UpdatedAt = now,
            OwnerKeyId = request.OwnerKeyId ?? current.OwnerKeyId,
        };
        if (!await store.Webhooks.UpdateAsync(updated, await StartCursorsAsync(store, updated, ct), ct))
        {
            return NotFound(id);
        }

        if (status is not null && status != current.Status)
        {
            await store.Webhooks.SetStatusAsync(id, status, now, ct);
        }

        dispatcher.Changed(id);
        return await ViewAsync(store, id, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, ClaimsPrincipal user, Store store, WebhookDispatcher dispatcher, CancellationToken ct)
    {
        if (await OwnAsync(store, user, id, ct) is null || !await store.Webhooks.DeleteAsync(id, ct))
        {
            return NotFound(id);
        }

        dispatcher.Changed(id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<WebhookView>, ProblemHttpResult>> ResumeAsync(
        string id, ClaimsPrincipal user, Store store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken ct)
    {
        if (await OwnAsync(store, user, id, ct) is null || !await store.Webhooks.SetStatusAsync(id, WebhookStatus.Active, time.GetUtcNow(), ct))
        {
            return NotFound(id);
        }

        dispatcher.Changed(id);
        return await ViewAsync(store, id, ct) is { } view ? TypedResults.Ok(view) : NotFound(id);
    }

    private static async Task<Results<Accepted<WebhookReplay>, ValidationProblem, ProblemHttpResult>> ReplayAsync(
        string id, WebhookReplayRequest request, HttpContext http, Store store, WebhookDispatcher dispatcher, TimeProvider time, CancellationToken ct)
    {
        if (await OwnAsync(store, http.User, id, ct) is not { } subscription)
        {
            return NotFound(id);
        }

        var site = request.Site ?? (subscription.SiteIds.Count == 1 ? subscription.SiteIds[0] : null);
        if (site is null || !SiteId.IsValid(site))
        {
            return Invalid("site", "Name the site whose events to replay: sequence numbers are per site.");
        }

        if (!subscription.Covers(site))
        {
            return Invalid("site", $"The subscription does not deliver site '{site}'.");
        }

        var head = await store.Outbox.HeadAsync(site, ct);
        var to = request.ToSequence ?? head;
        if (request.FromSequence < 1 || to < request.FromSequence)
        {
            return Invalid("fromSequence", "A replay is a range of sequence numbers: 1 <= fromSequence <= toSequence.");
        }

        if (to > head)
        {
            return Invalid("toSequence", $"Site '{site}' has events up to sequence {head}.");
        }

        var replay = await store.Webhooks.AddReplayAsync(id, site, request.FromSequence, to, time.GetUtcNow(), ApiObservations.Operator(http.User), ct);
        dispatcher.Changed(id);
        return TypedResults.Accepted($"/api/v1/webhooks/{id}", WebhookReplay.From(replay));
    }

    private static async Task<Results<Ok<Page<WebhookDelivery>>, ProblemHttpResult>> DeliveriesAsync(
        string id, long? before, int? limit, ClaimsPrincipal user, Store store, CancellationToken ct)
    {
        if (await OwnAsync(store, user, id, ct) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok((await store.Webhooks.DeliveriesAsync(id, before, limit ?? 100, ct)).Map(WebhookDelivery.From));
    }

    /// <summary>Every site the subscription covers that has events, at its last event: where delivery starts for it.</summary>
    private static async Task<Dictionary<string, long>> StartCursorsAsync(Store store, WebhookSubscription subscription, CancellationToken ct)
    {
        var heads = await store.Outbox.RefreshHeadsAsync(ct);
        return heads.Where(h => subscription.Covers(h.Key)).ToDictionary(h => h.Key, h => h.Value, StringComparer.Ordinal);
    }

    private static async Task<WebhookView?> ViewAsync(Store store, string id, CancellationToken ct) =>
        await store.Webhooks.GetAsync(id, ct) is { } subscription ? await ViewAsync(store, subscription, ct) : null;

    private static async Task<WebhookView> ViewAsync(Store store, WebhookSubscription s, CancellationToken ct)
    {
        var heads = store.Outbox.Heads;
        var cursors = (await store.Webhooks.CursorsAsync(s.Id, ct)).ToDictionary(c => c.Site, c => c.DeliveredSequence, StringComparer.Ordinal);
        var sites = cursors.Keys.Union(heads.Keys.Where(s.Covers), StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(site => new WebhookSiteView(site, cursors.GetValueOrDefault(site), heads.GetValueOrDefault(site)))
            .ToList();
        return new WebhookView(
            s.Id, s.Url, s.Description, s.OwnerKeyId, s.EventTypes, s.SiteIds, s.Status, s.Attempts, s.NextAttemptAt, s.LastError, s.DeadAt,
            s.CreatedAt, s.UpdatedAt, sites, [.. (await store.Webhooks.PendingReplaysAsync(s.Id, ct)).Select(WebhookReplay.From)]);
    }

    /// <summary>The subscription if the caller may see and manage it (its owner, or an admin); null otherwise, alike for one that does not exist.</summary>
    private static async Task<WebhookSubscription?> OwnAsync(Store store, ClaimsPrincipal user, string id, CancellationToken ct) =>
        await store.Webhooks.GetAsync(id, ct) is { } subscription && Manages(user, subscription) ? subscription : null;

    private static bool Manages(ClaimsPrincipal user, WebhookSubscription subscription) =>
        user.IsInRole(ApiRoles.Admin) || (subscription.OwnerKeyId is { } owner && owner == KeyIdOf(user));

    private static string? KeyIdOf(ClaimsPrincipal user) => user.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value;

    /// <summary>An absolute http(s) URL whose host is a public address or one the operator allows.</summary>
    private static async Task<string?> ValidateUrlAsync(string? url, WebhookTargets targets, Dictionary<string, string[]> errors, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2_000
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors["url"] = ["The URL is an absolute http:// or https:// address (at most 2000 characters)."];
            return null;
        }

        if (await targets.RefusalAsync(uri, ct) is { } refusal)
        {
            errors["url"] = [$"Not a webhook target: {refusal}."];
            return null;
        }

        return uri.AbsoluteUri;
    }

    private static List<string>? ValidateTypes(IReadOnlyList<string>? patterns, Dictionary<string, string[]> errors)
    {
        if (!EventTypeFilter.TryParse(patterns, out var filter, out var error))
        {
            errors["eventTypes"] = [error];
            return null;
        }

        // A name or family that matches no published type is a typo: say so rather than deliver nothing.
        var unknown = filter.Patterns
            .Where(p => p != "*" && !EventCatalogue.Types.Any(t => p.EndsWith(".*", StringComparison.Ordinal) ? t.Name.StartsWith(p[..^1], StringComparison.Ordinal) : t.Name == p))
            .ToList();
        if (unknown.Count > 0)
        {
            errors["eventTypes"] = [$"No published event type matches {string.Join(", ", unknown.Select(u => $"'{u}'"))}; GET /api/v1/events/types lists them."];
            return null;
        }

        return [.. filter.Patterns];
    }

    private static List<string>? ValidateSites(IReadOnlyList<string>? sites, Dictionary<string, string[]> errors)
    {
        var list = (sites ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (list.FirstOrDefault(s => !SiteId.IsValid(s)) is { } bad)
        {
            errors["siteIds"] = [$"'{bad}' is not a site id (1 to 64 characters of a-z, 0-9, '-' and '_')."];
            return null;
        }

        return list;
    }

    private static void ValidateSecret(string? secret, Dictionary<string, string[]> errors)
    {
        if (secret is not null && (secret.Length is < 16 or > 256 || secret.Any(c => c is < ' ' or > '~')))
        {
            errors["secret"] = ["A webhook secret is 16 to 256 printable ASCII characters (or omit it to have one generated)."];
        }
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The replay is not valid");

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(title: "No such webhook subscription", detail: $"No webhook subscription '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
