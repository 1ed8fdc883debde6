namespace ParkCharge.Storage.Queries;

/// <summary>A parking session as the store reads it.</summary>
public sealed record ParkingSessionRecord
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

    /// <summary>ExitRead, ReEntered, Operator or Merged.</summary>
    public string? ClosedBy { get; init; }

    public string? EntryLane { get; init; }

    public string? ExitLane { get; init; }

    public IReadOnlyList<string> Anomalies { get; init; } = [];

    public IReadOnlyList<string> MergedSessionIds { get; init; } = [];

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Only in the single-session view.</summary>
    public IReadOnlyList<SightingRecord>? Sightings { get; init; }

    /// <summary>Only in the single-session view.</summary>
    public IReadOnlyList<BayVisitRecord>? BayVisits { get; init; }

    /// <summary>Only in the single-session view: operator actions on the session, with who and why.</summary>
    public IReadOnlyList<AuditRecord>? Audit { get; init; }

    /// <summary>Only in the single-session view: the charging sessions bound to this stay, with their bindings.</summary>
    public IReadOnlyList<BindingRecord>? Charging { get; init; }
}

public sealed record SightingReadRecord(DateTimeOffset At, string Raw, string Plate, double? Confidence);

/// <summary>A camera's sighting: its best read and every read.</summary>
public sealed record SightingRecord
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

    public IReadOnlyList<SightingReadRecord> Reads { get; init; } = [];

    /// <summary>False while every read is below the confidence threshold (evidence only).</summary>
    public required bool Acted { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }
}

public sealed record BayVisitRecord(
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
    string Source = "BayCamera");

public sealed record AuditRecord(DateTimeOffset At, string By, string Action, string Target, string Reason, string Detail);

/// <summary>Something at the parking side for an operator: see docs/integrators.md for the kinds.</summary>
public sealed record ParkingAnomalyRecord
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
}

/// <summary>An EV bay, what it is doing (Free, VehicleNotCharging, Charging, ChargingFinished, Unknown) and who stands there now.</summary>
public sealed record BayRecord(string Id, string ChargerId, int Connector, string State, string? ConnectorStatus, BayOccupantRecord? Occupant);

public sealed record BayOccupantRecord(
    string Plate,
    string VisitId,
    string? ParkingSessionId,
    DateTimeOffset Since,
    DateTimeOffset LastSeenAt,
    IReadOnlyList<string> ChargingSessionIds,
    DateTimeOffset? IceDetectedAt,
    DateTimeOffset? ChargingFinishedAt,
    DateTimeOffset? IdleSince,
    string Source = "BayCamera");

/// <summary>How full a site is.</summary>
public sealed record OccupancyRecord(string SiteId, int Capacity, int VehiclesInside, int EvBays, int EvBaysOccupied, int OrdinaryBays);

/// <summary>A site as stored: its name and its configuration (camera keys only as hashes).</summary>
public sealed record SiteRecord(string Id, string Name, string TimeZone, string Currency, DateTimeOffset UpdatedAt, string ConfigurationJson);
