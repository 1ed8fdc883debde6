using System.Collections.Immutable;
using System.Globalization;

namespace ParkCharge.Core.Charging;

/// <summary>An inclusive run of OCPP 2.0.1 TransactionEvent seqNos, e.g. 3–7.</summary>
public readonly record struct SeqNoRange(int First, int Last)
{
    /// <summary>How many seqNos the run holds (up to 2^32, hence a long).</summary>
    public long Count => (long)Last - First + 1;

    public bool Contains(int seqNo) => seqNo >= First && seqNo <= Last;

    /// <summary><c>4</c> for one seqNo, <c>3-7</c> for a run (the form the projection stores).</summary>
    public override string ToString() => First == Last
        ? First.ToString(CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{First}-{Last}");
}

/// <summary>What happened to a seqNo offered to <see cref="SeqNoLedger.Add"/>.</summary>
public enum SeqNoOutcome
{
    /// <summary>Recorded: it was not seen before.</summary>
    Added,

    /// <summary>Seen before: the event is a repeat.</summary>
    Duplicate,

    /// <summary>
    /// Negative, or further from the transaction's other seqNos than any real charger numbers its
    /// events: not recorded (it must not open a gap of two billion), the event itself still counts.
    /// </summary>
    Implausible,

    /// <summary>
    /// Would have made the transaction's seqNos more than <see cref="SeqNoLedger.MaxRanges"/> separate
    /// runs: not recorded (memory per transaction stays bounded), the event itself still counts.
    /// </summary>
    Untracked,
}

/// <summary>
/// The seqNos of one 2.0.1 transaction, kept as a few sorted, separate runs rather than one entry per
/// number: a charger (or anyone with its identity) can send seqNo 0 and then 2,147,483,647, and a
/// gap must cost as much memory as any other. Gaps are what lies between the runs.
/// </summary>
public static class SeqNoLedger
{
    /// <summary>At most this many separate runs per transaction (so at most one fewer gaps).</summary>
    public const int MaxRanges = 32;

    /// <summary>
    /// A seqNo further than this from the transaction's lowest or highest is not a lost event but a
    /// broken or hostile counter (a day of events every second is 86,400).
    /// </summary>
    public const int MaxJump = 100_000;

    public static bool Contains(ImmutableArray<SeqNoRange> runs, int seqNo) => IndexOf(runs, seqNo) >= 0;

    /// <summary>The highest seqNo recorded; null when none is.</summary>
    public static int? Highest(ImmutableArray<SeqNoRange> runs) => runs.IsEmpty ? null : runs[^1].Last;

    /// <summary>Records <paramref name="seqNo"/> in <paramref name="runs"/>, merging runs it joins.</summary>
    public static SeqNoOutcome Add(ImmutableArray<SeqNoRange> runs, int seqNo, out ImmutableArray<SeqNoRange> result)
    {
        result = runs;
        if (IndexOf(runs, seqNo) >= 0)
        {
            return SeqNoOutcome.Duplicate;
        }

        if (seqNo < 0 || (!runs.IsEmpty && ((long)runs[0].First - seqNo > MaxJump || (long)seqNo - runs[^1].Last > MaxJump)))
        {
            return SeqNoOutcome.Implausible;
        }

        // The first run that ends at or after seqNo - 1: seqNo extends it, or goes just before it.
        var i = 0;
        while (i < runs.Length && (long)runs[i].Last < (long)seqNo - 1)
        {
            i++;
        }

        var joinsBefore = i < runs.Length && runs[i].Last == seqNo - 1;
        var joinsAfter = i + (joinsBefore ? 1 : 0) < runs.Length && runs[i + (joinsBefore ? 1 : 0)].First == (long)seqNo + 1;
        if (joinsBefore && joinsAfter)
        {
            result = runs.RemoveAt(i + 1).SetItem(i, new SeqNoRange(runs[i].First, runs[i + 1].Last));
        }
        else if (joinsBefore)
        {
            result = runs.SetItem(i, runs[i] with { Last = seqNo });
        }
        else if (joinsAfter)
        {
            result = runs.SetItem(i, runs[i] with { First = seqNo });
        }
        else if (runs.Length >= MaxRanges)
        {
            return SeqNoOutcome.Untracked;
        }
        else
        {
            result = runs.Insert(i, new SeqNoRange(seqNo, seqNo));
        }

        return SeqNoOutcome.Added;
    }

    /// <summary>The gaps: seqNos between the lowest and the highest recorded that never arrived.</summary>
    public static ImmutableArray<SeqNoRange> Missing(ImmutableArray<SeqNoRange> runs)
    {
        if (runs.Length < 2)
        {
            return [];
        }

        var gaps = ImmutableArray.CreateBuilder<SeqNoRange>(runs.Length - 1);
        for (var i = 1; i < runs.Length; i++)
        {
            gaps.Add(new SeqNoRange(runs[i - 1].Last + 1, runs[i].First - 1));
        }

        return gaps.MoveToImmutable();
    }

    /// <summary>How many seqNos the gaps hold.</summary>
    public static long Count(ImmutableArray<SeqNoRange> runs)
    {
        var count = 0L;
        foreach (var run in runs)
        {
            count += run.Count;
        }

        return count;
    }

    private static int IndexOf(ImmutableArray<SeqNoRange> runs, int seqNo)
    {
        int low = 0, high = runs.Length - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) / 2);
            if (seqNo < runs[mid].First)
            {
                high = mid - 1;
            }
            else if (seqNo > runs[mid].Last)
            {
                low = mid + 1;
            }
            else
            {
                return mid;
            }
        }

        return -1;
    }
}
