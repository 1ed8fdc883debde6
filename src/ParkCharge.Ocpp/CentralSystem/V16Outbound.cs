using System.Globalization;

using ParkCharge.Core.Commands;
using ParkCharge.Ocpp.V16;

using CoreAvailability = ParkCharge.Core.Commands.Availability;
using CoreRateUnit = ParkCharge.Core.Commands.ChargingRateUnit;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>Commands as OCPP 1.6 CALLs, and which of the charger's answers count as yes.</summary>
public static class V16Outbound
{
    public static CommandCallResult Map(ChargerCommand c)
    {
        switch (c.Type)
        {
            case CommandType.RemoteStart:
                return c.IdToken is not { } token
                    ? CommandCalls.Missing(c, "id token")
                    : CommandCallResult.Of(V16Actions.RemoteStartTransaction,
                        new RemoteStartTransactionRequest { ConnectorId = c.Outlet, IdTag = token.Value },
                        r => new CommandAnswer(r.Status == RemoteStartStopStatus.Accepted, r.Status.ToString()));
            case CommandType.RemoteStop:
                return TransactionId(c.TransactionId) is not { } transactionId
                    ? Refused(c, c.TransactionId)
                    : CommandCallResult.Of(V16Actions.RemoteStopTransaction,
                        new RemoteStopTransactionRequest { TransactionId = transactionId },
                        r => new CommandAnswer(r.Status == RemoteStartStopStatus.Accepted, r.Status.ToString()));
            case CommandType.SetChargingLimit:
                if (c.Profile is not { } profile)
                {
                    return CommandCalls.Missing(c, "charging profile");
                }

                int? profileTransaction = null;
                if (profile.Scope == ChargingLimitScope.Transaction && (profileTransaction = TransactionId(profile.TransactionId)) is null)
                {
                    return Refused(c, profile.TransactionId);
                }

                return CommandCallResult.Of(V16Actions.SetChargingProfile,
                    new SetChargingProfileRequest { ConnectorId = c.Outlet ?? 0, CsChargingProfiles = Profile(profile, profileTransaction) },
                    r => new CommandAnswer(r.Status == ChargingProfileStatus.Accepted, r.Status.ToString()));
            case CommandType.ClearChargingLimit:
                return CommandCallResult.Of(V16Actions.ClearChargingProfile,
                    new ClearChargingProfileRequest { Id = c.ProfileId },
                    r => new CommandAnswer(r.Status == ClearChargingProfileStatus.Accepted, r.Status.ToString(),
                        r.Status == ClearChargingProfileStatus.Unknown ? "the charger has no such profile" : null));
            case CommandType.UnlockConnector:
                return c.Outlet is not { } connector
                    ? CommandCalls.Missing(c, "connector")
                    : CommandCallResult.Of(V16Actions.UnlockConnector,
                        new UnlockConnectorRequest { ConnectorId = connector },
                        r => new CommandAnswer(r.Status == UnlockStatus.Unlocked, r.Status.ToString()));
            case CommandType.Reset:
                return c.Reset is not { } reset
                    ? CommandCalls.Missing(c, "reset kind")
                    : CommandCallResult.Of(V16Actions.Reset,
                        new ResetRequest { Type = reset == ResetKind.Hard ? ResetType.Hard : ResetType.Soft },
                        r => new CommandAnswer(r.Status == ResetStatus.Accepted, r.Status.ToString()));
            case CommandType.ChangeAvailability:
                return c.Availability is not { } availability
                    ? CommandCalls.Missing(c, "availability")
                    : CommandCallResult.Of(V16Actions.ChangeAvailability,
                        new ChangeAvailabilityRequest { ConnectorId = c.Outlet ?? 0, Type = availability == CoreAvailability.Operative ? AvailabilityType.Operative : AvailabilityType.Inoperative },
                        r => new CommandAnswer(r.Status != AvailabilityStatus.Rejected, r.Status.ToString(),
                            r.Status == AvailabilityStatus.Scheduled ? "scheduled: after the running transaction ends" : null));
            case CommandType.TriggerMessage:
                return Trigger(c);
            case CommandType.GetVariables:
                return CommandCallResult.Of(V16Actions.GetConfiguration,
                    new GetConfigurationRequest { Key = [.. c.Variables.Select(v => v.Variable)] },
                    r => new CommandAnswer(true, "Accepted", null, null,
                        [
                            .. (r.ConfigurationKey ?? []).Select(k => new VariableResult { Variable = k.Key, Status = "Accepted", Value = k.Value, ReadOnly = k.Readonly }),
                            .. (r.UnknownKey ?? []).Select(k => new VariableResult { Variable = k, Status = "UnknownKey" }),
                        ]));
            case CommandType.SetVariables:
                return c.Variables is not [{ Value: { } value } variable]
                    ? CommandCalls.Missing(c, "single configuration key with a value")
                    : CommandCallResult.Of(V16Actions.ChangeConfiguration,
                        new ChangeConfigurationRequest { Key = variable.Variable, Value = value },
                        r => new CommandAnswer(r.Status is ConfigurationStatus.Accepted or ConfigurationStatus.RebootRequired, r.Status.ToString(),
                            r.Status == ConfigurationStatus.RebootRequired ? "the change takes effect after a reboot" : null, null,
                            [new VariableResult { Variable = variable.Variable, Status = r.Status.ToString(), Value = value }]));
            case CommandType.UpdateFirmware when c.Firmware is { Location: { } signedLocation, SigningCertificate: { } certificate, Signature: { } signature } signed:
                // Signed firmware is the security whitepaper's SignedUpdateFirmware.
                return c.RequestId is not { } requestIdOfSigned
                    ? CommandCalls.Missing(c, "request id")
                    : CommandCallResult.Of(V16Actions.SignedUpdateFirmware,
                        new SignedUpdateFirmwareRequest
                        {
                            RequestId = requestIdOfSigned,
                            Retries = signed.Retries,
                            RetryInterval = CommandCalls.Seconds(signed.RetryInterval),
                            Firmware = new FirmwareType
                            {
                                Location = signedLocation,
                                RetrieveDateTime = signed.RetrieveAt,
                                InstallDateTime = signed.InstallAt,
                                SigningCertificate = certificate,
                                Signature = signature,
                            },
                        },
                        r => new CommandAnswer(r.Status is UpdateFirmwareStatusEnumType.Accepted or UpdateFirmwareStatusEnumType.AcceptedCanceled, r.Status.ToString()));
            case CommandType.UpdateFirmware:
                return c.Firmware is not { Location: { } location } firmware
                    ? CommandCalls.Missing(c, "firmware location")
                    : CommandCallResult.Of(V16Actions.UpdateFirmware,
                        new UpdateFirmwareRequest { Location = location, RetrieveDate = firmware.RetrieveAt, Retries = firmware.Retries, RetryInterval = CommandCalls.Seconds(firmware.RetryInterval) },
                        _ => new CommandAnswer(true, "Accepted")); // 1.6 answers an empty object: its FirmwareStatusNotifications tell the rest
            case CommandType.GetLog:
                if (c.Log is not { UploadLocation: { } upload } log)
                {
                    return CommandCalls.Missing(c, "upload location");
                }

                // A diagnostics log is core 1.6's GetDiagnostics; a security log only the security whitepaper's GetLog has.
                return log.Kind == LogKind.DiagnosticsLog
                    ? CommandCallResult.Of(V16Actions.GetDiagnostics,
                        new GetDiagnosticsRequest { Location = upload, StartTime = log.Oldest, StopTime = log.Latest, Retries = log.Retries, RetryInterval = CommandCalls.Seconds(log.RetryInterval) },
                        r => new CommandAnswer(true, "Accepted", r.FileName is { Length: > 0 } ? null : "the charger has no diagnostics to upload", null, null, r.FileName ?? ""))
                    : c.RequestId is not { } requestId
                        ? CommandCalls.Missing(c, "request id")
                        : CommandCallResult.Of(V16Actions.GetLog,
                            new GetLogRequest
                            {
                                LogType = LogEnumType.SecurityLog,
                                RequestId = requestId,
                                Retries = log.Retries,
                                RetryInterval = CommandCalls.Seconds(log.RetryInterval),
                                Log = new LogParametersType { RemoteLocation = upload, OldestTimestamp = log.Oldest, LatestTimestamp = log.Latest },
                            },
                            r => new CommandAnswer(r.Status != LogStatusEnumType.Rejected, r.Status.ToString(), null, null, null, r.Filename));
            case CommandType.SendLocalList:
                return c.LocalList is not { } list
                    ? CommandCalls.Missing(c, "local list")
                    : CommandCallResult.Of(V16Actions.SendLocalList,
                        new SendLocalListRequest
                        {
                            ListVersion = list.Version,
                            UpdateType = list.Full ? UpdateType.Full : UpdateType.Differential,
                            LocalAuthorizationList = [.. list.Entries.Select(e => new AuthorizationData
                            {
                                IdTag = e.IdToken,
                                IdTagInfo = e.Remove ? null : new IdTagInfo { Status = AuthorizationStatus.Accepted },
                            })],
                        },
                        r => new CommandAnswer(r.Status == UpdateStatus.Accepted, r.Status.ToString()));
            case CommandType.GetLocalListVersion:
                return CommandCallResult.Of(V16Actions.GetLocalListVersion, new GetLocalListVersionRequest(),
                    r => new CommandAnswer(true, "Accepted", r.ListVersion switch { -1 => "the charger has no local list support", 0 => "the charger holds no local list", var v => $"version {v}" },
                        ListVersion: r.ListVersion));
            default:
                return new CommandCallResult.Refused($"{c.Type} has no OCPP 1.6 call");
        }
    }

