using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V201;

using CoreAuthorization = ParkCharge.Core.Charging.AuthorizationStatus;
using DataTransferStatus = ParkCharge.Core.Engine.DataTransferStatus;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>OCPP 2.0.1 charging-station-to-CSMS messages as observations, and the engine's replies as 2.0.1 answers.</summary>
public static class V201Inbound
{
    /// <summary>Notifications ParkCharge keeps without interpreting; their answers are empty objects.</summary>
    private static readonly HashSet<string> RecordedNotifications = new(StringComparer.Ordinal)
    {
        "FirmwareStatusNotification", "LogStatusNotification", "SecurityEventNotification", "NotifyReport",
        "NotifyMonitoringReport", "NotifyChargingLimit", "ClearedChargingLimit", "NotifyDisplayMessages",
        "NotifyCustomerInformation", "PublishFirmwareStatusNotification", "ReservationStatusUpdate", "ReportChargingProfiles",
    };

    /// <summary>Reads a CALL; null when ParkCharge does not support the action.</summary>
    public static InboundMessage? Read(ChargerId charger, RpcInboundCall call, DateTimeOffset now, TimeSpan heartbeatInterval)
    {
        if (call.TryRead(V201Actions.BootNotification, out var boot))
        {
            var station = boot.ChargingStation;
            return new InboundMessage(
                new BootReported(charger, station.VendorName, station.Model, station.SerialNumber, station.FirmwareVersion, WireNames.Of(boot.Reason)),
                now,
                reply => RpcReply.Result(V201Actions.BootNotification, new BootNotificationResponse
                {
                    Status = reply is Refused ? RegistrationStatusEnumType.Rejected : RegistrationStatusEnumType.Accepted,
                    CurrentTime = now,
                    Interval = (int)heartbeatInterval.TotalSeconds,
                }));
        }

        if (call.TryRead(V201Actions.StatusNotification, out var status))
        {
            return new InboundMessage(
                new ConnectorStatusReported(charger, ConnectorRef.Ocpp201(status.EvseId, status.ConnectorId), Status(status.ConnectorStatus)),
                status.Timestamp,
                _ => RpcReply.Result(V201Actions.StatusNotification, new StatusNotificationResponse()));
        }

        if (call.TryRead(V201Actions.Authorize, out var authorize))
        {
            return new InboundMessage(
                new IdTokenPresented(charger, IdToken(authorize.IdToken)),
                now,
                reply => RpcReply.Result(V201Actions.Authorize, new AuthorizeResponse { IdTokenInfo = IdTokenInfo(reply) }));
        }

        if (call.TryRead(V201Actions.TransactionEvent, out var transaction))
        {
            var info = transaction.TransactionInfo;
            return new InboundMessage(
                new TransactionEventReported
                {
                    Charger = charger,
                    EventType = transaction.EventType switch
                    {
                        TransactionEventEnumType.Started => TransactionEventType.Started,
                        TransactionEventEnumType.Ended => TransactionEventType.Ended,
                        _ => TransactionEventType.Updated,
                    },
                    TransactionId = info.TransactionId,
                    TriggerReason = WireNames.Of(transaction.TriggerReason),
                    SeqNo = transaction.SeqNo,
                    Offline = transaction.Offline ?? false,
                    Connector = transaction.Evse is { } evse ? ConnectorRef.Ocpp201(evse.Id, evse.ConnectorId) : null,
                    ChargingState = info.ChargingState is { } state ? ChargingState(state) : null,
                    StoppedReason = WireNames.Of(info.StoppedReason),
                    RemoteStartId = info.RemoteStartId,
                    IdToken = transaction.IdToken is { } token ? IdToken(token) : null,
                    Samples = Samples(transaction.MeterValue ?? []),
                },
                transaction.Timestamp,
                reply => RpcReply.Result(V201Actions.TransactionEvent, new TransactionEventResponse
                {
                    IdTokenInfo = reply is AuthorizationReply ? IdTokenInfo(reply) : null,
                }));
        }

        if (call.TryRead(V201Actions.MeterValues, out var meter))
        {
            var samples = Samples(meter.MeterValue);
            return new InboundMessage(
                new MeterValuesReported(charger, ConnectorRef.Ocpp201(meter.EvseId, null), null, samples),
                samples.Count > 0 ? samples.Min(s => s.Timestamp) : now,
                _ => RpcReply.Result(V201Actions.MeterValues, new MeterValuesResponse()));
        }

        if (call.TryRead(V201Actions.NotifyEvent, out var notify))
        {
            return new InboundMessage(
                new ChargerEventsReported(charger, [.. notify.EventData.Select(e => new ChargerEventData(
                    e.EventId, e.Timestamp, WireNames.Of(e.Trigger), e.ActualValue, e.Component.Name, e.Variable.Name,
                    e.Component.Evse?.Id, e.Component.Evse?.ConnectorId, e.TechCode, e.TechInfo, e.Cleared, WireNames.Of(e.EventNotificationType)))]),
                notify.GeneratedAt,
                _ => RpcReply.Result(V201Actions.NotifyEvent, new NotifyEventResponse()));
        }

        if (call.TryRead(V201Actions.DataTransfer, out var transfer))
        {
            return new InboundMessage(
                new DataTransferReceived(charger, transfer.VendorId, transfer.MessageId, transfer.Data?.GetRawText()),
                now,
                reply => RpcReply.Result(V201Actions.DataTransfer, new DataTransferResponse
                {
                    Status = reply is DataTransferReply answer ? DataTransfer(answer.Status) : DataTransferStatusEnumType.Rejected,
                }));
        }

        if (RecordedNotifications.Contains(call.Action))
        {
            return new InboundMessage(
                new ChargerNotificationReceived(charger, call.Action, call.Payload.GetRawText()),
                now,
                _ => RpcReply.Result(InboundMessage.EmptyObject));
        }

        return null;
    }

