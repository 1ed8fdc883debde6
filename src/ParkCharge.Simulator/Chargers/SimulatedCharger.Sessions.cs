using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Simulator.Planning;

using V16 = ParkCharge.Ocpp.V16;
using V2 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Simulator.Chargers;

/// <summary>Charging sessions and faults: what the connectors report, stamped with simulated time.</summary>
public sealed partial class SimulatedCharger
{
    /// <summary>Seconds between the plug-in and the start of charging (authorisation).</summary>
    private static readonly TimeSpan AuthorizeDelay = TimeSpan.FromSeconds(5);

    private enum ConnectorState
    {
        Available,
        Preparing,
        Charging,
        SuspendedEV,
        Finishing,
        Faulted,
        Unavailable,
    }

    /// <summary>
    /// Plays one vehicle's charge at its bay: plug in, authorise, charge with meter values every
    /// meter interval, SuspendedEV when full, and the stop and Available when the driver unplugs.
    /// A remote stop (or unlock) ends the transaction early; the car stays plugged in until its driver comes.
    /// </summary>
    public async Task ChargeAsync(PlannedCharge plan, CancellationToken ct)
    {
        await WaitUntilAsync(plan.PlugIn, ct);

        // The plan leaves a bay free for a while between two vehicles; at high speed the previous
        // vehicle's unplug may still be on its way (a timer fired late). Its stamps are its own, so wait.
        for (var tries = 0; tries < 100 && IsTaken(plan.Bay.Connector); tries++)
        {
            await Task.Delay(20, ct);
        }

        var vehicle = new ChargingVehicle(plan.BatteryKWh, plan.StartSoc, plan.MaxPowerKW, _scenario.Charging.TaperFrom);
        Session session;
        Connector connector;
        lock (_gate)
        {
            connector = _connectors[plan.Bay.Connector];
            if (connector.Session is not null || connector.Status is ConnectorState.Faulted or ConnectorState.Unavailable)
            {
                _progress.Error($"charger {Id}: connector {connector.Id} was {connector.Status} when a vehicle came to bay {plan.Bay.Id}; it did not charge");
                return;
            }

            session = new Session(plan, vehicle);
            connector.Session = session;
            var at = plan.PlugIn;
            if (!IsOnline && !AuthorizedOffline(plan.IdTag))
            {
                // Offline, a token that is not on the local list starts nothing unless the charger allows unknown ones.
                session.Stopped = true;
                SetStatus(connector, ConnectorState.Preparing, at);
                LogNotOnLocalList(_logger, Id, plan.IdTag, connector.Id);
            }
            else if (Version == OcppVersion.Ocpp16)
            {
                SetStatus(connector, ConnectorState.Preparing, at);
                if (IsOnline)
                {
                    // Offline, a charger authorises from its local cache and sends nothing.
                    Enqueue(Outbound.Of(V16.V16Actions.Authorize, new V16.AuthorizeRequest { IdTag = plan.IdTag }, transactionRelated: false));
                }
            }
            else
            {
                connector.Status = ConnectorState.Preparing;
                Enqueue(StatusMessage(connector, ConnectorState.Preparing, at, null));
                session.TransactionId201 = NewTransactionId();
                Enqueue(TransactionEvent(connector, session, V2.TransactionEventEnumType.Started, V2.TriggerReasonEnumType.CablePluggedIn,
                    V2.ChargingStateEnumType.EVConnected, at, idToken: null, V2.ReadingContextEnumType.TransactionBegin));
            }

            if (!session.Stopped)
            {
                StartTransaction(connector, session, plan.PlugIn + AuthorizeDelay, plan.IdTag, remoteStartId: null);
            }
        }

        _progress.ChargingStarted();
        for (var tick = plan.PlugIn + AuthorizeDelay + _scenario.MeterInterval; tick < plan.Unplug; tick += _scenario.MeterInterval)
        {
            await WaitUntilAsync(tick, ct);
            lock (_gate)
            {
                MeterTick(connector, session, tick);
            }
        }

        await WaitUntilAsync(plan.Unplug, ct);
        lock (_gate)
        {
            if (!session.Stopped)
            {
                Advance(connector, session, plan.Unplug);
                StopTransaction(connector, session, plan.Unplug, remote: null);
            }

            connector.Session = null;
            SetStatus(connector, ConnectorState.Available, plan.Unplug);
        }
    }

