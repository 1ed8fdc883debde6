using System.Security.Claims;
using System.Text.Json;

using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>
/// The site as the API shows it: its document (the same shape as a site file, no charger passwords,
/// camera keys only as keyed hashes and only to admins, who may send the document back) and when it was last configured.
/// </summary>
public sealed record SiteResponse(string Id, string Name, string TimeZone, string Currency, DateTimeOffset UpdatedAt, JsonElement Document);

/// <summary>/api/v1/sites: topology, tariffs, bays with their occupants, occupancy.</summary>
internal static partial class SiteEndpoints
{
    public static RouteGroupBuilder MapSiteEndpoints(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapGet("/", ListAsync).RequireRead().WithSummary("Configured sites");
        sites.MapGet("/{id}", GetAsync).RequireRead().WithSummary("One site with its document (the same shape as a site file)");
        sites.MapPut("/{id}", PutAsync).RequireAdmin().WithBodyLimit(BodyLimits.SiteDocument).WithSummary("Configure a site from a site document (JSON); every problem is reported with its path");
        sites.MapGet("/{id}/tariffs", TariffsAsync).RequireRead().WithSummary("The site's tariffs: the tariffs section of its document");
        sites.MapPut("/{id}/tariffs", PutTariffsAsync).RequireAdmin().WithBodyLimit(BodyLimits.SiteDocument)
            .WithSummary("Set the site's tariffs (the tariffs section of a site document, as JSON) without sending the whole site; every problem is reported with its path");
        sites.MapGet("/{id}/bays", BaysAsync).RequireRead().WithSummary("EV bays with the vehicle standing there and the connector's status");
        sites.MapGet("/{id}/cameras", CamerasAsync).RequireRead()
            .WithSummary("The site's cameras and their health: last push, pushes in the last hour against the usual rate, clock offset, poor reads, open alarms");
        sites.MapGet("/{id}/occupancy", OccupancyAsync).RequireRead().WithSummary("Vehicles inside against capacity, EV bays occupied");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<SiteResponse>>> ListAsync(ClaimsPrincipal user, Store store, Proxy.UpstreamDirectory upstreams, CancellationToken ct)
    {
        var sites = new List<SiteResponse>();
        foreach (var site in await store.Parking.SitesAsync(ct))
        {
            sites.Add(await ResponseAsync(site, store, upstreams, ShowsKeyHashes(user), ct));
        }

        return TypedResults.Ok<IReadOnlyList<SiteResponse>>(sites);
    }

    private static async Task<Results<Ok<SiteResponse>, ProblemHttpResult>> GetAsync(string id, ClaimsPrincipal user, Store store, Proxy.UpstreamDirectory upstreams, CancellationToken ct) =>
        await store.Parking.GetSiteAsync(id, ct) is { } site ? TypedResults.Ok(await ResponseAsync(site, store, upstreams, ShowsKeyHashes(user), ct)) : NoSuchSite(id);

    /// <summary>Only admins see camera key hashes: they configure sites and send documents back; nobody else needs them.</summary>
    private static bool ShowsKeyHashes(ClaimsPrincipal user) => user.IsInRole(ApiRoles.Admin);

    /// <summary>
    /// The document is validated like a site file, with two differences: <c>${NAME}</c> is not
    /// replaced (an API client must not read the server's environment through it), and bays may use
    /// chargers already registered at the site without listing them (and keep their passwords).
    /// </summary>
    private static async Task<Results<Ok<SiteResponse>, Created<SiteResponse>, ProblemHttpResult>> PutAsync(
        string id, HttpRequest request, Store store, SiteConfigurator configurator, KeyHasher keys, Proxy.UpstreamDirectory upstreams, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        var registered = (await store.Chargers.ListAsync(id, ct)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var result = SiteFile.Parse(text, "request body", new Dictionary<string, string?>(), keys, registered);
        if (result.IsValid && result.Configuration!.Id.Value != id)
        {
            result = result with { Errors = [new DocumentProblem("id", $"the document is for site '{result.Configuration.Id}', not '{id}'")], Configuration = null };
        }

        if (!result.IsValid)
        {
            return Invalid(result.Errors);
        }

        try
        {
            var applied = await configurator.ApplyAsync(result, "api", ct);
            var response = await ResponseAsync((await store.Parking.GetSiteAsync(id, ct))!, store, upstreams, showKeyHashes: true, ct);
            return applied.Created ? TypedResults.Created($"/api/v1/sites/{id}", response) : TypedResults.Ok(response);
        }
        catch (SiteDocumentException e)
        {
            return Invalid(e.Problems, StatusCodes.Status409Conflict);
        }
    }

    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> TariffsAsync(string id, Store store, CancellationToken ct) =>
        await store.Parking.GetSiteAsync(id, ct) is { } site ? TypedResults.Ok(TariffsJson(site)) : NoSuchSite(id);

    /// <summary>
    /// Validated as the <c>tariffs</c> section of a site document (paths start inside the body), against
    /// the site's currency and its chargers, and applied like a site document: an observation in the
    /// site's log. <c>${NAME}</c> is not replaced, as in <see cref="PutAsync"/>.
    /// </summary>
    private static async Task<Results<Ok<JsonElement>, ProblemHttpResult>> PutTariffsAsync(
        string id, HttpRequest request, Store store, SiteConfigurator configurator, ILoggerFactory loggers, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(id, ct) is not { } site)
        {
            return NoSuchSite(id);
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var chargers = (await store.Chargers.ListAsync(id, ct)).Select(c => c.Id)
            .Concat(configuration.EvBays.Select(b => b.Charger.Value))
            .ToHashSet(StringComparer.Ordinal);
        var result = SiteFile.ParseTariffs(text, configuration, chargers, new Dictionary<string, string?>());
        if (!result.IsValid)
        {
            var logger = loggers.CreateLogger(typeof(SiteEndpoints));
            if (logger.IsEnabled(LogLevel.Information))
            {
                LogTariffsRefused(logger, id, result.Errors.Count);
            }

            return Invalid(result.Errors, title: "The tariffs document is not valid");
        }

        try
        {
            await configurator.ApplyTariffsAsync(configuration.Id, result.Tariffs!, "api", ct);
        }
        catch (SiteDocumentException e)
        {
            return Invalid(e.Problems, StatusCodes.Status409Conflict, "The tariffs cannot be applied");
        }

        return TypedResults.Ok(TariffsJson((await store.Parking.GetSiteAsync(id, ct))!));
    }

    private static JsonElement TariffsJson(SiteRecord site)
    {
        using var document = JsonDocument.Parse(TariffsDocument.From(LogJson.DeserializeSite(site.ConfigurationJson).Tariffs).ToJson());
        return document.RootElement.Clone();
    }

    [LoggerMessage(EventId = 5050, Level = LogLevel.Information, Message = "A tariffs document for site {SiteId} was refused with {Count} problem(s)")]
    private static partial void LogTariffsRefused(ILogger logger, string siteId, int count);

    /// <summary>The most problems one answer lists: a document with thousands of mistakes is better fixed from the first ones.</summary>
    private const int MaxProblemsListed = 100;

    private static ProblemHttpResult Invalid(IReadOnlyList<DocumentProblem> problems, int status = StatusCodes.Status400BadRequest, string? title = null) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title ?? (status == StatusCodes.Status409Conflict ? "The site conflicts with another site" : "The site document is not valid"),
            Detail = problems.Count <= MaxProblemsListed ? $"{problems.Count} problem(s); see errors." : $"{problems.Count} problems; errors lists the first {MaxProblemsListed}.",
            Extensions = { ["errors"] = problems.Take(MaxProblemsListed).Select(p => p.ToString()).ToArray() },
        });

