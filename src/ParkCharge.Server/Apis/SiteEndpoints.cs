using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

/// <summary>The site as the API shows it: its configuration with camera keys as hashes only.</summary>
public sealed record SiteResponse(string Id, string Name, string TimeZone, string Currency, DateTimeOffset UpdatedAt, JsonElement Configuration);

/// <summary>/api/v1/sites: topology, bays with their occupants, occupancy.</summary>
internal static class SiteEndpoints
{
    public static RouteGroupBuilder MapSiteEndpoints(this RouteGroupBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");
        sites.MapGet("/", ListAsync).WithSummary("Configured sites");
        sites.MapGet("/{id}", GetAsync).WithSummary("One site with its configuration");
        sites.MapGet("/{id}/bays", BaysAsync).WithSummary("EV bays with the vehicle standing there and the connector's status");
        sites.MapGet("/{id}/occupancy", OccupancyAsync).WithSummary("Vehicles inside against capacity, EV bays occupied");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<SiteResponse>>> ListAsync(Store store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<SiteResponse>>([.. (await store.Parking.SitesAsync(ct)).Select(Response)]);

    private static async Task<Results<Ok<SiteResponse>, ProblemHttpResult>> GetAsync(string id, Store store, CancellationToken ct) =>
        await store.Parking.GetSiteAsync(id, ct) is { } site ? TypedResults.Ok(Response(site)) : NoSuchSite(id);

    private static async Task<Results<Ok<IReadOnlyList<BayView>>, ProblemHttpResult>> BaysAsync(string id, Store store, CancellationToken ct)
    {
        if (await store.Parking.GetSiteAsync(id, ct) is not { } site)
        {
            return NoSuchSite(id);
        }

        var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
        var visits = await store.Parking.CurrentVisitsAsync(id, ct);
        var chargers = (await store.Chargers.ListAsync(id, ct)).ToDictionary(c => c.Id, StringComparer.Ordinal);
        return TypedResults.Ok<IReadOnlyList<BayView>>([.. configuration.EvBays.Select(bay => new BayView(
            bay.Id,
            bay.Charger.Value,
            bay.Connector,
            chargers.GetValueOrDefault(bay.Charger.Value)?.Connectors.FirstOrDefault(c => (c.EvseId ?? c.ConnectorId) == bay.Connector && (c.EvseId is null || c.ConnectorId == 1))?.Status,
            visits.GetValueOrDefault(bay.Id) is { } visit ? new BayOccupantView(visit.Plate, visit.Id, visit.ParkingSessionId, visit.StartedAt, visit.LastSeenAt) : null))]);
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

    private static SiteResponse Response(SiteView site)
    {
        using var document = JsonDocument.Parse(site.ConfigurationJson);
        return new SiteResponse(site.Id, site.Name, site.TimeZone, site.Currency, site.UpdatedAt, document.RootElement.Clone());
    }

    private static ProblemHttpResult NoSuchSite(string id) =>
        TypedResults.Problem(title: "No such site", detail: $"No site '{id}' is configured.", statusCode: StatusCodes.Status404NotFound);
}
