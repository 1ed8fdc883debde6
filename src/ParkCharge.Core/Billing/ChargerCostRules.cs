using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Sites;

namespace ParkCharge.Core.Billing;

/// <summary>
/// What chargers are told of the cost, by <see cref="SiteSettings.ChargerCost"/> (docs/billing.md, "Tariffs and cost on
/// OCPP 2.1 chargers"). One source of the number per charger, never two that could disagree:
/// <list type="bullet">
/// <item><c>local</c>, OCPP 2.1: the site's charging tariff as a 2.1 tariff (<see cref="ChargerTariffs.From"/>) by
/// SetDefaultTariff when the charger boots and when the site's tariffs change (the id is versioned by content); the charger
/// calculates the cost; ParkCharge sends no CostUpdated and no totalCost. A tariff a charger could not price as the bill,
/// or a charger that is not 2.1, is treated as <c>central</c> (and <c>charger.tariff_not_sent</c> says why).</item>
/// <item><c>central</c>, OCPP 2.0.1 and 2.1: CostUpdated with the transaction's running cost (the bill's charging part,
/// including VAT, at the meter value's time), at most once per <see cref="CostUpdateInterval"/> of the charger's time and
/// only when it changed; the final cost as totalCost in the answer to the TransactionEvent that ends it.</item>
/// </list>
/// OCPP 1.6 has no cost messages: nothing is sent.
/// </summary>
public static class ChargerCostRules
{
    /// <summary>At most one CostUpdated per transaction per this much of the charger's time.</summary>
    public static readonly TimeSpan CostUpdateInterval = TimeSpan.FromMinutes(1);

    /// <summary>How long a CostUpdated waits for a charger that is offline: a running cost is stale soon.</summary>
    private static readonly TimeSpan CostWait = TimeSpan.FromMinutes(1);

    /// <summary>After a decision: tariffs to 2.1 chargers that booted or whose site changed; running costs on meter values.</summary>
    internal static void AfterDecision(SiteChangeSet work)
    {
        if (work.Configuration is not { } config)
        {
            return;
        }

        if (work.ConfigurationChanged)
        {
            foreach (var charger in work.State.Chargers.Keys)
            {
                SendTariff(work, config, charger, booted: false);
            }
        }

        switch (work.Observation.Payload)
        {
            case BootReported boot:
                SendTariff(work, config, boot.Charger, booted: true);
                break;
            case TransactionEventReported { EventType: not TransactionEventType.Ended, Samples.Count: > 0 } tx:
                if (work.SessionByTransaction(tx.Charger, tx.TransactionId) is { } charge)
                {
                    SendRunningCost(work, config, charge);
                }

                break;
            case MeterValuesReported meter:
                foreach (var session in work.ActiveSessions().Where(s => s.Charger == meter.Charger && Outlet(s.Connector) == Outlet(meter.Connector)).ToList())
                {
                    SendRunningCost(work, config, session);
                }

                break;
        }
    }

    private static int? Outlet(ConnectorRef connector) => connector.Evse ?? connector.Connector;

    /// <summary>The answer to a transaction's end, with its cost for a charger ParkCharge tells the cost.</summary>
    internal static Reply Answer(SiteChangeSet work, Reply reply)
    {
        if (reply is Refused || work.Configuration is not { } config
            || work.Observation.Payload is not TransactionEventReported { EventType: TransactionEventType.Ended } ended
            || work.SessionByTransaction(ended.Charger, ended.TransactionId) is not { } session
            || ModeOf(work, config, session) != ChargerCostMode.Central
            || Cost(config, session, session.StoppedAt ?? work.EventTime) is not { } total)
        {
            return reply;
        }

        return new TransactionCostReply(reply, total);
    }

