using System.Collections.Immutable;
using System.Globalization;

using ParkCharge.Core.Engine;

namespace ParkCharge.Core.Charging;

/// <summary>
/// How charging sessions follow from transaction messages of both OCPP versions. The field reality is
/// the point: chargers re-send transaction messages when a reply was lost (duplicates), queue them while
/// offline and deliver them hours later (late, past timestamps), lose some (2.0.1 seqNo gaps) and report
/// stops for transactions never started here. Nothing is dropped: odd sessions are kept and flagged.
/// </summary>
internal static class TransactionRules
{
    /// <summary>Beyond this between the charger's time and arrival, a message counts as delivered late (queued offline).</summary>
    public static readonly TimeSpan LateAfter = TimeSpan.FromMinutes(10);

    private static readonly Refused NotRegistered = new("The charger is not registered at this site.");
    private static readonly AuthorizationReply Accepted = new(AuthorizationStatus.Accepted);

    private const ChargingAnomalies DerivedAnomalies =
        ChargingAnomalies.MeterDecreased | ChargingAnomalies.NegativeEnergy | ChargingAnomalies.SequenceGap;

    /// <summary>
    /// OCPP 1.6 StartTransaction. ParkCharge issues the transaction id. A start re-sent after a lost
    /// reply (same connector, id tag, meter and timestamp, whatever its message id) gets the same id
    /// and creates nothing.
    /// </summary>
    public static Reply Start(SiteChangeSet work, TransactionStartReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        var fingerprint = SiteState.StartFingerprint(p.Charger, p.ConnectorId, p.IdTag, p.MeterStartWh, work.EventTime);
        if (work.State.FindSessionByStartFingerprint(fingerprint) is { } same)
        {
            return new TransactionStartReply(int.Parse(same.TransactionId, CultureInfo.InvariantCulture), AuthorizationStatus.Accepted);
        }

        // Proxy mode: the charger's backend issued the id and the charger has it; a repeat of an id already
        // running on this charger is the backend's, not a new transaction of ours.
        if (p.IssuedTransactionId is { } issued
            && work.SessionByTransaction(p.Charger, issued.ToString(CultureInfo.InvariantCulture)) is { Status: not ChargingSessionStatus.Completed })
        {
            return new TransactionStartReply(issued, AuthorizationStatus.Accepted);
        }

        var transactionId = p.IssuedTransactionId ?? work.IssueTransactionId();
        while (p.IssuedTransactionId is null && work.SessionByTransaction(p.Charger, transactionId.ToString(CultureInfo.InvariantCulture)) is not null)
        {
            // Proxy mode: the charger's backend issues ids too; one of ours must not name a transaction it already has.
            transactionId = work.IssueTransactionId();
        }

        var session = NewSession(work, p.Charger, OcppVersion.Ocpp16, transactionId.ToString(CultureInfo.InvariantCulture), ConnectorRef.Ocpp16(p.ConnectorId)) with
        {
            IdToken = new IdToken(p.IdTag),
            StartedAt = work.EventTime,
            MeterStartWh = p.MeterStartWh,
            Anomalies = (IsLate(work) ? ChargingAnomalies.DeliveredLate : ChargingAnomalies.None) | InputFlags(work),
        };
        session = ReconcileOutlet(work, session);
        Save(work, before: null, session, new ChargingStarted(ChargingSessionSummary.Of(Normalize(session))) { EventTime = work.EventTime });
        return new TransactionStartReply(transactionId, AuthorizationStatus.Accepted);
    }

