using System.Text.Json;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;

namespace ParkCharge.Anpr.OpenAlpr;

/// <summary>
/// What the OpenALPR agent (alprd, now Rekor Scout) posts to its <c>upload_address</c>, and Rekor Scout's
/// webhooks: one JSON document per post, told apart by <c>data_type</c> (OpenALPR documentation, "OpenALPR
/// Agent (alprd)"; Rekor Scout "JSON Plate Results" and "JSON Group Results").
/// <list type="bullet">
/// <item><c>alpr_group</c>: one vehicle, grouped from its frames and sent when it is no longer seen:
/// <c>best_plate_number</c>, <c>best_confidence</c> (0–100), <c>best_region</c>, <c>candidates</c> (or
/// <c>best_plate.candidates</c>) with confidences, <c>epoch_start</c> (ms since 1970, the first frame),
/// <c>travel_direction</c> (degrees), <c>uuids</c> (the frames), <c>is_preview</c> (an early group, sent again
/// when complete), <c>best_plate.coordinates</c> with <c>best_image_width</c>, <c>vehicle.body_type</c>,
/// <c>vehicle_crop_jpeg</c> and <c>best_plate.plate_crop_jpeg</c> (base64). A group is a track: a preview and
/// its final group (same first frame) are one sighting.</item>
/// <item><c>alpr_results</c>: every recognised frame, <c>results[]</c> each with <c>plate</c>,
/// <c>confidence</c>, <c>candidates</c>, <c>region</c>, <c>coordinates</c> (with <c>img_width</c>),
/// <c>plate_crop_jpeg</c>; <c>epoch_time</c> (ms; the open-source agent's example gives seconds, which are
/// recognised by their size); <c>uuid</c>. The site engine collapses a vehicle's frames into one sighting.</item>
/// <item><c>heartbeat</c>, <c>alpr_alert</c> (a group again, matched against an alert list) and any other
/// <c>data_type</c> carry no read.</item>
/// </list>
/// <c>camera_id</c> is the agent's number for the stream; a post to <c>/anpr/openalpr</c> without a camera
/// in its address is taken as that camera's (so a site camera can be named by it).
/// </summary>
public sealed class OpenAlprParser(PushLimits limits) : IAnprParser
{
    public async ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken)
    {
        var (content, failure) = await ReceivedPush.ReadJsonAsync(contentType, body, limits, "an OpenALPR post", cancellationToken);
        return content is null ? failure! : Read(content, cameraId);
    }

    private AnprParseResult Read(PushContent content, string? pushedTo)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.ParseObject(content.Bytes, "body", "an OpenALPR post", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;

        var fields = new VendorJson(limits, errors);
        var dataType = fields.Text(root, "", "data_type");
        var claimed = fields.Text(root, "", "camera_id");
        var camera = pushedTo ?? claimed;
        var images = new List<PushedImage>();
        var reports = new List<CameraReport>();
        if (dataType is "alpr_group" or "alpr_results" && camera is null)
        {
            errors.Add(new AnprParseError("camera_id", "missing: the post names no camera and came to no camera's address"));
        }

        switch (dataType)
        {
            case "alpr_group":
                if (Group(fields, root, camera, content, images) is { } group)
                {
                    reports.Add(group);
                }

                break;
            case "alpr_results":
                reports.AddRange(Results(fields, root, camera, content, images));
                break;
            case null when errors.Count == 0:
                errors.Add(new AnprParseError("data_type", "missing: an OpenALPR post says what it is (alpr_group, alpr_results, heartbeat)"));
                break;
        }

        return errors.Count > 0
            ? AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors))
            : AnprParseResult.Success(new AnprPush(pushedTo is null ? claimed : null, reports, images));
    }

    private static CameraReport? Group(VendorJson fields, JsonElement root, string? camera, PushContent content, List<PushedImage> images)
    {
        var errorsBefore = fields.Errors.Count;
        var best = VendorJson.Member(root, "best_plate");
        var plate = fields.Plate(root, "", "best_plate_number") ?? fields.Plate(best, "best_plate", "plate") ?? "";
        var confidence = fields.Percent(root, "", "best_confidence") ?? fields.Percent(best, "best_plate", "confidence");
        var start = Epoch(fields, root, "", "epoch_start");
        var heading = fields.Number(root, "", "travel_direction");
        var region = fields.Text(root, "", "best_region") ?? fields.Text(best, "best_plate", "region");
        var candidateList = VendorJson.Member(root, "candidates").ValueKind == JsonValueKind.Array
            ? Candidates(fields, root, "")
            : Candidates(fields, best, "best_plate");
        var uuids = fields.Items(root, "", "uuids", 10_000);
        var first = uuids.Count > 0 && uuids[0].Item.ValueKind == JsonValueKind.String ? uuids[0].Item.GetString() : null;
        var preview = VendorJson.Member(root, "is_preview").ValueKind == JsonValueKind.True;
        var width = VendorJson.Pixels(VendorJson.Member(root, "best_image_width"));
        var box = Box(VendorJson.Member(best, "coordinates"));
        var vehicleType = BestName(VendorJson.Member(VendorJson.Member(root, "vehicle"), "body_type"));
        AddPicture(fields, root, "", "vehicle_crop_jpeg", images);
        AddPicture(fields, best, "best_plate", "plate_crop_jpeg", images);
        if (fields.Errors.Count > errorsBefore || camera is null)
        {
            return null;
        }

        // The group's first frame identifies it: a preview and the complete group start with the same frame.
        var track = first is { Length: > 0 and <= 128 } ? first : $"{camera}:{start?.ToUnixTimeMilliseconds()}";
        var read = new PlateRead
        {
            Camera = camera,
            Plate = plate,
            Confidence = confidence,
            Region = string.IsNullOrWhiteSpace(region) ? null : region,
            VehicleType = vehicleType,
            PlateX = box is { } b && width is > 0 and var w ? Math.Clamp((b.XMin + b.XMax) / 2.0 / w, 0, 1) : null,
            Candidates = [.. candidateList.Where(c => !string.Equals(c.Plate, plate, StringComparison.Ordinal))],
            Track = track,
            TrackEnded = !preview,
            HasImage = images.Count > 0,
        };
        for (var i = 0; i < images.Count; i++)
        {
            images[i] = images[i] with { ReportIndex = 0 };
        }

        var kind = preview ? "openalpr:preview" : "openalpr:group";
        return new CameraReport(read, start, ReadKey.Of(camera, null, kind + ":" + track, plate, null, start, 0, content))
        {
            Geometry = box is null && heading is null ? null : new PlateGeometry(box, width, heading),
        };
    }

    private List<CameraReport> Results(VendorJson fields, JsonElement root, string? camera, PushContent content, List<PushedImage> images)
    {
        var time = Epoch(fields, root, "", "epoch_time");
        var uuid = fields.Text(root, "", "uuid");
        var width = VendorJson.Pixels(VendorJson.Member(root, "img_width"));
        var reports = new List<CameraReport>();
        var results = fields.Items(root, "", "results", limits.MaxReads);
        foreach (var (result, at) in results)
        {
            var errorsBefore = fields.Errors.Count;
            if (result.ValueKind != JsonValueKind.Object)
            {
                fields.Errors.Add(new AnprParseError(at, $"{JsonFields.Kind(result)} is not a result object"));
                continue;
            }

            var plate = fields.Plate(result, at, "plate") ?? "";
            var confidence = fields.Percent(result, at, "confidence");
            var region = fields.Text(result, at, "region");
            var candidates = Candidates(fields, result, at);
            var box = Box(VendorJson.Member(result, "coordinates"));
            var index = reports.Count;
            var pictures = images.Count;
            AddPicture(fields, result, at, "plate_crop_jpeg", images);
            if (fields.Errors.Count > errorsBefore || camera is null)
            {
                continue;
            }

            for (var i = pictures; i < images.Count; i++)
            {
                images[i] = images[i] with { ReportIndex = index };
            }

            var read = new PlateRead
            {
                Camera = camera,
                Plate = plate,
                Confidence = confidence,
                Region = string.IsNullOrWhiteSpace(region) ? null : region,
                ReadId = uuid is null ? null : $"{uuid}#{index}",
                PlateX = box is { } b && width is > 0 and var w ? Math.Clamp((b.XMin + b.XMax) / 2.0 / w, 0, 1) : null,
                Candidates = [.. candidates.Where(c => !string.Equals(c.Plate, plate, StringComparison.Ordinal))],
                HasImage = images.Count > pictures,
            };
            reports.Add(new CameraReport(read, time, ReadKey.Of(camera, read.ReadId, "read", plate, null, time, index, content))
            {
                Geometry = box is null ? null : new PlateGeometry(box, width, null),
            });
        }

        return reports;
    }

    /// <summary>Milliseconds since 1970; a value below 10^11 is seconds (the open-source agent's example, <c>1402161050</c>).</summary>
    private static DateTimeOffset? Epoch(VendorJson fields, JsonElement owner, string at, string name)
    {
        if (fields.Number(owner, at, name) is not { } number)
        {
            return null;
        }

        var milliseconds = number < 1e11 ? number * 1000 : number;
        if (milliseconds is >= 0 and <= 253_402_300_799_999)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
        }

        fields.Errors.Add(new AnprParseError(JsonFields.Member(at, name), $"{number} is not a time in milliseconds since 1970"));
        return null;
    }

    private static List<PlateCandidate> Candidates(VendorJson fields, JsonElement owner, string at)
    {
        var candidates = new List<PlateCandidate>();
        foreach (var (candidate, candidateAt) in fields.Items(owner, at, "candidates", 100))
        {
            if (candidate.ValueKind == JsonValueKind.Object && fields.Plate(candidate, candidateAt, "plate") is { } text)
            {
                candidates.Add(new PlateCandidate(text, fields.Percent(candidate, candidateAt, "confidence")));
            }
        }

        return candidates;
    }

    /// <summary>The name with the highest confidence in a list of <c>{ name, confidence }</c>.</summary>
    private static string? BestName(JsonElement list) =>
        list.ValueKind != JsonValueKind.Array ? null
        : list.EnumerateArray()
            .Where(e => e.ValueKind == JsonValueKind.Object && VendorJson.Member(e, "name").ValueKind == JsonValueKind.String)
            .OrderByDescending(e => VendorJson.Member(e, "confidence") is { ValueKind: JsonValueKind.Number } c && c.TryGetDouble(out var d) ? d : 0)
            .Select(e => VendorJson.Member(e, "name").GetString())
            .FirstOrDefault(n => n is { Length: > 0 and <= 64 });

    /// <summary>The box around the plate's four corners (<c>[{x, y}, ...]</c>); null when not four points of whole pixels.</summary>
    private static PixelBox? Box(JsonElement corners)
    {
        if (corners.ValueKind != JsonValueKind.Array || corners.GetArrayLength() != 4)
        {
            return null;
        }

        var points = corners.EnumerateArray().Select(p => (X: VendorJson.Pixels(VendorJson.Member(p, "x")), Y: VendorJson.Pixels(VendorJson.Member(p, "y")))).ToList();
        if (points.Any(p => p.X is null || p.Y is null))
        {
            return null;
        }

        return new PixelBox(points.Min(p => p.X!.Value), points.Min(p => p.Y!.Value), points.Max(p => p.X!.Value), points.Max(p => p.Y!.Value));
    }

    private static void AddPicture(VendorJson fields, JsonElement owner, string at, string name, List<PushedImage> images)
    {
        if (fields.Picture(owner, at, name) is { } bytes)
        {
            images.Add(new PushedImage(name, Base64Picture.ContentType(bytes), bytes, null));
        }
    }
}
