namespace ParkCharge.Anpr.Tests;

/// <summary>How capture times are read: with their offset, or as UTC where the vendor says so.</summary>
public sealed class CaptureTimeTests
{
    [Theory]
    [InlineData("2026-03-02T08:15:00+01:00", 8, 15, 0, 0, 60)]
    [InlineData("2026-03-02T08:15:00.25-05:00", 8, 15, 0, 250, -300)]
    [InlineData("2026-03-02T07:15:00Z", 7, 15, 0, 0, 0)]
    [InlineData("2026-03-02T17:48:03.847+01:00", 17, 48, 3, 847, 60)]
    public void A_time_with_offset_keeps_its_offset(string text, int hour, int minute, int second, int millisecond, int offsetMinutes)
    {
        Assert.True(CaptureTime.TryParseWithOffset(text, out var time));

        Assert.Equal(new DateTimeOffset(2026, 3, 2, hour, minute, second, millisecond, TimeSpan.FromMinutes(offsetMinutes)), time);
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), time.Offset);
    }

    [Theory]
    [InlineData("2026-03-02T08:15:00")]
    [InlineData("2026-03-02 08:15:00+01:00")]
    [InlineData("2026-03-02T08:15:00+0100")]
    [InlineData("2026-03-02")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void A_time_without_offset_or_not_ISO_8601_is_not_a_time_with_offset(string text)
    {
        Assert.False(CaptureTime.TryParseWithOffset(text, out _));
    }

    [Theory]
    [InlineData("2025-09-09 23:22:38.030345")]
    [InlineData("2025-09-09T23:22:38.030345")]
    [InlineData("2025-09-09T23:22:38.030345Z")]
    [InlineData("2025-09-10 01:22:38.030345+02:00")]
    public void Plate_Recognizer_times_without_offset_are_UTC(string text)
    {
        Assert.True(CaptureTime.TryParseAssumingUtc(text, out var time));

        Assert.Equal(new DateTimeOffset(2025, 9, 9, 23, 22, 38, TimeSpan.Zero).AddTicks(303_450), time);
    }
}