    /// <summary>
    /// OCPP 1.6 StopTransaction. A stop for a transaction id ParkCharge never issued is accepted (the
    /// charger would retry it forever otherwise) and kept as a session flagged UnknownTransaction, so
    /// its energy is not lost. A repeated stop changes nothing; a real stop replaces an inferred one.
    /// </summary>
    public static Reply Stop(SiteChangeSet work, TransactionStopReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        Reply reply = p.IdTag is null ? Acknowledged.Instance : Accepted;
        var transactionId = p.TransactionId.ToString(CultureInfo.InvariantCulture);
        var existing = work.SessionByTransaction(p.Charger, transactionId);
        if (existing is { Status: ChargingSessionStatus.Completed } && !existing.Anomalies.HasFlag(ChargingAnomalies.StopInferred))
        {
            return reply;
        }

        var before = existing;
        var session = existing ?? NewSession(work, p.Charger, OcppVersion.Ocpp16, transactionId, ConnectorRef.Ocpp16(0)) with
        {
            Anomalies = ChargingAnomalies.UnknownTransaction | ChargingAnomalies.StartNotReceived,
        };
        session = MergeSamples(work, session, p.Samples) with
        {
            Status = ChargingSessionStatus.Completed,
            StoppedAt = work.EventTime,
            MeterStopWh = p.MeterStopWh,
            StopReason = p.Reason ?? "Local", // 1.6 §6.49: Reason defaults to Local when absent
            IdToken = session.IdToken ?? (p.IdTag is null ? null : new IdToken(p.IdTag)),
            Anomalies = (session.Anomalies & ~ChargingAnomalies.StopInferred) | (IsLate(work) ? ChargingAnomalies.DeliveredLate : ChargingAnomalies.None) | InputFlags(work),
        };
        if (existing is null)
        {
            session = session with { StartedAt = EarliestStart(session.Samples) };
        }

        var summary = ChargingSessionSummary.Of(Normalize(session));
        DomainEvent stopped = before is { Status: ChargingSessionStatus.Completed }
            ? new ChargingUpdated(summary, session.ChargingState) { EventTime = work.EventTime }
            : new ChargingStopped(summary, session.StopReason) { EventTime = work.EventTime };
        Save(work, before, session, stopped);
        return reply;
    }

    /// <summary>
    /// MeterValues. Samples go to the transaction the charger names; without one (1.6 chargers often
    /// omit it, 2.0.1 MeterValues never has it), each sample goes to the session that was active on
    /// that connector at the sample's own time. Samples nobody was charging for stay in the log only.
    /// </summary>
    public static Reply MeterValues(SiteChangeSet work, MeterValuesReported p)
    {
        if (work.Charger(p.Charger) is null)
        {
            return NotRegistered;
        }

        var named = p.TransactionId is { } tx
            ? work.SessionByTransaction(p.Charger, tx.ToString(CultureInfo.InvariantCulture))
            : null;
        var bySession = new Dictionary<string, List<MeterSample>>(StringComparer.Ordinal);
        foreach (var sample in p.Samples)
        {
            var target = named ?? ActiveAt(work, p.Charger, p.Connector, sample.Timestamp);
            if (target is null)
            {
                continue;
            }

            if (!bySession.TryGetValue(target.Id, out var list))
            {
                bySession[target.Id] = list = [];
            }

            list.Add(sample);
        }

        foreach (var (sessionId, samples) in bySession)
        {
            var before = work.Session(sessionId)!;
            var session = MergeSamples(work, before, samples);
            if (InputFlags(work) is var flags && (session.Anomalies & flags) != flags)
            {
                session = session with { Anomalies = session.Anomalies | flags };
            }

            if (session == before)
            {
                continue;
            }

            if (!MeterEventDue(work, before))
            {
                Save(work, before, session);
                continue;
            }

            var normalized = Normalize(session);
            Save(work, before, session with { MeterEventAt = work.EventTime }, new ChargingMeterUpdated(ChargingSessionSummary.Of(normalized), normalized.LastPowerW, normalized.LastSoCPercent) { EventTime = work.EventTime });
        }

        // Every value of the named transaction was set aside: the session still learns why.
        if (named is not null && !bySession.ContainsKey(named.Id) && InputFlags(work) is var set && (named.Anomalies & set) != set)
        {
            Save(work, named, named with { Anomalies = named.Anomalies | set });
        }

        return Acknowledged.Instance;
    }

