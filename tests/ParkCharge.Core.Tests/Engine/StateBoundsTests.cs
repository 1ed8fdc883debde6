using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Engine;

/// <summary>
/// What the engine holds does not grow with a site's history (issue 20): besides closed stays and completed sessions,
/// stays whose exit was never read and cards learnt from bindings are let go by age, at observation time, so a replay
/// lets go of the same at the same observation.
/// </summary>
public sealed class StateBoundsTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCarPark().WithCharger("CP9");

    [Fact]
    public void A_stay_whose_exit_was_never_read_is_let_go_the_retention_after_it_was_flagged_over_the_maximum_stay()
    {
        _site.Read("gate-in", "BCD1234");
        var lost = _site.ParkingSession("BCD1234");
        _site.Advance(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(1)).RunTimers();
        Assert.True(_site.ParkingSession("BCD1234").Anomalies.HasFlag(ParkingAnomalies.OverMaxStay));
        _site.Advance(SiteState.SessionRetention - TimeSpan.FromHours(1));
        _site.Read("gate-in", "CDE2345"); // inside, not over its maximum stay
        KeepBusy();
        Assert.NotNull(_site.State.Parking.FindSession(lost.Id)); // flagged, but not yet the retention ago

        _site.Advance(TimeSpan.FromHours(2));
        KeepBusy();

        Assert.Null(_site.State.Parking.FindSession(lost.Id));
        Assert.Equal(["CDE2345"], _site.State.Parking.OpenSessions.Select(s => s.Plate));
        var (replayed, _) = _site.Replay();
        Assert.Equal(["CDE2345"], replayed.Parking.OpenSessions.Select(s => s.Plate));

        // Its late exit is taken as an exit without an entry.
        Assert.False(_site.Read("gate-out", "BCD1234").IsRepeat);
        Assert.Equal(["CDE2345"], _site.State.Parking.OpenSessions.Select(s => s.Plate));
    }

    [Fact]
    public void A_card_no_binding_taught_anything_about_for_the_retention_is_forgotten_with_its_plate()
    {
        Teach("BCD1234", "RFID-7", bay: 1);
        Assert.Equal(("BCD1234", "RFID-7"), (_site.State.Binding.PlateOf("RFID-7"), _site.State.Binding.TokenOf("BCD1234")));
        _site.Advance(BindingState.TaughtRetention - TimeSpan.FromDays(5));
        Teach("CDE2345", "RFID-8", bay: 2);
        KeepBusy();
        Assert.True(_site.State.Binding.Knows("RFID-7"));

        _site.Advance(TimeSpan.FromDays(6));
        KeepBusy();

        Assert.Equal(["RFID-8"], _site.State.Binding.TaughtTokens);
        Assert.Equal((null, null), (_site.State.Binding.PlateOf("RFID-7"), _site.State.Binding.TokenOf("BCD1234")));
        Assert.Equal(("CDE2345", "RFID-8"), (_site.State.Binding.PlateOf("RFID-8"), _site.State.Binding.TokenOf("CDE2345")));
        var (replayed, _) = _site.Replay();
        Assert.Equal(["RFID-8"], replayed.Binding.TaughtTokens);
    }

    /// <summary>A vehicle enters, is read at its bay, charges with the card (the binding teaches it when confirmed), and leaves.</summary>
    private void Teach(string plate, string card, int bay)
    {
        _site.Read("gate-in", plate);
        _site.Advance(TimeSpan.FromMinutes(2));
        _site.Read("cam-b" + bay, plate);
        var tx = _site.PlugIn16("CP1", bay, card, _site.Now.AddSeconds(40));
        _site.Advance(TimeSpan.FromMinutes(3)).RunTimers();
        Assert.Equal(plate, _site.State.Binding.PlateOf(card));
        _site.Advance(TimeSpan.FromHours(1));
        _site.Stop16("CP1", tx, 5_000);
        _site.Advance(TimeSpan.FromMinutes(5));
        _site.Read("gate-out", plate);
    }

    /// <summary>Pruning runs every 1,024 observations: feed enough of them (a charger outside the car park).</summary>
    private void KeepBusy()
    {
        for (var i = 0; i < 1_100; i++)
        {
            _site.Observe(new ConnectorStatusReported(Cp("CP9"), ConnectorRef.Ocpp16(1), i % 2 == 0 ? ConnectorStatus.Available : ConnectorStatus.Unavailable));
        }
    }
}
