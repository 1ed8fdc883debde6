using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V21;

using CoreAuthorization = ParkCharge.Core.Charging.AuthorizationStatus;
using DataTransferStatus = ParkCharge.Core.Engine.DataTransferStatus;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>
/// OCPP 2.0.1 and 2.1 charging-station-to-CSMS messages as observations, and the engine's replies as
/// their answers: one mapping for both, written against 2.1's records, which hold every 2.0.1 message
/// (see <see cref="Messages.OcppMessageFamily"/>). The connection checks each answer against the schema of
/// the version spoken, so a 2.0.1 charger never receives a 2.1-only field or value.
/// </summary>
public static class V2Inbound
{
    /// <summary>Notifications ParkCharge keeps without interpreting; their answers are empty objects.</summary>
    private static readonly HashSet<string> RecordedNotifications = new(StringComparer.Ordinal)
    {
        "NotifyReport",
        "NotifyMonitoringReport", "NotifyChargingLimit", "ClearedChargingLimit", "NotifyDisplayMessages",
        "NotifyCustomerInformation", "PublishFirmwareStatusNotification", "ReservationStatusUpdate", "ReportChargingProfiles",
    };

    /// <summary>Reads a CALL; null when ParkCharge does not support the action.</summary>
    public static InboundMessage? Read(ChargerId charger, RpcInboundCall call, DateTimeOffset now, TimeSpan heartbeatInterval)
    {
        if (call.TryRead(V21Actions.BootNotification, out var boot))
        {
            var station = boot.ChargingStation;
            return new InboundMessage(
                new BootReported(charger, station.VendorName, station.Model, station.SerialNumber, station.FirmwareVersion, WireNames.Of(boot.Reason)),
                now,
                reply => RpcReply.Result(V21Actions.BootNotification, new BootNotificationResponse
                {
                    Status = reply is Refused ? RegistrationStatusEnumType.Rejected : RegistrationStatusEnumType.Accepted,
                    CurrentTime = now,
                    Interval = (int)heartbeatInterval.TotalSeconds,
                }));
        }

        if (call.TryRead(V21Actions.StatusNotification, out var status))
        {
            return new InboundMessage(
                new ConnectorStatusReported(charger, ConnectorRef.Ocpp201(status.EvseId, status.ConnectorId), Status(status.ConnectorStatus)),
                status.Timestamp,
                _ => RpcReply.Result(V21Actions.StatusNotification, new StatusNotificationResponse()));
        }

        if (call.TryRead(V21Actions.Authorize, out var authorize))
        {
            return new InboundMessage(
                new IdTokenPresented(charger, IdToken(authorize.IdToken)),
                now,
                reply => RpcReply.Result(V21Actions.Authorize, new AuthorizeResponse { IdTokenInfo = IdTokenInfo(reply) }));
        }

        if (call.TryRead(V21Actions.TransactionEvent, out var transaction))
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
                reply =>
                {
                    // The cost from the bill, for a charger ParkCharge tells the cost (settings.chargerCost central).
                    var (answer, totalCost) = reply is TransactionCostReply costed ? (costed.Answer, costed.TotalCost) : (reply, (decimal?)null);
                    return RpcReply.Result(V21Actions.TransactionEvent, new TransactionEventResponse
                    {
                        IdTokenInfo = answer is AuthorizationReply ? IdTokenInfo(answer) : null,
                        TotalCost = totalCost,
                    });
                });
        }

        if (call.TryRead(V21Actions.MeterValues, out var meter))
        {
            var samples = Samples(meter.MeterValue);
            return new InboundMessage(
                new MeterValuesReported(charger, ConnectorRef.Ocpp201(meter.EvseId, null), null, samples),
                samples.Count > 0 ? samples.Min(s => s.Timestamp) : now,
                _ => RpcReply.Result(V21Actions.MeterValues, new MeterValuesResponse()));
        }

        if (call.TryRead(V21Actions.NotifyEvent, out var notify))
        {
            return new InboundMessage(
                new ChargerEventsReported(charger, [.. notify.EventData.Select(e => new ChargerEventData(
                    e.EventId, e.Timestamp, WireNames.Of(e.Trigger), e.ActualValue, e.Component.Name, e.Variable.Name,
                    e.Component.Evse?.Id, e.Component.Evse?.ConnectorId, e.TechCode, e.TechInfo, e.Cleared, WireNames.Of(e.EventNotificationType)))]),
                notify.GeneratedAt,
                _ => RpcReply.Result(V21Actions.NotifyEvent, new NotifyEventResponse()));
        }

        if (call.TryRead(V21Actions.DataTransfer, out var transfer))
        {
            return new InboundMessage(
                new DataTransferReceived(charger, transfer.VendorId, transfer.MessageId, transfer.Data?.GetRawText()),
                now,
                reply => RpcReply.Result(V21Actions.DataTransfer, new DataTransferResponse
                {
                    Status = reply is DataTransferReply answer ? DataTransfer(answer.Status) : DataTransferStatusEnumType.Rejected,
                }));
        }

        if (call.TryRead(V21Actions.SecurityEventNotification, out var security))
        {
            return new InboundMessage(
                new SecurityEventReported(charger, security.Type, security.Timestamp, security.TechInfo),
                now,
                _ => RpcReply.Result(V21Actions.SecurityEventNotification, new SecurityEventNotificationResponse()));
        }

        if (call.TryRead(V21Actions.FirmwareStatusNotification, out var firmware))
        {
            return new InboundMessage(
                new FileTransferStatusReported(charger, FileTransferKind.Firmware, call.Action, WireNames.Of(firmware.Status), firmware.RequestId),
                now,
                _ => RpcReply.Result(V21Actions.FirmwareStatusNotification, new FirmwareStatusNotificationResponse()));
        }

        if (call.TryRead(V21Actions.LogStatusNotification, out var log))
        {
            return new InboundMessage(
                new FileTransferStatusReported(charger, FileTransferKind.Log, call.Action, WireNames.Of(log.Status), log.RequestId),
                now,
                _ => RpcReply.Result(V21Actions.LogStatusNotification, new LogStatusNotificationResponse()));
        }

        if (call.TryRead(V21Actions.NotifySettlement, out var settlement))
        {
            return new InboundMessage(
                new Core.Billing.SettlementReported(
                    charger, settlement.TransactionId, settlement.PspRef, WireNames.Of(settlement.Status), settlement.SettlementAmount, settlement.SettlementTime,
                    settlement.StatusInfo, settlement.ReceiptId, settlement.ReceiptUrl),
                settlement.SettlementTime,
                _ => RpcReply.Result(V21Actions.NotifySettlement, new NotifySettlementResponse()));
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

    /// <summary>2.0.1/2.1 sampled values in base units (unit and power-of-ten multiplier applied).</summary>
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

    /// <summary>2.0.1 spells the token type as an enumeration, 2.1 as a string of the same values and more (IdTokenEnumStringType).</summary>
    private static IdToken IdToken(IdTokenType token) => new(token.IdToken, token.Type);

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