    private static async Task<Results<Ok<IReadOnlyList<BayView>>, ProblemHttpResult>> BaysAsync(string id, Store store, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(id, ct) is not { } site)
        {
            return NoSuchSite(id);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var visits = await store.Parking.CurrentVisitsAsync(id, ct);
        var chargers = (await store.Chargers.ListAsync(id, ct)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        var active = await store.Sessions.ActiveAsync(id, ct);
        var bays = new List<BayView>();
        foreach (var bay in configuration.EvBays)
        {
            var status = chargers.GetValueOrDefault(bay.Charger.Value)?.Connectors
                .FirstOrDefault(c => (c.EvseId ?? c.ConnectorId) == bay.Connector && (c.EvseId is null || c.ConnectorId == 1))?.Status;
            var session = active.FirstOrDefault(a => a.ChargerId == bay.Charger.Value && a.Outlet == bay.Connector);
            var visit = visits.GetValueOrDefault(bay.Id);
            var state = BayStates.Of(
                vehiclePresent: visit is not null,
                chargingFinished: visit?.ChargingFinishedAt is not null,
                connector: Enum.TryParse<ConnectorStatus>(status, out var s) ? s : null,
                session: Enum.TryParse<ChargingState>(session.ChargingState, out var cs) ? cs : null,
                sessionActive: session.ChargerId is not null);
            bays.Add(new BayView(
                bay.Id,
                bay.Charger.Value,
                bay.Connector,
                state.ToString(),
                status,
                visit is null ? null : new BayOccupantView(visit.Plate, visit.Id, visit.ParkingSessionId, visit.StartedAt, visit.LastSeenAt,
                    visit.ChargingSessionIds, visit.IceDetectedAt, visit.ChargingFinishedAt, visit.IdleSince)));
        }

        return TypedResults.Ok<IReadOnlyList<BayView>>(bays);
    }

    /// <summary>Read from the site engine's own state (the health is kept there, on the engine's clock), in the site file's camera order.</summary>
    private static async Task<Results<Ok<IReadOnlyList<CameraHealthView>>, ProblemHttpResult>> CamerasAsync(string id, Store store, SiteEngines engines, TimeProvider time, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(id, ct) is null)
        {
            return NoSuchSite(id);
        }

        var now = time.GetUtcNow();
        var cameras = await engines.ReadAsync(new Core.Sites.SiteId(id), state => state.Configuration is { } config
            ? config.Cameras.Select(c => CameraHealthView.Of(c, state.Cameras.Find(c.Id), now)).ToList()
            : []);
        return TypedResults.Ok<IReadOnlyList<CameraHealthView>>(cameras);
    }

