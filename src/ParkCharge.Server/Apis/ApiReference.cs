using Microsoft.OpenApi;

using ParkCharge.Server.Auth;

using Scalar.AspNetCore;

namespace ParkCharge.Server.Apis;

/// <summary>
/// The OpenAPI document (<c>/openapi/v1.json</c>) with the Bearer scheme and, on every operation,
/// the roles it needs and its refusals (401, 403, 429); and the interactive reference page at
/// <c>/api/reference</c>, served entirely by the node (no CDN, no fonts, no telemetry: sites are often offline).
/// </summary>
internal static class ApiReference
{
    public const string SchemeName = "Bearer";
    public const string PagePath = "/api/reference";

    public static IServiceCollection AddParkChargeOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "ParkCharge API";
                document.Info.Description =
                    "EV charging joined to car-park management. Send `Authorization: Bearer <API key>`; each operation says which roles may call it. " +
                    "Errors are RFC 9457 problem details. Guide: docs/integrators.md.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    BearerFormat = "API key (pck_...)",
                    Description = "An API key, created by an admin (POST /api/v1/api-keys or `parkcharge api-key create`). Camera pushes take the camera's own key instead.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var access = metadata.OfType<ApiAccess>().LastOrDefault();
                var isCameraPush = context.Description.RelativePath?.StartsWith("api/v1/anpr", StringComparison.OrdinalIgnoreCase) == true;
                if (access is null && !isCameraPush)
                {
                    return Task.CompletedTask;
                }

                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
                var who = access is null
                    ? "The camera's own key (Bearer, X-Camera-Key or ?key=), or an API key with the role camera."
                    : $"Roles: {string.Join(", ", access.Roles)}.";
                operation.Description = string.IsNullOrEmpty(operation.Description) ? who : $"{operation.Description}\n\n{who}";
                operation.Responses ??= [];
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No key, or a key that is unknown, revoked or expired (problem details)." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role may not do this, or the key may not be used from this address (problem details)." });
                operation.Responses.TryAdd("429", new OpenApiResponse { Description = "The key's rate limit is used up; see Retry-After (problem details)." });
                return Task.CompletedTask;
            });
        });

    /// <summary>Maps the OpenAPI document and the reference page; both need no key (the page asks for one to try calls).</summary>
    public static IEndpointRouteBuilder MapParkChargeApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference(PagePath, options => options
            .WithTitle("ParkCharge API reference")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes(SchemeName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        return app;
    }
}
