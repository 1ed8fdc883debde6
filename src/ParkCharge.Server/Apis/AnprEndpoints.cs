using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Anpr;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>What a camera push did: how many reads were accepted (durable) and how many pictures kept.</summary>
public sealed record AnprPushResponse(string Camera, int Reads, int ImagesStored);

/// <summary>
/// /api/v1/anpr: camera pushes in ParkCharge's own format and in vendor formats. Each camera
/// authenticates with its own key (<c>Authorization: Bearer</c>, <c>X-Camera-Key</c>, or
/// <c>?key=</c> for cameras that cannot set headers), or an ANPR server with an API key of the role
/// camera (<c>Authorization: Bearer</c>, for any configured camera); a push is answered only after its reads are
/// durable, and a repeated push is recognised by its reads' keys and changes nothing.
/// </summary>
internal static partial class AnprEndpoints
{
    public static IEndpointRouteBuilder MapAnprEndpoints(this IEndpointRouteBuilder app)
    {
        var anpr = app.MapGroup("/api/v1/anpr").WithTags("ANPR").DisableAntiforgery();
        anpr.MapPost("/reads", (HttpContext http, CameraDirectory cameras, SiteEngines engines, Store store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
            PushAsync(CameraFormat.Generic, null, http, cameras, engines, store, time, loggers, ct))
            .WithSummary("Plate reads in ParkCharge's JSON format (one object or an array)");
        anpr.MapPost("/plate-recognizer/{cameraId?}", (string? cameraId, HttpContext http, CameraDirectory cameras, SiteEngines engines, Store store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
            PushAsync(CameraFormat.PlateRecognizer, cameraId, http, cameras, engines, store, time, loggers, ct))
            .WithSummary("Plate Recognizer Snapshot/Stream webhooks (JSON or multipart with the picture)");
        anpr.MapPost("/hikvision/{cameraId}", (string cameraId, HttpContext http, CameraDirectory cameras, SiteEngines engines, Store store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct) =>
            PushAsync(CameraFormat.Hikvision, cameraId, http, cameras, engines, store, time, loggers, ct))
            .WithSummary("Hikvision ISAPI ANPR alarm-server pushes (XML, or multipart with JPEG parts)");
        return app;
    }

    private static async Task<Results<Ok<AnprPushResponse>, ProblemHttpResult>> PushAsync(
        CameraFormat format,
        string? cameraId,
        HttpContext http,
        CameraDirectory cameras,
        SiteEngines engines,
        Store store,
        TimeProvider time,
        ILoggerFactory loggers,
        CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Anpr");
        var key = CameraKey(http.Request);
        if (key is null)
        {
            return Problem(StatusCodes.Status401Unauthorized, "A camera key is required",
                "Send the camera's key as 'Authorization: Bearer <key>', 'X-Camera-Key: <key>' or '?key=<key>'.");
        }

        var parsed = await AnprParsers.For(format).ParseAsync(http.Request.ContentType, http.Request.Body, cameraId, ct);
        if (!parsed.IsSuccess)
        {
            LogRefused(logger, cameraId ?? "?", "the push could not be read");
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = $"The {format} push could not be read",
                Detail = string.Join("; ", parsed.Errors.Select(e => e.ToString())),
                Extensions = { ["errors"] = parsed.Errors.Select(e => e.ToString()).ToArray() },
            });
        }

        var push = parsed.Push!;
        if (CaptureTimeProblem(push, time.GetUtcNow()) is { } timeProblem)
        {
            LogRefused(logger, cameraId ?? push.CameraId ?? "?", "a capture time outside the accepted window");
            return timeProblem;
        }
        var camerasNamed = push.Reports.Select(CameraOf).Append(cameraId ?? push.CameraId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (camerasNamed.Count != 1)
        {
            return Problem(StatusCodes.Status400BadRequest, "One camera per push",
                camerasNamed.Count == 0 ? "The push names no camera." : $"The push names several cameras: {string.Join(", ", camerasNamed)}.");
        }

        var id = camerasNamed[0];
        var camera = await cameras.FindAsync(id, ct);

        // An API key with the role camera (an ANPR server pushing for many cameras) may push for any
        // configured camera, from the addresses its allow-list names.
        var isGateway = http.User.Identity?.IsAuthenticated == true && http.User.IsInRole(ApiRoles.Camera);
        if (isGateway)
        {
            var gateway = await http.RequestServices.GetRequiredService<IAuthorizationService>().AuthorizeAsync(http.User, http, Policies.CameraGateway);
            if (!gateway.Succeeded)
            {
                var reason = gateway.Failure?.FailureReasons.FirstOrDefault()?.Message ?? "The API key may not push camera reads.";
                LogRefused(logger, id, reason);
                return Problem(StatusCodes.Status403Forbidden, "Not allowed from this address", reason);
            }
        }

        if (camera is null || (!isGateway && !KeyMatches(key, camera.Camera.KeyHash)))
        {
            // Unknown cameras and a key of another camera are refused alike: a key proves one camera's identity only.
            LogRefused(logger, id, camera is null ? "unknown camera" : "the key does not belong to this camera");
            return Problem(StatusCodes.Status403Forbidden, "Camera not accepted",
                camera is null ? $"Camera '{id}' is not configured at any site." : $"The key does not belong to camera '{id}'.");
        }

        var now = time.GetUtcNow();
        var observations = push.Reports.Select(report => new Observation
        {
            Site = camera.Site,
            Source = $"camera:{id}",
            Key = $"anpr:{report.IdempotencyKey}",
            EventTime = report.CapturedAt ?? now,
            ReceivedAt = now,
            Payload = report.Payload,
        }).ToList();
        var replies = await Task.WhenAll(observations.Select(engines.SubmitAsync));
        if (replies.OfType<Refused>().FirstOrDefault() is { } refused)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "A read was refused", refused.Reason);
        }

