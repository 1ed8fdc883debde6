using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Anpr;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Server.Telemetry;
using ParkCharge.Storage;

namespace ParkCharge.Server.Apis;

/// <summary>What a camera push did: how many reads were accepted (durable) and how many pictures kept.</summary>
public sealed record AnprPushResponse(string Camera, int Reads, int ImagesStored);

/// <summary>
/// /api/v1/anpr: camera pushes in ParkCharge's own format and in vendor formats. Each camera
/// authenticates with its own key, or an ANPR server with an API key of the role camera (see
/// <see cref="CameraKeyAuthentication"/>); the key is checked, and the push counted against its camera's
/// rate limit, before the body is read. The body is then read within <see cref="PushLimits"/> (size,
/// parts, depth, reads, time); a push is answered only after its reads are durable, and a repeated push
/// is recognised by its reads' keys and changes nothing.
/// </summary>
internal static partial class AnprEndpoints
{
    public static IEndpointRouteBuilder MapAnprEndpoints(this IEndpointRouteBuilder app)
    {
        var anpr = app.MapGroup("/api/v1/anpr").WithTags("ANPR").DisableAntiforgery()
            .RequireAuthorization(Policies.CameraGateway)
            .WithBodyLimit(BodyLimits.CameraPush);
        anpr.MapPost("/reads", (HttpContext http, CameraDirectory cameras, SiteEngines engines, Store store, TimeProvider time, ILoggerFactory loggers, NodeMetrics metrics, CancellationToken ct) =>
            PushAsync(CameraFormat.Generic, null, http, cameras, engines, store, time, loggers, metrics, ct))
            .WithSummary("Plate reads in ParkCharge's JSON format (one object or an array)");
        MapPush(anpr, "/plate-recognizer/{cameraId?}", CameraFormat.PlateRecognizer, "Plate Recognizer Snapshot/Stream webhooks (JSON or multipart with the picture)");
        MapPush(anpr, "/hikvision/{cameraId}", CameraFormat.Hikvision,
            "Hikvision ISAPI alarm-server pushes: ANPR (XML, or multipart with JPEG parts) and parking-space detection (JSON)");
        MapPush(anpr, "/axis/{cameraId}", CameraFormat.Axis, "AXIS License Plate Verifier JSON events (new/update/lost; JSON, or multipart with the picture)");

        // Dahua cameras post to their platform's "/NotificationInfo/TollgateInfo" (and "/NotificationInfo/KeepAlive")
        // under the address they are given: both are accepted under the camera's own address.
        MapPush(anpr, "/dahua/{cameraId}", CameraFormat.Dahua, "Dahua ITC (ITSAPI) traffic snapshots: JSON with base64 pictures, or a form with picture parts");
        MapPush(anpr, "/dahua/{cameraId}/NotificationInfo/{notification}", CameraFormat.Dahua,
            "Dahua ITC (ITSAPI) notifications under the camera's address (TollgateInfo; KeepAlive carries no read)");
        MapPush(anpr, "/openalpr/{cameraId?}", CameraFormat.OpenAlpr, "OpenALPR agent / Rekor Scout posts (alpr_group, alpr_results; heartbeats carry no read)");
        MapPush(anpr, "/milesight/{cameraId}", CameraFormat.Milesight, "Milesight LPR cameras' HTTP post (JSON with base64 pictures)");
        MapPush(anpr, "/mapped/{cameraId}", CameraFormat.Mapped, "Any camera's JSON or XML push (or multipart with one), read through the field map of its site file");
        return app;
    }

    /// <summary>A vendor format's push address, with the camera in its path (<paramref name="pattern"/> has <c>{cameraId}</c> or <c>{cameraId?}</c>).</summary>
    private static void MapPush(RouteGroupBuilder anpr, string pattern, CameraFormat format, string summary) =>
        anpr.MapPost(pattern, (string? cameraId, HttpContext http, CameraDirectory cameras, SiteEngines engines, Store store, TimeProvider time, ILoggerFactory loggers, NodeMetrics metrics, CancellationToken ct) =>
            PushAsync(format, cameraId, http, cameras, engines, store, time, loggers, metrics, ct))
            .WithSummary(summary);

