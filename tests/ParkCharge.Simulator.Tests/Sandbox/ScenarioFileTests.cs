using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Simulator.Scenarios.Files;

namespace ParkCharge.Simulator.Tests.Sandbox;

/// <summary>Scenario files: read with their site, every problem named by its path, secrets filled in.</summary>
public sealed class ScenarioFileTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Fact]
    public void The_demo_scenario_as_shipped_is_valid_with_every_OCPP_version_and_every_camera_format()
    {
        var read = ScenarioFile.Load(Path.Combine(AppContext.BaseDirectory, "Examples", "demo.scenario.yaml"), NoEnvironment);

        Assert.True(read.IsValid, string.Join("\n", read.Problems));
        var scenario = read.Scenario!;
        Assert.Equal(2, scenario.Site.Lanes.Count(l => l.Entry));
        Assert.Equal(2, scenario.Site.Lanes.Count(l => l.Exit));
        Assert.Equal(12, scenario.Site.EvBays.Count);
        Assert.All(scenario.Site.Chargers, c => Assert.Equal(2, scenario.Site.EvBays.Count(b => b.Charger == c.Id)));
        Assert.Contains(scenario.Site.Chargers, c => scenario.VersionOf(c.Id) == OcppVersion.Ocpp16);
        Assert.Contains(scenario.Site.Chargers, c => scenario.VersionOf(c.Id) == OcppVersion.Ocpp201);
        Assert.Contains(scenario.Site.Chargers, c => scenario.VersionOf(c.Id) == OcppVersion.Ocpp21);
        var formats = scenario.Site.Lanes.SelectMany(l => l.Cameras).Concat(scenario.Site.BayCameras.Select(b => b.Camera)).Select(c => c.Format).ToHashSet();
        Assert.Equal([CameraFormat.Generic, CameraFormat.PlateRecognizer, CameraFormat.Hikvision], formats.Order());
    }

    [Fact]
    public void Every_problem_is_reported_at_once_with_its_path()
    {
        using var files = new ScenarioFiles("""
            site: test.site.yaml
            speeed: 10
            arrivals:
              - { from: "08:00", perHour: 10 }
              - { from: "07:00", perHour: -1 }
            evShare: 2
            dwell: { min: 2h, max: 1h }
            charging: { batteryKWh: [40, big] }
            chargers:
              defaultVersion: "1.5"
              versions: { CP-99: "2.0.1" }
            noise: { ocrErrorRate: 1.5, clockSkew: soon }
            """);

        var read = ScenarioFile.Load(files.Path, NoEnvironment);

        Assert.False(read.IsValid);
        var paths = read.Problems.Select(p => p.Path).ToList();
        Assert.Contains("speeed", paths);
        Assert.Contains("duration", paths);
        Assert.Contains("arrivals[1].from", paths);
        Assert.Contains("arrivals[1].perHour", paths);
        Assert.Contains("evShare", paths);
        Assert.Contains("dwell.max", paths);
        Assert.Contains("charging.batteryKWh[1]", paths);
        Assert.Contains("chargers.defaultVersion", paths);
        Assert.Contains("chargers.versions.CP-99", paths);
        Assert.Contains("noise.ocrErrorRate", paths);
        Assert.Contains("noise.clockSkew", paths);
        Assert.All(read.Problems, p => Assert.NotNull(p.Line));
    }

    [Fact]
    public void A_missing_site_file_and_problems_inside_the_site_file_name_the_site()
    {
        using var missing = new ScenarioFiles(ScenarioFiles.Scenario.Replace("site: test.site.yaml", "site: nowhere.yaml", StringComparison.Ordinal));
        var noSite = ScenarioFile.Load(missing.Path, NoEnvironment);
        Assert.Contains(noSite.Problems, p => p.Path == "site" && p.Message.Contains("nowhere.yaml", StringComparison.Ordinal));

        using var broken = new ScenarioFiles(site: ScenarioFiles.Site
            .Replace("format: hikvision, key: \"${CAM_IN_KEY}\"", "format: axis, key: \"${CAM_IN_KEY}\"", StringComparison.Ordinal)
            .Replace("timeZone: Europe/Berlin", "timeZone: Mars/Olympus", StringComparison.Ordinal));
        var badSite = ScenarioFile.Load(broken.Path, NoEnvironment);
        Assert.Contains(badSite.Problems, p => p.Path == "site (test.site.yaml): lanes[0].cameras[0].format");
        Assert.Contains(badSite.Problems, p => p.Path == "site (test.site.yaml): timeZone");
    }

    [Fact]
    public void A_site_without_an_exit_lane_cannot_be_simulated()
    {
        using var files = new ScenarioFiles(site: ScenarioFiles.Site.Replace("direction: exit", "direction: entry", StringComparison.Ordinal));

        var read = ScenarioFile.Load(files.Path, NoEnvironment);

        Assert.Contains(read.Problems, p => p.Path == "site" && p.Message.Contains("exit lane", StringComparison.Ordinal));
    }

    [Fact]
    public void Secrets_come_from_the_environment_or_are_made_up_once_per_name()
    {
        using var files = new ScenarioFiles();

        var read = ScenarioFile.Load(files.Path, name => name == "CAM_IN_KEY" ? "key-from-the-environment-123" : null);

        var site = read.Scenario!.Site;
        Assert.Equal("key-from-the-environment-123", site.Lanes[0].Cameras[0].Key);
        Assert.DoesNotContain("${", site.Document, StringComparison.Ordinal);
        Assert.Contains("key-from-the-environment-123", site.Document, StringComparison.Ordinal);
        var made = site.Secrets["CAM_EV_KEY"];
        Assert.True(made.Length is >= 16 and <= 40, "a made-up secret is a valid camera key and charger password");
        Assert.Equal(made, site.BayCameras.Single(c => c.Camera.Id == "cam-ev-1-2").Camera.Key);
        Assert.NotEqual(made, site.BayCameras.Single(c => c.Camera.Id == "cam-ev-3").Camera.Key);
        Assert.Null(site.Chargers.Single(c => c.Id == "CP-B").Password);
        Assert.Equal(1, site.Chargers.Single(c => c.Id == "CP-A").SecurityProfile);
    }

    [Fact]
    public void The_site_file_is_checked_as_the_node_checks_it_with_the_same_words()
    {
        // Two cameras with one key: the node refuses the site (a read could not tell which camera sent it), so the simulator does too, before the run.
        using var files = new ScenarioFiles(site: ScenarioFiles.Site.Replace("${CAM_EV_3_KEY}", "${CAM_EV_KEY}", StringComparison.Ordinal)
            .Replace("connector: 2 }", "connector: 2, neighbours: [EV-9] }", StringComparison.Ordinal));

        var read = ScenarioFile.Load(files.Path, NoEnvironment);

        Assert.False(read.IsValid);
        Assert.Contains(read.Problems, p => p.Path == "site (test.site.yaml): bayCameras[1].key" && p.Message.StartsWith("is the same key as bayCameras[0]'s", StringComparison.Ordinal));
        Assert.Contains(read.Problems, p => p.Path == "site (test.site.yaml): evBays[1].neighbours[0]" && p.Message == "bay 'EV-9' is not listed under evBays" && p.Line == 18);
    }

    [Fact]
    public void A_camera_given_only_by_its_key_hash_cannot_be_pushed_by_the_simulator()
    {
        using var files = new ScenarioFiles(site: ScenarioFiles.Site.Replace("key: \"${CAM_OUT_KEY}\"", "keyHash: \"" + new string('a', 64) + "\"", StringComparison.Ordinal));

        var read = ScenarioFile.Load(files.Path, NoEnvironment);

        var problem = Assert.Single(read.Problems);
        Assert.Equal("site (test.site.yaml): lanes[1].cameras[0].key", problem.Path);
        Assert.Contains("the simulator pushes with the camera's key", problem.Message, StringComparison.Ordinal);
    }
}
