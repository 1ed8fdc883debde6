using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

using ParkCharge.Server.Apis;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Ocpp;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Hosting;

/// <summary>Builds a ParkCharge node: the store, the site engines, the OCPP endpoint and the API.</summary>
public static class ParkChargeApp
{
    /// <summary>Where a node listens when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8180";

    /// <summary>
    /// Creates the application. <paramref name="settings"/> are configuration keys from the command
    /// line (they win over appsettings.json and environment variables); <paramref name="configure"/>
    /// lets tests replace services (the clock) before the application is built.
    /// </summary>
    public static async Task<WebApplication> CreateAsync(
        string[] args,
        IReadOnlyDictionary<string, string?>? settings = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration.AddInMemoryCollection(FromWellKnownEnvironmentVariables());
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        var options = builder.Configuration.GetSection(ParkChargeOptions.Section).Get<ParkChargeOptions>() ?? new ParkChargeOptions();
        builder.Services.Configure<ParkChargeOptions>(builder.Configuration.GetSection(ParkChargeOptions.Section));
        builder.Services.AddSingleton(TimeProvider.System);
        configure?.Invoke(builder);

        // The store is opened (and migrated) before the host is built, so it logs through a factory
        // configured like the host's own.
        var loggers = LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddConsole());
        var store = await Store.OpenAsync(
            new StoreOptions { DataDirectory = options.DataDirectory, PostgresConnectionString = options.Postgres },
            loggers,
            CancellationToken.None);
        builder.Services.AddSingleton(store);
        builder.Services.AddSingleton<Commands.CommandSignals>();
        builder.Services.AddSingleton<SiteEngines>();
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddSingleton<ChargerConnections>();
        builder.Services.AddSingleton<CameraDirectory>();
        builder.Services.AddSingleton<SiteConfigurator>();
        builder.Services.AddHostedService<NodeStartup>();
        builder.Services.AddHostedService<Commands.CommandDispatcher>();

        // Data protection is not used (no cookies), but authentication registers it: keep its keys in
        // the data folder rather than the user's profile, and its start-up chatter out of the console.
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")));
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddProblemDetails();
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null);
        builder.Services.AddAuthorization();
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(() =>
            app.Services.GetRequiredService<ChargerConnections>().CloseAllAsync(CancellationToken.None).GetAwaiter().GetResult());
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            app.Services.GetRequiredService<SiteEngines>().DisposeAsync().AsTask().GetAwaiter().GetResult();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            loggers.Dispose();
        });

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.UseWebSockets();
        app.MapOcppEndpoint();
        app.MapAnprEndpoints();
        app.MapHealthChecks("/healthz");
        app.MapOpenApi();
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapChargerEndpoints();
        api.MapChargingSessionEndpoints();
        api.MapParkingEndpoints();
        api.MapSiteEndpoints();
        api.MapBindingEndpoints();
        api.MapBillingEndpoints();
        api.MapCommandEndpoints();
        return app;
    }

    /// <summary>The documented shortcuts: <c>PARKCHARGE_POSTGRES</c> and <c>PARKCHARGE_API_KEY</c>.</summary>
    private static Dictionary<string, string?> FromWellKnownEnvironmentVariables()
    {
        var settings = new Dictionary<string, string?>();
        if (Environment.GetEnvironmentVariable("PARKCHARGE_POSTGRES") is { Length: > 0 } postgres)
        {
            settings["ParkCharge:Postgres"] = postgres;
        }

        if (Environment.GetEnvironmentVariable("PARKCHARGE_API_KEY") is { Length: > 0 } key)
        {
            settings["ParkCharge:ApiKey"] = key;
        }

        return settings;
    }
}

/// <summary>Healthy when the store answers.</summary>
internal sealed class StoreHealthCheck(Store store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await store.PingAsync(cancellationToken)
                ? HealthCheckResult.Healthy($"{store.Database.Engine} store answers")
                : HealthCheckResult.Unhealthy("The store did not answer.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"The {store.Database.Engine} store is not reachable.", e);
        }
    }
}