    private static async Task<Results<Ok<AnprPushResponse>, ProblemHttpResult>> PushAsync(
        CameraFormat format,
        string? cameraId,
        HttpContext http,
        CameraDirectory cameras,
        SiteEngines engines,
        Store store,
        TimeProvider time,
        ILoggerFactory loggers,
        NodeMetrics metrics,
        CancellationToken ct)
    {
        var logger = loggers.CreateLogger("ParkCharge.Server.Anpr");
        var caller = CameraCaller.Of(http.User);

        // A push to a camera's own address is refused before its body is read when the key is not that camera's.
        var addressed = cameraId is null ? null : await cameras.FindAsync(cameraId, ct);
        if (cameraId is not null && !caller.MayPushFor(addressed))
        {
            LogRefused(logger, cameraId, "the key does not authenticate this camera");
            return NotAccepted();
        }

        // A mapped camera is read through its own field map; without a usable one there is nothing to read it with.
        var parser = format != CameraFormat.Mapped ? AnprParsers.For(format) : addressed?.Parser;
        if (parser is null)
        {
            LogRefused(logger, cameraId!, "the camera has no field map");
            return Problem(StatusCodes.Status422UnprocessableEntity, "The camera has no field map",
                $"Camera '{cameraId}' is not configured with format 'mapped' and a valid map in its site file; check the file with 'parkcharge check-site'.");
        }

        // Reading the body is bounded in time as well as size: a camera uploads a few hundred kilobytes in
        // well under a second; Kestrel's minimum data rate stops a trickle, this stops a slow but steady one.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        reading.CancelAfter(PushLimits.Default.MaxReadTime);
        AnprParseResult parsed;
        try
        {
            parsed = await parser.ParseAsync(http.Request.ContentType, http.Request.Body, cameraId, reading.Token);
        }
        catch (OperationCanceledException) when (reading.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return Problem(StatusCodes.Status408RequestTimeout, "The push did not arrive in time",
                $"A push must arrive within {PushLimits.Default.MaxReadTime.TotalSeconds:0} s.");
        }

        if (!parsed.IsSuccess)
        {
            // Counted per camera only for a camera of this node's: a camera id in a path is anyone's to invent.
            metrics.CameraRead(addressed?.Camera.Id ?? "unknown", "rejected");
            LogRefused(logger, cameraId ?? string.Join(",", caller.Cameras), "the push could not be read");
            var errors = parsed.Errors.Select(e => e.ToString()).ToArray();
            return TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = StatusCodes.Status400BadRequest,
                Title = $"The {format} push could not be read",
                Detail = string.Join("; ", errors),
                Extensions = { ["errors"] = errors },
            });
        }

        var push = parsed.Push!;
        var camerasNamed = push.Reports.Select(CameraOf).Append(cameraId ?? push.CameraId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (camerasNamed.Count == 0 && push.Reports.Count == 0)
        {
            // A heartbeat that names no camera (an OpenALPR agent's): the key was checked, and there is nothing to store.
            return TypedResults.Ok(new AnprPushResponse("", 0, 0));
        }

        if (camerasNamed.Count != 1)
        {
            return Problem(StatusCodes.Status400BadRequest, "One camera per push",
                camerasNamed.Count == 0 ? "The push names no camera." : $"The push names several cameras: {string.Join(", ", camerasNamed.Take(5))}.");
        }

        var id = camerasNamed[0];
        var camera = await cameras.FindAsync(id, ct);
        if (!caller.MayPushFor(camera))
        {
            // Unknown cameras and a key of another camera are refused alike: a key proves one camera's identity only.
            LogRefused(logger, id, "the key does not authenticate this camera");
            return NotAccepted();
        }

        // The camera's mounting and clock as its site describes them: which way "approaching" is, the time zone of a
        // local capture time (before the time is checked, so a local time is checked as the instant it stands for).
        var reports = push.Reports.Select(r => r.AtCamera(camera!.Camera, camera.SiteTimeZone)).ToList();
        push = push with { Reports = reports };
        var now = time.GetUtcNow();
        if (CaptureTimeProblem(push, now) is { } timeProblem)
        {
            metrics.CameraRead(id, "rejected");
            LogRefused(logger, id, "a capture time outside the accepted window");
            return timeProblem;
        }

        var observations = push.Reports.Select(report => new Observation
        {
            Site = camera!.Site,
            Source = $"camera:{id}",
            Key = $"anpr:{report.IdempotencyKey}",
            EventTime = report.CapturedAt ?? now,
            ReceivedAt = now,
            Payload = report.Payload,
        }).ToList();
        var replies = await Task.WhenAll(observations.Select(engines.SubmitAsync));
        foreach (var reply in replies)
        {
            metrics.CameraRead(id, reply is Refused ? "refused" : "accepted");
        }

        if (replies.OfType<Refused>().FirstOrDefault() is { } refused)
        {
            return Problem(StatusCodes.Status422UnprocessableEntity, "A read was refused", refused.Reason);
        }

        var stored = 0;
        if (camera!.Settings.StoreImages)
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

    /// <summary>The answer <see cref="CameraKeyAuthentication"/> gives a key it does not accept, so every refusal reads alike.</summary>
    private static ProblemHttpResult NotAccepted() => CameraKeyAuthentication.NotAccepted();

    private static string? CameraOf(CameraReport report) => report.Payload switch
    {
        PlateRead read => read.Camera,
        BayVacancyReported vacancy => vacancy.Camera,
        BayOccupancyReported occupancy => occupancy.Camera,
        _ => null,
    };

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: status);

    [LoggerMessage(EventId = 5030, Level = LogLevel.Warning, Message = "A push for camera {Camera} was refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string camera, string reason);
}
