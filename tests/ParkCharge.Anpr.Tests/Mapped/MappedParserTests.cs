using System.Text;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Mapped;

/// <summary>
/// Cameras without a parser of their own, read through the field map of their site file: JSON paths for a made-up
/// vendor's JSON ("Acme"), XPath for a made-up vendor's XML ("Vigil").
/// </summary>
public sealed class MappedParserTests
{
    private static readonly CameraFieldMap AcmeGate = new()
    {
        Plate = "$.event.lpr.text",
        Confidence = "$.event.lpr.score",
        Time = "$.event.ts",
        TimeFormat = "unix",
        Direction = "$.event.lpr.dir",
        DirectionValues = [new("ENTERING", ReportedDirection.In), new("LEAVING", ReportedDirection.Out)],
        Zone = "$.event.lane",
        ReadId = "$.event.id",
        Region = "$.event.lpr.country",
        Picture = "$.event.snapshot",
    };

    private static readonly CameraFieldMap AcmeBatch = new()
    {
        Reads = "$.detections[*]",
        Plate = "@.plate",
        NoPlate = ["NOPLATE"],
        Confidence = "@.conf",
        ConfidenceScale = 100,
        Time = "$.sentAt",
        Zone = "@.lane",
    };

    private static readonly CameraFieldMap VigilEvent = new()
    {
        Document = CameraDocumentKind.Xml,
        Plate = "/Event/Plate/Text",
        Confidence = "/vg:Event/vg:Plate/@confidence",
        ConfidenceScale = 100,
        Time = "/Event/Header/Time",
        Direction = "/Event/Motion/@direction",
        Region = "/Event/Plate/@country",
        Picture = "/Event/Image",
    };

    private static readonly CameraFieldMap VigilBatch = new()
    {
        Document = CameraDocumentKind.Xml,
        Reads = "/Batch/Read",
        Plate = "Plate/text()",
        Time = "@time",
        TimeFormat = "yyyyMMdd HHmmss",
        Zone = "@lane",
    };

