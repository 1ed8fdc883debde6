using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Tests.Charging;

public sealed class MeterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("12.5", "kWh", 0, "Energy.Active.Import.Register", "12500", "Wh")]
    [InlineData("12500", "Wh", 0, "Energy.Active.Import.Register", "12500", "Wh")]
    [InlineData("125", "Wh", 2, "Energy.Active.Import.Register", "12500", "Wh")]
    [InlineData("7.4", "kW", 0, "Power.Active.Import", "7400", "W")]
    [InlineData("740", "W", 1, "Power.Active.Import", "7400", "W")]
    [InlineData("80", null, 0, "SoC", "80", "Percent")]
    [InlineData("16", null, 0, "Current.Import", "16", "A")]
    [InlineData("1500", null, 0, "Energy.Active.Import.Register", "1500", "Wh")]
    [InlineData("2", "kWh", -1, "Energy.Active.Import.Register", "200", "Wh")]
    public void Values_are_converted_to_base_units_without_spurious_decimals(string value, string? unit, int multiplier, string measurand, string expected, string expectedUnit)
    {
        var (converted, baseUnit) = MeterUnits.ToBase(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), unit, measurand, multiplier);

        Assert.Equal(expected, converted.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expectedUnit, baseUnit);
    }

    [Fact]
    public void Energy_comes_from_interval_samples_when_the_charger_reports_no_register()
    {
        var session = Session() with
        {
            Samples =
            [
                new MeterSample(T0.AddMinutes(15), Measurands.EnergyActiveImportInterval, 1_000, "Wh"),
                new MeterSample(T0.AddMinutes(30), Measurands.EnergyActiveImportInterval, 1_250, "Wh"),
            ],
        };

        Assert.Equal(2_250m, session.EnergyWh);
        Assert.Equal("interval", SessionMeter.Energy(session).Method);
    }

    [Fact]
    public void Per_phase_registers_are_summed_when_there_is_no_total()
    {
        var session = Session() with
        {
            Samples =
            [
                new MeterSample(T0, Measurands.EnergyActiveImportRegister, 100, "Wh", Phase: "L1"),
                new MeterSample(T0, Measurands.EnergyActiveImportRegister, 100, "Wh", Phase: "L2"),
                new MeterSample(T0, Measurands.EnergyActiveImportRegister, 100, "Wh", Phase: "L3"),
                new MeterSample(T0.AddHours(1), Measurands.EnergyActiveImportRegister, 2_100, "Wh", Phase: "L1"),
                new MeterSample(T0.AddHours(1), Measurands.EnergyActiveImportRegister, 2_100, "Wh", Phase: "L2"),
                new MeterSample(T0.AddHours(1), Measurands.EnergyActiveImportRegister, 2_100, "Wh", Phase: "L3"),
            ],
        };

        Assert.Equal(6_000m, session.EnergyWh);
    }

    [Fact]
    public void Inlet_and_per_phase_readings_do_not_count_when_a_total_outlet_register_exists()
    {
        var session = Session() with
        {
            MeterStartWh = 1_000,
            Samples =
            [
                new MeterSample(T0.AddMinutes(30), Measurands.EnergyActiveImportRegister, 99_999, "Wh", Location: "Inlet"),
                new MeterSample(T0.AddMinutes(30), Measurands.EnergyActiveImportRegister, 500, "Wh", Phase: "L1"),
                new MeterSample(T0.AddMinutes(30), Measurands.EnergyActiveImportRegister, 4_000, "Wh"),
            ],
        };

        Assert.Equal(3_000m, session.EnergyWh);
    }

    [Fact]
    public void A_session_with_no_readings_has_no_energy_rather_than_zero()
    {
        Assert.Null(Session().EnergyWh);
    }

    private static ChargingSession Session() => new()
    {
        Id = "s",
        Site = SiteId.Default,
        Charger = new ChargerId("CP"),
        Version = OcppVersion.Ocpp16,
        TransactionId = "1",
        Connector = ConnectorRef.Ocpp16(1),
        StartedAt = T0,
        FirstReceivedAt = T0,
        LastReceivedAt = T0,
    };
}