    /// <summary>
    /// OCPP 2.0.1 and 2.1 TransactionEvent. The charger owns the transaction id and numbers the events of a
    /// transaction with seqNo: a seqNo seen before is a duplicate (answered, nothing changes); a gap is
    /// reported as SequenceGap (and clears if the missing event arrives late); events out of seqNo order
    /// are applied by their own time and flagged.
    /// </summary>
    public static Reply TransactionEvent(SiteChangeSet work, TransactionEventReported p)
    {
        if (work.Charger(p.Charger) is not { } charger)
        {
            return NotRegistered;
        }

        Reply reply = p.IdToken is null ? Acknowledged.Instance : Accepted;
        var before = work.SessionByTransaction(p.Charger, p.TransactionId);
        if (before is not null && SeqNoLedger.Contains(before.SeqNos, p.SeqNo))
        {
            return reply;
        }

        // TransactionEvent is 2.0.1's and 2.1's; the session keeps which of the two its charger spoke.
        var version = charger.Version is OcppVersion.Ocpp21 ? OcppVersion.Ocpp21 : OcppVersion.Ocpp201;
        var session = before ?? NewSession(work, p.Charger, version, p.TransactionId, p.Connector ?? new ConnectorRef(0, 0)) with
        {
            StartedAt = work.EventTime,
            Anomalies = p.EventType == TransactionEventType.Started ? ChargingAnomalies.None : ChargingAnomalies.StartNotReceived,
        };

        var anomalies = session.Anomalies | InputFlags(work);
        var outcome = SeqNoLedger.Add(session.SeqNos, p.SeqNo, out var seqNos);
        if (outcome is SeqNoOutcome.Implausible or SeqNoOutcome.Untracked)
        {
            anomalies |= ChargingAnomalies.SequenceInvalid;
        }
        else if (SeqNoLedger.Highest(session.SeqNos) is { } highest && p.SeqNo < highest)
        {
            anomalies |= ChargingAnomalies.OutOfOrder;
        }

        if (p.Offline || IsLate(work))
        {
            anomalies |= ChargingAnomalies.DeliveredLate;
        }

        session = session with
        {
            SeqNos = seqNos,
            Connector = p.Connector is { } c && (session.Connector.Evse is 0 || p.EventType == TransactionEventType.Started) ? c : session.Connector,
            IdToken = p.IdToken ?? session.IdToken,
            RemoteStartId = p.RemoteStartId ?? session.RemoteStartId,
        };

        switch (p.EventType)
        {
            case TransactionEventType.Started:
                anomalies &= ~ChargingAnomalies.StartNotReceived;
                session = session with { StartedAt = work.EventTime };
                break;
            case TransactionEventType.Updated when session.Status == ChargingSessionStatus.Completed:
                anomalies |= ChargingAnomalies.EventAfterEnd;
                break;
            case TransactionEventType.Ended:
                anomalies &= ~ChargingAnomalies.StopInferred;
                session = session with
                {
                    Status = ChargingSessionStatus.Completed,
                    StoppedAt = work.EventTime,
                    StopReason = p.StoppedReason ?? "Local", // 2.0.1 E06: stoppedReason defaults to Local
                };
                break;
        }

        if (anomalies.HasFlag(ChargingAnomalies.StartNotReceived) && session.StartedAt > work.EventTime)
        {
            session = session with { StartedAt = work.EventTime };
        }

        var chargingStateChanged = false;
        if (p.ChargingState is { } state && (session.ChargingStateSince is null || work.EventTime >= session.ChargingStateSince))
        {
            chargingStateChanged = state != session.ChargingState;
            session = session with { ChargingState = state, ChargingStateSince = work.EventTime };
        }

        if (p.ChargingState is { } reported)
        {
            session = WithChargingState(session, new ChargingStateChange(work.EventTime, reported));
            var connectorStatus = work.Charger(p.Charger)!.FindConnector(session.Connector)?.Status ?? ConnectorStatus.Occupied;
            work.Add(new ConnectorStatusEntry(p.Charger, session.Connector, connectorStatus, work.EventTime, work.ReceivedAt, ChargingState: reported));
        }

        session = MergeSamples(work, session with { Anomalies = anomalies }, p.Samples);
        if (p.EventType == TransactionEventType.Started || before is null)
        {
            session = ReconcileOutlet(work, session);
        }

        var summary = ChargingSessionSummary.Of(Normalize(session));
        var stoppedNow = p.EventType == TransactionEventType.Ended
            && (before is null || before.Status == ChargingSessionStatus.Active || before.Anomalies.HasFlag(ChargingAnomalies.StopInferred));
        var events = new List<DomainEvent>();
        if (before is null)
        {
            events.Add(new ChargingStarted(summary) { EventTime = session.StartedAt ?? work.EventTime });
        }

        if (stoppedNow)
        {
            events.Add(new ChargingStopped(summary, session.StopReason) { EventTime = work.EventTime });
        }
        else if (before is not null && (chargingStateChanged || p.IdToken != before.IdToken && p.IdToken is not null))
        {
            events.Add(new ChargingUpdated(summary, session.ChargingState) { EventTime = work.EventTime });
        }
        else if (before is not null && session.Samples.Length != before.Samples.Length && MeterEventDue(work, before))
        {
            var normalized = Normalize(session);
            events.Add(new ChargingMeterUpdated(summary, normalized.LastPowerW, normalized.LastSoCPercent) { EventTime = work.EventTime });
            session = session with { MeterEventAt = work.EventTime };
        }

        Save(work, before, session, [.. events]);
        Parking.BaySensorRules.TransactionEvent(work, p, session);
        return reply;
    }

