using System.Net;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace ParkCharge.Server.Auth;

/// <summary>What an endpoint needs: the policy's name and the roles it admits (for the OpenAPI document and the docs).</summary>
public sealed record ApiAccess(string Policy, IReadOnlyList<string> Roles);

/// <summary>
/// Who may call what, in one place. Every endpoint under <c>/api/v1</c> says which of these it
/// needs with <see cref="RequireRead{TBuilder}"/>, <see cref="RequireOperator{TBuilder}"/> or
/// <see cref="RequireAdmin{TBuilder}"/>; every policy also checks the key's IP allow-list.
/// A wrong role or address is answered 403 with a problem naming what is needed.
/// </summary>
public static partial class Policies
{
    /// <summary>Reading anything: admin, operator, integrator.</summary>
    public const string Read = "read";

    /// <summary>An operator's actions (corrections, binding decisions, commands): admin, operator.</summary>
    public const string Operate = "operate";

    /// <summary>Site configuration, charger registration, API keys, the audit log: admin.</summary>
    public const string Admin = "admin";

    /// <summary>
    /// Writes an integration makes as part of its job (recording a payment from a pay station,
    /// managing its own webhook subscriptions): admin, operator, integrator. Chosen per endpoint,
    /// deliberately; everything else that changes state is Operate or Admin.
    /// </summary>
    public const string Integrate = "integrate";

    /// <summary>
    /// Camera pushes: a camera's own key (<see cref="CameraKeyAuthentication"/>), or an API key with the
    /// role camera (for any configured camera, from its allow-list's addresses).
    /// </summary>
    public const string CameraGateway = "camera";

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
    {
        [Read] = [ApiRoles.Admin, ApiRoles.Operator, ApiRoles.Integrator],
        [Operate] = [ApiRoles.Admin, ApiRoles.Operator],
        [Integrate] = [ApiRoles.Admin, ApiRoles.Operator, ApiRoles.Integrator],
        [Admin] = [ApiRoles.Admin],
        [CameraGateway] = [ApiRoles.Camera],
    };

    /// <summary>Reads: admin, operator, integrator.</summary>
    public static TBuilder RequireRead<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequirePolicy(Read);

    /// <summary>Writes integrations make (payments, their webhook subscriptions): admin, operator, integrator.</summary>
    public static TBuilder RequireIntegration<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequirePolicy(Integrate);

    /// <summary>Operator actions: admin, operator.</summary>
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequirePolicy(Operate);

    /// <summary>Configuration and key management: admin.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequirePolicy(Admin);

