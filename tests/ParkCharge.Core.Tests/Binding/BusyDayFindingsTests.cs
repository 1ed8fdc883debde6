using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Binding;

/// <summary>
/// Cases the binding-accuracy benchmark (a simulated busy day, <c>bench binding-accuracy</c>) found
/// the engine getting wrong or leaving to an operator without need, each reduced to its smallest form.
/// </summary>
public sealed class BusyDayFindingsTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark();

    private static string Tx(int id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void A_bay_charged_for_a_vehicle_left_to_review_does_not_hold_up_the_site_s_timers()
    {
        _site.Read("gate-in", "AAA111");
        _site.Read("gate-in", "BBB222", at: _site.Now.AddSeconds(10));
        _site.Read("gate-in", "CCC333", at: _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b1", "AAA111");
        _site.Read("cam-b1", "BBB222", at: _site.Now.AddSeconds(5)); // two cars read at B1: which one plugged in is not clear
        var unclear = _site.PlugIn16("CP1", 1, "RFID-1", _site.Now.AddSeconds(20));
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();
        Assert.Equal(BindingStatus.Review, _site.Binding("CP1", Tx(unclear)).Status);

        _site.Advance(TimeSpan.FromMinutes(20)); // BBB222 has stood at B1 past the ICE limit, but the bay charged
        var later = _site.PlugIn16("CP1", 3, "RFID-3"); // no read at B3: waits for the window
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        Assert.NotEqual(BindingStatus.Waiting, _site.Binding("CP1", Tx(later)).Status);
        Assert.False(_site.State.NextDeadline <= _site.Now, "a deadline in the past would keep the host from arming any later timer");
    }

    [Fact]
    public void A_connector_back_from_a_fault_does_not_end_the_visit_of_the_car_standing_in_its_bay()
    {
        _site.Read("gate-in", "BCD1234");
        _site.Read("gate-in", "OTHER1", at: _site.Now.AddSeconds(10));
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Faulted, "ConnectorLockFailure"));
        _site.Read("cam-b1", "BCD1234");
        _site.Advance(TimeSpan.FromMinutes(10));
        _site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Available)); // repaired
        _site.Advance(TimeSpan.FromMinutes(2));

        var tx = _site.PlugIn16("CP1", 1, "RFID-1");
        _site.Advance(TimeSpan.FromMinutes(3));
        _site.RunTimers();

        var binding = _site.Binding("CP1", Tx(tx));
        Assert.Equal((BindingStatus.Bound, BindingMethod.BayCamera, "BCD1234"), (binding.Status, binding.Method, binding.Plate));
    }
}
