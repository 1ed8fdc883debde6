using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Mapped;

/// <summary>
/// Reads a camera's pushes through the field map its site file gives it (<see cref="CameraFieldMap"/>): a JSON
/// or XML document, alone or as a part of a multipart push. Every selected read must have a plate; the
/// other fields are optional, but a field the map names must hold a value of its kind when it is present.
/// Problems name the map's field and path, never the values (they may be plates).
/// </summary>
public sealed class MappedParser(MappedFields fields, PushLimits limits) : IAnprParser
{
    public async ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken)
    {
        var (push, failure) = await ReceivedPush.ReadAsync(contentType, body, limits, cancellationToken);
        if (push is null)
        {
            return failure!;
        }

        if (cameraId is null)
        {
            return AnprParseResult.Failure("body", "a mapped push must come to its camera's own address");
        }

        // Gateways label their documents loosely (text/plain): a content type that says nothing known is looked into too.
        var (content, mediaType, kind) = push;
        kind = kind == PushBodyKind.Other ? PushMediaType.Sniff(content.Bytes.Span) : kind;
        var map = fields.Map;
        var expected = map.Document == CameraDocumentKind.Json ? PushBodyKind.Json : PushBodyKind.Xml;
        if (kind == PushBodyKind.Multipart)
        {
            var (parts, partsError) = await FormPart.ReadMultipartAsync(mediaType, content, limits, cancellationToken);
            if (parts is null)
            {
                return AnprParseResult.Failure([partsError!]);
            }

            var documentPart = map.DocumentPart is { } name
                ? parts.FirstOrDefault(p => p.IsNamed(name))
                : parts.FirstOrDefault(p => expected == PushBodyKind.Json ? p.IsJson : p.IsXml);
            if (documentPart is null)
            {
                return AnprParseResult.Failure("body", map.DocumentPart is { } missing
                    ? $"the multipart push has no part \"{JsonFields.Shorten(missing)}\" (documentPart)"
                    : $"the multipart push has no {(expected == PushBodyKind.Json ? "JSON" : "XML")} part");
            }

            var picturePart = map.PicturePart is { } pictureName ? parts.FirstOrDefault(p => p.IsNamed(pictureName) && !p.Content.IsEmpty) : null;
            return Read(documentPart.Content, documentPart.Name, picturePart, cameraId, content);
        }

        return kind == expected
            ? Read(content.Bytes, "body", null, cameraId, content)
            : AnprParseResult.Failure("body", $"this camera's map reads {(expected == PushBodyKind.Json ? "JSON" : "XML")}, not \"{mediaType}\"");
    }

    private sealed record RawRead(string? Plate, string? Confidence, string? Time, bool TimeIsNumber, string? Direction, string? Zone, string? ReadId, string? Region, string? Picture);

    private AnprParseResult Read(ReadOnlyMemory<byte> document, string at, FormPart? picturePart, string camera, PushContent content)
    {
        var errors = new List<AnprParseError>();
        var raws = fields.Document == CameraDocumentKind.Json ? ReadJson(document, at, errors) : ReadXml(document, at, errors);
        if (raws is null)
        {
            return AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors));
        }

        if (raws.Count > limits.MaxReads)
        {
            return AnprParseResult.Failure("reads", $"the push has more than the {limits.MaxReads} reads a push may have (send the rest in further pushes)");
        }

        var reports = new List<CameraReport>();
        var images = new List<PushedImage>();
        for (var i = 0; i < raws.Count; i++)
        {
            var raw = raws[i];
            var where = raws.Count == 1 && fields.Map.Reads is null ? "" : $"reads[{i}] ";
            var before = errors.Count;
            var report = Report(raw, where, i, camera, content, errors, images, picturePart);
            if (errors.Count == before && report is not null)
            {
                reports.Add(report);
            }
        }

        if (picturePart is not null)
        {
            images.Add(picturePart.AsImage(reports.Count == 1 ? 0 : null));
        }

        return errors.Count > 0
            ? AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors))
            : AnprParseResult.Success(new AnprPush(null, reports, images));
    }

    private CameraReport? Report(RawRead raw, string where, int index, string camera, PushContent content, List<AnprParseError> errors, List<PushedImage> images, FormPart? picturePart)
    {
        var map = fields.Map;
        if (raw.Plate is null)
        {
            errors.Add(new AnprParseError($"{where}plate", $"nothing at {map.Plate}"));
            return null;
        }

        var plate = raw.Plate.Trim().Length == 0 || map.NoPlate.Any(n => string.Equals(n.Trim(), raw.Plate.Trim(), StringComparison.OrdinalIgnoreCase)) ? "" : raw.Plate;
        if (plate.Length > limits.MaxPlateLength)
        {
            errors.Add(new AnprParseError($"{where}plate", $"is {plate.Length} characters long; at most {limits.MaxPlateLength}"));
            return null;
        }

        double? confidence = null;
        if (raw.Confidence is { } confidenceText && confidenceText.Trim() is { Length: > 0 } trimmed && trimmed != "-")
        {
            if (double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                && value / map.ConfidenceScale is >= 0 and <= 1)
            {
                confidence = value / map.ConfidenceScale;
            }
            else
            {
                errors.Add(new AnprParseError($"{where}confidence", $"\"{JsonFields.Shorten(trimmed)}\" at {map.Confidence} is not a confidence from 0 to {map.ConfidenceScale.ToString(CultureInfo.InvariantCulture)}"));
            }
        }

        DateTimeOffset? capturedAt = null;
        DateTime? local = null;
        if (raw.Time is { } timeText && timeText.Trim().Length > 0)
        {
            if (!ReadTime(timeText.Trim(), out capturedAt, out local))
            {
                errors.Add(new AnprParseError($"{where}time", $"\"{JsonFields.Shorten(timeText)}\" at {map.Time} is not a time in {map.TimeFormat ?? "iso8601"}"));
            }
        }

        var direction = raw.Direction is { } directionText ? fields.DirectionOf(directionText) : null;
        foreach (var (name, text) in new[] { ("zone", raw.Zone), ("readId", raw.ReadId), ("region", raw.Region) })
        {
            if (text?.Length > limits.MaxTextLength || text?.Contains('\0', StringComparison.Ordinal) == true)
            {
                errors.Add(new AnprParseError($"{where}{name}", $"is longer than {limits.MaxTextLength} characters or holds a NUL"));
            }
        }

        byte[]? picture = null;
        if (raw.Picture is { } pictureText)
        {
            picture = Base64Picture.Decode(pictureText, $"{where}picture", errors);
        }

        if (errors.Count > 0)
        {
            return null;
        }

        var zone = string.IsNullOrWhiteSpace(raw.Zone) ? null : raw.Zone.Trim();
        var readId = string.IsNullOrWhiteSpace(raw.ReadId) ? null : raw.ReadId.Trim();
        if (picture is not null)
        {
            images.Add(new PushedImage($"picture-{index}", Base64Picture.ContentType(picture), picture, index));
        }

        var read = new PlateRead
        {
            Camera = camera,
            Plate = plate,
            Confidence = confidence,
            Direction = direction switch
            {
                ReportedDirection.In or ReportedDirection.Approaching => TravelDirection.In,
                ReportedDirection.Out or ReportedDirection.Leaving => TravelDirection.Out,
                _ => null,
            },
            Zone = zone,
            ReadId = readId,
            Region = string.IsNullOrWhiteSpace(raw.Region) ? null : raw.Region.Trim(),
            HasImage = picture is not null || picturePart is not null,
        };
        var keyTime = capturedAt ?? (local is { } t ? CaptureTime.InRange(t, TimeSpan.Zero) : null);
        return new CameraReport(read, capturedAt, ReadKey.Of(camera, readId, "read", plate, zone, keyTime, index, content))
        {
            LocalTime = local,
            ReportedDirection = direction,
        };
    }

    private bool ReadTime(string text, out DateTimeOffset? capturedAt, out DateTime? local)
    {
        capturedAt = null;
        local = null;
        switch (fields.TimeFormat)
        {
            case MappedFields.TimeReading.UnixSeconds or MappedFields.TimeReading.UnixMilliseconds:
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
                {
                    return false;
                }

                var milliseconds = fields.TimeFormat == MappedFields.TimeReading.UnixSeconds ? number * 1000 : number;
                if (milliseconds is < 0 or > 253_402_300_799_999)
                {
                    return false;
                }

                capturedAt = DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
                return true;
            case MappedFields.TimeReading.Custom:
                var format = fields.CustomTimeFormat!;
                if (format.Contains('z', StringComparison.Ordinal) || format.Contains('K', StringComparison.Ordinal))
                {
                    if (DateTimeOffset.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset))
                    {
                        capturedAt = withOffset;
                        return true;
                    }

                    return false;
                }

                if (DateTime.TryParseExact(text, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
                {
                    local = parsed;
                    return true;
                }

                return false;
            default:
                if (CaptureTime.TryParseWithOffset(text, out var iso))
                {
                    capturedAt = iso;
                    return true;
                }

                if (!CaptureTime.HasOffset(text) && CaptureTime.TryParseLocal(text, out var isoLocal))
                {
                    local = isoLocal;
                    return true;
                }

                return false;
        }
    }

    // --- JSON --------------------------------------------------------------------------------------------

    private List<RawRead>? ReadJson(ReadOnlyMemory<byte> json, string at, List<AnprParseError> errors)
    {
        using var document = JsonFields.Parse(json, at, errors);
        if (document is null)
        {
            return null;
        }

        var root = document.RootElement;
        IEnumerable<JsonElement> items = fields.Path("reads") is JsonPathExpression reads ? reads.Select(root, root) : [root];
        var raws = new List<RawRead>();
        foreach (var item in items)
        {
            if (raws.Count == limits.MaxReads + 1)
            {
                break;
            }

            var time = Json("time", root, item, raws.Count, errors);
            raws.Add(new RawRead(
                Json("plate", root, item, raws.Count, errors),
                Json("confidence", root, item, raws.Count, errors),
                time,
                false,
                Json("direction", root, item, raws.Count, errors),
                Json("zone", root, item, raws.Count, errors),
                Json("readId", root, item, raws.Count, errors),
                Json("region", root, item, raws.Count, errors),
                Json("picture", root, item, raws.Count, errors, maxLength: (int)Math.Min(limits.MaxBytes * 2, int.MaxValue))));
        }

        return errors.Count > 0 ? null : raws;
    }

    /// <summary>A mapped field's value as text: strings as they are, numbers and booleans as written; objects and arrays are errors.</summary>
    private string? Json(string field, JsonElement root, JsonElement item, int index, List<AnprParseError> errors, int? maxLength = null)
    {
        if (fields.Path(field) is not JsonPathExpression path)
        {
            return null;
        }

        var value = path.Find(root, item);
        var at = fields.Map.Reads is null ? field : $"reads[{index}] {field}";
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return JsonFields.BoundedText(value, at, maxLength ?? Math.Max(limits.MaxTextLength, limits.MaxPlateLength) * 4, errors);
            case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                return value.GetRawText();
            default:
                errors.Add(new AnprParseError(at, $"{path} holds {JsonFields.Kind(value)}, not a value"));
                return null;
        }
    }

    // --- XML ---------------------------------------------------------------------------------------------

    private List<RawRead>? ReadXml(ReadOnlyMemory<byte> xml, string at, List<AnprParseError> errors)
    {
        if (XmlBody.Load(xml, at, limits, "a camera's event", errors) is not { } root)
        {
            return null;
        }

        IEnumerable<XElement> items = fields.Path("reads") is XmlPathExpression reads ? reads.Select(root, root) : [root];
        var raws = new List<RawRead>();
        foreach (var item in items)
        {
            if (raws.Count == limits.MaxReads + 1)
            {
                break;
            }

            raws.Add(new RawRead(
                Xml("plate", root, item), Xml("confidence", root, item), Xml("time", root, item), false, Xml("direction", root, item),
                Xml("zone", root, item), Xml("readId", root, item), Xml("region", root, item), Xml("picture", root, item)));
        }

        return raws;
    }

    private string? Xml(string field, XElement root, XElement item) =>
        fields.Path(field) is XmlPathExpression path ? path.Find(root, item) : null;
}
