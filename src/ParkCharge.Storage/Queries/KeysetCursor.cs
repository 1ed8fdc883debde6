using System.Globalization;
using System.Text;

namespace ParkCharge.Storage.Queries;

/// <summary>
/// The opaque paging cursor of lists sorted newest first by (time, id): the last row's sort key.
/// Keyset paging gives no gaps and no repeats while new rows arrive.
/// </summary>
internal static class KeysetCursor
{
    public static string Format(DateTimeOffset at, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}|{id}"));

    /// <exception cref="ArgumentException">The cursor is not one this API returned.</exception>
    public static bool TryParse(string? cursor, out (DateTimeOffset At, string Id) value)
    {
        value = default;
        if (string.IsNullOrEmpty(cursor))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar < 0)
            {
                throw new FormatException("No separator.");
            }

            value = (new DateTimeOffset(long.Parse(text.AsSpan(0, bar), CultureInfo.InvariantCulture), TimeSpan.Zero), text[(bar + 1)..]);
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            throw new ArgumentException("The cursor is not one this API returned.", nameof(cursor), e);
        }
    }
}
