using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;
using ParkCharge.Simulator.Sites;

namespace ParkCharge.Simulator.Scenarios.Files;

/// <summary>A scenario file read: the scenario, or every problem found (each named by its path).</summary>
public sealed record ScenarioReadResult(Scenario? Scenario, IReadOnlyList<DocumentProblem> Problems)
{
    public bool IsValid => Scenario is not null && Problems.Count == 0;
}

/// <summary>
/// Reads scenario files (YAML or JSON; reference in docs/sandbox.md). The site file it names is read
/// too, relative to the scenario's folder, with <c>${NAME}</c> references filled from the environment
/// or made up for the run.
/// </summary>
public static class ScenarioFile
{
    private static readonly string[] TopLevel =
        ["site", "seed", "duration", "speed", "startAt", "arrivals", "evShare", "dwell", "charging", "chargers", "noise"];

    public static ScenarioReadResult Load(string path, Func<string, string?>? environment = null)
    {
        if (!File.Exists(path))
        {
            return new ScenarioReadResult(null, [new DocumentProblem(path, "no such file")]);
        }

        return Parse(File.ReadAllText(path), Path.GetDirectoryName(Path.GetFullPath(path))!, environment ?? Environment.GetEnvironmentVariable, siteText: null);
    }

    /// <summary>
    /// Reads a scenario from text. The site comes from <paramref name="siteText"/> when given (an
    /// embedded demo), otherwise from the file the scenario names, relative to <paramref name="folder"/>.
    /// </summary>
    public static ScenarioReadResult Parse(string text, string folder, Func<string, string?> environment, string? siteText)
    {
        var fields = new ScenarioFields();
        var read = new List<DocumentProblem>();
        if (DocumentReader.Read(text, read) is not DocumentMapping root)
        {
            return new ScenarioReadResult(null, read.Count > 0 ? read : [new DocumentProblem("", "a scenario is a mapping of settings (key: value)")]);
        }

        fields.OnlyKnown(root, "", TopLevel);
        var sitePath = fields.Text(root, "", "site", required: siteText is null) ?? "(embedded)";
        SimulatedSite? site = null;
        var siteProblems = new List<DocumentProblem>();
        if (siteText is not null)
        {
            site = SimulatedSite.Parse(siteText, "site", environment, siteProblems);
        }
        else if (root.Find("site") is not null)
        {
            var full = Path.GetFullPath(sitePath, folder);
            if (File.Exists(full))
            {
                site = SimulatedSite.Parse(File.ReadAllText(full), $"site ({sitePath})", environment, siteProblems);
                sitePath = full;
            }
            else
            {
                fields.Error("site", $"no site file at '{full}'", DocumentFields.Line(root, "site"));
            }
        }

        fields.Add(read);
        fields.Add(siteProblems);
        var seed = fields.Integer(root, "", "seed", int.MinValue, int.MaxValue) ?? 1;
        var duration = fields.Duration(root, "", "duration", required: true);
        if (duration is { } d && d <= TimeSpan.Zero)
        {
            fields.Error("duration", "must be longer than zero", DocumentFields.Line(root, "duration"));
        }

        var speed = fields.Number(root, "", "speed", 1, 100_000) ?? 1;
        var startAt = fields.TimeOfDay(root, "", "startAt");
        var arrivals = Arrivals(fields, root);
        var evShare = fields.Number(root, "", "evShare", 0, 1) ?? 0.3;
        var dwell = fields.Mapping(root, "", "dwell") is { } dwellMap ? DurationRange(fields, dwellMap, "dwell") : null;
        var charging = fields.Mapping(root, "", "charging") is { } chargingMap ? Charging(fields, chargingMap) : new ChargingBehaviour();
        var noise = fields.Mapping(root, "", "noise") is { } noiseMap ? Noise(fields, noiseMap) : new Noise();
        var (defaultVersion, versions, meterInterval, heartbeat) = Chargers(fields, root, site);

        if (site is not null)
        {
            if (site.EntryCameras.Count == 0 || site.ExitCameras.Count == 0)
            {
                fields.Error("site", "the site needs an entry lane and an exit lane with a camera each: vehicles are seen coming in and going out", DocumentFields.Line(root, "site"));
            }

            if (site.EvBays.Count == 0 && evShare > 0)
            {
                fields.Error("evShare", "the site has no EV bays, so no vehicle can charge: set evShare to 0 or add evBays", DocumentFields.Line(root, "evShare"));
            }
        }

        if (fields.Errors.Count > 0 || site is null || duration is null)
        {
            return new ScenarioReadResult(null, fields.Errors);
        }

        return new ScenarioReadResult(
            new Scenario
            {
                SitePath = sitePath,
                Site = site,
                Seed = seed,
                Duration = duration.Value,
                Speed = speed,
                StartAt = startAt,
                Arrivals = arrivals,
                EvShare = evShare,
                Dwell = dwell ?? new Range<TimeSpan>(TimeSpan.FromMinutes(30), TimeSpan.FromHours(3)),
                Charging = charging,
                Noise = noise,
                DefaultOcppVersion = defaultVersion,
                OcppVersions = versions,
                MeterInterval = meterInterval,
                HeartbeatInterval = heartbeat,
            },
            []);
    }

