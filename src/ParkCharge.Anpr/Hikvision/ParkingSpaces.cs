using System.Text.Json;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Parking;

namespace ParkCharge.Anpr.Hikvision;

/// <summary>
/// Hikvision's parking-space detection event, which parking (bay) cameras push as a JSON
/// <c>EventNotificationAlert</c> (Device Network SDK (Traffic) Developer Guide, "JSON message about details of the
/// parking space detection event"): <c>eventType</c> <c>PackingSpaceRecognition</c> (sic), <c>dateTime</c>, and
/// <c>PackingSpaceRecognition[]</c>, each with <c>alarmStartTime</c> and <c>RegionInfo[]</c> whose
/// <c>PackingSpace[]</c> list the spaces: <c>absoulteParkingNum</c> (sic; the space number) and <c>isParked</c>
/// (<c>yes</c>/<c>no</c>).
/// <para>
/// A space reported empty is a vacancy of the bay whose zone is that space number (a site file's
/// <c>bays: [{ bay: EV-01, zone: "3" }]</c>), the observation bay cameras already report. A space reported
/// taken is occupancy evidence without a plate (<see cref="BayOccupancyReported"/>): the bay's visit starts with
/// the camera's plate read, and the occupancy keeps it from being ended by an older vacancy. Other JSON events,
/// and inactive ones, carry nothing.
/// </para>
/// </summary>
internal static class ParkingSpaces
{
    private const string EventType = "PackingSpaceRecognition";

    public static AnprParseResult Read(ReadOnlyMemory<byte> json, string at, List<FormPart> pictures, string? pushedTo, PushContent content, PushLimits limits)
    {
        var errors = new List<AnprParseError>();
        using var document = JsonFields.Parse(json, at, errors);
        if (document is null)
        {
            return AnprParseResult.Failure(errors);
        }

        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || VendorJson.Member(root, "eventType").ValueKind != JsonValueKind.String)
        {
            return AnprParseResult.Failure(at, "the JSON is not an ISAPI EventNotificationAlert (it has no eventType)");
        }

        var path = at == "body" ? "" : at;
        var fields = new VendorJson(limits, errors);
        var eventType = fields.Text(root, path, "eventType");
        var state = fields.Text(root, path, "eventState");
        var images = pictures.Select(p => p.AsImage(null)).ToList();
        var sender = new PushSender(fields.Text(root, path, "ipAddress"), fields.Text(root, path, "macAddress"), fields.Text(root, path, "channelID"));
        var push = new AnprPush(null, [], images) { Sender = sender is { IpAddress: null, MacAddress: null, Channel: null } ? null : sender };
        var isSpaces = string.Equals(eventType, EventType, StringComparison.OrdinalIgnoreCase) || string.Equals(eventType, "ParkingSpaceRecognition", StringComparison.OrdinalIgnoreCase);
        if (errors.Count > 0 || !isSpaces || string.Equals(state, "inactive", StringComparison.OrdinalIgnoreCase))
        {
            return errors.Count > 0 ? AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors)) : AnprParseResult.Success(push);
        }

        if (pushedTo is null)
        {
            errors.Add(new AnprParseError("body", "a Hikvision push does not name its camera: it must come to the camera's own address"));
        }

        var eventTime = Time(fields, root, path, "dateTime");
        var spaces = new List<(string Space, bool Taken, DateTimeOffset? At)>();
        foreach (var (recognition, recognitionAt) in fields.Items(root, path, VendorJson.Member(root, EventType).ValueKind == JsonValueKind.Undefined ? "ParkingSpaceRecognition" : EventType, limits.MaxReads))
        {
            var startedAt = Time(fields, recognition, recognitionAt, "alarmStartTime") ?? eventTime;
            foreach (var (region, regionAt) in fields.Items(recognition, recognitionAt, "RegionInfo", limits.MaxReads))
            {
                foreach (var (space, spaceAt) in fields.Items(region, regionAt, "PackingSpace", limits.MaxReads))
                {
                    var number = fields.Text(space, spaceAt, "absoulteParkingNum") ?? fields.Text(space, spaceAt, "absoluteParkingNum");
                    var parked = VendorJson.Member(space, "isParked");
                    bool? taken = parked.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.String => parked.GetString()!.Trim().ToLowerInvariant() switch { "yes" or "true" => true, "no" or "false" => false, _ => null },
                        _ => null,
                    };
                    if (number is not { Length: > 0 } || taken is null)
                    {
                        errors.Add(new AnprParseError(spaceAt, "a parking space needs absoulteParkingNum and isParked (yes or no)"));
                        continue;
                    }

                    spaces.Add((number.Trim(), taken.Value, startedAt));
                }
            }
        }

        if (spaces.Count > limits.MaxReads)
        {
            errors.Add(new AnprParseError(path.Length == 0 ? "body" : path, $"the push reports {spaces.Count} spaces; at most {limits.MaxReads}"));
        }

        if (errors.Count > 0)
        {
            return AnprParseResult.Failure(JsonFields.Capped(errors, limits.MaxErrors));
        }

        var reports = spaces.Select((v, i) => new CameraReport(
            v.Taken ? new BayOccupancyReported(pushedTo!, v.Space) : new BayVacancyReported(pushedTo!, v.Space),
            v.At,
            ReadKey.Of(pushedTo!, null, v.Taken ? "occupied" : "vacant", "", v.Space, v.At, i, content))).ToList();
        return AnprParseResult.Success(push with { Reports = reports });
    }

    private static DateTimeOffset? Time(VendorJson fields, JsonElement owner, string at, string name)
    {
        if (fields.Text(owner, at, name) is not { } text)
        {
            return null;
        }

        if (CaptureTime.TryParseWithOffset(text.Trim(), out var time))
        {
            return time;
        }

        fields.Errors.Add(new AnprParseError(JsonFields.Member(at, name), $"\"{JsonFields.Shorten(text)}\" is not an ISO 8601 time with offset"));
        return null;
    }
}
