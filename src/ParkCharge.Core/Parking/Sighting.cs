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

    public ImmutableArray<SightingRead> Reads { get; init; } = [];

    /// <summary>The read with the highest confidence (the first of equals); the sighting's plate.</summary>
    public required SightingRead Best { get; init; }

    // Loops rather than LINQ: every read looks through its camera's recent sightings with these.
    public DateTimeOffset FirstSeenAt
    {
        get
        {
            var first = Reads.IsEmpty ? Best.At : Reads[0].At;
            foreach (var read in Reads)
            {
                first = read.At < first ? read.At : first;
            }

            return first;
        }
    }

    public DateTimeOffset LastSeenAt
    {
        get
        {
            var last = Reads.IsEmpty ? Best.At : Reads[0].At;
            foreach (var read in Reads)
            {
                last = read.At > last ? read.At : last;
            }

            return last;
        }
    }

    public int Count => Reads.Length;

    /// <summary>The sighting has a read confident enough to act on (open, close, start a visit).</summary>
    public bool Acted { get; init; }

    /// <summary>What the sighting did: the parking session it opened or closed, or the bay visit it started.</summary>
    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    public string Plate => Best.Plate;
}
