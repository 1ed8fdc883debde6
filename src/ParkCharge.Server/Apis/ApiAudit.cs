using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Audit;

namespace ParkCharge.Server.Apis;

/// <summary>
/// The audit log of state-changing API calls: every POST, PUT, PATCH or DELETE under
/// <c>/api/v1</c> made with an API key (refusals by role or address included) is stored with who,
/// when, what, the answer's status, the client's address and its <c>Idempotency-Key</c>. The entry
/// is written just before the answer's headers go out, so a caller that got an answer was audited.
/// Camera pushes are not here: each read is in its site's log with the camera and its arrival time.
/// Bodies are never stored (they carry passwords and keys), nor query strings.
/// </summary>
internal sealed partial class ApiAudit(RequestDelegate next, Store store, TimeProvider time, ILogger<ApiAudit> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (!IsAudited(http))
        {
            await next(http);
            return;
        }

        var written = 0;
        async Task WriteOnceAsync()
        {
            if (Interlocked.Exchange(ref written, 1) == 0)
            {
                await WriteAsync(http);
            }
        }

        http.Response.OnStarting(WriteOnceAsync);
        try
        {
            await next(http);
        }
        finally
        {
            // A response that never started (the client went away) is audited all the same.
            await WriteOnceAsync();
        }
    }

    private static bool IsAudited(HttpContext http) =>
        (HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method) ||
         HttpMethods.IsPatch(http.Request.Method) || HttpMethods.IsDelete(http.Request.Method))
        && http.Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase)
        && !http.Request.Path.StartsWithSegments("/api/v1/anpr", StringComparison.OrdinalIgnoreCase)
        && http.Features.Get<ApiKeyFeature>() is not null
        && http.User.Identity?.IsAuthenticated == true;

    private async Task WriteAsync(HttpContext http)
    {
        var key = http.Features.Get<ApiKeyFeature>()!.Key;
        string? idempotencyKey = http.Request.Headers[ApiObservations.IdempotencyHeader];
        var entry = new ApiAuditRecord
        {
            At = time.GetUtcNow(),
            KeyId = key.Id,
            KeyName = key.Name,
            Role = key.Role,
            Method = http.Request.Method,
            Path = IdempotencyKeys.StoredText(http.Request.Path.Value ?? "/"),
            Status = http.Response.StatusCode,
            ClientIp = http.Connection.RemoteIpAddress is { } address ? AddressAllowList.Unmapped(address).ToString() : null,
            IdempotencyKey = string.IsNullOrEmpty(idempotencyKey) ? null : idempotencyKey[..Math.Min(idempotencyKey.Length, 200)],
        };
        try
        {
            await store.Audit.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception e)
        {
            // The call itself succeeded or failed on its own; losing its audit entry is an operations alarm.
            LogAuditFailed(logger, entry.Method, entry.Path, entry.KeyId ?? "?", e);
        }
    }

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "The audit entry for {Method} {Path} by key {KeyId} could not be stored")]
    private static partial void LogAuditFailed(ILogger logger, string method, string path, string keyId, Exception exception);
}
