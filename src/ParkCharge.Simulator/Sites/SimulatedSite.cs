using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Simulator.Sites;

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
/// cameras. The file is read and checked as the node reads it (the same reader and Core's
/// <see cref="SiteFileValidator"/>, so a file the simulator takes is one the node takes, and the same
/// mistakes get the same messages), plus what the simulator itself needs: each camera's key as written
/// and a format it can push in. The document itself (<see cref="Document"/>, with every <c>${NAME}</c>
/// filled in) is what is sent to the server to configure the site.
/// </summary>
public sealed partial record SimulatedSite
{
    /// <summary>The formats the simulator's cameras push in (Cameras/CameraPushes.cs).</summary>
    private static readonly string[] PushedFormats = ["generic", "platerecognizer", "hikvision"];

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
    /// Problems are added to <paramref name="problems"/> with <paramref name="source"/> before their path.
    /// </summary>
    public static SimulatedSite? Parse(string text, string source, Func<string, string?> environment, List<DocumentProblem> problems)
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

        var found = new List<DocumentProblem>();
        var root = DocumentReader.Read(document, found);
        SiteFileResult? read = null;

        // The simulator pushes with the keys themselves: it remembers each key by the form the validator compares.
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root is not null)
        {
            read = SiteFileValidator.Validate(root, new SiteFileContext { HashCameraKey = key => Remember(keys, key) });
            found.AddRange(read.Errors);
            if (root is DocumentMapping site)
            {
                found.AddRange(WhatTheSimulatorNeeds(site));
            }
        }

        problems.AddRange(found.Select(p => p with { Path = p.Path.Length == 0 ? source : $"{source}: {p.Path}" }));
        if (found.Count > 0 || read?.Configuration is not { } configuration)
        {
            return null;
        }

        SiteCamera Camera(CameraConfiguration camera) => new(camera.Id, camera.Format, keys[camera.KeyHash]);
        return new SimulatedSite
        {
            Id = configuration.Id.Value,
            TimeZone = configuration.TimeZone,
            Lanes = [.. configuration.Lanes.Select(l => new SiteLane(
                l.Id,
                l.Direction is LaneDirection.Entry or LaneDirection.Both,
                l.Direction is LaneDirection.Exit or LaneDirection.Both,
                [.. configuration.Cameras.Where(c => c.Lane == l.Id).Select(Camera)]))],
            Chargers = [.. read.Chargers.Select(c => new SiteCharger(c.Charger.Value, c.Password, c.SecurityProfile))],
            EvBays = [.. configuration.EvBays.Select(b => new SiteEvBay(b.Id, b.Charger.Value, b.Connector))],
            BayCameras = [.. configuration.Cameras.Where(c => c.Lane is null).Select(c => new SiteBayCamera(
                Camera(c),
                [.. c.Bays.Select(b => new BayView(b.Bay, b.Zone, b.XMin ?? 0, b.XMax ?? 1))]))],
            OrdinaryBays = configuration.OrdinaryBays,
            Document = document,
            Secrets = secrets,
        };
    }

    private static string Remember(Dictionary<string, string> keys, string key)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        keys[hash] = key;
        return hash;
    }

    /// <summary>
    /// What a valid site file may have and the simulator cannot play: a camera given by its key's hash only
    /// (the simulator pushes with the key) or a format it does not push in. Checked on the document, so these
    /// are listed with the file's other problems.
    /// </summary>
    private static IEnumerable<DocumentProblem> WhatTheSimulatorNeeds(DocumentMapping site)
    {
        var cameras = Items(site, "lanes")
            .SelectMany(lane => Items(lane.Node, "cameras").Select(c => (c.Node, Path: $"{lane.Path}.{c.Path}")))
            .Concat(Items(site, "bayCameras"));
        foreach (var (camera, path) in cameras)
        {
            if (camera.Find("format")?.Value is DocumentScalar format
                && Enum.GetNames<CameraFormat>().Contains(format.Value.Trim(), StringComparer.OrdinalIgnoreCase)
                && !PushedFormats.Contains(format.Value.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                yield return new DocumentProblem(
                    Paths.Field(path, "format"), $"the simulator pushes reads as {string.Join(", ", PushedFormats)}, not {format.Value.Trim()}", format.Line);
            }

            if (camera.Find("key") is null && camera.Find("keyHash") is { } hash)
            {
                yield return new DocumentProblem(
                    Paths.Field(path, "key"), "the simulator pushes with the camera's key: give it (as ${NAME} to have one made for the run) instead of keyHash", hash.Line);
            }
        }
    }

    private static IEnumerable<(DocumentMapping Node, string Path)> Items(DocumentMapping parent, string name) =>
        parent.Find(name)?.Value is DocumentSequence list
            ? list.Items.Select((item, i) => (item as DocumentMapping, Paths.Item(name, i))).Where(i => i.Item1 is not null).Select(i => (i.Item1!, i.Item2))
            : [];

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