        var stored = 0;
        if (camera.Settings.StoreImages)
        {
            foreach (var image in push.Images)
            {
                var observationKey = image.ReportIndex is { } index ? observations[index].Key : $"anpr:{id}:push:{now.UtcTicks}";
                await store.Images.SaveAsync(camera.Site.Value, id, observationKey, image.Name, image.ContentType, image.Content, now, ct);
                stored++;
            }
        }

        return TypedResults.Ok(new AnprPushResponse(id, observations.Count, stored));
    }

    /// <summary>
    /// A capture time outside <see cref="EventTimes"/>' window (year 1, year 9999, a camera whose clock
    /// was reset) is refused with 400 before anything is accepted: the camera learns its clock is wrong,
    /// and no read reaches the engine with a time it cannot reason about.
    /// </summary>
    private static ProblemHttpResult? CaptureTimeProblem(AnprPush push, DateTimeOffset now)
    {
        var errors = push.Reports
            .Select((report, index) => (report, index))
            .Where(r => r.report.CapturedAt is { } at && !EventTimes.IsPlausible(at, now))
            .Select(r => $"read {r.index + 1}: the capture time {r.report.CapturedAt:O} is outside {EventTimes.Describe(now)}")
            .ToArray();
        return errors.Length == 0
            ? null
            : TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Capture time out of range",
                Detail = $"{string.Join("; ", errors)}. Check the camera's clock (NTP); nothing of this push was accepted.",
                Extensions = { ["errors"] = errors },
            });
    }

    private static string? CameraOf(CameraReport report) => report.Payload switch
    {
        PlateRead read => read.Camera,
        BayVacancyReported vacancy => vacancy.Camera,
        _ => null,
    };

    private static string? CameraKey(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        string? header = request.Headers["X-Camera-Key"];
        if (!string.IsNullOrEmpty(header))
        {
            return header;
        }

        string? query = request.Query["key"];
        return string.IsNullOrEmpty(query) ? null : query;
    }

    private static bool KeyMatches(string key, string keyHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Secrets.HashApiKey(key)), Encoding.ASCII.GetBytes(keyHash));

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A push for camera {Camera} was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string camera, string reason);
}
