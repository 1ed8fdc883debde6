using System.Security.Cryptography;
using System.Text;

namespace ParkCharge.Core.Privacy;

/// <summary>
/// The pseudonym that replaces a plate once its retention period ends: <c>PSN</c> and 20 characters of
/// base32 of HMAC-SHA256(site secret, normalised plate). Letters and digits only, so it survives plate
/// normalisation and a pseudonymised log replays as it did; 23 characters, longer than any plate, so it
/// is never mistaken for one. The engine never matches a pseudonym to anything by OCR look-alike: that
/// would link a stranger's plate to a past stay by chance.
/// <para>
/// A stay's misreads ("AB12CD" read "AB12C0") get <see cref="Variant"/>s of the stay's pseudonym: the pseudonym,
/// <c>V</c> and four characters of the keyed hash of the misread. A variant is the same vehicle as its stay's
/// pseudonym and its other variants and nothing else, so a replay of a pseudonymised log matches a misread
/// exit as it did (by similarity, flagged so) and gives the same bills.
/// </para>
/// </summary>
public static class Pseudonyms
{
    public const string Prefix = "PSN";

    public const int Length = 23;

    public const int VariantLength = Length + 5;

    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The pseudonym of a normalised plate under a site's secret (empty stays empty: an unreadable plate names nobody).</summary>
    public static string Of(ReadOnlySpan<byte> secret, string normalizedPlate)
    {
        if (normalizedPlate.Length == 0)
        {
            return "";
        }

        return Prefix + Hash(secret, normalizedPlate, Length - Prefix.Length);
    }

    /// <summary>The pseudonym of a misread of the stay whose pseudonym is <paramref name="pseudonym"/>.</summary>
    public static string Variant(ReadOnlySpan<byte> secret, string pseudonym, string normalizedMisread) =>
        normalizedMisread.Length == 0 ? "" : pseudonym + "V" + Hash(secret, "misread\n" + normalizedMisread, 4);

    /// <summary>True when both are pseudonyms of one stay (its own or a variant of it).</summary>
    public static bool AreOneStay(string a, string b) =>
        IsPseudonym(a) && IsPseudonym(b) && string.CompareOrdinal(a, 0, b, 0, Length) == 0;

    private static string Hash(ReadOnlySpan<byte> secret, string text, int characters)
    {
        Span<byte> digest = stackalloc byte[32];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(text), digest);
        var builder = new StringBuilder(characters);
        var bits = 0;
        var buffer = 0;
        foreach (var b in digest)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5 && builder.Length < characters)
            {
                builder.Append(Base32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        return builder.ToString();
    }

    /// <summary>True for a pseudonym made by <see cref="Of"/> or <see cref="Variant"/>.</summary>
    public static bool IsPseudonym(string? plate)
    {
        if (plate is not { Length: Length or VariantLength } || !plate.StartsWith(Prefix, StringComparison.Ordinal) || (plate.Length == VariantLength && plate[Length] != 'V'))
        {
            return false;
        }

        for (var i = Prefix.Length; i < plate.Length; i++)
        {
            if (i != Length && !Base32.Contains(plate[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
