namespace ParkCharge.Core.Sites;

/// <summary>
/// When a stay whose gate read was missed is opened or closed from other evidence (the site file's <c>inferredStays</c>
/// section; docs/billing.md, "Inferred stays"). Evidence is always the stay's exact plate: a bay read, or a charge bound
/// to the plate by a bay camera, a known id token, the charger's sensor or an operator, never by a fuzzy match.
/// </summary>
public sealed record InferredStaySettings
{
    /// <summary>Whether stays are inferred at all; off, every missed read stays an anomaly as before.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>How long before an exit without entry evidence of the vehicle's presence is looked for (the earliest is the inferred entry).</summary>
    public TimeSpan LookBack { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// A vehicle last seen while an exit camera was silent or degraded (or this long before it went so) may have left
    /// unseen: one that drove off from its bay then, and was not read leaving within this, gets an inferred exit when it
    /// left the bay.
    /// </summary>
    public TimeSpan LeftBayGrace { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A vehicle last seen while an exit camera was silent or degraded, not at a bay or charging since, gets an inferred
    /// exit at its last evidence of presence once this has passed (its stay would otherwise stay open for ever).
    /// </summary>
    public TimeSpan OpenLimit { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Whether a stay whose entry was inferred is billed from the inferred entry (true), or as an exit without entry
    /// (the parking tariff's unknown-entry charge; charging, idle and the rest as always).
    /// </summary>
    public bool BillInferredEntry { get; init; } = true;
}
