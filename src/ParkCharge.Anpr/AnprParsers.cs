using ParkCharge.Anpr.Generic;
using ParkCharge.Anpr.Hikvision;
using ParkCharge.Anpr.PlateRecognizer;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr;

/// <summary>The parser for each camera format a site can register (<see cref="CameraFormat"/>).</summary>
public static class AnprParsers
{
    private static readonly IAnprParser GenericDefault = new GenericJsonParser(PushLimits.Default);
    private static readonly IAnprParser PlateRecognizerDefault = new PlateRecognizerParser(PushLimits.Default);
    private static readonly IAnprParser HikvisionDefault = new HikvisionIsapiParser(PushLimits.Default);

    /// <summary>The parser for <paramref name="format"/> with the default limits. Parsers are stateless and shared.</summary>
    public static IAnprParser For(CameraFormat format) => format switch
    {
        CameraFormat.Generic => GenericDefault,
        CameraFormat.PlateRecognizer => PlateRecognizerDefault,
        CameraFormat.Hikvision => HikvisionDefault,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No parser for this camera format."),
    };

    /// <summary>The parser for <paramref name="format"/> with other size limits.</summary>
    public static IAnprParser For(CameraFormat format, PushLimits limits) => format switch
    {
        CameraFormat.Generic => new GenericJsonParser(limits),
        CameraFormat.PlateRecognizer => new PlateRecognizerParser(limits),
        CameraFormat.Hikvision => new HikvisionIsapiParser(limits),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "No parser for this camera format."),
    };
}