    /// <summary>
    /// Core 1.6's TriggerMessage for what it can ask; the security whitepaper's ExtendedTriggerMessage for a log status or a
    /// certificate signing request (SignCertificate, as 2.x calls it, is its SignChargePointCertificate).
    /// </summary>
    private static CommandCallResult Trigger(ChargerCommand c)
    {
        var asked = c.RequestedMessage ?? "";
        if (Enum.TryParse<MessageTrigger>(asked, ignoreCase: true, out var core) && Enum.IsDefined(core))
        {
            return CommandCallResult.Of(V16Actions.TriggerMessage,
                new TriggerMessageRequest { RequestedMessage = core, ConnectorId = c.Outlet },
                r => new CommandAnswer(r.Status == TriggerMessageStatus.Accepted, r.Status.ToString()));
        }

        if (string.Equals(asked, "SignCertificate", StringComparison.OrdinalIgnoreCase) || string.Equals(asked, "SignChargingStationCertificate", StringComparison.OrdinalIgnoreCase))
        {
            asked = nameof(MessageTriggerEnumType.SignChargePointCertificate);
        }

        return Enum.TryParse<MessageTriggerEnumType>(asked, ignoreCase: true, out var extended) && Enum.IsDefined(extended)
            ? CommandCallResult.Of(V16Actions.ExtendedTriggerMessage,
                new ExtendedTriggerMessageRequest { RequestedMessage = extended, ConnectorId = c.Outlet },
                r => new CommandAnswer(r.Status == TriggerMessageStatusEnumType.Accepted, r.Status.ToString()))
            : new CommandCallResult.Refused($"OCPP 1.6 cannot trigger '{c.RequestedMessage}' (it triggers {string.Join(", ", Enum.GetNames<MessageTrigger>())}, and with the security whitepaper LogStatusNotification and SignCertificate)");
    }

