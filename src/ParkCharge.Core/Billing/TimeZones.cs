using System.Collections.Concurrent;

namespace ParkCharge.Core.Billing;

/// <summary>
/// The site's IANA time zone, from the system's time-zone data. Bills depend on it: a machine with
/// older tzdata could place a daylight-saving change differently, so replay on the same data.
/// An unknown zone (validated away when the site is configured) falls back to UTC.
/// </summary>
public static class TimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    public static TimeZoneInfo Find(string id) =>
        Zones.GetOrAdd(id, static z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out var zone) ? zone : TimeZoneInfo.Utc);
}
