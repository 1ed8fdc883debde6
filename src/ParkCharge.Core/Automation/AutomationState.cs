namespace ParkCharge.Core.Automation;

/// <summary>Why a charging session is planned to stop.</summary>
public enum StopCause
{
    /// <summary>The bound vehicle's permit ends (<see cref="PermitEndRule"/>).</summary>
    PermitEnd,

    /// <summary>The session reaches the site's maximum charging time (<see cref="MaxChargingTimeRule"/>).</summary>
    MaxChargingTime,
}

/// <summary>
/// A charging session that an automation rule will stop: the notice is sent the rule's notice
/// before <see cref="EndsAt"/>, the stop at it. When several rules apply, the earliest end wins.
/// <see cref="Plate"/> and <see cref="ParkingSessionId"/> are the bound vehicle's, when it is bound.
/// </summary>
public sealed record StopPlan(
    string ChargingSessionId,
    string? ParkingSessionId,
    string? Plate,
    DateTimeOffset EndsAt,
    bool Noticed = false,
    string? StopCommandId = null,
    bool Closed = false,
    StopCause Cause = StopCause.PermitEnd);

/// <summary>The share of the site power limit last given to a charging session, and the command that carried it.</summary>
public sealed record PowerShare(decimal LimitW, string CommandId);

/// <summary>What the automation rules remember between decisions: stop plans and power shares.</summary>
public sealed class AutomationState
{
    private readonly Dictionary<string, StopPlan> _stopPlans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Id, PowerShare Share)> _shares = new(StringComparer.Ordinal);

    public IEnumerable<StopPlan> StopPlans => _stopPlans.Values;

    public IEnumerable<(string ChargingSessionId, PowerShare Share)> PowerShares => _shares.Values;

    public StopPlan? FindStopPlan(string chargingSessionId) => _stopPlans.GetValueOrDefault(chargingSessionId);

    public PowerShare? FindPowerShare(string chargingSessionId) => _shares.TryGetValue(chargingSessionId, out var s) ? s.Share : null;

    internal void Take(Engine.SiteChanges changes)
    {
        foreach (var plan in changes.StopPlans)
        {
            if (plan.Closed)
            {
                _stopPlans.Remove(plan.ChargingSessionId);
            }
            else
            {
                _stopPlans[plan.ChargingSessionId] = plan;
            }
        }

        foreach (var (id, share) in changes.PowerShares)
        {
            if (share is null)
            {
                _shares.Remove(id);
            }
            else
            {
                _shares[id] = (id, share);
            }
        }
    }
}
