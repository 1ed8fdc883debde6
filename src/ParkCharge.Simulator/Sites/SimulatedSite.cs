using System.Security.Cryptography;
using System.Text.RegularExpressions;

using ParkCharge.Simulator.Scenarios.Files;

using YamlDotNet.RepresentationModel;

namespace ParkCharge.Simulator.Sites;

/// <summary>The formats a simulated camera can push in, as a site file names them.</summary>
public enum CameraFormat
{
    Generic,
    PlateRecognizer,
    Hikvision,
}

/// <summary>A camera of the site as the simulator needs it: where it pushes, in which format, with which key.</summary>
public sealed record SiteCamera(string Id, CameraFormat Format, string Key);

/// <summary>A gate lane: entry, exit or both, with its cameras.</summary>
public sealed record SiteLane(string Id, bool Entry, bool Exit, IReadOnlyList<SiteCamera> Cameras);

/// <summary>A charger of the site; <see cref="Password"/> is null for security profile 0.</summary>
public sealed record SiteCharger(string Id, string? Password, int SecurityProfile);

/// <summary>An EV bay and the outlet that serves it (1.6 connector id or 2.0.1 EVSE id).</summary>
public sealed record SiteEvBay(string Id, string Charger, int Connector);

/// <summary>Where a bay is in a bay camera's picture: a zone name and/or a [left, right] region.</summary>
public sealed record BayView(string Bay, string? Zone, double Left, double Right);

public sealed record SiteBayCamera(SiteCamera Camera, IReadOnlyList<BayView> Bays);

/// <summary>
/// The parts of a site file the simulator plays: lanes and their cameras, chargers, EV bays and bay
/// cameras. The server validates the whole file; this reader only takes what it needs, and the
/// document itself (<see cref="Document"/>, with every <c>${NAME}</c> filled in) is what is sent to
/// the server to configure the site.
/// </summary>
public sealed partial record SimulatedSite
{
    public required string Id { get; init; }

    public required string TimeZone { get; init; }

    public required IReadOnlyList<SiteLane> Lanes { get; init; }

    public required IReadOnlyList<SiteCharger> Chargers { get; init; }

    public required IReadOnlyList<SiteEvBay> EvBays { get; init; }

    public required IReadOnlyList<SiteBayCamera> BayCameras { get; init; }

    public int OrdinaryBays { get; init; }

    /// <summary>The site document with every <c>${NAME}</c> replaced: what <c>PUT /api/v1/sites/{id}</c> receives.</summary>
    public required string Document { get; init; }

    /// <summary>The values given to <c>${NAME}</c> references: from the environment, or generated for this run.</summary>
    public required IReadOnlyDictionary<string, string> Secrets { get; init; }

    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(TimeZone);

    /// <summary>The first camera of each lane vehicles enter by.</summary>
    public IReadOnlyList<SiteCamera> EntryCameras => [.. Lanes.Where(l => l.Entry && l.Cameras.Count > 0).Select(l => l.Cameras[0])];

    /// <summary>The first camera of each lane vehicles leave by.</summary>
    public IReadOnlyList<SiteCamera> ExitCameras => [.. Lanes.Where(l => l.Exit && l.Cameras.Count > 0).Select(l => l.Cameras[0])];

    /// <summary>
    /// Reads a site file. <c>${NAME}</c> is replaced by the environment variable NAME when it is set,
    /// otherwise by a random secret made for this run (long enough for a camera key and a charger password).
    /// </summary>
    public static SimulatedSite? Parse(string text, string source, Func<string, string?> environment, List<FileProblem> problems)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var document = Reference().Replace(text, match =>
        {
            var name = match.Groups[1].Value;
            if (!secrets.TryGetValue(name, out var value))
            {
                value = environment(name) is { Length: > 0 } set ? set : "sim-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
                secrets[name] = value;
            }

            return value;
        });

        var before = problems.Count;
        var fields = new YamlFields();
        var root = YamlFields.Load(document, fields.Problems);
        if (root is null)
        {
            problems.AddRange(fields.Problems.Select(p => p with { Path = $"{source}: {p.Path}" }));
            return null;
        }

