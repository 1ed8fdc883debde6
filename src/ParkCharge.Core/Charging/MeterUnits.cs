namespace ParkCharge.Core.Charging;

/// <summary>
/// Converts sampled values to base units (Wh, W, A, V, ...). Chargers report energy in Wh or kWh,
/// power in W or kW, and OCPP 2.0.1 adds a power-of-ten multiplier; ParkCharge stores one unit per quantity.
/// </summary>
public static class MeterUnits
{
    /// <summary>
    /// Converts <paramref name="value"/> in <paramref name="unit"/> (times 10^<paramref name="multiplier"/>)
    /// to the base unit of its quantity.
    /// </summary>
    /// <remarks>
    /// OCPP says a missing unit means Wh, but chargers omit it for SoC, current and voltage too, where
    /// Wh makes no sense; so a missing unit is the measurand's natural unit (Wh for energy, which is what
    /// the specification means in practice).
    /// </remarks>
    /// <para>Never throws: a value whose conversion leaves <see cref="decimal"/>'s range (a hostile
    /// 7.9e28 kWh, a multiplier of 10^40) comes back as ±<see cref="decimal.MaxValue"/>, beyond
    /// <see cref="MeterSample.MaxMagnitude"/>, which the engine leaves out and flags.</para>
    public static (decimal Value, string Unit) ToBase(decimal value, string? unit, string measurand, int multiplier = 0)
    {
        var target = unit ?? NaturalUnit(measurand);
        try
        {
            var scaled = multiplier == 0 ? value : Scale(value, multiplier);
            var (converted, baseUnit) = target switch
            {
                "kWh" => (scaled * 1000m, "Wh"),
                "kvarh" => (scaled * 1000m, "varh"),
                "kW" => (scaled * 1000m, "W"),
                "kVA" => (scaled * 1000m, "VA"),
                "kvar" => (scaled * 1000m, "var"),
                "Celcius" => (scaled, "Celsius"), // 1.6 schema spelling
                "Fahrenheit" => ((scaled - 32m) * 5m / 9m, "Celsius"),
                "K" => (scaled - 273.15m, "Celsius"),
                var other => (scaled, other),
            };
            return (Normalize(converted), baseUnit);
        }
        catch (OverflowException)
        {
            return (value < 0 ? decimal.MinValue : decimal.MaxValue, BaseUnit(target));
        }
    }

    /// <summary>A value beyond <see cref="decimal"/> (1e300 as a meter reading) as the out-of-range marker <see cref="ToBase"/> uses.</summary>
    public static decimal OutOfRange(bool negative) => negative ? decimal.MinValue : decimal.MaxValue;

    private static string BaseUnit(string unit) => unit switch
    {
        "kWh" => "Wh",
        "kvarh" => "varh",
        "kW" => "W",
        "kVA" => "VA",
        "kvar" => "var",
        "Celcius" or "Fahrenheit" or "K" => "Celsius",
        var other => other,
    };

    /// <summary>value × 10^multiplier; beyond ±28 decimal cannot scale (any non-zero value overflows or vanishes).</summary>
    private static decimal Scale(decimal value, int multiplier) => value == 0m
        ? 0m
        : multiplier is > 28 or < -28
            ? throw new OverflowException("The multiplier is beyond what a decimal can scale.")
            : value * Pow10(multiplier);

    /// <summary>Drops trailing zeros (12.5 kWh is 12500 Wh, not 12500.0 Wh).</summary>
    private static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>The unit a measurand is reported in when the charger names none.</summary>
    public static string NaturalUnit(string measurand) => measurand switch
    {
        _ when measurand.StartsWith("Energy.Reactive", StringComparison.Ordinal) => "varh",
        _ when measurand.StartsWith("Energy.", StringComparison.Ordinal) => "Wh",
        _ when measurand.StartsWith("Power.Reactive", StringComparison.Ordinal) => "var",
        "Power.Factor" => "",
        _ when measurand.StartsWith("Power.", StringComparison.Ordinal) => "W",
        _ when measurand.StartsWith("Current.", StringComparison.Ordinal) => "A",
        "Voltage" => "V",
        "SoC" => "Percent",
        "Frequency" => "Hz",
        "Temperature" => "Celsius",
        "RPM" => "RPM",
        _ => "Wh",
    };

    private static decimal Pow10(int exponent)
    {
        var result = 1m;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10m;
        }

        return exponent < 0 ? 1m / result : result;
    }
}
