using System.Security.Cryptography;
using System.Text;

using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Idempotency;

namespace ParkCharge.Server.Apis;

/// <summary>The idempotency of the current request, for the observation it becomes (<see cref="ApiObservations"/>).</summary>
/// <param name="ObservationKey">The key of the request's observation: the same for a repeat of the same request, different for any other.</param>
internal sealed record IdempotencyFeature(string ObservationKey);

/// <summary>
/// <c>Idempotency-Key</c> on every write of the API (POST, PUT, PATCH, DELETE under <c>/api/v1</c>, camera
/// pushes aside: their reads carry their own keys). A key belongs to the API key that sends it and is tied to
/// the request it was first used for: method, route, target (the concrete path) and a SHA-256 fingerprint of
/// the body.
/// <list type="bullet">
/// <item>the same request again: the first answer, as it was (status, body, <c>Location</c>), with
/// <c>Idempotent-Replayed: true</c>; nothing is done twice;</item>
/// <item>another request with the same key (another route, target or body): <b>422</b>, saying what the key
/// was first used for; nothing is done;</item>
/// <item>the same request while the first is still being carried out: <b>409</b> with <c>Retry-After</c>.</item>
/// </list>
/// Only an answer of a request that was carried out (2xx) is kept, for 24 hours; a refused or failed request
/// frees its key, so it can be sent again, corrected or not. Endpoints whose answer holds a secret shown once
/// (a new API key, a generated webhook secret) do not keep answers: the header is ignored there.
/// </summary>
internal sealed partial class IdempotencyKeys(RequestDelegate next, Store store, TimeProvider time, ILogger<IdempotencyKeys> logger)
{
    public const string Header = "Idempotency-Key";

    /// <summary>How long a key and its answer are kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>A request that has not finished after this long is taken to have died with its node.</summary>
    private static readonly TimeSpan StaleClaim = TimeSpan.FromMinutes(2);

    private const int MaxKeyLength = 255;

    /// <summary>Answers larger than this are not kept (none of the API's writes answers with that much).</summary>
    private const int MaxKeptAnswer = 1024 * 1024;

    private static long s_nextPrune;

    public async Task InvokeAsync(HttpContext http)
    {
        string? header = http.Request.Headers[Header];
        if (header is null || !IsWrite(http) || http.Features.Get<ApiKeyFeature>() is not { } key || http.User.Identity?.IsAuthenticated != true
            || http.GetEndpoint() is not RouteEndpoint endpoint || endpoint.Metadata.GetMetadata<AnswerNotKept>() is not null)
        {
            await next(http);
            return;
        }

        if (header.Length is 0 or > MaxKeyLength || header.Any(c => c is < ' ' or > '~'))
        {
            await Results.Problem(
                title: "The Idempotency-Key is not valid",
                detail: $"An Idempotency-Key is 1 to {MaxKeyLength} printable ASCII characters (a UUID is a good one).",
                statusCode: StatusCodes.Status400BadRequest).ExecuteAsync(http);
            return;
        }

        var request = new IdempotentRequest(
            key.Key.Id, header, http.Request.Method, endpoint.RoutePattern.RawText ?? "", StoredText(http.Request.Path.Value ?? "/"), await FingerprintAsync(http.Request));
        http.Features.Set(new IdempotencyFeature(ObservationKey(request)));
        await PruneNowAndThenAsync();

        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = time.GetUtcNow();
            if (await store.Idempotency.TryClaimAsync(request, now, now - Retention, http.RequestAborted))
            {
                await CarryOutAsync(http, request);
                return;
            }

            if (await store.Idempotency.GetAsync(request.ApiKeyId, request.IdempotencyKey, http.RequestAborted) is not { } first)
            {
                continue; // released in the meantime: claim it again
            }

            if (first.Request != request)
            {
                LogReused(logger, key.Key.Id, request.Method, request.Target, first.Request.Method, first.Request.Target);
                await Reused(first.Request, request).ExecuteAsync(http);
                return;
            }

            if (first.CompletedAt is not null)
            {
                await ReplayAsync(http, first);
                return;
            }

            if (first.CreatedAt < now - StaleClaim && await store.Idempotency.TakeOverAsync(first, now, http.RequestAborted))
            {
                await CarryOutAsync(http, request);
                return;
            }

            http.Response.Headers.RetryAfter = "1";
            await Results.Problem(
                title: "This request is still being carried out",
                detail: $"A request with Idempotency-Key '{header}' is in progress; retry in a moment to get its answer.",
                statusCode: StatusCodes.Status409Conflict).ExecuteAsync(http);
            return;
        }

