using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Hikvision;

/// <summary>
/// Hikvision parking (bay) cameras' space detection, pushed as a JSON <c>EventNotificationAlert</c> with
/// <c>eventType</c> <c>PackingSpaceRecognition</c> (Device Network SDK (Traffic) Developer Guide): each space's
/// number and whether a vehicle is parked there, without a plate.
/// </summary>
public sealed class ParkingSpaceTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.Hikvision;

    [Fact]
    public async Task Each_space_is_a_vacancy_or_occupancy_of_the_zone_named_by_its_number()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Hikvision/parking-space.json"), cameraId: "bay-cam-3");

        Assert.Equal(
            [new BayVacancyReported("bay-cam-3", "3"), new BayOccupancyReported("bay-cam-3", "4"), new BayVacancyReported("bay-cam-3", "5")],
            push.Reports.Select(r => r.Payload));
        Assert.All(push.Reports, r => Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 20, 38, 500, TimeSpan.FromHours(1)), r.CapturedAt));
        Assert.Equal(3, push.Reports.Select(r => r.IdempotencyKey).Distinct().Count());
        Assert.Equal(new PushSender("10.20.0.51", "bc:ba:c2:4e:21:90", "1"), push.Sender);
    }

    [Fact]
    public async Task A_repeated_alarm_is_the_same_reports()
    {
        var first = await Push.Accepted(Format, Json, Fixture.Bytes("Hikvision/parking-space.json"), cameraId: "bay-cam-3");
        var again = await Push.Accepted(Format, Json, Fixture.Bytes("Hikvision/parking-space.json"), cameraId: "bay-cam-3");

        Assert.Equal(first.Reports.Select(r => r.IdempotencyKey), again.Reports.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_multipart_alarm_with_a_picture_is_read_from_its_JSON_part()
    {
        var body = MultipartPush.Build(
            new("PackingSpaceRecognition", null, "application/json", Fixture.Bytes("Hikvision/parking-space.json")),
            new("detectionPicture", "detectionPicture.jpg", "image/jpeg", TinyJpeg.Grey(64, 48)));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body, cameraId: "bay-cam-3");

        Assert.Equal(3, push.Reports.Count);
        Assert.Null(Assert.Single(push.Images).ReportIndex);
    }

    [Theory]
    [InlineData("eventState", "inactive")]
    [InlineData("eventType", "vehicleDetection")]
    public async Task Inactive_and_other_JSON_events_carry_nothing(string member, string value)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Hikvision/parking-space.json"))!;
        body[member] = value;

        Assert.Empty((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "bay-cam-3")).Reports);
    }

    [Theory]
    [InlineData("isParked", "maybe")]
    [InlineData("absoulteParkingNum", "")]
    public async Task A_space_without_its_number_or_state_is_refused(string member, string value)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Hikvision/parking-space.json"))!;
        body["PackingSpaceRecognition"]![0]!["RegionInfo"]![0]!["PackingSpace"]![1]![member] = value;

        var error = Assert.Single(await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "bay-cam-3"));

        Assert.Equal("PackingSpaceRecognition[0].RegionInfo[0].PackingSpace[1]", error.Path);
    }

    [Fact]
    public async Task JSON_that_is_not_an_alert_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Json, """{"plate":"AB123"}"""u8.ToArray(), cameraId: "bay-cam-3"));

        Assert.Contains("not an ISAPI EventNotificationAlert", error.Message, StringComparison.Ordinal);
    }
}
