using ParkCharge.Ocpp.V16;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>A typed OCPP 1.6 request and response for every action we type, as a charger and a server would send them.</summary>
internal static class V16Examples
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private static readonly IdTagInfo Accepted = new() { Status = AuthorizationStatus.Accepted, ExpiryDate = Now.AddDays(30), ParentIdTag = "FLEET-7" };

    private static readonly IReadOnlyList<MeterValue> Readings =
    [
        new MeterValue
        {
            Timestamp = Now,
            SampledValue =
            [
                new SampledValue
                {
                    Value = "12345.6",
                    Context = ReadingContext.SamplePeriodic,
                    Format = ValueFormat.Raw,
                    Measurand = Measurand.EnergyActiveImportRegister,
                    Phase = Phase.L1N,
                    Location = Location.Outlet,
                    Unit = UnitOfMeasure.KWh,
                },
                new SampledValue { Value = "16.1", Measurand = Measurand.CurrentImport, Phase = Phase.L1, Unit = UnitOfMeasure.A },
                new SampledValue { Value = "81", Measurand = Measurand.SoC, Location = Location.EV, Unit = UnitOfMeasure.Percent, Context = ReadingContext.TransactionEnd },
            ],
        },
    ];

    private static readonly ChargingProfile TxProfile = new()
    {
        ChargingProfileId = 12,
        TransactionId = 4711,
        StackLevel = 1,
        ChargingProfilePurpose = ChargingProfilePurposeType.TxProfile,
        ChargingProfileKind = ChargingProfileKindType.Recurring,
        RecurrencyKind = RecurrencyKindType.Daily,
        ValidFrom = Now,
        ValidTo = Now.AddDays(7),
        ChargingSchedule = new ChargingSchedule
        {
            Duration = 86400,
            StartSchedule = Now,
            ChargingRateUnit = ChargingRateUnitType.A,
            ChargingSchedulePeriod =
            [
                new ChargingSchedulePeriod { StartPeriod = 0, Limit = 16.0m, NumberPhases = 3 },
                new ChargingSchedulePeriod { StartPeriod = 3600, Limit = 6.3m },
            ],
            MinChargingRate = 6.0m,
        },
    };

    public static IEnumerable<MessageExample> All =>
    [
        MessageExample.Of(V16Actions.BootNotification,
            new BootNotificationRequest
            {
                ChargePointVendor = "Alfen BV",
                ChargePointModel = "NG9xx",
                ChargePointSerialNumber = "ACE0012345",
                ChargeBoxSerialNumber = "ACE0012345-1",
                FirmwareVersion = "4.12.0-4153",
                Iccid = "8931081234567890123",
                Imsi = "204081234567890",
                MeterType = "Eastron SDM630",
                MeterSerialNumber = "SDM-001",
            },
            new BootNotificationResponse { Status = RegistrationStatus.Accepted, CurrentTime = Now, Interval = 300 }),
        MessageExample.Of(V16Actions.Heartbeat, new HeartbeatRequest(), new HeartbeatResponse { CurrentTime = Now }),
        MessageExample.Of(V16Actions.StatusNotification,
            new StatusNotificationRequest
            {
                ConnectorId = 1,
                ErrorCode = ChargePointErrorCode.EVCommunicationError,
                Info = "CP signal lost",
                Status = ChargePointStatus.SuspendedEV,
                Timestamp = Now,
                VendorId = "com.alfen",
                VendorErrorCode = "E-017",
            },
            new StatusNotificationResponse()),
        MessageExample.Of(V16Actions.Authorize, new AuthorizeRequest { IdTag = "04A2B3C4D5E6F7" }, new AuthorizeResponse { IdTagInfo = Accepted }),
        MessageExample.Of(V16Actions.StartTransaction,
            new StartTransactionRequest { ConnectorId = 1, IdTag = "04A2B3C4D5E6F7", MeterStart = 1_250_000, ReservationId = 3, Timestamp = Now },
            new StartTransactionResponse { IdTagInfo = Accepted, TransactionId = 4711 }),
        MessageExample.Of(V16Actions.MeterValues,
            new MeterValuesRequest { ConnectorId = 1, TransactionId = 4711, MeterValue = Readings },
            new MeterValuesResponse()),
        MessageExample.Of(V16Actions.StopTransaction,
            new StopTransactionRequest
            {
                IdTag = "04A2B3C4D5E6F7",
                MeterStop = 1_262_345,
                Timestamp = Now.AddHours(2),
                TransactionId = 4711,
                Reason = Reason.EVDisconnected,
                TransactionData = Readings,
            },
            new StopTransactionResponse { IdTagInfo = Accepted }),
        MessageExample.Of(V16Actions.DataTransfer,
            new DataTransferRequest { VendorId = "com.parkcharge", MessageId = "PlateHint", Data = "{\"bay\":12}" },
            new DataTransferResponse { Status = DataTransferStatus.Accepted, Data = "ok" }),
        MessageExample.Of(V16Actions.RemoteStartTransaction,
            new RemoteStartTransactionRequest { ConnectorId = 1, IdTag = "APP-5521", ChargingProfile = TxProfile with { TransactionId = null } },
            new RemoteStartTransactionResponse { Status = RemoteStartStopStatus.Accepted }),
        MessageExample.Of(V16Actions.RemoteStopTransaction,
            new RemoteStopTransactionRequest { TransactionId = 4711 },
            new RemoteStopTransactionResponse { Status = RemoteStartStopStatus.Rejected }),
        MessageExample.Of(V16Actions.ChangeAvailability,
            new ChangeAvailabilityRequest { ConnectorId = 0, Type = AvailabilityType.Inoperative },
            new ChangeAvailabilityResponse { Status = AvailabilityStatus.Scheduled }),
        MessageExample.Of(V16Actions.Reset, new ResetRequest { Type = ResetType.Soft }, new ResetResponse { Status = ResetStatus.Accepted }),
        MessageExample.Of(V16Actions.UnlockConnector,
            new UnlockConnectorRequest { ConnectorId = 2 },
            new UnlockConnectorResponse { Status = UnlockStatus.UnlockFailed }),
        MessageExample.Of(V16Actions.GetConfiguration,
            new GetConfigurationRequest { Key = ["HeartbeatInterval", "MeterValuesSampledData", "NoSuchKey"] },
            new GetConfigurationResponse
            {
                ConfigurationKey =
                [
                    new KeyValue { Key = "HeartbeatInterval", Readonly = false, Value = "300" },
                    new KeyValue { Key = "NumberOfConnectors", Readonly = true, Value = "2" },
                    new KeyValue { Key = "AuthorizationKey", Readonly = false },
                ],
                UnknownKey = ["NoSuchKey"],
            }),
        MessageExample.Of(V16Actions.ChangeConfiguration,
            new ChangeConfigurationRequest { Key = "MeterValueSampleInterval", Value = "60" },
            new ChangeConfigurationResponse { Status = ConfigurationStatus.RebootRequired }),
        MessageExample.Of(V16Actions.TriggerMessage,
            new TriggerMessageRequest { RequestedMessage = MessageTrigger.StatusNotification, ConnectorId = 1 },
            new TriggerMessageResponse { Status = TriggerMessageStatus.Accepted }),
        MessageExample.Of(V16Actions.SetChargingProfile,
            new SetChargingProfileRequest { ConnectorId = 1, CsChargingProfiles = TxProfile },
            new SetChargingProfileResponse { Status = ChargingProfileStatus.NotSupported }),
        MessageExample.Of(V16Actions.ClearChargingProfile,
            new ClearChargingProfileRequest { Id = 12, ConnectorId = 1, ChargingProfilePurpose = ChargingProfilePurposeType.TxDefaultProfile, StackLevel = 0 },
            new ClearChargingProfileResponse { Status = ClearChargingProfileStatus.Unknown }),
        MessageExample.Of(V16Actions.GetCompositeSchedule,
            new GetCompositeScheduleRequest { ConnectorId = 1, Duration = 3600, ChargingRateUnit = ChargingRateUnitType.W },
            new GetCompositeScheduleResponse
            {
                Status = GetCompositeScheduleStatus.Accepted,
                ConnectorId = 1,
                ScheduleStart = Now,
                ChargingSchedule = TxProfile.ChargingSchedule with { ChargingRateUnit = ChargingRateUnitType.W },
            }),

        // The 1.6 security whitepaper's extension.
        MessageExample.Of(V16Actions.SecurityEventNotification,
            new SecurityEventNotificationRequest { Type = "TamperDetectionActivated", Timestamp = Now, TechInfo = "enclosure opened" },
            new SecurityEventNotificationResponse()),
        MessageExample.Of(V16Actions.SignCertificate,
            new SignCertificateRequest { Csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----" },
            new SignCertificateResponse { Status = GenericStatusEnumType.Accepted }),
        MessageExample.Of(V16Actions.CertificateSigned,
            new CertificateSignedRequest { CertificateChain = "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----" },
            new CertificateSignedResponse { Status = CertificateSignedStatusEnumType.Rejected }),
        MessageExample.Of(V16Actions.ExtendedTriggerMessage,
            new ExtendedTriggerMessageRequest { RequestedMessage = MessageTriggerEnumType.SignChargePointCertificate },
            new ExtendedTriggerMessageResponse { Status = TriggerMessageStatusEnumType.Accepted }),
        MessageExample.Of(V16Actions.FirmwareStatusNotification,
            new FirmwareStatusNotificationRequest { Status = FirmwareStatus.Installed },
            new FirmwareStatusNotificationResponse()),
        MessageExample.Of(V16Actions.DiagnosticsStatusNotification,
            new DiagnosticsStatusNotificationRequest { Status = DiagnosticsStatus.UploadFailed },
            new DiagnosticsStatusNotificationResponse()),
        MessageExample.Of(V16Actions.LogStatusNotification,
            new LogStatusNotificationRequest { Status = UploadLogStatusEnumType.Uploaded, RequestId = 42 },
            new LogStatusNotificationResponse()),
        MessageExample.Of(V16Actions.SignedFirmwareStatusNotification,
            new SignedFirmwareStatusNotificationRequest { Status = FirmwareStatusEnumType.SignatureVerified, RequestId = 7 },
            new SignedFirmwareStatusNotificationResponse()),
        MessageExample.Of(V16Actions.UpdateFirmware,
            new UpdateFirmwareRequest { Location = "https://node.example/files/firmware/cp-7.2.bin?expires=1772500000&signature=ab12", RetrieveDate = Now, Retries = 3, RetryInterval = 300 },
            new UpdateFirmwareResponse()),
        MessageExample.Of(V16Actions.GetDiagnostics,
            new GetDiagnosticsRequest { Location = "https://node.example/files/logs/c1?expires=1772500000&signature=ab12", StartTime = Now.AddDays(-1), StopTime = Now },
            new GetDiagnosticsResponse { FileName = "diagnostics-CP-001.zip" }),
        MessageExample.Of(V16Actions.SendLocalList,
            new SendLocalListRequest
            {
                ListVersion = 12,
                UpdateType = UpdateType.Differential,
                LocalAuthorizationList =
                [
                    new AuthorizationData { IdTag = "RFID-0042", IdTagInfo = new IdTagInfo { Status = AuthorizationStatus.Accepted } },
                    new AuthorizationData { IdTag = "RFID-0007" },
                ],
            },
            new SendLocalListResponse { Status = UpdateStatus.VersionMismatch }),
        MessageExample.Of(V16Actions.GetLocalListVersion,
            new GetLocalListVersionRequest(),
            new GetLocalListVersionResponse { ListVersion = 12 }),
        MessageExample.Of(V16Actions.GetLog,
            new GetLogRequest
            {
                LogType = LogEnumType.SecurityLog,
                RequestId = 42,
                Log = new LogParametersType { RemoteLocation = "https://node.example/files/logs/c2?expires=1772500000&signature=ab12", OldestTimestamp = Now.AddDays(-7) },
            },
            new GetLogResponse { Status = LogStatusEnumType.Accepted, Filename = "security.log" }),
        MessageExample.Of(V16Actions.SignedUpdateFirmware,
            new SignedUpdateFirmwareRequest
            {
                RequestId = 7,
                Firmware = new FirmwareType
                {
                    Location = "https://vendor.example/cp-7.2.bin",
                    RetrieveDateTime = Now,
                    SigningCertificate = "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----",
                    Signature = "MEUCIQD...",
                },
            },
            new SignedUpdateFirmwareResponse { Status = UpdateFirmwareStatusEnumType.Accepted }),
    ];
}
