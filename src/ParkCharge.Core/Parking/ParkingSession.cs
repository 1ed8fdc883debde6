using System.Collections.Immutable;

using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

public enum ParkingSessionStatus
{
    /// <summary>The vehicle is inside (as far as the gates know).</summary>
    Open,

    /// <summary>The vehicle left (or an operator closed the session).</summary>
    Closed,
}

/// <summary>How a parking session was closed.</summary>
public enum ParkingSessionClosure
{
    ExitRead,

    /// <summary>The same plate entered again: the exit was missed.</summary>
    ReEntered,

    Operator,

    /// <summary>Merged into another session by an operator.</summary>
    Merged,

    /// <summary>
    /// Closed provisionally from other evidence (<see cref="ParkingAnomalies.ExitInferred"/>): the vehicle left its bay, or
    /// stayed past the site's limit, while an exit camera was silent or degraded. A later exit read replaces it.
    /// </summary>
    Inferred,
}

/// <summary>What was odd about a parking session; kept, flagged and listed, never dropped.</summary>
[Flags]
public enum ParkingAnomalies
{
    None = 0,

    /// <summary>An exit read matched no open session: the entry was never read.</summary>
    ExitWithoutEntry = 1 << 0,

    /// <summary>The plate entered while a session for it was open: the exit of that one was missed.</summary>
    EntryWhileInside = 1 << 1,

    /// <summary>The exit read was matched to this session by OCR similarity, not by the exact plate.</summary>
    MatchedBySimilarity = 1 << 2,

    /// <summary>Open longer than the site's maximum stay.</summary>
    OverMaxStay = 1 << 3,

    /// <summary>The session was closed because the plate entered again (no exit read).</summary>
    ExitNotRead = 1 << 4,

    /// <summary>A camera clock gave an exit before the entry; the stay is taken as zero length there.</summary>
    ExitBeforeEntry = 1 << 5,

    /// <summary>An operator corrected the plate, closed or merged the session.</summary>
    Corrected = 1 << 6,

    /// <summary>The vehicle came back within the re-entry window: one session with a gap.</summary>
    ReEntry = 1 << 7,

    /// <summary>The entry was not read; <see cref="ParkingSession.EnteredAt"/> is inferred from the earliest evidence of presence (a bay read, a bound charge).</summary>
    EntryInferred = 1 << 8,

    /// <summary>The exit was not read; <see cref="ParkingSession.ExitedAt"/> is inferred from the last evidence of presence.</summary>
    ExitInferred = 1 << 9,
}

/// <summary>A stay at the car park, from an entry read to an exit read.</summary>
public sealed record ParkingSession
{
    public required string Id { get; init; }

    public required SiteId Site { get; init; }

    /// <summary>The normalised plate (the best read of the entry sighting, or an operator's correction).</summary>
    public required string Plate { get; init; }

    public required string PlateRaw { get; init; }

    public string? Region { get; init; }

    public ParkingSessionStatus Status { get; init; }

    /// <summary>Null when the entry was never read (<see cref="ParkingAnomalies.ExitWithoutEntry"/>).</summary>
    public DateTimeOffset? EnteredAt { get; init; }

    public DateTimeOffset? ExitedAt { get; init; }

    public ParkingSessionClosure? ClosedBy { get; init; }

    public string? EntrySightingId { get; init; }

    public string? ExitSightingId { get; init; }

    public string? EntryLane { get; init; }

    public string? ExitLane { get; init; }

    public ImmutableArray<string> BayVisitIds { get; init; } = [];

    public ParkingAnomalies Anomalies { get; init; }

    /// <summary>Sessions merged into this one by an operator.</summary>
    public ImmutableArray<string> MergedSessionIds { get; init; } = [];

    public required DateTimeOffset UpdatedAt { get; init; }

    public bool IsOpen => Status == ParkingSessionStatus.Open;
}
