namespace ParkCharge.Core.Automation;

/// <summary>The arithmetic of the site power limit: equal shares, a minimum per session, whole watts.</summary>
public static class PowerSharing
{
    /// <summary>
    /// Shares of <paramref name="limitW"/> for <paramref name="sessions"/> sessions in priority order
    /// (first started first). Everyone gets an equal share while that share is at least
    /// <paramref name="minimumW"/>; otherwise only as many sessions as the limit can give the minimum
    /// to are served (equally), and the rest get zero until a session ends. Shares are whole watts,
    /// rounded down, so their sum never exceeds the limit.
    /// </summary>
    public static IReadOnlyList<decimal> Share(decimal limitW, decimal minimumW, int sessions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sessions);
        if (sessions == 0)
        {
            return [];
        }

        var served = minimumW <= 0 ? sessions : (int)Math.Min(sessions, Math.Floor(Math.Max(limitW, 0) / minimumW));
        var each = served == 0 ? 0 : Math.Floor(Math.Max(limitW, 0) / served);
        var shares = new decimal[sessions];
        for (var i = 0; i < served; i++)
        {
            shares[i] = each;
        }

        return shares;
    }

    /// <summary>Amperes per phase for a power, rounded down to 0.1 A (OCPP 2.0.1 takes one decimal).</summary>
    public static decimal ToAmps(decimal watts, decimal voltage, int phases) =>
        voltage <= 0 || phases <= 0 ? 0 : Math.Floor(watts / (voltage * phases) * 10) / 10;
}
