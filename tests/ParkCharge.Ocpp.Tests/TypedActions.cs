using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests;

/// <summary>The actions this library types, per version, as the design asks for them (charger to server, then server to charger).</summary>
internal static class TypedActions
{
    public static readonly string[] Ocpp16 =
    [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "StartTransaction", "MeterValues", "StopTransaction", "DataTransfer",
        "SecurityEventNotification", "SignCertificate",
        "FirmwareStatusNotification", "DiagnosticsStatusNotification", "LogStatusNotification", "SignedFirmwareStatusNotification",
        "RemoteStartTransaction", "RemoteStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "GetConfiguration",
        "ChangeConfiguration", "TriggerMessage", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
        "CertificateSigned", "ExtendedTriggerMessage",
        "UpdateFirmware", "GetDiagnostics", "SendLocalList", "GetLocalListVersion", "GetLog", "SignedUpdateFirmware",
    ];

    public static readonly string[] Ocpp201 =
    [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent", "MeterValues", "NotifyEvent", "DataTransfer",
        "RequestStartTransaction", "RequestStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "TriggerMessage",
        "GetVariables", "SetVariables", "SetChargingProfile", "ClearChargingProfile", "GetCompositeSchedule",
    ];

    /// <summary>2.1 types every message of its schema file, CALLs and SENDs alike, alphabetically.</summary>
    public static readonly string[] Ocpp21 =
        [.. OcppSchemas.For(OcppVersion.Ocpp21).Actions.Concat(OcppSchemas.For(OcppVersion.Ocpp21).SendActions).Order(StringComparer.Ordinal)];

    /// <summary>The 2.1 messages ParkCharge exchanges with chargers today: each has a hand-written example.</summary>
    public static readonly string[] Ocpp21Exchanged =
    [
        "BootNotification", "Heartbeat", "StatusNotification", "Authorize", "TransactionEvent", "MeterValues", "NotifyEvent", "DataTransfer",
        "SecurityEventNotification", "SignCertificate", "NotifyPeriodicEventStream",
        "RequestStartTransaction", "RequestStopTransaction", "ChangeAvailability", "Reset", "UnlockConnector", "TriggerMessage",
        "SetChargingProfile", "ClearChargingProfile", "CertificateSigned",
    ];

    /// <summary>Every catalogued action of every version.</summary>
    public static IEnumerable<OcppAction> Catalogued => V16.V16Actions.All.Concat(V201.V201Actions.All).Concat(V21.V21Actions.All);

    /// <summary>The actions with a hand-written example: all typed 1.6 and 2.0.1 actions, and the 2.1 ones ParkCharge exchanges.</summary>
    public static IEnumerable<(OcppVersion Version, string Action)> WithExamples =>
        Ocpp16.Select(a => (OcppVersion.Ocpp16, a))
            .Concat(Ocpp201.Select(a => (OcppVersion.Ocpp201, a)))
            .Concat(Ocpp21Exchanged.Select(a => (OcppVersion.Ocpp21, a)));
}
