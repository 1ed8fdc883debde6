using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Device noise, chargers: the OCPP messages a plug-in makes (1.6 or 2.0.1), chargers that go offline and
/// deliver their queued transaction messages when back, connectors faulted for hours, clocks a few seconds
/// off, messages sent twice because an answer was lost.
/// </summary>
internal sealed partial class BusyDaySimulation
{
    private const string FreeVendTag = "FREEVEND";

    // ------------------------------------------------------------------ what the chargers make of it

    /// <summary>Chargers that lose their connection for a while, connectors that are faulted for hours.</summary>
    private void PlanOutagesAndFaults(DateTimeOffset day)
    {
        foreach (var charger in _chargers)
        {
            if (Chance(_rates.ChargerOutage))
            {
                var from = day + Hours(Within(7), Within(19));
                var outage = new Interval(from, from + Minutes(20, 150));
                charger.Outages.Add(outage);
                charger.Connections++;
                Server(from + Seconds(5, 60), Invariant($"charger:closed:{charger.Id}:{charger.Connections}"), new ConnectionClosed(charger.Id, Invariant($"conn-{charger.Connections - 1}"), "ping timeout"));
                Server(outage.To, Invariant($"charger:connected:{charger.Id}:{charger.Connections}"), new ConnectionOpened(charger.Id, Invariant($"conn-{charger.Connections}"), charger.Version, "sim-node", "127.0.0.1"));
            }

            foreach (var outlet in charger.Outlets)
            {
                if (Chance(_rates.ConnectorFault))
                {
                    // Reported when the day is rendered: a fault that would start during a charge waits for the unplug.
                    var from = day + Hours(Within(6), Within(18));
                    outlet.Faults.Add(new Interval(from, from + Hours(1, 6)));
                }
            }
        }
    }

    /// <summary>
    /// The charger's messages for one plug-in. OCPP 1.6: Preparing, StartTransaction when the driver
    /// badges, Charging, MeterValues every 15 min, SuspendedEV if the car is full before it leaves,
    /// StopTransaction and Available at the unplug. OCPP 2.0.1 (TxStartPoint EVConnected): Occupied,
    /// TransactionEvent Started at the plug-in, Updated with the id token when authorised, periodic
    /// meter values, Ended at the unplug, Available.
    /// </summary>
    private Tx? Charge(Stay stay, Outlet outlet, bool neverAuthorized, DateTimeOffset plug, DateTimeOffset authorized, DateTimeOffset unplug, bool neighbourCable, bool moved)
    {
        var charger = outlet.Charger;
        var vehicle = stay.Presence.Vehicle;
        var (token, tokenType, shared) = charger.FreeVend
            ? (charger.Version == OcppVersion.Ocpp16 ? FreeVendTag : "", "NoAuthorization", true)
            : vehicle.Token switch
            {
                TokenKind.Personal => (vehicle.Card!, "ISO14443", false),
                TokenKind.Fleet => (vehicle.Card!, "ISO14443", true),
                _ => ("APP-" + Hex(10), "Central", false),
            };
        var power = (decimal)U(3.7, 22); // kW
        var full = Chance(0.3) && unplug - authorized > TimeSpan.FromMinutes(40) ? unplug - Minutes(5, 30) : unplug;
        var register = outlet.RegisterWh;
        decimal RegisterAt(DateTimeOffset t) => t <= authorized ? register : Math.Round(register + (power * (decimal)((t < full ? t : full) - authorized).TotalHours * 1000));
        outlet.RegisterWh = RegisterAt(unplug) + 1;

        if (charger.Version == OcppVersion.Ocpp16)
        {
            Status(outlet, plug, ConnectorStatus.Preparing);
            if (neverAuthorized)
            {
                Status(outlet, unplug, ConnectorStatus.Available);
                return null;
            }

            var tx = NewTransaction(stay, outlet, plug, token, shared, neighbourCable, moved, neverAuthorized: false, Invariant($"T{_transactions.Count + 1:D6}"));
            tx.Unplug = unplug;
            Send(charger, authorized, new TransactionStartReported(charger.Id, outlet.Number, token, RegisterAt(authorized)), queued: true, tx.Ref, tx);
            Status(outlet, authorized.AddSeconds(1), ConnectorStatus.Charging);
            for (var t = authorized.AddMinutes(15); t < unplug; t = t.AddMinutes(15))
            {
                Send(charger, t, new MeterValuesReported(charger.Id, ConnectorRef.Ocpp16(outlet.Number), 0, [Sample(charger, t, RegisterAt(t), "Sample.Periodic")]), queued: true, tx.Ref);
            }

            if (full < unplug)
            {
                Status(outlet, full, ConnectorStatus.SuspendedEV);
            }

            Send(charger, unplug, new TransactionStopReported(charger.Id, 0, token, RegisterAt(unplug), "EVDisconnected", []), queued: true, tx.Ref);
            Status(outlet, unplug.AddSeconds(2), ConnectorStatus.Available);
            return tx;
        }
        else
        {
            var id = Guid(charger);
            var tx = NewTransaction(stay, outlet, plug, neverAuthorized ? null : token, shared, neighbourCable, moved, neverAuthorized, id);
            tx.Unplug = unplug;
            var seqNo = 0;
            void Event(DateTimeOffset at, TransactionEventType type, string trigger, ChargingState? state, IdToken? idToken = null, string? context = null, string? stoppedReason = null) =>
                Send(charger, at, new TransactionEventReported
                {
                    Charger = charger.Id,
                    EventType = type,
                    TransactionId = id,
                    TriggerReason = trigger,
                    SeqNo = seqNo++,
                    Offline = charger.Outages.Any(o => o.Contains(at)),
                    Connector = type == TransactionEventType.Started ? ConnectorRef.Ocpp201(outlet.Number, 1) : null,
                    ChargingState = state,
                    IdToken = idToken,
                    StoppedReason = stoppedReason,
                    Samples = context is null ? [] : [Sample(charger, at, RegisterAt(at), context)],
                }, queued: true, id, type == TransactionEventType.Started ? tx : null);

            Status(outlet, plug, ConnectorStatus.Occupied);
            Event(plug, TransactionEventType.Started, "CablePluggedIn", ChargingState.EVConnected, charger.FreeVend ? new IdToken(token, tokenType) : null, "Transaction.Begin");
            if (!neverAuthorized)
            {
                Event(authorized, TransactionEventType.Updated, charger.FreeVend ? "ChargingStateChanged" : "Authorized", ChargingState.Charging, charger.FreeVend ? null : new IdToken(token, tokenType));
                for (var t = authorized.AddMinutes(15); t < unplug; t = t.AddMinutes(15))
                {
                    Event(t, TransactionEventType.Updated, "MeterValuePeriodic", null, context: "Sample.Periodic");
                }

                if (full < unplug)
                {
                    Event(full, TransactionEventType.Updated, "ChargingStateChanged", ChargingState.SuspendedEV);
                }
            }

            Event(unplug, TransactionEventType.Ended, "EVDeparted", ChargingState.Idle, context: "Transaction.End", stoppedReason: "EVDisconnected");
            Status(outlet, unplug.AddSeconds(1), ConnectorStatus.Available);
            return tx;
        }
    }