        throw new InvalidOperationException("The Idempotency-Key could not be claimed.");
    }

    /// <summary>Runs the request, keeps its answer when it was carried out (2xx), frees the key otherwise.</summary>
    private async Task CarryOutAsync(HttpContext http, IdempotentRequest request)
    {
        var response = http.Response;
        var original = response.Body;
        using var answer = new MemoryStream();
        response.Body = answer;
        try
        {
            await next(http);
        }
        catch
        {
            response.Body = original;
            await store.Idempotency.ReleaseAsync(request, CancellationToken.None);
            throw;
        }

        response.Body = original;
        if (response.StatusCode is >= 200 and < 300 && answer.Length <= MaxKeptAnswer)
        {
            await store.Idempotency.CompleteAsync(request, response.StatusCode, response.ContentType, response.Headers.Location.FirstOrDefault(),
                answer.ToArray(), time.GetUtcNow(), CancellationToken.None);
        }
        else
        {
            await store.Idempotency.ReleaseAsync(request, CancellationToken.None);
        }

        answer.Position = 0;
        await answer.CopyToAsync(original, http.RequestAborted);
    }

    private static async Task ReplayAsync(HttpContext http, IdempotencyRecord first)
    {
        var response = http.Response;
        response.StatusCode = first.Status ?? StatusCodes.Status200OK;
        response.ContentType = first.ContentType;
        if (first.Location is { } location)
        {
            response.Headers.Location = location;
        }

        response.Headers["Idempotent-Replayed"] = "true";
        if (first.Body is { Length: > 0 } body)
        {
            response.ContentLength = body.Length;
            await response.Body.WriteAsync(body, http.RequestAborted);
        }
    }

    private static IResult Reused(IdempotentRequest first, IdempotentRequest now)
    {
        var what = first.Method == now.Method && first.Target == now.Target
            ? $"{first.Method} {first.Target} with another body"
            : $"{first.Method} {first.Target}";
        return Results.Problem(
            title: "The Idempotency-Key was used for another request",
            detail: $"Idempotency-Key '{now.IdempotencyKey}' was first used for {what}; this request is {now.Method} {now.Target}. " +
                "A key stands for one request: send a new key with a new request.",
            statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?> { ["firstMethod"] = first.Method, ["firstPath"] = first.Target });
    }

    /// <summary>A decoded path as it may be stored and shown: control characters (a NUL, which PostgreSQL cannot store) escaped.</summary>
    internal static string StoredText(string path) => Hosting.LogRedaction.Clean(path);

    private static bool IsWrite(HttpContext http) =>
        (HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method) ||
         HttpMethods.IsPatch(http.Request.Method) || HttpMethods.IsDelete(http.Request.Method))
        && http.Request.Path.StartsWithSegments("/api/v1", StringComparison.OrdinalIgnoreCase)
        && !http.Request.Path.StartsWithSegments("/api/v1/anpr", StringComparison.OrdinalIgnoreCase);

    /// <summary>SHA-256 of the body (which stays readable for the endpoint); its size is bounded by the route's body limit.</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
        {
            sha.AppendData(buffer, 0, read);
        }

        request.Body.Position = 0;
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>The observation key of the request: one per (API key, Idempotency-Key, method, target, body), so no other request can be taken for a repeat.</summary>
    private static string ObservationKey(IdempotentRequest request)
    {
        var scope = string.Join('\n', request.IdempotencyKey, request.Method, request.Target, request.Fingerprint);
        return $"api:{request.ApiKeyId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope)))[..32]}";
    }

    /// <summary>Forgets expired keys about once an hour (each node; the delete is idempotent).</summary>
    private async Task PruneNowAndThenAsync()
    {
        var now = time.GetUtcNow();
        var due = Interlocked.Read(ref s_nextPrune);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref s_nextPrune, (now + TimeSpan.FromHours(1)).UtcTicks, due) != due)
        {
            return;
        }

        try
        {
            await store.Idempotency.PruneAsync(now - Retention, CancellationToken.None);
        }
        catch (Exception e) when (!store.IsUnavailable(e))
        {
            LogPruneFailed(logger, e);
        }
    }

    [LoggerMessage(EventId = 5020, Level = LogLevel.Information, Message = "Idempotency-Key of API key {KeyId} reused for {Method} {Path}; it was first used for {FirstMethod} {FirstPath} (422)")]
    private static partial void LogReused(ILogger logger, string keyId, string method, string path, string firstMethod, string firstPath);

    [LoggerMessage(EventId = 5021, Level = LogLevel.Warning, Message = "Expired idempotency keys could not be removed; tried again in an hour")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception);
}

/// <summary>Marks endpoints whose answer shows a secret once (a new API key, a generated webhook secret): it is never stored, so they do not honour Idempotency-Key.</summary>
internal sealed class AnswerNotKept
{
    public static readonly AnswerNotKept Instance = new();
}

internal static class IdempotencyConventions
{
    /// <summary>The endpoint's answer is never stored for an Idempotency-Key (it shows a secret once).</summary>
    public static TBuilder WithoutStoredAnswers<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(AnswerNotKept.Instance);
}
