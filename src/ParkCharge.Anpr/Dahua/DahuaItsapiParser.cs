using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Dahua;

/// <summary>
/// Dahua ITC (traffic) cameras' ITSAPI push, which they send to a platform's "ANPR Info Interface"
/// (<c>/NotificationInfo/TollgateInfo</c> on Dahua's own platforms): a JSON document
/// <c>{ "Picture": { "Plate", "SnapInfo", "Vehicle", "NormalPic", "CutoutPic", "VehiclePic" } }</c>, with the
/// pictures as base64 <c>Content</c>; or, on firmware that posts a form, a field holding that JSON next to
/// picture parts. A camera resends a push until its answer says <c>"Result": true</c>.
/// <list type="bullet">
/// <item><c>Plate.PlateNumber</c>; <c>Plate.IsExist</c> false, or the firmware's words for no plate (<c>无车牌</c>,
/// <c>未识别</c>, <c>unknown</c>), mean an unreadable plate; <c>Plate.PlateColor</c>; <c>Plate.Confidence</c>
/// (0–100; 0 with a plate means the camera gave none; numbers may come as strings); <c>Plate.Region</c>.</item>
/// <item><c>SnapInfo.AccurateTime</c> (<c>yyyy-MM-dd HH:mm:ss.fff</c>, else <c>SnapTime</c>): the camera's local
/// time; <c>SnapInfo.TimeZone</c>: the camera's time zone, as Dahua numbers its zones (0 = GMT+00:00 …
/// 13 = GMT+08:00 … 32 = GMT-12:00), or written as an offset (<c>+08:00</c>, <c>GMT+8</c>).</item>
/// <item><c>SnapInfo.Direction</c>: <c>Obverse</c> (the lane's direction) or <c>Reverse</c>; ITC cameras
/// watch arriving traffic, so obverse is taken as approaching the camera.</item>
/// <item><c>SnapInfo.LanNo</c> (or <c>Lane</c>): the lane or bay number, a camera's zone;
/// <c>Vehicle.VehicleType</c>.</item>
/// </list>
/// A document without <c>Picture</c> (the KeepAlive heartbeat, if it is sent to the same address) carries no read.
/// </summary>
public sealed partial class DahuaItsapiParser(PushLimits limits) : IAnprParser
{
    private static readonly string[] PictureMembers = ["NormalPic", "CutoutPic", "VehiclePic"];

    private static readonly string[] NoPlate = ["", "unknown", "无车牌", "未识别", "none", "noplate"];

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
            case PushBodyKind.Multipart or PushBodyKind.UrlEncodedForm:
                var (parts, partsError) = await FormPart.ReadFormAsync(mediaType, content, limits, cancellationToken);
                if (parts is null)
                {
                    return AnprParseResult.Failure([partsError!]);
                }

                if (parts.FirstOrDefault(p => p.IsJson) is not { } json)
                {
                    return AnprParseResult.Failure("body", "the form has no JSON field or part with the ITSAPI document");
                }

