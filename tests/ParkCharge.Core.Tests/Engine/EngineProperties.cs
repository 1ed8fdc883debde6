using System.Text.Json;
using System.Text.Json.Serialization;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;

using static ParkCharge.Core.Tests.SiteScenario;

namespace ParkCharge.Core.Tests.Engine;

/// <summary>Invariants of the site engine over generated observation streams.</summary>
public sealed class EngineProperties
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    /// <summary>One step a 1.6 charger may take; the generator strings them together without regard for protocol order.</summary>
    private enum Step
    {
        Start,
        StopLatest,
        StopUnknown,
        MeterValues,
        Status,
        RepeatLast,
        Reconnect,
        EntryRead,
        ExitRead,
        BayRead,
        Vacancy,
        Command,
        Dispatch,
        Timers,
    }

    private static readonly string[] Plates = ["BCD1234", "8CD1234", "XYZ987", "XYZ98", "QQ11AA", ""];

    private static readonly Gen<(Step Step, int Connector, int Minutes, int Wh)[]> Streams =
        Gen.Select(Gen.Enum<Step>(), Gen.Int[1, 2], Gen.Int[0, 90], Gen.Int[0, 5_000]).Array[1, 40];

    [Fact]
    public void Replaying_the_log_rebuilds_the_same_state_and_the_same_events()
    {
        Streams.Sample(steps =>
        {
            var site = Play(steps);

            var (replayed, events) = site.Replay();

            Assert.Equal(Snapshot(site.State), Snapshot(replayed));
            Assert.Equal(JsonSerializer.Serialize(site.Events, Json), JsonSerializer.Serialize(events, Json));
        }, iter: 300);
    }

    [Fact]
    public void Delivering_every_observation_twice_gives_the_same_state_as_delivering_it_once()
    {
        Streams.Sample(steps =>
        {
            var once = Play(steps);
            var twice = new SiteScenario();
            foreach (var observation in once.Log)
            {
                var first = twice.Observe(observation);
                var second = twice.Observe(observation);
                Assert.True(second.IsRepeat);
                Assert.Equal(first.Reply, second.Reply);
            }

            Assert.Equal(Snapshot(once.State), Snapshot(twice.State));
        }, iter: 200);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("c4ZGEEVIpqz1")] // a binding made at a timer planned a permit-end stop whose notice time had passed: a deadline left behind
    public void A_timer_leaves_no_deadline_at_or_before_its_due_time_even_when_it_arrives_a_moment_early(string? seed)
    {
        Streams.Sample(
            steps =>
        {
            var site = Play(steps);
            for (var i = 0; i < 30 && site.State.NextDeadline is { } due; i++)
            {
                // The host's timer fired a tick before the deadline by the wall clock (or on time, for a past one).
                if (due > site.Now)
                {
                    site.Now = due - TimeSpan.FromTicks(1);
                }

                site.Observe(new Observation
                {
                    Site = site.State.Site,
                    Source = "timer",
                    Key = "timer:" + due.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    EventTime = due,
                    ReceivedAt = site.Now,
                    Payload = new TimerElapsed(due),
                });

                Assert.False(site.State.NextDeadline <= due, $"after the timer for {due:O} the next deadline is still {site.State.NextDeadline:O}: "
                    + JsonSerializer.Serialize(site.State.Binding.Bindings.Where(b => b.WaitUntil <= due), Json)
                    + JsonSerializer.Serialize(site.State.Parking.CurrentVisits, Json) + JsonSerializer.Serialize(site.State.Commands.Open, Json) + JsonSerializer.Serialize(site.State.Automation.StopPlans, Json) + JsonSerializer.Serialize(site.State.Parking.OpenSessions, Json));
            }
        },
            iter: seed is null ? 300 : 1,
            seed: seed);
    }

    [Fact]
    public void The_same_plug_in_reported_over_OCPP_1_6_or_2_0_1_is_bound_to_the_same_car()
    {
        var reads = Gen.Select(Gen.Int[0, 2], Gen.Int[1, 2], Gen.Int[-300, 300], Gen.Double[0.72, 0.99]).Array[0, 5];
        Gen.Select(reads, Gen.Int[0, 120]).Sample((r, minutes) =>
        {
            var (status16, plate16) = Bind(r, minutes, OcppVersion.Ocpp16);
            var (status201, plate201) = Bind(r, minutes, OcppVersion.Ocpp201);

            Assert.Equal((status16, plate16), (status201, plate201));
        }, iter: 200);

        static (ParkCharge.Core.Binding.BindingStatus, string?) Bind((int Car, int Bay, int Offset, double Confidence)[] reads, int minutesLater, OcppVersion version)
        {
            string[] cars = ["AAA111", "BBB222", "CCC333"];
            var site = new SiteScenario().WithCarPark();
            if (version == OcppVersion.Ocpp201)
            {
                site.Observe(new ConnectionOpened(Cp("CP1"), "conn-201", OcppVersion.Ocpp201, "node-a", "127.0.0.1"));
            }

            foreach (var car in cars)
            {
                site.Read("gate-in", car, 0.95);
            }

            site.Advance(TimeSpan.FromMinutes(10));
            var plugIn = site.Now;
            site.Advance(TimeSpan.FromMinutes(minutesLater)); // 0: on time; later: everything arrives late together
            foreach (var (car, bay, offset, confidence) in reads)
            {
                site.Read(bay == 1 ? "cam-b1" : "cam-b2", cars[car], Math.Round(confidence, 2), plugIn.AddSeconds(offset));
            }

            if (version == OcppVersion.Ocpp16)
            {
                site.PlugIn16("CP1", 1, "RFID-1", plugIn, TimeSpan.FromSeconds(15));
            }
            else
            {
                site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp201(1, 1), ConnectorStatus.Occupied), plugIn);
                site.TxEvent("CP1", TransactionEventType.Started, "tx-1", 0, plugIn, ChargingState.EVConnected, evse: 1);
                site.TxEvent("CP1", TransactionEventType.Updated, "tx-1", 1, plugIn.AddSeconds(15), ChargingState.Charging, evse: 1, idToken: "RFID-1");
            }

            site.Advance(TimeSpan.FromMinutes(5)).RunTimers();
            var binding = site.State.Binding.Bindings.Single();
            return (binding.Status, binding.Plate);
        }
    }

    [Fact]
    public void A_2_0_1_transaction_ends_up_the_same_whatever_order_and_however_often_its_events_arrive_and_only_disorder_is_flagged()
    {
        var gen =
            from updates in Gen.Int[0, 6]
            from increments in Gen.Int[0, 4_000].Array[updates + 1]
            from order in Gen.Shuffle(Enumerable.Range(0, updates + 2).ToArray())
            from repeats in Gen.Int[0, updates + 1].Array[0, 3]
            select (updates, increments, order, repeats);

        gen.Sample(t =>
        {
            var (updates, increments, order, repeats) = t;
            var site = new SiteScenario().WithCharger("CS1", OcppVersion.Ocpp201);
            var t0 = site.Now;
            var registers = new decimal[updates + 2];
            registers[0] = 10_000;
            for (var i = 1; i < registers.Length; i++)
            {
                registers[i] = registers[i - 1] + increments[i - 1];
            }

            TransactionEventType TypeOf(int seq) => seq == 0 ? TransactionEventType.Started : seq == updates + 1 ? TransactionEventType.Ended : TransactionEventType.Updated;
            site.Advance(TimeSpan.FromHours(2));
            foreach (var seq in order.Concat(repeats))
            {
                site.Advance(TimeSpan.FromSeconds(1));
                site.TxEvent("CS1", TypeOf(seq), "tx", seq, t0.AddMinutes(seq * 5), registerWh: registers[seq], idToken: seq == 0 ? "TOKEN" : null);
            }

            var session = site.Session("CS1", "tx");
            Assert.Equal(ChargingSessionStatus.Completed, session.Status);
            Assert.Equal(t0, session.StartedAt);
            Assert.Equal(t0.AddMinutes((updates + 1) * 5), session.StoppedAt);
            Assert.Equal(registers[^1] - registers[0], session.EnergyWh);
            Assert.Equal("TOKEN", session.IdToken?.Value);
            Assert.Empty(session.MissingSeqNos);
            Assert.False(session.Anomalies.HasFlag(ChargingAnomalies.StartNotReceived));
            Assert.False(session.Anomalies.HasFlag(ChargingAnomalies.SequenceGap));
            var arrivedInOrder = order.SequenceEqual(order.Order());
            Assert.Equal(!arrivedInOrder, session.Anomalies.HasFlag(ChargingAnomalies.OutOfOrder));
            Assert.Single(site.Events.OfType<ChargingStarted>());
            Assert.Single(site.Events.OfType<ChargingStopped>());
        }, iter: 300);
    }

    /// <summary>Every automation rule on, so that generated streams exercise them too.</summary>
    private static readonly ParkCharge.Core.Automation.SiteAutomation Automation = new()
    {
        Autocharge = new() { Enabled = true, IdToken = "PC-AUTO", Plates = [new("BCD1234"), new("XYZ987", "FLEET-1")] },
        PowerLimit = new() { Enabled = true, LimitKw = 22, MinimumKw = 6 },
        StopAtPermitEnd = new() { Enabled = true },
        MaxChargingTime = new() { Enabled = true, Limit = TimeSpan.FromMinutes(45), Notice = TimeSpan.FromMinutes(5) },
    };

    private static SiteScenario Play((Step Step, int Connector, int Minutes, int Wh)[] steps)
    {
        var site = new SiteScenario().WithCarPark(
            tariffs: new ParkCharge.Core.Billing.SiteTariffs { Permits = [new("QQ11AA", ValidTo: new DateTimeOffset(2026, 3, 2, 12, 0, 0, TimeSpan.Zero))] },
            automation: Automation);
        var lastTx = 0;
        Observation? last = null;
        var connection = 1;
        foreach (var (step, connector, minutes, wh) in steps)
        {
            site.Advance(TimeSpan.FromMinutes(minutes));
            switch (step)
            {
                case Step.Start:
                    lastTx = site.Start16("CP1", connector, "TAG" + connector, wh);
                    break;
                case Step.StopLatest when lastTx > 0:
                    site.Stop16("CP1", lastTx, wh + 10_000);
                    break;
                case Step.StopUnknown:
                    site.Stop16("CP1", 90_000 + minutes, wh, samples: [Register(site.Now.AddMinutes(-minutes), 1)]);
                    break;
                case Step.MeterValues:
                    site.Observe(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(connector), null,
                        [Register(site.Now.AddMinutes(-minutes / 2), wh), Power(site.Now, wh)]));
                    break;
                case Step.Status:
                    site.Observe(new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(connector), (ConnectorStatus)(wh % 9)), site.Now.AddMinutes(-minutes));
                    break;
                case Step.RepeatLast when last is not null:
                    site.Observe(last with { ReceivedAt = site.Now });
                    break;
                case Step.EntryRead:
                    site.Read("gate-in", Plates[wh % Plates.Length], (wh % 100) / 100.0, site.Now.AddSeconds(-minutes));
                    break;
                case Step.ExitRead:
                    site.Read("gate-out", Plates[wh % Plates.Length], (wh % 100) / 100.0);
                    break;
                case Step.BayRead:
                    site.Read(connector == 1 ? "cam-b1" : "cam-b34", Plates[wh % Plates.Length], 0.9, plateX: (wh % 10) / 10.0);
                    break;
                case Step.Vacancy:
                    site.Observe(new BayVacancyReported(connector == 1 ? "cam-b1" : "cam-b34"));
                    break;
                case Step.Command:
                    site.Observe(new ParkCharge.Core.Commands.CommandSubmitted(
                        new ParkCharge.Core.Commands.CommandRequest { Type = ParkCharge.Core.Commands.CommandType.UnlockConnector, Charger = Cp("CP1"), Outlet = connector, OfflineWait = TimeSpan.FromMinutes(wh % 3) },
                        "api:test"));
                    break;
                case Step.Dispatch when site.State.Commands.Pending.FirstOrDefault() is { } pending && site.State.FindCharger(pending.Charger)?.Connection is { } live:
                    site.Observe(new ParkCharge.Core.Commands.CommandSent(pending.Id, live.ConnectionId), key: $"command:{pending.Id}:sent");
                    site.Observe(new ParkCharge.Core.Commands.CommandAnswered(pending.Id, (wh % 2) == 0 ? ParkCharge.Core.Commands.CommandStatus.Accepted : ParkCharge.Core.Commands.CommandStatus.TimedOut, "Accepted", null), key: $"command:{pending.Id}:answered");
                    break;
                case Step.Timers:
                    site.RunTimers();
                    break;
                case Step.Reconnect:
                    connection++;
                    site.Observe(new ConnectionOpened(Cp("CP1"), "c" + connection, OcppVersion.Ocpp16, "n", null));
                    site.Observe(new ConnectionClosed(Cp("CP1"), "c" + (connection - 1), "replaced"));
                    break;
            }

            last = site.Log.Count > 0 ? site.Log[^1] : null;
        }

        return site;
    }

    private static string Snapshot(SiteState state) => JsonSerializer.Serialize(
        new
        {
            state.LastSeq,
            state.LastEventSeq,
            state.LastTransactionId,
            Chargers = state.Chargers.Values.OrderBy(c => c.Id.Value, StringComparer.Ordinal),
            Sessions = state.Sessions.Values.OrderBy(s => s.Id, StringComparer.Ordinal),
            Parking = state.Parking.Sessions.OrderBy(s => s.Id, StringComparer.Ordinal),
            Visits = state.Parking.CurrentVisits.OrderBy(v => v.Id, StringComparer.Ordinal),
            Anomalies = state.Parking.OpenAnomalies.OrderBy(a => a.Id, StringComparer.Ordinal),
            Bindings = state.Binding.Bindings.OrderBy(b => b.ChargingSessionId, StringComparer.Ordinal),
            Commands = state.Commands.All.OrderBy(c => c.Id, StringComparer.Ordinal),
            StopPlans = state.Automation.StopPlans.OrderBy(p => p.ChargingSessionId, StringComparer.Ordinal),
            Shares = state.Automation.PowerShares.OrderBy(p => p.ChargingSessionId, StringComparer.Ordinal).Select(p => new { p.ChargingSessionId, p.Share.LimitW, p.Share.CommandId }),
        },
        Json);
}