    private static List<ArrivalRate> Arrivals(ScenarioFields fields, DocumentMapping root)
    {
        var arrivals = new List<ArrivalRate>();
        TimeOnly? previous = null;
        foreach (var (node, i) in fields.Sequence(root, "", "arrivals", required: true).Select((n, i) => (n, i)))
        {
            var at = $"arrivals[{i}]";
            if (node is not DocumentMapping map)
            {
                fields.Error(at, "must be a mapping { from: HH:mm, perHour: N }", node.Line);
                continue;
            }

            fields.OnlyKnown(map, at, "from", "perHour");
            var from = fields.TimeOfDay(map, at, "from", required: true);
            var perHour = fields.Number(map, at, "perHour", 0, 10_000, required: true);
            if (from is { } f && previous is { } before && f <= before)
            {
                fields.Error(Paths.Field(at, "from"), $"{f:HH\\:mm} is not after the previous entry's {before:HH\\:mm}: list the day in order", DocumentFields.Line(map, "from"));
            }

            previous = from ?? previous;
            if (from is { } valid && perHour is { } p)
            {
                arrivals.Add(new ArrivalRate(valid, p));
            }
        }

        return arrivals;
    }

    private static Range<TimeSpan>? DurationRange(ScenarioFields fields, DocumentMapping map, string at)
    {
        fields.OnlyKnown(map, at, "min", "max");
        var min = fields.Duration(map, at, "min", required: true);
        var max = fields.Duration(map, at, "max", required: true);
        if (min is null || max is null)
        {
            return null;
        }

        if (max < min)
        {
            fields.Error(Paths.Field(at, "max"), "is shorter than min", DocumentFields.Line(map, "max"));
            return null;
        }

        return new Range<TimeSpan>(min.Value, max.Value);
    }

    private static ChargingBehaviour Charging(ScenarioFields fields, DocumentMapping map)
    {
        const string section = "charging";
        fields.OnlyKnown(map, section, "batteryKWh", "startSoc", "maxPowerKW", "taperFrom", "plugInDelay");
        var defaults = new ChargingBehaviour();
        var soc = defaults.StartSoc;
        if (fields.Mapping(map, section, "startSoc") is { } socMap)
        {
            fields.OnlyKnown(socMap, "charging.startSoc", "min", "max");
            var min = fields.Number(socMap, "charging.startSoc", "min", 0, 1, required: true);
            var max = fields.Number(socMap, "charging.startSoc", "max", 0, 1, required: true);
            if (min is { } lo && max is { } hi)
            {
                if (hi < lo)
                {
                    fields.Error("charging.startSoc.max", "is below min", DocumentFields.Line(socMap, "max"));
                }

                soc = new Range<double>(lo, hi);
            }
        }

        return new ChargingBehaviour
        {
            BatteryKWh = Numbers(fields, map, section, "batteryKWh", 1, 1000) ?? defaults.BatteryKWh,
            MaxPowerKW = Numbers(fields, map, section, "maxPowerKW", 1, 1000) ?? defaults.MaxPowerKW,
            StartSoc = soc,
            TaperFrom = fields.Number(map, section, "taperFrom", 0.1, 1) ?? defaults.TaperFrom,
            PlugInDelay = fields.Mapping(map, section, "plugInDelay") is { } delay ? DurationRange(fields, delay, "charging.plugInDelay") ?? defaults.PlugInDelay : defaults.PlugInDelay,
        };
    }

