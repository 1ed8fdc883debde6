using ParkCharge.Anpr.Generic;
using ParkCharge.Anpr.Hikvision;
using ParkCharge.Anpr.PlateRecognizer;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests;

public sealed class AnprParsersTests
{
    [Fact]
    public void Each_camera_format_has_its_parser()
    {
        Assert.IsType<GenericJsonParser>(AnprParsers.For(CameraFormat.Generic));
        Assert.IsType<PlateRecognizerParser>(AnprParsers.For(CameraFormat.PlateRecognizer));
        Assert.IsType<HikvisionIsapiParser>(AnprParsers.For(CameraFormat.Hikvision));
        Assert.All(Enum.GetValues<CameraFormat>(), format => Assert.NotNull(AnprParsers.For(format, PushLimits.Default)));
    }

    [Fact]
    public void A_format_without_parser_is_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AnprParsers.For((CameraFormat)99));
    }
}
