using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Proxy;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>
/// One of a charger's upstream backends (proxy mode) as the API shows it: its settings without secrets and
/// how its connection is doing.
/// </summary>
/// <param name="Role"><c>primary</c> or <c>observer</c>.</param>
/// <param name="Url">The backend's OCPP-J endpoint; <see cref="Endpoint"/> is what ParkCharge connects to (the identity appended).</param>
/// <param name="PasswordSet">Whether a Basic password is stored (the password itself is never shown).</param>
/// <param name="AllowedActions">The backend → charger actions it may send; null: all (a primary); empty: none (an observer).</param>
/// <param name="TimeoutSeconds">How long it may take to answer before ParkCharge answers by the outage policy.</param>
/// <param name="State"><c>Connecting</c>, <c>Connected</c>, <c>Waiting</c> (lost, retrying with back-off), <c>Closed</c>, or <c>ChargerOffline</c> (opened only while the charger is connected).</param>
/// <param name="QueueLength">Charger messages waiting for this upstream: queued durably for a primary that was away, copies for an observer.</param>
/// <param name="Forwarded">Messages it answered since the charger connected.</param>
/// <param name="Queued">A primary: charger messages ParkCharge answered itself and queued for it since the charger connected.</param>
/// <param name="Replayed">A primary: queued messages delivered to it since the charger connected (from this connection or an earlier one).</param>
/// <param name="LastError">What went wrong last (refused credentials, no connection, an unanswered message), if anything.</param>
public sealed record UpstreamView(
    string Name,
    string Role,
    string Url,
    string Endpoint,
    string Identity,
    bool PasswordSet,
    string? ClientCertificate,
    string? CaCertificate,
    IReadOnlyList<string>? AllowedActions,
    double TimeoutSeconds,
    string State,
    DateTimeOffset? ConnectedSince,
    long QueueLength,
    long Forwarded,
    long Queued,
    long Replayed,
    string? LastError,
    DateTimeOffset? LastErrorAt);

/// <summary>/api/v1/chargers/{id}/upstreams: proxy mode's backends per charger.</summary>
internal static class UpstreamEndpoints
{
    public static RouteGroupBuilder MapUpstreamEndpoints(this RouteGroupBuilder api)
    {
        var chargers = api.MapGroup("/chargers").WithTags("Chargers");
        chargers.MapGet("/{id}/upstreams", ListAsync).RequireRead().WithSummary("The charger's upstream backends (proxy mode) with their connection state, queue and last error");
        chargers.MapPut("/{id}/upstreams", PutAsync).RequireAdmin().WithBodyLimit(BodyLimits.SiteDocument)
            .WithSummary("Set the charger's upstream backends (a list as in a site file's upstreams; an upstream sent without its password keeps the stored one; [] ends proxying)");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<UpstreamView>>, ProblemHttpResult>> ListAsync(
        string id, Store store, UpstreamDirectory directory, ChargerProxies proxies, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is null)
        {
            return NotFound(id);
        }

        return TypedResults.Ok(await ViewsAsync(new ChargerId(id), directory, proxies, ct));
    }

    private static async Task<Results<Ok<IReadOnlyList<UpstreamView>>, ProblemHttpResult>> PutAsync(
        string id, HttpRequest request, Store store, UpstreamDirectory directory, ChargerProxies proxies, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is null)
        {
            return NotFound(id);
        }

        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        var readErrors = new List<DocumentProblem>();
        var root = DocumentReader.Read(text, readErrors);
        var (upstreams, errors, _) = root is null
            ? ([], readErrors, [])
            : SiteFileValidator.ValidateUpstreams(root, new ChargerId(id), new Dictionary<string, string?>()); // ${NAME} is not the API's to read
        if (readErrors.Count > 0 || errors.Count > 0)
        {
            var problems = readErrors.Concat(errors).ToList();
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The upstreams are not valid",
                Detail = $"{problems.Count} problem(s); see errors.",
                Extensions = { ["errors"] = problems.Take(50).Select(p => p.ToString()).ToArray() },
            });
        }

        await directory.SetAsync(new ChargerId(id), upstreams, ct);
        return TypedResults.Ok(await ViewsAsync(new ChargerId(id), directory, proxies, ct));
    }

    internal static async Task<IReadOnlyList<UpstreamView>> ViewsAsync(ChargerId charger, UpstreamDirectory directory, ChargerProxies proxies, CancellationToken ct)
    {
        var withSecrets = await directory.WithSecretsAsync(charger, ct);
        var live = proxies.Find(charger);
        var views = new List<UpstreamView>();
        foreach (var upstream in await directory.WithoutSecretsAsync(charger, ct))
        {
            var link = live?.Links.FirstOrDefault(l => l.Upstream.Name == upstream.Name && l.Upstream.Endpoint == upstream.Endpoint);
            views.Add(new UpstreamView(
                upstream.Name,
                upstream.Role == UpstreamRole.Observer ? "observer" : "primary",
                upstream.Url.ToString(),
                upstream.Endpoint.ToString(),
                upstream.Identity,
                withSecrets.Contains(upstream.Name),
                upstream.ClientCertificate,
                upstream.CaCertificate,
                upstream.AllowedActions,
                upstream.Timeout.TotalSeconds,
                link?.State.ToString() ?? "ChargerOffline",
                link?.ConnectedSince,
                link?.QueueLength ?? 0,
                link?.Forwarded ?? 0,
                link?.Queued ?? 0,
                link?.Replayed ?? 0,
                link?.LastError,
                link?.LastErrorAt));
        }

        return views;
    }

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(title: "No such charger", detail: $"No charger '{id}' is registered.", statusCode: StatusCodes.Status404NotFound);
}