    private Tx NewTransaction(Stay stay, Outlet outlet, DateTimeOffset plug, string? token, bool shared, bool neighbourCable, bool moved, bool neverAuthorized, string reference)
    {
        var tx = new Tx
        {
            Ref = reference,
            Outlet = outlet,
            Stay = stay,
            PlugIn = plug,
            Token = token,
            SharedToken = shared,
            NeighbourCable = neighbourCable,
            Moved = moved,
            NeverAuthorized = neverAuthorized,
        };
        _transactions.Add(tx);
        return tx;
    }

    private static MeterSample Sample(Charger charger, DateTimeOffset at, decimal wh, string context) =>
        new(at + charger.Skew, Measurands.EnergyActiveImportRegister, wh, "Wh", Context: context);

    private string Guid(Charger charger) => Invariant($"{charger.Id}-{Hex(12)}");

    private void Status(Outlet outlet, DateTimeOffset at, ConnectorStatus status)
    {
        var charger = outlet.Charger;
        outlet.Statuses.Add((at, status));
        var connector = charger.Version == OcppVersion.Ocpp16 ? ConnectorRef.Ocpp16(outlet.Number) : ConnectorRef.Ocpp201(outlet.Number, 1);
        Send(charger, at, new ConnectorStatusReported(charger.Id, connector, status, status == ConnectorStatus.Faulted ? "ConnectorLockFailure" : "NoError"), queued: false);
    }

    private void Send(Charger charger, DateTimeOffset at, ObservationPayload payload, bool queued, string? transactionRef = null, Tx? starts = null) =>
        charger.Messages.Add(new ChargerMessage(at, _order++, payload, queued, transactionRef, starts));

    /// <summary>
    /// When the server receives a charger's messages: a moment after they happen, one at a time in
    /// order; while the charger is offline its transaction messages are queued (status notifications
    /// are not) and delivered after it reconnects, followed by the current status of each connector.
    /// </summary>
    private void Render(Charger charger)
    {
        foreach (var outlet in charger.Outlets)
        {
            foreach (var fault in outlet.Faults.ToList())
            {
                Status(outlet, fault.From, ConnectorStatus.Faulted);
                Status(outlet, fault.To, ConnectorStatus.Available);
            }
        }

        foreach (var outage in charger.Outages)
        {
            foreach (var outlet in charger.Outlets)
            {
                var (_, status) = outlet.Statuses.Where(s => s.At <= outage.To).OrderBy(s => s.At).Last();
                Status(outlet, outage.To, status);
                outlet.Statuses.RemoveAt(outlet.Statuses.Count - 1); // a report of the status, not a change
            }
        }

        var queued = new Dictionary<Interval, int>();
        var previous = DateTimeOffset.MinValue;
        var count = 0;
        foreach (var message in charger.Messages.OrderBy(m => m.At).ThenBy(m => m.Order))
        {
            DateTimeOffset received;
            var outage = charger.Outages.FirstOrDefault(o => o.Contains(message.At));
            if (outage != default)
            {
                if (!message.Queued)
                {
                    continue;
                }

                var position = queued.GetValueOrDefault(outage);
                queued[outage] = position + 1;
                received = outage.To + TimeSpan.FromSeconds(1) + (position * TimeSpan.FromMilliseconds(250));
            }
            else
            {
                received = message.At + Seconds(0.05, 0.6);
            }

            if (received <= previous)
            {
                received = previous + TimeSpan.FromMilliseconds(20);
            }

            previous = received;
            var observation = new Observation
            {
                Site = _site.Id,
                Source = "ocpp:" + charger.Id,
                Key = Invariant($"ocpp:{charger.Id}:{++count:D6}"),
                EventTime = message.At + charger.Skew,
                ReceivedAt = received,
                Payload = message.Payload,
            };
            Add(observation, message.TransactionRef);
            if (message.Queued && Chance(_rates.ResentChargerMessage))
            {
                // Its answer was lost: the charger sends the same message again, as a new call.
                _resentMessages++;
                Add(observation with { Key = Invariant($"ocpp:{charger.Id}:{++count:D6}"), ReceivedAt = received + Seconds(1, 10) }, message.TransactionRef);
            }

            if (message.Starts is { } tx)
            {
                tx.StartReceivedAt = received;
            }
        }
    }
}
