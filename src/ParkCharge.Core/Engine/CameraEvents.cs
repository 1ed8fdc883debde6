using System.ComponentModel;

using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Engine;

/// <summary>
/// A camera sends nothing while it should: no push for the site's <c>silentAfter</c> of opening hours, or none while
/// the site's other gates read vehicles and chargers start (<paramref name="TrafficElsewhere"/> since its last push).
/// </summary>
[Description("A camera sends nothing while it should: no push for the site's silentAfter of opening hours, or none while the other gates read vehicles and charges start (for a bay camera: charges start at its bays). Ended by camera.recovered (condition Silent) at its next push.")]
public sealed record CameraSilent(
    string Camera,
    string? Lane,
    IReadOnlyList<string> Bays,
    DateTimeOffset? LastReadAt,
    TimeSpan SilentFor,
    int TrafficElsewhere,
    string Reason) : DomainEvent(TypeName)
{
    public const string TypeName = "camera.silent";
}

/// <summary>A camera's clock is off by more than the site allows: the median of its recent clock samples (capture time against arrival).</summary>
[Description("A camera's clock is off by more than the site's maxClockOffset (offset: positive ahead, negative behind; the median of its recent pushes' capture time against arrival, one sample per 5 minutes of arrivals, the freshest push of each, so a buffer emptied late in a burst does not count). Ended by camera.recovered (condition ClockSkewed).")]
public sealed record CameraClockSkewed(string Camera, TimeSpan Offset, TimeSpan Limit, int Samples) : DomainEvent(TypeName)
{
    public const string TypeName = "camera.clock_skewed";
}

/// <summary>A camera's recent plate reads are poor: too many below the minimum confidence or unreadable.</summary>
[Description("A camera's recent plate reads are poor: at least the site's degradedShare of its last qualityWindow reads were below the minimum confidence or unreadable (a dirty lens, glare, a camera moved). Ended by camera.recovered (condition Degraded) once the share is back under half of it.")]
public sealed record CameraDegraded(string Camera, double LowConfidenceShare, double UnreadableShare, int Reads, double Threshold) : DomainEvent(TypeName)
{
    public const string TypeName = "camera.degraded";
}

/// <summary>A camera alarm ended: the condition of the <c>camera.silent</c>, <c>camera.clock_skewed</c> or <c>camera.degraded</c> raised at <paramref name="Since"/>.</summary>
[Description("A camera alarm ended: condition Silent (it pushed again), ClockSkewed (its clock is back within half the limit) or Degraded (its poor reads are back under half the threshold); since is when the alarm was raised, to close it.")]
public sealed record CameraRecovered(string Camera, CameraCondition Condition, DateTimeOffset Since, string Detail) : DomainEvent(TypeName)
{
    public const string TypeName = "camera.recovered";
}
