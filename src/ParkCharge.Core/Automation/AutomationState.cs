namespace ParkCharge.Core.Automation;

/// <summary>
/// A charging session whose vehicle's permit ends while it charges: the notice is sent
/// <see cref="PermitEndRule.Notice"/> before <see cref="EndsAt"/>, the stop at it.
/// </summary>
public sealed record StopPlan(
    string ChargingSessionId,
    string ParkingSessionId,
    string Plate,
    DateTimeOffset EndsAt,
    bool Noticed = false,
    string? StopCommandId = null,
    bool Closed = false);

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
