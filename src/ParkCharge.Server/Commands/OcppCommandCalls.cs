using System.Globalization;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Commands;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Rpc;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Commands;

/// <summary>How a command's CALL ended, in the engine's terms.</summary>
/// <param name="TransactionId">2.0.1/2.1 RequestStartTransaction: the transaction the charger had already started.</param>
public sealed record CallResult(CommandStatus Status, string? Response, string? Detail, string? TransactionId = null);

/// <summary>
/// A command as the OCPP CALL of the charger's version: which action, which fields, and which of the
/// charger's answers count as yes. 1.6 and 2.x side by side, so that a reader sees the mapping at once;
/// 2.0.1 and 2.1 chargers get the same calls, written as 2.1's records (the connection checks each
/// against the schema of the version it speaks; see <see cref="OcppMessageFamily"/>).
/// </summary>
internal static class OcppCommandCalls
{
    public static Task<CallResult> CallAsync(RpcConnection rpc, ChargerCommand command, CancellationToken ct) =>
        rpc.Version == OcppVersion.Ocpp16 ? Call16Async(rpc, command, ct) : Call2Async(rpc, command, ct);

    private static Task<CallResult> Call16Async(RpcConnection rpc, ChargerCommand c, CancellationToken ct) => c.Type switch
    {
        CommandType.RemoteStart => CallAsync(rpc, V16.V16Actions.RemoteStartTransaction,
            new V16.RemoteStartTransactionRequest { ConnectorId = c.Outlet, IdTag = c.IdToken!.Value },
            r => (r.Status == V16.RemoteStartStopStatus.Accepted, r.Status.ToString(), null, null), ct),
        CommandType.RemoteStop => CallAsync(rpc, V16.V16Actions.RemoteStopTransaction,
            new V16.RemoteStopTransactionRequest { TransactionId = int.Parse(c.TransactionId!, CultureInfo.InvariantCulture) },
            r => (r.Status == V16.RemoteStartStopStatus.Accepted, r.Status.ToString(), null, null), ct),
        CommandType.SetChargingLimit => CallAsync(rpc, V16.V16Actions.SetChargingProfile,
            new V16.SetChargingProfileRequest { ConnectorId = c.Outlet ?? 0, CsChargingProfiles = Profile16(c.Profile!) },
            r => (r.Status == V16.ChargingProfileStatus.Accepted, r.Status.ToString(), null, null), ct),
        CommandType.ClearChargingLimit => CallAsync(rpc, V16.V16Actions.ClearChargingProfile,
            new V16.ClearChargingProfileRequest { Id = c.ProfileId },
            r => (r.Status == V16.ClearChargingProfileStatus.Accepted, r.Status.ToString(), r.Status == V16.ClearChargingProfileStatus.Unknown ? "the charger has no such profile" : null, null), ct),
        CommandType.UnlockConnector => CallAsync(rpc, V16.V16Actions.UnlockConnector,
            new V16.UnlockConnectorRequest { ConnectorId = c.Outlet!.Value },
            r => (r.Status == V16.UnlockStatus.Unlocked, r.Status.ToString(), null, null), ct),
        CommandType.Reset => CallAsync(rpc, V16.V16Actions.Reset,
            new V16.ResetRequest { Type = c.Reset == ResetKind.Hard ? V16.ResetType.Hard : V16.ResetType.Soft },
            r => (r.Status == V16.ResetStatus.Accepted, r.Status.ToString(), null, null), ct),
        CommandType.ChangeAvailability => CallAsync(rpc, V16.V16Actions.ChangeAvailability,
            new V16.ChangeAvailabilityRequest { ConnectorId = c.Outlet ?? 0, Type = c.Availability == Availability.Operative ? V16.AvailabilityType.Operative : V16.AvailabilityType.Inoperative },
            r => (r.Status != V16.AvailabilityStatus.Rejected, r.Status.ToString(), r.Status == V16.AvailabilityStatus.Scheduled ? "scheduled: after the running transaction ends" : null, null), ct),
        _ => Task.FromResult(new CallResult(CommandStatus.Failed, null, $"{c.Type} has no OCPP 1.6 call")),
    };

