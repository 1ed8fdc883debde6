namespace ParkCharge.Core.Charging;

/// <summary>Energy and latest readings of a session, computed from its meter values.</summary>
public static class SessionMeter
{
    /// <summary>The energy figure and how it was obtained.</summary>
    /// <param name="EnergyWh">Delivered energy, or null when unknown.</param>
    /// <param name="Method">
    /// <c>register</c> (stop minus start of the cumulative register), <c>interval</c> (sum of
    /// Energy.Active.Import.Interval samples) or <c>none</c>.
    /// </param>
    /// <param name="MeterDecreased">The register went down at least once between two samples.</param>
    public sealed record Result(decimal? EnergyWh, string Method, bool MeterDecreased, bool Negative);

    /// <summary>
    /// Energy = end register - start register. The start is 1.6 meterStart, else the Transaction.Begin
    /// register sample, else the earliest register sample; the end likewise with meterStop,
    /// Transaction.End and the latest sample. Without register readings, interval samples are summed.
    /// </summary>
    public static Result Energy(ChargingSession session)
    {
        var registers = Registers(session);
        var decreased = false;
        for (var i = 1; i < registers.Count; i++)
        {
            if (registers[i].Value < registers[i - 1].Value)
            {
                decreased = true;
                break;
            }
        }

        var start = session.MeterStartWh ?? FirstWithContext(registers, "Transaction.Begin") ?? First(registers);
        var end = session.MeterStopWh ?? LastWithContext(registers, "Transaction.End") ?? Last(registers);
        if (start is { } s && end is { } e)
        {
            return e < s ? new Result(null, "register", decreased, true) : new Result(e - s, "register", decreased, false);
        }

        var intervals = session.Samples.Where(x => x.Measurand == Measurands.EnergyActiveImportInterval && x.IsOutletTotal).ToList();
        return intervals.Count > 0
            ? new Result(intervals.Sum(x => x.Value), "interval", decreased, false)
            : new Result(null, "none", decreased, false);
    }

    /// <summary>The latest total value of a measurand (e.g. power, SoC), by sample time.</summary>
    /// <summary>
    /// Energy delivered since <paramref name="start"/> at each meter value, in time order: the register
    /// minus the start register, or the running sum of interval values; the stop's total last.
    /// </summary>
    public static IReadOnlyList<Billing.EnergyPoint> Curve(ChargingSession session, DateTimeOffset start)
    {
        var points = new List<Billing.EnergyPoint>();
        var registers = Registers(session);
        if (registers.Count > 0)
        {
            var first = session.MeterStartWh ?? FirstWithContext(registers, "Transaction.Begin") ?? registers[0].Value;
            points.AddRange(registers.Where(r => r.Timestamp > start).Select(r => new Billing.EnergyPoint(r.Timestamp, r.Value - first)));
        }
        else
        {
            var sum = 0m;
            foreach (var interval in session.Samples.Where(x => x.Measurand == Measurands.EnergyActiveImportInterval && x.IsOutletTotal).OrderBy(x => x.Timestamp))
            {
                sum += interval.Value;
                points.Add(new Billing.EnergyPoint(interval.Timestamp, sum));
            }
        }

        if (session.StoppedAt is { } stopped && Energy(session).EnergyWh is { } total)
        {
            points.RemoveAll(p => p.At >= stopped);
            points.Add(new Billing.EnergyPoint(stopped, total));
        }

        return points.OrderBy(p => p.At).ToList();
    }

    /// <summary>
    /// The current drawn over time, in A summed over the phases (OCPI's min_current and max_current are
    /// sums over all phases): a charger's total reading as it is, per-phase readings added up per timestamp.
    /// </summary>
    public static IReadOnlyList<Billing.CurrentPoint> Currents(ChargingSession session)
    {
        var currents = session.Samples.Where(x => x.Measurand == Measurands.CurrentImport && x.Location is null or "Outlet").ToList();
        var totals = currents.Where(x => x.Phase is null).ToList();
        var points = totals.Count > 0
            ? totals.Select(x => new Billing.CurrentPoint(x.Timestamp, x.Value))
            : currents.Where(x => x.Phase is "L1" or "L2" or "L3").GroupBy(x => x.Timestamp).Select(g => new Billing.CurrentPoint(g.Key, g.Sum(x => x.Value)));
        return [.. points.OrderBy(p => p.At)];
    }

    public static decimal? Latest(ChargingSession session, string measurand)
    {
        for (var i = session.Samples.Length - 1; i >= 0; i--)
        {
            var sample = session.Samples[i];
            if (sample.Measurand == measurand && (sample.Phase is null || measurand == Measurands.StateOfCharge))
            {
                return sample.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The cumulative import register readings in time order. Total readings are used when the charger
    /// reports them; a charger that reports only per-phase registers gets the phases summed per timestamp.
    /// </summary>
    private static List<MeterSample> Registers(ChargingSession session)
    {
        var totals = session.Samples
            .Where(x => x.Measurand == Measurands.EnergyActiveImportRegister && x.IsOutletTotal)
            .ToList();
        if (totals.Count > 0)
        {
            return totals;
        }

        return session.Samples
            .Where(x => x.Measurand == Measurands.EnergyActiveImportRegister && x.Phase is "L1" or "L2" or "L3" && x.Location is null or "Outlet")
            .GroupBy(x => (x.Timestamp, x.Context))
            .Select(g => g.First() with { Value = g.Sum(x => x.Value), Phase = null })
            .OrderBy(x => x.Timestamp)
            .ToList();
    }

    private static decimal? FirstWithContext(List<MeterSample> registers, string context) =>
        registers.FirstOrDefault(x => x.Context == context)?.Value;

    private static decimal? LastWithContext(List<MeterSample> registers, string context) =>
        registers.LastOrDefault(x => x.Context == context)?.Value;

    private static decimal? First(List<MeterSample> registers) => registers.Count > 0 ? registers[0].Value : null;

    private static decimal? Last(List<MeterSample> registers) => registers.Count > 0 ? registers[^1].Value : null;
}