    /// <summary>
    /// An OCPP 1.6 StatusNotification for the connector of a running transaction says what its energy flow
    /// does (1.6 has no chargingState): kept in the transaction's charging states, and the bay's idle
    /// rule looks again.
    /// </summary>
    public static void ConnectorStatusDuringTransaction(SiteChangeSet work, ChargerId charger, ConnectorRef connector, ConnectorStatus status, DateTimeOffset at)
    {
        ChargingState? state = status switch
        {
            ConnectorStatus.Charging => ChargingState.Charging,
            ConnectorStatus.SuspendedEV => ChargingState.SuspendedEV,
            ConnectorStatus.SuspendedEVSE => ChargingState.SuspendedEVSE,
            ConnectorStatus.Finishing => ChargingState.Idle,
            _ => null,
        };
        if (state is null)
        {
            return;
        }

        var session = work.SessionsOf(charger)
            .Where(s => s.Connector == connector && s.StartedAt is { } started && started <= at && (s.StoppedAt is null || s.StoppedAt > at))
            .OrderByDescending(s => s.StartedAt)
            .FirstOrDefault();
        if (session is null)
        {
            return;
        }

        var after = WithChargingState(session, new ChargingStateChange(at, state.Value));
        if (after.ChargingStates.Length != session.ChargingStates.Length)
        {
            work.Put(after);
            Parking.BayOccupancyRules.ChargeChanged(work, after);
        }
    }

    /// <summary>Adds a reported state in time order; a repeat of the same state at the same time adds nothing.</summary>
    private static ChargingSession WithChargingState(ChargingSession session, ChargingStateChange change)
    {
        if (session.ChargingStates.Contains(change))
        {
            return session;
        }

        var index = session.ChargingStates.Length;
        while (index > 0 && session.ChargingStates[index - 1].At > change.At)
        {
            index--;
        }

        return session with { ChargingStates = session.ChargingStates.Insert(index, change) };
    }

    private static ChargingSession NewSession(SiteChangeSet work, ChargerId charger, OcppVersion version, string transactionId, ConnectorRef connector) => new()
    {
        Id = Ids.For(work.State.Site, "charging-session", work.Seq),
        Site = work.State.Site,
        Charger = charger,
        Version = version,
        TransactionId = transactionId,
        Connector = connector,
        Status = ChargingSessionStatus.Active,
        FirstReceivedAt = work.ReceivedAt,
        LastReceivedAt = work.ReceivedAt,
        LastEventAt = work.EventTime,
    };

