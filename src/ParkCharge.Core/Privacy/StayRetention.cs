namespace ParkCharge.Core.Privacy;

/// <summary>What retention says about one closed stay now.</summary>
public enum StayRetentionVerdict
{
    /// <summary>Its period has not ended: keep the plate.</summary>
    Keep,

    /// <summary>Its period has ended and nothing holds it: pseudonymise.</summary>
    Pseudonymise,

    /// <summary>Its period has ended, but an unpaid bill or an open dispute holds it (a legal hold).</summary>
    Held,
}

/// <summary>A stay as retention sees it: when the car left, what is owed and what is still open about it.</summary>
public sealed record StayForRetention(string ParkingSessionId, bool IsOpen, DateTimeOffset LeftAt, decimal Owed, int OpenDisputes);

/// <summary>The retention rules for stays (docs/privacy.md), pure: time comes in.</summary>
public static class StayRetention
{
    /// <summary>The verdict on a stay, with the reason when it is kept or held.</summary>
    public static (StayRetentionVerdict Verdict, string? Reason) Judge(StayForRetention stay, SiteRetention retention, DateTimeOffset now, bool erasureRequested = false)
    {
        if (stay.IsOpen)
        {
            return (StayRetentionVerdict.Held, "the vehicle is inside: its stay is not settled");
        }

        var age = now - stay.LeftAt;
        if (!erasureRequested && age < retention.SettledStays)
        {
            return (StayRetentionVerdict.Keep, null);
        }

        var beyondHolds = !erasureRequested && age >= retention.UnpaidStays;
        if (stay.Owed > 0 && !beyondHolds)
        {
            return (StayRetentionVerdict.Held, $"unpaid bill: {stay.Owed.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} owed");
        }

        if (stay.OpenDisputes > 0 && !beyondHolds)
        {
            return (StayRetentionVerdict.Held, $"open dispute: {stay.OpenDisputes} unresolved anomaly or binding review");
        }

        return (StayRetentionVerdict.Pseudonymise, null);
    }
}
