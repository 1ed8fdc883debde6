using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ParkCharge.Server.Webhooks;

/// <summary>
/// How a delivery is signed: <c>ParkCharge-Signature: v1=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))</c>
/// with the Unix time in <c>ParkCharge-Timestamp</c>. Signing the timestamp with the body lets a receiver
/// refuse a captured delivery replayed later (docs/integrators.md shows the check).
/// </summary>
public static class WebhookSignature
{
    public const string Scheme = "v1";

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return $"{Scheme}={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed))}";
    }

    /// <summary>
    /// The receiver's check: the timestamp is within <paramref name="tolerance"/> of <paramref name="now"/>
    /// and one of the header's signatures (comma-separated) is the expected one, compared in constant time.
    /// </summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || Math.Abs(now.ToUnixTimeSeconds() - timestamp) > tolerance.TotalSeconds
            || string.IsNullOrEmpty(signatureHeader))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, timestamp, body));
        foreach (var candidate in signatureHeader.Split(',', StringSplitOptions.TrimEntries))
        {
            if (CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(candidate)))
            {
                return true;
            }
        }

        return false;
    }
}
