using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.ApiKeys;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// What a node does when it starts: makes sure an admin API key exists (printing a generated one
/// once), marks the chargers this node held before a crash as disconnected, and prints where it listens.
/// </summary>
internal sealed partial class NodeStartup(
    Store store,
    SiteEngines engines,
    SiteConfigurator configurator,
    KeyHasher hasher,
    IOptions<ParkChargeOptions> options,
    IServer server,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<NodeStartup> logger) : IHostedService
{
    private string? _generatedKey;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _generatedKey = await EnsureApiKeyAsync(cancellationToken);
        await LoadSiteFilesAsync(cancellationToken);
        await ReleaseOwnConnectionsAsync(cancellationToken);

        // Replay every site now, so that the first charger or camera is not kept waiting and every
        // site's timers (maximum stays, waiting windows) run even before anything arrives.
        foreach (var site in await store.Log.SitesAsync(cancellationToken))
        {
            await engines.WarmUpAsync(site);
        }
        lifetime.ApplicationStarted.Register(PrintBanner);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task<string?> EnsureApiKeyAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (options.Value.ApiKey is { Length: > 0 } configured)
        {
            var hash = hasher.Hash(configured);
            if (await FindAsync(configured, ct) is null)
            {
                await store.ApiKeys.CreateAsync(new ApiKeyRecord(ApiKeyIssuer.IdFor(hash), "configured admin key", ApiRoles.Admin, hash, now, null) { CreatedBy = "PARKCHARGE_API_KEY" }, ct);
            }

            return null;
        }

        if (await store.ApiKeys.AnyActiveAsync(ct))
        {
            return null;
        }

        var key = Secrets.NewApiKey();
        var keyHash = hasher.Hash(key);
        await store.ApiKeys.CreateAsync(new ApiKeyRecord(ApiKeyIssuer.IdFor(keyHash), "generated admin key", ApiRoles.Admin, keyHash, now, null) { CreatedBy = "first start" }, ct);
        return key;
    }

    private async Task<Storage.ApiKeys.ApiKeyRecord?> FindAsync(string key, CancellationToken ct)
    {
        foreach (var form in hasher.StoredForms(key))
        {
            if (await store.ApiKeys.FindByHashAsync(form, ct) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// A node that crashed could not record its chargers' disconnections. Their sockets died with it;
    /// say so now. A charger that already reconnected elsewhere is unaffected: the engine ignores a
    /// close for a connection that is no longer current.
    /// </summary>
    private async Task ReleaseOwnConnectionsAsync(CancellationToken ct)
    {
        var node = options.Value.NodeId;
        foreach (var charger in await store.Chargers.ListAsync(siteId: null, ct))
        {
            if (charger.Connection is { Connected: true, Node: var held, ConnectionId: { } connectionId } && held == node)
            {
                var now = time.GetUtcNow();
                await engines.SubmitAsync(new Observation
                {
                    Site = new SiteId(charger.SiteId),
                    Source = $"node:{node}",
                    Key = $"node:{node}:release:{connectionId}",
                    EventTime = now,
                    ReceivedAt = now,
                    Payload = new ConnectionClosed(new ChargerId(charger.Id), connectionId, "server restarted"),
                });
                LogReleased(logger, charger.Id, connectionId);
            }
        }
    }

    /// <summary>
    /// The node's site files: each is validated (every problem reported, with its path), then applied.
    /// A broken file stops the start: running with a half-understood car park would mis-bill.
    /// </summary>
    private async Task LoadSiteFilesAsync(CancellationToken ct)
    {
        var environment = SiteFile.ProcessEnvironment();
        foreach (var path in options.Value.SiteFiles)
        {
            var result = SiteFile.Load(path, environment, hasher);
            if (!result.IsValid)
            {
                throw new SiteDocumentException(path, result.Errors);
            }

            foreach (var warning in result.Warnings)
            {
                LogSiteWarning(logger, path, warning.ToString());
            }

            var applied = await configurator.ApplyAsync(result, $"site-file:{Path.GetFileName(path)}", ct);
            LogSiteLoaded(logger, path, result.Configuration!.Id.Value, applied.ConfigurationChanged, applied.ChargersRegistered.Count);
        }
    }

    private void PrintBanner()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var http = addresses.FirstOrDefault() ?? ParkChargeApp.DefaultUrl;
        var ws = http.StartsWith("https://", StringComparison.Ordinal) ? "wss://" + http["https://".Length..] : "ws://" + http["http://".Length..];
        Console.WriteLine($"ParkCharge node '{options.Value.NodeId}' is running ({store.Database.Engine}: {store.Database.Describe()})");
        Console.WriteLine($"  OCPP:               {ws}/ocpp/{{chargePointId}}   (1.6J, 2.0.1, 2.1)");
        Console.WriteLine($"  API:                {http}/api/v1   (reference: {http}/api/reference, OpenAPI: {http}/openapi/v1.json, health: {http}/healthz)");
        Console.WriteLine($"  Dashboard:          {http}/dashboard/   (sign in with an API key)");
        if (_generatedKey is not null)
        {
            Console.WriteLine($"  Admin API key (shown once; keep it): {_generatedKey}");
        }

        Console.WriteLine("  Stop with Ctrl+C.");
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Site file {Path}: {Warning}")]
    private static partial void LogSiteWarning(ILogger logger, string path, string warning);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Site file {Path}: site {Site} loaded (configuration changed: {Changed}, chargers registered: {Chargers})")]
    private static partial void LogSiteLoaded(ILogger logger, string path, string site, bool changed, int chargers);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Charger {Charger}: connection {ConnectionId} was held by this node before it restarted; marked disconnected")]
    private static partial void LogReleased(ILogger logger, string charger, string connectionId);
}
