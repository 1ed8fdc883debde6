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
public static class SiteEngine
{
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

        var reply = sane.Payload switch
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
            TransactionStartReported p => TransactionRules.Start(work, p),
            TransactionStopReported p => TransactionRules.Stop(work, p),
            MeterValuesReported p => TransactionRules.MeterValues(work, p),
            TransactionEventReported p => TransactionRules.TransactionEvent(work, p),
            SiteConfigured p => ParkingRules.Configure(work, p),
            PlateRead p => ParkingRules.Read(work, p),
            BayVacancyReported p => ParkingRules.Vacated(work, p),
            BayOccupancyReported p => ParkingRules.Occupied(work, p),
            PlateCorrected p => ParkingRules.CorrectPlate(work, p),
            ParkingSessionClosedByOperator p => ParkingRules.CloseByOperator(work, p),
            ParkingSessionsMerged p => ParkingRules.Merge(work, p),
            TimerElapsed p => Timer(work, p),
            BindingResolvedByOperator p => BindingRules.ResolveByOperator(work, p),
            Billing.PaymentRecorded p => Billing.BillingRules.RecordPayment(work, p),
            CommandSubmitted p => CommandRules.Submit(work, p),
            CommandSent p => CommandRules.Sent(work, p),
            CommandAnswered p => CommandRules.Answered(work, p),
            _ => new Refused($"The site engine does not handle '{sane.Payload.Kind}'."),
        };
        return work.Decide(reply);
    }

    /// <summary>Deadlines: commands whose wait ended, permit ends, then the parking and binding deadlines.</summary>
    private static Reply Timer(SiteChangeSet work, TimerElapsed p)
    {
        CommandRules.Timer(work, p.DueAt);
        Automation.AutomationRules.Timer(work, p.DueAt);
        return ParkingRules.Timer(work, p);
    }
}
