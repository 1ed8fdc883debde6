using System.Text;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>The benchmark's results as markdown: the two systems side by side, then by kind of awkward case.</summary>
public static class AccuracyReport
{
    public static string Scores(BindingAccuracyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine("| system | transactions | resolvable | correct | correct provisional | wrong confident | wrong provisional | review | unbound | resolvable correct without operator |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var score in new[] { result.Engine, result.Baseline })
        {
            text.AppendLine(Invariant(
                $"| {score.System} | {score.Transactions} | {score.Resolvable} | {score.Correct} | {score.CorrectProvisional} | {score.WrongConfident} | {score.WrongProvisional} | {score.Review} | {score.Unbound} | {score.ResolvableCorrectShare * 100:0.0} % |"));
        }

        return text.ToString();
    }

    /// <summary>What the day contained, in one paragraph.</summary>
    public static string Census(SimulatedDay day)
    {
        ArgumentNullException.ThrowIfNull(day);
        var c = day.Census;
        return Invariant(
            $"{day.Site.EvBays.Count} EV bays, {day.Site.EvBays.Select(b => b.Charger).Distinct().Count()} chargers ({day.Transactions.Where(t => t.Version == Core.Charging.OcppVersion.Ocpp201).Select(t => t.Charger).Distinct().Count()} on OCPP 2.0.1), {c.Cameras} bay cameras ({c.SkewedCameras} with clocks off by 10 s or more), 2 gates. ")
            + Invariant(
            $"{c.Vehicles:N0} vehicles, {c.GatePassages:N0} stays in the car park, {c.EvBayStays:N0} in EV bays: {day.Transactions.Count:N0} transactions, {c.IceStays} ICE cars, {c.StaysWithoutCharging} EVs that left without charging, {c.PlugInsWithoutStart} plug-ins never authorised, {c.PairArrivals} pairs arriving together, {c.Moves} moves to another EV bay; {c.ChargerOutages} charger outages, {c.ConnectorFaults} connector faults.")
            + Invariant(
            $" {c.IceBesideReachOver} ICE cars with an EV reaching over beside them, {c.LookAlikeTwins} look-alike twins charging at once, {c.MissedEntries} entries not read, {c.LeavingReReads} cars re-read pulling out, {c.ReadsAcrossBoundary} reads placed at the neighbouring bay, {c.PersistentMisreads} stays read as one wrong plate throughout, {c.LostVacancies} vacancy reports lost, {c.SkewedChargers} charger clocks off by 10 s or more, {c.ResentChargerMessages} charger messages sent twice.");
    }

    /// <summary>For each kind of awkward case: how many transactions had it, and what each system made of them.</summary>
    public static string ByTrait(BindingAccuracyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine("| case | transactions | resolvable | engine correct | engine review / provisional / unbound | engine wrong confident | baseline correct | baseline wrong |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var trait in Enum.GetValues<TransactionTraits>().Where(t => t != TransactionTraits.None))
        {
            var having = result.Transactions.Where(r => r.Truth.Traits.HasFlag(trait)).ToList();
            if (having.Count == 0)
            {
                continue;
            }

            text.AppendLine(Invariant(
                $"| {Name(trait)} | {having.Count} | {having.Count(r => r.Truth.IsResolvable)} | {having.Count(r => r.Engine == Outcome.Correct)} | {having.Count(r => r.Engine is Outcome.Review or Outcome.CorrectProvisional or Outcome.WrongProvisional or Outcome.Unbound)} | {having.Count(r => r.Engine == Outcome.WrongConfident)} | {having.Count(r => r.Baseline == Outcome.Correct)} | {having.Count(r => r.Baseline == Outcome.WrongConfident)} |"));
        }

        return text.ToString();
    }

    /// <summary>The resolvable transactions the engine did not get right without an operator, and every confident wrong one, one line each.</summary>
    public static string Misses(BindingAccuracyResult result, int max = 40)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        foreach (var r in result.Transactions.Where(r => r.Engine is Outcome.WrongConfident or Outcome.WrongProvisional || (r.Truth.IsResolvable && r.Engine != Outcome.Correct)).Take(max))
        {
            var b = r.Binding;
            text.AppendLine(Invariant(
                $"- {r.Truth.Ref} {r.Truth.Charger}/{r.Truth.Outlet} bay {r.Truth.Bay} (serves {r.Truth.ServedBay}) {r.Truth.PluggedInAt:yyyy-MM-dd HH:mm:ss} {r.Truth.Vehicle} {r.Truth.Plate}: {r.Engine} [{b?.Status} {b?.Method} {b?.Plate} {r.EngineVehicle} conf {b?.Confidence:0.00} offset {b?.Offset}] evidence {r.Truth.Evidence}; {r.Truth.Traits}{Candidates(r)}"));
            if (r.Explanation is { } explanation)
            {
                text.Append(explanation);
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// Why the transactions that an operator must look at (review, provisional, unbound) are there, grouped:
    /// unresolvable ones by what was missing, resolvable ones by what the evidence said about the car that charged.
    /// </summary>
    public static string ReviewCauses(BindingAccuracyResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        text.AppendLine("| cause | resolvable | unresolvable |");
        text.AppendLine("|---|---:|---:|");
        foreach (var group in result.Transactions
            .Where(r => r.Engine is Outcome.Review or Outcome.CorrectProvisional or Outcome.WrongProvisional or Outcome.Unbound)
            .GroupBy(Cause)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine(Invariant($"| {group.Key} | {group.Count(r => r.Truth.IsResolvable)} | {group.Count(r => !r.Truth.IsResolvable)} |"));
        }

        return text.ToString();
    }

    /// <summary>One transaction's cause for <see cref="ReviewCauses"/>.</summary>
    public static string Cause(TransactionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var truth = result.Truth;
        var binding = result.Binding;
        if (binding is null || binding.Status == Core.Binding.BindingStatus.Waiting)
        {
            return "not decided (left waiting)";
        }

        if (binding.IsBound)
        {
            return $"bound provisionally by a fallback ({binding.Method})";
        }

        if (!truth.IsResolvable)
        {
            return truth.Traits.HasFlag(TransactionTraits.BayReadMissed)
                ? "no usable read of the car, its card unknown or shared, other cars inside"
                : "no evidence that identifies the car";
        }

        var own = binding.Candidates.FirstOrDefault(c => c.Plate == truth.Plate || Core.Plates.PlateSimilarity.IsSameVehicle(c.Plate, truth.Plate));
        if (own is null || own.Bay is null)
        {
            return truth.Evidence == Evidence.KnownToken
                ? "only its card identifies it, and the card's car could not be placed inside"
                : "its read was not near the plug-in (not a candidate)";
        }

        if (own.Score < 0.3 && ShortReason(own.Reason) is { } ruledOut && ruledOut != "read at the served bay" && ruledOut != "read at a neighbouring bay")
        {
            return "its own read ruled out: " + ruledOut;
        }

        var other = binding.Candidates.Where(c => c != own && c.Bay is not null && c.Score >= own.Score - 0.15).MaxBy(c => c.Score);
        return other is not null
            ? $"another car as likely: {ShortReason(other.Reason)}"
            : $"below the threshold: {ShortReason(own.Reason)} ({own.Score:0.00})";
    }

    private static string ShortReason(string reason) =>
        reason.Contains("while the charge went on", StringComparison.Ordinal) ? "seen leaving while the charge went on"
        : reason.Contains("before the plug-in", StringComparison.Ordinal) && reason.Contains("left", StringComparison.Ordinal) ? "had left before the plug-in"
        : reason.Contains("had ended", StringComparison.Ordinal) ? "its own charge there had ended"
        : reason.Contains("at that moment", StringComparison.Ordinal) ? "charging elsewhere at that moment"
        : reason.Contains("arrived at bay", StringComparison.Ordinal) && reason.Contains("after the plug-in", StringComparison.Ordinal) ? "arrived after the plug-in"
        : reason.Contains("after a car next door had reached over", StringComparison.Ordinal) ? "arrived after a reach-over"
        : reason.Contains("during the charge", StringComparison.Ordinal) ? "read later during the charge"
        : reason.Contains("whose own outlet could not be used", StringComparison.Ordinal) ? "reaching over, nobody at the served bay"
        : reason.Contains("which the cable reaches", StringComparison.Ordinal) ? "read at a neighbouring bay"
        : reason.Contains("the connector serves", StringComparison.Ordinal) ? "read at the served bay"
        : reason.Contains("at no bay", StringComparison.Ordinal) ? "inside at no bay"
        : reason;

    private static string Candidates(TransactionResult result) =>
        result.Binding is { Candidates.Length: > 0 } b
            ? "; candidates " + string.Join(", ", b.Candidates.Select(c => Invariant($"{c.Plate} {c.Score:0.00} at {c.Bay} {c.Offset} ({c.Reason})")))
            : "";

    private static string Name(TransactionTraits trait) => trait switch
    {
        TransactionTraits.NeighbourWithin10s => "neighbouring outlet plugged in < 10 s apart",
        TransactionTraits.OcrError => "bay read with an OCR error",
        TransactionTraits.BayReadMissed => "no usable bay read",
        TransactionTraits.CameraClockSkewed => "bay camera clock off by ≥ 10 s",
        TransactionTraits.ChargerOffline => "charger offline at the plug-in (messages late)",
        TransactionTraits.PlugInBeforeRead => "plug-in before the read",
        TransactionTraits.ReadBeforePlugIn => "read before the plug-in",
        TransactionTraits.ParkedLongBeforePlugIn => "parked > 2 min before plugging in",
        TransactionTraits.NeighbourCable => "cable from the neighbouring bay",
        TransactionTraits.SharedToken => "shared token (fleet card, free vend)",
        TransactionTraits.MovedBays => "moved from another EV bay",
        TransactionTraits.ReadsDeliveredLate => "bay reads pushed minutes late",
        TransactionTraits.NeverAuthorized => "plugged in, never authorised (2.0.1)",
        TransactionTraits.Ocpp201 => "OCPP 2.0.1 charger",
        TransactionTraits.GateReadWrong => "entry misread or missed at the gate",
        TransactionTraits.PreviousCarReReadLeaving => "previous car re-read pulling out < 15 min before",
        TransactionTraits.ParkedCarAtServedBay => "parked car at the served bay (reach-over beside it)",
        TransactionTraits.LookAlikeTwin => "read as a look-alike twin's plate",
        TransactionTraits.PersistentMisread => "every bay read the same wrong plate",
        TransactionTraits.ReadAcrossBoundary => "another car's read placed at this bay by position",
        TransactionTraits.ChargerClockSkewed => "charger clock off by ≥ 10 s",
        _ => trait.ToString(),
    };

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);
}
