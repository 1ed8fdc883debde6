using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;

namespace ParkCharge.Storage.Log;

/// <summary>One observation as it goes into the log: its sequence number and the engine's decision on it.</summary>
public sealed record LoggedObservation(long Seq, Observation Observation, Decision Decision, long FirstEventSeq);

/// <summary>What one site appends in one transaction: observations in sequence order, with their projections.</summary>
public sealed record SiteAppend(SiteId Site, IReadOnlyList<LoggedObservation> Entries);

/// <summary>
/// Another writer appended to the site's log first (the same sequence number or idempotency key is
/// taken). The site's state must be reloaded from the log before deciding again (DESIGN.md §6).
/// </summary>
public sealed class LogConflictException(SiteId site, Exception inner)
    : Exception($"Another writer appended to the log of site '{site}' first.", inner)
{
    public SiteId Site { get; } = site;
}
