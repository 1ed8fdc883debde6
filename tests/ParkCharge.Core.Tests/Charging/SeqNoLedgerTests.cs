using System.Collections.Immutable;

using CsCheck;

using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Tests.Charging;

public sealed class SeqNoLedgerTests
{
    [Fact]
    public void A_jump_from_0_to_the_largest_int_is_refused_as_implausible_and_costs_nothing()
    {
        SeqNoLedger.Add([], 0, out var runs);

        var outcome = SeqNoLedger.Add(runs, int.MaxValue, out var after);

        Assert.Equal(SeqNoOutcome.Implausible, outcome);
        Assert.Equal([new SeqNoRange(0, 0)], after);
        Assert.Empty(SeqNoLedger.Missing(after));
    }

    [Fact]
    public void A_first_seqNo_of_the_largest_int_followed_by_minus_one_keeps_one_run()
    {
        SeqNoLedger.Add([], int.MaxValue, out var runs);

        Assert.Equal(SeqNoOutcome.Implausible, SeqNoLedger.Add(runs, -1, out var after));
        Assert.Equal(SeqNoOutcome.Implausible, SeqNoLedger.Add(after, 0, out after));
        Assert.Equal(SeqNoOutcome.Added, SeqNoLedger.Add(after, int.MaxValue - 1, out after));
        Assert.Equal([new SeqNoRange(int.MaxValue - 1, int.MaxValue)], after);
    }

    [Fact]
    public void A_gap_is_one_run_however_wide()
    {
        SeqNoLedger.Add([], 0, out var runs);
        SeqNoLedger.Add(runs, SeqNoLedger.MaxJump, out runs);

        var missing = SeqNoLedger.Missing(runs);

        Assert.Equal([new SeqNoRange(1, SeqNoLedger.MaxJump - 1)], missing);
        Assert.Equal(SeqNoLedger.MaxJump - 1, SeqNoLedger.Count(missing));
    }

    [Fact]
    public void Beyond_the_maximum_number_of_runs_a_new_separate_seqNo_is_untracked_but_neighbours_still_join()
    {
        ImmutableArray<SeqNoRange> runs = [];
        for (var n = 0; n < SeqNoLedger.MaxRanges * 2; n += 2)
        {
            Assert.Equal(SeqNoOutcome.Added, SeqNoLedger.Add(runs, n, out runs));
        }

        Assert.Equal(SeqNoOutcome.Untracked, SeqNoLedger.Add(runs, 1000, out var untracked));
        Assert.Equal(runs, untracked);
        Assert.Equal(SeqNoOutcome.Added, SeqNoLedger.Add(runs, 1, out var joined));
        Assert.Equal(SeqNoLedger.MaxRanges - 1, joined.Length);
    }

    [Fact]
    public void Runs_agree_with_a_plain_set_for_any_order_of_plausible_seqNos()
    {
        Gen.Int[0, 300].Array[0, 200].Sample(numbers =>
        {
            ImmutableArray<SeqNoRange> runs = [];
            var seen = new SortedSet<int>();
            foreach (var n in numbers)
            {
                var outcome = SeqNoLedger.Add(runs, n, out var next);
                if (outcome == SeqNoOutcome.Untracked)
                {
                    continue; // the set would need more runs than are kept
                }

                Assert.Equal(seen.Contains(n) ? SeqNoOutcome.Duplicate : SeqNoOutcome.Added, outcome);
                seen.Add(n);
                runs = next;
            }

            Assert.Equal(seen, runs.SelectMany(r => Enumerable.Range(r.First, r.Last - r.First + 1)));
            Assert.True(runs.Length <= SeqNoLedger.MaxRanges);
            var missing = seen.Count == 0 ? 0 : seen.Max - seen.Min + 1 - seen.Count;
            Assert.Equal(missing, SeqNoLedger.Count(SeqNoLedger.Missing(runs)));
            Assert.All(runs.Zip(runs.Skip(1)), pair => Assert.True((long)pair.First.Last + 1 < pair.Second.First));
        });
    }
}
