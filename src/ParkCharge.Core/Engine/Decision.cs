using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// The site engine's verdict on one observation: the reply for its source, the events to publish and
/// the new versions of the entities it changed (which the state and the projections take over).
/// </summary>
public sealed record Decision
{
    public required Reply Reply { get; init; }

    /// <summary>
    /// The observation's key was seen before: <see cref="Reply"/> is the first answer, nothing else
    /// changes and nothing is appended.
    /// </summary>
    public bool IsRepeat { get; init; }

    public IReadOnlyList<DomainEvent> Events { get; init; } = [];

    public SiteChanges Changes { get; init; } = SiteChanges.None;

    public static Decision Repeat(Reply reply) => new() { Reply = reply, IsRepeat = true };
}

/// <summary>New versions of entities, and new timeline entries, produced by one decision.</summary>
public sealed record SiteChanges
{
    public static readonly SiteChanges None = new();

    public IReadOnlyList<ChargerState> Chargers { get; init; } = [];

    public IReadOnlyList<ChargingSession> Sessions { get; init; } = [];

    public IReadOnlyList<ConnectorStatusEntry> StatusEntries { get; init; } = [];

    /// <summary>Samples added to sessions by this decision (the sessions carry all of them).</summary>
    public IReadOnlyList<SessionSample> NewSamples { get; init; } = [];

    /// <summary>The highest 1.6 transaction id issued so far, when this decision issued one.</summary>
    public int? LastTransactionId { get; init; }

    /// <summary>The site's new configuration, when this decision set one.</summary>
    public SiteConfiguration? Configuration { get; init; }

    public IReadOnlyList<Sighting> Sightings { get; init; } = [];

    public IReadOnlyList<ParkingSession> ParkingSessions { get; init; } = [];

    public IReadOnlyList<BayVisit> BayVisits { get; init; } = [];

    /// <summary>Vehicles a charger's bay sensor sensed, new or changed.</summary>
    public IReadOnlyList<BayPresence> BayPresences { get; init; } = [];

    /// <summary>Cameras whose recent leads (capture time minus arrival time) this decision updated.</summary>
    public IReadOnlyList<(string Camera, System.Collections.Immutable.ImmutableArray<TimeSpan> Leads)> CameraLeads { get; init; } = [];

    /// <summary>New anomalies, and anomalies whose resolution changed.</summary>
    public IReadOnlyList<ParkingAnomaly> ParkingAnomalies { get; init; } = [];

    public IReadOnlyList<AuditEntry> Audit { get; init; } = [];

    public IReadOnlyList<ChargingBinding> Bindings { get; init; } = [];

    /// <summary>Id tokens linked to plates by this decision (token, plate, the charging session whose binding taught it); a null plate takes back what that binding taught.</summary>
    public IReadOnlyList<(string Token, string? Plate, string Source)> TokenPlates { get; init; } = [];

    public IReadOnlyList<Billing.SettledBill> Bills { get; init; } = [];

    public IReadOnlyList<Billing.Payment> Payments { get; init; } = [];

    /// <summary>New commands, and commands whose status changed.</summary>
    public IReadOnlyList<Commands.ChargerCommand> Commands { get; init; } = [];

    /// <summary>Stop-at-permit-end plans made, changed or closed.</summary>
    public IReadOnlyList<Automation.StopPlan> StopPlans { get; init; } = [];

    /// <summary>Chargers' local authorisation lists, as a decision changed them.</summary>
    public IReadOnlyList<Automation.ChargerLocalList> LocalLists { get; init; } = [];

    /// <summary>Power-limit shares given (or taken away: null) per charging session.</summary>
    public IReadOnlyList<(string ChargingSessionId, Automation.PowerShare? Share)> PowerShares { get; init; } = [];

    /// <summary>Cameras whose health (rates, clock, read quality, alarms) this decision changed.</summary>
    public IReadOnlyList<CameraHealth> CameraHealth { get; init; } = [];
}

/// <summary>A meter sample and the session it was attributed to.</summary>
public sealed record SessionSample(string SessionId, MeterSample Sample);
