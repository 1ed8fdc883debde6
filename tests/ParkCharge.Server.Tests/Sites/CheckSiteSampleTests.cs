using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>
/// <c>parkcharge check-site FILE --sample PUSH</c>: before a camera is connected, its operator checks the site file's
/// settings for it against a push saved from the camera, and sees what the node will read from it.
/// </summary>
public sealed class CheckSiteSampleTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("parkcharge-check-sample-");

    [Fact]
    public async Task A_sample_the_map_reads_is_shown_read_by_read_with_exit_code_0()
    {
        var site = Write("harbour.site.yaml", SiteFileCameraTests.MappedYaml);
        var sample = Write("acme.json", """
            { "sentAt": "2026-03-02 08:15:00",
              "detections": [ { "id": "d-1", "plate": "AB-123-CD", "conf": 87, "dir": "ENTERING", "lane": "L1" },
                              { "id": "d-2", "plate": "NOPLATE", "conf": 0, "lane": "L2" } ] }
            """);

        var (exitCode, output) = await RunAsync(site, "--sample", sample, "--camera", "acme-in");

        var lines = Lines(output);
        Assert.StartsWith($"{site}: OK — site 'harbour' (Harbour): 2 lanes, 4 cameras", lines[0], StringComparison.Ordinal);
        Assert.Contains($"{sample}: OK — a push of camera 'acme-in' (mapped, application/json): 2 reads", lines);
        Assert.Contains("  1: plate \"AB-123-CD\", confidence 0.87, direction in, zone L1, read id d-1, captured 2026-03-02T07:15:00Z (local time 2026-03-02 08:15:00 in Europe/Amsterdam (the site's)), no picture", lines);
        Assert.Contains("  2: plate unreadable (\"\"), confidence 0, no direction, zone L2, read id d-2, captured 2026-03-02T07:15:00Z (local time 2026-03-02 08:15:00 in Europe/Amsterdam (the site's)), no picture", lines);
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_sample_the_map_cannot_read_lists_each_problem_with_exit_code_1()
    {
        var site = Write("harbour.site.yaml", SiteFileCameraTests.MappedYaml);
        var sample = Write("wrong.json", """{ "sentAt": "yesterday", "detections": [ { "conf": 87 } ] }""");

        var (exitCode, output) = await RunAsync(site, "--sample", sample, "--camera", "acme-in");

        var lines = Lines(output);
        Assert.Contains($"{sample}: reads[0] plate: nothing at @.plate", lines);
        Assert.Contains($"{sample}: not readable as a push of camera 'acme-in' (mapped, application/json): 1 problem", lines);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task An_XML_sample_is_read_for_the_camera_named_in_its_zone_and_mounting()
    {
        var site = Write("harbour.site.yaml", SiteFileCameraTests.MappedYaml);
        var sample = Write("vigil.xml", """<Event><Header><Time>2026-03-02T08:15:00</Time></Header><Plate confidence="91" country="NL"><Text>XX-99-YY</Text></Plate></Event>""");
        using var output = new StringWriter();

        var exitCode = await CheckSiteCommand.RunSampleAsync([site], sample, "vigil-out", null, SiteFileSamples.NoEnvironment, output, TestContext.Current.CancellationToken);

        Assert.Equal(0, exitCode);
        Assert.Contains(
            "  1: plate \"XX-99-YY\", confidence 0.91, no direction, region NL, captured 2026-03-02T13:15:00Z (local time 2026-03-02 08:15:00 in America/New_York), no picture",
            Lines(output.ToString()));
    }

    [Fact]
    public async Task A_vendor_cameras_sample_is_read_with_its_vendors_parser_and_a_camera_that_is_not_there_is_an_error()
    {
        var site = Write("harbour.site.yaml", SiteFileCameraTests.MappedYaml);
        var sample = Write("group.json", File.ReadAllText(Path.Combine(Repository.Root, "tests", "ParkCharge.Anpr.Tests", "Fixtures", "OpenAlpr", "group.json")));
        using var output = new StringWriter();
        using var missing = new StringWriter();

        var read = await CheckSiteCommand.RunSampleAsync([site], sample, "alpr-out", null, SiteFileSamples.NoEnvironment, output, TestContext.Current.CancellationToken);
        var notThere = await CheckSiteCommand.RunSampleAsync([site], sample, "alpr-north", null, SiteFileSamples.NoEnvironment, missing, TestContext.Current.CancellationToken);

        Assert.Equal((0, 1), (read, notThere));
        Assert.Contains("  1: plate \"ZH421337\", confidence 0.946, direction out, region ch, track Uw3nXr8pQ2LmT5vA9bKc-1234567-1772464500250, captured 2026-03-02T15:15:00.25Z, 2 pictures", Lines(output.ToString()));
        Assert.Contains($"{site}: there is no camera 'alpr-north'", Lines(missing.ToString()));
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await ParkChargeProcess.RunAsync(SiteFileSamples.NoEnvironment, ["check-site", .. arguments]);
        return (exitCode, output + error);
    }

    private static List<string> Lines(string output) => [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r'))];
}