    /// <summary>2.0.1 sampled values in base units (unit and power-of-ten multiplier applied).</summary>
    public static IReadOnlyList<MeterSample> Samples(IReadOnlyList<MeterValueType> meterValues)
    {
        var samples = new List<MeterSample>();
        foreach (var meterValue in meterValues)
        {
            foreach (var sampled in meterValue.SampledValue)
            {
                var measurand = WireNames.Of(sampled.Measurand) ?? MeterSample.DefaultMeasurand;
                var (value, unit) = MeterUnits.ToBase(sampled.Value, sampled.UnitOfMeasure?.Unit, measurand, sampled.UnitOfMeasure?.Multiplier ?? 0);
                samples.Add(new MeterSample(
                    meterValue.Timestamp, measurand, value, unit,
                    WireNames.Of(sampled.Phase), WireNames.Of(sampled.Location), WireNames.Of(sampled.Context)));
            }
        }

        return samples;
    }

    private static IdToken IdToken(IdTokenType token) => new(token.IdToken, WireNames.Of(token.Type));

    private static ConnectorStatus Status(ConnectorStatusEnumType status) => status switch
    {
        ConnectorStatusEnumType.Available => ConnectorStatus.Available,
        ConnectorStatusEnumType.Occupied => ConnectorStatus.Occupied,
        ConnectorStatusEnumType.Reserved => ConnectorStatus.Reserved,
        ConnectorStatusEnumType.Unavailable => ConnectorStatus.Unavailable,
        _ => ConnectorStatus.Faulted,
    };

    private static ChargingState ChargingState(ChargingStateEnumType state) => state switch
    {
        ChargingStateEnumType.Charging => Core.Charging.ChargingState.Charging,
        ChargingStateEnumType.EVConnected => Core.Charging.ChargingState.EVConnected,
        ChargingStateEnumType.SuspendedEV => Core.Charging.ChargingState.SuspendedEV,
        ChargingStateEnumType.SuspendedEVSE => Core.Charging.ChargingState.SuspendedEVSE,
        _ => Core.Charging.ChargingState.Idle,
    };

    private static DataTransferStatusEnumType DataTransfer(DataTransferStatus status) => status switch
    {
        DataTransferStatus.Accepted => DataTransferStatusEnumType.Accepted,
        DataTransferStatus.UnknownMessageId => DataTransferStatusEnumType.UnknownMessageId,
        DataTransferStatus.UnknownVendorId => DataTransferStatusEnumType.UnknownVendorId,
        _ => DataTransferStatusEnumType.Rejected,
    };

    private static IdTokenInfoType IdTokenInfo(Reply reply) => new()
    {
        Status = reply is AuthorizationReply answer ? Authorization(answer.Status) : AuthorizationStatusEnumType.Invalid,
    };

    private static AuthorizationStatusEnumType Authorization(CoreAuthorization status) => status switch
    {
        CoreAuthorization.Accepted => AuthorizationStatusEnumType.Accepted,
        CoreAuthorization.Blocked => AuthorizationStatusEnumType.Blocked,
        CoreAuthorization.Expired => AuthorizationStatusEnumType.Expired,
        CoreAuthorization.ConcurrentTx => AuthorizationStatusEnumType.ConcurrentTx,
        CoreAuthorization.Unknown => AuthorizationStatusEnumType.Unknown,
        _ => AuthorizationStatusEnumType.Invalid,
    };
}
