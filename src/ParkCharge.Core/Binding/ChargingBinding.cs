using System.Collections.Immutable;

using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Binding;

/// <summary>How a charging session was linked to a vehicle (DESIGN.md §2: binding is evidence).</summary>
public enum BindingMethod
{
    /// <summary>The bay camera read the plate at the bay the connector serves, in the window around the plug-in.</summary>
    BayCamera,

    /// <summary>The id token was linked to a plate before (an earlier bay-camera binding).</summary>
    KnownIdToken,

    /// <summary>The only vehicle inside that could be it (no bay read).</summary>
    Fuzzy,

    /// <summary>An operator decided (audited).</summary>
    Operator,

    /// <summary>
    /// No plate was read at the bay: the charger's own bay sensor sensed a vehicle arrive (EVDetected, BayOccupancySensor)
    /// and one vehicle came in through the gates just before, the only one that can have driven there then.
    /// </summary>
    ChargerSensor,
}

public enum BindingStatus
{
    /// <summary>No evidence yet: waiting up to the binding window for a late bay read.</summary>
    Waiting,

    /// <summary>Bound with a confidence at or above the site's auto-accept threshold.</summary>
    Bound,

    /// <summary>Bound by a fallback below the threshold: usable, but an operator should confirm it.</summary>
    Provisional,

    /// <summary>Not bound: the candidates are listed for an operator to choose from.</summary>
    Review,
}

/// <summary>A vehicle a charging session could belong to, with the score and the reason.</summary>
public sealed record BindingCandidate(
    string Plate,
    string? ParkingSessionId,
    string? BayVisitId,
    string? Bay,
    double Score,
    TimeSpan? Offset,
    ImmutableArray<string> Evidence,
    string Reason);

/// <summary>
/// The link of one charging session to a vehicle: Plate ↔ Parking session ↔ Charger ↔ Connector ↔
/// Transaction, with the method, the confidence, the time offset between the bay read and the
/// plug-in, and the evidence (sighting ids). Never overwritten silently: each change is an event
/// with the old and the new values.
/// </summary>
public sealed record ChargingBinding
{
    public required string ChargingSessionId { get; init; }

    public required ChargerId Charger { get; init; }

    public required ConnectorRef Connector { get; init; }

    public required string TransactionId { get; init; }

    /// <summary>The EV bay the connector serves (null when the site maps none).</summary>
    public string? Bay { get; init; }

    /// <summary>When the car was plugged in, by the charger's clock: the moment bay reads are compared with.</summary>
    public required DateTimeOffset PlugInAt { get; init; }

    public required BindingStatus Status { get; init; }

    /// <summary>While waiting (or bound tentatively): the end of the window, when the fallbacks are tried (or the binding confirmed).</summary>
    public DateTimeOffset? WaitUntil { get; init; }

    /// <summary>
    /// Bound on the evidence so far, before it is complete: the binding window is still open and the car
    /// was not read at the bay after the plug-in. It is confirmed (<c>binding.confirmed</c>) or changed
    /// (<c>binding.changed</c>) at the latest when the window ends.
    /// </summary>
    public bool Tentative { get; init; }

    /// <summary>
    /// When the evidence changes by itself: a car seen leaving a moment ago is ruled out once the charge has
    /// gone on without it for a while (camera and charger clocks differ; the stop of a car that just left may
    /// still be on its way). The binding is decided again then.
    /// </summary>
    public DateTimeOffset? RecheckAt { get; init; }

    public string? Plate { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    public BindingMethod? Method { get; init; }

    /// <summary>0..1: how sure the engine is.</summary>
    public double Confidence { get; init; }

    /// <summary>Bay read time minus plug-in time (negative: the car was read before it was plugged in).</summary>
    public TimeSpan? Offset { get; init; }

    /// <summary>Sighting ids (and, for operators, the audit target) that support the binding.</summary>
    public ImmutableArray<string> Evidence { get; init; } = [];

    /// <summary>For review: the vehicles it could be.</summary>
    public ImmutableArray<BindingCandidate> Candidates { get; init; } = [];

    /// <summary>How many times the binding changed after it was first made.</summary>
    public int Changes { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    public bool IsBound => Status is BindingStatus.Bound or BindingStatus.Provisional;
}
