using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

// Parking as the API shows it: stays, sightings, bay visits, anomalies, bays and occupancy. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>A parking session as the API shows it.</summary>
public sealed record ParkingSessionView
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    /// <summary>The normalised plate (upper-case letters and digits).</summary>
    public required string Plate { get; init; }

    /// <summary>The plate as read (or as an operator typed it).</summary>
    public required string PlateRaw { get; init; }

    public string? Region { get; init; }

    /// <summary>Open or Closed.</summary>
    public required string Status { get; init; }

    public DateTimeOffset? EnteredAt { get; init; }

    public DateTimeOffset? ExitedAt { get; init; }

    /// <summary>ExitRead, ReEntered, Operator, Merged or Inferred (closed provisionally from other evidence: docs/billing.md, "Inferred stays").</summary>
    public string? ClosedBy { get; init; }

    public string? EntryLane { get; init; }

    public string? ExitLane { get; init; }

    public IReadOnlyList<string> Anomalies { get; init; } = [];

    public IReadOnlyList<string> MergedSessionIds { get; init; } = [];

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Only in the single-session view.</summary>
    public IReadOnlyList<SightingView>? Sightings { get; init; }

    /// <summary>Only in the single-session view.</summary>
    public IReadOnlyList<BayVisitView>? BayVisits { get; init; }

    /// <summary>Only in the single-session view: operator actions on the session, with who and why.</summary>
    public IReadOnlyList<AuditView>? Audit { get; init; }

    /// <summary>Only in the single-session view: the charging sessions bound to this stay, with their bindings.</summary>
    public IReadOnlyList<BindingView>? Charging { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static ParkingSessionView From(ParkingSessionRecord r) => new()
    {
        Id = r.Id,
        SiteId = r.SiteId,
        Plate = r.Plate,
        PlateRaw = r.PlateRaw,
        Region = r.Region,
        Status = r.Status,
        EnteredAt = r.EnteredAt,
        ExitedAt = r.ExitedAt,
        ClosedBy = r.ClosedBy,
        EntryLane = r.EntryLane,
        ExitLane = r.ExitLane,
        Anomalies = r.Anomalies,
        MergedSessionIds = r.MergedSessionIds,
        UpdatedAt = r.UpdatedAt,
        Sightings = r.Sightings is null ? null : [.. r.Sightings.Select(SightingView.From)],
        BayVisits = r.BayVisits is null ? null : [.. r.BayVisits.Select(BayVisitView.From)],
        Audit = r.Audit is null ? null : [.. r.Audit.Select(AuditView.From)],
        Charging = r.Charging is null ? null : [.. r.Charging.Select(BindingView.From)],
    };
}

public sealed record SightingReadView(DateTimeOffset At, string Raw, string Plate, double? Confidence)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static SightingReadView From(SightingReadRecord r) => new(
        r.At,
        r.Raw,
        r.Plate,
        r.Confidence);
}

/// <summary>A camera's sighting: its best read and every read.</summary>
public sealed record SightingView
{
    public required string Id { get; init; }

    public required string Camera { get; init; }

    /// <summary>Lane or Bay.</summary>
    public required string Place { get; init; }

    public string? Lane { get; init; }

    public string? Bay { get; init; }

    public required string Plate { get; init; }

    public required string PlateRaw { get; init; }

    public double? BestConfidence { get; init; }

    public string? Direction { get; init; }

    public string? Region { get; init; }

    public required DateTimeOffset FirstSeenAt { get; init; }

    public required DateTimeOffset LastSeenAt { get; init; }

    public required int ReadCount { get; init; }

    public IReadOnlyList<SightingReadView> Reads { get; init; } = [];