    /// <summary>What a charger is told for a session: local only when it is 2.1 and its tariff can be sent; central otherwise; nothing for 1.6.</summary>
    private static ChargerCostMode ModeOf(SiteChangeSet work, SiteConfiguration config, ChargingSession session)
    {
        var mode = config.Settings.CostModeOf(session.Charger);
        if (mode == ChargerCostMode.Off || session.Version == OcppVersion.Ocpp16)
        {
            return ChargerCostMode.Off;
        }

        if (mode == ChargerCostMode.Local)
        {
            var start = session.StartedAt ?? session.FirstReceivedAt;
            var sendable = session.Version == OcppVersion.Ocpp21
                && config.Tariffs.ChargingAt(session.Charger, start) is { } tariff
                && ChargerTariffs.From(tariff, config.Currency).Sendable;
            return sendable ? ChargerCostMode.Local : ChargerCostMode.Central;
        }

        return work.Charger(session.Charger) is null ? ChargerCostMode.Off : ChargerCostMode.Central;
    }

    /// <summary>The bill's charging part of a session up to a moment, including VAT, rounded to the currency.</summary>
    public static decimal? Cost(SiteConfiguration config, ChargingSession session, DateTimeOffset at)
    {
        var context = BillingRules.Context(config);
        return BillCalculator.PriceCharge(BillingRules.Window(session, null, null), config.Tariffs, context.Zone, at) is { } priced
            ? priced.Rounded(context.MinorUnits).InclVat
            : null;
    }

    private static void SendRunningCost(SiteChangeSet work, SiteConfiguration config, ChargingSession session)
    {
        if (session.Status != ChargingSessionStatus.Active || ModeOf(work, config, session) != ChargerCostMode.Central
            || work.Charger(session.Charger)?.Connection is null || Cost(config, session, work.EventTime) is not { } total)
        {
            return;
        }

        // One at a time, at most one a minute, and only a changed cost (nothing at all while it is zero).
        var last = work.Commands().Where(c => c.Type == CommandType.CostUpdated && c.ChargingSessionId == session.Id).MaxBy(c => c.RequestedAt);
        if (last is null ? total == 0 : last.IsOpen || work.EventTime - last.RequestedAt < CostUpdateInterval || last.TotalCost == total)
        {
            return;
        }

        CommandRules.Issue(work, new ChargerCommand
        {
            Id = work.NewId("command"),
            Charger = session.Charger,
            Type = CommandType.CostUpdated,
            Origin = CommandOrigin.ChargerCost,
            RequestedBy = "billing: running cost",
            RequestedAt = work.EventTime,
            ExpiresAt = work.EventTime + CostWait,
            RequestSeq = work.Seq,
            ChargingSessionId = session.Id,
            TransactionId = session.TransactionId,
            TotalCost = total,
            Reason = $"the running cost of the transaction: {total} {config.Currency} including VAT",
        });
    }

    private static void SendTariff(SiteChangeSet work, SiteConfiguration config, ChargerId id, bool booted)
    {
        if (config.Settings.CostModeOf(id) != ChargerCostMode.Local || work.Charger(id) is not { Connection.Version: OcppVersion.Ocpp21 }
            || config.Tariffs.ChargingAt(id, work.EventTime) is not { } tariff)
        {
            return;
        }

        var mapping = ChargerTariffs.From(tariff, config.Currency);
        if (mapping.Tariff is not { } sent)
        {
            work.Publish(new ChargerTariffNotSent(id, tariff.Id, mapping.Problems) { EventTime = work.EventTime });
            return;
        }

        var earlier = work.Commands().Where(c => c.Charger == id && c.Type == CommandType.SetDefaultTariff).MaxBy(c => c.RequestedAt);
        if (earlier?.Tariff?.TariffId == sent.TariffId && (earlier.IsOpen || (!booted && earlier.Status == CommandStatus.Accepted)))
        {
            return; // on its way, or held already (a boot may have lost it: sent again)
        }

        CommandRules.Issue(work, new ChargerCommand
        {
            Id = work.NewId("command"),
            Charger = id,
            Type = CommandType.SetDefaultTariff,
            Origin = CommandOrigin.ChargerCost,
            RequestedBy = "billing: charger tariff",
            RequestedAt = work.EventTime,
            ExpiresAt = work.EventTime + CommandRules.AutomationWait,
            RequestSeq = work.Seq,
            Tariff = sent,
            Reason = $"the site's charging tariff '{tariff.Id}' for the charger's own cost calculation, as {sent.TariffId}",
        });
    }
}
