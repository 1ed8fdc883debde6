using System.Globalization;

using Microsoft.AspNetCore.Diagnostics;

using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// What a request that failed with an exception is answered, for the failures that are not bugs:
/// <list type="bullet">
/// <item>the store cannot be reached (a PostgreSQL outage, a full disk): <b>503</b> with <c>Retry-After</c>,
/// whatever the request was and however far it got (a camera key or API key that could not be looked
/// up is not a wrong key: cameras give up on 401/403 and their reads would be lost);</item>
/// <item>a site's engine has more waiting than it may hold (<see cref="SiteBusyException"/>, back-pressure
/// when the store falls behind): <b>503</b> with <c>Retry-After</c>, nothing of the request accepted;</item>
/// <item>the request itself is broken at the HTTP level (a body over the route's limit, a body that
/// stops arriving, a malformed request): the status Kestrel chose (413, 408, 400), as a problem.</item>
/// </list>
/// Everything else stays a 500: an unexpected exception is a bug to fix, not an answer to design.
/// </summary>
internal sealed partial class ExceptionAnswers(Store store, ILogger<ExceptionAnswers> logger) : IExceptionHandler
{
    /// <summary>How long a client should wait before retrying while the store is away.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (http.Response.HasStarted)
        {
            return false;
        }

        if (store.IsUnavailable(exception))
        {
            LogStoreUnavailable(logger, http.Request.Method, http.Request.Path.Value ?? "/", exception.GetBaseException().Message);
            http.Response.Headers.RetryAfter = ((int)RetryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "The store is not reachable",
                $"ParkCharge cannot reach its database right now; nothing was accepted. Retry after {(int)RetryAfter.TotalSeconds} s.");
            return true;
        }

        if (exception is SiteBusyException busy)
        {
            var seconds = (int)SiteBusyException.RetryAfter.TotalSeconds;
            LogSiteBusy(logger, http.Request.Method, http.Request.Path.Value ?? "/", busy.Site.Value);
            http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "The site is busy",
                $"{busy.Message} Nothing of this request was accepted. Retry after {seconds} s.");
            return true;
        }

        if (exception is BadHttpRequestException bad)
        {
            var (title, detail) = bad.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ("The body is too large", $"{bad.Message} See docs/integrators.md for the limit of each kind of request."),
                StatusCodes.Status408RequestTimeout => ("The body did not arrive in time", bad.Message),
                // The JSON reader's own words say what is wrong and where (a property named twice, a value of the wrong type).
                _ when bad.InnerException is System.Text.Json.JsonException json => ("The request is malformed", $"{bad.Message} {json.Message}"),
                _ => ("The request is malformed", bad.Message),
            };
            LogBadRequest(logger, http.Request.Method, http.Request.Path.Value ?? "/", bad.StatusCode, title);
            await WriteAsync(http, bad.StatusCode, title, detail);
            return true;
        }

        return false;
    }

    private static Task WriteAsync(HttpContext http, int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(http);

    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning, Message = "{Method} {Path}: the store is not reachable ({Reason}); answered 503")]
    private static partial void LogStoreUnavailable(ILogger logger, string method, string path, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "{Method} {Path}: answered {Status}: {Title}")]
    private static partial void LogBadRequest(ILogger logger, string method, string path, int status, string title);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "{Method} {Path}: site {Site} is busy; answered 503")]
    private static partial void LogSiteBusy(ILogger logger, string method, string path, string site);
}
