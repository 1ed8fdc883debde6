using System.Text;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Generic;

/// <summary>ParkCharge's own JSON: one read or an array of them, read strictly.</summary>
public sealed class GenericJsonParserTests
{
    private const string Json = "application/json";

    [Fact]
    public async Task A_single_read_maps_every_member()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Fixture.Bytes("Generic/single-read.json"));

        Assert.Equal("gate-in-1", push.CameraId);
        Assert.Empty(push.Images);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal("gate-in-1", read.Camera);
        Assert.Equal("B-CD 1234", read.Plate);
        Assert.Equal(0.93, read.Confidence);
        Assert.Equal(TravelDirection.In, read.Direction);
        Assert.Equal("de", read.Region);
        Assert.Equal("gi1-20260302-081500-0042", read.ReadId);
        Assert.Equal("car", read.VehicleType);
        Assert.Null(read.Zone);
        Assert.Null(read.PlateX);
        Assert.Empty(read.Candidates);
        Assert.False(read.HasImage);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 15, 0, TimeSpan.FromHours(1)), report.CapturedAt);
        Assert.Equal(TimeSpan.FromHours(1), report.CapturedAt!.Value.Offset);
        Assert.Equal("gate-in-1:gi1-20260302-081500-0042", report.IdempotencyKey);
    }

    [Fact]
    public async Task An_array_gives_one_report_per_item_with_zones_positions_and_a_vacancy()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Fixture.Bytes("Generic/bay-batch.json"));

        Assert.Equal("bay-07-08", push.CameraId);
        Assert.Equal(3, push.Reports.Count);
        var left = Assert.IsType<PlateRead>(push.Reports[0].Payload);
        Assert.Equal(("bay-07-08", "M-XY 512E", 0.88, "left", 0.31), (left.Camera, left.Plate, left.Confidence, left.Zone, left.PlateX));
        Assert.Equal(("de", "car"), (left.Region, left.VehicleType));
        Assert.Null(left.Direction);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 31, 12, 250, TimeSpan.FromHours(1)), push.Reports[0].CapturedAt);

        var unreadable = Assert.IsType<PlateRead>(push.Reports[1].Payload);
        Assert.Equal(("", 0.12, "right", 0.74), (unreadable.Plate, unreadable.Confidence, unreadable.Zone, unreadable.PlateX));

        Assert.Equal(new BayVacancyReported("bay-07-08", "left"), push.Reports[2].Payload);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 10, 2, 45, TimeSpan.FromHours(1)), push.Reports[2].CapturedAt);
    }

    [Fact]
    public async Task Reads_without_a_read_id_get_distinct_hashed_keys_that_name_the_camera()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Fixture.Bytes("Generic/bay-batch.json"));

        var keys = push.Reports.Select(r => r.IdempotencyKey).ToList();
        Assert.All(keys, key => Assert.Matches("^bay-07-08:[0-9a-f]{64}$", key));
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Fact]
    public async Task Direction_out_and_an_explicit_read_event_are_read()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Body("""{"cameraId":"gate-out-1","plate":"B-CD 1234","direction":"out","event":"read"}"""));

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Equal(TravelDirection.Out, read.Direction);
        Assert.Null(push.Reports[0].CapturedAt);
    }

    [Fact]
    public async Task Null_members_count_as_absent()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Body("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":null,"region":null,"capturedAt":null}"""));

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Null(read.Confidence);
        Assert.Null(read.Region);
    }

    [Fact]
    public async Task The_camera_the_push_came_to_fills_reads_that_name_none()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Body("""{"plate":"B-CD 1234"}"""), cameraId: "gate-in-1");

        Assert.Null(push.CameraId);
        Assert.Equal("gate-in-1", Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload).Camera);
        Assert.StartsWith("gate-in-1:", push.Reports[0].IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_of_several_cameras_names_no_single_camera()
    {
        var push = await Push.Accepted(CameraFormat.Generic, Json, Body("""[{"cameraId":"gate-in-1","plate":"B-CD 1234"},{"cameraId":"gate-out-1","plate":"M-XY 512E"}]"""));

        Assert.Null(push.CameraId);
        Assert.Equal(["gate-in-1", "gate-out-1"], push.Reports.Select(r => ((PlateRead)r.Payload).Camera));
    }

    [Fact]
    public async Task A_read_claiming_another_camera_than_the_one_pushed_to_is_refused()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""{"cameraId":"gate-out-1","plate":"B-CD 1234"}"""), cameraId: "gate-in-1");

        var error = Assert.Single(errors);
        Assert.Equal("cameraId", error.Path);
        Assert.Contains("gate-in-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_read_that_names_no_camera_pushed_to_no_camera_is_refused()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""{"plate":"B-CD 1234"}"""));

        Assert.Equal("cameraId", Assert.Single(errors).Path);
    }

    [Fact]
    public async Task A_missing_plate_is_refused_naming_its_path()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""[{"cameraId":"gate-in-1","plate":"B-CD 1234"},{"cameraId":"gate-in-1","confidence":0.8}]"""));

        var error = Assert.Single(errors);
        Assert.Equal("[1].plate", error.Path);
        Assert.StartsWith("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_time_that_is_not_ISO_8601_with_offset_is_refused_naming_its_path()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""
            [
              {"cameraId":"gate-in-1","plate":"B-CD 1234"},
              {"cameraId":"gate-in-1","plate":"B-CD 1234"},
              {"cameraId":"gate-in-1","plate":"B-CD 1234","capturedAt":"yesterday"},
              {"cameraId":"gate-in-1","plate":"B-CD 1234","capturedAt":"2026-03-02T08:15:00"}
            ]
            """));

        Assert.Equal(
            ["[2].capturedAt: \"yesterday\" is not an ISO 8601 time with offset", "[3].capturedAt: \"2026-03-02T08:15:00\" is not an ISO 8601 time with offset"],
            errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":1.7}""", "confidence", "1.7 is outside 0..1")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":-0.1}""", "confidence", "-0.1 is outside 0..1")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":"0.9"}""", "confidence", "a string is not a number")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","plateX":2}""", "plateX", "2 is outside 0..1")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","direction":"north"}""", "direction", "\"north\" is not a direction (\"in\" or \"out\")")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","direction":"IN"}""", "direction", "\"IN\" is not a direction (\"in\" or \"out\")")]
    [InlineData("""{"cameraId":"gate-in-1","plate":1234}""", "plate", "a number is not a string")]
    [InlineData("""{"cameraId":42,"plate":"B-CD 1234"}""", "cameraId", "a number is not a string")]
    [InlineData("""{"cameraId":"","plate":"B-CD 1234"}""", "cameraId", "is empty (leave it out instead)")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","capturedAt":1772435700}""", "capturedAt", "1772435700 is not an ISO 8601 time with offset")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234","event":"left"}""", "event", "\"left\" is not an event (\"read\" or \"vacant\")")]
    public async Task A_wrong_value_is_refused_naming_its_path(string json, string path, string message)
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body(json));

        Assert.Equal(new AnprParseError(path, message), Assert.Single(errors));
    }

    [Fact]
    public async Task An_unknown_member_is_refused_so_a_misspelt_one_is_not_silently_lost()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""{"cameraId":"gate-in-1","plate":"B-CD 1234","capturedat":"2026-03-02T08:15:00+01:00"}"""));

        var error = Assert.Single(errors);
        Assert.Equal("capturedat", error.Path);
        Assert.Contains("capturedAt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_vacancy_carrying_plate_data_is_refused()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""{"cameraId":"bay-07-08","event":"vacant","zone":"left","plate":"B-CD 1234","confidence":0.9}"""));

        Assert.Equal(["plate", "confidence"], errors.Select(e => e.Path));
    }

    [Fact]
    public async Task Every_error_in_a_batch_is_reported_at_once()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""[{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":1.7},{"cameraId":"gate-in-1"},"B-CD 1234"]"""));

        Assert.Equal(["[0].confidence", "[1].plate", "[2]"], errors.Select(e => e.Path));
    }

    [Theory]
    [InlineData("""{"cameraId":"gate-in-1","plate":"B-CD 1234",""", "body", "not valid JSON")]
    [InlineData("""{"cameraId":"gate-in-1","cameraId":"gate-in-2","plate":"B-CD 1234"}""", "body", "not valid JSON")]
    [InlineData("[]", "body", "the array is empty")]
    [InlineData("\"B-CD 1234\"", "body", "the body is a string")]
    public async Task A_body_that_is_not_a_read_or_an_array_of_reads_is_refused(string json, string path, string message)
    {
        var error = Assert.Single(await Push.Refused(CameraFormat.Generic, Json, Body(json)));

        Assert.Equal(path, error.Path);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_by_content_type_is_refused()
    {
        var error = Assert.Single(await Push.Refused(CameraFormat.Generic, "text/plain", Fixture.Bytes("Generic/single-read.json")));

        Assert.Equal(new AnprParseError("body", "the generic format is JSON, not \"text/plain\""), error);
    }

    [Fact]
    public async Task A_push_without_content_type_is_read_when_it_looks_like_JSON()
    {
        var push = await Push.Accepted(CameraFormat.Generic, null, Fixture.Bytes("Generic/single-read.json"));

        Assert.Single(push.Reports);
    }

    [Fact]
    public async Task Error_messages_never_repeat_a_plate()
    {
        var errors = await Push.Refused(CameraFormat.Generic, Json, Body("""[{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":7},{"cameraId":"bay-07-08","event":"vacant","plate":"M-XY 512E"}]"""));

        Assert.All(errors, e => Assert.DoesNotContain("1234", e.ToString(), StringComparison.Ordinal));
        Assert.All(errors, e => Assert.DoesNotContain("512E", e.ToString(), StringComparison.Ordinal));
    }

    private static byte[] Body(string json) => Encoding.UTF8.GetBytes(json);
}
