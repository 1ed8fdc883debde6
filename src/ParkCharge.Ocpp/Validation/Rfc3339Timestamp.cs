namespace ParkCharge.Ocpp.Validation;

/// <summary>
/// A timestamp in the RFC 3339 §5.6 <c>date-time</c> form that JSON Schema's <c>format: date-time</c>
/// requires and OCPP uses for every time field: <c>2024-05-01T10:15:30.250Z</c> or with a
/// <c>±HH:MM</c> offset. One parser serves the validator and the JSON converter of the typed
/// messages, so "schema-valid" and "readable" never disagree.
/// </summary>
/// <remarks>
/// Accepted beyond the strict ABNF, as RFC 3339 §5.6 permits and the common JSON Schema
/// validators (ajv behind ocpp-rpc, JsonSchema.Net) do: lower-case <c>t</c>/<c>z</c> and a space
/// instead of <c>T</c>. Rejected: a missing offset (local time is meaningless on the wire),
/// <c>+0100</c>-style offsets, any field out of its calendar range. Fraction digits beyond the
/// 100 ns tick are read and dropped.
/// </remarks>
internal readonly record struct Rfc3339Timestamp(
    int Year, int Month, int Day, int Hour, int Minute, int Second, int FractionTicks, int OffsetMinutes)
{
    private const int MinLength = 20; // yyyy-MM-ddTHH:mm:ssZ

    public static bool TryParse(ReadOnlySpan<byte> text, out Rfc3339Timestamp timestamp)
    {
        timestamp = default;
        if (text.Length < MinLength
            || !TryDigits(text, 0, 4, out int year) || text[4] != '-'
            || !TryDigits(text, 5, 2, out int month) || text[7] != '-'
            || !TryDigits(text, 8, 2, out int day)
            || text[10] is not ((byte)'T' or (byte)'t' or (byte)' ')
            || !TryDigits(text, 11, 2, out int hour) || text[13] != ':'
            || !TryDigits(text, 14, 2, out int minute) || text[16] != ':'
            || !TryDigits(text, 17, 2, out int second))
        {
            return false;
        }

        int i = 19;
        int fractionTicks = 0;
        if (text[i] == '.')
        {
            i++;
            int start = i;
            int scale = (int)(TimeSpan.TicksPerSecond / 10);
            while (i < text.Length && IsDigit(text[i]))
            {
                fractionTicks += (text[i] - '0') * scale;
                scale /= 10;
                i++;
            }

            if (i == start)
            {
                return false;
            }
        }

        int offsetMinutes;
        if (i == text.Length - 1 && text[i] is (byte)'Z' or (byte)'z')
        {
            offsetMinutes = 0;
        }
        else if (i == text.Length - 6 && text[i] is (byte)'+' or (byte)'-'
            && TryDigits(text, i + 1, 2, out int offsetHour) && text[i + 3] == ':'
            && TryDigits(text, i + 4, 2, out int offsetMinute)
            && offsetHour <= 23 && offsetMinute <= 59)
        {
            offsetMinutes = (offsetHour * 60) + offsetMinute;
            if (text[i] == '-')
            {
                offsetMinutes = -offsetMinutes;
            }
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        // RFC 3339 §5.7: a leap second can only be the last second of a UTC day.
        if (second == 60)
        {
            int utcMinuteOfDay = (((hour * 60) + minute - offsetMinutes) % 1440 + 1440) % 1440;
            if (utcMinuteOfDay != (23 * 60) + 59)
            {
                return false;
            }
        }

        timestamp = new Rfc3339Timestamp(year, month, day, hour, minute, second, fractionTicks, offsetMinutes);
        return true;
    }

    /// <summary>
    /// The instant as a <see cref="DateTimeOffset"/>. False when it cannot be represented (year 0,
    /// or an instant outside years 1 to 9999 in UTC). A leap second becomes the last tick of the
    /// minute before it; offsets beyond .NET's ±14 h are normalised to UTC (same instant).
    /// </summary>
    public bool TryToDateTimeOffset(out DateTimeOffset value)
    {
        value = default;
        if (Year < 1)
        {
            return false;
        }

        int second = Second;
        long fraction = FractionTicks;
        if (second == 60)
        {
            second = 59;
            fraction = TimeSpan.TicksPerSecond - 1;
        }

        long localTicks = new DateTime(Year, Month, Day, Hour, Minute, second).Ticks + fraction;
        long offsetTicks = OffsetMinutes * TimeSpan.TicksPerMinute;
        long utcTicks = localTicks - offsetTicks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = Math.Abs(OffsetMinutes) <= 14 * 60
            && localTicks >= DateTime.MinValue.Ticks && localTicks <= DateTime.MaxValue.Ticks
            ? new DateTimeOffset(localTicks, TimeSpan.FromTicks(offsetTicks))
            : new DateTimeOffset(utcTicks, TimeSpan.Zero);
        return true;
    }

    /// <summary>
    /// Writes <c>yyyy-MM-ddTHH:mm:ss[.fffffff]Z</c> (or <c>±HH:mm</c>), fraction digits only as
    /// many as needed. Returns the number of bytes written; <paramref name="destination"/> needs 33.
    /// </summary>
    public static int Format(DateTimeOffset value, Span<byte> destination)
    {
        DateTime local = value.DateTime;
        int n = 0;
        WriteDigits(destination, ref n, local.Year, 4);
        destination[n++] = (byte)'-';
        WriteDigits(destination, ref n, local.Month, 2);
        destination[n++] = (byte)'-';
        WriteDigits(destination, ref n, local.Day, 2);
        destination[n++] = (byte)'T';
        WriteDigits(destination, ref n, local.Hour, 2);
        destination[n++] = (byte)':';
        WriteDigits(destination, ref n, local.Minute, 2);
        destination[n++] = (byte)':';
        WriteDigits(destination, ref n, local.Second, 2);

        int fraction = (int)(local.Ticks % TimeSpan.TicksPerSecond);
        if (fraction != 0)
        {
            destination[n++] = (byte)'.';
            int digits = 7;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }

            WriteDigits(destination, ref n, fraction, digits);
        }

        int offset = (int)value.Offset.TotalMinutes;
        if (offset == 0)
        {
            destination[n++] = (byte)'Z';
        }
        else
        {
            destination[n++] = offset < 0 ? (byte)'-' : (byte)'+';
            offset = Math.Abs(offset);
            WriteDigits(destination, ref n, offset / 60, 2);
            destination[n++] = (byte)':';
            WriteDigits(destination, ref n, offset % 60, 2);
        }

        return n;
    }

    private static void WriteDigits(Span<byte> destination, ref int position, int value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            destination[position + i] = (byte)('0' + (value % 10));
            value /= 10;
        }

        position += count;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            if (!IsDigit(text[i]))
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
        }

        return true;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    // Proleptic Gregorian, like RFC 3339 Appendix C; DateTime.DaysInMonth rejects year 0.
    private static int DaysInMonth(int year, int month) => month switch
    {
        2 => (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };
}
