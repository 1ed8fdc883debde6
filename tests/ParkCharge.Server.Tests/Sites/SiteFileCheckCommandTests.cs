using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Tests.Sites;

/// <summary><c>parkcharge check-site</c>: a process that starts nothing and says OK or what is wrong.</summary>
public sealed class SiteFileCheckCommandTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("parkcharge-check-site-");

    private static string Example => Path.Combine(Repository.Root, "docs", "examples", "main-street.site.yaml");

    [Fact]
    public async Task The_docs_example_is_OK_with_exit_code_0()
    {
        var (exitCode, output) = await CheckSiteProcess.RunAsync(SiteFileTests.ExampleEnvironment(), Example);

        Assert.Equal($"{Example}: OK — site 'main-street' (Main Street Garage): 2 lanes, 4 cameras, 4 EV bays, 120 ordinary bays, 2 chargers", output.TrimEnd());
        Assert.Equal(0, exitCode);
    }

    [Fact]
    public async Task A_bad_file_prints_each_error_on_its_own_line_with_exit_code_1()
    {
        var bad = Write("bad.site.yaml", """
            id: main-street
            name: Main Street Garage
            timeZone: Europe/Berln
            currency: EUR
            lanes:
              - id: north-in
                direction: entry
                cameras:
                  - { id: cam-a, format: hikvision, key: "a-long-random-camera-key" }
                  - { id: cam-b, format: vivotek, key: "another-long-camera-key" }
            """);

        var (exitCode, output) = await CheckSiteProcess.RunAsync(SiteFileSamples.NoEnvironment, bad);

        Assert.Equal(
            [
                $"{bad}: timeZone: 'Europe/Berln' is not an IANA time zone; did you mean Europe/Berlin? (line 3)",
                $"{bad}: lanes[0].cameras[1].format: 'vivotek' is not one of generic, platerecognizer, hikvision, axis, dahua, openalpr, milesight, mapped (line 10)",
                $"{bad}: 2 errors, 0 warnings",
            ],
            Lines(output));
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public async Task Several_files_are_each_checked_and_one_bad_file_fails_the_run()
    {
        var good = Write("good.json", """{ "id": "small", "name": "Small", "timeZone": "UTC", "currency": "GBP", "lanes": [{ "id": "gate", "direction": "both" }] }""");
        var missing = Path.Combine(_folder.FullName, "missing.yaml");

        var (exitCode, output) = await CheckSiteProcess.RunAsync(SiteFileSamples.NoEnvironment, good, missing);

        var lines = Lines(output);
        Assert.Equal($"{good}: OK — site 'small' (Small): 1 lane, 0 cameras, 0 EV bays, 0 ordinary bays, 0 chargers", lines[0]);
        Assert.Equal($"{good}: warning: lanes[0]: lane 'gate' has no camera: vehicles using it are not seen (line 1)", lines[1]);
        Assert.StartsWith($"{missing}: cannot read the file:", lines[2], StringComparison.Ordinal);
        Assert.Equal($"{missing}: 1 error, 0 warnings", lines[3]);
        Assert.Equal(1, exitCode);
    }

    [Fact]
    public void Missing_environment_variables_fail_the_check_in_process_too()
    {
        using var output = new StringWriter();

        var exitCode = CheckSiteCommand.Run([Example], SiteFileSamples.NoEnvironment, output);

        Assert.Equal(1, exitCode);
        Assert.Contains($"{Example}: lanes[0].cameras[0].key: environment variable 'CAM_NORTH_IN_KEY' is not set (line ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_with_tariffs_says_how_many_of_each_it_has()
    {
        var example = Path.Combine(Repository.Root, "docs", "examples", "city-centre.site.yaml");
        using var output = new StringWriter();

        var exitCode = CheckSiteCommand.Run([example], Billing.BillingExamples.Environment, output);

        Assert.Equal(
            $"{example}: OK — site 'city-centre' (City Centre Car Park): 2 lanes, 4 cameras, 3 EV bays, 177 ordinary bays, 2 chargers; tariffs: 2 parking tariffs, 2 charging tariffs, 2 permits",
            output.ToString().TrimEnd());
        Assert.Equal(0, exitCode);
    }

    public void Dispose() => _folder.Delete(recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string[] Lines(string output) => output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