    /// <summary>
    /// One car at a time per connector: when a session starts on a connector whose earlier session
    /// never reported a stop, the earlier one ended at the latest when the new one started. It is
    /// completed with StopInferred (a real stop arriving later replaces the inferred one).
    /// A late start older than a session already known on the connector is inferred to end there.
    /// </summary>
    private static ChargingSession ReconcileOutlet(SiteChangeSet work, ChargingSession session)
    {
        if (session.StartedAt is not { } startedAt)
        {
            return session;
        }

        DateTimeOffset? nextStart = null;
        foreach (var other in work.SessionsOf(session.Charger).ToList())
        {
            if (other.Id == session.Id || !SameOutlet(other.Connector, session.Connector) || other.StartedAt is not { } otherStart)
            {
                continue;
            }

            if (otherStart < startedAt && other.Status == ChargingSessionStatus.Active)
            {
                var inferred = other with
                {
                    Status = ChargingSessionStatus.Completed,
                    StoppedAt = startedAt,
                    StopReason = "Inferred",
                    Anomalies = other.Anomalies | ChargingAnomalies.StopInferred,
                    LastReceivedAt = work.ReceivedAt,
                };
                Save(work, other, inferred, new ChargingStopped(ChargingSessionSummary.Of(Normalize(inferred)), "Inferred") { EventTime = startedAt });
            }
            else if (otherStart > startedAt && (nextStart is null || otherStart < nextStart))
            {
                nextStart = otherStart;
            }
        }

        return nextStart is { } end && session.Status == ChargingSessionStatus.Active
            ? session with
            {
                Status = ChargingSessionStatus.Completed,
                StoppedAt = end,
                StopReason = "Inferred",
                Anomalies = session.Anomalies | ChargingAnomalies.StopInferred,
            }
            : session;
    }

    /// <summary>Stores the new version and publishes its events, then any anomaly flags it gained.</summary>
    private static readonly Sites.SiteSettings DefaultSettings = new();

    /// <summary>
    /// Whether new meter values of <paramref name="session"/> make a <c>charging.meter_updated</c> now: the
    /// first time, then once the site's meter event interval has passed in event time (also when the
    /// event time went backwards: a queued report is news). The values themselves are always kept.
    /// </summary>
    private static bool MeterEventDue(SiteChangeSet work, ChargingSession session)
    {
        var interval = (work.Configuration?.Settings ?? DefaultSettings).MeterEventInterval;
        return session.MeterEventAt is not { } last || work.EventTime < last || work.EventTime - last >= interval;
    }

    private static void Save(SiteChangeSet work, ChargingSession? before, ChargingSession after, params DomainEvent[] events)
    {
        after = Normalize(after) with
        {
            LastReceivedAt = work.ReceivedAt,
            LastEventAt = Max(after.LastEventAt, work.EventTime),
        };
        work.Put(after);
        foreach (var e in events)
        {
            work.Publish(e);
        }

        var added = after.Anomalies & ~(before?.Anomalies ?? ChargingAnomalies.None);
        if (added != ChargingAnomalies.None)
        {
            work.Publish(new ChargingAnomalyDetected(ChargingSessionSummary.Of(after), added, Describe(after, added)) { EventTime = work.EventTime });
        }

        Binding.BindingRules.OnChargingSession(work, after, before);
    }

    /// <summary>Recomputes the anomaly flags that follow from the samples and seqNos.</summary>
    private static ChargingSession Normalize(ChargingSession session)
    {
        var meter = SessionMeter.Energy(session);
        var flags = session.Anomalies & ~DerivedAnomalies;
        if (meter.MeterDecreased)
        {
            flags |= ChargingAnomalies.MeterDecreased;
        }

        if (meter.Negative)
        {
            flags |= ChargingAnomalies.NegativeEnergy;
        }

        if (!session.MissingSeqNos.IsEmpty)
        {
            flags |= ChargingAnomalies.SequenceGap;
        }

        return flags == session.Anomalies ? session : session with { Anomalies = flags };
    }

