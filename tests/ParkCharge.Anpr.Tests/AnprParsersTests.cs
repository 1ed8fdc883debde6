using ParkCharge.Anpr.Axis;
using ParkCharge.Anpr.Dahua;
using ParkCharge.Anpr.Generic;
using ParkCharge.Anpr.Hikvision;
using ParkCharge.Anpr.Mapped;
using ParkCharge.Anpr.Milesight;
using ParkCharge.Anpr.OpenAlpr;
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
        Assert.IsType<AxisLicensePlateVerifierParser>(AnprParsers.For(CameraFormat.Axis));
        Assert.IsType<DahuaItsapiParser>(AnprParsers.For(CameraFormat.Dahua));
        Assert.IsType<OpenAlprParser>(AnprParsers.For(CameraFormat.OpenAlpr));
        Assert.IsType<MilesightLprParser>(AnprParsers.For(CameraFormat.Milesight));
        Assert.All(Enum.GetValues<CameraFormat>().Where(f => f != CameraFormat.Mapped), format => Assert.NotNull(AnprParsers.For(format, PushLimits.Default)));
    }

    [Fact]
    public void A_mapped_camera_gets_its_parser_from_its_map_and_a_map_with_problems_gets_none()
    {
        Assert.IsType<MappedParser>(AnprParsers.Mapped(new CameraFieldMap { Plate = "$.plate" }, PushLimits.Default, out var none));
        Assert.Empty(none);

        Assert.Null(AnprParsers.Mapped(new CameraFieldMap { Plate = "plate" }, PushLimits.Default, out var problems));
        Assert.Equal("plate", Assert.Single(problems).Field);
        Assert.Throws<ArgumentOutOfRangeException>(() => AnprParsers.For(CameraFormat.Mapped));
    }

    [Fact]
    public void A_format_without_parser_is_a_bug()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => AnprParsers.For((CameraFormat)99));
    }
}
