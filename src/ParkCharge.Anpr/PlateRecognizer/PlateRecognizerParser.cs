using System.Text.Json;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;

namespace ParkCharge.Anpr.PlateRecognizer;

/// <summary>
/// Plate Recognizer's result JSON, in each way it arrives:
/// <list type="bullet">
/// <item>a Snapshot API response <c>{ "camera_id", "timestamp", "filename", "results": [...] }</c>
/// (guides.platerecognizer.com/docs/snapshot/api-reference);</item>
/// <item>a Snapshot or Stream webhook, the same object wrapped as <c>{ "hook": {...}, "data": {...} }</c>
/// (<c>hook.event</c> is <c>image.done</c> for Snapshot, <c>recognition</c> for Stream;
/// guides.platerecognizer.com/docs/snapshot/results, …/docs/stream/results);</item>
/// <item>a "webhook with image": <c>multipart/form-data</c> with the JSON in the field <c>json</c> and the
/// JPEG in <c>upload</c>; Stream's data-only webhook may also post the field <c>json</c> as an
/// URL-encoded form (Snapshot API documentation, "WebHooks", github.com/parkpow/platerec-documentation).</item>
/// </list>
/// Each result is one read. Plates come lower-case and without separators, as read; <c>score</c> is the
/// confidence in the text (<c>dscore</c>, the detection confidence, is not a text confidence and is not
/// mapped). Results of the engine's vehicle mode (<c>"detection_mode":"vehicle"</c>), whose <c>plate</c>
/// is an object and may be missing for a vehicle without a readable plate, are read too. Members this
/// parser maps are type-checked; everything else is ignored, so new vendor fields do not break pushes.
/// </summary>
public sealed class PlateRecognizerParser(PushLimits limits) : IAnprParser
{
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
                return Read(content.Bytes, "body", upload: null, cameraId, content);
            case PushBodyKind.Multipart or PushBodyKind.UrlEncodedForm:
                var (parts, partsError) = kind == PushBodyKind.Multipart
                    ? await FormPart.ReadMultipartAsync(mediaType, content, limits, cancellationToken)
                    : await FormPart.ReadUrlEncodedAsync(content, limits, cancellationToken);
                if (parts is null)
                {
                    return AnprParseResult.Failure([partsError!]);
                }

                if (parts.FirstOrDefault(p => p.IsNamed("json")) is not { } json)
                {
                    return AnprParseResult.Failure("json", "missing: a Plate Recognizer form push carries its results in the field \"json\"");
                }

