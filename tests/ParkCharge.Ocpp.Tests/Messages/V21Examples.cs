using System.Text.Json;

using ParkCharge.Ocpp.V21;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>
/// A typed OCPP 2.1 request and response for every message ParkCharge exchanges with chargers, as a
/// charging station and a CSMS would send them, with 2.1's additions where they belong (cost details,
/// transaction limits, token types beyond 2.0.1's list, ImmediateAndResume, custom triggers).
/// </summary>
internal static class V21Examples
{
    private static readonly DateTimeOffset Now = new(2026, 5, 1, 10, 0, 0, 250, TimeSpan.FromHours(2));

    private static readonly CustomDataType Vendor = new() { VendorId = "com.parkcharge" };

    private static readonly IdTokenType Vehicle = new()
    {
        IdToken = "WVWZZZ1JZXW000001",
        Type = "VIN",
        AdditionalInfo = [new AdditionalInfoType { AdditionalIdToken = "NL-PCH-C12345678-X", Type = "ContractId" }],
        CustomData = Vendor,
    };

    private static readonly StatusInfoType Busy = new() { ReasonCode = "OngoingTransaction", AdditionalInfo = "Try again after the session", CustomData = Vendor };

    private static readonly TransactionLimitType Limit = new() { MaxCost = 25.00m, MaxEnergy = 40_000, MaxTime = 7200, MaxSoC = 80 };

    private static readonly IdTokenInfoType Accepted = new()
    {
        Status = AuthorizationStatusEnumType.Accepted,
        CacheExpiryDateTime = Now.AddDays(1),
        ChargingPriority = 1,
        Language1 = "en",
        EvseId = [1, 2],
        GroupIdToken = new IdTokenType { IdToken = "FLEET-7", Type = "Central" },
        PersonalMessage = new MessageContentType { Format = MessageFormatEnumType.QRCODE, Language = "en", Content = "https://pay.example/s/7" },
    };

    private static readonly EVSEType Evse1 = new() { Id = 1, ConnectorId = 1 };

    private static readonly IReadOnlyList<MeterValueType> Readings =
    [
        new MeterValueType
        {
            Timestamp = Now,
            SampledValue =
            [
                new SampledValueType
                {
                    Value = 12345.678m,
                    Context = ReadingContextEnumType.SamplePeriodic,
                    Measurand = MeasurandEnumType.EnergyActiveImportRegister,
                    Phase = PhaseEnumType.L1N,
                    Location = LocationEnumType.Upstream,
                    UnitOfMeasure = new UnitOfMeasureType { Unit = "kWh", Multiplier = 0 },
                    SignedMeterValue = new SignedMeterValueType { SignedMeterData = "AP8AAAAAAAAAAA==", EncodingMethod = "OCMF" },
                },
                new SampledValueType { Value = 81, Measurand = MeasurandEnumType.SoC, Location = LocationEnumType.EV },
            ],
        },
    ];

    private static readonly ChargingProfileType Profile = new()
    {
        Id = 12,
        StackLevel = 1,
        ChargingProfilePurpose = ChargingProfilePurposeEnumType.TxProfile,
        ChargingProfileKind = ChargingProfileKindEnumType.Absolute,
        ValidFrom = Now,
        ValidTo = Now.AddDays(7),
        TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f",
        MaxOfflineDuration = 900,
        InvalidAfterOfflineDuration = true,
        ChargingSchedule =
        [
            new ChargingScheduleType
            {
                Id = 1,
                StartSchedule = Now,
                Duration = 7200,
                ChargingRateUnit = ChargingRateUnitEnumType.W,
                ChargingSchedulePeriod =
                [
                    new ChargingSchedulePeriodType { StartPeriod = 0, Limit = 11000, NumberPhases = 3, LimitL2 = 3680, LimitL3 = 3680 },
                    new ChargingSchedulePeriodType { StartPeriod = 1800, Limit = 3680.5m, NumberPhases = 1, PhaseToUse = 2 },
                ],
            },
        ],
    };

