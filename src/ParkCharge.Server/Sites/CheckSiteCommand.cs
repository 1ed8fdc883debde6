using System.CommandLine;
using System.Globalization;

using ParkCharge.Anpr;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;

namespace ParkCharge.Server.Sites;

/// <summary>
/// <c>parkcharge check-site FILE...</c>: validates site files as a node would load them, without
/// a database or a network, so a file can be checked before it is deployed (or in CI). With
/// <c>--sample PUSH</c> it also reads a push the operator saved from a camera, as the node would read it from
/// that camera (its format, its field map, its time zone and mounting), and shows what each read says.
/// </summary>
internal static class CheckSiteCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Arity = ArgumentArity.OneOrMore, Description = "Site files (YAML or JSON) to check." };
        var sample = new Option<string?>("--sample") { Description = "A push saved from a camera (its body): read it as the node reads that camera's pushes." };
        var camera = new Option<string?>("--camera") { Description = "The camera the sample comes from (default: the site's only mapped camera)." };
        var contentType = new Option<string?>("--content-type")
        {
            Description = "The push's Content-Type (default: by the file's extension, .json or .xml; a multipart push needs its boundary).",
        };
        var command = new Command("check-site", "Check site files (YAML or JSON) and list every problem; with --sample, read a camera's push through its settings. Starts nothing.")
        {
            files, sample, camera, contentType,
        };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var environment = SiteFile.ProcessEnvironment();
            if (parse.GetValue(sample) is not { } push)
            {
                return Run(parse.GetValue(files)!, environment, output);
            }

            return await RunSampleAsync(parse.GetValue(files)!, push, parse.GetValue(camera), parse.GetValue(contentType), environment, output, ct);
        });
        return command;
    }

    /// <returns>0 when every file is valid (warnings allowed), 1 otherwise.</returns>
    public static int Run(IReadOnlyList<string> files, IReadOnlyDictionary<string, string?> environment, TextWriter output) =>
        files.Select(file => Check(file, environment, output)).ToList().TrueForAll(r => r.Configuration is not null) ? 0 : 1;

    /// <returns>0 when the file is valid and the sample is read without a problem, 1 otherwise.</returns>
    public static async Task<int> RunSampleAsync(
        IReadOnlyList<string> files, string sample, string? cameraId, string? contentType, IReadOnlyDictionary<string, string?> environment, TextWriter output, CancellationToken ct)
    {
        if (files.Count != 1)
        {
            output.WriteLine("--sample checks a push against one site file; give one FILE.");
            return 1;
        }

        var file = files[0];
        if (Check(file, environment, output).Configuration is not { } site)
        {
            return 1;
        }

        var cameras = cameraId is null ? site.Cameras.Where(c => c.Format == CameraFormat.Mapped).ToList() : [.. site.Cameras.Where(c => c.Id == cameraId)];
        if (cameras.Count != 1)
        {
            output.WriteLine(cameraId is not null
                ? $"{file}: there is no camera '{cameraId}'"
                : $"{file}: name the camera the sample comes from with --camera ({(cameras.Count == 0 ? "the site has no mapped camera" : $"mapped cameras: {string.Join(", ", cameras.Select(c => c.Id))}")})");
            return 1;
        }

        var camera = cameras[0];
        var parser = camera is { Format: CameraFormat.Mapped, Map: { } map } ? AnprParsers.Mapped(map, PushLimits.Default, out _)! : AnprParsers.For(camera.Format);
        var type = contentType ?? Path.GetExtension(sample).ToLowerInvariant() switch
        {
            ".json" => "application/json",
            ".xml" => "application/xml",
            _ => null,
        };

        AnprParseResult result;
        try
        {
            await using var body = File.OpenRead(sample);
            result = await parser.ParseAsync(type, body, camera.Id, ct);
        }
        catch (IOException e)
        {
            output.WriteLine($"{sample}: cannot read the file: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            output.WriteLine($"{sample}: cannot read the file: {e.Message}");
            return 1;
        }

        var what = $"camera '{camera.Id}' ({camera.Format.ToString().ToLowerInvariant()}{(type is null ? "" : $", {type}")})";
        if (!result.IsSuccess)
        {
            foreach (var error in result.Errors)
            {
                output.WriteLine($"{sample}: {error}");
            }

            output.WriteLine($"{sample}: not readable as a push of {what}: {Count(result.Errors.Count, "problem")}");
            return 1;
        }

        var reports = result.Push.Reports;
        output.WriteLine(reports.Count == 0
            ? $"{sample}: OK — a push of {what} with no read (a heartbeat or another event)"
            : $"{sample}: OK — a push of {what}: {Count(reports.Count, "read")}");
        for (var i = 0; i < reports.Count; i++)
        {
            var pictures = result.Push.Images.Count(p => p.ReportIndex == i || p.ReportIndex is null);
            output.WriteLine($"  {i + 1}: {Describe(reports[i], pictures, site.TimeZone, camera)}");
        }

        return 0;
    }

    private static SiteFileResult Check(string file, IReadOnlyDictionary<string, string?> environment, TextWriter output)
    {
        // Keys are hashed only to be checked here (each camera its own); nothing is stored.
        var result = SiteFile.Load(file, environment, Auth.KeyHasher.Ephemeral());
        foreach (var error in result.Errors)
        {
            output.WriteLine($"{file}: {error}");
        }

        if (result.Configuration is { } site)
        {
            output.WriteLine(
                $"{file}: OK — site '{site.Id}' ({site.Name}): {Count(site.Lanes.Count, "lane")}, {Count(site.Cameras.Count, "camera")}, " +
                $"{Count(site.EvBays.Count, "EV bay")}, {Count(site.OrdinaryBays, "ordinary bay")}, {Count(result.Chargers.Count, "charger")}" +
                (result.DeclaresTariffs
                    ? $"; tariffs: {Count(site.Tariffs.Parking.Count, "parking tariff")}, {Count(site.Tariffs.Charging.Count, "charging tariff")}, {Count(site.Tariffs.Permits.Count, "permit")}"
                    : ""));
        }

        foreach (var warning in result.Warnings)
        {
            output.WriteLine($"{file}: warning: {warning}");
        }

        if (result.Configuration is null)
        {
            output.WriteLine($"{file}: {Count(result.Errors.Count, "error")}, {Count(result.Warnings.Count, "warning")}");
        }

        return result;
    }

    /// <summary>What one read says, field by field, as the node takes it (the operator's own sample, so the plate is shown).</summary>
    private static string Describe(CameraReport pushed, int pictures, string siteTimeZone, CameraConfiguration camera)
    {
        var report = pushed.AtCamera(camera, siteTimeZone);
        var parts = new List<string>();
        switch (report.Payload)
        {
            case PlateRead read:
                parts.Add(read.Plate.Length == 0 ? "plate unreadable (\"\")" : $"plate \"{read.Plate}\"");
                parts.Add(read.Confidence is { } confidence ? $"confidence {confidence.ToString("0.###", CultureInfo.InvariantCulture)}" : "no confidence");
                parts.Add(read.Direction is { } direction ? $"direction {direction.ToString().ToLowerInvariant()}" : "no direction");
                Add(parts, "zone", read.Zone);
                Add(parts, "read id", read.ReadId);
                Add(parts, "region", read.Region);
                Add(parts, "track", read.Track);
                break;
            case BayVacancyReported vacancy:
                parts.Add($"bay empty{(vacancy.Zone is null ? "" : $" (zone {vacancy.Zone})")}");
                break;
            case BayOccupancyReported occupancy:
                parts.Add($"bay taken, no plate{(occupancy.Zone is null ? "" : $" (zone {occupancy.Zone})")}");
                break;
        }

        var zone = camera.TimeZone ?? (pushed.CapturedAt is null ? $"{siteTimeZone} (the site's)" : "the push's own time-zone field");
        parts.Add(report switch
        {
            { LocalTime: { } local, CapturedAt: { } at } => FormattableString.Invariant($"captured {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFF}Z (local time {local:yyyy-MM-dd HH:mm:ss.FFF} in {zone})"),
            { CapturedAt: { } at } => FormattableString.Invariant($"captured {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.FFF}Z"),
            _ => "no capture time (the node takes the arrival time)",
        });
        parts.Add(pictures == 0 ? "no picture" : Count(pictures, "picture"));
        return string.Join(", ", parts);
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name} {value}");
        }
    }

    private static string Count(int count, string thing) => count == 1 ? $"1 {thing}" : $"{count} {thing}s";
}
