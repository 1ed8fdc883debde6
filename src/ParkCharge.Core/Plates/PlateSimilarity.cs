namespace ParkCharge.Core.Plates;

/// <summary>
/// How alike two normalised plates are, as an OCR engine would confuse them: a weighted edit
/// distance where look-alike substitutions (O/0/D/Q, I/1/L/T, B/8, S/5, Z/2, G/6, A/4, U/V) are
/// cheap, other substitutions and one missing or extra character cost 1. Symmetric; a plate is at
/// distance 0 from itself and nothing is closer to it.
/// </summary>
public static class PlateSimilarity
{
    /// <summary>The cost of confusing two look-alike characters.</summary>
    public const double LookAlikeCost = 0.5;

    /// <summary>
    /// The most two plates may differ and still be taken as the same vehicle: one arbitrary OCR
    /// error, one missing or extra character, or two look-alike confusions.
    /// </summary>
    public const double SameVehicleThreshold = 1.0;

    private static readonly string[] LookAlikeGroups = ["O0DQ", "I1LT", "B8", "S5", "Z2", "G6", "A4", "UV"];

    /// <summary>The weighted edit distance (optimal alignment, with adjacent transpositions costing 1).</summary>
    public static double Distance(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.Ordinal))
        {
            return 0;
        }

        if (Math.Abs(a.Length - b.Length) > 3)
        {
            return Math.Abs(a.Length - b.Length);
        }

        var d = new double[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = d[i - 1, j - 1] + SubstitutionCost(a[i - 1], b[j - 1]);
                var deletion = d[i - 1, j] + 1;
                var insertion = d[i, j - 1] + 1;
                var best = Math.Min(substitution, Math.Min(deletion, insertion));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != a[i - 2])
                {
                    best = Math.Min(best, d[i - 2, j - 2] + 1);
                }

                d[i, j] = best;
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// True when the plates may be the same vehicle read with OCR errors (never for unreadable plates). A
    /// pseudonym (<see cref="Privacy.Pseudonyms"/>) is a hash: a look-alike of it means nothing, and it is the
    /// same vehicle only as itself and the variants (misreads) of its own stay.
    /// </summary>
    public static bool IsSameVehicle(string a, string b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            return false;
        }

        var pseudonyms = (Privacy.Pseudonyms.IsPseudonym(a) ? 1 : 0) + (Privacy.Pseudonyms.IsPseudonym(b) ? 1 : 0);
        return pseudonyms switch
        {
            0 => MayBeWithinThreshold(a, b) && Distance(a, b) <= SameVehicleThreshold,
            2 => Privacy.Pseudonyms.AreOneStay(a, b),
            _ => false,
        };
    }

    /// <summary>
    /// A quick, exact rejection before the edit distance (it is asked for every open session at every
    /// gate read): lengths two apart need two insertions; plates of one length that differ in more than
    /// two places need more than two substitutions (0.5 each at best) or an insertion and a deletion.
    /// </summary>
    private static bool MayBeWithinThreshold(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return Math.Abs(a.Length - b.Length) == 1;
        }

        var differences = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i] && ++differences > 2)
            {
                return false;
            }
        }

        return true;
    }

    public static double SubstitutionCost(char x, char y)
    {
        if (x == y)
        {
            return 0;
        }

        foreach (var group in LookAlikeGroups)
        {
            if (group.Contains(x, StringComparison.Ordinal) && group.Contains(y, StringComparison.Ordinal))
            {
                return LookAlikeCost;
            }
        }

        return 1;
    }
}
