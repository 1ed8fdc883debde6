using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;

using V16 = ParkCharge.Ocpp.V16;
using V2 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Simulator.Chargers;

/// <summary>
/// The server's calls, answered as a well-behaved charger would: remote start on a plugged-in
/// vehicle, remote stop, charging profiles (the limit slows the vehicle's charge), unlock,
/// availability, configuration (1.6) and variables (2.0.1, 2.1), triggered messages. Reset is accepted
/// and not acted on (the simulated charger does not reboot).
/// </summary>
public sealed partial class SimulatedCharger
{
    /// <summary>Volts per phase, to turn a profile in amperes into watts.</summary>
    private const double PhaseVoltage = 230;

    private RpcReply Handle(RpcInboundCall call)
    {
        _progress.ServerCalled();
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            return Version == OcppVersion.Ocpp16 ? Handle16(call, now) : Handle2(call, now);
        }
    }

    private RpcReply Handle16(RpcInboundCall call, DateTimeOffset now)
    {
        if (call.TryRead(V16.V16Actions.RemoteStartTransaction, out var remoteStart))
        {
            var connector = _connectors.Values.FirstOrDefault(c => (remoteStart.ConnectorId is null || c.Id == remoteStart.ConnectorId) && c.Session is { Stopped: true });
            if (connector is not null)
            {
                StartTransaction(connector, connector.Session!, now, remoteStart.IdTag, remoteStartId: 0);
                ApplyProfile(connector.Id, remoteStart.ChargingProfile?.ChargingSchedule);
            }

            return RpcReply.Result(V16.V16Actions.RemoteStartTransaction, new V16.RemoteStartTransactionResponse
            {
                Status = connector is null ? V16.RemoteStartStopStatus.Rejected : V16.RemoteStartStopStatus.Accepted,
            });
        }

        if (call.TryRead(V16.V16Actions.RemoteStopTransaction, out var remoteStop))
        {
            var connector = _connectors.Values.FirstOrDefault(c => c.Session is { Stopped: false } s && s.TransactionId16 == remoteStop.TransactionId);
            if (connector is not null)
            {
                Advance(connector, connector.Session!, now);
                StopTransaction(connector, connector.Session!, now, remote: "remote");
            }

            return RpcReply.Result(V16.V16Actions.RemoteStopTransaction, new V16.RemoteStopTransactionResponse
            {
                Status = connector is null ? V16.RemoteStartStopStatus.Rejected : V16.RemoteStartStopStatus.Accepted,
            });
        }

        if (call.TryRead(V16.V16Actions.SetChargingProfile, out var setProfile))
        {
            var schedule = setProfile.CsChargingProfiles.ChargingSchedule;
            var known = setProfile.ConnectorId == 0 || _connectors.ContainsKey(setProfile.ConnectorId);
            if (known)
            {
                ApplyProfile(setProfile.ConnectorId, schedule);
            }

            return RpcReply.Result(V16.V16Actions.SetChargingProfile, new V16.SetChargingProfileResponse
            {
                Status = known ? V16.ChargingProfileStatus.Accepted : V16.ChargingProfileStatus.Rejected,
            });
        }

        if (call.TryRead(V16.V16Actions.ClearChargingProfile, out var clear))
        {
            var cleared = ClearProfiles(clear.ConnectorId);
            return RpcReply.Result(V16.V16Actions.ClearChargingProfile, new V16.ClearChargingProfileResponse
            {
                Status = cleared ? V16.ClearChargingProfileStatus.Accepted : V16.ClearChargingProfileStatus.Unknown,
            });
        }

        if (call.TryRead(V16.V16Actions.UnlockConnector, out var unlock))
        {
            if (!_connectors.TryGetValue(unlock.ConnectorId, out var connector))
            {
                return RpcReply.Result(V16.V16Actions.UnlockConnector, new V16.UnlockConnectorResponse { Status = V16.UnlockStatus.NotSupported });
            }

            if (connector.Session is { Stopped: false } session)
            {
                Advance(connector, session, now);
                StopTransaction(connector, session, now, remote: "unlock");
            }

            return RpcReply.Result(V16.V16Actions.UnlockConnector, new V16.UnlockConnectorResponse { Status = V16.UnlockStatus.Unlocked });
        }

        if (call.TryRead(V16.V16Actions.ChangeAvailability, out var availability))
        {
            var status = ChangeAvailability(availability.ConnectorId, availability.Type == V16.AvailabilityType.Operative, now);
            return RpcReply.Result(V16.V16Actions.ChangeAvailability, new V16.ChangeAvailabilityResponse
            {
                Status = status switch { null => V16.AvailabilityStatus.Rejected, true => V16.AvailabilityStatus.Accepted, false => V16.AvailabilityStatus.Scheduled },
            });
        }

        if (call.TryRead(V16.V16Actions.Reset, out _))
        {
            return RpcReply.Result(V16.V16Actions.Reset, new V16.ResetResponse { Status = V16.ResetStatus.Accepted });
        }

        if (call.TryRead(V16.V16Actions.GetConfiguration, out var getConfiguration))
        {
            var all = Configuration();
            var asked = getConfiguration.Key is { Count: > 0 } keys ? keys : [.. all.Keys];
            return RpcReply.Result(V16.V16Actions.GetConfiguration, new V16.GetConfigurationResponse
            {
                ConfigurationKey = [.. asked.Where(all.ContainsKey).Select(k => new V16.KeyValue { Key = k, Readonly = k == "NumberOfConnectors", Value = all[k] })],
                UnknownKey = asked.Where(k => !all.ContainsKey(k)).ToList() is { Count: > 0 } unknown ? unknown : null,
            });
        }

        if (call.TryRead(V16.V16Actions.ChangeConfiguration, out var change))
        {
            var status = !Configuration().ContainsKey(change.Key) ? V16.ConfigurationStatus.NotSupported
                : change.Key == "NumberOfConnectors" ? V16.ConfigurationStatus.Rejected
                : V16.ConfigurationStatus.Accepted;
            if (change.Key == "AllowOfflineTxForUnknownId")
            {
                _offlineUnknownAllowed = string.Equals(change.Value, "true", StringComparison.OrdinalIgnoreCase);
            }
            return RpcReply.Result(V16.V16Actions.ChangeConfiguration, new V16.ChangeConfigurationResponse { Status = status });
        }

        if (call.TryRead(V16.V16Actions.SendLocalList, out var list16))
        {
            var applied = ApplyLocalList(list16.ListVersion, list16.UpdateType == V16.UpdateType.Full,
                (list16.LocalAuthorizationList ?? []).Select(e => (e.IdTag, e.IdTagInfo is { } info ? info.Status == V16.AuthorizationStatus.Accepted : (bool?)null)));
            return RpcReply.Result(V16.V16Actions.SendLocalList, new V16.SendLocalListResponse { Status = applied ? V16.UpdateStatus.Accepted : V16.UpdateStatus.VersionMismatch });
        }

        if (call.TryRead(V16.V16Actions.GetLocalListVersion, out _))
        {
            return RpcReply.Result(V16.V16Actions.GetLocalListVersion, new V16.GetLocalListVersionResponse { ListVersion = _localListVersion });
        }

        if (call.TryRead(V16.V16Actions.TriggerMessage, out var trigger))
        {
            var accepted = trigger.RequestedMessage switch
            {
                V16.MessageTrigger.StatusNotification => Trigger(status: true, trigger.ConnectorId, now),
                V16.MessageTrigger.Heartbeat => Trigger(status: false, null, now),
                V16.MessageTrigger.MeterValues => TriggerMeterValues(trigger.ConnectorId, now),
                _ => (bool?)null,
            };
            return RpcReply.Result(V16.V16Actions.TriggerMessage, new V16.TriggerMessageResponse
            {
                Status = accepted switch { true => V16.TriggerMessageStatus.Accepted, false => V16.TriggerMessageStatus.Rejected, null => V16.TriggerMessageStatus.NotImplemented },
            });
        }

        return RpcReply.Error(RpcErrorCode.NotSupported, $"The simulated charger does not support {call.Action}.");
    }

    private RpcReply Handle2(RpcInboundCall call, DateTimeOffset now)
    {
        if (call.TryRead(V2.V21Actions.RequestStartTransaction, out var start))
        {
            var connector = _connectors.Values.FirstOrDefault(c => (start.EvseId is null || c.Id == start.EvseId) && c.Session is { Stopped: true });
            if (connector is not null)
            {
                StartTransaction(connector, connector.Session!, now, start.IdToken.IdToken, start.RemoteStartId);
                ApplyProfile2(connector.Id, start.ChargingProfile);
            }

            return RpcReply.Result(V2.V21Actions.RequestStartTransaction, new V2.RequestStartTransactionResponse
            {
                Status = connector is null ? V2.RequestStartStopStatusEnumType.Rejected : V2.RequestStartStopStatusEnumType.Accepted,
                TransactionId = connector?.Session?.TransactionId201,
            });
        }

        if (call.TryRead(V2.V21Actions.RequestStopTransaction, out var stop))
        {
            var connector = _connectors.Values.FirstOrDefault(c => c.Session is { Stopped: false } s && s.TransactionId201 == stop.TransactionId);
            if (connector is not null)
            {
                Advance(connector, connector.Session!, now);
                StopTransaction(connector, connector.Session!, now, remote: "remote");
            }

            return RpcReply.Result(V2.V21Actions.RequestStopTransaction, new V2.RequestStopTransactionResponse
            {
                Status = connector is null ? V2.RequestStartStopStatusEnumType.Rejected : V2.RequestStartStopStatusEnumType.Accepted,
            });
        }

        if (call.TryRead(V2.V21Actions.SetChargingProfile, out var setProfile))
        {
            var known = setProfile.EvseId == 0 || _connectors.ContainsKey(setProfile.EvseId);
            if (known)
            {
                ApplyProfile2(setProfile.EvseId, setProfile.ChargingProfile);
            }

            return RpcReply.Result(V2.V21Actions.SetChargingProfile, new V2.SetChargingProfileResponse
            {
                Status = known ? V2.ChargingProfileStatusEnumType.Accepted : V2.ChargingProfileStatusEnumType.Rejected,
            });
        }

        if (call.TryRead(V2.V21Actions.ClearChargingProfile, out var clear))
        {
            var cleared = ClearProfiles(clear.ChargingProfileCriteria?.EvseId);
            return RpcReply.Result(V2.V21Actions.ClearChargingProfile, new V2.ClearChargingProfileResponse
            {
                Status = cleared ? V2.ClearChargingProfileStatusEnumType.Accepted : V2.ClearChargingProfileStatusEnumType.Unknown,
            });
        }

        if (call.TryRead(V2.V21Actions.UnlockConnector, out var unlock))
        {
            var status = !_connectors.TryGetValue(unlock.EvseId, out var connector) ? V2.UnlockStatusEnumType.UnknownConnector
                : connector.Session is { Stopped: false } ? V2.UnlockStatusEnumType.OngoingAuthorizedTransaction
                : V2.UnlockStatusEnumType.Unlocked;
            return RpcReply.Result(V2.V21Actions.UnlockConnector, new V2.UnlockConnectorResponse { Status = status });
        }

        if (call.TryRead(V2.V21Actions.ChangeAvailability, out var availability))
        {
            var status = ChangeAvailability(availability.Evse?.Id ?? 0, availability.OperationalStatus == V2.OperationalStatusEnumType.Operative, now);
            return RpcReply.Result(V2.V21Actions.ChangeAvailability, new V2.ChangeAvailabilityResponse
            {
                Status = status switch { null => V2.ChangeAvailabilityStatusEnumType.Rejected, true => V2.ChangeAvailabilityStatusEnumType.Accepted, false => V2.ChangeAvailabilityStatusEnumType.Scheduled },
            });
        }

        if (call.TryRead(V2.V21Actions.Reset, out _))
        {
            return RpcReply.Result(V2.V21Actions.Reset, new V2.ResetResponse { Status = V2.ResetStatusEnumType.Accepted });
        }

        if (call.TryRead(V2.V21Actions.GetVariables, out var get))
        {
            var variables = Variables();
            return RpcReply.Result(V2.V21Actions.GetVariables, new V2.GetVariablesResponse
            {
                GetVariableResult = [.. get.GetVariableData.Select(d => variables.TryGetValue($"{d.Component.Name}.{d.Variable.Name}", out var value)
                    ? new V2.GetVariableResultType { AttributeStatus = V2.GetVariableStatusEnumType.Accepted, AttributeValue = value, Component = d.Component, Variable = d.Variable }
                    : new V2.GetVariableResultType { AttributeStatus = V2.GetVariableStatusEnumType.UnknownVariable, Component = d.Component, Variable = d.Variable })],
            });
        }

        if (call.TryRead(V2.V21Actions.SetVariables, out var set))
        {
            var variables = Variables();
            foreach (var d in set.SetVariableData.Where(d => d.Component.Name == "AuthCtrlr" && d.Variable.Name == "OfflineTxForUnknownIdEnabled"))
            {
                _offlineUnknownAllowed = string.Equals(d.AttributeValue, "true", StringComparison.OrdinalIgnoreCase);
            }

            return RpcReply.Result(V2.V21Actions.SetVariables, new V2.SetVariablesResponse
            {
                SetVariableResult = [.. set.SetVariableData.Select(d => new V2.SetVariableResultType
                {
                    AttributeStatus = variables.ContainsKey($"{d.Component.Name}.{d.Variable.Name}") ? V2.SetVariableStatusEnumType.Accepted : V2.SetVariableStatusEnumType.UnknownVariable,
                    Component = d.Component,
                    Variable = d.Variable,
                })],
            });
        }

        if (call.TryRead(V2.V21Actions.SendLocalList, out var list2))
        {
            var applied = ApplyLocalList(list2.VersionNumber, list2.UpdateType == V2.UpdateEnumType.Full,
                (list2.LocalAuthorizationList ?? []).Select(e => (e.IdToken.IdToken, e.IdTokenInfo is { } info ? info.Status == V2.AuthorizationStatusEnumType.Accepted : (bool?)null)));
            return RpcReply.Result(V2.V21Actions.SendLocalList, new V2.SendLocalListResponse { Status = applied ? V2.SendLocalListStatusEnumType.Accepted : V2.SendLocalListStatusEnumType.VersionMismatch });
        }

        if (call.TryRead(V2.V21Actions.GetLocalListVersion, out _))
        {
            return RpcReply.Result(V2.V21Actions.GetLocalListVersion, new V2.GetLocalListVersionResponse { VersionNumber = _localListVersion });
        }

        if (call.TryRead(V2.V21Actions.TriggerMessage, out var trigger))
        {
            var accepted = trigger.RequestedMessage switch
            {
                V2.MessageTriggerEnumType.StatusNotification => Trigger(status: true, trigger.Evse?.Id, now),
                V2.MessageTriggerEnumType.Heartbeat => Trigger(status: false, null, now),
                _ => (bool?)null,
            };
            return RpcReply.Result(V2.V21Actions.TriggerMessage, new V2.TriggerMessageResponse
            {
                Status = accepted switch { true => V2.TriggerMessageStatusEnumType.Accepted, false => V2.TriggerMessageStatusEnumType.Rejected, null => V2.TriggerMessageStatusEnumType.NotImplemented },
            });
        }

        return RpcReply.Error(RpcErrorCode.NotSupported, $"The simulated charging station does not support {call.Action}.");
    }

    /// <summary>The first period's limit of a 1.6 schedule applies from now on (the simulator does not follow schedules over time).</summary>
    private void ApplyProfile(int connectorId, V16.ChargingSchedule? schedule)
    {
        if (schedule?.ChargingSchedulePeriod is not [var first, ..])
        {
            return;
        }

        var watts = schedule.ChargingRateUnit == V16.ChargingRateUnitType.W ? (double)first.Limit : (double)first.Limit * PhaseVoltage * (first.NumberPhases ?? 3);
        SetLimit(connectorId, watts);
    }

    private void ApplyProfile2(int evseId, V2.ChargingProfileType? profile)
    {
        // 2.1 lets a period carry a setpoint instead of a limit; the simulated car obeys limits only.
        if (profile?.ChargingSchedule is not [var schedule, ..] || schedule.ChargingSchedulePeriod is not [{ Limit: { } limit } first, ..])
        {
            return;
        }

        var watts = schedule.ChargingRateUnit == V2.ChargingRateUnitEnumType.W ? (double)limit : (double)limit * PhaseVoltage * (first.NumberPhases ?? 3);
        SetLimit(evseId, watts);
    }

    private void SetLimit(int connectorId, double watts)
    {
        var now = _clock.GetUtcNow();
        foreach (var connector in _connectors.Values.Where(c => connectorId == 0 || c.Id == connectorId))
        {
            // Energy so far at the old power, then the new limit.
            if (connector.Session is { Stopped: false } session)
            {
                Advance(connector, session, now);
            }

            connector.LimitW = watts;
        }
    }

    private bool ClearProfiles(int? connectorId)
    {
        var any = false;
        foreach (var connector in _connectors.Values.Where(c => connectorId is null or 0 || c.Id == connectorId))
        {
            any |= connector.LimitW is not null;
            connector.LimitW = null;
        }

        return any;
    }

    /// <summary>True: done; false: scheduled (a transaction runs); null: no such connector.</summary>
    private bool? ChangeAvailability(int connectorId, bool operative, DateTimeOffset now)
    {
        var connectors = _connectors.Values.Where(c => connectorId == 0 || c.Id == connectorId).ToList();
        if (connectors.Count == 0)
        {
            return null;
        }

        var scheduled = false;
        foreach (var connector in connectors)
        {
            if (connector.Session is not null)
            {
                scheduled = true;
            }
            else if (operative && connector.Status == ConnectorState.Unavailable)
            {
                SetStatus(connector, ConnectorState.Available, now);
            }
            else if (!operative && connector.Status == ConnectorState.Available)
            {
                SetStatus(connector, ConnectorState.Unavailable, now);
            }
        }

        return !scheduled;
    }

    private bool Trigger(bool status, int? connectorId, DateTimeOffset now)
    {
        if (!status)
        {
            Enqueue(Version == OcppVersion.Ocpp16
                ? Outbound.Of(V16.V16Actions.Heartbeat, new V16.HeartbeatRequest(), transactionRelated: false)
                : Outbound.Of(V2.V21Actions.Heartbeat, new V2.HeartbeatRequest(), transactionRelated: false));
            return true;
        }

        var connectors = _connectors.Values.Where(c => connectorId is null or 0 || c.Id == connectorId).ToList();
        foreach (var connector in connectors)
        {
            Enqueue(StatusMessage(connector, connector.Status, now, connector.ErrorCode));
        }

        return connectors.Count > 0;
    }

    private bool TriggerMeterValues(int? connectorId, DateTimeOffset now)
    {
        var charging = _connectors.Values.Where(c => (connectorId is null or 0 || c.Id == connectorId) && c.Session is { Stopped: false }).ToList();
        foreach (var connector in charging)
        {
            Advance(connector, connector.Session!, now);
            Enqueue(MeterValues16(connector, connector.Session!, now));
        }

        return charging.Count > 0;
    }

    /// <summary>Local authorisation: the list the server sent (token, accepted) and its version; whether unknown tokens start offline.</summary>
    private readonly Dictionary<string, bool> _localList = new(StringComparer.Ordinal);
    private int _localListVersion;
    private bool _offlineUnknownAllowed = true;

    /// <summary>The tokens on the local list now (for tests and the sandbox).</summary>
    public IReadOnlyCollection<string> LocalList
    {
        get
        {
            lock (_gate)
            {
                return [.. _localList.Where(e => e.Value).Select(e => e.Key)];
            }
        }
    }

    /// <summary>Offline, a token starts charging when it is Accepted on the local list, or when unknown tokens may (AllowOfflineTxForUnknownId, OfflineTxForUnknownIdEnabled).</summary>
    private bool AuthorizedOffline(string idTag)
    {
        lock (_gate)
        {
            return _localList.TryGetValue(idTag, out var accepted) ? accepted : _offlineUnknownAllowed;
        }
    }

    /// <summary>SendLocalList: a full list replaces the one held; a differential one adds and removes (an entry without a status removes), and must be newer.</summary>
    private bool ApplyLocalList(int version, bool full, IEnumerable<(string Token, bool? Accepted)> entries)
    {
        if (!full && version <= _localListVersion)
        {
            return false;
        }

        if (full)
        {
            _localList.Clear();
        }

        foreach (var (token, accepted) in entries)
        {
            if (accepted is { } status)
            {
                _localList[token] = status;
            }
            else
            {
                _localList.Remove(token);
            }
        }

        _localListVersion = version;
        return true;
    }

    private Dictionary<string, string> Configuration() => new(StringComparer.Ordinal)
    {
        ["AllowOfflineTxForUnknownId"] = _offlineUnknownAllowed ? "true" : "false",
        ["LocalAuthListEnabled"] = "true",
        ["HeartbeatInterval"] = ((int)_scenario.HeartbeatInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["MeterValueSampleInterval"] = ((int)_scenario.MeterInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["MeterValuesSampledData"] = "Energy.Active.Import.Register,Power.Active.Import,SoC",
        ["NumberOfConnectors"] = _connectors.Count.ToString(CultureInfo.InvariantCulture),
        ["ChargeProfileMaxStackLevel"] = "8",
    };

    private Dictionary<string, string> Variables() => new(StringComparer.Ordinal)
    {
        ["OCPPCommCtrlr.HeartbeatInterval"] = ((int)_scenario.HeartbeatInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["SampledDataCtrlr.TxUpdatedInterval"] = ((int)_scenario.MeterInterval.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ["SampledDataCtrlr.TxUpdatedMeasurands"] = "Energy.Active.Import.Register,Power.Active.Import,SoC",
        ["SmartChargingCtrlr.Enabled"] = "true",
        ["AuthCtrlr.OfflineTxForUnknownIdEnabled"] = _offlineUnknownAllowed ? "true" : "false",
        ["LocalAuthListCtrlr.Enabled"] = "true",
    };

    private sealed class CallHandler(SimulatedCharger charger) : IRpcCallHandler
    {
        public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
            ValueTask.FromResult(charger.Handle(inboundCall));
    }
}