    /// <summary>False while every read is below the confidence threshold (evidence only).</summary>
    public required bool Acted { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static SightingView From(SightingRecord r) => new()
    {
        Id = r.Id,
        Camera = r.Camera,
        Place = r.Place,
        Lane = r.Lane,
        Bay = r.Bay,
        Plate = r.Plate,
        PlateRaw = r.PlateRaw,
        BestConfidence = r.BestConfidence,
        Direction = r.Direction,
        Region = r.Region,
        FirstSeenAt = r.FirstSeenAt,
        LastSeenAt = r.LastSeenAt,
        ReadCount = r.ReadCount,
        Reads = [.. r.Reads.Select(SightingReadView.From)],
        Acted = r.Acted,
        ParkingSessionId = r.ParkingSessionId,
        BayVisitId = r.BayVisitId,
    };
}

public sealed record BayVisitView(
    string Id,
    string Bay,
    string Plate,
    string PlateRaw,
    string? ParkingSessionId,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    IReadOnlyList<string> ChargingSessionIds,
    DateTimeOffset? IceDetectedAt,
    DateTimeOffset? ChargingFinishedAt,
    DateTimeOffset? IdleSince,
    string Source)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static BayVisitView From(BayVisitRecord r) => new(
        r.Id,
        r.Bay,
        r.Plate,
        r.PlateRaw,
        r.ParkingSessionId,
        r.StartedAt,
        r.LastSeenAt,
        r.EndedAt,
        r.EndReason,
        r.ChargingSessionIds,
        r.IceDetectedAt,
        r.ChargingFinishedAt,
        r.IdleSince,
        r.Source);
}

public sealed record AuditView(DateTimeOffset At, string By, string Action, string Target, string Reason, string Detail)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static AuditView From(AuditRecord r) => new(
        r.At,
        r.By,
        r.Action,
        r.Target,
        r.Reason,
        r.Detail);
}

/// <summary>Something at the parking side for an operator: see docs/integrators.md for the kinds.</summary>
public sealed record ParkingAnomalyView
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    public required string Kind { get; init; }

    public required DateTimeOffset At { get; init; }

    public string? Plate { get; init; }

    public string? Camera { get; init; }

    public string? SightingId { get; init; }

    public string? ParkingSessionId { get; init; }

    /// <summary>For review items: the sessions the read could belong to.</summary>
    public IReadOnlyList<string> Candidates { get; init; } = [];

    public required string Detail { get; init; }

    public required bool Resolved { get; init; }

    public string? Resolution { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static ParkingAnomalyView From(ParkingAnomalyRecord r) => new()
    {
        Id = r.Id,
        SiteId = r.SiteId,
        Kind = r.Kind,
        At = r.At,
        Plate = r.Plate,
        Camera = r.Camera,
        SightingId = r.SightingId,
        ParkingSessionId = r.ParkingSessionId,
        Candidates = r.Candidates,
        Detail = r.Detail,
        Resolved = r.Resolved,
        Resolution = r.Resolution,
    };
}

/// <summary>An EV bay, what it is doing (Free, VehicleNotCharging, Charging, ChargingFinished, Unknown) and who stands there now.</summary>
public sealed record BayView(string Id, string ChargerId, int Connector, string State, string? ConnectorStatus, BayOccupantView? Occupant)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static BayView From(BayRecord r) => new(
        r.Id,
        r.ChargerId,
        r.Connector,
        r.State,
        r.ConnectorStatus,
        r.Occupant is null ? null : BayOccupantView.From(r.Occupant));
}

public sealed record BayOccupantView(
    string Plate,
    string VisitId,
    string? ParkingSessionId,
    DateTimeOffset Since,
    DateTimeOffset LastSeenAt,
    IReadOnlyList<string> ChargingSessionIds,
    DateTimeOffset? IceDetectedAt,
    DateTimeOffset? ChargingFinishedAt,
    DateTimeOffset? IdleSince)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static BayOccupantView From(BayOccupantRecord r) => new(
        r.Plate,
        r.VisitId,
        r.ParkingSessionId,
        r.Since,
        r.LastSeenAt,
        r.ChargingSessionIds,
        r.IceDetectedAt,
        r.ChargingFinishedAt,
        r.IdleSince);
}

/// <summary>How full a site is.</summary>
public sealed record OccupancyView(string SiteId, int Capacity, int VehiclesInside, int EvBays, int EvBaysOccupied, int OrdinaryBays)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static OccupancyView From(OccupancyRecord r) => new(
        r.SiteId,
        r.Capacity,
        r.VehiclesInside,
        r.EvBays,
        r.EvBaysOccupied,
        r.OrdinaryBays);
}