        var id = fields.Text(root, "", "id", required: true);
        var zone = fields.Text(root, "", "timeZone", required: true);
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            fields.Error("timeZone", $"'{zone}' is not a known IANA time zone", YamlFields.Find(root, "timeZone"));
        }

        var lanes = new List<SiteLane>();
        foreach (var (node, i) in fields.Sequence(root, "", "lanes").Select((n, i) => (n, i)))
        {
            var at = $"lanes[{i}]";
            if (node is not YamlMappingNode lane)
            {
                fields.Error(at, "must be a mapping", node);
                continue;
            }

            var direction = fields.Text(lane, at, "direction", required: true);
            var cameras = Cameras(fields, lane, at);
            lanes.Add(new SiteLane(fields.Text(lane, at, "id", required: true) ?? "", direction is "entry" or "both", direction is "exit" or "both", cameras));
        }

        var chargers = new List<SiteCharger>();
        foreach (var (node, i) in fields.Sequence(root, "", "chargers").Select((n, i) => (n, i)))
        {
            var at = $"chargers[{i}]";
            if (node is not YamlMappingNode charger)
            {
                fields.Error(at, "must be a mapping", node);
                continue;
            }

            var password = fields.Text(charger, at, "password");
            var profile = fields.Integer(charger, at, "securityProfile", 0, 3) ?? (password is null ? 0 : 1);
            chargers.Add(new SiteCharger(fields.Text(charger, at, "id", required: true) ?? "", password, profile));
        }

        var bays = new List<SiteEvBay>();
        foreach (var (node, i) in fields.Sequence(root, "", "evBays").Select((n, i) => (n, i)))
        {
            var at = $"evBays[{i}]";
            if (node is not YamlMappingNode bay)
            {
                fields.Error(at, "must be a mapping", node);
                continue;
            }

            bays.Add(new SiteEvBay(
                fields.Text(bay, at, "id", required: true) ?? "",
                fields.Text(bay, at, "charger", required: true) ?? "",
                fields.Integer(bay, at, "connector", 1, 100, required: true) ?? 1));
        }

        var bayCameras = new List<SiteBayCamera>();
        foreach (var (node, i) in fields.Sequence(root, "", "bayCameras").Select((n, i) => (n, i)))
        {
            var at = $"bayCameras[{i}]";
            if (node is not YamlMappingNode camera)
            {
                fields.Error(at, "must be a mapping", node);
                continue;
            }

            var views = new List<BayView>();
            foreach (var (viewNode, j) in fields.Sequence(camera, at, "bays", required: true).Select((n, j) => (n, j)))
            {
                var viewAt = $"{at}.bays[{j}]";
                if (viewNode is YamlScalarNode { Value: { Length: > 0 } bayId })
                {
                    views.Add(new BayView(bayId, null, 0, 1)); // the short form: the camera watches this one bay
                    continue;
                }

                if (viewNode is not YamlMappingNode view)
                {
                    fields.Error(viewAt, "must be a mapping", viewNode);
                    continue;
                }

                var (left, right) = (0.0, 1.0);
                if (YamlFields.Find(view, "region") is YamlSequenceNode { Children.Count: 2 } region
                    && region.Children[0] is YamlScalarNode l && region.Children[1] is YamlScalarNode r
                    && double.TryParse(l.Value, System.Globalization.CultureInfo.InvariantCulture, out left)
                    && double.TryParse(r.Value, System.Globalization.CultureInfo.InvariantCulture, out right))
                {
                    // [left, right] of the picture's width
                }
                else
                {
                    (left, right) = (0.0, 1.0);
                }

                views.Add(new BayView(fields.Text(view, viewAt, "bay", required: true) ?? "", fields.Text(view, viewAt, "zone"), left, right));
            }

            bayCameras.Add(new SiteBayCamera(Camera(fields, camera, at), views));
        }

        foreach (var bay in bays.Where(b => chargers.All(c => c.Id != b.Charger)))
        {
            fields.Error($"evBays[{bays.IndexOf(bay)}].charger", $"'{bay.Charger}' is not listed under chargers: the simulator needs its password and profile");
        }

        problems.AddRange(fields.Problems.Select(p => p with { Path = $"{source}: {p.Path}" }));
        if (problems.Count > before)
        {
            return null;
        }

        return new SimulatedSite
        {
            Id = id!,
            TimeZone = zone!,
            Lanes = lanes,
            Chargers = chargers,
            EvBays = bays,
            BayCameras = bayCameras,
            OrdinaryBays = fields.Integer(root, "", "ordinaryBays", 0, 1_000_000) ?? 0,
            Document = document,
            Secrets = secrets,
        };
    }

    private static List<SiteCamera> Cameras(YamlFields fields, YamlMappingNode lane, string at)
    {
        var cameras = new List<SiteCamera>();
        foreach (var (node, i) in fields.Sequence(lane, at, "cameras", required: true).Select((n, i) => (n, i)))
        {
            if (node is YamlMappingNode camera)
            {
                cameras.Add(Camera(fields, camera, $"{at}.cameras[{i}]"));
            }
            else
            {
                fields.Error($"{at}.cameras[{i}]", "must be a mapping", node);
            }
        }

        return cameras;
    }

    private static SiteCamera Camera(YamlFields fields, YamlMappingNode camera, string at)
    {
        var format = fields.Text(camera, at, "format") ?? "generic";
        var parsed = format switch
        {
            "generic" => CameraFormat.Generic,
            "platerecognizer" => CameraFormat.PlateRecognizer,
            "hikvision" => CameraFormat.Hikvision,
            _ => (CameraFormat?)null,
        };
        if (parsed is null)
        {
            fields.Error(YamlFields.Join(at, "format"), $"'{format}' is not generic, platerecognizer or hikvision", YamlFields.Find(camera, "format"));
        }

        var key = fields.Text(camera, at, "key");
        if (key is null)
        {
            fields.Error(YamlFields.Join(at, "key"), "the simulator pushes with the camera's key: give it (as ${NAME} to have one made for the run)", camera);
        }

        return new SiteCamera(fields.Text(camera, at, "id", required: true) ?? "", parsed ?? CameraFormat.Generic, key ?? "");
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
