using System.Collections.Immutable;

namespace ParkCharge.Core.Parking;

public enum ParkingAnomalyKind
{
    /// <summary>An exit read matched no open session.</summary>
    ExitWithoutEntry,

    /// <summary>An entry read for a plate already inside.</summary>
    EntryWhileInside,

    /// <summary>An exit read is OCR-similar to several vehicles inside: an operator must choose (review).</summary>
    ExitAmbiguous,

    /// <summary>A session open longer than the site's maximum stay.</summary>
    OverMaxStay,

    /// <summary>A sighting whose best read stayed below the site's confidence threshold: evidence only.</summary>
    LowConfidence,

    /// <summary>A camera sent reads without readable text.</summary>
    UnreadablePlate,

    /// <summary>A read at a two-way lane without a direction of travel: neither entry nor exit.</summary>
    DirectionUnknown,

    /// <summary>A bay read from a camera covering two bays that did not say which bay.</summary>
    BayUnknown,

    /// <summary>A camera's clock was ahead of the server's by more than the site allows; the read got its arrival time.</summary>
    CameraClockAhead,

    /// <summary>A vehicle at a bay with no open parking session (its entry was not read).</summary>
    VisitWithoutSession,

    /// <summary>
    /// A read of another vehicle at a bay whose car is charging there (its cable is in): a car passing by, the
    /// neighbouring bay's car placed on the wrong side, or a misread. The charging car's visit goes on.
    /// </summary>
    ReadAtChargingBay,

    /// <summary>
    /// A stay's entry or exit was not read and was inferred from other evidence (with the plate exactly): to review. Resolved
    /// when a gate read replaces the inference.
    /// </summary>
    StayInferred,
}

/// <summary>
/// Something at the parking side an operator should see: listed through the API, with what it
/// concerns. <see cref="Candidates"/> are the sessions an ambiguous read could belong to (review queue).
/// </summary>
public sealed record ParkingAnomaly
{
    public required string Id { get; init; }

    public required ParkingAnomalyKind Kind { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Plate { get; init; }

    public string? Camera { get; init; }

    public string? SightingId { get; init; }

    public string? ParkingSessionId { get; init; }

    public ImmutableArray<string> Candidates { get; init; } = [];

    public required string Detail { get; init; }

    /// <summary>Resolved by an operator (a review item assigned, sessions merged) or by later events (a confident read, the session closing).</summary>
    public bool Resolved { get; init; }

    public string? Resolution { get; init; }
}
