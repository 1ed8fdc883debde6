namespace ParkCharge.Anpr;

/// <summary>Turns one HTTP push in a camera format into reports. Reads only the given stream; never reads a clock.</summary>
public interface IAnprParser
{
    /// <param name="contentType">The request's <c>Content-Type</c> header, as received.</param>
    /// <param name="body">The request body; read to its end (or to the size limit).</param>
    /// <param name="cameraId">
    /// The camera the push came to (per-camera URL) or was authenticated as; null when unknown. When given,
    /// it is the camera of every report: it is the id registered at the site, whereas a payload's own
    /// camera name is whatever the device or LPR software was configured with.
    /// </param>
    ValueTask<AnprParseResult> ParseAsync(string? contentType, Stream body, string? cameraId, CancellationToken cancellationToken);
}
