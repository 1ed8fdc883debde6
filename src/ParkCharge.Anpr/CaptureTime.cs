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

    private static bool HasOffset(string text)
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
