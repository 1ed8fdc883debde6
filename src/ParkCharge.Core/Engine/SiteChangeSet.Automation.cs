using ParkCharge.Core.Automation;

namespace ParkCharge.Core.Engine;

/// <summary>The automation facet of a decision's working view: the stop plans and power shares a decision made, changed or closed.</summary>
internal sealed partial class SiteChangeSet
{
    private readonly Dictionary<string, StopPlan> _stopPlans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PowerShare?> _powerShares = new(StringComparer.Ordinal);
    private readonly Dictionary<Charging.ChargerId, ChargerLocalList> _localLists = [];

    public ChargerLocalList LocalList(Charging.ChargerId charger) =>
        _localLists.TryGetValue(charger, out var changed) ? changed : State.Automation.FindLocalList(charger) ?? ChargerLocalList.Empty(charger);

    public void Put(ChargerLocalList list) => _localLists[list.Charger] = list;

    public StopPlan? StopPlan(string chargingSessionId) =>
        _stopPlans.TryGetValue(chargingSessionId, out var changed) ? changed : State.Automation.FindStopPlan(chargingSessionId);

    public IEnumerable<StopPlan> StopPlans() =>
        Merge(State.Automation.StopPlans, _stopPlans.Values, p => p.ChargingSessionId, _stopPlans).Where(p => !p.Closed);

    public void Put(StopPlan plan) => _stopPlans[plan.ChargingSessionId] = plan;

    public PowerShare? PowerShare(string chargingSessionId) =>
        _powerShares.TryGetValue(chargingSessionId, out var changed) ? changed : State.Automation.FindPowerShare(chargingSessionId);

    public IEnumerable<string> PowerShareSessions() =>
        State.Automation.PowerShares.Select(s => s.ChargingSessionId).Union(_powerShares.Keys, StringComparer.Ordinal).Where(id => PowerShare(id) is not null);

    /// <summary>Records the share a session was last given (null: it no longer has one).</summary>
    public void Put(string chargingSessionId, PowerShare? share) => _powerShares[chargingSessionId] = share;
}
