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
/// SetDefaultTariff when the charger boots and when the site's tariffs change (the id is versioned by content), with the
/// versions that take over later sent ahead with their validFrom; the charger calculates the cost; ParkCharge sends no
/// CostUpdated and no totalCost. A tariff a charger could not price as the bill (<c>charger.tariff_not_sent</c> says why),
/// one the charger refused, or a charger that is not 2.1, is treated as <c>central</c>.</item>
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
        var mode = config.CostModeOf(session.Charger);
        if (mode == ChargerCostMode.Off || session.Version == OcppVersion.Ocpp16)
        {
            return ChargerCostMode.Off;
        }

        if (mode == ChargerCostMode.Local)
        {
            var start = session.StartedAt ?? session.FirstReceivedAt;
            var sendable = session.Version == OcppVersion.Ocpp21
                && config.Tariffs.ChargingAt(session.Charger, start) is { } tariff
                && ChargerTariffs.From(tariff, config.Currency).Sendable
                && !RefusedByCharger(work, session.Charger, tariff.Id);
            return sendable ? ChargerCostMode.Local : ChargerCostMode.Central;
        }

        return work.Charger(session.Charger) is null ? ChargerCostMode.Off : ChargerCostMode.Central;
    }

    /// <summary>The charger did not take the tariff (its last SetDefaultTariff of it was refused, failed or unanswered): it cannot calculate.</summary>
    private static bool RefusedByCharger(SiteChangeSet work, ChargerId charger, string tariffId) =>
        work.Commands().Where(c => c.Charger == charger && c.Type == CommandType.SetDefaultTariff && c.Tariff?.SourceTariffId == tariffId).MaxBy(c => c.RequestedAt)
            is { Status: CommandStatus.Rejected or CommandStatus.Failed or CommandStatus.TimedOut };

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
            || work.Charger(session.Charger)?.Connection is null)
        {
            return;
        }

        // One at a time, at most one a minute (checked before the session is priced, which most meter values need not
        // be), and only a changed cost (nothing at all while it is zero).
        var last = work.Commands().Where(c => c.Type == CommandType.CostUpdated && c.ChargingSessionId == session.Id).MaxBy(c => c.RequestedAt);
        if (last is not null && (last.IsOpen || work.EventTime - last.RequestedAt < CostUpdateInterval))
        {
            return;
        }

        if (Cost(config, session, work.EventTime) is not { } total || (last is null ? total == 0 : last.TotalCost == total))
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

    /// <summary>How many tariff versions still to come a charger is sent ahead of time (each with its validFrom).</summary>
    private const int FutureVersions = 4;

    /// <summary>
    /// The tariff in force for the charger now, and the versions that take over later (each with its validFrom, so the
    /// charger switches when the bill does), unless the charger holds it already or it is on its way.
    /// </summary>
    private static void SendTariff(SiteChangeSet work, SiteConfiguration config, ChargerId id, bool booted)
    {
        if (config.CostModeOf(id) != ChargerCostMode.Local || work.Charger(id) is not { Connection.Version: OcppVersion.Ocpp21 })
        {
            return;
        }

        var now = work.EventTime;
        var versions = new List<(ChargingTariff Tariff, DateTimeOffset? From)>();
        if (config.Tariffs.ChargingAt(id, now) is { } current)
        {
            versions.Add((current, null));
        }

        var boundaries = config.Tariffs.Charging.Where(t => t.Chargers.Count == 0 || t.Chargers.Contains(id))
            .SelectMany(t => new[] { t.ValidFrom, t.ValidTo }).OfType<DateTimeOffset>().Where(b => b > now).Distinct().Order();
        foreach (var boundary in boundaries)
        {
            var next = config.Tariffs.ChargingAt(id, boundary);
            if (next is not null && versions.Count <= FutureVersions && (versions.Count == 0 || !ReferenceEquals(versions[^1].Tariff, next)))
            {
                versions.Add((next, boundary));
            }
        }

        var sentBefore = work.Commands().Where(c => c.Charger == id && c.Type == CommandType.SetDefaultTariff).ToList();
        foreach (var (tariff, from) in versions)
        {
            var mapping = ChargerTariffs.From(tariff, config.Currency);
            if (mapping.Tariff is not { } mapped)
            {
                work.Publish(new ChargerTariffNotSent(id, tariff.Id, mapping.Problems) { EventTime = now });
                continue;
            }

            var sent = from is null ? mapped : mapped with { ValidFrom = from };
            sent = sent with { TariffId = ChargerTariffs.VersionedId(sent) };
            if (sentBefore.Any(c => c.Tariff?.TariffId == sent.TariffId && (c.IsOpen || (!booted && c.Status == CommandStatus.Accepted))))
            {
                continue; // on its way, or held already (after a boot it may have been lost: sent again)
            }

            CommandRules.Issue(work, new ChargerCommand
            {
                Id = work.NewId("command"),
                Charger = id,
                Type = CommandType.SetDefaultTariff,
                Origin = CommandOrigin.ChargerCost,
                RequestedBy = "billing: charger tariff",
                RequestedAt = now,
                ExpiresAt = now + CommandRules.AutomationWait,
                RequestSeq = work.Seq,
                Tariff = sent,
                Reason = $"the site's charging tariff '{tariff.Id}' for the charger's own cost calculation, as {sent.TariffId}"
                    + (from is { } f ? $", from {f:O}" : ""),
            });
        }
    }
}
