using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Observations;

/// <summary>
/// Something that arrived from the outside world, normalised by an adapter (DESIGN.md §1): a charger's
/// message, a camera read, an operator command, a timer. Observations are the only input of the site
/// engine and the unit of the durable log.
/// </summary>
public sealed record Observation
{
    /// <summary>The site whose engine decides on this observation.</summary>
    public required SiteId Site { get; init; }

    /// <summary>Who said it, e.g. <c>ocpp:CP-001</c>, <c>api:key-1a2b</c>, <c>server</c>.</summary>
    public required string Source { get; init; }

    /// <summary>
    /// The idempotency key, unique within the site: a repeat of the same key returns the first
    /// outcome and changes nothing (DESIGN.md §2).
    /// </summary>
    public required string Key { get; init; }

    /// <summary>When it happened by the source's own clock. Decisions use this time. UTC, whole microseconds.</summary>
    public required DateTimeOffset EventTime { get; init => field = Instants.Normalize(value); }

    /// <summary>When the server received it. Kept beside event time; decides nothing but retention. UTC, whole microseconds.</summary>
    public required DateTimeOffset ReceivedAt { get; init => field = Instants.Normalize(value); }

    public required ObservationPayload Payload { get; init; }
}
