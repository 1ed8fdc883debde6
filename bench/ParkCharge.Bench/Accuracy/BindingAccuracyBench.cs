using System.Diagnostics;
using System.Globalization;

using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Bench.Accuracy;

/// <summary>
/// <c>binding-accuracy</c>: generates a busy day (or several) and plays it through the pure site engine
/// in this process, then prints how the engine and the naive baseline bound each transaction. It
/// measures decisions, not speed: the same seed gives the same figures on any machine. With
/// <c>--node</c>, the same day also goes through a real node in accelerated real time.
///
/// Development seeds (the engine was tuned on these while the meaner day of issue 13 was built): 1 to 13,
/// with the defaults and with <c>--days 1 --bays 20</c>, and 9101 to 9110. The held-out figures in
/// bench/README.md are for seeds drawn at random afterwards (two sets of ten; see there which were looked at).
/// </summary>
internal static class BindingAccuracyBench
{
    public static async Task<int> RunAsync(BindingAccuracyRequest request, string[] args)
    {
        if (request.Days < 1 || request.Bays < 2 || request.Speed < 1 || !TryParseHours(request.Arrivals, out var from, out var until))
        {
            Console.Error.WriteLine("--days needs at least 1, --bays at least 2, --speed at least 1, --arrivals two hours like 7-10.");
            return 2;
        }

        var clock = Stopwatch.StartNew();
        var day = BusyDayGenerator.Generate(new BusyDayOptions { Seed = request.Seed, Days = request.Days, EvBays = request.Bays, ArrivalsFrom = from, ArrivalsUntil = until });
        var generated = clock.Elapsed;
        var result = BindingAccuracy.Run(day);
        var played = clock.Elapsed - generated;

        Console.WriteLine(FormattableString.Invariant($"# Binding accuracy: seed {request.Seed}, {request.Days} day(s), {request.Bays} EV bays"));
        Console.WriteLine();
        Console.WriteLine("`dotnet run -c Release --project bench/ParkCharge.Bench -- " + string.Join(' ', args) + "`");
        Console.WriteLine();
        Console.WriteLine(FormattableString.Invariant(
            $"{day.Messages.Count:N0} messages and {result.Timers:N0} timers played through the engine in {played.TotalSeconds:0.0} s (generated in {generated.TotalSeconds:0.0} s); auto-accept threshold {day.Site.Settings.AutoAcceptConfidence.ToString(CultureInfo.InvariantCulture)}."));
        Console.WriteLine();
        Console.WriteLine(AccuracyReport.Census(day));
        Console.WriteLine();
        Console.Write(AccuracyReport.Scores(result));
        var wrong = result.Engine.WrongConfident;
        if (request.Node)
        {
            var (onNode, refused, sent, mismatches, real) = await BindingAccuracyOnNode.RunAsync(day, request.Speed);
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant(
                $"Through a node at {request.Speed:0.#}× ({real.TotalMinutes:0.0} min real; {sent:N0} OCPP calls and camera pushes, {refused} refused; GET /api/v1/charging-sessions differs from the engine for {mismatches} sessions):"));
            Console.WriteLine();
            Console.Write(AccuracyReport.Scores(onNode).Replace("| ParkCharge engine |", "| ParkCharge node |", StringComparison.Ordinal));
            wrong += onNode.Engine.WrongConfident + (onNode.Engine.Unbound > 0 || refused > 0 || mismatches > 0 ? 1 : 0);
            if (request.Misses)
            {
                Console.WriteLine();
                Console.WriteLine("## Node misses");
                Console.WriteLine();
                Console.Write(AccuracyReport.Misses(onNode, int.MaxValue));
            }
        }

        Console.WriteLine();
        Console.WriteLine("## Review, provisional and unbound, by cause");
        Console.WriteLine();
        Console.Write(AccuracyReport.ReviewCauses(result));
        Console.WriteLine();
        Console.WriteLine("## By case");
        Console.WriteLine();
        Console.Write(AccuracyReport.ByTrait(result));
        if (request.Misses)
        {
            Console.WriteLine();
            Console.WriteLine("## Engine misses");
            Console.WriteLine();
            Console.Write(AccuracyReport.Misses(result, int.MaxValue));
        }

        foreach (var r in result.Transactions.Where(r => request.Explain.Contains(r.Truth.Vehicle) || request.Explain.Contains(r.Truth.Ref)))
        {
            Console.WriteLine();
            Console.WriteLine(FormattableString.Invariant($"## {r.Truth.Ref} ({r.Truth.Vehicle} {r.Truth.Plate} at {r.Truth.Bay}, outlet of {r.Truth.ServedBay}, {r.Truth.PluggedInAt:yyyy-MM-dd HH:mm:ss}): {r.Engine}, bound to {r.Binding?.Plate} ({r.EngineVehicle})"));
            Console.Write(result.Explain(r.Truth));
        }

        return wrong == 0 ? 0 : 1;
    }

    private static bool TryParseHours(string text, out TimeSpan from, out TimeSpan until)
    {
        var parts = text.Split('-');
        from = until = default;
        if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var a)
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) || a < 0 || b > 24 || b - a < 1)
        {
            return false;
        }

        (from, until) = (TimeSpan.FromHours(a), TimeSpan.FromHours(b));
        return true;
    }
}

/// <summary>What <c>binding-accuracy</c> was asked for.</summary>
internal sealed record BindingAccuracyRequest(int Seed, int Days, int Bays, bool Misses, string[] Explain, bool Node, double Speed, string Arrivals);