    public static IEnumerable<MessageExample> All =>
    [
        MessageExample.Of(V21Actions.BootNotification,
            new BootNotificationRequest
            {
                Reason = BootReasonEnumType.PowerUp,
                ChargingStation = new ChargingStationType
                {
                    Model = "Bay-22-DC",
                    VendorName = "ParkCharge Labs",
                    SerialNumber = "PCL-000042",
                    FirmwareVersion = "2.1.0",
                    Modem = new ModemType { Iccid = "8931000000000000001", Imsi = "204040000000001" },
                },
                CustomData = Vendor,
            },
            new BootNotificationResponse { CurrentTime = Now, Interval = 300, Status = RegistrationStatusEnumType.Accepted, StatusInfo = Busy }),
        MessageExample.Of(V21Actions.Heartbeat, new HeartbeatRequest(), new HeartbeatResponse { CurrentTime = Now }),
        MessageExample.Of(V21Actions.StatusNotification,
            new StatusNotificationRequest { Timestamp = Now, ConnectorStatus = ConnectorStatusEnumType.Occupied, EvseId = 1, ConnectorId = 1 },
            new StatusNotificationResponse()),
        MessageExample.Of(V21Actions.Authorize,
            new AuthorizeRequest { IdToken = Vehicle },
            new AuthorizeResponse
            {
                IdTokenInfo = Accepted,
                AllowedEnergyTransfer = [EnergyTransferModeEnumType.ACThreePhase, EnergyTransferModeEnumType.DC],
            }),
        MessageExample.Of(V21Actions.TransactionEvent,
            new TransactionEventRequest
            {
                EventType = TransactionEventEnumType.Ended,
                Timestamp = Now,
                TriggerReason = TriggerReasonEnumType.EVDeparted,
                SeqNo = 9,
                Offline = true,
                NumberOfPhasesUsed = 3,
                CableMaxCurrent = 32,
                PreconditioningStatus = PreconditioningStatusEnumType.NotReady,
                TransactionInfo = new TransactionType
                {
                    TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f",
                    ChargingState = ChargingStateEnumType.Idle,
                    TimeSpentCharging = 5400,
                    StoppedReason = ReasonEnumType.EVDisconnected,
                    RemoteStartId = 77,
                    OperationMode = OperationModeEnumType.ChargingOnly,
                    TariffId = "bay-standard",
                    TransactionLimit = Limit,
                },
                IdToken = Vehicle,
                Evse = Evse1,
                MeterValue = Readings,
                CostDetails = new CostDetailsType
                {
                    TotalCost = new TotalCostType
                    {
                        Currency = "EUR",
                        TypeOfCost = TariffCostEnumType.NormalCost,
                        Energy = new PriceType { ExclTax = 9.20m, InclTax = 11.13m },
                        IdleTime = new PriceType { ExclTax = 2.00m, InclTax = 2.42m },
                        Total = new TotalPriceType { ExclTax = 11.20m, InclTax = 13.55m },
                    },
                    TotalUsage = new TotalUsageType { Energy = 23_000, ChargingTime = 5400, IdleTime = 1200 },
                    ChargingPeriods =
                    [
                        new ChargingPeriodType
                        {
                            StartPeriod = Now.AddHours(-2),
                            TariffId = "bay-standard",
                            Dimensions = [new CostDimensionType { Type = CostDimensionEnumType.Energy, Volume = 23_000 }],
                        },
                    ],
                },
            },
            new TransactionEventResponse
            {
                TotalCost = 13.55m,
                IdTokenInfo = Accepted,
                TransactionLimit = Limit,
                UpdatedPersonalMessage = new MessageContentType { Format = MessageFormatEnumType.UTF8, Content = "Thank you" },
            }),
        MessageExample.Of(V21Actions.MeterValues,
            new MeterValuesRequest { EvseId = 1, MeterValue = Readings },
            new MeterValuesResponse()),
        MessageExample.Of(V21Actions.NotifyEvent,
            new NotifyEventRequest
            {
                GeneratedAt = Now,
                SeqNo = 0,
                Tbc = false,
                EventData =
                [
                    new EventDataType
                    {
                        EventId = 1,
                        Timestamp = Now,
                        Trigger = EventTriggerEnumType.Delta,
                        ActualValue = "true",
                        Component = new ComponentType { Name = "BayOccupancySensor", Evse = Evse1 },
                        Variable = new VariableType { Name = "Active" },
                        EventNotificationType = EventNotificationEnumType.HardWiredNotification,
                    },
                ],
            },
            new NotifyEventResponse()),
        MessageExample.Of(V21Actions.DataTransfer,
            new DataTransferRequest { VendorId = "com.parkcharge", MessageId = "PlateHint", Data = JsonDocument.Parse("""{"bay":12}""").RootElement },
            new DataTransferResponse { Status = DataTransferStatusEnumType.Accepted, StatusInfo = Busy }),
        MessageExample.Of(V21Actions.SecurityEventNotification,
            new SecurityEventNotificationRequest { Type = "InvalidCsmsCertificate", Timestamp = Now, TechInfo = "issuer not trusted", CustomData = Vendor },
            new SecurityEventNotificationResponse()),
        MessageExample.Of(V21Actions.SignCertificate,
            new SignCertificateRequest
            {
                Csr = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB...\n-----END CERTIFICATE REQUEST-----",
                CertificateType = CertificateSigningUseEnumType.ChargingStationCertificate,
                RequestId = 5,
            },
            new SignCertificateResponse { Status = GenericStatusEnumType.Accepted }),
        MessageExample.Of(V21Actions.NotifyPeriodicEventStream,
            new NotifyPeriodicEventStream { Id = 3, Pending = 0, Basetime = Now, Data = [new StreamDataElementType { T = 0.5m, V = "230.1" }] }),
        MessageExample.Of(V21Actions.RequestStartTransaction,
            new RequestStartTransactionRequest { EvseId = 1, IdToken = Vehicle, RemoteStartId = 77, ChargingProfile = Profile with { TransactionId = null } },
            new RequestStartTransactionResponse { Status = RequestStartStopStatusEnumType.Accepted, TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f" }),
        MessageExample.Of(V21Actions.RequestStopTransaction,
            new RequestStopTransactionRequest { TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f" },
            new RequestStopTransactionResponse { Status = RequestStartStopStatusEnumType.Rejected, StatusInfo = Busy }),
        MessageExample.Of(V21Actions.ChangeAvailability,
            new ChangeAvailabilityRequest { Evse = Evse1, OperationalStatus = OperationalStatusEnumType.Inoperative },
            new ChangeAvailabilityResponse { Status = ChangeAvailabilityStatusEnumType.Scheduled, StatusInfo = Busy }),
        MessageExample.Of(V21Actions.Reset,
            new ResetRequest { Type = ResetEnumType.ImmediateAndResume, EvseId = 1 },
            new ResetResponse { Status = ResetStatusEnumType.Accepted }),
        MessageExample.Of(V21Actions.UnlockConnector,
            new UnlockConnectorRequest { EvseId = 1, ConnectorId = 1 },
            new UnlockConnectorResponse { Status = UnlockStatusEnumType.Unlocked }),
        MessageExample.Of(V21Actions.TriggerMessage,
            new TriggerMessageRequest { RequestedMessage = MessageTriggerEnumType.CustomTrigger, CustomTrigger = "com.parkcharge.BayOccupancy", Evse = Evse1 },
            new TriggerMessageResponse { Status = TriggerMessageStatusEnumType.Accepted }),
        MessageExample.Of(V21Actions.SetChargingProfile,
            new SetChargingProfileRequest { EvseId = 1, ChargingProfile = Profile },
            new SetChargingProfileResponse { Status = ChargingProfileStatusEnumType.Accepted }),
        MessageExample.Of(V21Actions.ClearChargingProfile,
            new ClearChargingProfileRequest
            {
                ChargingProfileId = 12,
                ChargingProfileCriteria = new ClearChargingProfileType { EvseId = 1, ChargingProfilePurpose = ChargingProfilePurposeEnumType.PriorityCharging },
            },
            new ClearChargingProfileResponse { Status = ClearChargingProfileStatusEnumType.Unknown, StatusInfo = Busy }),
        MessageExample.Of(V21Actions.CertificateSigned,
            new CertificateSignedRequest
            {
                CertificateChain = "-----BEGIN CERTIFICATE-----\nMIIC...\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nMIID...\n-----END CERTIFICATE-----",
                CertificateType = CertificateSigningUseEnumType.ChargingStationCertificate,
                RequestId = 5,
            },
            new CertificateSignedResponse { Status = CertificateSignedStatusEnumType.Accepted }),
    ];
}
