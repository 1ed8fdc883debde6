using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

using ParkCharge.Server.Apis;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Certificates;
using ParkCharge.Server.Cluster;
using ParkCharge.Server.Dashboard;
using ParkCharge.Server.Files;
using ParkCharge.Server.Ocpp;
using ParkCharge.Server.Sites;
using ParkCharge.Server.Telemetry;
using ParkCharge.Server.Webhooks;
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

        // The defaults appsettings.json would give, below every other source: a node started from
        // another working directory (the README's commands, a systemd unit) logs the same way.
        builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = LoggingDefaults });
        builder.Configuration.AddInMemoryCollection(FromWellKnownEnvironmentVariables());
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Configuration.AddInMemoryCollection(LegacyDurationKeys.Translate(builder.Configuration));

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // Each route has its own, smaller limit (BodyLimits); this is the ceiling for anything unrouted.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = BodyLimits.Largest);

        // Checked now, before the store is opened or migrated under settings the node cannot run with, and
        // again at start (ValidateOnStart) for what configure changed.
        var options = ParkChargeOptionsValidator.Bind(builder.Configuration.GetSection(ParkChargeOptions.Section));
        ParkChargeOptionsValidator.ThrowIfInvalid(options);
        builder.Services.AddOptions<ParkChargeOptions>().Bind(builder.Configuration.GetSection(ParkChargeOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ParkChargeOptions>, ParkChargeOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddParkChargeTelemetry(options);
        configure?.Invoke(builder);

        // The store is opened (and migrated) before the host is built, so it logs through a factory
        // configured like the host's own.
        var loggers = LogRedaction.Wrap(LoggerFactory.Create(l => l.AddConfiguration(builder.Configuration.GetSection("Logging")).AddConsole()));
        var store = await Store.OpenAsync(
            new StoreOptions { DataDirectory = options.DataDirectory, PostgresConnectionString = options.Postgres, WriterQueueCapacity = options.Queues.Writer },
            loggers,
            CancellationToken.None);
        builder.Services.AddSingleton(store);

        // The node's life, in the order of the hosted services: the store's writer starts first and closes
        // last; the site engines drain after every other service stopped; charger connections close first.
        builder.Services.AddHostedService(_ => new StoreLifetime(store, loggers));
        builder.Services.AddSingleton(await KeyHasher.ForStoreAsync(store, CancellationToken.None));
        builder.Services.AddSingleton<ApiKeyLookup>();
        builder.Services.AddSingleton<Commands.CommandSignals>();
        builder.Services.AddSingleton<SiteEngines>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SiteEngines>());
        if (options.Cluster.Enabled)
        {
            // The silo starts after the site engines' service and stops before it: its grains' engines finish
            // while the store is open; chargers' connections close (through the grains) before it stops.
            builder.AddParkChargeCluster(options);
        }

        builder.Services.AddSingleton<LogCompaction>();
        builder.Services.AddHostedService(services => services.GetRequiredService<LogCompaction>());
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.AddSingleton<ChargerConnections>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChargerConnections>());
        builder.Services.AddSingleton<Ocpp.HandshakeThrottle>();
        builder.Services.AddSingleton<Ocpp.OcppEndpointServices>();
        builder.Services.AddSingleton<Proxy.UpstreamDirectory>();
        builder.Services.AddSingleton<Proxy.ProxyServices>();
        builder.Services.AddSingleton<Proxy.ChargerProxies>();
        builder.Services.AddSingleton<CameraDirectory>();
        builder.Services.AddSingleton<Files.NodeFiles>();
        builder.Services.AddSingleton<Files.FileLinks>();
        builder.Services.AddSingleton<SiteConfigurator>();
        builder.Services.AddHostedService<NodeStartup>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<WebhookDispatcher>());
        builder.Services.AddHostedService<Commands.CommandDispatcher>();
        Privacy.PrivacyEndpoints.AddParkChargePrivacy(builder);
        try
        {
            AddChargerCertificates(builder, options.ChargerCertificates);
        }
        catch
        {
            await store.DisposeAsync();
            loggers.Dispose();
            throw;
        }


        // Webhook receivers are other people's servers: no redirects followed (a 3xx is a failure, not a
        // new target), no cookies, a bounded connect time; the request timeout is set per delivery. The
        // factory's own request logging is off: receiver URLs may carry tokens, and the dispatcher logs.
        // Connections are made by WebhookTargets, to addresses it has checked (no private targets unless
        // allowed), and never through a proxy from the environment, which would hide the target's address.
        WebhookTargets.Validate(options.Webhooks.AllowedPrivateTargets);
        builder.Services.AddSingleton<WebhookTargets>();
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                UseProxy = false,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectCallback = services.GetRequiredService<WebhookTargets>().ConnectAsync,
            })
            .RemoveAllLoggers();

        // Data protection encrypts webhook secrets (and authentication registers it anyway): keep its keys
        // in the data folder rather than the user's profile, and its start-up chatter out of the console.
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")));
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ExceptionAnswers>();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            // A body naming a property twice says two things; readers disagree on which counts, so it is a 400.
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        // A body or parameter the endpoint cannot read becomes a BadHttpRequestException for ExceptionAnswers, which
        // says what is wrong (the framework's own answer is a bare "Bad Request" without a word of detail).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Camera pushes are authenticated by camera keys, everything else by API keys; the request's path
        // picks which, so that both are known before rate limiting and before any body is read.
        builder.Services.AddAuthentication(RequestKey)
            .AddPolicyScheme(RequestKey, RequestKey, o => o.ForwardDefaultSelector = http =>
                http.Request.Path.StartsWithSegments("/api/v1/anpr", StringComparison.OrdinalIgnoreCase) ? CameraKeyAuthentication.SchemeName : ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, CameraKeyAuthentication>(CameraKeyAuthentication.SchemeName, null);
        builder.Services.AddParkChargeAuthorization();
        builder.Services.AddParkChargeRateLimits(options.RateLimits);
        var behindProxy = ConfigureForwardedHeaders(builder.Services, options.ReverseProxy);
        builder.Services.AddHealthChecks().AddCheck<StoreHealthCheck>("store");
        builder.Services.AddParkChargeOpenApi();

        // Last, so that it wraps the factory every logger comes from: nothing a request carries reaches a log raw.
        builder.Services.AddLogRedaction();

        var app = builder.Build();
        try
        {
            _ = app.Services.GetRequiredService<ChargerCertificateAuthority>(); // a CA file that cannot be read stops the start here
        }
        catch
        {
            await app.DisposeAsync();
            await store.DisposeAsync();
            loggers.Dispose();
            throw;
        }

        if (behindProxy)
        {
            app.UseForwardedHeaders();
        }

        app.UseSecurityHeaders();
        app.UseOcppBranch(); // charger WebSockets: their own auth, none of the API's middleware held for the socket's life
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseBodyLimits();
        app.UseParkChargeDashboard();
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseMiddleware<ApiAudit>();
        app.UseAuthorization();
        app.UseMiddleware<IdempotencyKeys>();

        app.MapOcppEndpoint();
        app.MapAnprEndpoints();
        app.MapChargerFileEndpoints(options.Files);
        app.MapHealthChecks("/healthz");
        app.MapParkChargeMetrics(options);
        app.MapParkChargeApiReference();

        // Every endpoint says which policy it needs (Policies.RequireRead/RequireOperator/RequireAdmin);
        // the group's Read is the floor for one that forgets: never reachable by a camera key.
        // Every value a call brings is bounded before its endpoint runs (RequestBounds).
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.Read).WithRequestBounds();
        api.MapChargerEndpoints();
        api.MapUpstreamEndpoints();
        api.MapChargingSessionEndpoints();
        api.MapParkingEndpoints();
        api.MapSiteEndpoints();
        api.MapBindingEndpoints();
        api.MapBillingEndpoints();
        api.MapTariffEndpoints();
        api.MapApiKeyEndpoints();
        api.MapEventEndpoints();
        api.MapWebhookEndpoints();
        api.MapCommandEndpoints();
        api.MapSecurityEventEndpoints();
        api.MapCertificateEndpoints();
        Privacy.PrivacyEndpoints.MapPrivacyEndpoints(api);
        api.MapFileEndpoints(options.Files);
        return app;
    }

    /// <summary>
    /// The configuration a node reads, for commands that work on its store without starting it:
    /// appsettings.json in the working directory, environment variables, the documented shortcuts, then <paramref name="settings"/>.
    /// </summary>
    internal static IConfiguration Configuration(IReadOnlyDictionary<string, string?> settings) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(FromWellKnownEnvironmentVariables())
            .AddInMemoryCollection(settings)
            .Build();

    /// <summary>
    /// Security profile 3. Kestrel takes any client certificate at the TLS layer (the chargers' CAs are
    /// ParkCharge's, not the machine's): the OCPP handshake decides, per charger and site, and nothing else
    /// reads client certificates. HTTPS endpoints ask for one only when configured to.
    /// </summary>
    private static void AddChargerCertificates(WebApplicationBuilder builder, ChargerCertificateOptions options)
    {
        builder.Services.AddSingleton<ChargerCertificateAuthority>();
        builder.Services.AddSingleton<ChargerCertificateCheck>();
        builder.Services.AddSingleton<CertificateRenewal>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CertificateRenewal>());
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ClientCertificateValidation = static (_, _, _) => true;
            if (options.RequestOnHttps)
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
            }
        }));
    }

    /// <summary>
    /// Forwarded headers are believed only from the configured proxies: anyone else could claim any
    /// client address and slip past a key's allow-list.
    /// </summary>
    private static bool ConfigureForwardedHeaders(IServiceCollection services, ReverseProxyOptions proxy)
    {
        if (proxy.KnownProxies.Count == 0)
        {
            return false;
        }

        var proxies = AddressAllowList.Parse(proxy.KnownProxies, out var problems);
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"ParkCharge:ReverseProxy:KnownProxies: {string.Join(" ", problems)}");
        }

        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            o.ForwardLimit = Math.Max(1, proxy.ForwardLimit);
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var network in proxies.Networks)
            {
                o.KnownIPNetworks.Add(network);
            }
        });
        return true;
    }

    /// <summary>The default authentication scheme: forwards to the camera or API key scheme by path.</summary>
    private const string RequestKey = "RequestKey";

    /// <summary>
    /// Request logging (ASP.NET Core's Information level: every request's URL) is off unless configured, as in
    /// the shipped appsettings.json; when it is on, <see cref="LogRedaction"/> keeps camera keys out of it.
    /// </summary>
    private static readonly Dictionary<string, string?> LoggingDefaults = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
    };

    /// <summary>The documented shortcuts: <c>PARKCHARGE_POSTGRES</c> and <c>PARKCHARGE_API_KEY</c>.</summary>
    internal static Dictionary<string, string?> FromWellKnownEnvironmentVariables()
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
