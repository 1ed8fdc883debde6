using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Charging;

public sealed class Ocpp16TransactionTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCharger("CP1");

    [Fact]
    public void A_start_and_stop_make_one_completed_session_with_its_energy()
    {
        var startedAt = _site.Now;
        var tx = _site.Start16("CP1", 1, "TAG1", meterStartWh: 1_000);
        _site.Advance(TimeSpan.FromMinutes(45));
        _site.Stop16("CP1", tx, meterStopWh: 12_500, reason: "EVDisconnected");

        var session = _site.OnlySession();
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
        Assert.Equal(startedAt, session.StartedAt);
        Assert.Equal(startedAt.AddMinutes(45), session.StoppedAt);
        Assert.Equal(11_500m, session.EnergyWh);
        Assert.Equal("EVDisconnected", session.StopReason);
        Assert.Equal("TAG1", session.IdToken?.Value);
        Assert.Equal(ChargingAnomalies.None, session.Anomalies);
        Assert.Equal(["charging.started", "charging.stopped"], _site.Events.Where(e => e.Type.StartsWith("charging.", StringComparison.Ordinal)).Select(e => e.Type));
    }

    [Fact]
    public void Transaction_ids_are_issued_in_sequence_per_site()
    {
        var first = _site.Start16("CP1", 1, "A", 0);
        var second = _site.Start16("CP1", 2, "B", 0);

        Assert.Equal(1, first);
        Assert.Equal(2, second);
    }

    [Fact]
    public void StartTransaction_resent_with_a_new_message_id_after_a_lost_reply_gets_the_same_transaction_id_and_creates_nothing()
    {
        var at = _site.Now;
        var first = _site.Start16("CP1", 1, "TAG1", 1_000, at, key: "msg-a");
        _site.Advance(TimeSpan.FromSeconds(30));
        var eventsBefore = _site.Events.Count;

        var again = _site.Start16("CP1", 1, "TAG1", 1_000, at, key: "msg-b");

        Assert.Equal(first, again);
        Assert.Single(_site.State.Sessions);
        Assert.Equal(eventsBefore, _site.Events.Count);
    }

    [Fact]
    public void StopTransaction_resent_after_a_lost_reply_changes_nothing()
    {
        var tx = _site.Start16("CP1", 1, "TAG1", 0);
        _site.Advance(TimeSpan.FromMinutes(10));
        var stopAt = _site.Now;
        _site.Stop16("CP1", tx, 5_000, stopAt, key: "stop-1");
        var eventsBefore = _site.Events.Count;
        _site.Advance(TimeSpan.FromMinutes(1));

        var repeat = _site.Stop16("CP1", tx, 5_000, stopAt, key: "stop-2");

        Assert.IsType<Acknowledged>(repeat.Reply);
        Assert.Equal(eventsBefore, _site.Events.Count);
        Assert.Equal(stopAt, _site.OnlySession().StoppedAt);
        Assert.Equal(5_000m, _site.OnlySession().EnergyWh);
    }

    [Fact]
    public void A_stop_for_a_transaction_never_issued_is_accepted_flagged_and_keeps_its_energy()
    {
        var begin = _site.Now.AddHours(-2);
        var decision = _site.Stop16("CP1", 4711, meterStopWh: 9_000, reason: "Local", samples:
        [
            Register(begin, 2_000, "Transaction.Begin"),
            Register(_site.Now, 9_000, "Transaction.End"),
        ]);

        Assert.IsType<Acknowledged>(decision.Reply);
        var session = _site.Session("CP1", "4711");
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.UnknownTransaction));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.StartNotReceived));
        Assert.Equal(begin, session.StartedAt);
        Assert.Equal(7_000m, session.EnergyWh);
        Assert.Contains(_site.Events, e => e is ChargingAnomalyDetected a && a.Added.HasFlag(ChargingAnomalies.UnknownTransaction));
    }

    [Fact]
    public void Transactions_queued_offline_arrive_hours_later_and_land_at_their_own_times()
    {
        // The charger lost its connection at 08:00, ran two sessions on connector 1 and comes back at 12:00.
        var offlineStart = _site.Now;
        _site.Advance(TimeSpan.FromHours(4));

        var first = _site.Start16("CP1", 1, "A", 100, offlineStart.AddMinutes(10));
        _site.Stop16("CP1", first, 5_100, offlineStart.AddMinutes(70));
        var second = _site.Start16("CP1", 1, "B", 5_100, offlineStart.AddMinutes(90));
        _site.Stop16("CP1", second, 8_100, offlineStart.AddMinutes(150));

        var sessions = _site.State.Sessions.Values.OrderBy(s => s.StartedAt).ToList();
        Assert.Equal(2, sessions.Count);
        Assert.Equal([offlineStart.AddMinutes(10), offlineStart.AddMinutes(90)], sessions.Select(s => s.StartedAt!.Value));
        Assert.Equal([5_000m, 3_000m], sessions.Select(s => s.EnergyWh!.Value));
        Assert.All(sessions, s => Assert.True(s.Anomalies.HasFlag(ChargingAnomalies.DeliveredLate)));
        Assert.All(sessions, s => Assert.False(s.Anomalies.HasFlag(ChargingAnomalies.StopInferred)));
    }

    [Fact]
    public void A_new_start_on_a_connector_whose_stop_was_never_received_infers_the_stop_and_a_late_real_stop_replaces_it()
    {
        var first = _site.Start16("CP1", 1, "A", 0);
        _site.Advance(TimeSpan.FromHours(1));
        var secondStart = _site.Now;
        _site.Start16("CP1", 1, "B", 10_000);

        var inferred = _site.Session("CP1", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(ChargingSessionStatus.Completed, inferred.Status);
        Assert.Equal(secondStart, inferred.StoppedAt);
        Assert.Equal("Inferred", inferred.StopReason);
        Assert.True(inferred.Anomalies.HasFlag(ChargingAnomalies.StopInferred));

        _site.Advance(TimeSpan.FromMinutes(5));
        var realStop = secondStart.AddMinutes(-10);
        _site.Stop16("CP1", first, 9_000, realStop, reason: "EVDisconnected");

        var stopped = _site.Session("CP1", first.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(realStop, stopped.StoppedAt);
        Assert.Equal("EVDisconnected", stopped.StopReason);
        Assert.Equal(9_000m, stopped.EnergyWh);
        Assert.False(stopped.Anomalies.HasFlag(ChargingAnomalies.StopInferred));
    }

    [Fact]
    public void Meter_values_without_a_transaction_id_go_to_the_session_active_on_the_connector_at_the_sample_time()
    {
        var t0 = _site.Now;
        var a = _site.Start16("CP1", 1, "A", 0, t0);
        _site.Stop16("CP1", a, 1_000, t0.AddMinutes(30));
        var b = _site.Start16("CP1", 1, "B", 1_000, t0.AddMinutes(40));
        var other = _site.Start16("CP1", 2, "C", 0, t0.AddMinutes(5));

        _site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), null,
        [
            Power(t0.AddMinutes(20), 7_000),
            Power(t0.AddMinutes(50), 11_000),
        ]));

        Assert.Equal(7_000m, _site.Session("CP1", a.ToString(System.Globalization.CultureInfo.InvariantCulture)).LastPowerW);
        Assert.Equal(11_000m, _site.Session("CP1", b.ToString(System.Globalization.CultureInfo.InvariantCulture)).LastPowerW);
        Assert.Null(_site.Session("CP1", other.ToString(System.Globalization.CultureInfo.InvariantCulture)).LastPowerW);
    }

    [Fact]
    public void Meter_values_naming_the_transaction_update_the_running_energy_and_repeats_are_not_counted_twice()
    {
        var t0 = _site.Now;
        var tx = _site.Start16("CP1", 1, "A", 1_000, t0);
        var values = new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [Register(t0.AddMinutes(10), 3_500), Power(t0.AddMinutes(10), 15_000)]);

        _site.Observe(values, t0.AddMinutes(10), key: "mv-1");
        _site.Observe(values, t0.AddMinutes(10), key: "mv-2");

        var session = _site.OnlySession();
        Assert.Equal(2_500m, session.EnergyWh);
        Assert.Equal(2, session.Samples.Length);
        Assert.Single(_site.Events.OfType<ChargingMeterUpdated>());
    }

    [Fact]
    public void Meter_reports_every_ten_seconds_make_one_meter_event_a_minute_but_every_value_is_kept()
    {
        var t0 = _site.Now;
        var tx = _site.Start16("CP1", 1, "A", 1_000, t0);

        for (var i = 1; i <= 18; i++)
        {
            var at = t0.AddSeconds(10 * i);
            _site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [Register(at, 1_000 + (30 * i)), Power(at, 11_000)]), at, key: $"mv-{i}");
        }

        // Reports at 10 s, 70 s and 130 s are a minute apart; the 15 in between only add values.
        Assert.Equal([t0.AddSeconds(10), t0.AddSeconds(70), t0.AddSeconds(130)], _site.Events.OfType<ChargingMeterUpdated>().Select(e => e.EventTime));
        Assert.Equal(36, _site.OnlySession().Samples.Length);
        Assert.Equal(540m, _site.OnlySession().EnergyWh);
    }

    [Fact]
    public void A_meter_that_goes_backwards_is_flagged_and_reported()
    {
        var t0 = _site.Now;
        var tx = _site.Start16("CP1", 1, "A", 50_000, t0);
        _site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), tx, [Register(t0.AddMinutes(5), 51_000), Register(t0.AddMinutes(10), 200)]));

        var session = _site.OnlySession();
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.MeterDecreased));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.NegativeEnergy));
        Assert.Null(session.EnergyWh);
        Assert.Contains(_site.Events, e => e is ChargingAnomalyDetected d && d.Added.HasFlag(ChargingAnomalies.MeterDecreased));
    }

    [Fact]
    public void Messages_from_a_charger_not_registered_at_the_site_are_refused_and_change_nothing()
    {
        var decision = _site.Observe(new TransactionStartReported(Cp("STRANGER"), 1, "A", 0));

        Assert.IsType<Refused>(decision.Reply);
        Assert.Empty(_site.State.Sessions);
        Assert.Empty(decision.Events);
    }
}
