using ParkCharge.Core.Automation;
using ParkCharge.Core.Billing;
using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Engine;

/// <summary>
/// The site engine's pure core: <c>(state, observation) -> decision</c>. No I/O, no clock, no
/// randomness; time arrives on the observation. Replaying a site's log through it reproduces every
/// decision (DESIGN.md §1).
/// </summary>
/// <remarks>
/// The whole flow of a decision is in this file. The site's rules are <see cref="Modules"/>, one ordered list;
/// each decision goes through it in three steps:
/// <list type="number">
/// <item>the module whose observation it is decides it and answers its source (<see cref="IRuleModule.Handle"/>);
/// a timer is every module's: each meets the deadlines that have come, in order (<see cref="IRuleModule.Timer"/>);</item>
/// <item>each module, in order, reacts to what the modules before it changed (<see cref="IRuleModule.React"/>);</item>
/// <item>the changes and events collected become the <see cref="Decision"/>.</item>
/// </list>
/// The state's next deadline is the earliest of the modules' (<see cref="IRuleModule.NextDeadline"/>).
/// </remarks>
public static class SiteEngine
{
    /// <summary>The site's rule modules, in the order they meet deadlines and react.</summary>
    private static readonly IRuleModule[] Modules =
    [
        new ChargerModule(),
        new TransactionModule(),
        new CommandModule(),
        new ParkingModule(),
        new CameraHealthModule(),
        new BindingModule(),
        new InferredStayModule(),
        new BayOccupancyModule(),
        new AutomationModule(),
        new BillingModule(),
    ];

    public static Decision Decide(SiteState state, Observation observation)
    {
        if (state.TryGetProcessed(observation.Key, out var earlier))
        {
            return Decision.Repeat(earlier.Reply);
        }

        // A charger's unbelievable times and values are set aside here, once, for every rule below.
        var (sane, input) = ChargerInput.Sanitize(observation);
        var work = new SiteChangeSet(state, sane) { Input = input };
        if (input.ClockRejected)
        {
            ChargerRules.ClockRejected(work, observation);
        }

        Reply reply;
        if (sane.Payload is TimerElapsed timer)
        {
            Timer(work, timer.DueAt);
            reply = Acknowledged.Instance;
        }
        else
        {
            reply = Handle(work, sane.Payload);
        }

        foreach (var module in Modules)
        {
            module.React(work);
        }

        return work.ToDecision(ChargerCostRules.Answer(work, reply));
    }

    /// <summary>
    /// The earliest moment the engine must look at again without any observation (a maximum stay
    /// running out, a command's wait ending); the host submits a <see cref="TimerElapsed"/> then.
    /// Null when nothing waits.
    /// </summary>
    public static DateTimeOffset? NextDeadline(SiteState state)
    {
        DateTimeOffset? next = null;
        foreach (var module in Modules)
        {
            if (module.NextDeadline(state) is { } due && (next is null || due < next))
            {
                next = due;
            }
        }

        return next;
    }

    private static Reply Handle(SiteChangeSet work, ObservationPayload payload)
    {
        foreach (var module in Modules)
        {
            if (module.Handle(work, payload) is { } reply)
            {
                return reply;
            }
        }

        return new Refused($"The site engine does not handle '{payload.Kind}'.");
    }

    private static void Timer(SiteChangeSet work, DateTimeOffset due)
    {
        foreach (var module in Modules)
        {
            module.Timer(work, due);
        }
    }

