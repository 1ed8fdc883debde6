using ParkCharge.Anpr.Axis;
using ParkCharge.Anpr.Dahua;
using ParkCharge.Anpr.Generic;
using ParkCharge.Anpr.Hikvision;
using ParkCharge.Anpr.Mapped;
using ParkCharge.Anpr.Milesight;
using ParkCharge.Anpr.OpenAlpr;
using ParkCharge.Anpr.PlateRecognizer;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr;

/// <summary>The parser for each camera format a site can register (<see cref="CameraFormat"/>).</summary>
public static class AnprParsers
{
    private static readonly Dictionary<CameraFormat, IAnprParser> Defaults =
        Enum.GetValues<CameraFormat>().Where(f => f != CameraFormat.Mapped).ToDictionary(f => f, f => For(f, PushLimits.Default));

    /// <summary>The parser for <paramref name="format"/> with the default limits. Parsers are stateless and shared.</summary>
    /// <exception cref="ArgumentOutOfRangeException">For <see cref="CameraFormat.Mapped"/> (its parser comes from a camera's map: <see cref="Mapped"/>) and unknown formats.</exception>
    public static IAnprParser For(CameraFormat format) =>
        Defaults.TryGetValue(format, out var parser) ? parser : throw NoParser(format);

    /// <summary>The parser for <paramref name="format"/> with other size limits.</summary>
    public static IAnprParser For(CameraFormat format, PushLimits limits) => format switch
    {
        CameraFormat.Generic => new GenericJsonParser(limits),
        CameraFormat.PlateRecognizer => new PlateRecognizerParser(limits),
        CameraFormat.Hikvision => new HikvisionIsapiParser(limits),
        CameraFormat.Axis => new AxisLicensePlateVerifierParser(limits),
        CameraFormat.Dahua => new DahuaItsapiParser(limits),
        CameraFormat.OpenAlpr => new OpenAlprParser(limits),
        CameraFormat.Milesight => new MilesightLprParser(limits),
        _ => throw NoParser(format),
    };

    /// <summary>The parser that reads pushes through <paramref name="map"/>; null with the map's problems when it cannot.</summary>
    public static IAnprParser? Mapped(CameraFieldMap map, PushLimits limits, out IReadOnlyList<FieldMapProblem> problems) =>
        MappedFields.Compile(map, out problems) is { } fields ? new MappedParser(fields, limits) : null;

    private static ArgumentOutOfRangeException NoParser(CameraFormat format) => new(
        nameof(format),
        format,
        format == CameraFormat.Mapped ? "A mapped camera's parser comes from its field map (AnprParsers.Mapped)." : "No parser for this camera format.");
}
