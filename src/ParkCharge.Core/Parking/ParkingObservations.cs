using System.Text.Json.Serialization;

using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Parking;

/// <summary>The site's topology and rules were set (from the site file at start, or through the API).</summary>
public sealed record SiteConfigured(SiteConfiguration Configuration) : ObservationPayload(TypeName)
{
    public const string TypeName = "site.configured";
}

/// <summary>Which way a vehicle was travelling past a lane camera, when the camera can tell.</summary>
public enum TravelDirection
{
    /// <summary>Towards the car park (entering).</summary>
    In,

    /// <summary>Away from the car park (leaving).</summary>
    Out,
}

/// <summary>Another reading of the same plate the camera considered, with its confidence.</summary>
public sealed record PlateCandidate(string Plate, double? Confidence);

/// <summary>
/// One plate read by a camera, in any vendor format, normalised by the ANPR adapter. The event
/// time of the observation is the camera's capture time.
/// </summary>
public sealed record PlateRead() : ObservationPayload(TypeName)
{
    public const string TypeName = "anpr.plate_read";

    /// <summary>The camera's id as configured at the site.</summary>
    public required string Camera { get; init; }

    /// <summary>The plate text exactly as the camera sent it (it may be empty: unreadable).</summary>
    public required string Plate { get; init; }

    /// <summary>The camera's confidence in the text, 0..1; null when the camera gives none.</summary>
    public double? Confidence { get; init; }

    public TravelDirection? Direction { get; init; }

    /// <summary>Country or region of the plate as the camera reports it (e.g. "de", "us-ca").</summary>
    public string? Region { get; init; }

    /// <summary>The camera's own id for this read, when it has one.</summary>
    public string? ReadId { get; init; }

    public string? VehicleType { get; init; }

    /// <summary>The camera's zone (region of interest) the plate was seen in, for a camera covering two bays.</summary>
    public string? Zone { get; init; }

    /// <summary>Horizontal centre of the plate in the picture, 0 (left) to 1 (right), when the camera reports a box.</summary>
    public double? PlateX { get; init; }

    public IReadOnlyList<PlateCandidate> Candidates { get; init; } = [];

    /// <summary>The push carried an image of this read (stored only if the site enables it).</summary>
    public bool HasImage { get; init; }

    /// <summary>
    /// The camera's own id for the vehicle it followed across several pushes (AXIS License Plate Verifier's
    /// <c>carID</c>, an OpenALPR plate group): every read of a track belongs to one sighting, however its
    /// text changed and however long the vehicle stayed in view. Null when the camera does not track.
    /// </summary>
    public string? Track { get; init; }

    /// <summary>The camera says this is the last push of <see cref="Track"/> (the vehicle left its view).</summary>
    /// <remarks>Left out of the log when false, so reads of cameras that do not track are stored as before.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool TrackEnded { get; init; }

    /// <summary>The plate's colour as the camera reports it (Dahua, Milesight), e.g. "Yellow".</summary>
    public string? PlateColor { get; init; }
}

/// <summary>A bay camera reports its bay (or zone) empty: the vehicle there has left.</summary>
public sealed record BayVacancyReported(string Camera, string? Zone = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "anpr.bay_vacated";
}

/// <summary>
/// A bay camera reports its bay (or zone) taken without reading a plate (a parking-space detector such as
/// Hikvision's <c>PackingSpaceRecognition</c>): evidence that the vehicle seen there is still there. It opens
/// no visit, which needs a plate, and is kept in the log as occupancy evidence.
/// </summary>
public sealed record BayOccupancyReported(string Camera, string? Zone = null) : ObservationPayload(TypeName)
{
    public const string TypeName = "anpr.bay_occupied";
}

/// <summary>An operator corrected the plate of a parking session (audited: who and why).</summary>
public sealed record PlateCorrected(string ParkingSessionId, string Plate, string By, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "parking.plate_corrected";
}

/// <summary>
/// An operator closed a parking session: with a given exit time, or with an exit sighting (which
/// resolves a review item for an ambiguous exit read), or now.
/// </summary>
public sealed record ParkingSessionClosedByOperator(string ParkingSessionId, DateTimeOffset? ExitedAt, string? ExitSightingId, string By, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "parking.session_closed_by_operator";
}

/// <summary>An operator merged two parking sessions of one stay (e.g. an entry read under a wrong plate and an exit without entry).</summary>
public sealed record ParkingSessionsMerged(string KeepSessionId, string MergeSessionId, string By, string Reason) : ObservationPayload(TypeName)
{
    public const string TypeName = "parking.sessions_merged";
}
