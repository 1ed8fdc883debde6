using System.Text;

using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests;

/// <summary>A repeated push changes nothing: its reports have the keys they had the first time (DESIGN.md §2).</summary>
public sealed class ReadKeyTests
{
    public static TheoryData<CameraFormat, string, string, string?> Pushes => new()
    {
        { CameraFormat.Generic, "application/json", "Generic/single-read.json", null },
        { CameraFormat.Generic, "application/json", "Generic/bay-batch.json", null },
        { CameraFormat.PlateRecognizer, "application/json", "PlateRecognizer/snapshot-response.json", null },
        { CameraFormat.PlateRecognizer, "application/json", "PlateRecognizer/snapshot-webhook.json", null },
        { CameraFormat.PlateRecognizer, "application/json", "PlateRecognizer/stream-webhook.json", null },
        { CameraFormat.PlateRecognizer, "application/json", "PlateRecognizer/vehicle-mode-response.json", null },
        { CameraFormat.Hikvision, "application/xml", "Hikvision/anpr-ver20.xml", "gate-in-1" },
        { CameraFormat.Hikvision, "application/xml", "Hikvision/unreadable-ver10.xml", "gate-in-1" },
    };

    [Theory]
    [MemberData(nameof(Pushes))]
    public async Task The_same_push_parsed_twice_gives_the_same_keys(CameraFormat format, string contentType, string fixture, string? cameraId)
    {
        var first = await Push.Accepted(format, contentType, Fixture.Bytes(fixture), cameraId);
        var second = await Push.Accepted(format, contentType, Fixture.Bytes(fixture), cameraId);

        Assert.NotEmpty(first.Reports);
        Assert.Equal(first.Reports.Select(r => r.IdempotencyKey), second.Reports.Select(r => r.IdempotencyKey));
    }

    [Fact]
    public async Task A_multipart_push_parsed_twice_gives_the_same_keys()
    {
        var body = MultipartPush.Build(
            new("anpr.xml", "anpr.xml", "text/xml", Fixture.Bytes("Hikvision/anpr-isapi.xml")),
            new("licensePlatePicture.jpg", "licensePlatePicture.jpg", "image/pjpeg", TinyJpeg.Grey(96, 32)));

        var first = await Push.Accepted(CameraFormat.Hikvision, MultipartPush.ContentType, body, "gate-out-1");
        var second = await Push.Accepted(CameraFormat.Hikvision, MultipartPush.ContentType, body, "gate-out-1");

        Assert.Equal(first.Reports[0].IdempotencyKey, second.Reports[0].IdempotencyKey);
    }

    [Fact]
    public async Task Two_different_reads_get_different_keys()
    {
        var morning = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234","capturedAt":"2026-03-02T08:15:00+01:00"}""");
        var evening = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234","capturedAt":"2026-03-02T18:40:00+01:00"}""");
        var otherCar = await Generic("""{"cameraId":"gate-in-1","plate":"M-XY 512E","capturedAt":"2026-03-02T08:15:00+01:00"}""");
        var otherCamera = await Generic("""{"cameraId":"gate-in-2","plate":"B-CD 1234","capturedAt":"2026-03-02T08:15:00+01:00"}""");

        string[] keys = [morning, evening, otherCar, otherCamera];
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public async Task A_read_repeated_with_another_plate_spelling_or_offset_is_the_same_read()
    {
        var first = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":0.93,"capturedAt":"2026-03-02T08:15:00+01:00"}""");
        var again = await Generic("""{"cameraId":"gate-in-1","plate":"bcd1234","confidence":0.91,"capturedAt":"2026-03-02T07:15:00Z"}""");

        Assert.Equal(first, again);
    }

    [Fact]
    public async Task The_cameras_read_id_is_the_key_whatever_else_changes()
    {
        var first = await Generic("""{"cameraId":"gate-in-1","readId":"r-77","plate":"B-CD 1234","capturedAt":"2026-03-02T08:15:00+01:00"}""");
        var corrected = await Generic("""{"cameraId":"gate-in-1","readId":"r-77","plate":"B-CD 1284","capturedAt":"2026-03-02T08:15:01+01:00"}""");

        Assert.Equal("gate-in-1:r-77", first);
        Assert.Equal(first, corrected);
    }

    [Fact]
    public async Task A_Hikvision_alarm_uploaded_again_keeps_its_UUID_key()
    {
        string xml = Encoding.UTF8.GetString(Fixture.Bytes("Hikvision/anpr-ver20.xml"));
        var again = Encoding.UTF8.GetBytes(xml.Replace("<activePostCount>1</activePostCount>", "<activePostCount>2</activePostCount>", StringComparison.Ordinal));

        var first = await Push.Accepted(CameraFormat.Hikvision, "application/xml", Fixture.Bytes("Hikvision/anpr-ver20.xml"), "gate-in-1");
        var second = await Push.Accepted(CameraFormat.Hikvision, "application/xml", again, "gate-in-1");

        Assert.Equal(first.Reports[0].IdempotencyKey, second.Reports[0].IdempotencyKey);
    }

    [Fact]
    public async Task Reads_without_capture_time_are_the_same_only_when_the_push_is_repeated_byte_for_byte()
    {
        var first = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234"}""");
        var repeated = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234"}""");
        var later = await Generic("""{"cameraId":"gate-in-1","plate":"B-CD 1234","confidence":0.9}""");

        Assert.Equal(first, repeated);
        Assert.NotEqual(first, later);
    }

    [Fact]
    public async Task A_bay_that_empties_twice_gives_two_keys()
    {
        var left = await Generic("""{"cameraId":"bay-07-08","event":"vacant","zone":"left","capturedAt":"2026-03-02T10:02:45+01:00"}""");
        var right = await Generic("""{"cameraId":"bay-07-08","event":"vacant","zone":"right","capturedAt":"2026-03-02T10:02:45+01:00"}""");
        var later = await Generic("""{"cameraId":"bay-07-08","event":"vacant","zone":"left","capturedAt":"2026-03-02T16:30:00+01:00"}""");

        Assert.Equal(3, new[] { left, right, later }.Distinct().Count());
    }

    private static async Task<string> Generic(string json)
    {
        var push = await Push.Accepted(CameraFormat.Generic, "application/json", Encoding.UTF8.GetBytes(json));
        return Assert.Single(push.Reports).IdempotencyKey;
    }
}
