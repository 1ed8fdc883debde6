using System.Globalization;

using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Mapped;

/// <summary>A problem with a camera's field map: which field of the map, and what is wrong.</summary>
public sealed record FieldMapProblem(string Field, string Message);

/// <summary>
/// A camera's field map with its paths parsed, ready to read pushes. <see cref="Compile"/> lists every problem
/// of a map, so a site file check can name them all; a map with problems reads nothing.
/// </summary>
public sealed class MappedFields
{
    /// <summary>The usual words for directions, used when a map lists none of its own.</summary>
    public static readonly IReadOnlyList<DirectionValue> UsualDirections =
    [
        new("in", ReportedDirection.In), new("entry", ReportedDirection.In), new("enter", ReportedDirection.In), new("entering", ReportedDirection.In),
        new("out", ReportedDirection.Out), new("exit", ReportedDirection.Out), new("exiting", ReportedDirection.Out),
        new("approach", ReportedDirection.Approaching), new("approaching", ReportedDirection.Approaching), new("forward", ReportedDirection.Approaching),
        new("towards", ReportedDirection.Approaching), new("obverse", ReportedDirection.Approaching),
        new("leave", ReportedDirection.Leaving), new("leaving", ReportedDirection.Leaving), new("away", ReportedDirection.Leaving),
        new("reverse", ReportedDirection.Leaving), new("backward", ReportedDirection.Leaving),
    ];

    private MappedFields(CameraFieldMap map)
    {
        Map = map;
    }

    public CameraFieldMap Map { get; }

    public CameraDocumentKind Document => Map.Document;

    /// <summary>Each mapped field with its path (JSON or XML, by <see cref="Document"/>); null for fields the map leaves out.</summary>
    public IReadOnlyDictionary<string, object> Paths { get; private set; } = new Dictionary<string, object>();

    public object? Path(string field) => Paths.GetValueOrDefault(field);

    public TimeReading TimeFormat { get; private set; } = TimeReading.Iso8601;

    public string? CustomTimeFormat { get; private set; }

    public enum TimeReading
    {
        Iso8601,
        UnixSeconds,
        UnixMilliseconds,
        Custom,
    }

    /// <summary>The compiled map, or null and every problem of <paramref name="map"/>.</summary>
    public static MappedFields? Compile(CameraFieldMap map, out IReadOnlyList<FieldMapProblem> problems)
    {
        var found = new List<FieldMapProblem>();
        var compiled = new MappedFields(map);
        var paths = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string field, string? text, bool many = false)
        {
            if (text is null)
            {
                return;
            }

            if (map.Document == CameraDocumentKind.Json)
            {
                if (JsonPathExpression.Parse(text, out var error) is not { } path)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' {error}"));
                    return;
                }

                if (path.HasWildcard && !many)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' selects several values ([*]); only reads may"));
                    return;
                }