                return Read(json.Content, json.Name, [.. parts.Where(p => p.IsPicture && !p.Content.IsEmpty)], cameraId, content);
            default:
                return AnprParseResult.Failure("body", $"a Dahua ITSAPI push is JSON or a form with the JSON document, not \"{mediaType}\"");
        }
    }

    private AnprParseResult Read(ReadOnlyMemory<byte> json, string at, List<FormPart> pictureParts, string? pushedTo, PushContent content)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.ParseObject(json, at, "an ITSAPI document", errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;

        var path = at == "body" ? "" : at;
        var picture = VendorJson.Member(root, "Picture");
        var images = pictureParts.Select(p => p.AsImage(null)).ToList();
        if (picture.ValueKind == JsonValueKind.Undefined)
        {
            return AnprParseResult.Success(new AnprPush(null, [], images));
        }

        var pictureAt = JsonFields.Member(path, "Picture");
        if (picture.ValueKind != JsonValueKind.Object)
        {
            return AnprParseResult.Failure(pictureAt, $"{JsonFields.Kind(picture)} is not an object");
        }

        if (pushedTo is null)
        {
            errors.Add(new AnprParseError("body", "a Dahua push does not name its camera: it must come to the camera's own address"));
        }

        var fields = new VendorJson(limits, errors);
        var plateInfo = VendorJson.Member(picture, "Plate");
        var plateAt = JsonFields.Member(pictureAt, "Plate");
        var snap = VendorJson.Member(picture, "SnapInfo");
        var snapAt = JsonFields.Member(pictureAt, "SnapInfo");
        var vehicle = VendorJson.Member(picture, "Vehicle");
        var vehicleAt = JsonFields.Member(pictureAt, "Vehicle");

        var number = fields.Plate(plateInfo, plateAt, "PlateNumber");
        var exists = VendorJson.Member(plateInfo, "IsExist").ValueKind != JsonValueKind.False;
        var plate = exists && number is not null && !NoPlate.Contains(number.Trim(), StringComparer.OrdinalIgnoreCase) ? number : "";
        var confidence = fields.Percent(plateInfo, plateAt, "Confidence");
        if (confidence == 0 && plate.Length > 0)
        {
            confidence = null; // a read plate at 0 %: the firmware does not rate its reads
        }

        var local = LocalTime(fields, snap, snapAt, errors);
        var offset = ZoneOffset(VendorJson.Member(snap, "TimeZone"), JsonFields.Member(snapAt, "TimeZone"), errors);
        var direction = Direction(fields.Text(snap, snapAt, "Direction"));
        var zone = fields.Text(snap, snapAt, "LanNo") ?? fields.Text(snap, snapAt, "Lane");
        var color = fields.Text(plateInfo, plateAt, "PlateColor");
        var region = fields.Text(plateInfo, plateAt, "Region");
        var vehicleType = fields.Text(vehicle, vehicleAt, "VehicleType");
        foreach (var member in PictureMembers)
        {
            var pic = VendorJson.Member(picture, member);
            var picAt = JsonFields.Member(pictureAt, member);
            if (fields.Picture(pic, picAt, "Content") is { } bytes)
            {
                images.Add(new PushedImage(fields.Text(pic, picAt, "PicName") ?? member, Base64Picture.ContentType(bytes), bytes, null));
            }
        }

        if (errors.Count > 0)
        {
            return AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors));
        }

        var capturedAt = local is { } l && offset is { } o ? CaptureTime.InRange(l, o) : null;
        var read = new PlateRead
        {
            Camera = pushedTo!,
            Plate = plate,
            Confidence = confidence,
            Direction = direction switch
            {
                ReportedDirection.Approaching => TravelDirection.In,
                ReportedDirection.Leaving => TravelDirection.Out,
                _ => null,
            },
            Region = string.IsNullOrWhiteSpace(region) ? null : region,
            Zone = string.IsNullOrWhiteSpace(zone) ? null : zone,
            VehicleType = string.IsNullOrWhiteSpace(vehicleType) ? null : vehicleType,
            PlateColor = string.IsNullOrWhiteSpace(color) || color.Trim().Equals("Unknown", StringComparison.OrdinalIgnoreCase) ? null : color.Trim(),
            HasImage = images.Count > 0,
        };

        // A resent push is the same document: same plate, same local time (and picture name), same key.
        var keyTime = capturedAt ?? (local is { } t ? CaptureTime.InRange(t, TimeSpan.Zero) : null);
        var report = new CameraReport(read, capturedAt, ReadKey.Of(pushedTo!, null, "read", plate, zone, keyTime, 0, content))
        {
            LocalTime = local,
            ReportedDirection = direction,
        };
        return AnprParseResult.Success(new AnprPush(null, [report], [.. images.Select(i => i with { ReportIndex = 0 })]));
    }

    private static DateTime? LocalTime(VendorJson fields, JsonElement snap, string snapAt, List<AnprParseError> errors)
    {
        foreach (var name in new[] { "AccurateTime", "SnapTime" })
        {
            if (fields.Text(snap, snapAt, name) is { } text)
            {
                if (CaptureTime.TryParseLocal(text.Trim(), out var local))
                {
                    return local;
                }

                errors.Add(new AnprParseError(JsonFields.Member(snapAt, name), $"\"{JsonFields.Shorten(text)}\" is not a time (yyyy-MM-dd HH:mm:ss.fff)"));
                return null;
            }
        }

        return null;
    }

    /// <summary>
    /// Dahua's time-zone numbers (its HTTP API's table for <c>NTP.TimeZone</c>): 0 GMT+00:00, 1 +01:00, 2 +02:00,
    /// 3 +03:00, 4 +03:30, 5 +04:00, 6 +04:30, 7 +05:00, 8 +05:30, 9 +05:45, 10 +06:00, 11 +06:30, 12 +07:00,
    /// 13 +08:00, 14 +09:00, 15 +09:30, 16 +10:00, 17 +11:00, 18 +12:00, 19 +13:00, 20 -01:00, 21 -02:00,
    /// 22 -03:00, 23 -03:30, 24 -04:00, 25 -05:00, 26 -06:00, 27 -07:00, 28 -08:00, 29 -09:00, 30 -10:00,
    /// 31 -11:00, 32 -12:00.
    /// </summary>
    private static readonly int[] ZoneMinutes =
        [0, 60, 120, 180, 210, 240, 270, 300, 330, 345, 360, 390, 420, 480, 540, 570, 600, 660, 720, 780,
         -60, -120, -180, -210, -240, -300, -360, -420, -480, -540, -600, -660, -720];

    private static TimeSpan? ZoneOffset(JsonElement value, string at, List<AnprParseError> errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Number when value.TryGetInt32(out var index) && index >= 0 && index < ZoneMinutes.Length:
                return TimeSpan.FromMinutes(ZoneMinutes[index]);
            case JsonValueKind.String when Offset(value.GetString()!) is { } offset:
                return offset;
            case JsonValueKind.String when int.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < ZoneMinutes.Length:
                return TimeSpan.FromMinutes(ZoneMinutes[index]);
            default:
                errors.Add(new AnprParseError(at, $"{JsonFields.Quote(value)} is not a Dahua time zone (0 to 32, or an offset such as +08:00)"));
                return null;
        }
    }

    /// <summary><c>+08:00</c>, <c>+0800</c>, <c>GMT+08:00</c>, <c>UTC-5</c>.</summary>
    private static TimeSpan? Offset(string text)
    {
        var match = OffsetText().Match(text.Trim());
        if (!match.Success)
        {
            return null;
        }

        var hours = int.Parse(match.Groups["h"].Value, CultureInfo.InvariantCulture);
        var minutes = match.Groups["m"].Success ? int.Parse(match.Groups["m"].Value, CultureInfo.InvariantCulture) : 0;
        if (hours > 14 || minutes > 59)
        {
            return null;
        }

        var offset = new TimeSpan(hours, minutes, 0);
        return match.Groups["sign"].Value == "-" ? -offset : offset;
    }

    private static ReportedDirection? Direction(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "obverse" or "forward" or "approach" or "approaching" => ReportedDirection.Approaching,
        "reverse" or "backward" or "leave" or "leaving" or "away" => ReportedDirection.Leaving,
        _ => null,
    };

    [GeneratedRegex(@"^(?:GMT|UTC)?\s*(?<sign>[+-])(?<h>\d{1,2})(?::?(?<m>\d{2}))?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex OffsetText();
}
