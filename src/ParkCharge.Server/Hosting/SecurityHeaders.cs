using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

using Microsoft.Net.Http.Headers;

using ParkCharge.Server.Apis;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// Response headers that tell browsers how to treat what the node serves:
/// <list type="bullet">
/// <item>every answer: <c>X-Content-Type-Options: nosniff</c> (a JSON answer quoting a hostile value is never run as
/// a page or a script) and <c>Referrer-Policy: no-referrer</c>; over HTTPS, <c>Strict-Transport-Security</c>
/// (RFC 6797: a browser that has been here once never falls back to plain HTTP, where keys would be readable);</item>
/// <item>API answers (<c>/api/v1</c>, <c>/openapi</c>, <c>/healthz</c>): a policy that lets nothing load or frame
/// them, and <c>Cache-Control: no-store</c> (they carry plates and bills);</item>
/// <item>the reference page (<c>/api/reference</c>): a content security policy that admits only the node's own
/// scripts (the page's one inline start-up script by its hash), no framing by other sites, no plugins.</item>
/// </list>
/// The dashboard sets its own, stricter policy (<see cref="Dashboard.DashboardFiles"/>); what a handler set is kept.
/// </summary>
internal static partial class SecurityHeaders
{
    /// <summary>One year, as browsers' preload lists expect; subdomains are not ours to decide.</summary>
    private const string StrictTransportSecurity = "max-age=31536000";

    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The reference page's scripts come from the node; the page styles itself inline (style attributes and
    /// elements made by its script), so styles may be inline; images may be data: URLs (icons).
    /// </summary>
    private static string ReferencePolicy(string scriptHashes) =>
        $"default-src 'self'; script-src 'self'{scriptHashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

    /// <remarks>
    /// Not an async lambda: a charger's WebSocket request stays inside this middleware for the socket's life, and an
    /// awaiting middleware would hold its state for that long (issue 17). The reference page, which is rewritten, awaits.
    /// </remarks>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (http, next) =>
    {
        var request = http.Request;
        var path = request.Path;
        var isReference = path.StartsWithSegments(ApiReference.PagePath, StringComparison.OrdinalIgnoreCase);
        var isApi = !isReference && (path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/healthz", StringComparison.OrdinalIgnoreCase));
        http.Response.OnStarting(() =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.TryAdd("Referrer-Policy", "no-referrer");
            if (request.IsHttps)
            {
                headers.StrictTransportSecurity = StrictTransportSecurity;
            }

            if (isApi)
            {
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, ApiPolicy);
                headers.XFrameOptions = "DENY";
                if (!headers.ContainsKey(HeaderNames.CacheControl))
                {
                    headers.CacheControl = "no-store";
                }
            }
            else if (isReference)
            {
                headers.XFrameOptions = "DENY";
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, ReferencePolicy(""));
            }

            return Task.CompletedTask;
        });

        // The page itself (not its script and icon files, which are large and need no rewriting).
        if (isReference && HttpMethods.IsGet(request.Method) && !System.IO.Path.HasExtension(path.Value))
        {
            return ServeReferencePageAsync(http, next);
        }

        return next(http);
    });

    /// <summary>
    /// The reference page's HTML starts the viewer with an inline script whose text the package writes; it is
    /// admitted by its SHA-256 (CSP level 2), computed from the page as served, so a package update keeps working.
    /// </summary>
    private static async Task ServeReferencePageAsync(HttpContext http, RequestDelegate next)
    {
        var original = http.Response.Body;
        using var buffer = new MemoryStream();
        http.Response.Body = buffer;
        try
        {
            await next(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        if (http.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
        {
            var html = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
            var hashes = InlineScript().Matches(html)
                .Select(m => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(m.Groups["body"].Value)))}'");
            http.Response.Headers[HeaderNames.ContentSecurityPolicy] =
                ReferencePolicy(string.Concat(hashes.Select(h => " " + h)));
        }

        http.Response.ContentLength = buffer.Length;
        buffer.Position = 0;
        await buffer.CopyToAsync(original, http.RequestAborted);
    }

    /// <summary>A script element without <c>src</c>: its text is what the hash covers.</summary>
    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>(?<body>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InlineScript();
}
