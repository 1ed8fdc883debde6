using System.Diagnostics;
using System.Globalization;

using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Bench.Accuracy;

/// <summary>
/// <c>binding-accuracy</c>: generates a busy day (or several) and plays it through the pure site engine
/// in this process, then prints how the engine and the naive baseline bound each transaction. It
/// measures decisions, not speed: the same seed gives the same figures on any machine.
/// </summary>
internal static class BindingAccuracyBench
{
    public static int Run(int seed, int days, int bays, bool misses, string[] explain, string[] args)
    {
        if (days < 1 || bays < 2)
        {
            Console.Error.WriteLine("--days needs at least 1, --bays at least 2.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var day = BusyDayGenerator.Generate(new BusyDayOptions { Seed = seed, Days = days, EvBays = bays });
        var generated = clock.Elapsed;
        var result = BindingAccuracy.Run(day);
        var played = clock.Elapsed - generated;

        Console.WriteLine(FormattableString.Invariant($"# Binding accuracy: seed {seed}, {days} day(s), {bays} EV bays"));
        Console.WriteLine();
        Console.WriteLine("`dotnet run -c Release --project bench/ParkCharge.Bench -- " + string.Join(' ', args) + "`");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"{day.Messages.Count:N0} messages and {result.Timers:N0} timers played through the engine in {played.TotalSeconds:0.0} s (generated in {generated.TotalSeconds:0.0} s); auto-accept threshold {day.Site.Settings.AutoAcceptConfidence.ToString(CultureInfo.InvariantCulture)}."));
        Console.WriteLine();
        Console.WriteLine(AccuracyReport.Census(day));
        Console.WriteLine();
        Console.Write(AccuracyReport.Scores(result));
        Console.WriteLine();
        Console.WriteLine("## By case");
        Console.WriteLine();
        Console.Write(AccuracyReport.ByTrait(result));
        if (misses)
        {
            Console.WriteLine();
            Console.WriteLine("## Engine misses");
            Console.WriteLine();
            Console.Write(AccuracyReport.Misses(result, int.MaxValue));
        }

        foreach (var r in result.Transactions.Where(r => explain.Contains(r.Truth.Vehicle) || explain.Contains(r.Truth.Ref)))
        {
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"## {r.Truth.Ref} ({r.Truth.Vehicle} {r.Truth.Plate} at {r.Truth.Bay}, outlet of {r.Truth.ServedBay}, {r.Truth.PluggedInAt:yyyy-MM-dd HH:mm:ss}): {r.Engine}, bound to {r.Binding?.Plate} ({r.EngineVehicle})"));
            Console.Write(result.Explain(r.Truth));
        }

        return result.Engine.WrongConfident == 0 ? 0 : 1;
    }
}
