using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;

namespace ParkCharge.Core.Tests.SiteFiles;

/// <summary>The site file's <c>inferredStays</c> section: defaults without it, every value read, every mistake named by path and line.</summary>
public sealed class InferredStaySettingsTests
{
    private static SiteFileResult Validate(string? inferredStays) => SiteFileSection.Validate(inferredStays);

    [Fact]
    public void Without_the_section_inferred_stays_are_on_with_their_defaults()
    {
        var result = Validate(null);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var settings = result.Configuration!.InferredStays;
        Assert.Equal(new InferredStaySettings(), settings);
        Assert.Equal((true, TimeSpan.FromHours(12), TimeSpan.FromMinutes(30), TimeSpan.FromHours(24), true),
            (settings!.Enabled, settings.LookBack, settings.LeftBayGrace, settings.OpenLimit, settings.BillInferredEntry));
    }

    [Fact]
    public void Every_setting_is_read()
    {
        var result = Validate("""
            inferredStays:
              enabled: false
              lookBack: 6h
              leftBayGrace: 20m
              openLimit: 2d
              billInferredEntry: false
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Equal(
            new InferredStaySettings
            {
                Enabled = false,
                LookBack = TimeSpan.FromHours(6),
                LeftBayGrace = TimeSpan.FromMinutes(20),
                OpenLimit = TimeSpan.FromDays(2),
                BillInferredEntry = false,
            },
            result.Configuration!.InferredStays);
    }

    [Fact]
    public void Each_mistake_is_named_by_its_path_and_line()
    {
        var result = Validate("""
            inferredStays:
              enabled: maybe
              lookBack: 0s
              leftBayGrace: soon
              openLimit: 8d
              billInferredEntry: 1
              lookback: 1h
            """);

        Assert.False(result.IsValid);
        var problems = result.Errors.Select(e => (e.Path, e.Line)).ToList();
        Assert.Contains(("inferredStays.enabled", 8), problems);
        Assert.Contains(("inferredStays.lookBack", 9), problems);
        Assert.Contains(("inferredStays.leftBayGrace", 10), problems);
        Assert.Contains(("inferredStays.openLimit", 11), problems);
        Assert.Contains(("inferredStays.billInferredEntry", 12), problems);
        Assert.Contains(result.Errors, e => e.Line == 13 && e.Message.Contains("lookBack", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Path == "inferredStays.openLimit" && e.Message.Contains("at most 7d", StringComparison.Ordinal));
    }
}
