using System.Text.Json;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Milesight;

/// <summary>
/// Milesight LPR cameras' "HTTP Post" of a recognised plate (Milesight support, "Integration between LPR
/// camera and NVR/VMS", HTTP post type): one JSON object per plate with
/// <list type="bullet">
/// <item><c>plate</c>; <c>time_msec</c> (<c>yyyy-MM-dd HH:mm:ss.fff</c>) or <c>time</c> (<c>yyyy-MM-dd HH:mm:ss</c>),
/// the camera's local time without offset;</item>
/// <item><c>direction</c>: <c>Approach</c> or <c>Away</c> (relative to the camera; <c>-</c> or <c>Unknown</c> is none);</item>
/// <item><c>region</c> (the plate's country or region), <c>plate_color</c>, <c>vehicle_type</c>,
/// <c>detection_region</c> (the ROI number, a camera's zone), <c>confidence</c> (often <c>"-"</c>: none; a number
/// above 1 is a percentage);</item>
/// <item><c>coordinate_x1</c>, <c>coordinate_x2</c> with <c>resolution_width</c>: where the plate is in the picture;</item>
/// <item><c>plate_image</c>, <c>full_image</c>, <c>vehicle_image</c>: base64 JPEGs, when the camera is set to send them.</item>
/// </list>
/// Numbers may come as strings. A post of another event (<c>event</c>: vehicle counting, list, attributes) carries
/// no read; a post with neither <c>plate</c> nor <c>event</c> is refused.
/// </summary>
public sealed class MilesightLprParser(PushLimits limits) : IAnprParser
{
    private static readonly string[] Pictures = ["plate_image", "full_image", "vehicle_image"];

    public async ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken)
    {
        var (content, failure) = await ReceivedPush.ReadJsonAsync(contentType, body, limits, "a Milesight LPR post", cancellationToken);
        return content is null ? failure! : Read(content, cameraId);
    }

    private AnprParseResult Read(PushContent content, string? pushedTo)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.ParseObject(content.Bytes, "body", "a Milesight LPR post", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;

        if (pushedTo is null)
        {
            errors.Add(new AnprParseError("body", "a Milesight post does not name its camera: it must come to the camera's own address"));
        }

        var fields = new VendorJson(limits, errors);
        if (VendorJson.Member(root, "plate").ValueKind == JsonValueKind.Undefined && VendorJson.Member(root, "event").ValueKind != JsonValueKind.Undefined)
        {
            // Vehicle counting, list and other events the camera posts to the same address carry no plate read.
            return AnprParseResult.Success(new AnprPush(null, [], []));
        }

        var plate = fields.Plate(root, "", "plate");
        if (plate is null && VendorJson.Member(root, "plate").ValueKind == JsonValueKind.Undefined)
        {
            errors.Add(new AnprParseError("plate", "missing: a recognition post has the plate (send \"\" or \"unknown\" for one the camera could not read)"));
        }

        DateTime? local = null;
        foreach (var name in new[] { "time_msec", "time" })
        {
            if (fields.Text(root, "", name) is { } text)
            {
                if (CaptureTime.TryParseLocal(text.Trim(), out var parsed))
                {
                    local = parsed;
                }
                else
                {
                    errors.Add(new AnprParseError(name, $"\"{JsonFields.Shorten(text)}\" is not a time (yyyy-MM-dd HH:mm:ss)"));
                }

                break;
            }
        }

        var confidence = fields.Number(root, "", "confidence") switch
        {
            null => null,
            >= 0 and <= 1 and var fraction => fraction,
            > 1 and <= 100 and var percent => percent / 100,
            var other => Invalid(errors, other.Value),
        };
        var direction = fields.Text(root, "", "direction")?.Trim().ToLowerInvariant() switch
        {
            "approach" or "approaching" => ReportedDirection.Approaching,
            "away" or "leave" or "leaving" => ReportedDirection.Leaving,
            _ => (ReportedDirection?)null,
        };
        var region = fields.Text(root, "", "region");
        var color = fields.Text(root, "", "plate_color");
        var vehicleType = fields.Text(root, "", "vehicle_type");
        var zone = fields.Text(root, "", "detection_region");
        var width = VendorJson.Pixels(VendorJson.Member(root, "resolution_width"));
        var x1 = VendorJson.Pixels(VendorJson.Member(root, "coordinate_x1"));
        var x2 = VendorJson.Pixels(VendorJson.Member(root, "coordinate_x2"));
        var y1 = VendorJson.Pixels(VendorJson.Member(root, "coordinate_y1"));
        var y2 = VendorJson.Pixels(VendorJson.Member(root, "coordinate_y2"));
        var images = new List<PushedImage>();
        foreach (var name in Pictures)
        {
            if (fields.Picture(root, "", name) is { } bytes)
            {
                images.Add(new PushedImage(name, Base64Picture.ContentType(bytes), bytes, 0));
            }
        }

        if (errors.Count > 0)
        {
            return AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors));
        }

        var plateText = plate ?? "";
        var box = x1 is { } left && x2 is { } right ? new PixelBox(Math.Min(left, right), y1 ?? 0, Math.Max(left, right), y2 ?? 0) : (PixelBox?)null;
        var read = new PlateRead
        {
            Camera = pushedTo!,
            Plate = string.Equals(plateText.Trim(), "unknown", StringComparison.OrdinalIgnoreCase) ? "" : plateText,
            Confidence = confidence,
            Direction = direction switch
            {
                ReportedDirection.Approaching => TravelDirection.In,
                ReportedDirection.Leaving => TravelDirection.Out,
                _ => null,
            },
            Region = Meaningful(region),
            Zone = Meaningful(zone),
            VehicleType = Meaningful(vehicleType),
            PlateColor = Meaningful(color),
            PlateX = box is { } b && width is > 0 and var w ? Math.Clamp((b.XMin + b.XMax) / 2.0 / w, 0, 1) : null,
            HasImage = images.Count > 0,
        };
        var keyTime = local is { } t ? CaptureTime.InRange(t, TimeSpan.Zero) : null;
        var report = new CameraReport(read, null, ReadKey.Of(pushedTo!, null, "read", read.Plate, read.Zone, keyTime, 0, content))
        {
            LocalTime = local,
            ReportedDirection = direction,
            Geometry = box is null ? null : new PlateGeometry(box, width, null),
        };
        return AnprParseResult.Success(new AnprPush(null, [report], images));
    }

    /// <summary>Milesight writes <c>-</c> for fields it has no value for.</summary>
    private static string? Meaningful(string? text) => string.IsNullOrWhiteSpace(text) || text.Trim() == "-" ? null : text.Trim();

    private static double? Invalid(List<AnprParseError> errors, double value)
    {
        errors.Add(new AnprParseError("confidence", $"{value.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not a confidence (0..1 or a percentage)"));
        return null;
    }
}
