using System.Globalization;
using System.Xml.Linq;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;

namespace ParkCharge.Anpr.Hikvision;

/// <summary>
/// Hikvision ISAPI event notifications as ANPR cameras push them to an "alarm server" (HTTP listening):
/// an <c>EventNotificationAlert</c> XML document, alone (<c>application/xml</c>) or as one part of a
/// <c>multipart/form-data</c> push next to JPEG parts such as <c>licensePlatePicture.jpg</c> and
/// <c>detectionPicture.jpg</c>. The XML part's name varies by firmware (<c>anpr.xml</c>, …), so it is
/// found by its content type or <c>.xml</c> name. Hikvision documents the namespace as
/// <c>http://www.hikvision.com/ver20/XMLSchema</c> in older and <c>http://www.isapi.org/ver20/XMLSchema</c>
/// in newer guides (Device Network SDK (Traffic) Developer Guide, XML_EventNotificationAlert_ANPR);
/// ver10 and no namespace occur too, so elements are matched in whatever namespace the root has.
/// <para>
/// An <c>ANPR</c> event is one read: <c>ANPR/licensePlate</c>, <c>ANPR/confidenceLevel</c> (0–100),
/// <c>ANPR/direction</c>, <c>ANPR/country</c>, <c>ANPR/vehicleType</c>, <c>dateTime</c> (local time with
/// offset, e.g. <c>2017-04-22T15:39:01+08:00</c>) and <c>UUID</c>, the event's own id. Every other event
/// type (heartbeats, <c>videoloss</c>, …) and any event whose <c>eventState</c> is <c>inactive</c> (the
/// state Hikvision gives heartbeats and invalid events) carries no read and is not an error.
/// </para>
/// <para>
/// Parking-space detection comes as a JSON <c>EventNotificationAlert</c> (or a multipart push with that JSON
/// part); it is read by <see cref="ParkingSpaces"/>. <c>pictureInfo/plateRect</c> is not turned into
/// <c>PlateX</c> because its coordinate base is not documented there.
/// </para>
/// </summary>
public sealed class HikvisionIsapiParser(PushLimits limits) : IAnprParser
{
    private const string Root = "EventNotificationAlert";

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
            case PushBodyKind.Xml:
                return Read(content.Bytes, "body", [], cameraId, content);
            case PushBodyKind.Json:
                return ParkingSpaces.Read(content.Bytes, "body", [], cameraId, content, limits);
            case PushBodyKind.Multipart:
                var (parts, partsError) = await FormPart.ReadMultipartAsync(mediaType, content, limits, cancellationToken);
                if (parts is null)
                {
                    return AnprParseResult.Failure([partsError!]);
                }

                if (parts.FirstOrDefault(IsXml) is not { } xml)
                {
                    return parts.FirstOrDefault(p => p.IsJson) is { } json
                        ? ParkingSpaces.Read(json.Content, json.Name, [.. parts.Where(p => p.IsPicture && !p.Content.IsEmpty)], cameraId, content, limits)
                        : AnprParseResult.Failure("body", "the multipart push has no XML or JSON part");
                }