    private static TBuilder RequirePolicy<TBuilder>(this TBuilder builder, string policy)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy).WithMetadata(new ApiAccess(policy, Roles[policy]));

    /// <summary>The policies, their handlers, and 403 answers as problem details.</summary>
    public static IServiceCollection AddParkChargeAuthorization(this IServiceCollection services)
    {
        services.AddAuthorization(options =>
        {
            foreach (var (policy, roles) in Roles.Where(r => r.Key != CameraGateway))
            {
                options.AddPolicy(policy, p => p
                    .AddAuthenticationSchemes(ApiKeyAuthentication.SchemeName)
                    .RequireAuthenticatedUser()
                    .AddRequirements(new RoleRequirement(policy, roles), KeyAddressRequirement.Instance));
            }

            options.AddPolicy(CameraGateway, p => p
                .AddAuthenticationSchemes(CameraKeyAuthentication.SchemeName)
                .RequireAuthenticatedUser()
                .AddRequirements(CameraPushRequirement.Instance));
        });
        services.AddSingleton<IAuthorizationHandler, RoleHandler>();
        services.AddSingleton<IAuthorizationHandler, KeyAddressHandler>();
        services.AddSingleton<IAuthorizationHandler, CameraPushHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemForbiddenHandler>();
        return services;
    }

    /// <summary>The key's role is one of <see cref="Roles"/>.</summary>
    internal sealed record RoleRequirement(string Policy, IReadOnlyList<string> Roles) : IAuthorizationRequirement;

    /// <summary>The request comes from an address on the key's allow-list (when it has one).</summary>
    internal sealed class KeyAddressRequirement : IAuthorizationRequirement
    {
        public static readonly KeyAddressRequirement Instance = new();
    }

    /// <summary>A camera pushing with its own key, or an API key with the role camera used from an address its allow-list names.</summary>
    internal sealed class CameraPushRequirement : IAuthorizationRequirement
    {
        public static readonly CameraPushRequirement Instance = new();
    }

    internal sealed class CameraPushHandler : AuthorizationHandler<CameraPushRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, CameraPushRequirement requirement)
        {
            if (context.User.HasClaim(c => c.Type == CameraKeyAuthentication.CameraClaim))
            {
                context.Succeed(requirement);
            }
            else if (context.User.IsInRole(ApiRoles.Camera) && context.Resource is HttpContext http && http.Features.Get<ApiKeyFeature>() is { } key)
            {
                if (key.AllowList.Allows(http.Connection.RemoteIpAddress))
                {
                    context.Succeed(requirement);
                }
                else
                {
                    context.Fail(new AddressFailure(this, key.Key.Name, http.Connection.RemoteIpAddress));
                }
            }

            return Task.CompletedTask;
        }
    }

    internal sealed class RoleHandler : AuthorizationHandler<RoleRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleRequirement requirement)
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                return Task.CompletedTask; // a challenge (401), not a refusal
            }

            var role = context.User.FindFirst(ApiKeyAuthentication.RoleClaim)?.Value;
            if (role is not null && requirement.Roles.Contains(role))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new RoleFailure(this, requirement, role));
            }

            return Task.CompletedTask;
        }
    }

    internal sealed class KeyAddressHandler : AuthorizationHandler<KeyAddressRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KeyAddressRequirement requirement)
        {
            if (context.Resource is not HttpContext http || http.Features.Get<ApiKeyFeature>() is not { } key)
            {
                return Task.CompletedTask;
            }

            var address = http.Connection.RemoteIpAddress;
            if (key.AllowList.Allows(address))
            {
                context.Succeed(requirement);
            }
            else
            {
                context.Fail(new AddressFailure(this, key.Key.Name, address));
            }

            return Task.CompletedTask;
        }
    }

    internal sealed class RoleFailure(IAuthorizationHandler handler, RoleRequirement requirement, string? role)
        : AuthorizationFailureReason(handler, $"This needs the role {string.Join(" or ", requirement.Roles)}; the API key has the role {role ?? "none"}.")
    {
        public RoleRequirement Requirement { get; } = requirement;

        public string? Role { get; } = role;
    }

    internal sealed class AddressFailure(IAuthorizationHandler handler, string keyName, IPAddress? address)
        : AuthorizationFailureReason(handler, $"The API key '{keyName}' may not be used from {(address is null ? "an unknown address" : AddressAllowList.Unmapped(address))}: it is not on the key's allow-list.")
    {
    }

    /// <summary>Answers a refusal with a problem that says what was missing; everything else as ASP.NET Core does.</summary>
    internal sealed partial class ProblemForbiddenHandler(ILogger<ProblemForbiddenHandler> logger) : IAuthorizationMiddlewareResultHandler
    {
        private readonly AuthorizationMiddlewareResultHandler _default = new();

        public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
        {
            if (!authorizeResult.Forbidden)
            {
                await _default.HandleAsync(next, context, policy, authorizeResult);
                return;
            }

            var reasons = authorizeResult.AuthorizationFailure?.FailureReasons ?? [];
            var keyId = context.User.FindFirst(ApiKeyAuthentication.KeyIdClaim)?.Value ?? "?";

            // An address not allowed says so first: no role helps. Of several role policies (the
            // group's and the endpoint's), the narrowest names what is needed.
            if (reasons.OfType<AddressFailure>().FirstOrDefault() is { } address)
            {
                LogRefused(logger, keyId, context.Request.Method, context.Request.Path, address.Message);
                await Results.Problem(title: "Not allowed from this address", detail: address.Message, statusCode: StatusCodes.Status403Forbidden)
                    .ExecuteAsync(context);
                return;
            }

            var role = reasons.OfType<RoleFailure>().OrderBy(r => r.Requirement.Roles.Count).FirstOrDefault();
            var detail = role?.Message ?? "The API key may not do this.";
            LogRefused(logger, keyId, context.Request.Method, context.Request.Path, detail);
            await Results.Problem(
                title: "The API key's role does not allow this",
                detail: detail,
                statusCode: StatusCodes.Status403Forbidden,
                extensions: new Dictionary<string, object?>
                {
                    ["requiredRoles"] = role?.Requirement.Roles.ToArray(),
                    ["role"] = role?.Role,
                }).ExecuteAsync(context);
        }

        [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "API key {KeyId} refused for {Method} {Path}: {Reason}")]
        private static partial void LogRefused(ILogger logger, string keyId, string method, string path, string reason);
    }
}