    private static List<double>? Numbers(ScenarioFields fields, DocumentMapping map, string path, string key, double min, double max)
    {
        var at = Paths.Field(path, key);
        switch (fields.Field(map, path, key, required: false))
        {
            case null:
                return null;
            case DocumentScalar:
                return fields.Number(map, path, key, min, max) is { } single ? [single] : null;
            case DocumentSequence list when list.Items.Count > 0:
                var values = new List<double>();
                foreach (var (item, i) in list.Items.Select((n, i) => (n, i)))
                {
                    if (item is DocumentScalar { Value: { } text } && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
                    {
                        values.Add(value);
                    }
                    else
                    {
                        fields.Error($"{at}[{i}]", $"must be a number in {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}", item.Line);
                    }
                }

                return values;
            case var other:
                fields.Error(at, "must be a number or a non-empty list of numbers", other.Line);
                return null;
        }
    }

    private static Noise Noise(ScenarioFields fields, DocumentMapping map)
    {
        const string section = "noise";
        fields.OnlyKnown(map, section, "ocrErrorRate", "missedReads", "repeatedReads", "clockSkew", "chargerOffline", "offlineDuration", "connectorFaults", "faultDuration");
        var defaults = new Noise();
        return new Noise
        {
            OcrErrorRate = fields.Number(map, section, "ocrErrorRate", 0, 1) ?? 0,
            MissedReads = fields.Number(map, section, "missedReads", 0, 1) ?? 0,
            RepeatedReads = fields.Number(map, section, "repeatedReads", 0, 1) ?? 0,
            ClockSkew = fields.Duration(map, section, "clockSkew") ?? TimeSpan.Zero,
            ChargerOffline = fields.Number(map, section, "chargerOffline", 0, 1) ?? 0,
            OfflineDuration = fields.Duration(map, section, "offlineDuration") ?? defaults.OfflineDuration,
            ConnectorFaults = fields.Number(map, section, "connectorFaults", 0, 1) ?? 0,
            FaultDuration = fields.Duration(map, section, "faultDuration") ?? defaults.FaultDuration,
        };
    }

    private static (OcppVersion Default, Dictionary<string, OcppVersion> Versions, TimeSpan Meter, TimeSpan Heartbeat) Chargers(
        ScenarioFields fields, DocumentMapping root, SimulatedSite? site)
    {
        var versions = new Dictionary<string, OcppVersion>(StringComparer.Ordinal);
        if (fields.Mapping(root, "", "chargers") is not { } map)
        {
            return (OcppVersion.Ocpp16, versions, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15));
        }

        const string section = "chargers";
        fields.OnlyKnown(map, section, "defaultVersion", "versions", "meterInterval", "heartbeatInterval");
        var defaultVersion = Version(fields, fields.Text(map, section, "defaultVersion"), "chargers.defaultVersion", DocumentFields.Line(map, "defaultVersion")) ?? OcppVersion.Ocpp16;
        if (fields.Mapping(map, section, "versions") is { } byCharger)
        {
            foreach (var (id, value, line) in byCharger.Entries)
            {
                var at = $"chargers.versions.{id}";
                if (site is not null && site.Chargers.All(c => c.Id != id))
                {
                    fields.Error(at, $"'{id}' is not a charger of site '{site.Id}'", line);
                    continue;
                }

                if (Version(fields, (value as DocumentScalar)?.Value, at, value.Line) is { } version)
                {
                    versions[id] = version;
                }
            }
        }

        var meter = fields.Duration(map, section, "meterInterval") ?? TimeSpan.FromMinutes(5);
        if (meter < TimeSpan.FromSeconds(10))
        {
            fields.Error("chargers.meterInterval", "must be at least 10s", DocumentFields.Line(map, "meterInterval"));
        }

        var heartbeat = fields.Duration(map, section, "heartbeatInterval") ?? TimeSpan.FromMinutes(15);
        if (heartbeat < TimeSpan.FromSeconds(10))
        {
            fields.Error("chargers.heartbeatInterval", "must be at least 10s", DocumentFields.Line(map, "heartbeatInterval"));
        }

        return (defaultVersion, versions, meter, heartbeat);
    }