                // Cameras send a picture part with Content-Length 0 when that picture is not configured (a
                // published capture of an ANPR push shows licensePlatePicture.jpg so); an empty part is no picture.
                var pictures = parts.Where(p => !ReferenceEquals(p, xml) && IsPicture(p) && !p.Content.IsEmpty).ToList();
                return Read(xml.Content, xml.Name, pictures, cameraId, content);
            default:
                return AnprParseResult.Failure("body", $"a Hikvision push is XML, JSON or multipart, not \"{mediaType}\"");
        }
    }

    private static bool IsXml(FormPart part) =>
        part.ContentType?.Contains("xml", StringComparison.OrdinalIgnoreCase) == true
        || part.Name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase)
        || part.FileName?.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) == true;

    private static bool IsPicture(FormPart part) =>
        part.ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
        || (part.FileName ?? part.Name).EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
        || (part.FileName ?? part.Name).EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);

    private AnprParseResult Read(ReadOnlyMemory<byte> xml, string xmlPath, List<FormPart> pictures, string? pushedTo, PushContent content)
    {
        var loadErrors = new List<AnprParseError>();
        if (XmlBody.Load(xml, xmlPath, limits, "an ISAPI alert", loadErrors) is not { } alert)
        {
            return AnprParseResult.Failure(loadErrors);
        }

        if (alert.Name.LocalName != Root)
        {
            return AnprParseResult.Failure(xmlPath, $"the document is <{alert.Name.LocalName}>, not an ISAPI <{Root}>");
        }

        var ns = alert.Name.Namespace;
        var sender = new PushSender(Text(alert, ns, "ipAddress"), Text(alert, ns, "macAddress"), Text(alert, ns, "channelID"));
        var push = new AnprPush(null, [], [.. pictures.Select(p => Picture(p, null))])
        {
            Sender = sender is { IpAddress: null, MacAddress: null, Channel: null } ? null : sender,
        };

        bool isRead = string.Equals(Text(alert, ns, "eventType"), "ANPR", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(Text(alert, ns, "eventState"), "inactive", StringComparison.OrdinalIgnoreCase);
        if (!isRead)
        {
            return AnprParseResult.Success(push);
        }

        var errors = new List<AnprParseError>();
        if (pushedTo is null)
        {
            errors.Add(new AnprParseError("body", "a Hikvision push does not name its camera: it must come to the camera's own address"));
        }

        DateTimeOffset? capturedAt = null;
        if (Text(alert, ns, "dateTime") is { } dateTime)
        {
            if (CaptureTime.TryParseWithOffset(dateTime, out var instant))
            {
                capturedAt = instant;
            }
            else
            {
                errors.Add(new AnprParseError($"{Root}/dateTime", $"\"{JsonFields.Shorten(dateTime)}\" is not an ISO 8601 time with offset"));
            }
        }

        if (alert.Element(ns + "ANPR") is not { } anpr)
        {
            errors.Add(new AnprParseError($"{Root}/ANPR", "missing in an ANPR event"));
            return AnprParseResult.Failure(errors);
        }

        var licensePlate = anpr.Element(ns + "licensePlate");
        if (licensePlate is null)
        {
            errors.Add(new AnprParseError($"{Root}/ANPR/licensePlate", "missing"));
        }

        double? confidence = null;
        if (Text(anpr, ns, "confidenceLevel") is { } level)
        {
            if (int.TryParse(level, NumberStyles.None, CultureInfo.InvariantCulture, out int percent) && percent <= 100)
            {
                confidence = percent / 100.0;
            }
            else
            {
                errors.Add(new AnprParseError($"{Root}/ANPR/confidenceLevel", $"\"{JsonFields.Shorten(level)}\" is not a whole number from 0 to 100"));
            }
        }

        if (errors.Count > 0)
        {
            return AnprParseResult.Failure(errors);
        }

        string plate = Plate(licensePlate!.Value);
        var tooLong = new[] { ("ANPR/licensePlate", plate, limits.MaxPlateLength), ("UUID", Text(alert, ns, "UUID"), limits.MaxTextLength),
            ("ANPR/country", Text(anpr, ns, "country"), limits.MaxTextLength), ("ANPR/vehicleType", Text(anpr, ns, "vehicleType"), limits.MaxTextLength) }
            .Where(f => f.Item2?.Length > f.Item3)
            .Select(f => new AnprParseError($"{Root}/{f.Item1}", $"is {f.Item2!.Length} characters long; at most {f.Item3}"))
            .ToList();
        if (tooLong.Count > 0)
        {
            return AnprParseResult.Failure(tooLong);
        }

        string? readId = Text(alert, ns, "UUID");
        var read = new PlateRead
        {
            Camera = pushedTo!,
            Plate = plate,
            Confidence = confidence,
            Direction = Direction(Text(anpr, ns, "direction")),
            Region = Text(anpr, ns, "country"),
            ReadId = readId,
            VehicleType = Text(anpr, ns, "vehicleType"),
            HasImage = pictures.Count > 0,
        };
        var report = new CameraReport(read, capturedAt, ReadKey.Of(pushedTo!, readId, "read", plate, null, capturedAt, 0, content));
        return AnprParseResult.Success(push with { Reports = [report], Images = [.. pictures.Select(p => Picture(p, 0))] });
    }

    /// <summary>
    /// Cameras that found a vehicle but could not read its plate send <c>unknown</c>, or <c>无车牌</c>
    /// ("no plate") on firmware with Chinese defaults. Both mean an unreadable plate, which is kept as "".
    /// </summary>
    private static string Plate(string text)
    {
        string plate = text.Trim();
        return string.Equals(plate, "unknown", StringComparison.OrdinalIgnoreCase) || plate == "无车牌" ? "" : plate;
    }

    /// <summary>
    /// Hikvision gives the plate's direction as <c>forward</c>, <c>reverse</c> or <c>unknown</c> (ISAPI
    /// ANPR metadata, "license plate direction, including reverse (backward), forward, and unknown").
    /// We assume the camera faces arriving traffic, so forward is into the car park. A camera mounted
    /// the other way round needs a per-camera setting, which the site configuration does not have yet.
    /// </summary>
    private static TravelDirection? Direction(string? direction) => direction?.ToLowerInvariant() switch
    {
        "forward" => TravelDirection.In,
        "reverse" => TravelDirection.Out,
        _ => null,
    };

    private static PushedImage Picture(FormPart part, int? reportIndex) =>
        new(part.Name, part.ContentType ?? "application/octet-stream", part.Content, reportIndex);

    private static string? Text(XElement parent, XNamespace ns, string name) =>
        parent.Element(ns + name)?.Value.Trim() is { Length: > 0 } text ? text : null;
}