    private static Task<CallResult> Call2Async(RpcConnection rpc, ChargerCommand c, CancellationToken ct) => c.Type switch
    {
        CommandType.RemoteStart => CallAsync(rpc, V21.V21Actions.RequestStartTransaction,
            new V21.RequestStartTransactionRequest
            {
                EvseId = c.Outlet,
                RemoteStartId = c.RemoteStartId!.Value,
                IdToken = new V21.IdTokenType { IdToken = c.IdToken!.Value, Type = TokenType(c.IdToken.Type) },
            },
            r => (r.Status == V21.RequestStartStopStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo), r.TransactionId), ct),
        CommandType.RemoteStop => CallAsync(rpc, V21.V21Actions.RequestStopTransaction,
            new V21.RequestStopTransactionRequest { TransactionId = c.TransactionId! },
            r => (r.Status == V21.RequestStartStopStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo), null), ct),
        CommandType.SetChargingLimit => CallAsync(rpc, V21.V21Actions.SetChargingProfile,
            new V21.SetChargingProfileRequest { EvseId = c.Outlet ?? 0, ChargingProfile = Profile2(c.Profile!) },
            r => (r.Status == V21.ChargingProfileStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo), null), ct),
        CommandType.ClearChargingLimit => CallAsync(rpc, V21.V21Actions.ClearChargingProfile,
            new V21.ClearChargingProfileRequest { ChargingProfileId = c.ProfileId },
            r => (r.Status == V21.ClearChargingProfileStatusEnumType.Accepted, r.Status.ToString(), Info(r.StatusInfo) ?? (r.Status == V21.ClearChargingProfileStatusEnumType.Unknown ? "the charger has no such profile" : null), null), ct),
        CommandType.UnlockConnector => CallAsync(rpc, V21.V21Actions.UnlockConnector,
            new V21.UnlockConnectorRequest { EvseId = c.Outlet!.Value, ConnectorId = c.EvseConnector ?? 1 },
            r => (r.Status == V21.UnlockStatusEnumType.Unlocked, r.Status.ToString(), Info(r.StatusInfo), null), ct),
        CommandType.Reset => CallAsync(rpc, V21.V21Actions.Reset,
            new V21.ResetRequest { Type = c.Reset == ResetKind.Hard ? V21.ResetEnumType.Immediate : V21.ResetEnumType.OnIdle, EvseId = c.Outlet },
            r => (r.Status != V21.ResetStatusEnumType.Rejected, r.Status.ToString(), Info(r.StatusInfo), null), ct),
        CommandType.ChangeAvailability => CallAsync(rpc, V21.V21Actions.ChangeAvailability,
            new V21.ChangeAvailabilityRequest
            {
                Evse = c.Outlet is { } evse ? new V21.EVSEType { Id = evse } : null,
                OperationalStatus = c.Availability == Availability.Operative ? V21.OperationalStatusEnumType.Operative : V21.OperationalStatusEnumType.Inoperative,
            },
            r => (r.Status != V21.ChangeAvailabilityStatusEnumType.Rejected, r.Status.ToString(), Info(r.StatusInfo), null), ct),
        _ => Task.FromResult(new CallResult(CommandStatus.Failed, null, $"{c.Type} has no OCPP {rpc.Version.Label()} call")),
    };

    /// <summary>One CALL and how it ended: the charger's yes or no, a CALLERROR, no answer, or a lost connection.</summary>
    private static async Task<CallResult> CallAsync<TRequest, TResponse>(
        RpcConnection rpc,
        OcppAction<TRequest, TResponse> action,
        TRequest request,
        Func<TResponse, (bool Accepted, string Status, string? Detail, string? TransactionId)> read,
        CancellationToken ct)
    {
        var outcome = await rpc.CallAsync(action, request, ct);
        switch (outcome.Status)
        {
            case RpcCallStatus.Completed:
                var (accepted, status, detail, transactionId) = read(outcome.Response!);
                return new CallResult(accepted ? CommandStatus.Accepted : CommandStatus.Rejected, status, detail, transactionId);
            case RpcCallStatus.Rejected:
                return new CallResult(CommandStatus.Rejected, outcome.Rejection!.ErrorCode, $"CALLERROR {outcome.Rejection.ErrorCode}: {outcome.Rejection.Description}".TrimEnd(' ', ':'));
            case RpcCallStatus.TimedOut:
                return new CallResult(CommandStatus.TimedOut, null, $"no answer to {action.Name} within the call timeout; the charger may or may not have acted");
            case RpcCallStatus.InvalidResponse:
                return new CallResult(CommandStatus.Failed, null, $"the answer to {action.Name} broke the OCPP schema: {outcome.Problem}");
            case RpcCallStatus.InvalidRequest:
                return new CallResult(CommandStatus.Failed, null, $"not sent: {outcome.Problem}");
            default:
                return new CallResult(CommandStatus.Offline, null, "the connection closed before the charger answered; it may or may not have acted");
        }
    }

    /// <summary>
    /// One period from the start, Absolute from the moment the command was asked for (valid for every
    /// purpose in every version; Relative is not allowed for the charger maximum in 2.0.1 and 2.1).
    /// </summary>
    private static V16.ChargingProfile Profile16(ChargingProfileSpec p) => new()
    {
        ChargingProfileId = p.ProfileId,
        StackLevel = p.StackLevel,
        ChargingProfilePurpose = p.Scope switch
        {
            ChargingLimitScope.Charger => V16.ChargingProfilePurposeType.ChargePointMaxProfile,
            ChargingLimitScope.Connector => V16.ChargingProfilePurposeType.TxDefaultProfile,
            _ => V16.ChargingProfilePurposeType.TxProfile,
        },
        ChargingProfileKind = V16.ChargingProfileKindType.Absolute,
        TransactionId = p.Scope == ChargingLimitScope.Transaction ? int.Parse(p.TransactionId!, CultureInfo.InvariantCulture) : null,
        ChargingSchedule = new V16.ChargingSchedule
        {
            StartSchedule = p.StartSchedule,
            ChargingRateUnit = p.Limit.Unit == ChargingRateUnit.A ? V16.ChargingRateUnitType.A : V16.ChargingRateUnitType.W,
            ChargingSchedulePeriod = [new V16.ChargingSchedulePeriod { StartPeriod = 0, Limit = p.Limit.Value, NumberPhases = p.Limit.Phases }],
        },
    };

    private static V21.ChargingProfileType Profile2(ChargingProfileSpec p) => new()
    {
        Id = p.ProfileId,
        StackLevel = p.StackLevel,
        ChargingProfilePurpose = p.Scope switch
        {
            ChargingLimitScope.Charger => V21.ChargingProfilePurposeEnumType.ChargingStationMaxProfile,
            ChargingLimitScope.Connector => V21.ChargingProfilePurposeEnumType.TxDefaultProfile,
            _ => V21.ChargingProfilePurposeEnumType.TxProfile,
        },
        ChargingProfileKind = V21.ChargingProfileKindEnumType.Absolute,
        TransactionId = p.Scope == ChargingLimitScope.Transaction ? p.TransactionId : null,
        ChargingSchedule =
        [
            new V21.ChargingScheduleType
            {
                Id = 1,
                StartSchedule = p.StartSchedule,
                ChargingRateUnit = p.Limit.Unit == ChargingRateUnit.A ? V21.ChargingRateUnitEnumType.A : V21.ChargingRateUnitEnumType.W,
                ChargingSchedulePeriod = [new V21.ChargingSchedulePeriodType { StartPeriod = 0, Limit = p.Limit.Value, NumberPhases = p.Limit.Phases }],
            },
        ],
    };

    /// <summary>
    /// The token type as 2.0.1 spells it (2.1 takes the same names as strings): a known name in any
    /// case, otherwise Central, the type of a token the central system made up.
    /// </summary>
    private static string TokenType(string? type) =>
        s_tokenTypes.FirstOrDefault(known => string.Equals(known, type, StringComparison.OrdinalIgnoreCase)) ?? "Central";

    /// <summary>2.0.1's IdTokenEnumType, as its schema spells the values.</summary>
    private static readonly string[] s_tokenTypes = [.. Enum.GetValues<ParkCharge.Ocpp.V201.IdTokenEnumType>().Select(static t => WireNames.Of(t))];

    private static string? Info(V21.StatusInfoType? info) =>
        info is null ? null : info.AdditionalInfo is { } more ? $"{info.ReasonCode}: {more}" : info.ReasonCode;
}
