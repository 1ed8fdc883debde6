using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;

using static ParkCharge.Core.Charging.TransactionEventType;

namespace ParkCharge.Core.Tests.Engine;

/// <summary>
/// What a charger or a camera can send that no real one would: seqNos of two billion, negative ones,
/// clocks in year 1 or 9999, meter readings of 10^28. Every such message is answered and kept (or, for
/// a camera, refused), costs no more than an ordinary one, and replays to the same state.
/// </summary>
public sealed class HostileInputTests
{
    private static readonly DateTimeOffset Year9999 = new(9999, 12, 31, 23, 59, 59, TimeSpan.Zero);
    private static readonly DateTimeOffset Year1 = new(1, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SiteScenario _site = new SiteScenario().WithCarPark().WithCharger("CS1", OcppVersion.Ocpp201);

    [Fact]
    public void A_transaction_event_with_seqNo_2147483647_after_0_is_answered_flagged_and_opens_no_gap_of_two_billion()
    {
        _site.TxEvent("CS1", Started, "tx-1", 0, registerWh: 1_000);

        var huge = _site.TxEvent("CS1", Updated, "tx-1", int.MaxValue, _site.Now.AddMinutes(1), registerWh: 2_000);
        var negative = _site.TxEvent("CS1", Updated, "tx-1", -1, _site.Now.AddMinutes(2), registerWh: 3_000);
        _site.TxEvent("CS1", Ended, "tx-1", 1, _site.Now.AddMinutes(3), registerWh: 4_000);

        Assert.IsType<Acknowledged>(huge.Reply);
        Assert.IsType<Acknowledged>(negative.Reply);
        var session = _site.Session("CS1", "tx-1");
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.SequenceInvalid));
        Assert.False(session.Anomalies.HasFlag(ChargingAnomalies.SequenceGap));
        Assert.Equal([new SeqNoRange(0, 1)], session.SeqNos);
        Assert.Equal(3_000m, session.EnergyWh);
        Assert.Equal(ChargingSessionStatus.Completed, session.Status);
    }

    [Fact]
    public void A_transaction_started_at_seqNo_2147483647_then_minus_1_stays_one_session()
    {
        _site.TxEvent("CS1", Started, "tx-1", int.MaxValue);

        var next = _site.TxEvent("CS1", Updated, "tx-1", -1, _site.Now.AddSeconds(10), ChargingState.Charging);

        Assert.IsType<Acknowledged>(next.Reply);
        var session = Assert.Single(_site.State.Sessions.Values, s => s.TransactionId == "tx-1");
        Assert.Equal(ChargingState.Charging, session.ChargingState);
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.SequenceInvalid));
    }

    [Fact]
    public void A_thousand_separate_gaps_keep_the_session_bounded()
    {
        _site.TxEvent("CS1", Started, "tx-1", 0);
        for (var seqNo = 2; seqNo < 2_000; seqNo += 2)
        {
            _site.TxEvent("CS1", Updated, "tx-1", seqNo, _site.Now.AddSeconds(seqNo));
        }

        var session = _site.Session("CS1", "tx-1");
        Assert.True(session.SeqNos.Length <= SeqNoLedger.MaxRanges);
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.SequenceGap));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.SequenceInvalid));
    }

    [Theory]
    [InlineData(9999)]
    [InlineData(1)]
    [InlineData(1970)]
    public void A_start_transaction_dated_outside_the_window_is_started_at_its_receive_time_and_flagged(int year)
    {
        var dated = new DateTimeOffset(year, 12, 31, 23, 59, 59, TimeSpan.Zero);

        var reply = _site.Observe(new TransactionStartReported(SiteScenario.Cp("CP1"), 1, "TAG", 500), dated);

        Assert.IsType<TransactionStartReply>(reply.Reply);
        var session = _site.OnlySessionOf("CP1");
        Assert.Equal(_site.Now, session.StartedAt);
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.ClockOutOfRange));
        var rejected = Assert.Single(_site.Events.OfType<ChargerClockRejected>());
        Assert.Equal((SiteScenario.Cp("CP1"), dated, _site.Now), (rejected.Charger, rejected.ReportedTime, rejected.ReceivedAt));
    }

    [Fact]
    public void A_charger_with_a_dead_clock_gets_one_clock_event_an_hour_not_one_per_message()
    {
        for (var i = 0; i < 30; i++)
        {
            _site.Observe(new ConnectorStatusReported(SiteScenario.Cp("CS1"), ConnectorRef.Ocpp201(1, 1), ConnectorStatus.Available), Year1);
            _site.Advance(TimeSpan.FromMinutes(5));
        }

        Assert.Equal(3, _site.Events.OfType<ChargerClockRejected>().Count()); // 150 minutes
        Assert.All(_site.State.FindCharger(SiteScenario.Cp("CS1"))!.Connectors, c => Assert.True(c.Since > Year1));
    }

    [Fact]
    public void Meter_values_dated_year_9999_and_readings_of_10_to_the_28_are_kept_at_receive_time_or_left_out()
    {
        _site.TxEvent("CS1", Started, "tx-1", 0, registerWh: 1_000);
        _site.Advance(TimeSpan.FromMinutes(10));

        var reply = _site.Observe(new MeterValuesReported(SiteScenario.Cp("CS1"), ConnectorRef.Ocpp201(1, null), null,
        [
            SiteScenario.Register(Year9999, 2_000),
            new MeterSample(_site.Now, Measurands.EnergyActiveImportRegister, 79_228_162_514_264_337_593_543_950_335m, "Wh"),
            new MeterSample(_site.Now, Measurands.PowerActiveImport, -79_228_162_514_264_337_593_543_950_335m, "W"),
        ]), _site.Now);
        _site.TxEvent("CS1", Ended, "tx-1", 1, _site.Now, registerWh: 3_000);

        Assert.IsType<Acknowledged>(reply.Reply);
        var session = _site.Session("CS1", "tx-1");
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.ClockOutOfRange));
        Assert.True(session.Anomalies.HasFlag(ChargingAnomalies.MeterValueOutOfRange));
        Assert.All(session.Samples, s => Assert.True(s.IsPlausible && s.Timestamp <= _site.Now));
        Assert.Equal(2_000m, session.EnergyWh);
    }

    [Fact]
    public void A_camera_read_captured_in_year_1_is_refused_and_the_camera_reads_on()
    {
        var refused = _site.Read("gate-in", "AB123C", at: Year1);
        var next = _site.Read("gate-in", "AB123C");

        Assert.IsType<Refused>(refused.Reply);
        Assert.IsType<Acknowledged>(next.Reply);
        Assert.True(_site.ParkingSession("AB123C").IsOpen);
    }

    [Fact]
    public void A_payment_beyond_twelve_digits_of_minor_units_is_refused_and_cannot_overflow_the_balance()
    {
        _site.Read("gate-in", "AB123C");
        var session = _site.ParkingSession("AB123C").Id;

        var max = _site.Observe(new PaymentRecorded(session, Currencies.MaxAmount("EUR"), "EUR", "card", null, "kiosk"));
        var huge = _site.Observe(new PaymentRecorded(session, decimal.MaxValue, "EUR", "card", null, "kiosk"));
        var again = _site.Observe(new PaymentRecorded(session, Currencies.MaxAmount("EUR"), "EUR", "card", null, "kiosk"));

        Assert.IsType<PaymentAccepted>(max.Reply);
        Assert.Contains("at most 9999999999.99 EUR", Assert.IsType<Refused>(huge.Reply).Reason, StringComparison.Ordinal);
        Assert.True(Assert.IsType<PaymentAccepted>(again.Reply).BalanceDue < -19_999_999_999m);
    }

    [Fact]
    public void Replaying_a_log_full_of_hostile_messages_gives_the_same_state()
    {
        A_transaction_event_with_seqNo_2147483647_after_0_is_answered_flagged_and_opens_no_gap_of_two_billion();
        Meter_values_dated_year_9999_and_readings_of_10_to_the_28_are_kept_at_receive_time_or_left_out_on("tx-2");
        _site.Read("gate-in", "XY999Z", at: Year9999);

        var (state, events) = _site.Replay();

        Assert.Equal(_site.State.Sessions.Values.OrderBy(s => s.Id).Select(Shape), state.Sessions.Values.OrderBy(s => s.Id).Select(Shape));
        Assert.Equal(_site.Events.Select(e => e.Type), events.Select(e => e.Type));
    }

    private static string Shape(ChargingSession s) =>
        $"{s.Id} {s.Status} {s.Anomalies} {s.EnergyWh} {s.StartedAt:O} {s.StoppedAt:O} [{string.Join(",", s.SeqNos)}] [{string.Join(",", s.Samples)}]";

    private void Meter_values_dated_year_9999_and_readings_of_10_to_the_28_are_kept_at_receive_time_or_left_out_on(string tx)
    {
        _site.TxEvent("CS1", Started, tx, 0, registerWh: 1_000, evse: 2);
        _site.Observe(new MeterValuesReported(SiteScenario.Cp("CS1"), ConnectorRef.Ocpp201(2, null), null, [SiteScenario.Register(Year9999, decimal.MaxValue)]), Year9999);
    }
}
