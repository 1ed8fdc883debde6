using System.Globalization;
using System.Threading.RateLimiting;

using Microsoft.AspNetCore.RateLimiting;

using ParkCharge.Server.Hosting;

namespace ParkCharge.Server.Auth;

/// <summary>
/// Rate limits of the HTTP API (everything under <c>/api/</c>), with ASP.NET Core's rate limiter: a
/// token bucket per API key (sized by the key's role), per camera for camera pushes (the camera the
/// push's key authenticates, decided before the body is read), and per client address for requests
/// without a valid key. OCPP connections and <c>/healthz</c> are not limited. A request over the limit
/// gets 429 with <c>Retry-After</c> and a problem document.
/// </summary>
public static partial class ApiRateLimits
{
    public static IServiceCollection AddParkChargeRateLimits(this IServiceCollection services, RateLimitOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http => Partition(http, options));
            limiter.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext http, RateLimitOptions options)
    {
        var path = http.Request.Path;
        if (!options.Enabled || !path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            return RateLimitPartition.GetNoLimiter("unlimited");
        }

        // Camera pushes are authenticated by their camera's key: several cameras behind one router share an
        // address, and one camera must not use up its neighbours' budget.
        if (http.User.Identity is { IsAuthenticated: true, AuthenticationType: CameraKeyAuthentication.SchemeName }
            && http.User.HasClaim(c => c.Type == CameraKeyAuthentication.CameraClaim))
        {
            return Bucket($"camera:{http.User.Identity.Name}", options.Camera, ApiRoles.Camera);
        }

        if (http.Features.Get<ApiKeyFeature>() is { } key && http.User.Identity?.IsAuthenticated == true)
        {
            var limit = key.Key.Role switch
            {
                ApiRoles.Admin => options.Admin,
                ApiRoles.Operator => options.Operator,
                ApiRoles.Integrator => options.Integrator,
                _ => options.Camera,
            };
            return Bucket($"key:{key.Key.Id}", limit, key.Key.Role);
        }

        // No key, or one that was not accepted: counted against the address it came from.
        var client = http.Connection.RemoteIpAddress is { } address ? AddressAllowList.Unmapped(address).ToString() : "unknown";
        return Bucket($"address:{client}", options.Anonymous, "anonymous");
    }

    private static RateLimitPartition<string> Bucket(string partition, RateLimit limit, string kind) =>
        RateLimitPartition.GetTokenBucketLimiter(partition, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, limit.TokenLimit),
            TokensPerPeriod = Math.Max(1, limit.TokensPerPeriod),
            ReplenishmentPeriod = limit.Period,
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var key = http.Features.Get<ApiKeyFeature>()?.Key;
        var who = key is null ? "requests from this address" : $"API key '{key.Name}' (role {key.Role})";
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ParkCharge.Server.RateLimits");
        LogRejected(logger, key?.Id ?? "none", http.Request.Method, http.Request.Path, seconds);
        await Results.Problem(
            title: "Too many requests",
            detail: $"The rate limit for {who} is used up; retry after {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds })
            .ExecuteAsync(http);
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Rate limit: {Method} {Path} refused for key {KeyId}; retry after {Seconds} s")]
    private static partial void LogRejected(ILogger logger, string keyId, string method, string path, int seconds);
}
