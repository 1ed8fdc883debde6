using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace ParkCharge.Server.Dashboard;

/// <summary>
/// The operator dashboard: static HTML, CSS and ES modules under <c>/dashboard/</c>, embedded in the
/// executable (wwwroot/dashboard), so <c>dotnet run</c>, a published build and tests serve the same files
/// without a content folder next to them. The shell is public; every piece of data it shows comes from
/// /api/v1 with the API key the user signs in with.
/// </summary>
internal static class DashboardFiles
{
    public const string Path = "/dashboard";

    /// <summary>Nothing from elsewhere: no CDN, no inline script, no framing by other sites.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    public static IFileProvider Files { get; } = new EmbeddedFileProvider(typeof(DashboardFiles).Assembly, "ParkCharge.Server.Dashboard.Files");

    /// <summary>Serves the files, redirects <c>/</c> and <c>/dashboard</c> to <c>/dashboard/</c>.</summary>
    public static WebApplication UseParkChargeDashboard(this WebApplication app)
    {
        // A middleware rather than endpoints: routing takes "/dashboard" and "/dashboard/" for the same route.
        app.Use((context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) && context.Request.Path.Value is "/" or "" or Path)
            {
                context.Response.Redirect(Path + "/");
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = Files, RequestPath = Path, DefaultFileNames = ["index.html"] });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = Files,
            RequestPath = Path,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = "no-cache"; // revalidate (ETag): a new build's files are used at once
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
            },
        });
        return app;
    }
}
