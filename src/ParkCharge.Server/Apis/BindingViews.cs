using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Apis;

// Bindings as the API shows them. The store returns its own records (ParkCharge.Storage); these are the API's answers, mapped from them.

/// <summary>The binding of a charging session to a vehicle, with its evidence.</summary>
public sealed record BindingView
{
    public required string ChargingSessionId { get; init; }

    public required string SiteId { get; init; }

    public required string ChargerId { get; init; }

    public int? EvseId { get; init; }

    public required int ConnectorId { get; init; }

    public required string TransactionId { get; init; }

    /// <summary>The EV bay the connector serves.</summary>
    public string? Bay { get; init; }

    /// <summary>When the car was plugged in (the charger's clock): what bay reads are compared with.</summary>
    public required DateTimeOffset PlugInAt { get; init; }

    /// <summary>Waiting, Bound, Provisional or Review.</summary>
    public required string Status { get; init; }

    public DateTimeOffset? WaitUntil { get; init; }

    public string? Plate { get; init; }

    public string? ParkingSessionId { get; init; }

    public string? BayVisitId { get; init; }

    /// <summary>BayCamera, KnownIdToken, Fuzzy or Operator.</summary>
    public string? Method { get; init; }

    public required double Confidence { get; init; }

    /// <summary>Bay read time minus plug-in time, in seconds (negative: read before the plug-in).</summary>
    public double? OffsetSeconds { get; init; }

    /// <summary>The sightings (and operator actions) the binding rests on.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    public IReadOnlyList<BindingCandidateView> Candidates { get; init; } = [];

    public required int Changes { get; init; }

    /// <summary>
    /// Bound before the evidence is complete (the binding window still open, the car not read at the bay after the
    /// plug-in): it is confirmed or changed at the latest when the window ends. Every binding can still change later.
    /// </summary>
    public bool Tentative { get; init; }

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>The API's view of what the store read.</summary>
    internal static BindingView From(BindingRecord r) => new()
    {
        ChargingSessionId = r.ChargingSessionId,
        SiteId = r.SiteId,
        ChargerId = r.ChargerId,
        EvseId = r.EvseId,
        ConnectorId = r.ConnectorId,
        TransactionId = r.TransactionId,
        Bay = r.Bay,
        PlugInAt = r.PlugInAt,
        Status = r.Status,
        WaitUntil = r.WaitUntil,
        Plate = r.Plate,
        ParkingSessionId = r.ParkingSessionId,
        BayVisitId = r.BayVisitId,
        Method = r.Method,
        Confidence = r.Confidence,
        OffsetSeconds = r.OffsetSeconds,
        Evidence = r.Evidence,
        Candidates = [.. r.Candidates.Select(BindingCandidateView.From)],
        Changes = r.Changes,
        Tentative = r.Tentative,
        DecidedAt = r.DecidedAt,
    };
}

/// <summary>A vehicle a charging session could belong to (review candidates).</summary>
public sealed record BindingCandidateView(string Plate, string? ParkingSessionId, string? BayVisitId, string? Bay, double Score, double? OffsetSeconds, IReadOnlyList<string> Evidence, string Reason)
{
    /// <summary>The API's view of what the store read.</summary>
    internal static BindingCandidateView From(BindingCandidateRecord r) => new(
        r.Plate,
        r.ParkingSessionId,
        r.BayVisitId,
        r.Bay,
        r.Score,
        r.OffsetSeconds,
        r.Evidence,
        r.Reason);
}
