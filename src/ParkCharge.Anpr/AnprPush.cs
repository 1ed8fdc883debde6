using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr;

/// <summary>
/// What one HTTP push from a camera (or the LPR software behind it) said, in ParkCharge's terms. The
/// caller turns each report into an observation (DESIGN.md §1.1); the parser knows formats, never rules.
/// </summary>
/// <param name="CameraId">
/// The camera the payload names (generic <c>cameraId</c>, Plate Recognizer <c>camera_id</c>), or null when
/// it names none or several. Hikvision pushes never name one: they come to a per-camera URL. The caller
/// compares this claim with the camera the push was authenticated as.
/// </param>
/// <param name="Reports">The reads (and bay vacancies) in the push, in the order the payload lists them.</param>
/// <param name="Images">Pictures that came with the push (multipart parts), which are kept only if the site enables it.</param>
public sealed record AnprPush(string? CameraId, IReadOnlyList<CameraReport> Reports, IReadOnlyList<PushedImage> Images)
{
    /// <summary>Where the push says it came from (Hikvision's <c>ipAddress</c>, <c>macAddress</c>, <c>channelID</c>), for diagnostics only.</summary>
    public PushSender? Sender { get; init; }
}

/// <summary>One thing a camera reported: a plate read, an empty bay or a bay taken (without a plate).</summary>
/// <param name="Payload">A <see cref="Core.Parking.PlateRead"/>, <see cref="Core.Parking.BayVacancyReported"/> or <see cref="Core.Parking.BayOccupancyReported"/>; its camera is always filled.</param>
/// <param name="CapturedAt">The camera's capture time with the offset it gave; null when the push has none (the caller then uses the arrival time).</param>
/// <param name="IdempotencyKey">
/// Identifies the read, so a repeated push changes nothing (DESIGN.md §2): <c>{camera}:{readId}</c> when the
/// camera gives a read id, else <c>{camera}:{sha256}</c> of what identifies the read (see <see cref="ReadKey"/>).
/// </param>
public sealed record CameraReport(ObservationPayload Payload, DateTimeOffset? CapturedAt, string IdempotencyKey)
{
    /// <summary>
    /// Where the plate was and which way it moved, in the vendor's raw terms, for mappings that need site
    /// knowledge (which heading means "in" at this lane). Null when the payload gives neither.
    /// </summary>
    public PlateGeometry? Geometry { get; init; }

    /// <summary>
    /// The direction as the camera reported it: in/out of the car park, or towards/away from the camera,
    /// which <see cref="AtCamera"/> turns into a direction of travel with the camera's mounting. Parsers
    /// fill <c>PlateRead.Direction</c> too, for a camera facing arriving traffic.
    /// </summary>
    public ReportedDirection? ReportedDirection { get; init; }

    /// <summary>
    /// The capture time as the camera's clock showed it, when the push gives it without an offset (Dahua,
    /// Milesight, a mapped field): <see cref="AtCamera"/> places it in the camera's or the site's time zone.
    /// <see cref="CapturedAt"/> is then null, or the instant the push's own time-zone field gives.
    /// </summary>
    public DateTime? LocalTime { get; init; }

    /// <summary>
    /// The report as the site's camera makes it: the direction of travel from the reported direction or
    /// heading and how the camera is mounted, and a local capture time placed in the camera's time zone
    /// (<see cref="CameraConfiguration.TimeZone"/>), else the push's own offset, else the site's zone.
    /// </summary>
    public CameraReport AtCamera(CameraConfiguration camera, string siteTimeZone)
    {
        var report = this;
        if (LocalTime is { } local && (camera.TimeZone is not null || CapturedAt is null))
        {
            // A reading at the very edge of the calendar that no instant holds is taken as the absurd time it is (and
            // refused as one), not dropped in favour of the arrival time.
            var placed = CaptureTime.InZone(local, camera.TimeZone ?? siteTimeZone)
                ?? (local.Year < 5000 ? DateTimeOffset.MinValue : DateTimeOffset.MaxValue);
            report = report with { CapturedAt = placed };
        }

        if (Payload is PlateRead read)
        {
            var direction = ReportedDirection is { } reported ? camera.DirectionOf(reported)
                : Geometry?.HeadingDegrees is { } heading && camera.HeadingIn is not null ? camera.DirectionOf(heading)
                : read.Direction;
            if (direction != read.Direction)
            {
                report = report with { Payload = read with { Direction = direction } };
            }
        }

        return report;
    }
}

/// <summary>A picture that came with a push.</summary>
/// <param name="Name">The part's name as the camera sent it (e.g. <c>licensePlatePicture.jpg</c>, <c>upload</c>).</param>
/// <param name="ContentType">The part's content type as sent (Hikvision sends <c>image/pjpeg</c>), or <c>application/octet-stream</c>.</param>
/// <param name="ReportIndex">The report the picture belongs to, or null when it belongs to the push as a whole (one picture, several reads).</param>
public sealed record PushedImage(string Name, string ContentType, ReadOnlyMemory<byte> Content, int? ReportIndex);

/// <summary>The device's own description of itself in a push; never used to identify the camera.</summary>
public sealed record PushSender(string? IpAddress, string? MacAddress, string? Channel);

/// <summary>The plate's box and the vehicle's heading as the payload gave them.</summary>
/// <param name="PlateBox">The plate's box in pixels of the picture the vendor analysed.</param>
/// <param name="ImageWidth">The width in pixels of that picture, when known (then <c>PlateRead.PlateX</c> is filled).</param>
/// <param name="HeadingDegrees">The direction of travel in degrees as the vendor measures it (Plate Recognizer Stream).</param>
public sealed record PlateGeometry(PixelBox? PlateBox, int? ImageWidth, double? HeadingDegrees);

/// <summary>A box in picture pixels, top-left origin.</summary>
public readonly record struct PixelBox(int XMin, int YMin, int XMax, int YMax);
