using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;

namespace ParkCharge.Server.Sites;

/// <summary>What applying a site document changed.</summary>
public sealed record SiteApplied(bool Created, bool ConfigurationChanged, IReadOnlyList<string> ChargersRegistered);

/// <summary>A site document that cannot be applied: its problems, each with its path.</summary>
public sealed class SiteDocumentException(string source, IReadOnlyList<DocumentProblem> problems)
    : Exception($"{source}: {string.Join("; ", problems)}")
{
    public string Document { get; } = source;

    public IReadOnlyList<DocumentProblem> Problems { get; } = problems;
}

/// <summary>
/// Applies a validated site document, from a site file at start or from the API: registers the
/// chargers it declares where their registration differs, then sets the site's configuration if it
/// differs from the stored one. Both go through the site engine as observations (DESIGN.md §1), so
/// the log says when each topology came into force. Unchanged documents change nothing, so a node
/// can load its site files at every start.
/// </summary>
public sealed class SiteConfigurator(Store store, SiteEngines engines, CameraDirectory cameras, Proxy.UpstreamDirectory upstreams, TimeProvider time)
{
    /// <exception cref="SiteDocumentException">The document conflicts with another site (a camera id or a charger of another site).</exception>
    public async Task<SiteApplied> ApplyAsync(SiteFileResult document, string source, CancellationToken ct)
    {
        var configuration = document.Configuration ?? throw new ArgumentException("Only a valid document can be applied.", nameof(document));
        await CheckOtherSitesAsync(document, source, ct);

        var registered = new List<string>();
        foreach (var declaration in document.Chargers)
        {
            var existing = await store.Chargers.GetCredentialsAsync(declaration.Charger, ct);
            var view = existing is null ? null : await store.Chargers.GetAsync(declaration.Charger, ct);
            var passwordHash = declaration.Password is not null
                ? existing?.PasswordHash is { } current && Secrets.VerifyPassword(declaration.Password, current) ? current : declaration.PasswordHash
                : declaration.SecurityProfile is 1 or 2 ? existing?.PasswordHash : null; // profile 3: the certificate, not a password
            var unchanged = existing is not null
                && existing.SecurityProfile == declaration.SecurityProfile
                && existing.PasswordHash == passwordHash
                && (declaration.DisplayName is null || view?.DisplayName == declaration.DisplayName);
            if (!unchanged)
            {
                await SubmitAsync(configuration.Id, source, new ChargerRegistration(declaration.Charger, passwordHash, declaration.SecurityProfile, declaration.DisplayName));
                registered.Add(declaration.Charger.Value);
            }
        }

        // Proxy mode: a charger the document declares is proxied to exactly the upstreams it lists (none: not proxied).
        foreach (var declaration in document.Chargers)
        {
            await upstreams.SetAsync(declaration.Charger, declaration.Upstreams, ct);
        }

        var stored = await store.Parking.GetSiteAsync(configuration.Id.Value, ct);
        var previous = stored is null ? null : LogJson.DeserializeSite(stored.ConfigurationJson);
        if (!document.DeclaresTariffs && previous is not null)
        {
            // A document without a tariffs section describes the topology only: the site keeps its tariffs.
            configuration = configuration with { Tariffs = previous.Tariffs };
        }

        var changed = await ConfigureAsync(previous, configuration, source);
        return new SiteApplied(stored is null, changed, registered);
    }

    /// <summary>
    /// Sets a configured site's tariffs, through the site engine like a whole document (so the log
    /// says when they came into force; a settled bill keeps the tariffs it was computed with).
    /// </summary>
    /// <returns>Whether the tariffs changed (the same tariffs again change nothing).</returns>
    /// <exception cref="SiteDocumentException">The site is not configured.</exception>
    public async Task<bool> ApplyTariffsAsync(Core.Sites.SiteId site, Core.Billing.SiteTariffs tariffs, string source, CancellationToken ct)
    {
        var stored = await store.Parking.GetSiteAsync(site.Value, ct)
            ?? throw new SiteDocumentException(source, [new DocumentProblem("", $"site '{site}' is not configured")]);
        var current = LogJson.DeserializeSite(stored.ConfigurationJson);
        return await ConfigureAsync(current, current with { Tariffs = tariffs }, source);
    }

    private async Task<bool> ConfigureAsync(Core.Sites.SiteConfiguration? current, Core.Sites.SiteConfiguration configuration, string source)
    {
        if (current is not null && LogJson.Serialize(current) == LogJson.Serialize(configuration))
        {
            return false;
        }

        await SubmitAsync(configuration.Id, source, new SiteConfigured(configuration));
        cameras.Invalidate();
        return true;
    }

    /// <summary>Camera ids are unique across sites (a push names only its camera); a charger belongs to one site.</summary>
    private async Task CheckOtherSitesAsync(SiteFileResult document, string source, CancellationToken ct)
    {
        var configuration = document.Configuration!;
        var problems = new List<DocumentProblem>();
        foreach (var other in await store.Parking.SitesAsync(ct))
        {
            if (other.Id == configuration.Id.Value)
            {
                continue;
            }

            var theirs = LogJson.DeserializeSite(other.ConfigurationJson).Cameras.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var camera in configuration.Cameras.Where(c => theirs.Contains(c.Id)))
            {
                problems.Add(new DocumentProblem("cameras", $"camera '{camera.Id}' is already configured at site '{other.Id}'; camera ids are unique across sites"));
            }
        }

        foreach (var declaration in document.Chargers)
        {
            if (await store.Chargers.GetCredentialsAsync(declaration.Charger, ct) is { } existing && existing.SiteId != configuration.Id.Value)
            {
                problems.Add(new DocumentProblem("chargers", $"charger '{declaration.Charger}' is registered at site '{existing.SiteId}'; moving a charger to another site is not supported yet"));
            }
        }

        if (problems.Count > 0)
        {
            throw new SiteDocumentException(source, problems);
        }
    }

    private async Task SubmitAsync(Core.Sites.SiteId site, string source, ObservationPayload payload)
    {
        var now = time.GetUtcNow();
        var reply = await engines.SubmitAsync(new Observation
        {
            Site = site,
            Source = source,
            Key = $"{source}:{Guid.NewGuid():N}",
            EventTime = now,
            ReceivedAt = now,
            Payload = payload,
        });
        if (reply is Refused refused)
        {
            throw new SiteDocumentException(source, [new DocumentProblem("", refused.Reason)]);
        }
    }
}