    [Fact]
    public async Task A_JSON_map_reads_every_field_it_names()
    {
        var push = await Accepted(AcmeGate, "application/json", Fixture.Bytes("Mapped/acme-gate.json"));

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("acme-1", "AB-123-CD", 0.91, TravelDirection.In), (read.Camera, read.Plate, read.Confidence, read.Direction));
        Assert.Equal(("L2", "evt-20260302-000917", "FR"), (read.Zone, read.ReadId, read.Region));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1772435700), report.CapturedAt);
        Assert.Equal("acme-1:evt-20260302-000917", report.IdempotencyKey);
        Assert.True(read.HasImage);
        var image = Assert.Single(push.Images);
        Assert.Equal(("image/jpeg", (int?)0), (image.ContentType, image.ReportIndex));
    }

    [Fact]
    public async Task A_map_with_reads_takes_each_item_with_paths_from_the_item_and_from_the_document()
    {
        var push = await Accepted(AcmeBatch, "application/json", Fixture.Bytes("Mapped/acme-batch.json"));

        Assert.Equal(2, push.Reports.Count);
        var (first, second) = ((PlateRead)push.Reports[0].Payload, (PlateRead)push.Reports[1].Payload);
        Assert.Equal(("AB123CD", 0.87, "1"), (first.Plate, first.Confidence, first.Zone));
        Assert.Equal(("", 0.0, "2"), (second.Plate, second.Confidence, second.Zone)); // NOPLATE is the vendor's "no plate"
        Assert.All(push.Reports, r => Assert.Equal((new DateTime(2026, 3, 2, 8, 15, 0), (DateTimeOffset?)null), (r.LocalTime!.Value, r.CapturedAt)));
        Assert.NotEqual(push.Reports[0].IdempotencyKey, push.Reports[1].IdempotencyKey);
    }

    [Fact]
    public async Task An_XML_map_matches_elements_by_local_name_whatever_their_namespace()
    {
        var push = await Accepted(VigilEvent, "text/xml", Fixture.Bytes("Mapped/vigil-event.xml"));

        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal(("B AB 1234", 0.87, "DE"), (read.Plate, read.Confidence, read.Region));
        Assert.Equal(TravelDirection.Out, read.Direction);
        Assert.Equal(ReportedDirection.Leaving, report.ReportedDirection);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 15, 0, 250, TimeSpan.FromHours(1)), report.CapturedAt);
        Assert.True(read.HasImage);
    }

    [Fact]
    public async Task An_XML_map_with_reads_and_a_custom_local_time_format()
    {
        var push = await Accepted(VigilBatch, "application/xml", Fixture.Bytes("Mapped/vigil-batch.xml"));

        Assert.Equal([("AB123", "3"), ("XY987", "4")], push.Reports.Select(r => (((PlateRead)r.Payload).Plate, ((PlateRead)r.Payload).Zone!)));
        Assert.Equal([new DateTime(2026, 3, 2, 8, 15, 0), new DateTime(2026, 3, 2, 8, 15, 12)], push.Reports.Select(r => r.LocalTime!.Value));
        var camera = new CameraConfiguration { Id = "acme-1", Lane = "in", KeyHash = "k", TimeZone = "Europe/Paris" };
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 15, 0, TimeSpan.Zero), push.Reports[0].AtCamera(camera, "UTC").CapturedAt);
    }

    [Fact]
    public async Task A_multipart_push_takes_the_document_part_and_the_picture_part_the_map_names()
    {
        var map = AcmeGate with { Picture = null, PicturePart = "overview", DocumentPart = "meta" };
        var scene = TinyJpeg.Grey(64, 48);
        var body = MultipartPush.Build(
            new("meta", "meta.txt", "text/plain", Fixture.Bytes("Mapped/acme-gate.json")),
            new("overview", "overview.jpg", "image/jpeg", scene));

        var push = await Accepted(map, MultipartPush.ContentType, body);

        Assert.True(((PlateRead)Assert.Single(push.Reports).Payload).HasImage);
        Assert.Equal(scene, Assert.Single(push.Images).Content.ToArray());
    }

    [Theory]
    [InlineData("""{"event":{"ts":1}}""", "plate", "nothing at $.event.lpr.text")]
    [InlineData("""{"event":{"lpr":{"text":"AB1","score":"1.5"}}}""", "confidence", "is not a confidence from 0 to 1")]
    [InlineData("""{"event":{"lpr":{"text":"AB1"},"ts":"yesterday"}}""", "time", "is not a time in unix")]
    [InlineData("""{"event":{"lpr":{"text":{"a":1}}}}""", "plate", "holds an object, not a value")]
    [InlineData("""{"event":{"lpr":{"text":"AB1"},"snapshot":"@@@"}}""", "picture", "is not base64 picture data")]
    public async Task A_push_the_map_cannot_read_is_refused_naming_the_field_and_its_path(string json, string field, string message)
    {
        var errors = await Refused(AcmeGate, "application/json", Encoding.UTF8.GetBytes(json));

        var error = Assert.Single(errors);
        Assert.Equal(field, error.Path);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AB1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_direction_word_the_map_does_not_list_means_no_direction()
    {
        var push = await Accepted(AcmeGate, "application/json", """{"event":{"lpr":{"text":"AB1","dir":"STOPPED"}}}"""u8.ToArray());

        Assert.Null(((PlateRead)Assert.Single(push.Reports).Payload).Direction);
    }

    [Fact]
    public async Task A_push_of_the_other_document_kind_is_refused()
    {
        var error = Assert.Single(await Refused(AcmeGate, "application/xml", Fixture.Bytes("Mapped/vigil-event.xml")));

        Assert.Equal("this camera's map reads JSON, not \"application/xml\"", error.Message);
    }

    [Fact]
    public async Task More_reads_than_a_push_may_have_are_refused_without_reading_them_all()
    {
        var json = "{\"detections\":[" + string.Join(",", Enumerable.Repeat("""{"plate":"AB1"}""", 50_000)) + "]}";

        var error = Assert.Single(await Refused(AcmeBatch, "application/json", Encoding.UTF8.GetBytes(json)));

        Assert.Equal(new AnprParseError("reads", "the push has more than the 100 reads a push may have (send the rest in further pushes)"), error);
    }

    [Fact]
    public async Task A_push_that_came_to_no_camera_address_is_refused()
    {
        using var stream = new MemoryStream(Fixture.Bytes("Mapped/acme-gate.json"));
        var result = await Parser(AcmeGate).ParseAsync("application/json", stream, null, TestContext.Current.CancellationToken);

        Assert.Contains("must come to its camera's own address", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }

    private static IAnprParser Parser(CameraFieldMap map) =>
        AnprParsers.Mapped(map, PushLimits.Default, out var problems) ?? throw new InvalidOperationException(string.Join("; ", problems));

    private static async Task<AnprPush> Accepted(CameraFieldMap map, string contentType, byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        var result = await Parser(map).ParseAsync(contentType, stream, "acme-1", TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Push;
    }

    private static async Task<IReadOnlyList<AnprParseError>> Refused(CameraFieldMap map, string contentType, byte[] body)
    {
        using var stream = new MemoryStream(body, writable: false);
        var result = await Parser(map).ParseAsync(contentType, stream, "acme-1", TestContext.Current.CancellationToken);
        Assert.False(result.IsSuccess, "the push was accepted");
        return result.Errors;
    }
}
