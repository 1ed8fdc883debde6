using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// The small version of the binding-accuracy benchmark (issues 4 and 13): two busy days at a site with 30
/// EV bays, the default seed (one of the development seeds, see bench/README.md), played through the site
/// engine and through the naive baseline.
/// </summary>
public sealed class BindingAccuracyTests(BindingAccuracyTests.SmallBusyDays days) : IClassFixture<BindingAccuracyTests.SmallBusyDays>
{
    private readonly BindingAccuracyResult _result = days.Result;

    [Fact]
    public void The_small_busy_days_have_a_few_hundred_transactions_and_every_awkward_case()
    {
        var day = _result.Day;
        Assert.InRange(day.Transactions.Count, 200, 1000);
        Assert.All(
            [
                TransactionTraits.NeighbourWithin10s, TransactionTraits.OcrError, TransactionTraits.BayReadMissed, TransactionTraits.CameraClockSkewed,
                TransactionTraits.ChargerOffline, TransactionTraits.PlugInBeforeRead, TransactionTraits.ReadBeforePlugIn, TransactionTraits.ParkedLongBeforePlugIn,
                TransactionTraits.SharedToken, TransactionTraits.MovedBays, TransactionTraits.Ocpp201,
                TransactionTraits.PreviousCarReReadLeaving, TransactionTraits.ParkedCarAtServedBay, TransactionTraits.LookAlikeTwin,
                TransactionTraits.PersistentMisread, TransactionTraits.ChargerClockSkewed, TransactionTraits.GateReadWrong,
            ],
            trait => Assert.Contains(day.Transactions, t => t.Traits.HasFlag(trait)));
        Assert.Contains(day.Transactions, t => !t.IsResolvable);
        Assert.True(
            day.Census is
            {
                IceStays: > 0, StaysWithoutCharging: > 0, ChargerOutages: > 0, ConnectorFaults: > 0, SkewedCameras: > 0, SkewedChargers: > 0,
                IceBesideReachOver: > 0, LookAlikeTwins: > 0, MissedEntries: > 0, LeavingReReads: > 0, ReadsAcrossBoundary: > 0,
                PersistentMisreads: > 0, LostVacancies: > 0, ResentChargerMessages: > 0,
            },
            AccuracyReport.Census(day));
    }

    [Fact]
    public void The_engine_binds_no_transaction_to_the_wrong_vehicle_above_the_auto_accept_threshold()
    {
        Assert.True(_result.Engine.WrongConfident == 0, AccuracyReport.Scores(_result) + AccuracyReport.Misses(_result));
    }

    [Fact]
    public void The_engine_binds_at_least_99_5_percent_of_resolvable_transactions_correctly_without_an_operator()
    {
        Assert.True(_result.Engine.ResolvableCorrectShare >= 0.995, AccuracyReport.Scores(_result) + AccuracyReport.Misses(_result));
    }

    [Fact]
    public void Every_binding_window_ends_as_the_host_s_timers_would_end_it()
    {
        Assert.Equal(0, _result.Engine.Unbound);
        Assert.True(_result.Timers > 0);
    }

    [Fact]
    public void The_naive_baseline_binds_confidently_to_the_wrong_vehicle_on_the_same_days()
    {
        Assert.True(_result.Baseline.WrongConfident > 0, AccuracyReport.Scores(_result));
        Assert.True(_result.Baseline.ResolvableCorrectShare < _result.Engine.ResolvableCorrectShare - 0.1, AccuracyReport.Scores(_result));
        Assert.Contains(_result.Transactions, r => r.Truth.Traits.HasFlag(TransactionTraits.NeighbourWithin10s) && r.Baseline == Outcome.WrongConfident && r.Engine == Outcome.Correct);
    }

    /// <summary>Generated and played once for the class: it is the slow part.</summary>
    public sealed class SmallBusyDays
    {
        public BindingAccuracyResult Result { get; } = BindingAccuracy.Run(BusyDayGenerator.Generate(new BusyDayOptions { Seed = 1, Days = 2, EvBays = 30 }));
    }
}