    private static async Task<Results<Ok<OccupancyView>, ProblemHttpResult>> OccupancyAsync(string id, Store store, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(id, ct) is not { } site)
        {
            return NoSuchSite(id);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var visits = await store.Parking.CurrentVisitsAsync(id, ct);
        return TypedResults.Ok(new OccupancyView(
            id,
            configuration.Capacity,
            await store.Parking.VehiclesInsideAsync(id, ct),
            configuration.EvBays.Count,
            configuration.EvBays.Count(b => visits.ContainsKey(b.Id)),
            configuration.OrdinaryBays));
    }

    private static async Task<SiteResponse> ResponseAsync(SiteRecord site, Store store, Proxy.UpstreamDirectory upstreams, bool showKeyHashes, CancellationToken ct)
    {
        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var chargers = new List<SiteChargerDeclaration>();
        foreach (var c in await store.Chargers.ListAsync(site.Id, ct))
        {
            var id = new Core.Charging.ChargerId(c.Id);
            chargers.Add(new SiteChargerDeclaration(id, null, c.SecurityProfile, c.DisplayName) { Upstreams = await upstreams.WithoutSecretsAsync(id, ct) });
        }

        using var document = JsonDocument.Parse(SiteDocument.From(configuration, chargers, showKeyHashes).ToJson());
        return new SiteResponse(site.Id, site.Name, site.TimeZone, site.Currency, site.UpdatedAt, document.RootElement.Clone());
    }

    private static ProblemHttpResult NoSuchSite(string id) =>
        TypedResults.Problem(title: "No such site", detail: $"No site '{id}' is configured.", statusCode: StatusCodes.Status404NotFound);
}
