using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Apis;

/// <summary>
/// A camera of the site and how it is doing (<c>GET /api/v1/sites/{id}/cameras</c>): where it is, its last push, pushes in
/// the last hour against its usual rate at this hour, its clock offset, the share of poor reads, and its open alarms.
/// </summary>
public sealed record CameraHealthView(
    string Id,
    string Format,
    string? Lane,
    IReadOnlyList<string> Bays,
    string Status,
    DateTimeOffset? LastReadAt,
    DateTimeOffset? LastCaptureAt,
    int ReadsLastHour,
    double? UsualReadsPerHour,
    TimeSpan? ClockOffset,
    double LowConfidenceShare,
    double UnreadableShare,
    int RecentReads,
    DateTimeOffset? SilentSince,
    DateTimeOffset? ClockSkewedSince,
    DateTimeOffset? DegradedSince)
{
    /// <summary>The view of a configured camera at <paramref name="now"/>; a camera the engine has not seen yet shows no pushes.</summary>
    internal static CameraHealthView Of(CameraConfiguration camera, CameraHealth? health, DateTimeOffset now)
    {
        var status = health switch
        {
            { SilentSince: not null } => "Silent",
            { ClockSkewedSince: not null } or { DegradedSince: not null } => "Unwell",
            { LastReadAt: not null } => "Ok",
            _ => "NoReadsYet",
        };
        return new CameraHealthView(
            camera.Id,
            camera.Format.ToString().ToLowerInvariant(),
            camera.Lane,
            [.. camera.Bays.Select(b => b.Bay)],
            status,
            health?.LastReadAt,
            health?.LastCaptureAt,
            health?.ReadsLastHour(now) ?? 0,
            health?.UsualReadsPerHour(now) is { } usual ? Math.Round(usual, 1) : null,
            health?.ClockOffset,
            Math.Round(health?.LowConfidenceShare ?? 0, 3),
            Math.Round(health?.UnreadableShare ?? 0, 3),
            health?.RecentReads.Length ?? 0,
            health?.SilentSince,
            health?.ClockSkewedSince,
            health?.DegradedSince);
    }
}
