using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;

namespace ParkCharge.Core.Tests.SiteFiles;

/// <summary>The site file's <c>cameraHealth</c> section: defaults without it, every value read, every mistake named by path and line.</summary>
public sealed class CameraHealthSettingsTests
{
    private static SiteFileResult Validate(string? cameraHealth) => SiteFileSection.Validate(cameraHealth);

    [Fact]
    public void Without_the_section_every_setting_has_its_default_and_no_opening_hours()
    {
        var result = Validate(null);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(new CameraHealthSettings(), result.Configuration!.CameraHealth);
        Assert.Null(result.Configuration.CameraHealth!.OpeningHours);
    }

    [Fact]
    public void Every_setting_is_read_and_24_00_is_the_end_of_the_day()
    {
        var result = Validate("""
            cameraHealth:
              silentAfter: 45m
              openingHours: { from: "06:30", to: "24:00" }
              silentAmidTraffic: 8
              silentAmidCharges: 0
              minimumSilence: 15m
              maxClockOffset: 30s
              degradedShare: 0.4
              qualityWindow: 30
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(
            new CameraHealthSettings
            {
                SilentAfter = TimeSpan.FromMinutes(45),
                OpeningHours = new OpeningHours(new TimeOnly(6, 30), TimeOnly.MinValue),
                SilentAmidTraffic = 8,
                SilentAmidCharges = 0,
                MinimumSilence = TimeSpan.FromMinutes(15),
                MaxClockOffset = TimeSpan.FromSeconds(30),
                DegradedShare = 0.4,
                QualityWindow = 30,
            },
            result.Configuration!.CameraHealth);
    }

    [Fact]
    public void Each_mistake_is_named_by_its_path_and_line()
    {
        var result = Validate("""
            cameraHealth:
              silentAfter: 0s
              openingHours: { from: "7:00" }
              silentAmidTraffic: -1
              maxClockOffset: soon
              degradedShare: 1.5
              qualityWindow: 1
              silentAfterr: 1h
            """);

        Assert.False(result.IsValid);
        var problems = result.Errors.Select(e => (e.Path, e.Line)).ToList();
        Assert.Contains(("cameraHealth.silentAfter", 8), problems);
        Assert.Contains(("cameraHealth.openingHours.to", 9), problems);
        Assert.Contains(("cameraHealth.openingHours.from", 9), problems);
        Assert.Contains(("cameraHealth.silentAmidTraffic", 10), problems);
        Assert.Contains(("cameraHealth.maxClockOffset", 11), problems);
        Assert.Contains(("cameraHealth.degradedShare", 12), problems);
        Assert.Contains(("cameraHealth.qualityWindow", 13), problems);
        Assert.Contains(result.Errors, e => e.Line == 14 && e.Message.Contains("silentAfter", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "cameraHealth.openingHours.from" && e.Message.Contains("did you mean 07:00", StringComparison.Ordinal));
    }
}