                var upload = parts.FirstOrDefault(p => p.IsNamed("upload") && !p.Content.IsEmpty);
                return Read(json.Content, "json", upload, cameraId, content);
            default:
                return AnprParseResult.Failure("body", $"a Plate Recognizer push is JSON or a form with the field \"json\", not \"{mediaType}\"");
        }
    }

    private AnprParseResult Read(ReadOnlyMemory<byte> json, string jsonPath, FormPart? upload, string? pushedTo, PushContent content)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.ParseObject(json, jsonPath, "a Plate Recognizer result object", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;

        // Webhooks wrap the result in "data"; the API response is the result itself.
        var (data, at) = root.TryGetProperty("data", out var wrapped) ? (wrapped, "data") : (root, "");
        if (data.ValueKind != JsonValueKind.Object)
        {
            return AnprParseResult.Failure(at, $"{JsonFields.Kind(data)} is not a result object");
        }

        string? hookEvent = root.TryGetProperty("hook", out var hook) && hook.ValueKind == JsonValueKind.Object
            && hook.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

        string? camera = OptionalText(data, at, "camera_id", errors) is { Length: > 0 } named ? named : null;
        DateTimeOffset? capturedAt = null;
        if (OptionalText(data, at, "timestamp", errors) is { } timestamp)
        {
            if (CaptureTime.TryParseAssumingUtc(timestamp, out var instant))
            {
                capturedAt = instant;
            }
            else
            {
                errors.Add(new AnprParseError(JsonFields.Member(at, "timestamp"), $"\"{timestamp}\" is not an ISO 8601 time"));
            }
        }

        // "The bounding box of the license plate are calculated based on the image sent by webhook"
        // (Snapshot API documentation, "Webhook With Image"), so the uploaded JPEG's width turns the box
        // into a position in the picture. Without the picture the box stays in pixels.
        int? imageWidth = upload is not null && JpegSize.TryRead(upload.Content.Span, out int width, out _) ? width : null;

        string? reportCamera = pushedTo ?? camera;
        var images = upload is null ? new List<PushedImage>() : [new PushedImage(upload.Name, upload.ContentType ?? "application/octet-stream", upload.Content, null)];
        var reports = new List<CameraReport>();
        if (!data.TryGetProperty("results", out var results) || results.ValueKind == JsonValueKind.Null)
        {
            // Stream also posts webhooks that carry no reads (heartbeats and the like); a recognition or a
            // Snapshot result without results is malformed.
            if (hookEvent is null or "recognition" or "image.done")
            {
                errors.Add(new AnprParseError(JsonFields.Member(at, "results"), "missing"));
            }
        }
        else if (results.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new AnprParseError(JsonFields.Member(at, "results"), $"{JsonFields.Kind(results)} is not an array"));
        }
        else
        {
            int count = results.GetArrayLength();
            if (count > limits.MaxReads)
            {
                return AnprParseResult.Failure(JsonFields.Member(at, "results"), $"the push has {count} results; at most {limits.MaxReads}");
            }

            if (count > 0 && reportCamera is null)
            {
                errors.Add(new AnprParseError(JsonFields.Member(at, "camera_id"), "missing: the push names no camera (set camera_id) and came to no camera's address"));
            }

            int index = 0;
            foreach (var result in results.EnumerateArray())
            {
                string resultAt = $"{JsonFields.Member(at, "results")}[{index}]";
                if (ReadResult(result, resultAt, errors) is { } read && reportCamera is not null)
                {
                    double? plateX = read.Box is { } box && imageWidth is { } w
                        ? Math.Clamp((box.XMin + box.XMax) / 2.0 / w, 0, 1)
                        : null;
                    var plateRead = new PlateRead
                    {
                        Camera = reportCamera,
                        Plate = read.Plate,
                        Confidence = read.Score,
                        Region = read.Region,
                        VehicleType = read.VehicleType,
                        PlateX = plateX,
                        Candidates = read.Candidates,
                        HasImage = images.Count > 0,
                    };
                    reports.Add(new CameraReport(plateRead, capturedAt, ReadKey.Of(reportCamera, null, "read", read.Plate, null, capturedAt, index, content))
                    {
                        Geometry = read.Box is null && read.Heading is null ? null : new PlateGeometry(read.Box, imageWidth, read.Heading),
                    });
                }

                index++;
            }

            // One picture, one read: the picture is that read's. With several reads it belongs to all of them.
            if (reports.Count == 1 && images.Count == 1)
            {
                images[0] = images[0] with { ReportIndex = 0 };
            }
        }

        return errors.Count > 0
            ? AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors))
            : AnprParseResult.Success(new AnprPush(camera, reports, images));
    }

    private sealed record ResultRead(string Plate, double? Score, string? Region, string? VehicleType, PixelBox? Box, double? Heading, IReadOnlyList<PlateCandidate> Candidates);

    private ResultRead? ReadResult(JsonElement result, string at, List<AnprParseError> errors)
    {
        if (result.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new AnprParseError(at, $"{JsonFields.Kind(result)} is not a result object"));
            return null;
        }

        int errorsBefore = errors.Count;
        string plate;
        double? score;
        string? region;
        PixelBox? box;
        List<PlateCandidate> candidates;
        result.TryGetProperty("plate", out var plateValue);
        if (plateValue.ValueKind == JsonValueKind.Object)
        {
            // Vehicle mode: plate { type, score, box, props { plate: [{value, score}], region: [{value, score}] } };
            // the first plate value is the top reading (Snapshot API reference, "Vehicle Only Response").
            string plateAt = JsonFields.Member(at, "plate");
            var readings = Readings(plateValue, plateAt, "plate", errors);
            plate = readings.Count > 0 ? readings[0].Plate : "";
            score = readings.Count > 0 ? readings[0].Confidence : null;
            candidates = readings.Skip(1).ToList();
            var regions = Readings(plateValue, plateAt, "region", errors);
            region = regions.Count > 0 && regions[0].Plate.Length > 0 ? regions[0].Plate : null;
            box = Box(plateValue, plateAt, errors);
        }
        else
        {
            if (plateValue.ValueKind == JsonValueKind.String)
            {
                plate = JsonFields.BoundedText(plateValue, JsonFields.Member(at, "plate"), limits.MaxPlateLength, errors) ?? "";
            }
            else
            {
                // A vehicle-mode result without a plate object is a vehicle whose plate could not be read.
                plate = "";
                if (plateValue.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
                {
                    errors.Add(new AnprParseError(JsonFields.Member(at, "plate"), $"{JsonFields.Kind(plateValue)} is not a plate"));
                }
            }

            score = Score(result, at, "score", errors);
            region = result.TryGetProperty("region", out var regionValue) && regionValue.ValueKind == JsonValueKind.Object
                ? OptionalText(regionValue, JsonFields.Member(at, "region"), "code", errors) is { Length: > 0 } code ? code : null
                : null;
            box = Box(result, at, errors);
            candidates = [];
            if (result.TryGetProperty("candidates", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var candidate in list.EnumerateArray())
                {
                    string candidateAt = $"{JsonFields.Member(at, "candidates")}[{i++}]";
                    if (candidate.ValueKind == JsonValueKind.Object && OptionalText(candidate, candidateAt, "plate", errors) is { } text)
                    {
                        // Stream's candidates carry no score; Snapshot's do.
                        candidates.Add(new PlateCandidate(text, Score(candidate, candidateAt, "score", errors)));
                    }
                }
            }
        }

        // The first candidate is the top prediction, the same as the plate (API reference, "results/candidates");
        // PlateRead.Candidates holds the other readings.
        candidates.RemoveAll(c => string.Equals(c.Plate, plate, StringComparison.Ordinal));

        string? vehicleType = result.TryGetProperty("vehicle", out var vehicle) && vehicle.ValueKind == JsonValueKind.Object
            ? OptionalText(vehicle, JsonFields.Member(at, "vehicle"), "type", errors) is { Length: > 0 } type ? type : null
            : null;
        double? heading = Heading(result, at, errors);
        return errors.Count > errorsBefore ? null : new ResultRead(plate, score, region, vehicleType, box, heading, candidates);
    }

    /// <summary>
    /// Stream's direction of travel in degrees (its CSV output lists e.g. <c>225</c>; its webhook sends
    /// <c>""</c> when it could not tell). Which heading means "into the car park" depends on how the
    /// camera is mounted, so it stays raw here and <c>PlateRead.Direction</c> stays null.
    /// </summary>
    private static double? Heading(JsonElement result, string at, List<AnprParseError> errors)
    {
        if (!result.TryGetProperty("direction", out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Number when JsonFields.Number(value) is { } degrees:
                return degrees;
            case JsonValueKind.Null:
            case JsonValueKind.String when value.GetString()!.Length == 0:
                return null;
            default:
                errors.Add(new AnprParseError(JsonFields.Member(at, "direction"), $"{JsonFields.Quote(value)} is not a heading in degrees"));
                return null;
        }
    }

    private List<PlateCandidate> Readings(JsonElement plate, string at, string name, List<AnprParseError> errors)
    {
        var readings = new List<PlateCandidate>();
        if (plate.TryGetProperty("props", out var props) && props.ValueKind == JsonValueKind.Object
            && props.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (var reading in list.EnumerateArray())
            {
                string readingAt = $"{at}.props.{name}[{i++}]";
                if (reading.ValueKind == JsonValueKind.Object && OptionalText(reading, readingAt, "value", errors) is { } text)
                {
                    readings.Add(new PlateCandidate(text, Score(reading, readingAt, "score", errors)));
                }
            }
        }

        return readings;
    }

    private static PixelBox? Box(JsonElement owner, string at, List<AnprParseError> errors)
    {
        if (!owner.TryGetProperty("box", out var box) || box.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        string boxAt = JsonFields.Member(at, "box");
        if (Pixels(box, "xmin") is { } xMin && Pixels(box, "ymin") is { } yMin && Pixels(box, "xmax") is { } xMax && Pixels(box, "ymax") is { } yMax)
        {
            return new PixelBox(xMin, yMin, xMax, yMax);
        }

        errors.Add(new AnprParseError(boxAt, "is not a box of whole pixels { xmin, ymin, xmax, ymax }"));
        return null;

        static int? Pixels(JsonElement box, string name) =>
            box.ValueKind == JsonValueKind.Object && box.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int pixels)
                ? pixels
                : null;
    }

    private static double? Score(JsonElement owner, string at, string name, List<AnprParseError> errors)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (JsonFields.Number(value) is >= 0 and <= 1 and var score)
        {
            return score;
        }

        errors.Add(new AnprParseError(JsonFields.Member(at, name), $"{JsonFields.Quote(value)} is not a score between 0 and 1"));
        return null;
    }

    private string? OptionalText(JsonElement owner, string at, string name, List<AnprParseError> errors)
    {
        if (!owner.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return JsonFields.BoundedText(value, JsonFields.Member(at, name), name is "plate" or "value" ? limits.MaxPlateLength : limits.MaxTextLength, errors);
        }

        errors.Add(new AnprParseError(JsonFields.Member(at, name), $"{JsonFields.Kind(value)} is not a string"));
        return null;
    }
}