    /// <summary>1.6 transaction ids are integers the central system gave out; anything else names no 1.6 transaction.</summary>
    private static int? TransactionId(string? id) =>
        int.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static CommandCallResult.Refused Refused(ChargerCommand c, string? transactionId) =>
        transactionId is null
            ? CommandCalls.Missing(c, "transaction id")
            : new($"'{transactionId}' is not an OCPP 1.6 transaction id (an integer)");

    /// <summary>
    /// One period from the start, Absolute from the moment the command was asked for (valid for every
    /// purpose in every version; Relative is not allowed for the charger maximum in 2.0.1 and 2.1).
    /// </summary>
    private static ChargingProfile Profile(ChargingProfileSpec p, int? transactionId) => new()
    {
        ChargingProfileId = p.ProfileId,
        StackLevel = p.StackLevel,
        ChargingProfilePurpose = p.Scope switch
        {
            ChargingLimitScope.Charger => ChargingProfilePurposeType.ChargePointMaxProfile,
            ChargingLimitScope.Connector => ChargingProfilePurposeType.TxDefaultProfile,
            _ => ChargingProfilePurposeType.TxProfile,
        },
        ChargingProfileKind = ChargingProfileKindType.Absolute,
        TransactionId = transactionId,
        ChargingSchedule = new ChargingSchedule
        {
            StartSchedule = p.StartSchedule,
            ChargingRateUnit = p.Limit.Unit == CoreRateUnit.A ? ChargingRateUnitType.A : ChargingRateUnitType.W,
            ChargingSchedulePeriod = [new ChargingSchedulePeriod { StartPeriod = 0, Limit = p.Limit.Value, NumberPhases = p.Limit.Phases }],
        },
    };
}
