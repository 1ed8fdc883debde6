using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Charging.TransactionEventType;

namespace ParkCharge.Core.Tests.Charging;

public sealed class Ocpp201TransactionTests
{
    private readonly SiteScenario _site = new SiteScenario().WithCharger("CS1", OcppVersion.Ocpp201);

    [Fact]
    public void Started_updated_and_ended_events_make_one_session_with_energy_from_the_begin_and_end_registers()
    {
        var t0 = _site.Now;
        _site.TxEvent("CS1", Started, "tx-1", 0, t0, ChargingState.EVConnected, registerWh: 20_000, idToken: "RFID1");
        _site.TxEvent("CS1", Updated, "tx-1", 1, t0.AddMinutes(1), ChargingState.Charging);
        _site.TxEvent("CS1", Updated, "tx-1", 2, t0.AddMinutes(30), registerWh: 25_000);
        _site.TxEvent("CS1", Ended, "tx-1", 3, t0.AddMinutes(60), ChargingState.Idle, registerWh: 29_250);

        var session = _site.Session("CS1", "tx-1");
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
        Assert.Equal(new ConnectorRef(1, 1), session.Connector);
        Assert.Equal(t0, session.StartedAt);
        Assert.Equal(t0.AddMinutes(60), session.StoppedAt);
        Assert.Equal(9_250m, session.EnergyWh);
        Assert.Equal("RFID1", session.IdToken?.Value);
        Assert.Equal("EVDisconnected", session.StopReason);
        Assert.Equal(ChargingState.Idle, session.ChargingState);
        Assert.Equal(ChargingAnomalies.None, session.Anomalies);
        Assert.Equal(
            ["charging.started", "charging.updated", "charging.meter_updated", "charging.stopped"],
            _site.Events.Where(e => e.Type.StartsWith("charging.", StringComparison.Ordinal)).Select(e => e.Type));
    }

    [Fact]
    public void A_gap_in_seqNo_is_reported_and_cleared_when_the_missing_event_arrives_late()
    {
        var t0 = _site.Now;
        _site.TxEvent("CS1", Started, "tx-1", 0, t0);
        _site.TxEvent("CS1", Updated, "tx-1", 2, t0.AddMinutes(2));

        var gapped = _site.Session("CS1", "tx-1");
        Assert.True(gapped.Anomalies.HasFlag(ChargingAnomalies.SequenceGap));
        Assert.Equal([new SeqNoRange(1, 1)], gapped.MissingSeqNos);
        var reported = Assert.Single(_site.Events.OfType<ChargingAnomalyDetected>());
        Assert.Contains("seqNo missing: 1", reported.Detail, StringComparison.Ordinal);

        _site.TxEvent("CS1", Updated, "tx-1", 1, t0.AddMinutes(1));

        var filled = _site.Session("CS1", "tx-1");
        Assert.False(filled.Anomalies.HasFlag(ChargingAnomalies.SequenceGap));
        Assert.True(filled.Anomalies.HasFlag(ChargingAnomalies.OutOfOrder));
        Assert.Empty(filled.MissingSeqNos);
    }

    [Fact]
    public void The_same_seqNo_delivered_twice_with_different_message_ids_is_answered_and_changes_nothing()
    {
        _site.TxEvent("CS1", Started, "tx-1", 0, idToken: "T", key: "a");
        var events = _site.Events.Count;

        var repeat = _site.TxEvent("CS1", Started, "tx-1", 0, idToken: "T", key: "b");

        Assert.IsType<AuthorizationReply>(repeat.Reply);
        Assert.Equal(events, _site.Events.Count);
        Assert.Single(_site.State.Sessions);
    }

    [Fact]
    public void An_ended_event_that_arrives_before_the_started_event_still_gives_the_right_session()
    {
        var t0 = _site.Now;
        _site.Advance(TimeSpan.FromMinutes(90));
        _site.TxEvent("CS1", Ended, "tx-9", 2, t0.AddMinutes(80), registerWh: 7_000);

        var early = _site.Session("CS1", "tx-9");
        Assert.True(early.Anomalies.HasFlag(ChargingAnomalies.StartNotReceived));
        Assert.Equal(ChargingSessionStatus.Completed, early.Status);

        _site.TxEvent("CS1", Started, "tx-9", 0, t0, registerWh: 1_000, offline: true);
        _site.TxEvent("CS1", Updated, "tx-9", 1, t0.AddMinutes(40), registerWh: 4_000, offline: true);

        var session = _site.Session("CS1", "tx-9");
        Assert.Equal(t0, session.StartedAt);
        Assert.Equal(t0.AddMinutes(80), session.StoppedAt);
        Assert.Equal(6_000m, session.EnergyWh);
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
        Assert.False(session.Anomalies.HasFlag(ChargingAnomalies.StartNotReceived));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.OutOfOrder));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.DeliveredLate));
        Assert.Equal(new ConnectorRef(1, 1), session.Connector);
    }

    [Fact]
    public void An_update_after_the_end_is_kept_and_flagged()
    {
        var t0 = _site.Now;
        _site.TxEvent("CS1", Started, "tx-1", 0, t0, registerWh: 0);
        _site.TxEvent("CS1", Ended, "tx-1", 1, t0.AddMinutes(10), registerWh: 2_000);
        _site.TxEvent("CS1", Updated, "tx-1", 2, t0.AddMinutes(11), registerWh: 2_000);

        var session = _site.Session("CS1", "tx-1");
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.EventAfterEnd));
        Assert.Equal(2_000m, session.EnergyWh);
    }

    [Fact]
    public void Charging_state_changes_are_in_the_connector_timeline_and_an_older_state_does_not_overwrite_a_newer_one()
    {
        var t0 = _site.Now;
        _site.TxEvent("CS1", Started, "tx-1", 0, t0, ChargingState.EVConnected);
        _site.TxEvent("CS1", Updated, "tx-1", 2, t0.AddMinutes(30), ChargingState.SuspendedEV);
        var late = _site.TxEvent("CS1", Updated, "tx-1", 1, t0.AddMinutes(1), ChargingState.Charging);

        Assert.Equal(ChargingState.SuspendedEV, _site.Session("CS1", "tx-1").ChargingState);
        Assert.Equal(ChargingState.Charging, Assert.Single(late.Changes.StatusEntries).ChargingState);
    }

    [Fact]
    public void A_started_transaction_on_an_evse_ends_an_earlier_one_that_never_ended()
    {
        var t0 = _site.Now;
        _site.TxEvent("CS1", Started, "old", 0, t0, evse: 2);
        _site.TxEvent("CS1", Started, "new", 0, t0.AddHours(3), evse: 2);
        _site.TxEvent("CS1", Started, "elsewhere", 0, t0.AddHours(3), evse: 1);

        var old = _site.Session("CS1", "old");
        Assert.Equal(t0.AddHours(3), old.StoppedAt);
        Assert.True(old.Anomalies.HasFlag(ChargingAnomalies.StopInferred));
        Assert.Equal(ChargingSessionStatus.Active, _site.Session("CS1", "new").Status);
        Assert.Equal(ChargingSessionStatus.Active, _site.Session("CS1", "elsewhere").Status);
    }
}
