using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Sites;

/// <summary>
/// A site's engine has more waiting than it may hold (the store fell behind), and the wait for room ran
/// out: the observation was not accepted, nothing of it is in the log. Its source is told to send it
/// again later (HTTP 503 with <c>Retry-After</c>, OCPP CALLERROR), which is safe: observations are idempotent.
/// </summary>
public sealed class SiteBusyException(SiteId site, int waiting)
    : Exception($"Site '{site}' has {waiting} observations waiting for the store; nothing more is taken for now.")
{
    /// <summary>When a source should try again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    public SiteId Site { get; } = site;
}
