using System.Security.Cryptography;
using System.Text;

using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Engine;

/// <summary>
/// Ids derived from log positions: deterministic (a replay gives the same ids), unique across sites,
/// and opaque so that nobody builds on their shape.
/// </summary>
public static class Ids
{
    /// <summary>
    /// The id of the <paramref name="index"/>-th thing of a kind the observation at <paramref name="seq"/>
    /// created, e.g. a charging session.
    /// </summary>
    public static string For(SiteId site, string kind, long seq, int index = 0) => Hash(index == 0
        ? FormattableString.Invariant($"{kind}|{site.Value}|{seq}")
        : FormattableString.Invariant($"{kind}|{site.Value}|{seq}|{index}"));

    /// <summary>The stable id of the site's event number <paramref name="eventSeq"/>, for consumers to de-duplicate.</summary>
    public static string Event(SiteId site, long eventSeq) => For(site, "event", eventSeq);

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
