using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Dahua;

/// <summary>
/// Dahua ITC cameras' ITSAPI traffic snapshot (<c>Picture</c> with <c>Plate</c>, <c>SnapInfo</c>, <c>Vehicle</c> and
/// base64 pictures): the camera's local time with a separate time-zone field, a direction relative to the lane, the
/// plate's colour.
/// </summary>
public sealed class DahuaItsapiParserTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.Dahua;
    private static readonly CameraConfiguration Gate = new() { Id = "exit-south", Lane = "south", KeyHash = "k" };

    [Fact]
    public async Task A_snapshot_maps_every_member_and_its_time_zone_number_places_the_local_time()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/tollgate.json"), cameraId: "exit-south");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("exit-south", "NL-42-XT", 0.92), (read.Camera, read.Plate, read.Confidence));
        Assert.Equal(("Yellow", "NLD", "1", "SaloonCar"), (read.PlateColor, read.Region, read.Zone, read.VehicleType));
        Assert.Equal(TravelDirection.In, read.Direction);
        Assert.Equal(ReportedDirection.Approaching, report.ReportedDirection);

        // TimeZone 13 is GMT+08:00 in Dahua's table.
        Assert.Equal(new DateTime(2026, 3, 2, 16, 15, 0, 123), report.LocalTime);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 16, 15, 0, 123, TimeSpan.FromHours(8)), report.CapturedAt);
        Assert.True(read.HasImage);
        Assert.Equal(
            [("2026030216150012301_normal.jpg", "image/jpeg", (int?)0), ("2026030216150012301_plate.jpg", "image/jpeg", (int?)0)],
            push.Images.Select(i => (i.Name, i.ContentType, i.ReportIndex)));
        Assert.True(JpegSizeOf(push.Images[0]) is (320, 180));
    }

    [Fact]
    public async Task No_plate_in_the_firmwares_words_is_an_unreadable_read_and_reverse_is_leaving()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/no-plate.json"), cameraId: "exit-south");

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("", 0.0, "2"), (read.Plate, read.Confidence, read.Zone));
        Assert.Equal(TravelDirection.Out, read.Direction);
        Assert.Equal(ReportedDirection.Leaving, report.ReportedDirection);
        Assert.Null(read.PlateColor); // "Unknown" is no colour
    }

    [Fact]
    public async Task A_local_time_without_a_time_zone_field_is_placed_in_the_sites_zone_or_the_cameras()
    {
        var report = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/no-plate.json"), cameraId: "exit-south")).Reports);
        Assert.Null(report.CapturedAt);

        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 41, 7, 880, TimeSpan.Zero), report.AtCamera(Gate, "Europe/Berlin").CapturedAt);
        Assert.Equal(
            new DateTimeOffset(2026, 3, 2, 9, 41, 7, 880, TimeSpan.FromHours(-5)),
            report.AtCamera(Gate with { TimeZone = "America/New_York" }, "Europe/Berlin").CapturedAt);
    }

    [Fact]
    public async Task The_cameras_configured_time_zone_overrides_the_zone_the_push_names()
    {
        var report = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/tollgate.json"), cameraId: "exit-south")).Reports);

        Assert.Equal(report.CapturedAt, report.AtCamera(Gate, "Europe/Amsterdam").CapturedAt);
        Assert.Equal(
            new DateTimeOffset(2026, 3, 2, 16, 15, 0, 123, TimeSpan.FromHours(1)),
            report.AtCamera(Gate with { TimeZone = "Europe/Amsterdam" }, "Asia/Shanghai").CapturedAt);
    }

    [Theory]
    [InlineData("2026-03-29 02:30:00", "2026-03-29T01:30:00Z")] // the hour clocks skip: the zone's standard offset
    [InlineData("2026-10-25 02:30:00", "2026-10-25T01:30:00Z")] // the hour clocks repeat: the standard offset too
    [InlineData("2026-07-01 12:00:00", "2026-07-01T10:00:00Z")]
    public async Task Local_times_around_the_clock_change_are_placed_deterministically(string local, string expected)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/no-plate.json"))!;
        body["Picture"]!["SnapInfo"]!["AccurateTime"] = local;

        var report = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south")).Reports);

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), report.AtCamera(Gate, "Europe/Berlin").CapturedAt);
    }

    [Fact]
    public async Task A_local_time_at_the_edge_of_the_calendar_stays_an_absurd_time_rather_than_becoming_the_arrival_time()
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/no-plate.json"))!;
        body["Picture"]!["SnapInfo"]!["AccurateTime"] = "0001-01-01 00:30:00";

        var report = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south")).Reports);

        Assert.Equal(DateTimeOffset.MinValue, report.AtCamera(Gate, "Europe/Berlin").CapturedAt);
    }

    [Theory]
    [InlineData("\"+05:30\"", 330)]
    [InlineData("\"GMT-3\"", -180)]
    [InlineData("\"UTC+0800\"", 480)]
    [InlineData("\"9\"", 345)] // a zone number sent as a string: 9 is GMT+05:45
    [InlineData("32", -720)]
    public async Task The_time_zone_field_may_be_a_number_or_an_offset(string zone, int minutes)
    {
        var report = await ReportWithTimeZone(zone);

        Assert.Equal(TimeSpan.FromMinutes(minutes), report.CapturedAt!.Value.Offset);
        Assert.Equal(new DateTime(2026, 3, 2, 16, 15, 0, 123), report.CapturedAt.Value.DateTime);
    }

    [Theory]
    [InlineData("33")]
    [InlineData("\"Mars\"")]
    [InlineData("\"+15:00\"")]
    [InlineData("true")]
    public async Task A_time_zone_that_is_neither_is_refused(string zone)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/tollgate.json"))!;
        body["Picture"]!["SnapInfo"]!["TimeZone"] = JsonNode.Parse(zone);

        var error = Assert.Single(await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south"));

        Assert.Equal("Picture.SnapInfo.TimeZone", error.Path);
    }

    [Fact]
    public async Task SnapTime_is_the_time_when_AccurateTime_is_missing()
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/tollgate.json"))!;
        body["Picture"]!["SnapInfo"]!.AsObject().Remove("AccurateTime");

        var report = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south")).Reports);

        Assert.Equal(new DateTime(2026, 3, 2, 16, 15, 0), report.LocalTime);
    }

    [Fact]
    public async Task A_form_with_the_document_and_picture_parts_is_read_like_the_document()
    {
        var scene = TinyJpeg.Grey(640, 360);
        var body = MultipartPush.Build(
            new("TollgateInfo", null, null, Fixture.Bytes("Dahua/no-plate.json")),
            new("NormalPic", "normal.jpg", "image/jpeg", scene),
            new("CutoutPic", "cutout.jpg", "image/jpeg", []));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body, cameraId: "exit-south");

        Assert.True(((PlateRead)Assert.Single(push.Reports).Payload).HasImage);
        var image = Assert.Single(push.Images);
        Assert.Equal(("NormalPic", (int?)0), (image.Name, image.ReportIndex));
    }

    [Fact]
    public async Task A_keep_alive_carries_no_read()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/keepalive.json"), cameraId: "exit-south");

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task A_resent_push_is_the_same_read_and_another_snapshot_is_another()
    {
        var first = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/tollgate.json"), cameraId: "exit-south")).Reports);
        var again = Assert.Single((await Push.Accepted(Format, Json, Fixture.Bytes("Dahua/tollgate.json"), cameraId: "exit-south")).Reports);
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/tollgate.json"))!;
        body["Picture"]!["SnapInfo"]!["AccurateTime"] = "2026-03-02 16:15:04.500";
        var later = Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south")).Reports);

        Assert.Equal(first.IdempotencyKey, again.IdempotencyKey);
        Assert.NotEqual(first.IdempotencyKey, later.IdempotencyKey);
    }

    [Theory]
    [InlineData("Plate", "Confidence", "\"sure\"", "Picture.Plate.Confidence")]
    [InlineData("Plate", "Confidence", "140", "Picture.Plate.Confidence")]
    [InlineData("SnapInfo", "AccurateTime", "\"02/03/2026 16:15\"", "Picture.SnapInfo.AccurateTime")]
    [InlineData("NormalPic", "Content", "\"not base64!\"", "Picture.NormalPic.Content")]
    [InlineData("Plate", "PlateNumber", "[1]", "Picture.Plate.PlateNumber")]
    public async Task A_value_of_the_wrong_kind_is_refused_naming_its_place(string owner, string member, string value, string path)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/tollgate.json"))!;
        body["Picture"]![owner]![member] = JsonNode.Parse(value);

        var errors = await Push.Refused(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south");

        Assert.Contains(errors, e => e.Path == path);
        Assert.All(errors, e => Assert.DoesNotContain("NL-42", e.Message, StringComparison.Ordinal));
    }

    private static async Task<CameraReport> ReportWithTimeZone(string zone)
    {
        var body = JsonNode.Parse(Fixture.Bytes("Dahua/tollgate.json"))!;
        body["Picture"]!["SnapInfo"]!["TimeZone"] = JsonNode.Parse(zone);
        return Assert.Single((await Push.Accepted(Format, Json, Encoding.UTF8.GetBytes(body.ToJsonString()), cameraId: "exit-south")).Reports);
    }

    private static (int, int) JpegSizeOf(PushedImage image) =>
        Body.JpegSize.TryRead(image.Content.Span, out var width, out var height) ? (width, height) : (0, 0);
}