                if (path.IsRelative && field == "reads")
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' starts at the document: write $ rather than @"));
                    return;
                }

                if (path.IsRelative && map.Reads is null)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' starts at the current read (@), but the map has no reads; start it with $"));
                    return;
                }

                if (path.Segments.Count(s => s.Kind == JsonPathExpression.SegmentKind.Wildcard) > 1)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' has more than one [*]"));
                    return;
                }

                paths[field] = path;
            }
            else
            {
                if (XmlPathExpression.Parse(text, out var error) is not { } path)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' {error}"));
                    return;
                }

                if (field == "reads" && (path.IsRelative || path.Attribute is not null))
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' must name elements from the document's root, e.g. /Event/Reads/Read"));
                    return;
                }

                if (path.IsRelative && map.Reads is null)
                {
                    found.Add(new FieldMapProblem(field, $"'{text}' starts at the current read (no leading /), but the map has no reads; start it with /"));
                    return;
                }

                paths[field] = path;
            }
        }

        Add("reads", map.Reads, many: true);
        Add("plate", map.Plate);
        Add("confidence", map.Confidence);
        Add("time", map.Time);
        Add("direction", map.Direction);
        Add("zone", map.Zone);
        Add("readId", map.ReadId);
        Add("region", map.Region);
        Add("picture", map.Picture);
        compiled.Paths = paths;

        if (map.ConfidenceScale is not (1 or 100))
        {
            found.Add(new FieldMapProblem("confidenceScale", $"is {map.ConfidenceScale.ToString(CultureInfo.InvariantCulture)}; it is 1 (confidence 0..1) or 100 (percent)"));
        }

        if (map.Picture is not null && map.PicturePart is not null)
        {
            found.Add(new FieldMapProblem("picturePart", "give picture (a base64 field) or picturePart (a multipart part), not both"));
        }

        switch (map.TimeFormat?.Trim().ToLowerInvariant())
        {
            case null or "iso8601" or "iso-8601":
                break;
            case "unix" or "unix-s" or "epoch":
                compiled.TimeFormat = TimeReading.UnixSeconds;
                break;
            case "unix-ms" or "epoch-ms":
                compiled.TimeFormat = TimeReading.UnixMilliseconds;
                break;
            default:
                if (CheckCustomFormat(map.TimeFormat!) is { } problem)
                {
                    found.Add(new FieldMapProblem("timeFormat", problem));
                }
                else
                {
                    compiled.TimeFormat = TimeReading.Custom;
                    compiled.CustomTimeFormat = map.TimeFormat;
                }

                break;
        }

        if (map.TimeFormat is not null && map.Time is null)
        {
            found.Add(new FieldMapProblem("timeFormat", "is given but time is not"));
        }

        foreach (var value in map.DirectionValues.GroupBy(v => v.Value.Trim(), StringComparer.OrdinalIgnoreCase).Where(g => g.Select(v => v.Means).Distinct().Count() > 1))
        {
            found.Add(new FieldMapProblem("directions", $"'{value.Key}' is listed with two meanings"));
        }

        problems = found;
        return found.Count == 0 ? compiled : null;
    }

    /// <summary>What a direction field's text means, by the map's table or the usual words; null when it means none.</summary>
    public ReportedDirection? DirectionOf(string text)
    {
        var table = Map.DirectionValues.Count > 0 ? Map.DirectionValues : UsualDirections;
        var trimmed = text.Trim();
        return table.FirstOrDefault(v => string.Equals(v.Value.Trim(), trimmed, StringComparison.OrdinalIgnoreCase))?.Means;
    }

    /// <summary>
    /// A .NET custom format must name the year, month, day, hour and minute (so a time cannot be half read), and
    /// must read back what it writes.
    /// </summary>
    private static string? CheckCustomFormat(string format)
    {
        if (format.Length > 64)
        {
            return "is longer than 64 characters";
        }

        var unquoted = new string([.. format.Where((c, i) => c is not ('\'' or '"'))]);
        var missing = new[] { ("y", "year"), ("M", "month"), ("d", "day"), ("H", "hour (H or h with tt)"), ("m", "minute") }
            .Where(p => !(unquoted.Contains(p.Item1, StringComparison.Ordinal) || (p.Item1 == "H" && unquoted.Contains('h', StringComparison.Ordinal) && unquoted.Contains('t', StringComparison.Ordinal))))
            .Select(p => p.Item2)
            .ToList();
        if (missing.Count > 0)
        {
            return $"'{format}' is not iso8601, unix, unix-ms or a date and time format naming the year, month, day, hour and minute (missing: {string.Join(", ", missing)})";
        }

        try
        {
            var sample = new DateTimeOffset(2026, 3, 2, 17, 48, 3, 847, TimeSpan.FromHours(1));
            var written = sample.ToString(format, CultureInfo.InvariantCulture);
            if (!DateTimeOffset.TryParseExact(written, format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var read)
                || read.DateTime.Date != sample.DateTime.Date || read.Hour != sample.Hour || read.Minute != sample.Minute)
            {
                return $"'{format}' does not read back the times it writes";
            }
        }
        catch (FormatException)
        {
            return $"'{format}' is not a valid .NET date and time format";
        }

        return null;
    }
}
