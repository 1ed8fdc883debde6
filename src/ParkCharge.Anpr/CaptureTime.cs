using System.Globalization;

namespace ParkCharge.Anpr;

/// <summary>How the formats write capture times.</summary>
internal static class CaptureTime
{
    private static readonly string[] Iso8601 = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    private static readonly string[] Iso8601OrSpace = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK"];

    /// <summary>
    /// ISO 8601 extended format with an explicit offset (<c>2026-03-02T08:15:00+01:00</c>, <c>…Z</c>,
    /// fractions up to 100 ns). A time without an offset is refused: it names no instant.
    /// </summary>
    public static bool TryParseWithOffset(string text, out DateTimeOffset value)
    {
        value = default;
        return HasOffset(text)
            && DateTimeOffset.TryParseExact(text, Iso8601, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    /// <summary>
    /// ISO 8601 with <c>T</c> or a space between date and time, offset optional; a time without an
    /// offset is taken as UTC. Plate Recognizer writes both forms (<c>2021-09-29T05:56:13.606935Z</c> in
    /// Stream webhooks, <c>2025-09-09 23:22:38.030345</c> in Snapshot webhooks), and its Snapshot API
    /// reference says the timestamp "has to be in UTC" (guides.platerecognizer.com/docs/snapshot/api-reference).
    /// </summary>
    public static bool TryParseAssumingUtc(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Iso8601OrSpace, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);

    /// <summary>
    /// A clock reading in an IANA time zone. A reading the zone skips (the hour lost when clocks go forward) or
    /// repeats (the hour when they go back) takes the zone's standard offset; null for an unknown zone.
    /// </summary>
    public static DateTimeOffset? InZone(DateTime local, string ianaZone)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(ianaZone, out var zone))
        {
            return null;
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        var offset = zone.IsInvalidTime(unspecified) || zone.IsAmbiguousTime(unspecified) ? zone.BaseUtcOffset : zone.GetUtcOffset(unspecified);
        return InRange(unspecified, offset);
    }

    /// <summary>The instant of a clock reading at an offset; null when it falls outside what <see cref="DateTimeOffset"/> holds.</summary>
    public static DateTimeOffset? InRange(DateTime local, TimeSpan offset)
    {
        var utcTicks = local.Ticks - offset.Ticks;
        return utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks || offset.Ticks % TimeSpan.TicksPerMinute != 0 || Math.Abs(offset.TotalHours) > 14
            ? null
            : new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset);
    }

    /// <summary>
    /// A local time written <c>yyyy-MM-dd HH:mm:ss</c> (optionally with fractions, or a <c>T</c> for the space) and
    /// no offset, as Dahua and Milesight cameras write it.
    /// </summary>
    public static bool TryParseLocal(string text, out DateTime value) =>
        DateTime.TryParseExact(text, LocalFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private static readonly string[] LocalFormats = ["yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF"];

    internal static bool HasOffset(string text)
    {
        if (text.EndsWith('Z') || text.EndsWith('z'))
        {
            return true;
        }

        // ±hh:mm at the end; a '-' further left belongs to the date.
        return text.Length > 6
            && text[^6] is '+' or '-'
            && char.IsAsciiDigit(text[^5]) && char.IsAsciiDigit(text[^4]) && text[^3] == ':'
            && char.IsAsciiDigit(text[^2]) && char.IsAsciiDigit(text[^1]);
    }
}