    private static OcppVersion? Version(ScenarioFields fields, string? text, string at, int? line)
    {
        switch (text)
        {
            case null:
                return null;
            case "1.6" or "ocpp1.6":
                return OcppVersion.Ocpp16;
            case "2.0.1" or "ocpp2.0.1":
                return OcppVersion.Ocpp201;
            case "2.1" or "ocpp2.1":
                return OcppVersion.Ocpp21;
            default:
                fields.Error(at, $"'{text}' is not an OCPP version the simulator speaks (\"1.6\", \"2.0.1\" or \"2.1\")", line);
                return null;
        }
    }
}

/// <summary>
/// The fields of a scenario as Core's <see cref="DocumentFields"/> reads those of a site file (same
/// messages for the same mistakes), with the ranges and times of day a scenario has.
/// </summary>
internal sealed class ScenarioFields() : DocumentFields(new Dictionary<string, string?>())
{
    public void Add(IEnumerable<DocumentProblem> problems) => FoundErrors.AddRange(problems);

    /// <summary>Unknown keys are errors: a typo must not be silently ignored.</summary>
    public void OnlyKnown(DocumentMapping map, string path, params string[] known) => CheckFields(map, path, known, "setting");

    public string? Text(DocumentMapping map, string path, string key) => base.Text(map, path, key, required: false);

    public double? Number(DocumentMapping map, string path, string key, double min, double max, bool required = false)
    {
        if (Field(map, path, key, required) is not { } node || ScalarNumber(node, Paths.Field(path, key)) is not { } value)
        {
            return null;
        }

        if (value < min || value > max)
        {
            Error(Paths.Field(path, key), $"{Show(value)} is outside {Show(min)}..{Show(max)}", node.Line);
            return null;
        }

        return value;
    }

    public int? Integer(DocumentMapping map, string path, string key, int min, int max, bool required = false)
    {
        if (WholeNumber(map, path, key, required) is not { } value)
        {
            return null;
        }

        if (value < min || value > max)
        {
            Error(Paths.Field(path, key), $"{value} is outside {min}..{max}", Line(map, key));
            return null;
        }

        return value;
    }

    public TimeSpan? Duration(DocumentMapping map, string path, string key, bool required = false)
    {
        if (Field(map, path, key, required) is null || base.Duration(map, path, key) is not { } value)
        {
            return null;
        }

        if (value < TimeSpan.Zero)
        {
            Error(Paths.Field(path, key), "must not be negative", Line(map, key));
            return null;
        }

        return value;
    }

    public TimeOnly? TimeOfDay(DocumentMapping map, string path, string key, bool required = false)
    {
        if (Field(map, path, key, required) is null || Text(map, path, key) is not { } text)
        {
            return null;
        }

        if (TimeOnly.TryParseExact(text.Trim(), ["HH:mm", "H:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            return value;
        }

        Error(Paths.Field(path, key), $"{Quote(text)} is not a time of day (HH:mm)", Line(map, key));
        return null;
    }

    public IReadOnlyList<DocumentNode> Sequence(DocumentMapping map, string path, string key, bool required = false) =>
        Field(map, path, key, required) is null ? [] : [.. Elements(map, path, key).Select(e => e.Item)];
}
