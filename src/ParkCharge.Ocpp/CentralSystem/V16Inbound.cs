using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Core.Engine;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;

using CoreAuthorization = ParkCharge.Core.Charging.AuthorizationStatus;
using DataTransferStatus = ParkCharge.Ocpp.V16.DataTransferStatus;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>OCPP 1.6 charger-to-server messages as observations, and the engine's replies as 1.6 answers.</summary>
public static class V16Inbound
{
    /// <summary>
    /// Notifications ParkCharge keeps without interpreting; their answers are empty objects. (None left: the
    /// firmware and diagnostics notifications follow their commands, <see cref="FileTransferStatusReported"/>.)
    /// </summary>
    private static readonly HashSet<string> RecordedNotifications = new(StringComparer.Ordinal);

    /// <summary>Reads a CALL; null when ParkCharge does not support the action.</summary>
    public static InboundMessage? Read(ChargerId charger, RpcInboundCall call, DateTimeOffset now, TimeSpan heartbeatInterval)
    {
        if (call.TryRead(V16Actions.BootNotification, out var boot))
        {
            return new InboundMessage(
                new BootReported(charger, boot.ChargePointVendor, boot.ChargePointModel, boot.ChargePointSerialNumber ?? boot.ChargeBoxSerialNumber, boot.FirmwareVersion, null),
                now,
                reply => RpcReply.Result(V16Actions.BootNotification, new BootNotificationResponse
                {
                    Status = reply is Refused ? RegistrationStatus.Rejected : RegistrationStatus.Accepted,
                    CurrentTime = now,
                    Interval = (int)heartbeatInterval.TotalSeconds,
                }));
        }

        if (call.TryRead(V16Actions.StatusNotification, out var status))
        {
            return new InboundMessage(
                new ConnectorStatusReported(
                    charger,
                    ConnectorRef.Ocpp16(status.ConnectorId),
                    Status(status.Status),
                    WireNames.Of(status.ErrorCode),
                    status.Info,
                    status.VendorErrorCode),
                status.Timestamp ?? now,
                _ => RpcReply.Result(V16Actions.StatusNotification, new StatusNotificationResponse()));
        }

        if (call.TryRead(V16Actions.Authorize, out var authorize))
        {
            return new InboundMessage(
                new IdTokenPresented(charger, new IdToken(authorize.IdTag)),
                now,
                reply => RpcReply.Result(V16Actions.Authorize, new AuthorizeResponse { IdTagInfo = IdTagInfo(reply) }));
        }

        if (call.TryRead(V16Actions.StartTransaction, out var start))
        {
            return new InboundMessage(
                new TransactionStartReported(charger, start.ConnectorId, start.IdTag, start.MeterStart, start.ReservationId),
                start.Timestamp,
                reply => reply is TransactionStartReply started
                    ? RpcReply.Result(V16Actions.StartTransaction, new StartTransactionResponse { TransactionId = started.TransactionId, IdTagInfo = new IdTagInfo { Status = Authorization(started.Status) } })
                    : RpcReply.Error(RpcErrorCode.InternalError, "The transaction could not be started."));
        }

        if (call.TryRead(V16Actions.StopTransaction, out var stop))
        {
            return new InboundMessage(
                new TransactionStopReported(charger, stop.TransactionId, stop.IdTag, stop.MeterStop, WireNames.Of(stop.Reason), Samples(stop.TransactionData ?? [])),
                stop.Timestamp,
                reply => RpcReply.Result(V16Actions.StopTransaction, new StopTransactionResponse { IdTagInfo = reply is AuthorizationReply ? IdTagInfo(reply) : null }));
        }

        if (call.TryRead(V16Actions.MeterValues, out var meter))
        {
            var samples = Samples(meter.MeterValue);
            return new InboundMessage(
                new MeterValuesReported(charger, ConnectorRef.Ocpp16(meter.ConnectorId), meter.TransactionId, samples),
                samples.Count > 0 ? samples.Min(s => s.Timestamp) : now,
                _ => RpcReply.Result(V16Actions.MeterValues, new MeterValuesResponse()));
        }

        if (call.TryRead(V16Actions.DataTransfer, out var transfer))
        {
            return new InboundMessage(
                new DataTransferReceived(charger, transfer.VendorId, transfer.MessageId, transfer.Data),
                now,
                reply => RpcReply.Result(V16Actions.DataTransfer, new DataTransferResponse
                {
                    Status = reply is DataTransferReply answer ? DataTransfer(answer.Status) : DataTransferStatus.Rejected,
                }));
        }

        if (call.TryRead(V16Actions.SecurityEventNotification, out var security))
        {
            return new InboundMessage(
                new SecurityEventReported(charger, security.Type, security.Timestamp, security.TechInfo),
                now,
                _ => RpcReply.Result(V16Actions.SecurityEventNotification, new SecurityEventNotificationResponse()));
        }

        if (call.TryRead(V16Actions.FirmwareStatusNotification, out var firmware))
        {
            return Transfer(charger, FileTransferKind.Firmware, call.Action, WireNames.Of(firmware.Status), null, now);
        }

        if (call.TryRead(V16Actions.SignedFirmwareStatusNotification, out var signedFirmware))
        {
            return Transfer(charger, FileTransferKind.Firmware, call.Action, WireNames.Of(signedFirmware.Status), signedFirmware.RequestId, now);
        }

        if (call.TryRead(V16Actions.DiagnosticsStatusNotification, out var diagnostics))
        {
            return Transfer(charger, FileTransferKind.Log, call.Action, WireNames.Of(diagnostics.Status), null, now);
        }

        if (call.TryRead(V16Actions.LogStatusNotification, out var log))
        {
            return Transfer(charger, FileTransferKind.Log, call.Action, WireNames.Of(log.Status), log.RequestId, now);
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

    /// <summary>A firmware or log status notification (no timestamp in the message: the time it came); its answer is an empty object.</summary>
    private static InboundMessage Transfer(ChargerId charger, FileTransferKind kind, string action, string status, int? requestId, DateTimeOffset now) =>
        new(new FileTransferStatusReported(charger, kind, action, status, requestId), now, _ => RpcReply.Result(InboundMessage.EmptyObject));

    /// <summary>1.6 sampled values in base units. Values that are not numbers (SignedData) stay in the message log only.</summary>
    public static IReadOnlyList<MeterSample> Samples(IReadOnlyList<MeterValue> meterValues)
    {
        var samples = new List<MeterSample>();
        foreach (var meterValue in meterValues)
        {
            foreach (var sampled in meterValue.SampledValue)
            {
                if (sampled.Format == ValueFormat.SignedData || Number(sampled.Value) is not { } value)
                {
                    continue;
                }

                var measurand = WireNames.Of(sampled.Measurand) ?? MeterSample.DefaultMeasurand;
                var (converted, unit) = MeterUnits.ToBase(value, WireNames.Of(sampled.Unit), measurand);
                samples.Add(new MeterSample(
                    meterValue.Timestamp, measurand, converted, unit,
                    WireNames.Of(sampled.Phase), WireNames.Of(sampled.Location), WireNames.Of(sampled.Context)));
            }
        }

        return samples;
    }

    /// <summary>
    /// A 1.6 sampled value (a string). A number beyond decimal's range ("1e300") becomes the out-of-range
    /// marker the engine leaves out and flags; text that is no number at all stays in the message log only.
    /// </summary>
    private static decimal? Number(string text)
    {
        if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsNaN(number)
            ? MeterUnits.OutOfRange(number < 0)
            : null;
    }

    private static ConnectorStatus Status(ChargePointStatus status) => status switch
    {
        ChargePointStatus.Available => ConnectorStatus.Available,
        ChargePointStatus.Preparing => ConnectorStatus.Preparing,
        ChargePointStatus.Charging => ConnectorStatus.Charging,
        ChargePointStatus.SuspendedEVSE => ConnectorStatus.SuspendedEVSE,
        ChargePointStatus.SuspendedEV => ConnectorStatus.SuspendedEV,
        ChargePointStatus.Finishing => ConnectorStatus.Finishing,
        ChargePointStatus.Reserved => ConnectorStatus.Reserved,
        ChargePointStatus.Unavailable => ConnectorStatus.Unavailable,
        _ => ConnectorStatus.Faulted,
    };

    private static DataTransferStatus DataTransfer(Core.Engine.DataTransferStatus status) => status switch
    {
        Core.Engine.DataTransferStatus.Accepted => DataTransferStatus.Accepted,
        Core.Engine.DataTransferStatus.UnknownMessageId => DataTransferStatus.UnknownMessageId,
        Core.Engine.DataTransferStatus.UnknownVendorId => DataTransferStatus.UnknownVendorId,
        _ => DataTransferStatus.Rejected,
    };

    private static IdTagInfo IdTagInfo(Reply reply) => new()
    {
        Status = reply is AuthorizationReply answer ? Authorization(answer.Status) : V16.AuthorizationStatus.Invalid,
    };

    /// <summary>1.6 has no "Unknown": a token nobody knows is Invalid.</summary>
    private static V16.AuthorizationStatus Authorization(CoreAuthorization status) => status switch
    {
        CoreAuthorization.Accepted => V16.AuthorizationStatus.Accepted,
        CoreAuthorization.Blocked => V16.AuthorizationStatus.Blocked,
        CoreAuthorization.Expired => V16.AuthorizationStatus.Expired,
        CoreAuthorization.ConcurrentTx => V16.AuthorizationStatus.ConcurrentTx,
        _ => V16.AuthorizationStatus.Invalid,
    };
}
