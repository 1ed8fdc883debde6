namespace ParkCharge.Simulator.Chargers;

/// <summary>
/// The battery of a plugged-in vehicle: it takes the power the charger offers up to its own maximum,
/// tapers linearly above the taper state of charge to a trickle at full, and stops
/// drawing when full (the charger then reports SuspendedEV).
/// </summary>
internal sealed class ChargingVehicle(double batteryKWh, double startSoc, double maxPowerKW, double taperFrom)
{
    private const double Full = 0.995;

    public double Soc { get; private set; } = startSoc;

    public bool IsFull => Soc >= Full;

    /// <summary>The power drawn now, W, under the charger's limit (null: no limit).</summary>
    public double PowerW(double? limitW)
    {
        if (IsFull)
        {
            return 0;
        }

        var max = Math.Min(maxPowerKW * 1000, limitW ?? double.MaxValue);
        var taper = Soc < taperFrom ? 1 : Math.Max(0.05, (1 - Soc) / (1 - taperFrom));
        return Math.Max(0, max * taper);
    }

    /// <summary>Charges for <paramref name="duration"/> in one-minute steps; returns the energy taken, Wh.</summary>
    public double Charge(TimeSpan duration, double? limitW)
    {
        var energyWh = 0.0;
        var left = duration;
        while (left > TimeSpan.Zero && !IsFull)
        {
            var step = left < TimeSpan.FromMinutes(1) ? left : TimeSpan.FromMinutes(1);
            var wh = PowerW(limitW) * step.TotalHours;
            wh = Math.Min(wh, (1 - Soc) * batteryKWh * 1000);
            Soc += wh / (batteryKWh * 1000);
            energyWh += wh;
            left -= step;
        }

        return energyWh;
    }
}
