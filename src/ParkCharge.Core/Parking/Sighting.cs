using System.Collections.Immutable;

namespace ParkCharge.Core.Parking;

/// <summary>One read of a sighting: what the camera said at one moment.</summary>
public sealed record SightingRead(DateTimeOffset At, string Raw, string Plate, double? Confidence, string ObservationKey);

/// <summary>Where a sighting was made.</summary>
public enum SightingPlace
{
    Lane,
    Bay,
}

/// <summary>
/// Repeated reads of one vehicle by one camera within the site's sighting gap, collapsed into one
/// (DESIGN.md §2): the best read stands for the sighting, every read is kept with its confidence
/// and time.
/// </summary>
public sealed record Sighting
{
    private readonly ImmutableArray<SightingRead> _reads = [];
    private readonly SightingRead _best = null!;
    private readonly DateTimeOffset _firstSeenAt;
    private readonly DateTimeOffset _lastSeenAt;

    public required string Id { get; init; }

    public required string Camera { get; init; }

    public required SightingPlace Place { get; init; }

    /// <summary>The lane, for a lane camera.</summary>
    public string? Lane { get; init; }

    /// <summary>The bay, for a bay camera (null when the camera covers two bays and the read did not say which).</summary>
    public string? Bay { get; init; }

    public TravelDirection? Direction { get; init; }

    public string? Region { get; init; }

    /// <summary>The camera's id of the vehicle this sighting follows (<see cref="PlateRead.Track"/>), when it tracks vehicles.</summary>
    public string? Track { get; init; }

    public ImmutableArray<SightingRead> Reads
    {
        get => _reads;
        init
        {
            _reads = value;
            (_firstSeenAt, _lastSeenAt) = Span(value, _best);
        }
    }

    /// <summary>The read with the highest confidence (the first of equals); the sighting's plate.</summary>
    public required SightingRead Best
    {
        get => _best;
        init
        {
            _best = value;
            (_firstSeenAt, _lastSeenAt) = Span(_reads, value);
        }
    }

    // Kept rather than computed on each call: every read looks through its camera's recent sightings with these
    // (ParkingRules.FindSighting), and a busy gate camera has thousands. Set with the reads, so a copy made with `with`
    // and new reads has its own.
    public DateTimeOffset FirstSeenAt => _firstSeenAt;

    public DateTimeOffset LastSeenAt => _lastSeenAt;

    public int Count => Reads.Length;

    /// <summary>The sighting has a read confident enough to act on (open, close, start a visit).</summary>
    public bool Acted { get; init; }

    /// <summary>What the sighting did: the parking session it opened or closed, or the bay visit it started.</summary>
    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    public string Plate => Best.Plate;

    /// <summary>The earliest and the latest of the reads' times (the best read's time when there are none).</summary>
    private static (DateTimeOffset First, DateTimeOffset Last) Span(ImmutableArray<SightingRead> reads, SightingRead? best)
    {
        if (reads.IsDefaultOrEmpty)
        {
            return best is null ? default : (best.At, best.At);
        }

        DateTimeOffset first = reads[0].At, last = reads[0].At;
        foreach (var read in reads)
        {
            first = read.At < first ? read.At : first;
            last = read.At > last ? read.At : last;
        }

        return (first, last);
    }
}
