using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Billing;

/// <summary>
/// Settlement: a stay's bill becomes final when its parking session closes; anything that later
/// changes the stay's timeline (a queued meter value, a late binding, an operator's correction)
/// produces an adjustment linked to the bill. Payments are recorded against the stay.
/// </summary>
public static class BillingRules
{
    /// <summary>Runs at the end of every decision, over the closed stays the decision touched.</summary>
    internal static void Settle(SiteChangeSet work)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        foreach (var id in work.TouchedParkingSessions())
        {
            if (work.ParkingSession(id) is not { IsOpen: false, ClosedBy: not ParkingSessionClosure.Merged } session)
            {
                continue;
            }

            var settled = work.SettledBill(id);
            var tariffs = settled?.Tariffs ?? config.Tariffs;
            var until = session.ExitedAt ?? session.UpdatedAt;
            var timeline = Timeline(session, work.Visit, work.Bindings(), work.Session, BillsInferredEntry(config));
            var bill = BillCalculator.Compute(timeline, tariffs, Context(config), until, BillStatus.Final);
            if (settled is null)
            {
                var billId = work.NewId("bill");
                work.Put(new SettledBill
                {
                    Id = billId,
                    Bill = bill,
                    Plate = session.Plate,
                    SettledAt = until,
                    LocalDay = DateOnly.FromDateTime(LocalTime.Local(until, TimeZones.Find(config.TimeZone))),
                    Tariffs = tariffs,
                });
                work.Publish(new BillSettled(billId, id, session.Plate, bill) { EventTime = until });
            }
            else if (!bill.Lines.SequenceEqual(settled.Current.Lines))
            {
                var previous = settled.Current.Lines;
                var credited = previous.Where(l => !bill.Lines.Contains(l)).Select(Negate);
                var debited = bill.Lines.Where(l => !previous.Contains(l));
                var adjustment = new BillAdjustment
                {
                    Id = work.NewId("adjustment"),
                    BillId = settled.Id,
                    At = work.EventTime,
                    Reason = Reason(work),
                    Lines = [.. credited, .. debited],
                    Recomputed = bill,
                };
                work.Put(settled with { Adjustments = settled.Adjustments.Add(adjustment) });
                work.Publish(new BillAdjusted(settled.Id, id, session.Plate, adjustment) { EventTime = work.EventTime });
            }
        }
    }

    internal static Reply RecordPayment(SiteChangeSet work, PaymentRecorded p)
    {
        if (work.Configuration is not { } config)
        {
            return new Refused("The site is not configured.");
        }

        if (work.ParkingSession(p.ParkingSessionId) is not { } session)
        {
            return new Refused($"No parking session '{p.ParkingSessionId}' at this site.");
        }

        if (!string.Equals(p.Currency, config.Currency, StringComparison.Ordinal))
        {
            return new Refused($"The site bills in {config.Currency}, not {p.Currency}.");
        }

        if (Currencies.ProblemWithPayment(p.Amount, config.Currency) is { } problem)
        {
            return new Refused(problem);
        }

        var payment = new Payment
        {
            Id = work.NewId("payment"),
            ParkingSessionId = session.Id,
            Amount = p.Amount,
            Currency = p.Currency,
            Method = p.Method,
            Reference = p.Reference,
            At = work.EventTime,
            RecordedBy = p.By,
        };
        work.Add(payment);
        var owed = work.SettledBill(session.Id)?.Total ?? Estimate(session, config, work.Visit, work.Bindings(), work.Session, work.EventTime).Total;
        var due = owed - work.PaymentsOf(session.Id).Sum(x => x.Amount);
        work.Publish(new PaymentCompleted(payment, session.Plate, due) { EventTime = work.EventTime });
        work.Add(new AuditEntry(work.ReceivedAt, p.By, "payment.recorded", session.Id, p.Method, $"{p.Amount} {p.Currency}{(p.Reference is null ? "" : $" ref {p.Reference}")}"));
        return new PaymentAccepted(payment.Id, due);
    }

    /// <summary>The payment method of a settlement a charger's payment terminal reported.</summary>
    public const string ChargerTerminal = "charger-terminal";

    /// <summary>
    /// A charger's settlement (OCPP 2.1 NotifySettlement): a settled amount for a transaction bound to a stay is a payment
    /// on that stay (method <see cref="ChargerTerminal"/>, reference the PSP's), once per PSP reference; anything else is
    /// kept (the observation is in the log) and published with why it is not a payment. The charger's answer is the same
    /// either way: it has nothing to do differently.
    /// </summary>
    internal static Reply RecordSettlement(SiteChangeSet work, SettlementReported s)
    {
        if (work.Configuration is not { } config)
        {
            return new Refused("The site is not configured.");
        }

        if (work.Charger(s.Charger) is null)
        {
            return new Refused("The charger is not registered at this site.");
        }

        var charge = s.TransactionId is { } tx ? work.SessionByTransaction(s.Charger, tx) : null;
        var binding = charge is null ? null : work.Binding(charge.Id);
        var stay = binding is { IsBound: true, ParkingSessionId: { } stayId } ? work.ParkingSession(stayId) : null;
        var currency = config.Tariffs.ChargingAt(s.Charger, s.SettledAt)?.Currency ?? config.Currency;

        void Publish(string outcome, string? reason, string? paymentId = null) =>
            work.Publish(new SettlementReceived(
                s.Charger, s.TransactionId, s.PspReference, s.Status, s.Amount, currency, s.SettledAt, outcome, reason,
                charge?.Id, stay?.Id, paymentId, s.ReceiptId, s.ReceiptUrl)
            { EventTime = work.EventTime });

        if (!string.Equals(s.Status, "Settled", StringComparison.Ordinal))
        {
            Publish("not_settled", $"the terminal reports {s.Status}{(s.StatusInfo is { } info ? $": {info}" : "")}; no money moved");
            return Acknowledged.Instance;
        }

        if ((s.Amount <= 0 ? "a settled amount is more than zero" : Currencies.ProblemWithPayment(s.Amount, config.Currency)) is { } problem)
        {
            Publish("refused", problem);
            return Acknowledged.Instance;
        }

        if (stay is null)
        {
            Publish("unmatched", s.TransactionId is null ? "the settlement names no transaction"
                : charge is null ? $"no transaction '{s.TransactionId}' on this charger"
                : $"the transaction is not bound to a stay ({binding?.Status.ToString() ?? "no binding"})");
            return Acknowledged.Instance;
        }

        if (!string.Equals(currency, config.Currency, StringComparison.Ordinal))
        {
            Publish("unmatched", $"the charger settles in {currency}, the site bills in {config.Currency}");
            return Acknowledged.Instance;
        }

        if (work.PaymentsOf(stay.Id).FirstOrDefault(p => p.Method == ChargerTerminal && p.Reference == s.PspReference) is { } earlier)
        {
            Publish("duplicate", $"PSP reference {s.PspReference} was recorded before", earlier.Id);
            return Acknowledged.Instance;
        }

        var by = $"charger {s.Charger}";
        var payment = new Payment
        {
            Id = work.NewId("payment"),
            ParkingSessionId = stay.Id,
            Amount = s.Amount,
            Currency = config.Currency,
            Method = ChargerTerminal,
            Reference = s.PspReference,
            At = s.SettledAt,
            RecordedBy = by,
        };
        work.Add(payment);
        var owed = work.SettledBill(stay.Id)?.Total ?? Estimate(stay, config, work.Visit, work.Bindings(), work.Session, work.EventTime).Total;
        var due = owed - work.PaymentsOf(stay.Id).Sum(x => x.Amount);
        work.Publish(new PaymentCompleted(payment, stay.Plate, due) { EventTime = work.EventTime });
        Publish("recorded", null, payment.Id);
        work.Add(new AuditEntry(work.ReceivedAt, by, "payment.recorded", stay.Id, ChargerTerminal, $"{s.Amount} {config.Currency} ref {s.PspReference}"));
        return Acknowledged.Instance;
    }

    public static BillingContext Context(SiteConfiguration config) => new(
        config.Currency,
        Currencies.MinorUnits(config.Currency),
        TimeZones.Find(config.TimeZone),
        config.Settings.EntryGrace,
        config.Settings.IdleGrace);

    public static Bill Estimate(
        ParkingSession session, SiteConfiguration config, Func<string, BayVisit?> visit, IEnumerable<ChargingBinding> bindings,
        Func<string, ChargingSession?> charging, DateTimeOffset now) =>
        BillCalculator.Compute(Timeline(session, visit, bindings, charging, BillsInferredEntry(config)), config.Tariffs, Context(config), now, BillStatus.Estimate);

    /// <summary>Whether a stay whose entry was inferred is billed from it (else as an exit without entry: the unknown-entry charge).</summary>
    private static bool BillsInferredEntry(SiteConfiguration config) => config.InferredStays?.BillInferredEntry ?? true;

    /// <summary>The stay as billing sees it: entry, exit, the bays it stood at and the charging sessions bound to it.</summary>
    /// <param name="billInferredEntry">Whether an inferred entry (<see cref="ParkingAnomalies.EntryInferred"/>) is the stay's entry for the bill.</param>
    public static StayTimeline Timeline(
        ParkingSession session, Func<string, BayVisit?> visit, IEnumerable<ChargingBinding> bindings, Func<string, ChargingSession?> charging, bool billInferredEntry = true)
    {
        var stays = session.BayVisitIds.Select(visit).OfType<BayVisit>()
            .Select(v => new BayStay(v.Bay, v.StartedAt, v.EndedAt))
            .OrderBy(s => s.From)
            .ToList();
        var charges = new List<ChargeWindow>();
        foreach (var binding in bindings.Where(b => b.IsBound && b.ParkingSessionId == session.Id).OrderBy(b => b.PlugInAt).ThenBy(b => b.ChargingSessionId, StringComparer.Ordinal))
        {
            if (charging(binding.ChargingSessionId) is not { } c)
            {
                continue;
            }

            charges.Add(Window(c, binding.Bay, binding.PlugInAt));
        }

        return new StayTimeline
        {
            ParkingSessionId = session.Id,
            Plate = session.Plate,
            EnteredAt = billInferredEntry || !session.Anomalies.HasFlag(ParkingAnomalies.EntryInferred) ? session.EnteredAt : null,
            ExitedAt = session.IsOpen ? null : session.ExitedAt ?? session.UpdatedAt,
            BayStays = stays,
            Charges = charges,
        };
    }

    /// <summary>A charging session as billing reads it: its start (or the plug-in, if its start is unknown), stop, states and meter.</summary>
    public static ChargeWindow Window(ChargingSession c, string? bay, DateTimeOffset? plugIn)
    {
        var start = c.StartedAt ?? plugIn ?? c.FirstReceivedAt;
        return new ChargeWindow
        {
            ChargingSessionId = c.Id,
            Charger = c.Charger,
            Bay = bay,
            Start = start,
            Stop = c.StoppedAt,
            States = c.ChargingStates,
            Energy = SessionMeter.Curve(c, start),
            Current = SessionMeter.Currents(c),
        };
    }

    private static BillLine Negate(BillLine line) => line with
    {
        Description = $"Credit: {line.Description}",
        Quantity = -line.Quantity,
        AmountExclVat = -line.AmountExclVat,
        Vat = -line.Vat,
    };

    private static string Reason(SiteChangeSet work) => work.Observation.Payload switch
    {
        BindingResolvedByOperator p => $"binding changed by {p.By}: {p.Reason}",
        PlateCorrected => "plate corrected by an operator",
        ParkingSessionClosedByOperator => "stay closed by an operator",
        ParkingSessionsMerged => "stays merged by an operator",
        _ => $"late {work.Observation.Payload.Kind} observation",
    };
}
