using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests;

/// <summary>Parses a push the way the server will: content type, body stream, the camera the push came to.</summary>
internal static class Push
{
    public static async Task<AnprParseResult> Parse(CameraFormat format, string? contentType, byte[] body, string? cameraId = null)
    {
        using var stream = new MemoryStream(body, writable: false);
        return await AnprParsers.For(format).ParseAsync(contentType, stream, cameraId, TestContext.Current.CancellationToken);
    }

    public static async Task<AnprPush> Accepted(CameraFormat format, string? contentType, byte[] body, string? cameraId = null)
    {
        var result = await Parse(format, contentType, body, cameraId);
        Assert.True(result.IsSuccess, string.Join("\n", result.Errors));
        return result.Push;
    }

    public static async Task<IReadOnlyList<AnprParseError>> Refused(CameraFormat format, string? contentType, byte[] body, string? cameraId = null)
    {
        var result = await Parse(format, contentType, body, cameraId);
        Assert.False(result.IsSuccess, "the push was accepted");
        return result.Errors;
    }
}
