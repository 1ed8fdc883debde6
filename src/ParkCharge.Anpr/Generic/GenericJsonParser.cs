using System.Text.Json;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;

namespace ParkCharge.Anpr.Generic;

/// <summary>
/// ParkCharge's own camera format (<c>POST /api/v1/anpr/reads</c>): a JSON read object, or an array of
/// them, each
/// <c>{ "cameraId", "plate", "confidence", "capturedAt", "direction", "readId", "region", "vehicleType", "zone", "plateX", "event" }</c>.
/// It is strict because it is ours: a wrong type, a value out of range, a time without an offset or an
/// unknown member is an error naming its path, so an integrator finds a mistake on the first push
/// instead of in a wrong bill. JSON <c>null</c> counts as absent.
/// </summary>
public sealed class GenericJsonParser(PushLimits limits) : IAnprParser
{
    private const string Members = "cameraId, plate, confidence, capturedAt, direction, readId, region, vehicleType, zone, plateX and event";

    public async ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken)
    {
        var (content, failure) = await ReceivedPush.ReadJsonAsync(contentType, body, limits, "the generic format", cancellationToken);
        return content is null ? failure! : Read(content, cameraId, limits);
    }

    private static AnprParseResult Read(PushContent content, string? pushedTo, PushLimits limits)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.Parse(content.Bytes, "body", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;
        var items = new List<(JsonElement Item, string Path)>();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                items.Add((root, ""));
                break;
            case JsonValueKind.Array:
                items.AddRange(root.EnumerateArray().Select((item, i) => (item, $"[{i}]")));
                if (items.Count == 0)
                {
                    return AnprParseResult.Failure("body", "the array is empty: a push carries at least one read");
                }

                if (items.Count > limits.MaxReads)
                {
                    return AnprParseResult.Failure("body", $"the push has {items.Count} reads; at most {limits.MaxReads} (send the rest in further pushes)");
                }

                break;
            default:
                return AnprParseResult.Failure("body", $"the body is {JsonFields.Kind(root)}; a push is a read object or an array of them");
        }

        var reports = new List<CameraReport>();
        var claimed = new HashSet<string>(StringComparer.Ordinal);
        for (int index = 0; index < items.Count; index++)
        {
            if (ReadOne(items[index].Item, items[index].Path, index, pushedTo, content, limits, errors, claimed) is { } report)
            {
                reports.Add(report);
            }
        }

        return errors.Count > 0
            ? AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors))
            : AnprParseResult.Success(new AnprPush(claimed.Count == 1 ? claimed.First() : null, reports, []));
    }

    private static CameraReport? ReadOne(JsonElement item, string path, int index, string? pushedTo, PushContent content, PushLimits limits, List<AnprParseError> errors, HashSet<string> claimed)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new AnprParseError(path, $"{JsonFields.Kind(item)} is not a read object"));
            return null;
        }

        int errorsBefore = errors.Count;
        string? camera = null, plate = null, readId = null, region = null, vehicleType = null, zone = null;
        double? confidence = null, plateX = null;
        DateTimeOffset? capturedAt = null;
        TravelDirection? direction = null;
        bool vacant = false;
        var plateMembers = new List<string>(); // what a vacancy cannot carry
        foreach (var member in item.EnumerateObject())
        {
            string at = JsonFields.Member(path, member.Name);
            var value = member.Value;
            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            switch (member.Name)
            {
                case "cameraId":
                    camera = Text(value, at, errors, allowEmpty: false, limits.MaxTextLength);
                    break;
                case "plate":
                    plate = Text(value, at, errors, allowEmpty: true, limits.MaxPlateLength);
                    plateMembers.Add(at);
                    break;
                case "confidence":
                    confidence = Fraction(value, at, errors);
                    plateMembers.Add(at);
                    break;
                case "capturedAt":
                    capturedAt = Time(value, at, errors);
                    break;
                case "direction":
                    direction = Direction(value, at, errors);
                    plateMembers.Add(at);
                    break;
                case "readId":
                    readId = Text(value, at, errors, allowEmpty: false, limits.MaxTextLength);
                    break;
                case "region":
                    region = Text(value, at, errors, allowEmpty: false, limits.MaxTextLength);
                    plateMembers.Add(at);
                    break;
                case "vehicleType":
                    vehicleType = Text(value, at, errors, allowEmpty: false, limits.MaxTextLength);
                    plateMembers.Add(at);
                    break;
                case "zone":
                    zone = Text(value, at, errors, allowEmpty: false, limits.MaxTextLength);
                    break;
                case "plateX":
                    plateX = Fraction(value, at, errors);
                    plateMembers.Add(at);
                    break;
                case "event":
                    vacant = IsVacancy(value, at, errors);
                    break;
                default:
                    errors.Add(new AnprParseError(at, $"is not a member of the generic format ({Members})"));
                    break;
            }
        }

        // The address the push came to (and its key) names the camera; a read that claims another one is a
        // misconfigured device or a forgery, and either way not something to record under this camera.
        if (camera is not null)
        {
            claimed.Add(camera);
            if (pushedTo is not null && !string.Equals(camera, pushedTo, StringComparison.Ordinal))
            {
                errors.Add(new AnprParseError(JsonFields.Member(path, "cameraId"), $"\"{camera}\" is not the camera this push came to (\"{pushedTo}\")"));
            }
        }

        string? reportCamera = pushedTo ?? camera;
        if (reportCamera is null && !errors.Skip(errorsBefore).Any(e => e.Path == JsonFields.Member(path, "cameraId")))
        {
            errors.Add(new AnprParseError(JsonFields.Member(path, "cameraId"), "missing: the read names no camera and the push came to no camera's address"));
        }

        if (vacant)
        {
            errors.AddRange(plateMembers.Select(at => new AnprParseError(at, "a \"vacant\" event reports an empty bay and carries no plate data")));
        }
        else if (plate is null && !errors.Skip(errorsBefore).Any(e => e.Path == JsonFields.Member(path, "plate")))
        {
            errors.Add(new AnprParseError(JsonFields.Member(path, "plate"), "missing (send \"\" for a plate the camera could not read)"));
        }

        if (errors.Count > errorsBefore)
        {
            return null;
        }

        string kind = vacant ? "vacant" : "read";
        string key = ReadKey.Of(reportCamera!, readId, kind, plate ?? "", zone, capturedAt, index, content);
        ObservationPayload payload = vacant
            ? new BayVacancyReported(reportCamera!, zone)
            : new PlateRead
            {
                Camera = reportCamera!,
                Plate = plate!,
                Confidence = confidence,
                Direction = direction,
                Region = region,
                ReadId = readId,
                VehicleType = vehicleType,
                Zone = zone,
                PlateX = plateX,
            };
        return new CameraReport(payload, capturedAt, key);
    }

    private static string? Text(JsonElement value, string at, List<AnprParseError> errors, bool allowEmpty, int maxLength)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new AnprParseError(at, $"{JsonFields.Kind(value)} is not a string"));
            return null;
        }

        if (JsonFields.BoundedText(value, at, maxLength, errors) is not { } text)
        {
            return null;
        }

        if (!allowEmpty && text.Length == 0)
        {
            errors.Add(new AnprParseError(at, "is empty (leave it out instead)"));
            return null;
        }

        return text;
    }

    private static double? Fraction(JsonElement value, string at, List<AnprParseError> errors)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(new AnprParseError(at, $"{JsonFields.Kind(value)} is not a number"));
            return null;
        }

        if (JsonFields.Number(value) is >= 0 and <= 1 and var number)
        {
            return number;
        }

        errors.Add(new AnprParseError(at, $"{JsonFields.Quote(value)} is outside 0..1"));
        return null;
    }

    private static DateTimeOffset? Time(JsonElement value, string at, List<AnprParseError> errors)
    {
        if (value.ValueKind == JsonValueKind.String && CaptureTime.TryParseWithOffset(value.GetString()!, out var time))
        {
            return time;
        }

        errors.Add(new AnprParseError(at, $"{JsonFields.Quote(value)} is not an ISO 8601 time with offset"));
        return null;
    }

    private static TravelDirection? Direction(JsonElement value, string at, List<AnprParseError> errors)
    {
        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "in":
                return TravelDirection.In;
            case "out":
                return TravelDirection.Out;
            default:
                errors.Add(new AnprParseError(at, $"{JsonFields.Quote(value)} is not a direction (\"in\" or \"out\")"));
                return null;
        }
    }

    private static bool IsVacancy(JsonElement value, string at, List<AnprParseError> errors)
    {
        switch (value.ValueKind == JsonValueKind.String ? value.GetString() : null)
        {
            case "read":
                return false;
            case "vacant":
                return true;
            default:
                errors.Add(new AnprParseError(at, $"{JsonFields.Quote(value)} is not an event (\"read\" or \"vacant\")"));
                return false;
        }
    }
}
