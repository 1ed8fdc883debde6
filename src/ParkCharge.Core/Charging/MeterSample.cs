namespace ParkCharge.Core.Charging;

/// <summary>
/// One sampled value from a MeterValues message or a transaction message, converted to a base unit:
/// energy in Wh, power in W, current in A, voltage in V, state of charge in percent.
/// </summary>
/// <param name="Timestamp">The meter's own time of the sample (event time).</param>
/// <param name="Measurand">The OCPP measurand name, e.g. <c>Energy.Active.Import.Register</c>.</param>
/// <param name="Value">The value in <paramref name="Unit"/>.</param>
/// <param name="Unit">The base unit after conversion (Wh, W, A, V, Percent, ...); the charger's own unit is converted away.</param>
/// <param name="Phase">L1, L2, L3, N, L1-N, ... or null for the total.</param>
/// <param name="Location">Outlet, Inlet, Body, Cable, EV or null (OCPP default: Outlet).</param>
/// <param name="Context">Sample.Periodic, Transaction.Begin, Transaction.End, ... or null (OCPP default: Sample.Periodic).</param>
public sealed record MeterSample(
    DateTimeOffset Timestamp,
    string Measurand,
    decimal Value,
    string Unit,
    string? Phase = null,
    string? Location = null,
    string? Context = null)
{
    /// <summary>The OCPP default measurand when a sampled value names none.</summary>
    public const string DefaultMeasurand = Measurands.EnergyActiveImportRegister;

    /// <summary>
    /// The largest magnitude a value in base units may have: 10^15 (a petawatt-hour register, a
    /// petawatt). No meter reports more; the engine leaves larger values out and flags the session
    /// (<see cref="ChargingAnomalies.MeterValueOutOfRange"/>), so that sums and differences of any
    /// number of samples stay far inside <see cref="decimal"/> and bills cannot overflow.
    /// </summary>
    public const decimal MaxMagnitude = 1_000_000_000_000_000m;

    /// <summary>True when the value lies within ±<see cref="MaxMagnitude"/>.</summary>
    public bool IsPlausible => Value is >= -MaxMagnitude and <= MaxMagnitude;

    /// <summary>A total (no phase) reading at the outlet, the one that counts for billing.</summary>
    public bool IsOutletTotal => Phase is null && Location is null or "Outlet";
}

/// <summary>The measurands ParkCharge interprets; others are kept as reported.</summary>
public static class Measurands
{
    public const string EnergyActiveImportRegister = "Energy.Active.Import.Register";
    public const string EnergyActiveImportInterval = "Energy.Active.Import.Interval";
    public const string PowerActiveImport = "Power.Active.Import";
    public const string CurrentImport = "Current.Import";
    public const string Voltage = "Voltage";
    public const string StateOfCharge = "SoC";
}
