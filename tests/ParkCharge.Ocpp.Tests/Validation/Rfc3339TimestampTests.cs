using System.Text;

using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

public sealed class Rfc3339TimestampTests
{
    [Theory]
    [InlineData("2024-05-01T10:15:30Z")]
    [InlineData("2024-05-01t10:15:30z")]
    [InlineData("2024-05-01 10:15:30Z")]
    [InlineData("2024-05-01T10:15:30.1Z")]
    [InlineData("2024-05-01T10:15:30.123456789012Z")]
    [InlineData("2024-05-01T10:15:30+02:00")]
    [InlineData("2024-05-01T10:15:30-00:00")]
    [InlineData("2024-05-01T10:15:30+23:59")]
    [InlineData("2024-02-29T00:00:00Z")]
    [InlineData("2016-12-31T23:59:60Z")]
    [InlineData("2016-12-31T18:59:60-05:00")]
    public void Accepts_RFC_3339_date_times(string text)
    {
        Assert.True(Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("2024-05-01T10:15:30")]
    [InlineData("2024-05-01T10:15:30+0200")]
    [InlineData("2024-05-01T10:15:30+02")]
    [InlineData("2024-05-01T10:15Z")]
    [InlineData("2024-05-01_10:15:30Z")]
    [InlineData("2024-05-01T10:15:30.Z")]
    [InlineData("2023-02-29T00:00:00Z")]
    [InlineData("2024-04-31T00:00:00Z")]
    [InlineData("2024-00-10T00:00:00Z")]
    [InlineData("2024-05-01T24:00:00Z")]
    [InlineData("2024-05-01T23:60:00Z")]
    [InlineData("2024-05-01T12:00:60Z")]
    [InlineData("2024-05-01T10:15:30+24:00")]
    [InlineData("2024-05-01T10:15:30+05:60")]
    [InlineData("2024-05-01T10:15:30ZZ")]
    [InlineData("２０２４-05-01T10:15:30Z")]
    [InlineData("")]
    public void Rejects_anything_else(string text)
    {
        Assert.False(Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Theory]
    [InlineData("2024-05-01T10:15:30.25+02:00", "2024-05-01T08:15:30.2500000+00:00")]
    [InlineData("2024-05-01T10:15:30.123456789Z", "2024-05-01T10:15:30.1234567+00:00")]
    [InlineData("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.9999999+00:00")]
    [InlineData("2024-05-01T10:00:00+20:00", "2024-04-30T14:00:00.0000000+00:00")]
    public void Converts_to_the_same_instant(string text, string utc)
    {
        Assert.True(Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out Rfc3339Timestamp timestamp));
        Assert.True(timestamp.TryToDateTimeOffset(out DateTimeOffset value));

        Assert.Equal(utc, value.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("0000-01-01T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    public void Instants_outside_what_DateTimeOffset_holds_do_not_convert(string text)
    {
        Assert.True(Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out Rfc3339Timestamp timestamp));

        Assert.False(timestamp.TryToDateTimeOffset(out _));
    }

    [Theory]
    [InlineData("2024-05-01T10:15:30Z")]
    [InlineData("2024-05-01T10:15:30.5Z")]
    [InlineData("2024-05-01T10:15:30.1234567-03:30")]
    [InlineData("0099-01-01T00:00:00+14:00")]
    public void Formats_back_to_the_shortest_equivalent_text(string text)
    {
        Assert.True(Rfc3339Timestamp.TryParse(Encoding.UTF8.GetBytes(text), out Rfc3339Timestamp timestamp));
        Assert.True(timestamp.TryToDateTimeOffset(out DateTimeOffset value));
        Span<byte> buffer = stackalloc byte[40];

        int length = Rfc3339Timestamp.Format(value, buffer);

        Assert.Equal(text, Encoding.UTF8.GetString(buffer[..length]));
    }
}
