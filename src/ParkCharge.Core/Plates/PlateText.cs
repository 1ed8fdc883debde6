using System.Globalization;
using System.Text;

namespace ParkCharge.Core.Plates;

/// <summary>
/// A licence plate as read: the raw text exactly as the camera sent it, and the normalised form
/// used for matching (upper case, letters and digits only; DESIGN.md §2). Plates are personal data.
/// </summary>
public readonly record struct PlateText
{
    private PlateText(string raw, string normalized)
    {
        Raw = raw;
        Normalized = normalized;
    }

    /// <summary>As the camera sent it.</summary>
    public string Raw { get; }

    /// <summary>Upper-case letters and digits, diacritics folded: "ab-12 cd" and "AB 12CD" are both "AB12CD".</summary>
    public string Normalized { get; }

    /// <summary>Nothing readable: cameras send empty text, "unknown" markers or only punctuation.</summary>
    public bool IsUnreadable => Normalized.Length == 0;

    public static PlateText Of(string? raw)
    {
        raw ??= "";
        return new PlateText(raw, Normalize(raw));
    }

    /// <summary>
    /// Upper case, letters and digits only. Diacritics are folded (Ö → O) because cameras differ in
    /// whether they read them, and a Cyrillic or Greek letter that looks like a Latin one is mapped to it
    /// (cameras trained on one alphabet read the other as its look-alike).
    /// </summary>
    public static string Normalize(string raw)
    {
        var decomposed = raw.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            var upper = char.ToUpperInvariant(c);
            upper = LatinLookAlike(upper);
            if (upper is (>= 'A' and <= 'Z') or (>= '0' and <= '9'))
            {
                builder.Append(upper);
            }
        }

        return builder.ToString();
    }

    public override string ToString() => Normalized;

    /// <summary>Cyrillic and Greek capitals that are printed like Latin ones on plates.</summary>
    private static char LatinLookAlike(char c) => c switch
    {
        'А' or 'Α' => 'A',
        'В' or 'Β' => 'B',
        'Е' or 'Ε' => 'E',
        'К' or 'Κ' => 'K',
        'М' or 'Μ' => 'M',
        'Н' or 'Η' => 'H',
        'О' or 'Ο' => 'O',
        'Р' or 'Ρ' => 'P',
        'С' => 'C',
        'Т' or 'Τ' => 'T',
        'У' => 'Y',
        'Х' or 'Χ' => 'X',
        'Ι' => 'I',
        'Ζ' => 'Z',
        'Ν' => 'N',
        _ => c,
    };
}
