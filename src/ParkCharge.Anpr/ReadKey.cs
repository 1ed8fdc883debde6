using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using ParkCharge.Anpr.Body;
using ParkCharge.Core.Plates;

namespace ParkCharge.Anpr;

/// <summary>
/// The idempotency key of a report (DESIGN.md §2: "camera read id or a hash of camera+plate+time").
/// A camera's own read id is the best key: it names the read whatever else changes between retries.
/// Without one, the key hashes what identifies the read: its kind, the normalised plate (so "B-CD 1234"
/// and "bcd1234" sent twice are one read), the zone, the capture instant (UTC ticks: the same instant
/// written with another offset is the same read) and the read's index in the push (two reads in one
/// push may share plate and time). A push without capture times hashes the whole body instead of the
/// time: a byte-for-byte repeat is then still recognised, while two such pushes hours apart are not
/// collapsed into one just because they read the same plate.
/// </summary>
internal static class ReadKey
{
    public static string Of(string camera, string? readId, string kind, string plate, string? zone, DateTimeOffset? capturedAt, int index, PushContent push)
    {
        if (!string.IsNullOrEmpty(readId))
        {
            return $"{camera}:{readId}";
        }

        string when = capturedAt is { } instant
            ? instant.UtcTicks.ToString(CultureInfo.InvariantCulture)
            : $"push:{push.Fingerprint}";
        string material = string.Join('\n', kind, PlateText.Normalize(plate), zone ?? "", when, index.ToString(CultureInfo.InvariantCulture));
        return $"{camera}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))}";
    }
}
