using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>What the dashboard and the API say a bay is doing: "finished" only when the idle rule says so.</summary>
public sealed class BayStateTests
{
    [Theory]
    [InlineData(true, false, ConnectorStatus.Occupied, ChargingState.Charging, true, BayState.Charging)]
    [InlineData(true, false, ConnectorStatus.Occupied, ChargingState.SuspendedEVSE, true, BayState.Charging)]
    [InlineData(true, false, ConnectorStatus.Occupied, ChargingState.SuspendedEV, true, BayState.VehicleNotCharging)]
    [InlineData(true, false, ConnectorStatus.Occupied, ChargingState.EVConnected, true, BayState.VehicleNotCharging)]
    [InlineData(true, true, ConnectorStatus.Occupied, ChargingState.SuspendedEV, true, BayState.ChargingFinished)]
    [InlineData(true, false, ConnectorStatus.SuspendedEV, null, true, BayState.VehicleNotCharging)]
    [InlineData(true, false, ConnectorStatus.Charging, null, true, BayState.Charging)]
    [InlineData(true, true, ConnectorStatus.Finishing, null, false, BayState.ChargingFinished)]
    [InlineData(true, false, ConnectorStatus.Available, null, false, BayState.VehicleNotCharging)]
    [InlineData(false, false, ConnectorStatus.Charging, null, true, BayState.Unknown)]
    [InlineData(false, false, ConnectorStatus.Available, null, false, BayState.Free)]
    public void A_bay_is_finished_only_when_the_rule_says_charging_has_finished(bool vehicle, bool finished, ConnectorStatus connector, ChargingState? session, bool active, BayState expected)
    {
        Assert.Equal(expected, BayStates.Of(vehicle, finished, connector, session, active));
    }
}