    private bool IsTaken(int connector)
    {
        lock (_gate)
        {
            return _connectors[connector].Session is not null;
        }
    }

    /// <summary>A connector reports Faulted for the fault's duration, then Available again.</summary>
    public async Task FaultAsync(ConnectorFault fault, CancellationToken ct)
    {
        await WaitUntilAsync(fault.From, ct);
        Connector connector;
        lock (_gate)
        {
            connector = _connectors[fault.Bay.Connector];
            if (connector.Session is not null)
            {
                return;
            }

            connector.ErrorCode = fault.ErrorCode;
            SetStatus(connector, ConnectorState.Faulted, fault.From);
        }

        await WaitUntilAsync(fault.Until, ct);
        lock (_gate)
        {
            connector.ErrorCode = null;
            SetStatus(connector, ConnectorState.Available, fault.Until);
        }
    }

    private async Task WaitUntilAsync(DateTimeOffset at, CancellationToken ct)
    {
        var wait = at - _clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _clock, ct);
        }
    }

    /// <summary>Starts a transaction on a plugged-in vehicle (at plug-in, or on a remote start). Called under the lock.</summary>
    private void StartTransaction(Connector connector, Session session, DateTimeOffset at, string idTag, int? remoteStartId)
    {
        session.Stopped = false;
        session.LastMeterAt = at;
        session.MeterStartWh = connector.RegisterWh;
        var state = session.Vehicle.IsFull ? ConnectorState.SuspendedEV : ConnectorState.Charging;
        if (Version == OcppVersion.Ocpp16)
        {
            session.TransactionId16 = null;
            var meterStart = (int)connector.RegisterWh;
            Enqueue(Outbound.Of(
                V16.V16Actions.StartTransaction,
                new V16.StartTransactionRequest { ConnectorId = connector.Id, IdTag = idTag, MeterStart = meterStart, Timestamp = at },
                transactionRelated: true,
                answered: response =>
                {
                    lock (_gate)
                    {
                        session.TransactionId16 = response.TransactionId;
                    }
                }));
            SetStatus(connector, state, at);
        }
        else
        {
            if (remoteStartId is not null)
            {
                session.TransactionId201 = NewTransactionId();
                session.SeqNo = 0;
            }

            connector.Status = state;
            Enqueue(TransactionEvent(
                connector,
                session,
                remoteStartId is null ? V2.TransactionEventEnumType.Updated : V2.TransactionEventEnumType.Started,
                remoteStartId is null ? V2.TriggerReasonEnumType.Authorized : V2.TriggerReasonEnumType.RemoteStart,
                state == ConnectorState.Charging ? V2.ChargingStateEnumType.Charging : V2.ChargingStateEnumType.SuspendedEV,
                at,
                new V2.IdTokenType { IdToken = idTag, Type = remoteStartId is null ? "ISO14443" : "Central" },
                remoteStartId is null ? V2.ReadingContextEnumType.SamplePeriodic : V2.ReadingContextEnumType.TransactionBegin,
                remoteStartId));
        }
    }

    /// <summary>Ends the transaction: the driver unplugged (<paramref name="remote"/> null), or the server stopped it. Called under the lock.</summary>
    private void StopTransaction(Connector connector, Session session, DateTimeOffset at, string? remote)
    {
        session.Stopped = true;
        if (Version == OcppVersion.Ocpp16)
        {
            var meterStop = (int)connector.RegisterWh;
            var reason = remote switch
            {
                null => V16.Reason.EVDisconnected,
                "unlock" => V16.Reason.UnlockCommand,
                _ => V16.Reason.Remote,
            };
            Enqueue(Outbound.Deferred(
                V16.V16Actions.StopTransaction,
                () =>
                {
                    lock (_gate)
                    {
                        return session.TransactionId16 is { } id
                            ? new V16.StopTransactionRequest { TransactionId = id, MeterStop = meterStop, Timestamp = at, Reason = reason, IdTag = session.Plan.IdTag }
                            : null;
                    }
                },
                transactionRelated: true));
            if (remote is not null)
            {
                SetStatus(connector, ConnectorState.Finishing, at);
            }
        }
        else
        {
            Enqueue(TransactionEvent(
                connector,
                session,
                V2.TransactionEventEnumType.Ended,
                remote switch
                {
                    null => V2.TriggerReasonEnumType.EVDeparted,
                    "unlock" => V2.TriggerReasonEnumType.UnlockCommand,
                    _ => V2.TriggerReasonEnumType.RemoteStop,
                },
                remote is null ? V2.ChargingStateEnumType.Idle : V2.ChargingStateEnumType.EVConnected,
                at,
                idToken: null,
                V2.ReadingContextEnumType.TransactionEnd,
                stoppedReason: remote is null ? V2.ReasonEnumType.EVDisconnected : V2.ReasonEnumType.Remote));
            connector.Status = remote is null ? ConnectorState.Available : ConnectorState.Finishing;
        }
    }

    /// <summary>A meter interval passed: charge the battery, report the meter, or SuspendedEV once full. Called under the lock.</summary>
    private void MeterTick(Connector connector, Session session, DateTimeOffset at)
    {
        if (session.Stopped)
        {
            return;
        }

        var wasFull = session.Vehicle.IsFull;
        Advance(connector, session, at);
        if (wasFull)
        {
            return; // SuspendedEV: nothing flows, nothing new to report
        }

        var full = session.Vehicle.IsFull;
        if (Version == OcppVersion.Ocpp16)
        {
            Enqueue(MeterValues16(connector, session, at));
            if (full)
            {
                SetStatus(connector, ConnectorState.SuspendedEV, at);
            }
        }
        else
        {
            if (full)
            {
                connector.Status = ConnectorState.SuspendedEV;
            }

            Enqueue(TransactionEvent(
                connector,
                session,
                V2.TransactionEventEnumType.Updated,
                full ? V2.TriggerReasonEnumType.ChargingStateChanged : V2.TriggerReasonEnumType.MeterValuePeriodic,
                full ? V2.ChargingStateEnumType.SuspendedEV : V2.ChargingStateEnumType.Charging,
                at,
                idToken: null,
                V2.ReadingContextEnumType.SamplePeriodic));
        }
    }

    private static void Advance(Connector connector, Session session, DateTimeOffset at)
    {
        if (at <= session.LastMeterAt)
        {
            return;
        }

        connector.RegisterWh += session.Vehicle.Charge(at - session.LastMeterAt, connector.LimitW);
        session.LastMeterAt = at;
    }

    private void SetStatus(Connector connector, ConnectorState state, DateTimeOffset at)
    {
        connector.Status = state;
        Enqueue(StatusMessage(connector, state, at, connector.ErrorCode));
    }

    private Outbound StatusMessage(Connector connector, ConnectorState state, DateTimeOffset at, string? errorCode)
    {
        if (Version == OcppVersion.Ocpp16)
        {
            return Outbound.Of(V16.V16Actions.StatusNotification, new V16.StatusNotificationRequest
            {
                ConnectorId = connector.Id,
                Status = state switch
                {
                    ConnectorState.Available => V16.ChargePointStatus.Available,
                    ConnectorState.Preparing => V16.ChargePointStatus.Preparing,
                    ConnectorState.Charging => V16.ChargePointStatus.Charging,
                    ConnectorState.SuspendedEV => V16.ChargePointStatus.SuspendedEV,
                    ConnectorState.Finishing => V16.ChargePointStatus.Finishing,
                    ConnectorState.Unavailable => V16.ChargePointStatus.Unavailable,
                    _ => V16.ChargePointStatus.Faulted,
                },
                ErrorCode = state == ConnectorState.Faulted && Enum.TryParse<V16.ChargePointErrorCode>(errorCode, out var code) ? code
                    : state == ConnectorState.Faulted ? V16.ChargePointErrorCode.OtherError : V16.ChargePointErrorCode.NoError,
                Timestamp = at,
            }, transactionRelated: false);
        }

        return Outbound.Of(V2.V21Actions.StatusNotification, new V2.StatusNotificationRequest
        {
            EvseId = connector.Id,
            ConnectorId = 1,
            ConnectorStatus = state switch
            {
                ConnectorState.Available => V2.ConnectorStatusEnumType.Available,
                ConnectorState.Faulted => V2.ConnectorStatusEnumType.Faulted,
                ConnectorState.Unavailable => V2.ConnectorStatusEnumType.Unavailable,
                _ => V2.ConnectorStatusEnumType.Occupied,
            },
            Timestamp = at,
        }, transactionRelated: false);
    }

    private Outbound MeterValues16(Connector connector, Session session, DateTimeOffset at)
    {
        var register = Math.Round(connector.RegisterWh).ToString(CultureInfo.InvariantCulture);
        var power = Math.Round(session.Vehicle.PowerW(connector.LimitW)).ToString(CultureInfo.InvariantCulture);
        var soc = Math.Round(session.Vehicle.Soc * 100).ToString(CultureInfo.InvariantCulture);
        IReadOnlyList<V16.MeterValue> values =
        [
            new V16.MeterValue
            {
                Timestamp = at,
                SampledValue =
                [
                    new V16.SampledValue { Value = register, Measurand = V16.Measurand.EnergyActiveImportRegister, Unit = V16.UnitOfMeasure.Wh, Context = V16.ReadingContext.SamplePeriodic },
                    new V16.SampledValue { Value = power, Measurand = V16.Measurand.PowerActiveImport, Unit = V16.UnitOfMeasure.W, Context = V16.ReadingContext.SamplePeriodic },
                    new V16.SampledValue { Value = soc, Measurand = V16.Measurand.SoC, Unit = V16.UnitOfMeasure.Percent, Location = V16.Location.EV, Context = V16.ReadingContext.SamplePeriodic },
                ],
            },
        ];
        return Outbound.Deferred(
            V16.V16Actions.MeterValues,
            () =>
            {
                lock (_gate)
                {
                    return session.TransactionId16 is { } id ? new V16.MeterValuesRequest { ConnectorId = connector.Id, TransactionId = id, MeterValue = values } : null;
                }
            },
            transactionRelated: true);
    }

    private Outbound TransactionEvent(
        Connector connector,
        Session session,
        V2.TransactionEventEnumType type,
        V2.TriggerReasonEnumType trigger,
        V2.ChargingStateEnumType state,
        DateTimeOffset at,
        V2.IdTokenType? idToken,
        V2.ReadingContextEnumType context,
        int? remoteStartId = null,
        V2.ReasonEnumType? stoppedReason = null)
    {
        IReadOnlyList<V2.SampledValueType> samples =
        [
            new V2.SampledValueType { Value = Math.Round((decimal)connector.RegisterWh), Measurand = V2.MeasurandEnumType.EnergyActiveImportRegister, Context = context },
            new V2.SampledValueType
            {
                Value = Math.Round((decimal)(session.Stopped ? 0 : session.Vehicle.PowerW(connector.LimitW))),
                Measurand = V2.MeasurandEnumType.PowerActiveImport,
                Context = context,
                UnitOfMeasure = new V2.UnitOfMeasureType { Unit = "W" },
            },
            new V2.SampledValueType
            {
                Value = Math.Round((decimal)session.Vehicle.Soc * 100),
                Measurand = V2.MeasurandEnumType.SoC,
                Context = context,
                Location = V2.LocationEnumType.EV,
                UnitOfMeasure = new V2.UnitOfMeasureType { Unit = "Percent" },
            },
        ];
        var request = new V2.TransactionEventRequest
        {
            EventType = type,
            Timestamp = at,
            TriggerReason = trigger,
            SeqNo = session.SeqNo++,
            Offline = IsOfflineNow() ? true : null,
            TransactionInfo = new V2.TransactionType
            {
                TransactionId = session.TransactionId201!,
                ChargingState = state,
                StoppedReason = stoppedReason,
                RemoteStartId = remoteStartId,
            },
            Evse = type == V2.TransactionEventEnumType.Started ? new V2.EVSEType { Id = connector.Id, ConnectorId = 1 } : null,
            IdToken = idToken,
            MeterValue = [new V2.MeterValueType { Timestamp = at, SampledValue = samples }],
        };
        return Outbound.Of(V2.V21Actions.TransactionEvent, request, transactionRelated: true);
    }

    private sealed class Connector(int id, double registerWh)
    {
        public int Id { get; } = id;

        public double RegisterWh { get; set; } = registerWh;

        public ConnectorState Status { get; set; } = ConnectorState.Available;

        public string? ErrorCode { get; set; }

        /// <summary>The limit of the charging profile in force, W (null: none).</summary>
        public double? LimitW { get; set; }

        public Session? Session { get; set; }
    }

    private sealed class Session(PlannedCharge plan, ChargingVehicle vehicle)
    {
        public PlannedCharge Plan { get; } = plan;

        public ChargingVehicle Vehicle { get; } = vehicle;

        public DateTimeOffset LastMeterAt { get; set; }

        public double MeterStartWh { get; set; }

        public bool Stopped { get; set; }

        public int? TransactionId16 { get; set; }

        public string? TransactionId201 { get; set; }

        public int SeqNo { get; set; }
    }
}
