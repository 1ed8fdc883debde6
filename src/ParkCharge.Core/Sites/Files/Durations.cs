using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// Durations as people write them in site files: <c>90s</c>, <c>2m</c>, <c>1h30m</c>, <c>3d</c>,
/// <c>500ms</c>, ISO 8601 (<c>PT2M</c>, <c>P3D</c>, <c>P1DT12H</c>) or a plain number of seconds.
/// ISO years and months are refused: they have no fixed length, and a setting that changes with
/// the calendar would surprise whoever reads a bill.
/// </summary>
public static partial class Durations
{
    /// <summary>How the accepted notations are described in error messages.</summary>
    public const string Notations = "90s, 2m, 1h30m, 3d, PT2M or a number of seconds";

    private const decimal TicksPerSecond = TimeSpan.TicksPerSecond;

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (Seconds().Match(trimmed) is { Success: true } seconds)
        {
            return TryCreate(Number(seconds.Groups["n"].Value), negative: seconds.Groups["sign"].Value == "-", out duration);
        }

        var match = Compact().Match(trimmed);
        if (!match.Success)
        {
            match = Iso8601().Match(trimmed);
            // "P" and "PT" alone match the pattern but say nothing.
            if (!match.Success || !(match.Groups["w"].Success || match.Groups["d"].Success || match.Groups["h"].Success || match.Groups["m"].Success || match.Groups["s"].Success))
            {
                return false;
            }
        }
        else if (!(match.Groups["d"].Success || match.Groups["h"].Success || match.Groups["m"].Success || match.Groups["s"].Success || match.Groups["ms"].Success))
        {
            return false;
        }

        var total = (Part(match, "w") * 7m * 86400m) + (Part(match, "d") * 86400m) + (Part(match, "h") * 3600m)
            + (Part(match, "m") * 60m) + Part(match, "s") + (Part(match, "ms") / 1000m);
        return TryCreate(total, negative: match.Groups["sign"].Value == "-", out duration);
    }

    /// <summary>The shortest compact form: <c>3d</c>, <c>1h30m</c>, <c>90ms</c> reads back as <c>0.09s</c>, zero as <c>0s</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        var text = new StringBuilder();
        if (duration < TimeSpan.Zero)
        {
            text.Append('-');
            duration = duration == TimeSpan.MinValue ? TimeSpan.MaxValue : duration.Negate();
        }

        Append(text, duration.Days, "d");
        Append(text, duration.Hours, "h");
        Append(text, duration.Minutes, "m");
        var seconds = (duration.Ticks % TimeSpan.TicksPerMinute) / TicksPerSecond;
        if (seconds != 0)
        {
            text.Append(seconds.ToString("0.#######", CultureInfo.InvariantCulture)).Append('s');
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, int value, string unit)
    {
        if (value != 0)
        {
            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append(unit);
        }
    }

    private static decimal Part(Match match, string unit) =>
        match.Groups[unit] is { Success: true } group ? Number(group.Value) : 0m;

    private static decimal Number(string text) =>
        decimal.Parse(text.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    private static bool TryCreate(decimal seconds, bool negative, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var ticks = decimal.Round(seconds * TicksPerSecond);
        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks(negative ? -(long)ticks : (long)ticks);
        return true;
    }

    // Numbers are kept to 15 digits so the sums above cannot overflow a decimal.
    [GeneratedRegex(@"^(?<sign>[-+])?(?<n>\d{1,15}(\.\d{1,7})?)$", RegexOptions.CultureInvariant)]
    private static partial Regex Seconds();

    [GeneratedRegex(@"^(?<sign>[-+])?(?:(?<d>\d{1,15}(?:\.\d{1,7})?)d\s*)?(?:(?<h>\d{1,15}(?:\.\d{1,7})?)h\s*)?(?:(?<m>\d{1,15}(?:\.\d{1,7})?)m\s*)?(?:(?<s>\d{1,15}(?:\.\d{1,7})?)s\s*)?(?:(?<ms>\d{1,15})ms)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Compact();

    [GeneratedRegex(@"^(?<sign>[-+])?P(?:(?<w>\d{1,15})W)?(?:(?<d>\d{1,15}(?:[.,]\d{1,7})?)D)?(?:T(?=\d)(?:(?<h>\d{1,15}(?:[.,]\d{1,7})?)H)?(?:(?<m>\d{1,15}(?:[.,]\d{1,7})?)M)?(?:(?<s>\d{1,15}(?:[.,]\d{1,7})?)S)?)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Iso8601();
}
