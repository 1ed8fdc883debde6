using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Axis;

/// <summary>
/// AXIS License Plate Verifier's JSON push (FF Group "JSON Fields (Protocol 1.6)"; VAPIX License plate verifier API,
/// "Analytic (ALPV) event types"): one event per push for each new, update and lost of a tracked vehicle.
/// </summary>
public sealed class AxisLicensePlateVerifierParserTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.Axis;

    [Fact]
    public async Task A_new_event_maps_every_member_and_reads_numbers_sent_as_strings()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Axis/new.json"), cameraId: "gate-north");

        Assert.Null(push.CameraId);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("gate-north", "AA7690EQ", 0.812345), (read.Camera, read.Plate, read.Confidence));
        Assert.Equal(("se", "1"), (read.Region, read.Zone));
        Assert.Equal(("1087595", false), (read.Track, read.TrackEnded));
        Assert.Null(read.Direction);
        Assert.Null(report.ReportedDirection);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 15, 0, 100, TimeSpan.Zero), report.CapturedAt);
        Assert.Equal(new PlateGeometry(new PixelBox(625, 564, 817, 596), null, null), report.Geometry);
        Assert.Null(read.PlateX);
        Assert.False(read.HasImage);
        Assert.StartsWith("gate-north:", report.IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_with_its_own_offset_and_a_direction_is_the_same_instant_and_says_in()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Axis/update.json"), cameraId: "gate-north");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("AA7690EO", 0.93, "1087595"), (read.Plate, read.Confidence, read.Track));
        Assert.Equal(TravelDirection.In, read.Direction);
        Assert.Equal(ReportedDirection.In, report.ReportedDirection);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 15, 0, 400, TimeSpan.Zero), report.CapturedAt);
        Assert.Equal(TimeSpan.FromHours(1), report.CapturedAt!.Value.Offset);
    }

    [Fact]
    public async Task A_lost_event_ends_the_track_and_its_plate_text_comes_from_the_unicode_escapes()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Axis/lost.json"), cameraId: "gate-north");

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Equal(("AA7690EO", "1087595", true), (read.Plate, read.Track, read.TrackEnded));
    }

    [Fact]
    public async Task New_update_and_lost_of_one_car_are_three_reads_and_a_repeated_push_is_the_same_read()
    {
        var keys = new List<string>();
        foreach (var file in new[] { "new", "update", "lost", "new" })
        {
            keys.Add(Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes($"Axis/{file}.json"), cameraId: "gate-north")).Reports).IdempotencyKey);
        }

        Assert.Equal(3, keys.Distinct().Count());
        Assert.Equal(keys[0], keys[3]);
    }

    [Fact]
    public async Task A_multipart_push_with_the_frame_places_the_plate_in_the_picture()
    {
        var frame = TinyJpeg.Grey(320, 180);
        var body = MultipartPush.Build(
            new("event", null, "application/json", Fixture.Bytes("Axis/lost.json")),
            new("image", "frame.jpeg", "image/jpeg", frame));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body, cameraId: "bay-cam-7");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.True(read.HasImage);
        Assert.Equal((40 + 72) / 2.0 / 320, read.PlateX);
        Assert.Equal(320, report.Geometry!.ImageWidth);
        var image = Assert.Single(push.Images);
        Assert.Equal(("image", "image/jpeg", (int?)0), (image.Name, image.ContentType, image.ReportIndex));
        Assert.Equal(frame, image.Content.ToArray());
    }

    [Fact]
    public async Task Without_datetime_the_capture_timestamp_in_milliseconds_is_the_time()
    {
        var json = JsonNode.Parse(Fixture.Bytes("Axis/new.json"))!.AsObject();
        json.Remove("datetime");

        var report = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(json.ToJsonString()), cameraId: "gate-north")).Reports);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 15, 0, 100, TimeSpan.Zero), report.CapturedAt);
    }

    [Theory]
    [InlineData("plateCountry", "ZZZ", "ZZZ")] // no country: kept as sent
    [InlineData("plateCountry", "deu", "de")]
    [InlineData("plateCountry", "D", "D")]
    public async Task Alpha_3_countries_become_the_alpha_2_codes_other_formats_use(string member, string value, string expected)
    {
        var read = await Read(("carState", "new"), ("plateUTF8", "BCD1234"), (member, value));

        Assert.Equal(expected, read.Region);
    }

    [Fact]
    public async Task An_empty_plate_is_an_unreadable_read_of_the_track()
    {
        var read = await Read(("carState", "update"), ("carID", "77"), ("plateUTF8", ""), ("plateConfidence", "0"));

        Assert.Equal(("", 0.0, "77"), (read.Plate, read.Confidence, read.Track));
    }

    [Fact]
    public async Task A_push_with_neither_plate_nor_car_state_carries_no_read()
    {
        var push = await Push.Accepted(Format, Json, """{"packetCounter":"1","sensorProviderID":"Entry north"}"""u8.ToArray(), cameraId: "gate-north");

        Assert.Empty(push.Reports);
    }

    [Theory]
    [InlineData("carState", "parked", "carState", "is not a car state")]
    [InlineData("carMoveDirection", "sideways", "carMoveDirection", "is not a direction")]
    [InlineData("datetime", "2026-03-02", "datetime", "is not a time")]
    [InlineData("plateConfidence", "high", "plateConfidence", "is not a number")]
    [InlineData("plateConfidence", "85", "plateConfidence", "is not a confidence between 0 and 1")]
    public async Task A_value_the_format_does_not_have_is_refused_naming_its_member(string member, string value, string path, string message)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Axis/new.json"))!.AsObject();
        body[member] = value;

        var error = Assert.Single(await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "gate-north"));

        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AA7690", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_that_came_to_no_camera_address_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Json, Fixture.Bytes("Axis/new.json")));

        Assert.Contains("must come to the camera's own address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_neither_JSON_nor_multipart_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, "text/plain", "plate=AB123"u8.ToArray(), cameraId: "gate-north"));

        Assert.Equal("an AXIS License Plate Verifier push is JSON or multipart, not \"text/plain\"", error.Message);
    }

    private static async Task<PlateRead> Read(params (string Member, string Value)[] members)
    {
        var body = new JsonObject();
        foreach (var (member, value) in members)
        {
            body[member] = value;
        }

        var push = await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "gate-north");
        return Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
    }
}
