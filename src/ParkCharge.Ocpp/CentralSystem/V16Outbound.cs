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
            default:
                return new CommandCallResult.Refused($"{c.Type} has no OCPP 1.6 call");
        }
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
