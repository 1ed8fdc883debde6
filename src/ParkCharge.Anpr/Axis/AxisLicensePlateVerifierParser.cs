using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Axis;

/// <summary>
/// AXIS License Plate Verifier's event push over HTTP (the ACAP's "JSON sender", made by FF Group): one JSON
/// event per push, alone (<c>application/json</c>) or as a part of a <c>multipart/form-data</c> push next to
/// the picture ("Multipart screenshot"). Fields as FF Group's "JSON Fields (Protocol 1.6)" lists them and
/// the VAPIX License plate verifier API's event table explains them:
/// <list type="bullet">
/// <item><c>carID</c>, the ACAP's runtime id of the vehicle, and <c>carState</c>: <c>new</c> at the first
/// detection (direction always undefined), <c>update</c>/<c>updated</c> when the direction, the plate or the
/// zone changes, <c>lost</c> some seconds (10 by default) after the last recognition. Every event is a read
/// with the track id <c>carID</c>, so the site engine makes one sighting of the vehicle whose best read
/// wins; <c>lost</c> ends the track.</item>
/// <item><c>plateUTF8</c> / <c>plateUnicode</c> / <c>plateText</c> (the text, the first present is used),
/// <c>plateCountry</c> (ISO 3166 alpha-3, turned into the lower-case alpha-2 code other formats use),
/// <c>plateConfidence</c> (0..1), <c>carMoveDirection</c> (<c>in</c>/<c>out</c> against the direction set in
/// the ACAP; <c>unk</c> is none), <c>roiID</c> (1 or 2: the region of interest, a bay camera's zone),
/// <c>plateCoordinates</c> (<c>[left, top, width, height]</c> in pixels of the frame), <c>datetime</c>
/// (<c>YYYYMMDD HHMMSSFFF</c>, UTC, optionally followed by <c>+HHMM</c>; else <c>capture_timestamp</c>, milliseconds
/// since 1970), <c>packetCounter</c>.</item>
/// </list>
/// Numbers may come as strings (<c>"packetCounter":"3124"</c>, <c>"plateConfidence":"0.85"</c>); both are read.
/// A push without plate text and without <c>carState</c> (a heartbeat) carries no read.
/// </summary>
public sealed partial class AxisLicensePlateVerifierParser(PushLimits limits) : IAnprParser
{
    private static readonly string[] PlateMembers = ["plateUTF8", "plateUnicode", "plateText"];

