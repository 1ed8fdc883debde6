using ParkCharge.Simulator.Chargers;

namespace ParkCharge.Simulator.Tests.Sandbox;

/// <summary>The vehicle model: full power until the taper, less near full, nothing when full.</summary>
public sealed class ChargingVehicleTests
{
    [Fact]
    public void A_vehicle_draws_its_maximum_until_the_taper_then_less_and_nothing_when_full()
    {
        var vehicle = new ChargingVehicle(batteryKWh: 40, startSoc: 0.5, maxPowerKW: 11, taperFrom: 0.8);

        Assert.Equal(11_000, vehicle.PowerW(null));
        Assert.Equal(7_000, vehicle.PowerW(7_000)); // a charging profile's limit
        vehicle.Charge(TimeSpan.FromMinutes(60), null); // 11 kWh: to 77.5 %
        Assert.Equal(0.775, vehicle.Soc, 3);
        vehicle.Charge(TimeSpan.FromMinutes(30), null);
        Assert.InRange(vehicle.PowerW(null), 1, 11_000 * 0.6); // above 80 %: tapering
        vehicle.Charge(TimeSpan.FromHours(10), null);
        Assert.True(vehicle.IsFull);
        Assert.Equal(0, vehicle.PowerW(null));
    }

    [Fact]
    public void Energy_taken_never_exceeds_what_the_battery_had_room_for()
    {
        var vehicle = new ChargingVehicle(batteryKWh: 50, startSoc: 0.2, maxPowerKW: 22, taperFrom: 0.8);

        var wh = vehicle.Charge(TimeSpan.FromHours(24), null);

        Assert.InRange(wh, 0.79 * 50_000, 0.8 * 50_000 + 1);
    }
}
