using ParkCharge.Anpr.Body;

namespace ParkCharge.Anpr.Tests;

public sealed class JpegSizeTests
{
    [Theory]
    [InlineData(64, 48)]
    [InlineData(1280, 720)]
    [InlineData(1, 1)]
    public void The_size_is_read_from_the_frame_header(int width, int height)
    {
        Assert.True(JpegSize.TryRead(TinyJpeg.Grey(width, height), out int w, out int h));

        Assert.Equal((width, height), (w, h));
    }

    [Fact]
    public void A_progressive_frame_header_is_read_too()
    {
        var jpeg = TinyJpeg.Grey(320, 240);
        int sof = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        jpeg[sof + 1] = 0xC2;

        Assert.True(JpegSize.TryRead(jpeg, out int w, out _));
        Assert.Equal(320, w);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0x00 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })]
    public void Anything_else_has_no_size(byte[] notJpeg)
    {
        Assert.False(JpegSize.TryRead(notJpeg, out _, out _));
    }
}
