using ParkCharge.Core.Commands;
using ParkCharge.Ocpp.V21;

using CoreAvailability = ParkCharge.Core.Commands.Availability;
using CoreRateUnit = ParkCharge.Core.Commands.ChargingRateUnit;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>
/// Commands as OCPP 2.0.1 and 2.1 CALLs, written as 2.1's records (which hold every 2.0.1 message), and
/// which of the charger's answers count as yes.
/// </summary>
public static class V2Outbound
{
    public static CommandCallResult Map(ChargerCommand c)
    {
        switch (c.Type)
        {
            case CommandType.RemoteStart:
                if (c.IdToken is not { } token)
                {
                    return CommandCalls.Missing(c, "id token");
                }

                return c.RemoteStartId is not { } remoteStartId
                    ? CommandCalls.Missing(c, "remote start id")
                    : CommandCallResult.Of(V21Actions.RequestStartTransaction,
                        new RequestStartTransactionRequest
                        {
                            EvseId = c.Outlet,
                            RemoteStartId = remoteStartId,
                            IdToken = new IdTokenType { IdToken = token.Value, Type = TokenType(token.Type) },
                        },
                        r => new CommandAnswer(r.Status == RequestStartStopStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo), r.TransactionId));
            case CommandType.RemoteStop:
                return c.TransactionId is not { } transactionId
                    ? CommandCalls.Missing(c, "transaction id")
                    : CommandCallResult.Of(V21Actions.RequestStopTransaction,
                        new RequestStopTransactionRequest { TransactionId = transactionId },
                        r => new CommandAnswer(r.Status == RequestStartStopStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.SetChargingLimit:
                if (c.Profile is not { } profile)
                {
                    return CommandCalls.Missing(c, "charging profile");
                }

                return profile.Scope == ChargingLimitScope.Transaction && profile.TransactionId is null
                    ? CommandCalls.Missing(c, "transaction id")
                    : CommandCallResult.Of(V21Actions.SetChargingProfile,
                        new SetChargingProfileRequest { EvseId = c.Outlet ?? 0, ChargingProfile = Profile(profile) },
                        r => new CommandAnswer(r.Status == ChargingProfileStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.ClearChargingLimit:
                return CommandCallResult.Of(V21Actions.ClearChargingProfile,
                    new ClearChargingProfileRequest { ChargingProfileId = c.ProfileId },
                    r => new CommandAnswer(r.Status == ClearChargingProfileStatusEnumType.Accepted, r.Status.ToString(),
                        Info(r.StatusInfo) ?? (r.Status == ClearChargingProfileStatusEnumType.Unknown ? "the charger has no such profile" : null)));
            case CommandType.UnlockConnector:
                return c.Outlet is not { } evse
                    ? CommandCalls.Missing(c, "EVSE")
                    : CommandCallResult.Of(V21Actions.UnlockConnector,
                        new UnlockConnectorRequest { EvseId = evse, ConnectorId = c.EvseConnector ?? 1 },
                        r => new CommandAnswer(r.Status == UnlockStatusEnumType.Unlocked, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.Reset:
                return c.Reset is not { } reset
                    ? CommandCalls.Missing(c, "reset kind")
                    : CommandCallResult.Of(V21Actions.Reset,
                        new ResetRequest { Type = reset == ResetKind.Hard ? ResetEnumType.Immediate : ResetEnumType.OnIdle, EvseId = c.Outlet },
                        r => new CommandAnswer(r.Status != ResetStatusEnumType.Rejected, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.ChangeAvailability:
                return c.Availability is not { } availability
                    ? CommandCalls.Missing(c, "availability")
                    : CommandCallResult.Of(V21Actions.ChangeAvailability,
                        new ChangeAvailabilityRequest
                        {
                            Evse = c.Outlet is { } outlet ? new EVSEType { Id = outlet } : null,
                            OperationalStatus = availability == CoreAvailability.Operative ? OperationalStatusEnumType.Operative : OperationalStatusEnumType.Inoperative,
                        },
                        r => new CommandAnswer(r.Status != ChangeAvailabilityStatusEnumType.Rejected, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.TriggerMessage:
                return !Enum.TryParse<MessageTriggerEnumType>(c.RequestedMessage, ignoreCase: true, out var trigger) || !Enum.IsDefined(trigger)
                    ? new CommandCallResult.Refused($"OCPP 2.x cannot trigger '{c.RequestedMessage}' (it triggers {string.Join(", ", Enum.GetNames<MessageTriggerEnumType>())})")
                    : CommandCallResult.Of(V21Actions.TriggerMessage,
                        new TriggerMessageRequest { RequestedMessage = trigger, Evse = c.Outlet is { } triggered ? new EVSEType { Id = triggered, ConnectorId = c.EvseConnector } : null },
                        r => new CommandAnswer(r.Status == TriggerMessageStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.GetVariables:
                return CommandCallResult.Of(V21Actions.GetVariables,
                    new GetVariablesRequest { GetVariableData = [.. c.Variables.Select(v => new GetVariableDataType { Component = Component(v), Variable = Variable(v), AttributeType = Attribute(v) })] },
                    r => new CommandAnswer(true, "Accepted", null, null,
                        [
                            .. r.GetVariableResult.Select(v => Result(v.Component, v.Variable, v.AttributeType) with
                            {
                                Status = v.AttributeStatus.ToString(),
                                Value = v.AttributeValue,
                                Detail = Info(v.AttributeStatusInfo),
                            }),
                        ]));
            case CommandType.SetVariables:
                return CommandCallResult.Of(V21Actions.SetVariables,
                    new SetVariablesRequest
                    {
                        SetVariableData = [.. c.Variables.Select(v => new SetVariableDataType { Component = Component(v), Variable = Variable(v), AttributeType = Attribute(v), AttributeValue = v.Value ?? "" })],
                    },
                    r =>
                    {
                        var results = r.SetVariableResult.Select(v => Result(v.Component, v.Variable, v.AttributeType) with { Status = v.AttributeStatus.ToString(), Detail = Info(v.AttributeStatusInfo) }).ToList();
                        var all = results.All(v => v.Status is nameof(SetVariableStatusEnumType.Accepted) or nameof(SetVariableStatusEnumType.RebootRequired));
                        var status = all ? (results.Any(v => v.Status == nameof(SetVariableStatusEnumType.RebootRequired)) ? "RebootRequired" : "Accepted") : "Rejected";
                        return new CommandAnswer(all, status, all ? null : $"{results.Count(v => v.Status is not (nameof(SetVariableStatusEnumType.Accepted) or nameof(SetVariableStatusEnumType.RebootRequired)))} of {results.Count} not set", null, results);
                    });
            case CommandType.UpdateFirmware:
                if (c.Firmware is not { Location: { } location } firmware)
                {
                    return CommandCalls.Missing(c, "firmware location");
                }

                return c.RequestId is not { } firmwareRequest
                    ? CommandCalls.Missing(c, "request id")
                    : CommandCallResult.Of(V21Actions.UpdateFirmware,
                        new UpdateFirmwareRequest
                        {
                            RequestId = firmwareRequest,
                            Retries = firmware.Retries,
                            RetryInterval = CommandCalls.Seconds(firmware.RetryInterval),
                            Firmware = new FirmwareType
                            {
                                Location = location,
                                RetrieveDateTime = firmware.RetrieveAt,
                                InstallDateTime = firmware.InstallAt,
                                SigningCertificate = firmware.SigningCertificate,
                                Signature = firmware.Signature,
                            },
                        },
                        r => new CommandAnswer(r.Status is UpdateFirmwareStatusEnumType.Accepted or UpdateFirmwareStatusEnumType.AcceptedCanceled, r.Status.ToString(),
                            Info(r.StatusInfo) ?? (r.Status == UpdateFirmwareStatusEnumType.AcceptedCanceled ? "accepted; the update under way before was cancelled" : null)));
            case CommandType.GetLog:
                if (c.Log is not { UploadLocation: { } upload } log)
                {
                    return CommandCalls.Missing(c, "upload location");
                }

                return c.RequestId is not { } logRequest
                    ? CommandCalls.Missing(c, "request id")
                    : CommandCallResult.Of(V21Actions.GetLog,
                        new GetLogRequest
                        {
                            LogType = log.Kind == LogKind.SecurityLog ? LogEnumType.SecurityLog : LogEnumType.DiagnosticsLog,
                            RequestId = logRequest,
                            Retries = log.Retries,
                            RetryInterval = CommandCalls.Seconds(log.RetryInterval),
                            Log = new LogParametersType { RemoteLocation = upload, OldestTimestamp = log.Oldest, LatestTimestamp = log.Latest },
                        },
                        r => new CommandAnswer(r.Status != LogStatusEnumType.Rejected, r.Status.ToString(), Info(r.StatusInfo), null, null, r.Filename));
            case CommandType.SendLocalList:
                return c.LocalList is not { } list
                    ? CommandCalls.Missing(c, "local list")
                    : CommandCallResult.Of(V21Actions.SendLocalList,
                        new SendLocalListRequest
                        {
                            VersionNumber = list.Version,
                            UpdateType = list.Full ? UpdateEnumType.Full : UpdateEnumType.Differential,
                            // An empty full list (every token taken off) is sent without the list: 2.x wants at least one entry when it is there.
                            LocalAuthorizationList = list.Entries.IsEmpty ? null : [.. list.Entries.Select(e => new AuthorizationData
                            {
                                IdToken = new IdTokenType { IdToken = e.IdToken, Type = TokenType(e.Type) },
                                IdTokenInfo = e.Remove ? null : new IdTokenInfoType { Status = AuthorizationStatusEnumType.Accepted },
                            })],
                        },
                        r => new CommandAnswer(r.Status == SendLocalListStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo)));
            case CommandType.GetLocalListVersion:
                return CommandCallResult.Of(V21Actions.GetLocalListVersion, new GetLocalListVersionRequest(),
                    r => new CommandAnswer(true, "Accepted", r.VersionNumber == 0 ? "the charger holds no local list" : $"version {r.VersionNumber}", ListVersion: r.VersionNumber));
            case CommandType.SetDefaultTariff:
                return c.Tariff is not { } tariff
                    ? CommandCalls.Missing(c, "tariff")
                    : CommandCallResult.Of(V21Actions.SetDefaultTariff,
                        new SetDefaultTariffRequest { EvseId = c.Outlet ?? 0, Tariff = V21Tariffs.Wire(tariff) },
                        // The id is versioned by content: a charger that holds it already holds this very tariff.
                        r => new CommandAnswer(r.Status is TariffSetStatusEnumType.Accepted or TariffSetStatusEnumType.DuplicateTariffId, r.Status.ToString(),
                            Info(r.StatusInfo) ?? (r.Status == TariffSetStatusEnumType.DuplicateTariffId ? "the charger holds this tariff already" : null)));
            case CommandType.GetTariffs:
                return CommandCallResult.Of(V21Actions.GetTariffs, new GetTariffsRequest { EvseId = c.Outlet ?? 0 },
                    r => new CommandAnswer(r.Status != TariffGetStatusEnumType.Rejected, r.Status.ToString(),
                        Info(r.StatusInfo) ?? (r.TariffAssignments is { Count: > 0 } held
                            ? string.Join("; ", held.Select(a => $"{a.TariffId} ({a.TariffKind}{(a.EvseIds is { Count: > 0 } evses ? $", EVSE {string.Join(", ", evses)}" : "")})"))
                            : "the charger holds no tariff")));
            case CommandType.ClearTariffs:
                return CommandCallResult.Of(V21Actions.ClearTariffs, new ClearTariffsRequest { EvseId = c.Outlet },
                    r => new CommandAnswer(r.ClearTariffsResult.All(t => t.Status != TariffClearStatusEnumType.Rejected), (r.ClearTariffsResult.Count > 0 ? r.ClearTariffsResult[0].Status.ToString() : "Accepted"),
                        string.Join("; ", r.ClearTariffsResult.Select(t => $"{t.TariffId ?? "all"}: {t.Status}{(Info(t.StatusInfo) is { } why ? $" ({why})" : "")}"))));
            case CommandType.CostUpdated:
                if (c.TransactionId is not { } costed)
                {
                    return CommandCalls.Missing(c, "transaction id");
                }

                return c.TotalCost is not { } total
                    ? CommandCalls.Missing(c, "total cost")
                    : CommandCallResult.Of(V21Actions.CostUpdated, new CostUpdatedRequest { TransactionId = costed, TotalCost = total },
                        _ => new CommandAnswer(true, "Accepted"));
            default:
                return new CommandCallResult.Refused($"{c.Type} has no OCPP 2.0.1 or 2.1 call");
        }
    }

    private static ComponentType Component(VariableRequest v) => new()
    {
        Name = v.Component ?? "",
        Instance = v.ComponentInstance,
        Evse = v.Evse is { } evse ? new EVSEType { Id = evse, ConnectorId = v.Connector } : null,
    };

    private static VariableType Variable(VariableRequest v) => new() { Name = v.Variable, Instance = v.VariableInstance };

    private static AttributeEnumType? Attribute(VariableRequest v) =>
        Enum.TryParse<AttributeEnumType>(v.AttributeType, ignoreCase: true, out var type) && Enum.IsDefined(type) ? type : null;

    private static VariableResult Result(ComponentType component, VariableType variable, AttributeEnumType? attribute) => new()
    {
        Component = component.Name,
        ComponentInstance = component.Instance,
        Evse = component.Evse?.Id,
        Connector = component.Evse?.ConnectorId,
        Variable = variable.Name,
        VariableInstance = variable.Instance,
        AttributeType = attribute?.ToString(),
        Status = "",
    };

    /// <summary>
    /// One period from the start, Absolute from the moment the command was asked for (Relative is not
    /// allowed for the charging station maximum in 2.0.1 and 2.1).
    /// </summary>
    private static ChargingProfileType Profile(ChargingProfileSpec p) => new()
    {
        Id = p.ProfileId,
        StackLevel = p.StackLevel,
        ChargingProfilePurpose = p.Scope switch
        {
            ChargingLimitScope.Charger => ChargingProfilePurposeEnumType.ChargingStationMaxProfile,
            ChargingLimitScope.Connector => ChargingProfilePurposeEnumType.TxDefaultProfile,
            _ => ChargingProfilePurposeEnumType.TxProfile,
        },
        ChargingProfileKind = ChargingProfileKindEnumType.Absolute,
        TransactionId = p.Scope == ChargingLimitScope.Transaction ? p.TransactionId : null,
        ChargingSchedule =
        [
            new ChargingScheduleType
            {
                Id = 1,
                StartSchedule = p.StartSchedule,
                ChargingRateUnit = p.Limit.Unit == CoreRateUnit.A ? ChargingRateUnitEnumType.A : ChargingRateUnitEnumType.W,
                ChargingSchedulePeriod = [new ChargingSchedulePeriodType { StartPeriod = 0, Limit = p.Limit.Value, NumberPhases = p.Limit.Phases }],
            },
        ],
    };

    /// <summary>
    /// The token type as 2.0.1 spells it (2.1 takes the same names as strings): a known name in any
    /// case, otherwise Central, the type of a token the central system made up.
    /// </summary>
    private static string TokenType(string? type) =>
        TokenTypes.FirstOrDefault(known => string.Equals(known, type, StringComparison.OrdinalIgnoreCase)) ?? "Central";

    /// <summary>2.0.1's IdTokenEnumType, as its schema spells the values.</summary>
    private static readonly string[] TokenTypes = [.. Enum.GetValues<V201.IdTokenEnumType>().Select(static t => WireNames.Of(t))];

    private static string? Info(StatusInfoType? info) =>
        info is null ? null : info.AdditionalInfo is { } more ? $"{info.ReasonCode}: {more}" : info.ReasonCode;
}
