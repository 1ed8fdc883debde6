using CsCheck;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Tests.Parking;

/// <summary>The one rule for when charging finished, and the idle event and bill that follow it.</summary>
public sealed class ChargingFinishTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromMinutes(15);

    [Fact]
    public void Waiting_to_charge_is_never_the_end_of_charging()
    {
        // Plugged in at 08:00, waiting for a scheduled charge (EVConnected) for two hours, still plugged in.
        var session = new ChargingFinish.Session(T0, null, [new(T0, ChargingState.EVConnected)]);

        Assert.Null(ChargingFinish.Current([session], Threshold, T0.AddHours(2)));
        Assert.Null(ChargingFinish.Pending([session], Threshold));
    }

    [Fact]
    public void A_suspension_finishes_charging_from_its_start_once_it_has_lasted_the_threshold()
    {
        var session = new ChargingFinish.Session(T0, null, [new(T0, ChargingState.Charging), new(T0.AddHours(1), ChargingState.SuspendedEV)]);

        Assert.Null(ChargingFinish.Current([session], Threshold, T0.AddHours(1).AddMinutes(14)));
        Assert.Equal(T0.AddHours(1).Add(Threshold), ChargingFinish.Pending([session], Threshold));
        Assert.Equal(T0.AddHours(1), ChargingFinish.Current([session], Threshold, T0.AddHours(1).AddMinutes(15)));
    }

    [Fact]
    public void A_short_pause_is_not_the_end_and_a_long_one_ends_when_charging_resumes()
    {
        var states = new List<ChargingStateChange>
        {
            new(T0, ChargingState.Charging),
            new(T0.AddMinutes(30), ChargingState.SuspendedEV), new(T0.AddMinutes(40), ChargingState.Charging), // 10 min: a pause
            new(T0.AddMinutes(60), ChargingState.SuspendedEV), new(T0.AddMinutes(90), ChargingState.Charging), // 30 min: finished, then resumed
        };
        var session = new ChargingFinish.Session(T0, T0.AddMinutes(120), states);

        Assert.Equal(
            [new ChargingFinish.Finish(T0.AddMinutes(60), T0.AddMinutes(90)), new ChargingFinish.Finish(T0.AddMinutes(120), null)],
            ChargingFinish.Finishes([session], Threshold, T0.AddHours(3)));
    }

    [Fact]
    public void The_stop_finishes_charging_at_the_stop_unless_the_EV_had_stopped_drawing_for_the_threshold_before()
    {
        var shortly = new ChargingFinish.Session(T0, T0.AddMinutes(70), [new(T0.AddMinutes(60), ChargingState.SuspendedEV)]);
        var long_ = new ChargingFinish.Session(T0, T0.AddMinutes(90), [new(T0.AddMinutes(60), ChargingState.SuspendedEV)]);

        Assert.Equal(T0.AddMinutes(70), ChargingFinish.Current([shortly], Threshold, T0.AddHours(3)));
        Assert.Equal(T0.AddMinutes(60), ChargingFinish.Current([long_], Threshold, T0.AddHours(3)));
    }

    [Fact]
    public void A_pause_by_the_charger_is_charging_as_far_as_the_driver_is_concerned()
    {
        var session = new ChargingFinish.Session(T0, null, [new(T0, ChargingState.Charging), new(T0.AddMinutes(30), ChargingState.SuspendedEVSE)]);

        Assert.Null(ChargingFinish.Current([session], Threshold, T0.AddHours(5)));
    }

    [Fact]
    public void A_new_session_that_charges_ends_the_idle_time_of_the_one_before()
    {
        var first = new ChargingFinish.Session(T0, T0.AddHours(1), []);
        var second = new ChargingFinish.Session(T0.AddHours(2), null, [new(T0.AddHours(2), ChargingState.EVConnected), new(T0.AddHours(2).AddMinutes(5), ChargingState.Charging)]);

        Assert.Equal([new ChargingFinish.Finish(T0.AddHours(1), T0.AddHours(2).AddMinutes(5))], ChargingFinish.Finishes([first, second], Threshold, T0.AddHours(3)));
    }

    [Fact]
    public void The_idle_event_and_the_first_idle_line_of_the_bill_start_at_the_same_instant()
    {
        // A 1.6 charger reports its states as StatusNotifications: random charging, EV-suspended and charger-paused stretches,
        // a stop or not, the vehicle staying a while; the engine publishes bay.idle_started by the rule, and the estimate of the
        // stay's bill has its idle lines by the same rule.
        var gen =
            from steps in Gen.Select(Gen.Int[0, 2], Gen.Int[1, 50]).Array[1, 8]
            from stops in Gen.Bool
            from stayAfter in Gen.Int[0, 60]
            select (steps, stops, stayAfter);

        gen.Sample(x =>
        {
            var tariffs = new SiteTariffs { EvBay = new EvBayRules { IdleFeePerMinute = 0.10m } };
            var site = new SiteScenario().WithCarPark(tariffs: tariffs);
            site.Read("gate-in", "AB123C");
            site.Advance(TimeSpan.FromMinutes(1));
            site.Read("cam-b1", "AB123C");
            var tx = site.PlugIn16("CP1", 1, "RFID-1");
            foreach (var (state, minutes) in x.steps)
            {
                site.Observe(new ConnectorStatusReported(SiteScenario.Cp("CP1"), ConnectorRef.Ocpp16(1), state switch
                {
                    0 => ConnectorStatus.Charging,
                    1 => ConnectorStatus.SuspendedEV,
                    _ => ConnectorStatus.SuspendedEVSE,
                }));
                for (var m = 0; m < minutes; m++)
                {
                    site.Advance(TimeSpan.FromMinutes(1)).RunTimers();
                }
            }

            if (x.stops)
            {
                site.Stop16("CP1", tx, 10_000);
            }

            for (var m = 0; m < x.stayAfter; m++)
            {
                site.Advance(TimeSpan.FromMinutes(1)).RunTimers();
            }

            var stay = site.ParkingSession("AB123C");
            var bill = BillingRules.Estimate(stay, site.State.Configuration!, site.State.Parking.FindVisit, site.State.Binding.Bindings, site.State.FindSession, site.Now);
            var firstEvent = site.Events.OfType<BayIdleStarted>().FirstOrDefault()?.IdleSince;
            var firstLine = bill.Lines.FirstOrDefault(l => l.Kind == BillLineKind.Idle)?.From;

            // Both are there or neither, at the same instant; except an idle period that begins this very moment, which is
            // empty and so has no bill line yet (the event is published when the timer reaches its start).
            if (firstEvent == site.Now && firstLine is null)
            {
                return;
            }

            Assert.Equal(firstEvent, firstLine);
        });
    }
}
