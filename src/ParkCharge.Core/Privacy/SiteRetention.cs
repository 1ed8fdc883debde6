namespace ParkCharge.Core.Privacy;

/// <summary>
/// How long a site keeps each kind of personal data (docs/privacy.md says why each default is what it
/// is). Data-protection authorities have named days, not months, for ANPR in car parks: the plate of a
/// stay that is paid and undisputed is needed only to answer the driver's questions about the bill.
/// </summary>
public sealed record SiteRetention
{
    /// <summary>Plates and reads of a settled stay with nothing owed and nothing open are pseudonymised this long after the exit.</summary>
    public TimeSpan SettledStays { get; init; } = TimeSpan.FromDays(8);

    /// <summary>
    /// An unpaid stay (or one with an open dispute: an unresolved anomaly or binding review) keeps its plate
    /// until it is resolved, then follows <see cref="SettledStays"/>; this is the longest it is held after the exit.
    /// </summary>
    public TimeSpan UnpaidStays { get; init; } = TimeSpan.FromDays(365);

    /// <summary>Camera pictures (kept only with <c>storeImages</c>) are deleted this long after they arrived; the shortest period.</summary>
    public TimeSpan Pictures { get; init; } = TimeSpan.FromHours(72);

    /// <summary>The OCPP message log of the site's chargers (id tokens may be personal data).</summary>
    public TimeSpan MessageLog { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Webhook delivery attempts to this site's subscribers.</summary>
    public TimeSpan DeliveryLog { get; init; } = TimeSpan.FromDays(14);

    /// <summary>Operator actions on personal and billing data (who, what, why): the longest period.</summary>
    public TimeSpan AuditLog { get; init; } = TimeSpan.FromDays(3 * 365);

    /// <summary>
    /// The secret of the keyed hash that makes pseudonyms is replaced this often and the old one destroyed:
    /// the same plate gets the same pseudonym within one period (statistics still group) and an unrelated one
    /// after it.
    /// </summary>
    public TimeSpan PseudonymKey { get; init; } = TimeSpan.FromDays(30);
}
