using ParkCharge.Core.Sites.Files;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>Durations in every notation a site file accepts.</summary>
public sealed class SiteFileDurationTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("2m", 120)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h 30m", 5400)]
    [InlineData("3d", 259_200)]
    [InlineData("1d12h", 129_600)]
    [InlineData("1.5h", 5400)]
    [InlineData("500ms", 0.5)]
    [InlineData("1m30s", 90)]
    [InlineData("0s", 0)]
    [InlineData("PT2M", 120)]
    [InlineData("PT1H30M", 5400)]
    [InlineData("P3D", 259_200)]
    [InlineData("P1DT12H", 129_600)]
    [InlineData("P1W", 604_800)]
    [InlineData("PT0.5S", 0.5)]
    [InlineData("pt10m", 600)]
    [InlineData("120", 120)]
    [InlineData("1.25", 1.25)]
    [InlineData("-5m", -300)]
    public void Each_notation_reads_as_its_length(string text, double seconds)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("2 minutes")]
    [InlineData("m")]
    [InlineData("30m1h")]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("1e3")]
    [InlineData("99999999999999d")]
    public void What_is_not_a_duration_is_refused(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(90, "1m30s")]
    [InlineData(5400, "1h30m")]
    [InlineData(259_200, "3d")]
    [InlineData(0.25, "0.25s")]
    [InlineData(-120, "-2m")]
    public void Durations_are_written_in_the_shortest_compact_form_and_read_back(double seconds, string expected)
    {
        var text = Durations.Format(TimeSpan.FromSeconds(seconds));

        Assert.Equal(expected, text);
        Assert.True(Durations.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromSeconds(seconds), back);
    }

    [Fact]
    public void A_number_of_seconds_in_a_site_file_is_a_duration()
    {
        var result = SiteFileSamples.Parse(SiteFileSamples.MinimalYaml + "\nsettings: { bindingWindow: 45, sightingGap: 2.5 }\n");

        Assert.Equal((TimeSpan.FromSeconds(45), TimeSpan.FromSeconds(2.5)), (result.Configuration!.Settings.BindingWindow, result.Configuration.Settings.SightingGap));
    }
}