    private static string Describe(ChargingSession session, ChargingAnomalies added)
    {
        var parts = new List<string>();
        if (added.HasFlag(ChargingAnomalies.StartNotReceived))
        {
            parts.Add("no start was received for this transaction");
        }

        if (added.HasFlag(ChargingAnomalies.UnknownTransaction))
        {
            parts.Add($"transaction {session.TransactionId} was never issued by ParkCharge");
        }

        if (added.HasFlag(ChargingAnomalies.SequenceGap))
        {
            var missing = session.MissingSeqNos;
            parts.Add(FormattableString.Invariant($"seqNo missing: {string.Join(", ", missing)}{(missing.Length == 1 && missing[0].Count == 1 ? "" : $" ({SeqNoLedger.Count(missing)} in all)")}"));
        }

        if (added.HasFlag(ChargingAnomalies.SequenceInvalid))
        {
            parts.Add(FormattableString.Invariant($"a seqNo was negative, more than {SeqNoLedger.MaxJump} from the others or beyond {SeqNoLedger.MaxRanges} separate runs; the event was applied without it"));
        }

        if (added.HasFlag(ChargingAnomalies.ClockOutOfRange))
        {
            parts.Add("the charger's clock was out of range (more than a year behind or a day ahead); the time the message was received was used");
        }

        if (added.HasFlag(ChargingAnomalies.MeterValueOutOfRange))
        {
            parts.Add(FormattableString.Invariant($"a meter value beyond ±{MeterSample.MaxMagnitude:0} in its base unit was left out (it is in the message log)"));
        }

        if (added.HasFlag(ChargingAnomalies.OutOfOrder))
        {
            parts.Add("events arrived out of seqNo order");
        }

        if (added.HasFlag(ChargingAnomalies.StopInferred))
        {
            parts.Add("no stop received; a later transaction on the connector implies the end");
        }

        if (added.HasFlag(ChargingAnomalies.MeterDecreased))
        {
            parts.Add("the energy register went down (meter reset?)");
        }

        if (added.HasFlag(ChargingAnomalies.NegativeEnergy))
        {
            parts.Add("the stop meter value is below the start");
        }

        if (added.HasFlag(ChargingAnomalies.DeliveredLate))
        {
            parts.Add("messages were queued by the charger and delivered late");
        }

        if (added.HasFlag(ChargingAnomalies.EventAfterEnd))
        {
            parts.Add("an event arrived after the transaction ended");
        }

        return string.Join("; ", parts);
    }

    /// <summary>Adds samples not already known (a re-sent message repeats them), keeping time order.</summary>
    private static ChargingSession MergeSamples(SiteChangeSet work, ChargingSession session, IReadOnlyList<MeterSample> samples)
    {
        if (samples.Count == 0)
        {
            return session;
        }

        var known = session.Samples.ToHashSet();
        var added = new List<MeterSample>();
        foreach (var sample in samples)
        {
            if (known.Add(sample))
            {
                added.Add(sample);
                work.AddSample(session.Id, sample);
            }
        }

        if (added.Count == 0)
        {
            return session;
        }

        var merged = session.Samples.AddRange(added).Sort(SampleOrder.Instance);
        return session with { Samples = merged, LastEventAt = Max(session.LastEventAt, added.Max(x => x.Timestamp)) };
    }

    /// <summary>The session active on the connector at <paramref name="time"/>; the latest started wins.</summary>
    private static ChargingSession? ActiveAt(SiteChangeSet work, ChargerId charger, ConnectorRef connector, DateTimeOffset time)
    {
        ChargingSession? best = null;
        foreach (var s in work.SessionsOf(charger))
        {
            if (SameOutlet(s.Connector, connector) && s.StartedAt is { } start && start <= time
                && (s.StoppedAt is null || time <= s.StoppedAt)
                && (best is null || start > best.StartedAt))
            {
                best = s;
            }
        }

        return best;
    }

    /// <summary>2.0.1 messages sometimes name only the EVSE; 1.6 has only connectors.</summary>
    private static bool SameOutlet(ConnectorRef a, ConnectorRef b) =>
        a.Evse is { } ea && b.Evse is { } eb ? ea == eb : a == b;

    private static DateTimeOffset? EarliestStart(ImmutableArray<MeterSample> samples) =>
        samples.FirstOrDefault(s => s.Context == "Transaction.Begin")?.Timestamp ?? (samples.IsEmpty ? null : samples[0].Timestamp);

    private static bool IsLate(SiteChangeSet work) => work.ReceivedAt - work.EventTime > LateAfter;

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x > b ? x : b;

    /// <summary>The flags for what <see cref="ChargerInput"/> set aside in the message being decided.</summary>
    private static ChargingAnomalies InputFlags(SiteChangeSet work) =>
        (work.Input.ClockRejected ? ChargingAnomalies.ClockOutOfRange : ChargingAnomalies.None)
        | (work.Input.DroppedSamples > 0 ? ChargingAnomalies.MeterValueOutOfRange : ChargingAnomalies.None);

    private sealed class SampleOrder : IComparer<MeterSample>
    {
        public static readonly SampleOrder Instance = new();

        public int Compare(MeterSample? x, MeterSample? y) => x!.Timestamp.CompareTo(y!.Timestamp);
    }
}
