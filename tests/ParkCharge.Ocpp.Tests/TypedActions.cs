using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Tests;

/// <summary>The actions this library types, per version, as the design asks for them (charger to server, then server to charger).</summary>
internal static class TypedActions
{
    public static readonly string[] Ocpp16 =
    [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "MeterValues", "StopTransaction", "DataTransfer",
        "RemoteStartTransaction", "RemoteStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "GetConfiguration",
        "ChangeConfiguration", "TriggerMessage", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
    ];

    public static readonly string[] Ocpp201 =
    [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent", "MeterValues", "NotifyEvent", "DataTransfer",
        "RequestStartTransaction", "RequestStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "TriggerMessage",
        "GetVariables", "SetVariables", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
    ];

    public static IEnumerable<(OcppVersion Version, string Action)> All =>
        Ocpp16.Select(a => (OcppVersion.Ocpp16, a)).Concat(Ocpp201.Select(a => (OcppVersion.Ocpp201, a)));
}