    public async ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken)
    {
        var (push, failure) = await ReceivedPush.ReadAsync(contentType, body, limits, cancellationToken);
        if (push is null)
        {
            return failure!;
        }

        var (content, mediaType, kind) = push;
        switch (kind)
        {
            case PushBodyKind.Json:
                return Read(content.Bytes, "body", [], cameraId, content);
            case PushBodyKind.Multipart:
                var (parts, partsError) = await FormPart.ReadMultipartAsync(mediaType, content, limits, cancellationToken);
                if (parts is null)
                {
                    return AnprParseResult.Failure([partsError!]);
                }

                if (parts.FirstOrDefault(p => p.IsJson) is not { } json)
                {
                    return AnprParseResult.Failure("body", "the multipart push has no JSON part");
                }

                return Read(json.Content, json.Name, [.. parts.Where(p => p.IsPicture && !p.Content.IsEmpty)], cameraId, content);
            default:
                return AnprParseResult.Failure("body", $"an AXIS License Plate Verifier push is JSON or multipart, not \"{mediaType}\"");
        }
    }

    private AnprParseResult Read(ReadOnlyMemory<byte> json, string at, List<FormPart> pictures, string? pushedTo, PushContent content)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.ParseObject(json, at, "a License Plate Verifier event", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;

        var path = at == "body" ? "" : at;
        var fields = new VendorJson(limits, errors);
        var images = pictures.Select(p => p.AsImage(null)).ToList();
        var plateMember = PlateMembers.FirstOrDefault(m => VendorJson.Member(root, m).ValueKind != JsonValueKind.Undefined);
        var state = fields.Text(root, path, "carState");
        if (plateMember is null && state is null)
        {
            return errors.Count > 0 ? AnprParseResult.Failure(errors) : AnprParseResult.Success(new AnprPush(null, [], images));
        }

        if (pushedTo is null)
        {
            errors.Add(new AnprParseError("body", "an AXIS License Plate Verifier push does not name its camera: it must come to the camera's own address"));
        }

        var ended = false;
        switch (state?.Trim().ToLowerInvariant())
        {
            case null or "new" or "update" or "updated":
                break;
            case "lost":
                ended = true;
                break;
            default:
                errors.Add(new AnprParseError(JsonFields.Member(path, "carState"), $"\"{JsonFields.Shorten(state)}\" is not a car state (new, update, lost)"));
                break;
        }

        var plate = plateMember is null ? "" : fields.Plate(root, path, plateMember) ?? "";
        var confidence = fields.Fraction(root, path, "plateConfidence");
        var track = fields.Text(root, path, "carID");
        var zone = fields.Text(root, path, "roiID");
        var counter = fields.Text(root, path, "packetCounter");
        var country = fields.Text(root, path, "plateCountry");
        var direction = Direction(fields.Text(root, path, "carMoveDirection"), JsonFields.Member(path, "carMoveDirection"), errors);
        DateTimeOffset? capturedAt = null;
        if (fields.Text(root, path, "datetime") is { } datetime)
        {
            capturedAt = Time(datetime);
            if (capturedAt is null)
            {
                errors.Add(new AnprParseError(JsonFields.Member(path, "datetime"), $"\"{JsonFields.Shorten(datetime)}\" is not a time (YYYYMMDD HHMMSSFFF, optionally +HHMM)"));
            }
        }
        else if (fields.Number(root, path, "capture_timestamp") is { } milliseconds)
        {
            // Without datetime, capture_timestamp: milliseconds since 1970 (the VAPIX event's capture_timestamp).
            capturedAt = milliseconds is >= 0 and <= 253_402_300_799_999 ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds) : null;
            if (capturedAt is null)
            {
                errors.Add(new AnprParseError(JsonFields.Member(path, "capture_timestamp"), "is not a time in milliseconds since 1970"));
            }
        }

        var box = Box(VendorJson.Member(root, "plateCoordinates"));
        if (errors.Count > 0)
        {
            return AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors));
        }

        // The frame's width turns the plate's box into a position in the picture (a camera over two bays).
        int? width = fields.Text(root, path, "imageType") is "frame" && pictures.Count == 1 && JpegSize.TryRead(pictures[0].Content.Span, out var w, out _) ? w : null;
        var read = new PlateRead
        {
            Camera = pushedTo!,
            Plate = plate,
            Confidence = confidence,
            Direction = direction switch
            {
                ReportedDirection.In => TravelDirection.In,
                ReportedDirection.Out => TravelDirection.Out,
                _ => null,
            },
            Region = CountryCodes.Alpha2(country),
            Zone = zone,
            PlateX = box is { } b && width is { } frame ? Math.Clamp((b.XMin + b.XMax) / 2.0 / frame, 0, 1) : null,
            Track = track,
            TrackEnded = ended,
            HasImage = images.Count > 0,
        };

        // The event, not only the text, identifies the push: new and update of one vehicle may read alike.
        var kind = $"axis:{track}:{state}:{counter}";
        var report = new CameraReport(read, capturedAt, ReadKey.Of(pushedTo!, null, kind, plate, zone, capturedAt, 0, content))
        {
            ReportedDirection = direction,
            Geometry = box is null ? null : new PlateGeometry(box, width, null),
        };
        return AnprParseResult.Success(new AnprPush(null, [report], [.. images.Select(i => i with { ReportIndex = 0 })]));
    }

    private static ReportedDirection? Direction(string? value, string at, List<AnprParseError> errors)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "in":
                return ReportedDirection.In;
            case "out":
                return ReportedDirection.Out;
            case null or "" or "unk" or "unknown" or "null" or "undefined":
                return null;
            default:
                errors.Add(new AnprParseError(at, $"\"{JsonFields.Shorten(value)}\" is not a direction (in, out, unk)"));
                return null;
        }
    }

    /// <summary><c>[left, top, width, height]</c> in pixels; null when absent or not four whole numbers.</summary>
    private static PixelBox? Box(JsonElement coordinates)
    {
        if (coordinates.ValueKind != JsonValueKind.Array || coordinates.GetArrayLength() != 4)
        {
            return null;
        }

        var values = coordinates.EnumerateArray().Select(VendorJson.Pixels).ToList();
        return values is [{ } left, { } top, { } width, { } height] && width >= 0 && height >= 0
            ? new PixelBox(left, top, left + width, top + height)
            : null;
    }

    /// <summary><c>YYYYMMDD HHMMSSFFF</c>, UTC unless followed by <c>+HHMM</c> / <c>-HHMM</c>; ISO 8601 with offset too.</summary>
    internal static DateTimeOffset? Time(string text)
    {
        if (CaptureTime.TryParseWithOffset(text.Trim(), out var iso))
        {
            return iso;
        }

        var match = AxisTime().Match(text.Trim());
        if (!match.Success
            || !DateTime.TryParseExact(match.Groups["date"].Value + match.Groups["time"].Value + (match.Groups["ms"].Success ? match.Groups["ms"].Value : "000"),
                "yyyyMMddHHmmssfff", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            return null;
        }

        var offset = TimeSpan.Zero;
        if (match.Groups["zone"].Success)
        {
            var zone = match.Groups["zone"].Value;
            offset = new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture), 0);
            offset = zone[0] == '-' ? -offset : offset;
        }

        return CaptureTime.InRange(local, offset);
    }

    [GeneratedRegex(@"^(?<date>\d{8}) ?(?<time>\d{6})(?<ms>\d{3})? ?(?<zone>[+-]\d{4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex AxisTime();
}
