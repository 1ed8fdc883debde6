using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Milesight;

/// <summary>
/// Milesight LPR cameras' HTTP post of a recognition: flat JSON, the camera's local time without offset, direction
/// relative to the camera (Approach/Away), "-" for fields without a value, numbers often sent as strings.
/// </summary>
public sealed class MilesightLprParserTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.Milesight;

    [Fact]
    public async Task A_recognition_maps_every_member()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/recognition.json"), cameraId: "entry-north");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("entry-north", "M-KL 4711"), (read.Camera, read.Plate));
        Assert.Null(read.Confidence); // "-": the camera gives none
        Assert.Equal(("Germany", "1", "White", "Car"), (read.Region, read.Zone, read.PlateColor, read.VehicleType));
        Assert.Equal(TravelDirection.In, read.Direction);
        Assert.Equal(ReportedDirection.Approaching, report.ReportedDirection);
        Assert.Equal(0.5, read.PlateX);
        Assert.Null(report.CapturedAt);
        Assert.Equal(new DateTime(2026, 3, 2, 8, 15, 0, 267), report.LocalTime);
        Assert.True(read.HasImage);
        Assert.Equal([("plate_image", (int?)0), ("full_image", (int?)0)], push.Images.Select(i => (i.Name, i.ReportIndex)));
    }

    [Fact]
    public async Task Numbers_sent_as_strings_and_dashes_for_no_value_are_read()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/away-strings.json"), cameraId: "entry-north");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("M-KL 4712", 0.87, "2"), (read.Plate, read.Confidence, read.Zone));
        Assert.Null(read.Region);
        Assert.Null(read.PlateColor);
        Assert.Equal(TravelDirection.Out, read.Direction);
        Assert.Equal((1200 + 1340) / 2.0 / 1920, read.PlateX);
        Assert.Equal(new DateTime(2026, 3, 2, 18, 40, 12), report.LocalTime);
        Assert.Empty(push.Images);
    }

    [Fact]
    public async Task A_camera_facing_leaving_traffic_turns_approach_into_out()
    {
        var report = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/recognition.json"), cameraId: "exit-1")).Reports);
        var camera = new CameraConfiguration { Id = "exit-1", Lane = "both", KeyHash = "k", Approaching = TravelDirection.Out };

        var atCamera = report.AtCamera(camera, "Europe/Berlin");

        Assert.Equal(TravelDirection.Out, ((PlateRead)atCamera.Payload).Direction);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 15, 0, 267, TimeSpan.FromHours(1)), atCamera.CapturedAt);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("")]
    public async Task A_plate_the_camera_could_not_read_is_an_unreadable_read(string plate)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Milesight/away-strings.json"))!;
        body["plate"] = plate;

        var read = (PlateRead)Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "entry-north")).Reports).Payload;

        Assert.Equal("", read.Plate);
    }

    [Fact]
    public async Task Other_events_posted_to_the_same_address_carry_no_read()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/vehicle-counting.json"), cameraId: "entry-north");

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task Two_posts_of_one_plate_a_second_apart_are_two_reads_and_a_repeat_is_one()
    {
        var first = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/away-strings.json"), cameraId: "entry-north")).Reports);
        var repeat = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Milesight/away-strings.json"), cameraId: "entry-north")).Reports);
        var body = JsonNode.Parse(Fixture.Bytes("Milesight/away-strings.json"))!;
        body["time"] = "2026-03-02 18:40:13";
        var next = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "entry-north")).Reports);

        Assert.Equal(first.IdempotencyKey, repeat.IdempotencyKey);
        Assert.NotEqual(first.IdempotencyKey, next.IdempotencyKey);
    }

    [Theory]
    [InlineData("""{"device":"x","time":"2026-03-02 08:15:00"}""", "plate")]
    [InlineData("""{"plate":"AB123","time":"08:15"}""", "time")]
    [InlineData("""{"plate":"AB123","confidence":"140"}""", "confidence")]
    [InlineData("""{"plate":{"text":"AB123"}}""", "plate")]
    public async Task A_post_that_cannot_be_a_recognition_is_refused_naming_the_member(string json, string path)
    {
        var errors = await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(json), cameraId: "entry-north");

        Assert.Contains(errors, e => e.Path == path);
        Assert.All(errors, e => Assert.DoesNotContain("AB123", e.Message, StringComparison.Ordinal));
    }
}
