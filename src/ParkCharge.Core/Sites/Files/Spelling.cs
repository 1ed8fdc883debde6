namespace ParkCharge.Core.Sites.Files;

/// <summary>"Did you mean ...?": the known name closest to a misspelt one, when one is close enough to be a typo.</summary>
public static class Spelling
{
    /// <summary>At most this many edits make a typo (see <see cref="Closest"/>).</summary>
    private const int MaxEdits = 3;

    public static string? Closest(string written, IEnumerable<string> known)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        var upper = (string?)null;
        foreach (var candidate in known)
        {
            // Texts whose lengths differ by more edits than a typo has are no typos of each other: skipping them
            // keeps the cost linear in what was written, however long (a megabyte "time zone" included).
            if (Math.Abs(written.Length - candidate.Length) > MaxEdits)
            {
                continue;
            }

            upper ??= written.ToUpperInvariant();
            var distance = Distance(upper, candidate.ToUpperInvariant());
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        // A third of the name may be wrong (at most three edits): "bindingWindw", "Europe/Berln", "EURO".
        return best is not null && bestDistance <= Math.Clamp(best.Length / 3, 1, MaxEdits) ? best : null;
    }

    /// <summary>Edits (insert, delete, substitute, swap two neighbours) that turn one text into the other.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
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
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
