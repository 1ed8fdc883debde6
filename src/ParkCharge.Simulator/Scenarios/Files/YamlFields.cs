using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ParkCharge.Simulator.Scenarios.Files;

/// <summary>A problem in a scenario or site file, named by its path in the document (<c>noise.ocrErrorRate</c>) and line.</summary>
public sealed record FileProblem(string Path, string Message, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{Path} (line {line}): {Message}" : $"{Path}: {Message}";
}

/// <summary>
/// Reads typed values out of a YAML tree (JSON is YAML), collecting every problem with its path and
/// line instead of stopping at the first, so one run of the checker shows everything to fix.
/// </summary>
internal sealed partial class YamlFields
{
    public List<FileProblem> Problems { get; } = [];

    public static YamlMappingNode? Load(string text, List<FileProblem> problems)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            {
                problems.Add(new FileProblem("(document)", "is not a mapping of settings (key: value)"));
                return null;
            }

            return root;
        }
        catch (YamlException e)
        {
            problems.Add(new FileProblem("(document)", $"is not valid YAML or JSON: {e.InnerException?.Message ?? e.Message}", (int)e.Start.Line));
            return null;
        }
    }

    public static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public void Error(string path, string message, YamlNode? node = null) =>
        Problems.Add(new FileProblem(path, message, node is null ? null : (int)node.Start.Line));

    /// <summary>Unknown keys are errors: a typo must not be silently ignored.</summary>
    public void OnlyKnown(YamlMappingNode map, string path, params string[] known)
    {
        foreach (var key in map.Children.Keys.OfType<YamlScalarNode>())
        {
            if (!known.Contains(key.Value, StringComparer.Ordinal))
            {
                Error(Join(path, key.Value ?? ""), $"is not a known setting here (known: {string.Join(", ", known)})", key);
            }
        }
    }

    public static YamlNode? Find(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;

    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" };

    public string? Text(YamlMappingNode map, string path, string key, bool required = false)
    {
        var at = Join(path, key);
        switch (Find(map, key))
        {
            case null:
                if (required)
                {
                    Error(at, "is required", map);
                }

                return null;
            case YamlScalarNode scalar:
                return scalar.Value;
            case var other:
                Error(at, "must be a single value, not a list or mapping", other);
                return null;
        }
    }

    public double? Number(YamlMappingNode map, string path, string key, double min, double max, bool required = false)
    {
        var text = Text(map, path, key, required);
        if (text is null)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value))
        {
            Error(Join(path, key), $"'{text}' is not a number", Find(map, key));
            return null;
        }

        if (value < min || value > max)
        {
            Error(Join(path, key), $"{text} is outside {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}", Find(map, key));
            return null;
        }

        return value;
    }

    public int? Integer(YamlMappingNode map, string path, string key, int min, int max, bool required = false)
    {
        var text = Text(map, path, key, required);
        if (text is null)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(Join(path, key), $"'{text}' is not a whole number in {min}..{max}", Find(map, key));
            return null;
        }

        return value;
    }

    public TimeSpan? Duration(YamlMappingNode map, string path, string key, bool required = false)
    {
        var text = Text(map, path, key, required);
        if (text is null)
        {
            return null;
        }

        if (TryParseDuration(text, out var value) && value >= TimeSpan.Zero)
        {
            return value;
        }

        Error(Join(path, key), $"'{text}' is not a duration (90s, 2m, 1h30m, 1d, PT2M or a number of seconds)", Find(map, key));
        return null;
    }

    public TimeOnly? TimeOfDay(YamlMappingNode map, string path, string key, bool required = false)
    {
        var text = Text(map, path, key, required);
        if (text is null)
        {
            return null;
        }

        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        Error(Join(path, key), $"'{text}' is not a time of day (HH:mm)", Find(map, key));
        return null;
    }

    public YamlMappingNode? Mapping(YamlMappingNode map, string path, string key, bool required = false)
    {
        switch (Find(map, key))
        {
            case null:
                if (required)
                {
                    Error(Join(path, key), "is required", map);
                }

                return null;
            case YamlMappingNode mapping:
                return mapping;
            case var other:
                Error(Join(path, key), "must be a mapping (key: value)", other);
                return null;
        }
    }

    public IReadOnlyList<YamlNode> Sequence(YamlMappingNode map, string path, string key, bool required = false)
    {
        switch (Find(map, key))
        {
            case null:
                if (required)
                {
                    Error(Join(path, key), "is required", map);
                }

                return [];
            case YamlSequenceNode sequence:
                return sequence.Children.ToList();
            case var other:
                Error(Join(path, key), "must be a list", other);
                return [];
        }
    }

    /// <summary>90s, 2m, 1h30m, 3d, ISO 8601 (PT2M) or a number of seconds: as site files write durations.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds))
        {
            value = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (text.StartsWith('P'))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(text);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        var match = Compact().Match(text);
        if (!match.Success || text.Length == 0)
        {
            return false;
        }

        double Part(int group) => match.Groups[group].Success ? double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        value = TimeSpan.FromDays(Part(1)) + TimeSpan.FromHours(Part(2)) + TimeSpan.FromMinutes(Part(3)) + TimeSpan.FromSeconds(Part(4));
        return true;
    }

    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)d)?(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+(?:\.\d+)?)s)?$")]
    private static partial Regex Compact();
}

/// <summary>Durations as scenario and site files write them, for command-line options too.</summary>
public static class ScenarioDurations
{
    /// <summary>90s, 2m, 1h30m, 3d, ISO 8601 (PT2M) or a number of seconds.</summary>
    public static bool TryParse(string text, out TimeSpan value) => YamlFields.TryParseDuration(text, out value);
}
