namespace ParkCharge.Core.Observations;

/// <summary>How instants are kept: UTC, to the microsecond.</summary>
public static class Instants
{
    /// <summary>
    /// UTC with whole microseconds: PostgreSQL keeps microseconds, and an observation must read back
    /// from the log exactly as it was decided on, or a replay could decide differently.
    /// </summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % TimeSpan.TicksPerMicrosecond), TimeSpan.Zero);
    }
}
