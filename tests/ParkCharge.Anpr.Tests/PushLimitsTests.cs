using System.Text;

using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests;

/// <summary>Pushes that are too large, have too many parts or end early are refused whole, in every format.</summary>
public sealed class PushLimitsTests
{
    public static TheoryData<CameraFormat> Formats => [CameraFormat.Generic, CameraFormat.PlateRecognizer, CameraFormat.Hikvision];

    public static TheoryData<CameraFormat> MultipartFormats => [CameraFormat.PlateRecognizer, CameraFormat.Hikvision];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_push_over_10_MiB_is_refused(CameraFormat format)
    {
        var body = MultipartPush.Build(
            new("json", null, null, Fixture.Bytes("PlateRecognizer/stream-webhook.json")),
            new("upload", "huge.jpg", "image/jpeg", new byte[10 * 1024 * 1024]));

        var error = Assert.Single(await Push.Refused(format, MultipartPush.ContentType, body, "gate-in-1"));

        Assert.Equal(new AnprParseError("body", "the push is larger than the 10 MiB a push may have"), error);
    }

    [Fact]
    public async Task Other_limits_can_be_set()
    {
        var parser = AnprParsers.For(CameraFormat.Generic, new PushLimits(MaxBytes: 64, MaxParts: 2));
        using var body = new MemoryStream(Fixture.Bytes("Generic/single-read.json"));

        var result = await parser.ParseAsync("application/json", body, null, TestContext.Current.CancellationToken);

        Assert.Equal(new AnprParseError("body", "the push is larger than the 64 bytes a push may have"), Assert.Single(result.Errors));
    }

    [Theory]
    [MemberData(nameof(MultipartFormats))]
    public async Task A_push_of_more_than_10_parts_is_refused(CameraFormat format)
    {
        var parts = Enumerable.Range(0, 11).Select(i => new MultipartPush.Part($"detectionPicture{i}.jpg", $"detectionPicture{i}.jpg", "image/jpeg", TinyJpeg.Grey(64, 48))).ToArray();

        var error = Assert.Single(await Push.Refused(format, MultipartPush.ContentType, MultipartPush.Build(parts), "gate-in-1"));

        Assert.Equal(new AnprParseError("body", "the push has more than the 10 parts a push may have"), error);
    }

    [Theory]
    [MemberData(nameof(MultipartFormats))]
    public async Task A_truncated_multipart_push_is_refused(CameraFormat format)
    {
        var whole = MultipartPush.Build(
            new(format == CameraFormat.Hikvision ? "anpr.xml" : "json", null, null, Fixture.Bytes(format == CameraFormat.Hikvision ? "Hikvision/anpr-ver20.xml" : "PlateRecognizer/stream-webhook.json")),
            new("licensePlatePicture.jpg", "licensePlatePicture.jpg", "image/jpeg", TinyJpeg.Grey(640, 360)));
        var truncated = whole[..(whole.Length - 200)];

        var error = Assert.Single(await Push.Refused(format, MultipartPush.ContentType, truncated, "gate-in-1"));

        Assert.Equal("part 1", error.Path);
        Assert.StartsWith("the multipart body is malformed or truncated", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MultipartFormats))]
    public async Task A_multipart_push_without_boundary_is_refused(CameraFormat format)
    {
        var body = MultipartPush.Build(new MultipartPush.Part("json", null, null, Fixture.Bytes("PlateRecognizer/stream-webhook.json")));

        var error = Assert.Single(await Push.Refused(format, "multipart/form-data", body, "gate-in-1"));

        Assert.Equal(new AnprParseError("body", "the content type \"multipart/form-data\" has no valid multipart boundary"), error);
    }

    [Theory]
    [MemberData(nameof(MultipartFormats))]
    public async Task A_body_that_is_not_multipart_under_a_multipart_content_type_is_refused(CameraFormat format)
    {
        var error = Assert.Single(await Push.Refused(format, MultipartPush.ContentType, Encoding.UTF8.GetBytes("plain text, no boundary here"), "gate-in-1"));

        Assert.Equal("body", error.Path);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task An_empty_push_is_refused(CameraFormat format)
    {
        Assert.Equal(new AnprParseError("body", "the push is empty"), Assert.Single(await Push.Refused(format, "application/json", [], "gate-in-1")));
    }
}
