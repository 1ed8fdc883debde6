using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.Validation;

namespace ParkCharge.Ocpp.Tests.Validation;

/// <summary>
/// One hand-written invalid payload for every request and response of the 1.6 and 2.0.1 actions we
/// type and of the 2.1 messages ParkCharge exchanges: our validator names the expected keyword, code
/// and pointer, and JsonSchema.Net rejects it too. (The valid counterparts are the typed examples in
/// Messages/, serialized from the records.) Every other 2.1 message gets generated ones.
/// </summary>
public sealed class InvalidExamplesTests
{
    private const OcppVersion V16 = OcppVersion.Ocpp16;
    private const OcppVersion V201 = OcppVersion.Ocpp201;
    private const OcppVersion V21 = OcppVersion.Ocpp21;

    private const string Profile16 =
        """{"chargingProfileId":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16.05}]}}""";

    private const string Schedule201 = """{"id":1,"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0,"limit":16}]}""";

    public static TheoryData<OcppVersion, string, string, string?, RpcErrorCode, string> Examples => new()
    {
        // OCPP 1.6, charger to server
        { V16, "BootNotification.req", """{"chargePointVendor":"VendorX","chargePointModel":"ModelXXXXXXXXXXXXXXXXX"}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/chargePointModel" },
        { V16, "BootNotification.conf", """{"status":"Accepted","currentTime":"2024-05-01T10:00:00Z","interval":"300"}""", "type", RpcErrorCode.TypeConstraintViolation, "/interval" },
        { V16, "Heartbeat.req", """{"now":true}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/now" },
        { V16, "Heartbeat.conf", """{"currentTime":"2024-05-01 10:00"}""", "format", RpcErrorCode.PropertyConstraintViolation, "/currentTime" },
        { V16, "StatusNotification.req", """{"connectorId":1,"errorCode":"NoError","status":"Occupied"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "StatusNotification.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "Authorize.req", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "Authorize.conf", """{"idTagInfo":{"status":"accepted"}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/idTagInfo/status" },
        { V16, "StartTransaction.req", """{"connectorId":1,"idTag":"04A2B3C4","meterStart":1250.5,"timestamp":"2024-05-01T10:00:00Z"}""", "type", RpcErrorCode.TypeConstraintViolation, "/meterStart" },
        { V16, "StartTransaction.conf", """{"idTagInfo":{"status":"Accepted"}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "MeterValues.req", """{"connectorId":1,"transactionId":42,"meterValue":[{"timestamp":"2024-05-01T10:00:00Z","sampledValue":[{"value":1234}]}]}""", "type", RpcErrorCode.TypeConstraintViolation, "/meterValue/0/sampledValue/0/value" },
        { V16, "MeterValues.conf", "[]", null, RpcErrorCode.FormatViolation, "" },
        { V16, "StopTransaction.req", """{"transactionId":42,"meterStop":5000,"timestamp":"2024-05-01T11:00:00Z","reason":"Deauthorized"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/reason" },
        { V16, "StopTransaction.conf", """{"idTagInfo":{"status":"Accepted","expiryDate":"2024-02-30T00:00:00Z"}}""", "format", RpcErrorCode.PropertyConstraintViolation, "/idTagInfo/expiryDate" },
        { V16, "DataTransfer.req", """{"vendorId":"com.example","messageId":"Msg","data":{"a":1}}""", "type", RpcErrorCode.TypeConstraintViolation, "/data" },
        { V16, "DataTransfer.conf", """{"data":"x"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        // OCPP 1.6, server to charger
        { V16, "RemoteStartTransaction.req", """{"idTag":"04A2B3C4","chargingProfile":""" + Profile16 + "}", "multipleOf", RpcErrorCode.PropertyConstraintViolation, "/chargingProfile/chargingSchedule/chargingSchedulePeriod/0/limit" },
        { V16, "RemoteStartTransaction.conf", """{"status":"Scheduled"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "RemoteStopTransaction.req", """{"transactionId":"42"}""", "type", RpcErrorCode.TypeConstraintViolation, "/transactionId" },
        { V16, "RemoteStopTransaction.conf", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "ChangeAvailability.req", """{"connectorId":0,"type":"Operative","reason":"maintenance"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/reason" },
        { V16, "ChangeAvailability.conf", """{"status":"Pending"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "Reset.req", """{"type":"Immediate"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/type" },
        { V16, "Reset.conf", """{"status":true}""", "type", RpcErrorCode.TypeConstraintViolation, "/status" },
        { V16, "UnlockConnector.req", """{"connectorId":1.5}""", "type", RpcErrorCode.TypeConstraintViolation, "/connectorId" },
        { V16, "UnlockConnector.conf", """{"status":"Unlocked","connectorId":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/connectorId" },
        { V16, "GetConfiguration.req", """{"key":["HeartbeatInterval","AVeryLongConfigurationKeyThatExceedsTheFiftyCharacterLimit"]}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/key/1" },
        { V16, "GetConfiguration.conf", """{"configurationKey":[{"key":"HeartbeatInterval","value":"300"}]}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/configurationKey/0" },
        { V16, "ChangeConfiguration.req", """{"key":"HeartbeatInterval","value":300}""", "type", RpcErrorCode.TypeConstraintViolation, "/value" },
        { V16, "ChangeConfiguration.conf", """{"status":"NotImplemented"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "TriggerMessage.req", """{"requestedMessage":"TransactionEvent"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/requestedMessage" },
        { V16, "TriggerMessage.conf", """{"status":"Accepted","statusInfo":{"reasonCode":"x"}}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/statusInfo" },
        { V16, "SetChargingProfile.req", """{"connectorId":1,"csChargingProfiles":{"chargingProfileId":7,"stackLevel":1,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Recurring","recurrencyKind":"Monthly","chargingSchedule":{"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000}]}}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/csChargingProfiles/recurrencyKind" },
        { V16, "SetChargingProfile.conf", """{"status":"Accepted","reason":""}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/reason" },
        { V16, "ClearChargingProfile.req", """{"chargingProfilePurpose":"ChargingStationMaxProfile"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/chargingProfilePurpose" },
        { V16, "ClearChargingProfile.conf", """{"status":"Rejected"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "GetCompositeSchedule.req", """{"connectorId":1}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "GetCompositeSchedule.conf", """{"status":"Accepted","connectorId":1,"scheduleStart":"2024-05-01T10:00:00Z","chargingSchedule":{"chargingRateUnit":"A","chargingSchedulePeriod":[{"startPeriod":0}]}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/chargingSchedule/chargingSchedulePeriod/0" },
        // OCPP 1.6, the security whitepaper's extension
        { V16, "SecurityEventNotification.req", """{"type":"FirmwareUpdated","timestamp":"2024-05-01T10:00:00","techInfo":"v2"}""", "format", RpcErrorCode.PropertyConstraintViolation, "/timestamp" },
        { V16, "SecurityEventNotification.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "SignCertificate.req", """{"csr":"x","certificateType":"ChargingStationCertificate"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/certificateType" },
        { V16, "SignCertificate.conf", """{"status":"Pending"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "CertificateSigned.req", """{"certificateChain":""" + "\"" + new string('c', 10001) + "\"" + """}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/certificateChain" },
        { V16, "CertificateSigned.conf", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "ExtendedTriggerMessage.req", """{"requestedMessage":"SignChargingStationCertificate"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/requestedMessage" },
        { V16, "ExtendedTriggerMessage.conf", """{"status":"Accepted","connectorId":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/connectorId" },
        { V16, "FirmwareStatusNotification.req", """{"status":"Uploaded"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "FirmwareStatusNotification.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "DiagnosticsStatusNotification.req", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "DiagnosticsStatusNotification.conf", """{"ok":true}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/ok" },
        { V16, "LogStatusNotification.req", """{"status":"Uploaded","requestId":"7"}""", "type", RpcErrorCode.TypeConstraintViolation, "/requestId" },
        { V16, "LogStatusNotification.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "SignedFirmwareStatusNotification.req", """{"status":"installed"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "SignedFirmwareStatusNotification.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "UpdateFirmware.req", """{"location":"https://x.example/f.bin"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "UpdateFirmware.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "GetDiagnostics.req", """{"location":"https://x.example/logs","retries":"3"}""", "type", RpcErrorCode.TypeConstraintViolation, "/retries" },
        { V16, "GetDiagnostics.conf", """{"fileName":""" + "\"" + new string('f', 256) + "\"" + """}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/fileName" },
        { V16, "SendLocalList.req", """{"listVersion":1,"updateType":"Partial"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/updateType" },
        { V16, "SendLocalList.conf", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "GetLocalListVersion.req", """{"connectorId":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/connectorId" },
        { V16, "GetLocalListVersion.conf", """{"listVersion":"1"}""", "type", RpcErrorCode.TypeConstraintViolation, "/listVersion" },
        { V16, "GetLog.req", """{"logType":"SecurityLog","requestId":1}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V16, "GetLog.conf", """{"status":"Uploaded"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V16, "SignedUpdateFirmware.req", """{"requestId":1,"firmware":{"location":"https://x.example/f.bin","retrieveDateTime":"2024-05-01T10:00:00Z"}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/firmware" },
        { V16, "SignedUpdateFirmware.conf", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },

        // OCPP 2.0.1, charger to server
        { V201, "BootNotification.req", """{"chargingStation":{"model":"SingleSocketCharger"},"reason":"PowerUp"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/chargingStation" },
        { V201, "BootNotification.conf", """{"currentTime":"2024-05-01T10:00:00Z","interval":300,"status":"Accepted","statusInfo":{"reasonCode":"ThisReasonCodeIsTooLong"}}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/statusInfo/reasonCode" },
        { V201, "Heartbeat.req", """{"customData":{}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/customData" },
        { V201, "Heartbeat.conf", """{"currentTime":"2024-05-01T10:00:00"}""", "format", RpcErrorCode.PropertyConstraintViolation, "/currentTime" },
        { V201, "StatusNotification.req", """{"timestamp":"2024-05-01T10:00:00Z","connectorStatus":"Charging","evseId":1,"connectorId":1}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/connectorStatus" },
        { V201, "StatusNotification.conf", "\"ok\"", null, RpcErrorCode.FormatViolation, "" },
        { V201, "Authorize.req", """{"idToken":{"idToken":"04A2B3C4","type":"RFID"}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/idToken/type" },
        { V201, "Authorize.conf", """{"idTokenInfo":{"status":"Accepted","evseId":[]}}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation, "/idTokenInfo/evseId" },
        { V201, "TransactionEvent.req", """{"eventType":"Updated","timestamp":"2024-05-01T10:00:00Z","triggerReason":"ChargingStateChanged","seqNo":3,"transactionInfo":{"transactionId":"tx-1","chargingState":"Bogus"}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/transactionInfo/chargingState" },
        { V201, "TransactionEvent.conf", """{"totalCost":"12.50"}""", "type", RpcErrorCode.TypeConstraintViolation, "/totalCost" },
        { V201, "MeterValues.req", """{"evseId":1,"meterValue":[]}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation, "/meterValue" },
        { V201, "MeterValues.conf", """{"received":true}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/received" },
        { V201, "NotifyEvent.req", """{"generatedAt":"2024-05-01T10:00:00Z","seqNo":0,"eventData":[{"eventId":1,"timestamp":"2024-05-01T10:00:00Z","trigger":"Alerting","actualValue":"true","component":{"name":"Connector"},"variable":{"name":"Problem"}}]}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/eventData/0" },
        { V201, "NotifyEvent.conf", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V201, "DataTransfer.req", """{"messageId":"Msg"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V201, "DataTransfer.conf", """{"status":"UnknownVendor"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        // OCPP 2.0.1, server to charger
        { V201, "RequestStartTransaction.req", """{"idToken":{"idToken":"04A2B3C4","type":"ISO14443"},"remoteStartId":1,"chargingProfile":{"id":1,"stackLevel":0,"chargingProfilePurpose":"TxProfile","chargingProfileKind":"Absolute","chargingSchedule":[""" + string.Join(",", Enumerable.Repeat(Schedule201, 4)) + "]}}", "maxItems", RpcErrorCode.OccurrenceConstraintViolation, "/chargingProfile/chargingSchedule" },
        { V201, "RequestStartTransaction.conf", """{"status":"Accepted","transactionId":"a1b2c3d4-e5f6-a7b8-c9d0-e1f2a3b4c5d6X"}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/transactionId" },
        { V201, "RequestStopTransaction.req", """{"transactionId":42}""", "type", RpcErrorCode.TypeConstraintViolation, "/transactionId" },
        { V201, "RequestStopTransaction.conf", """{"status":"Accepted","statusInfo":{"additionalInfo":"x"}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/statusInfo" },
        { V201, "ChangeAvailability.req", """{"evse":{"connectorId":1},"operationalStatus":"Inoperative"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/evse" },
        { V201, "ChangeAvailability.conf", """{"status":"Accepted","statusInfo":{"reasonCode":"OK","additionalInfo":7}}""", "type", RpcErrorCode.TypeConstraintViolation, "/statusInfo/additionalInfo" },
        { V201, "Reset.req", """{"type":"Hard"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/type" },
        { V201, "Reset.conf", """{"status":"Scheduled","evseId":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/evseId" },
        { V201, "UnlockConnector.req", """{"evseId":1}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V201, "UnlockConnector.conf", """{"status":"NotSupported"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V201, "TriggerMessage.req", """{"requestedMessage":"DiagnosticsStatusNotification"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/requestedMessage" },
        { V201, "TriggerMessage.conf", """{"status":"Accepted","statusInfo":"later"}""", "type", RpcErrorCode.TypeConstraintViolation, "/statusInfo" },
        { V201, "GetVariables.req", """{"getVariableData":[{"component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},"attributeType":"Current"}]}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/getVariableData/0/attributeType" },
        { V201, "GetVariables.conf", """{"getVariableResult":[{"attributeStatus":"Accepted","component":{"name":"OCPPCommCtrlr"},"variable":{"name":"HeartbeatInterval"},"attributeValue":300}]}""", "type", RpcErrorCode.TypeConstraintViolation, "/getVariableResult/0/attributeValue" },
        { V201, "SetVariables.req", """{"setVariableData":[]}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation, "/setVariableData" },
        { V201, "SetVariables.conf", """{"setVariableResult":[{"attributeStatus":"Accepted","component":{"name":"OCPPCommCtrlr","evse":{"id":"1"}},"variable":{"name":"HeartbeatInterval"}}]}""", "type", RpcErrorCode.TypeConstraintViolation, "/setVariableResult/0/component/evse/id" },
        { V201, "SetChargingProfile.req", """{"evseId":1,"chargingProfile":{"id":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":[{"id":1,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000}],"salesTariff":{"id":1,"salesTariffEntry":[{"relativeTimeInterval":{"start":0},"ePriceLevel":-1}]}}]}}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/chargingProfile/chargingSchedule/0/salesTariff/salesTariffEntry/0/ePriceLevel" },
        { V201, "SetChargingProfile.conf", """{"status":"NotSupported"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V201, "ClearChargingProfile.req", """{"chargingProfileCriteria":{"chargingProfilePurpose":"ChargePointMaxProfile"}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/chargingProfileCriteria/chargingProfilePurpose" },
        { V201, "ClearChargingProfile.conf", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V201, "GetCompositeSchedule.req", """{"duration":3600,"evseId":1,"chargingRateUnit":"kW"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/chargingRateUnit" },
        { V201, "GetCompositeSchedule.conf", """{"status":"Accepted","schedule":{"evseId":1,"duration":3600,"scheduleStart":"2024-05-01T10:00:00Z","chargingRateUnit":"W","chargingSchedulePeriod":[]}}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation, "/schedule/chargingSchedulePeriod" },

        // OCPP 2.1, charging station to CSMS (what 2.0.1 allowed and 2.1 refuses, and 2.1's new fields)
        { V21, "BootNotificationRequest", """{"chargingStation":{"model":"M","vendorName":"V"},"reason":"Booted"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/reason" },
        { V21, "BootNotificationResponse", $$$"""{"currentTime":"2026-05-01T10:00:00Z","interval":300,"status":"Accepted","statusInfo":{"reasonCode":"x","additionalInfo":"{{{new string('i', 1025)}}}"}}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/statusInfo/additionalInfo" },
        { V21, "HeartbeatRequest", """{"customData":{"note":"no vendor"}}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/customData" },
        { V21, "HeartbeatResponse", """{"currentTime":"2026-02-29T10:00:00Z"}""", "format", RpcErrorCode.PropertyConstraintViolation, "/currentTime" },
        { V21, "StatusNotificationRequest", """{"timestamp":"2026-05-01T10:00:00Z","connectorStatus":"Available","evseId":-1,"connectorId":1}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/evseId" },
        { V21, "StatusNotificationResponse", """{"ok":true}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/ok" },
        { V21, "AuthorizeRequest", """{"idToken":{"idToken":"WVWZZZ1JZXW000001","type":"VehicleIdentificationNo"}}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/idToken/type" },
        { V21, "AuthorizeResponse", """{"idTokenInfo":{"status":"Accepted"},"allowedEnergyTransfer":["AC_four_phase"]}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/allowedEnergyTransfer/0" },
        { V21, "TransactionEventRequest", """{"eventType":"Updated","timestamp":"2026-05-01T10:00:00Z","triggerReason":"RunningCost","seqNo":3,"transactionInfo":{"transactionId":"tx-1","transactionLimit":{"maxSoC":101}}}""", "maximum", RpcErrorCode.PropertyConstraintViolation, "/transactionInfo/transactionLimit/maxSoC" },
        { V21, "TransactionEventResponse", """{"updatedPersonalMessageExtra":[]}""", "minItems", RpcErrorCode.OccurrenceConstraintViolation, "/updatedPersonalMessageExtra" },
        { V21, "MeterValuesRequest", """{"evseId":1,"meterValue":[{"timestamp":"2026-05-01T10:00:00Z","sampledValue":[{"value":1,"signedMeterValue":{"signedMeterData":"AA=="}}]}]}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "/meterValue/0/sampledValue/0/signedMeterValue" },
        { V21, "MeterValuesResponse", "[]", null, RpcErrorCode.FormatViolation, "" },
        { V21, "NotifyEventRequest", """{"generatedAt":"2026-05-01T10:00:00Z","seqNo":-1,"eventData":[{"eventId":1,"timestamp":"2026-05-01T10:00:00Z","trigger":"Delta","actualValue":"true","eventNotificationType":"HardWiredNotification","component":{"name":"BayOccupancySensor"},"variable":{"name":"Active"}}]}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/seqNo" },
        { V21, "NotifyEventResponse", """{"status":"Accepted"}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "DataTransferRequest", """{"vendorId":7}""", "type", RpcErrorCode.TypeConstraintViolation, "/vendorId" },
        { V21, "DataTransferResponse", """{"status":"UnknownVendor"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "SecurityEventNotificationRequest", """{"type":"FirmwareUpdated"}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V21, "SecurityEventNotificationResponse", """{"received":true}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/received" },
        { V21, "SignCertificateRequest", """{"csr":"-----BEGIN CERTIFICATE REQUEST-----","certificateType":"V2G21Certificate"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/certificateType" },
        { V21, "SignCertificateResponse", """{"status":"Pending"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "NotifyPeriodicEventStream", """{"id":1,"pending":0,"basetime":"2026-05-01T10:00:00Z","data":[{"t":"0.5","v":"230"}]}""", "type", RpcErrorCode.TypeConstraintViolation, "/data/0/t" },

        // OCPP 2.1, CSMS to charging station
        { V21, "RequestStartTransactionRequest", """{"idToken":{"idToken":"A","type":"Central"},"remoteStartId":1,"evseId":0}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/evseId" },
        { V21, "RequestStartTransactionResponse", """{"status":"Accepted","transactionId":"a1b2c3d4-e5f6-a7b8-c9d0-e1f2a3b4c5d6X"}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/transactionId" },
        { V21, "RequestStopTransactionRequest", """{}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V21, "RequestStopTransactionResponse", """{"status":"Stopped"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "ChangeAvailabilityRequest", """{"evse":{"id":-1},"operationalStatus":"Inoperative"}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/evse/id" },
        { V21, "ChangeAvailabilityResponse", """{"status":"Accepted","statusInfo":{"reasonCode":7}}""", "type", RpcErrorCode.TypeConstraintViolation, "/statusInfo/reasonCode" },
        { V21, "ResetRequest", """{"type":"Hard"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/type" },
        { V21, "ResetResponse", """{}""", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V21, "UnlockConnectorRequest", """{"evseId":1,"connectorId":-2}""", "minimum", RpcErrorCode.PropertyConstraintViolation, "/connectorId" },
        { V21, "UnlockConnectorResponse", """{"status":"Locked"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "TriggerMessageRequest", $$"""{"requestedMessage":"CustomTrigger","customTrigger":"{{new string('c', 51)}}"}""", "maxLength", RpcErrorCode.PropertyConstraintViolation, "/customTrigger" },
        { V21, "TriggerMessageResponse", """{"status":"Scheduled"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
        { V21, "SetChargingProfileRequest", """{"evseId":1,"chargingProfile":{"id":1,"stackLevel":0,"chargingProfilePurpose":"TxDefaultProfile","chargingProfileKind":"Absolute","chargingSchedule":[{"id":1,"chargingRateUnit":"W","chargingSchedulePeriod":[{"startPeriod":0,"limit":11000,"dischargeLimit":5000}]}]}}""", "maximum", RpcErrorCode.PropertyConstraintViolation, "/chargingProfile/chargingSchedule/0/chargingSchedulePeriod/0/dischargeLimit" },
        { V21, "SetChargingProfileResponse", """{"status":"Accepted","limit":1}""", "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/limit" },
        { V21, "ClearChargingProfileRequest", """{"chargingProfileCriteria":{"chargingProfilePurpose":"ChargePointMaxProfile"}}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/chargingProfileCriteria/chargingProfilePurpose" },
        { V21, "ClearChargingProfileResponse", "{}", "required", RpcErrorCode.OccurrenceConstraintViolation, "" },
        { V21, "CertificateSignedRequest", """{"certificateChain":"x","requestId":"5"}""", "type", RpcErrorCode.TypeConstraintViolation, "/requestId" },
        { V21, "CertificateSignedResponse", """{"status":"Installed"}""", "enum", RpcErrorCode.PropertyConstraintViolation, "/status" },
    };

    [Theory]
    [MemberData(nameof(Examples))]
    public void Invalid_example_is_rejected_with_the_expected_keyword_code_and_pointer(
        OcppVersion version, string message, string json, string? keyword, RpcErrorCode code, string pointer)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        OfficialSchemas schemas = OfficialSchemas.For(version);
        string schemaId = "urn:" + message;

        SchemaViolation? violation = schemas.Check(schemaId, document.RootElement).Violation;

        Assert.NotNull(violation);
        Assert.Equal((keyword, code, pointer), (violation.Keyword, violation.ErrorCode, violation.Pointer));
        Assert.False(schemas.OracleAccepts(schemaId, document.RootElement), "JsonSchema.Net accepted it");
    }

    [Fact]
    public void Every_action_with_a_typed_example_has_an_invalid_request_and_response_example()
    {
        var covered = new HashSet<(OcppVersion, string)>();
        foreach (TheoryDataRow<OcppVersion, string, string, string?, RpcErrorCode, string> row in Examples)
        {
            covered.Add((row.Data.Item1, row.Data.Item2));
        }

        foreach ((OcppVersion version, string action) in TypedActions.WithExamples)
        {
            if (OcppSchemas.For(version).SendActions.Contains(action))
            {
                Assert.Contains((version, action), covered);
                continue;
            }

            Assert.Contains((version, OfficialSchemas.SchemaId(version, action, request: true)["urn:".Length..]), covered);
            Assert.Contains((version, OfficialSchemas.SchemaId(version, action, request: false)["urn:".Length..]), covered);
        }
    }

    public static TheoryData<string> Ocpp21Schemas => [.. OfficialSchemas.For(OcppVersion.Ocpp21).SchemaIds];

    /// <summary>
    /// Every 2.1 message, not only the ones with a hand-written example: a generated valid payload
    /// damaged in each way its schema allows (a required member dropped, a member of the wrong JSON
    /// type, a member the schema does not know, a value outside an enumeration) is refused by our
    /// validator with OCPP-J's code for that keyword, at that member, and by JsonSchema.Net.
    /// </summary>
    [Theory]
    [MemberData(nameof(Ocpp21Schemas))]
    public void Every_2_1_message_refuses_each_kind_of_damage_with_its_code(string schemaId)
    {
        OfficialSchemas schemas = OfficialSchemas.For(OcppVersion.Ocpp21);
        JsonElement schema = schemas.Raw(schemaId);
        JsonObject payload = (JsonObject)SchemaInstances.Valid(schema, allOptional: true).Generate(new PCG(1, 2026), null, out _);
        int checkedDamages = 0;

        foreach ((string name, JsonNode? value) in payload.ToList())
        {
            JsonElement member = SchemaInstances.Resolve(schema, schema.GetProperty("properties").GetProperty(name));
            bool required = schema.TryGetProperty("required", out JsonElement names) && names.EnumerateArray().Any(n => n.GetString() == name);
            if (required)
            {
                Check(Without(payload, name), "required", RpcErrorCode.OccurrenceConstraintViolation, "");
            }

            if (member.TryGetProperty("type", out JsonElement type))
            {
                JsonNode wrong = type.GetString() == "string" ? JsonValue.Create(true) : JsonValue.Create("text");
                Check(With(payload, name, wrong), "type", RpcErrorCode.TypeConstraintViolation, "/" + name);
                if (member.TryGetProperty("enum", out _))
                {
                    Check(With(payload, name, JsonValue.Create("NotAnOcppValue")), "enum", RpcErrorCode.PropertyConstraintViolation, "/" + name);
                }
            }
        }

        if (schema.TryGetProperty("additionalProperties", out JsonElement additional) && additional.ValueKind == JsonValueKind.False)
        {
            Check(With(payload, "notInTheSchema", JsonValue.Create(1)), "additionalProperties", RpcErrorCode.PropertyConstraintViolation, "/notInTheSchema");
        }

        Assert.True(checkedDamages > 0 || payload.Count == 0, $"{schemaId}: nothing was damaged");

        void Check(JsonObject damaged, string keyword, RpcErrorCode code, string pointer)
        {
            using JsonDocument document = JsonDocument.Parse(damaged.ToJsonString());
            SchemaViolation? violation = schemas.Check(schemaId, document.RootElement).Violation;
            Assert.True(violation is not null, $"{schemaId}: accepted {damaged.ToJsonString()}");
            Assert.Equal((keyword, code, pointer), (violation.Keyword, violation.ErrorCode, violation.Pointer));
            Assert.False(schemas.OracleAccepts(schemaId, document.RootElement), $"{schemaId}: JsonSchema.Net accepted {damaged.ToJsonString()}");
            checkedDamages++;
        }
    }

    private static JsonObject Without(JsonObject payload, string name)
    {
        var copy = (JsonObject)payload.DeepClone();
        copy.Remove(name);
        return copy;
    }

    private static JsonObject With(JsonObject payload, string name, JsonNode value)
    {
        var copy = (JsonObject)payload.DeepClone();
        copy[name] = value;
        return copy;
    }
}
