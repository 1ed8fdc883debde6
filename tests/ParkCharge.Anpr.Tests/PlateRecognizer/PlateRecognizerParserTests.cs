using System.Text;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.PlateRecognizer;

/// <summary>Plate Recognizer Snapshot responses, Snapshot and Stream webhooks, with and without the picture.</summary>
public sealed class PlateRecognizerParserTests
{
    private const string Json = "application/json";
    private static readonly CameraFormat Format = CameraFormat.PlateRecognizer;

    [Fact]
    public async Task A_Snapshot_response_maps_every_result_member()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("PlateRecognizer/snapshot-response.json"));

        Assert.Equal("bay-12", push.CameraId);
        Assert.Empty(push.Images);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal("bay-12", read.Camera);
        Assert.Equal("bcd1234", read.Plate);
        Assert.Equal(0.941, read.Confidence);
        Assert.Equal("de", read.Region);
        Assert.Equal("Sedan", read.VehicleType);
        Assert.Equal([new PlateCandidate("bcd1z34", 0.804)], read.Candidates);
        Assert.Null(read.Direction);
        Assert.Null(read.ReadId);
        Assert.Null(read.Zone);
        Assert.Null(read.PlateX);
        Assert.False(read.HasImage);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 15, 2, TimeSpan.Zero).AddTicks(1_874_220), report.CapturedAt);
        Assert.Equal(new PlateGeometry(new PixelBox(402, 517, 598, 561), null, null), report.Geometry);
        Assert.Matches("^bay-12:[0-9a-f]{64}$", report.IdempotencyKey);
    }

    [Fact]
    public async Task A_Snapshot_webhook_gives_one_report_per_result_with_its_timestamp_taken_as_UTC()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("PlateRecognizer/snapshot-webhook.json"));

        Assert.Equal(["bcd1234", "mxy512e"], push.Reports.Select(r => ((PlateRead)r.Payload).Plate));
        var second = (PlateRead)push.Reports[1].Payload;
        Assert.Equal(("gate-in-1", 0.774, "de", "Van"), (second.Camera, second.Confidence, second.Region, second.VehicleType));
        Assert.Empty(second.Candidates);
        var expected = new DateTimeOffset(2026, 3, 2, 7, 15, 3, TimeSpan.Zero).AddTicks(4_128_730);
        Assert.All(push.Reports, r => Assert.Equal(expected, r.CapturedAt));
        Assert.All(push.Reports, r => Assert.Equal(TimeSpan.Zero, r.CapturedAt!.Value.Offset));
        Assert.NotEqual(push.Reports[0].IdempotencyKey, push.Reports[1].IdempotencyKey);
    }

    [Fact]
    public async Task A_Stream_webhook_keeps_the_heading_in_degrees_and_leaves_the_direction_to_the_site()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("PlateRecognizer/stream-webhook.json"));

        Assert.Equal("gate-out-2", push.CameraId);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("gate-out-2", "bcd1234", 0.902, "de", "Sedan"), (read.Camera, read.Plate, read.Confidence, read.Region, read.VehicleType));
        Assert.Null(read.Direction);
        Assert.Equal([new PlateCandidate("bcd1z34", null), new PlateCandidate("8cd1234", null)], read.Candidates);
        Assert.Equal(new PlateGeometry(new PixelBox(1033, 602, 1187, 641), null, 212), report.Geometry);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 16, 47, 21, TimeSpan.Zero).AddTicks(3_182_040), report.CapturedAt);
    }

    [Fact]
    public async Task A_webhook_with_image_attaches_the_picture_to_all_its_reads_and_places_each_plate_in_it()
    {
        var jpeg = TinyJpeg.Grey(1280, 720);
        var body = MultipartPush.Build(
            new("json", null, null, Fixture.Bytes("PlateRecognizer/snapshot-webhook.json")),
            new("upload", "gate-in-1_0315.jpg", "image/jpeg", jpeg));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body);

        var image = Assert.Single(push.Images);
        Assert.Equal(("upload", "image/jpeg", (int?)null), (image.Name, image.ContentType, image.ReportIndex));
        Assert.Equal(jpeg, image.Content.ToArray());
        Assert.Equal(2, push.Reports.Count);
        Assert.All(push.Reports, r => Assert.True(((PlateRead)r.Payload).HasImage));
        Assert.Equal([(586 + 827) / 2.0 / 1280, (88 + 214) / 2.0 / 1280], push.Reports.Select(r => ((PlateRead)r.Payload).PlateX!.Value));
        Assert.All(push.Reports, r => Assert.Equal(1280, r.Geometry!.ImageWidth));
    }

    [Fact]
    public async Task A_picture_with_a_single_read_belongs_to_that_read()
    {
        var body = MultipartPush.Build(
            new("json", null, "application/json", Fixture.Bytes("PlateRecognizer/stream-webhook.json")),
            new("upload", "16-47-21.318204.jpg", "image/jpeg", TinyJpeg.Grey(1920, 1080)));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body);

        Assert.Equal(0, Assert.Single(push.Images).ReportIndex);
        var read = (PlateRead)Assert.Single(push.Reports).Payload;
        Assert.Equal((1033 + 1187) / 2.0 / 1920, read.PlateX);
        Assert.True(read.HasImage);
    }

    [Fact]
    public async Task An_empty_upload_is_no_picture()
    {
        var body = MultipartPush.Build(
            new("json", null, null, Fixture.Bytes("PlateRecognizer/stream-webhook.json")),
            new("upload", "16-47-21.318204.jpg", "image/jpeg", []));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body);

        Assert.Empty(push.Images);
        Assert.False(((PlateRead)Assert.Single(push.Reports).Payload).HasImage);
    }

    [Fact]
    public async Task A_data_only_Stream_webhook_posted_as_a_form_field_is_read()
    {
        string json = Encoding.UTF8.GetString(Fixture.Bytes("PlateRecognizer/stream-webhook.json"));
        var body = Encoding.UTF8.GetBytes("json=" + Uri.EscapeDataString(json));

        var push = await Push.Accepted(Format, "application/x-www-form-urlencoded", body);

        Assert.Equal("bcd1234", ((PlateRead)Assert.Single(push.Reports).Payload).Plate);
    }

    [Fact]
    public async Task Vehicle_mode_results_are_read_and_a_vehicle_without_plate_is_an_unreadable_read()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("PlateRecognizer/vehicle-mode-response.json"));

        Assert.Equal(2, push.Reports.Count);
        var car = (PlateRead)push.Reports[0].Payload;
        Assert.Equal(("hhab1234", 0.918, "de", "Sedan"), (car.Plate, car.Confidence, car.Region, car.VehicleType));
        Assert.Equal([new PlateCandidate("hhab1z34", 0.402)], car.Candidates);
        Assert.Equal(new PixelBox(377, 488, 559, 529), push.Reports[0].Geometry!.PlateBox);
        var motorcycle = (PlateRead)push.Reports[1].Payload;
        Assert.Equal(("", null, null, "Motorcycle"), (motorcycle.Plate, motorcycle.Confidence, motorcycle.Region, motorcycle.VehicleType));
        Assert.Null(push.Reports[1].Geometry);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 31, 40, TimeSpan.Zero).AddTicks(9_051_130), push.Reports[1].CapturedAt);
    }

    [Fact]
    public async Task The_camera_the_push_came_to_is_the_camera_of_the_reads_and_the_payloads_name_is_kept_for_the_caller()
    {
        var push = await Push.Accepted(Format, Json, Fixture.Bytes("PlateRecognizer/stream-webhook.json"), cameraId: "exit-east");

        Assert.Equal("gate-out-2", push.CameraId);
        Assert.Equal("exit-east", ((PlateRead)Assert.Single(push.Reports).Payload).Camera);
        Assert.StartsWith("exit-east:", push.Reports[0].IdempotencyKey, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Snapshot_webhook_for_an_image_without_plates_gives_no_reports()
    {
        var push = await Push.Accepted(Format, Json, Body("""{"hook":{"target":"https://parking.example.net/hook","id":2317,"event":"image.done"},"data":{"filename":"gate-in-1_0316.jpg","timestamp":"2026-03-02 07:16:00.000001","camera_id":"gate-in-1","results":[]}}"""));

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task A_webhook_of_another_event_without_results_gives_no_reports()
    {
        var push = await Push.Accepted(Format, Json, Body("""{"hook":{"target":"https://parking.example.net/hook","id":"gate-out-2","event":"heartbeat"},"data":{"camera_id":"gate-out-2","timestamp":"2026-03-02T16:50:00Z"}}"""));

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task Reads_of_a_push_that_names_no_camera_pushed_to_no_camera_are_refused()
    {
        var errors = await Push.Refused(Format, Json, Body("""{"camera_id":null,"timestamp":"2026-03-02T07:15:02Z","results":[{"plate":"bcd1234","score":0.9}]}"""));

        Assert.Equal("camera_id", Assert.Single(errors).Path);
    }

    [Fact]
    public async Task An_empty_camera_id_names_no_camera()
    {
        var push = await Push.Accepted(Format, Json, Body("""{"camera_id":"","timestamp":"2026-03-02T07:15:02Z","results":[{"plate":"bcd1234","score":0.9}]}"""), cameraId: "bay-12");

        Assert.Null(push.CameraId);
        Assert.Equal("bay-12", ((PlateRead)Assert.Single(push.Reports).Payload).Camera);
    }

    [Theory]
    [InlineData("""{"hook":{"event":"recognition"},"data":{"camera_id":"gate-out-2","results":[{"plate":"bcd1234","score":1.7}]}}""", "data.results[0].score", "1.7 is not a score between 0 and 1")]
    [InlineData("""{"hook":{"event":"recognition"},"data":{"camera_id":"gate-out-2","timestamp":"yesterday","results":[]}}""", "data.timestamp", "\"yesterday\" is not an ISO 8601 time")]
    [InlineData("""{"hook":{"event":"recognition"},"data":{"camera_id":"gate-out-2"}}""", "data.results", "missing")]
    [InlineData("""{"camera_id":"bay-12","results":{"plate":"bcd1234"}}""", "results", "an object is not an array")]
    [InlineData("""{"camera_id":"bay-12","results":[{"plate":42}]}""", "results[0].plate", "a number is not a plate")]
    [InlineData("""{"camera_id":"bay-12","results":[{"plate":"bcd1234","box":{"xmin":1,"ymin":2}}]}""", "results[0].box", "is not a box of whole pixels { xmin, ymin, xmax, ymax }")]
    [InlineData("""{"camera_id":"bay-12","results":[{"plate":"bcd1234","direction":"north"}]}""", "results[0].direction", "\"north\" is not a heading in degrees")]
    [InlineData("""{"camera_id":7,"results":[]}""", "camera_id", "a number is not a string")]
    [InlineData("""["bcd1234"]""", "body", "the JSON is an array, not a Plate Recognizer result object")]
    public async Task A_wrong_value_is_refused_naming_its_path(string json, string path, string message)
    {
        var errors = await Push.Refused(Format, Json, Body(json));

        Assert.Equal(new AnprParseError(path, message), Assert.Single(errors));
    }

    [Fact]
    public async Task Malformed_JSON_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Json, Body("""{"camera_id":"bay-12","results":[{"plate":"bcd1234",}]}""")));

        Assert.Equal("body", error.Path);
        Assert.StartsWith("not valid JSON (line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_push_without_the_json_field_is_refused()
    {
        var body = MultipartPush.Build(new MultipartPush.Part("upload", "gate-in-1_0315.jpg", "image/jpeg", TinyJpeg.Grey(64, 48)));

        var error = Assert.Single(await Push.Refused(Format, MultipartPush.ContentType, body));

        Assert.Equal("json", error.Path);
    }

    [Fact]
    public async Task Malformed_JSON_in_the_json_field_is_refused_naming_the_field()
    {
        var body = MultipartPush.Build(new MultipartPush.Part("json", null, null, Body("{\"data\":")));

        Assert.Equal("json", Assert.Single(await Push.Refused(Format, MultipartPush.ContentType, body)).Path);
    }

    [Fact]
    public async Task An_XML_push_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, "application/xml", Body("<EventNotificationAlert/>")));

        Assert.Equal("body", error.Path);
    }

    private static byte[] Body(string text) => Encoding.UTF8.GetBytes(text);
}
