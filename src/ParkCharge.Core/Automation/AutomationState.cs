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

/// <summary>
/// The local authorisation list a charger holds, as far as ParkCharge knows: the version and entries it last accepted
/// (token, and the plate it stands for), whether the next update must be full (never sent, or the charger's version
/// differed), and whether to leave the charger alone until it reconnects (it does not support lists, or a full update failed).
/// </summary>
public sealed record ChargerLocalList(
    Charging.ChargerId Charger,
    int Version,
    System.Collections.Immutable.ImmutableSortedDictionary<string, Commands.LocalListEntry> Entries,
    bool NeedsFull = true,
    bool Paused = false)
{
    public static ChargerLocalList Empty(Charging.ChargerId charger) =>
        new(charger, 0, System.Collections.Immutable.ImmutableSortedDictionary.Create<string, Commands.LocalListEntry>(StringComparer.Ordinal));
}

/// <summary>What the automation rules remember between decisions: stop plans, power shares and chargers' local lists.</summary>
public sealed class AutomationState
{
    private readonly Dictionary<Charging.ChargerId, ChargerLocalList> _localLists = [];
    private readonly Dictionary<string, StopPlan> _stopPlans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Id, PowerShare Share)> _shares = new(StringComparer.Ordinal);

    public IEnumerable<StopPlan> StopPlans => _stopPlans.Values;

    public IEnumerable<(string ChargingSessionId, PowerShare Share)> PowerShares => _shares.Values;

    public StopPlan? FindStopPlan(string chargingSessionId) => _stopPlans.GetValueOrDefault(chargingSessionId);

    public PowerShare? FindPowerShare(string chargingSessionId) => _shares.TryGetValue(chargingSessionId, out var s) ? s.Share : null;

    public ChargerLocalList? FindLocalList(Charging.ChargerId charger) => _localLists.GetValueOrDefault(charger);

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

        foreach (var list in changes.LocalLists)
        {
            _localLists[list.Charger] = list;
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
