using CsCheck;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Simulator.Scenarios.BusyDay;

namespace ParkCharge.Simulator.Tests.Scenarios;

/// <summary>
/// Invariants of binding over short busy days of random seeds (none of them tuned on), delivered as an
/// independent harness might: every message on time, twice, or with camera pushes and charger messages held
/// back and delivered late and out of order. The figures are the benchmark's; these are the rules that hold
/// whatever the day: a vehicle charges at one outlet at a time, nothing waits past its window, a repeat
/// changes nothing.
/// </summary>
public sealed class BindingProperties
{
    private static readonly Gen<int> Seeds = Gen.Int[10_000, 99_999];

    private static SimulatedDay ShortDay(int seed) => BusyDayGenerator.Generate(new BusyDayOptions
    {
        Seed = seed,
        EvBays = 8,
        ArrivalsFrom = TimeSpan.FromHours(7),
        ArrivalsUntil = TimeSpan.FromHours(11),
    });

    [Fact]
    public void On_any_day_no_vehicle_is_bound_to_two_charges_at_once_and_nothing_waits_past_its_window()
    {
        Seeds.Sample(seed =>
        {
            var day = ShortDay(seed);
            var state = Play(day, day.Messages);

            AssertInvariants(day, state);
        }, iter: 40, threads: 1);
    }

    [Fact]
    public void Delivering_every_message_twice_binds_every_charge_as_delivering_it_once()
    {
        Seeds.Sample(seed =>
        {
            var day = ShortDay(seed);
            var once = Play(day, day.Messages);
            var twice = Play(day, [.. day.Messages.SelectMany(m => new[] { m, m with { Observation = m.Observation with { ReceivedAt = m.Observation.ReceivedAt.AddMilliseconds(1) } } })]);

            Assert.Equal(Summary(once), Summary(twice));
        }, iter: 15, threads: 1);
    }

    [Fact]
    public void Camera_pushes_and_charger_messages_held_back_and_delivered_out_of_order_keep_the_invariants()
    {
        var gen = from seed in Seeds
                  from delayed in Gen.Double[0.05, 0.3]
                  from maxDelayMinutes in Gen.Int[1, 15]
                  select (seed, delayed, maxDelayMinutes);
        gen.Sample(t =>
        {
            var day = ShortDay(t.seed);
            var random = new Random(t.seed);

            // Each camera read, and each charger's whole connection, may be held back: a camera buffering, a
            // charger whose messages sit in a proxy. Per source the order is kept (OCPP delivers in order).
            var held = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
            var messages = day.Messages.Select(m =>
            {
                var source = m.Observation.Source;
                if (source.StartsWith("ocpp:", StringComparison.Ordinal))
                {
                    if (!held.TryGetValue(source, out var hold))
                    {
                        held[source] = hold = random.NextDouble() < t.delayed ? TimeSpan.FromMinutes(random.Next(1, t.maxDelayMinutes + 1)) : TimeSpan.Zero;
                    }

                    return m with { Observation = m.Observation with { ReceivedAt = m.Observation.ReceivedAt + hold } };
                }

                return m.Observation.Payload is Core.Parking.PlateRead && random.NextDouble() < t.delayed
                    ? m with { Observation = m.Observation with { ReceivedAt = m.Observation.ReceivedAt + TimeSpan.FromSeconds(random.Next(5, t.maxDelayMinutes * 60)) } }
                    : m;
            }).OrderBy(m => m.Observation.ReceivedAt).ToList();

            var state = Play(day, messages);

            AssertInvariants(day, state);
        }, iter: 30, threads: 1);
    }

    private static void AssertInvariants(SimulatedDay day, SiteState state)
    {
        var bindings = state.Binding.Bindings.ToList();
        Assert.All(state.Sessions.Values, s => Assert.Contains(bindings, b => b.ChargingSessionId == s.Id));
        Assert.DoesNotContain(bindings, b => b.Status == BindingStatus.Waiting || b.Tentative);
        Assert.False(state.NextDeadline < day.End, $"a deadline {state.NextDeadline:O} is left before the day's end {day.End:O}");

        // A vehicle (a stay) charges at one outlet at a time.
        foreach (var stay in bindings.Where(b => b is { IsBound: true, ParkingSessionId: not null } && b.Method != BindingMethod.Fuzzy).GroupBy(b => b.ParkingSessionId))
        {
            var charges = stay.Select(b => (b.Charger, b.Connector, From: b.PlugInAt, To: state.FindSession(b.ChargingSessionId)?.StoppedAt ?? DateTimeOffset.MaxValue)).OrderBy(c => c.From).ToList();
            for (var i = 1; i < charges.Count; i++)
            {
                var overlap = charges[i].From < charges[i - 1].To - TimeSpan.FromMinutes(3);
                Assert.False(overlap && (charges[i].Charger != charges[i - 1].Charger || charges[i].Connector != charges[i - 1].Connector),
                    $"day of seed {day.Options.Seed}: stay {stay.Key} is bound to {charges[i - 1].Charger}/{charges[i - 1].Connector} and {charges[i].Charger}/{charges[i].Connector} at once");
            }
        }
    }

    private static List<(string, string, BindingStatus, string?)> Summary(SiteState state) =>
        [.. state.Binding.Bindings.Select(b => (b.Charger.Value, b.TransactionId, b.Status, b.Plate)).OrderBy(b => b.Item1, StringComparer.Ordinal).ThenBy(b => b.TransactionId, StringComparer.Ordinal)];

    /// <summary>The messages through the engine as the host delivers them, timers included; 1.6 chargers learn their transaction ids.</summary>
    private static SiteState Play(SimulatedDay day, IReadOnlyList<SimulatedMessage> messages)
    {
        var state = new SiteState(day.Site.Id);
        var issued = new Dictionary<string, int>(StringComparer.Ordinal);
        DateTimeOffset? fired = null;
        var last = DateTimeOffset.MinValue;

        void Decide(Observation observation)
        {
            var decision = SiteEngine.Decide(state, observation);
            state.Apply(observation, decision);
            last = observation.ReceivedAt > last ? observation.ReceivedAt : last;
        }

        void Timers(DateTimeOffset until)
        {
            for (var guard = 0; guard < 10_000 && state.NextDeadline is { } due; guard++)
            {
                var at = fired is { } f && due <= f ? (last > f ? last : f) + TimeSpan.FromSeconds(1) : due;
                if (at > until)
                {
                    return;
                }

                fired = at;
                Decide(new Observation
                {
                    Site = day.Site.Id,
                    Source = "timer",
                    Key = "timer:" + at.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    EventTime = at,
                    ReceivedAt = at > last ? at : last,
                    Payload = new TimerElapsed(at),
                });
            }
        }

        foreach (var message in messages)
        {
            Timers(message.Observation.ReceivedAt);
            var observation = message.Observation;
            if (message.TransactionRef is { } reference && issued.TryGetValue(reference, out var id))
            {
                observation = observation with
                {
                    Payload = observation.Payload switch
                    {
                        TransactionStopReported stop => stop with { TransactionId = id },
                        MeterValuesReported { TransactionId: not null } meter => meter with { TransactionId = id },
                        var other => other,
                    },
                };
            }

            var decision = SiteEngine.Decide(state, observation);
            state.Apply(observation, decision);
            last = observation.ReceivedAt > last ? observation.ReceivedAt : last;
            if (decision.Reply is TransactionStartReply start && message.TransactionRef is { } started)
            {
                issued[started] = start.TransactionId;
            }
        }

        Timers(day.End.AddHours(1));
        return state;
    }
}
