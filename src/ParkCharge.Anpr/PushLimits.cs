namespace ParkCharge.Anpr;

/// <summary>
/// How big a push may be. A plate camera's push is a few kilobytes of text and one to three JPEGs of
/// some hundred kilobytes each (integrators report a Hikvision ANPR push as three parts of about
/// 170 kB), so the defaults leave ample room while refusing what could only exhaust memory.
/// </summary>
/// <param name="MaxBytes">The largest body accepted, in bytes.</param>
/// <param name="MaxParts">The most multipart parts accepted.</param>
public sealed record PushLimits(long MaxBytes, int MaxParts)
{
    public static PushLimits Default { get; } = new(10 * 1024 * 1024, 10);
}