    /// <summary>
    /// Chargers: registration, connections, boots, connector statuses and faults, authorisation, what a charger
    /// says outside a transaction. A connector status during a transaction is the charge's state too
    /// (<see cref="TransactionRules.ConnectorStatusDuringTransaction"/>); a cable pulled out ends the bay visit
    /// (<see cref="ParkingRules.ConnectorBecameAvailable"/>); a closed connection ends what was sent over it
    /// (<see cref="CommandRules.ConnectionLost"/>).
    /// </summary>
    private sealed class ChargerModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) => payload switch
        {
            ChargerRegistration p => ChargerRules.Register(work, p),
            ConnectionOpened p => ChargerRules.Opened(work, p),
            ConnectionClosed p => ChargerRules.Closed(work, p),
            BootReported p => ChargerRules.Booted(work, p),
            ConnectorStatusReported p => ChargerRules.StatusReported(work, p),
            ChargerEventsReported p => ChargerRules.EventsReported(work, p),
            IdTokenPresented p => ChargerRules.Authorize(work, p),
            DataTransferReceived p => ChargerRules.DataTransfer(work, p),
            ChargerNotificationReceived p => ChargerRules.Notification(work, p),
            SecurityEventReported p => ChargerRules.SecurityEvent(work, p),
            UpstreamCommandRefused p => ChargerRules.UpstreamRefused(work, p),
            _ => null,
        };
    }

    /// <summary>
    /// Charging sessions: 1.6 StartTransaction/StopTransaction/MeterValues and 2.0.1 TransactionEvent. A session that
    /// appears or changes asks binding to decide its vehicle (<see cref="BindingRules.OnChargingSession"/>).
    /// </summary>
    private sealed class TransactionModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) => payload switch
        {
            TransactionStartReported p => TransactionRules.Start(work, p),
            TransactionStopReported p => TransactionRules.Stop(work, p),
            MeterValuesReported p => TransactionRules.MeterValues(work, p),
            TransactionEventReported p => TransactionRules.TransactionEvent(work, p),
            _ => null,
        };
    }

    /// <summary>
    /// Commands to chargers: submitted, sent, answered; a pending command whose wait ended is Offline; a remote start
    /// is linked to the session it started.
    /// </summary>
    private sealed class CommandModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) => payload switch
        {
            CommandSubmitted p => CommandRules.Submit(work, p),
            CommandSent p => CommandRules.Sent(work, p),
            CommandAnswered p => CommandRules.Answered(work, p),
            FileTransferStatusReported p => CommandRules.TransferStatus(work, p),
            LogUploaded p => CommandRules.LogUploaded(work, p),
            _ => null,
        };

        public void Timer(SiteChangeSet work, DateTimeOffset due) => CommandRules.Timer(work, due);

        public void React(SiteChangeSet work) => CommandRules.LinkStartedSessions(work);

        public DateTimeOffset? NextDeadline(SiteState state) => CommandRules.NextDeadline(state.Commands);
    }

    /// <summary>
    /// Parking: the site's configuration, plate reads at gates and bays, vacancy and occupancy reports, operators'
    /// corrections; stays, bay visits, anomalies; the maximum stay. A visit that starts, changes or ends, and a
    /// stay that leaves, is evidence for binding (<see cref="BindingRules.OnVisit"/>, <see cref="BindingRules.OnStayLeft"/>).
    /// </summary>
    private sealed class ParkingModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) => payload switch
        {
            SiteConfigured p => ParkingRules.Configure(work, p),
            PlateRead p => ParkingRules.Read(work, p),
            BayVacancyReported p => ParkingRules.Vacated(work, p),
            BayOccupancyReported p => ParkingRules.Occupied(work, p),
            PlateCorrected p => ParkingRules.CorrectPlate(work, p),
            ParkingSessionClosedByOperator p => ParkingRules.CloseByOperator(work, p),
            ParkingSessionsMerged p => ParkingRules.Merge(work, p),
            _ => null,
        };

        public void Timer(SiteChangeSet work, DateTimeOffset due) => ParkingRules.Timer(work, due);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is { } config ? ParkingRules.NextDeadline(state.Parking, config) : null;
    }

    /// <summary>
    /// Camera health: what each push says of its camera (rate, clock, read quality), the traffic the others see while
    /// a camera is silent, and silence by the clock in opening hours (<see cref="CameraHealthRules"/>).
    /// </summary>
    private sealed class CameraHealthModule : IRuleModule
    {
        public void Timer(SiteChangeSet work, DateTimeOffset due) => CameraHealthRules.Timer(work, due);

        public void React(SiteChangeSet work) => CameraHealthRules.AfterDecision(work);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is { CameraHealth: not null } config ? CameraHealthRules.NextDeadline(state.Cameras, config) : null;
    }

    /// <summary>
    /// Binding charging sessions to vehicles: an operator's resolution; the end of a binding window; the bindings
    /// whose evidence changed during the decision are decided again (<see cref="SiteChangeSet.Reconsider"/>).
    /// </summary>
    private sealed class BindingModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) =>
            payload is BindingResolvedByOperator p ? BindingRules.ResolveByOperator(work, p) : null;

        public void Timer(SiteChangeSet work, DateTimeOffset due) => BindingRules.Timer(work, due);

        public void React(SiteChangeSet work) => BindingRules.AfterDecision(work);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is not null ? BindingRules.NextDeadline(state.Binding) : null;
    }

    /// <summary>
    /// Inferred stays: a stay that left without an entry read gets one from the evidence of its plate (bay reads, bound
    /// charges); stays that left a bay, or stayed past the limit, while an exit camera was blind get an inferred exit
    /// (<see cref="InferredStays"/>). After binding, so that the charges bound in this decision count; before billing.
    /// </summary>
    private sealed class InferredStayModule : IRuleModule
    {
        public void Timer(SiteChangeSet work, DateTimeOffset due) => InferredStays.Timer(work, due);

        public void React(SiteChangeSet work) => InferredStays.AfterDecision(work);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is { InferredStays.Enabled: true } config ? InferredStays.NextDeadline(state, config) : null;
    }

    /// <summary>
    /// Bay occupancy: ICE occupants (a car standing in an EV bay without charging past the ICE limit), charging
    /// finished and idle time. A charge that changes tells it (<see cref="BayOccupancyRules.ChargeChanged"/>).
    /// </summary>
    private sealed class BayOccupancyModule : IRuleModule
    {
        public void Timer(SiteChangeSet work, DateTimeOffset due) => BayOccupancyRules.Timer(work, due);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is { } config ? BayOccupancyRules.NextDeadline(state.Parking, state.SessionsOf, state.FindSession, config) : null;
    }

    /// <summary>Automation: autocharge by plate, power sharing, stops at a permit's end or the maximum charging time; it acts by issuing commands.</summary>
    private sealed class AutomationModule : IRuleModule
    {
        public void Timer(SiteChangeSet work, DateTimeOffset due) => AutomationRules.Timer(work, due);

        public void React(SiteChangeSet work) => AutomationRules.AfterDecision(work);

        public DateTimeOffset? NextDeadline(SiteState state) =>
            state.Configuration is { } config ? AutomationRules.NextDeadline(state.Automation, config) : null;
    }

    /// <summary>Billing: payments (and chargers' settlements); a stay's bill settles when it closes, and gets adjustments when its timeline changes later.</summary>
    private sealed class BillingModule : IRuleModule
    {
        public Reply? Handle(SiteChangeSet work, ObservationPayload payload) =>
            payload switch
            {
                PaymentRecorded p => BillingRules.RecordPayment(work, p),
                SettlementReported s => BillingRules.RecordSettlement(work, s),
                _ => null,
            };

        public void React(SiteChangeSet work)
        {
            BillingRules.Settle(work);
            ChargerCostRules.AfterDecision(work);
        }
    }
}

/// <summary>One area of the site's rules, as <see cref="SiteEngine"/> runs it. What a module does not do, it leaves to the defaults.</summary>
internal interface IRuleModule
{
    /// <summary>Decides an observation of this module's and answers its source; null when the observation is another module's.</summary>
    Reply? Handle(SiteChangeSet work, ObservationPayload payload) => null;

    /// <summary>A timer: the module's deadlines at or before <paramref name="due"/> are met.</summary>
    void Timer(SiteChangeSet work, DateTimeOffset due)
    {
    }

    /// <summary>After the observation was decided: reacts to what this decision changed so far.</summary>
    void React(SiteChangeSet work)
    {
    }

    /// <summary>The module's earliest deadline in the state; null when it waits for nothing.</summary>
    DateTimeOffset? NextDeadline(SiteState state) => null;
}
