using System.Collections.Immutable;
using System.Globalization;

using ParkCharge.Core.Charging;

namespace ParkCharge.Storage.Queries;

/// <summary>
/// How a session's missing 2.0.1 seqNos are kept in the projection's <c>missing_seq_nos</c> column:
/// runs such as <c>1,4-9,12</c> (at most <see cref="SeqNoLedger.MaxRanges"/> of them, whatever numbers a
/// charger sends). Versions before runs stored every number (<c>1,4,5,6</c>, negatives possible); those
/// rows still read, as runs.
/// </summary>
public static class SeqNoRuns
{
    /// <summary>The API lists at most this many missing seqNos one by one (the runs give all of them).</summary>
    public const int ListedMissing = 100;

    public static string Format(ImmutableArray<SeqNoRange> runs) => string.Join(",", runs);

    /// <summary>Reads the column; anything unreadable in it is skipped rather than failing the query.</summary>
    public static ImmutableArray<SeqNoRange> Parse(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return [];
        }

        var runs = new List<SeqNoRange>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1); // a leading '-' is a sign (older rows could hold negative numbers)
            var first = dash < 0 ? part : part[..dash];
            var last = dash < 0 ? part : part[(dash + 1)..];
            if (int.TryParse(first, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(last, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var to) && from <= to)
            {
                if (runs.Count > 0 && runs[^1].Last < from && (long)runs[^1].Last + 1 == from)
                {
                    runs[^1] = runs[^1] with { Last = to };
                }
                else
                {
                    runs.Add(new SeqNoRange(from, to));
                }
            }
        }

        return [.. runs];
    }

    /// <summary>The first <see cref="ListedMissing"/> numbers of the runs.</summary>
    public static IReadOnlyList<int> Listed(ImmutableArray<SeqNoRange> runs)
    {
        var listed = new List<int>();
        foreach (var run in runs)
        {
            for (long n = run.First; n <= run.Last && listed.Count < ListedMissing; n++)
            {
                listed.Add((int)n);
            }
        }

        return listed;
    }
}
