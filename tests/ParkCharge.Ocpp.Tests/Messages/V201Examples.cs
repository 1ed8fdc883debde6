using System.Text.Json;

using ParkCharge.Ocpp.V201;

namespace ParkCharge.Ocpp.Tests.Messages;

/// <summary>A typed OCPP 2.0.1 request and response for every action we type, as a charging station and a CSMS would send them.</summary>
internal static class V201Examples
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 10, 0, 0, 250, TimeSpan.FromHours(2));

    private static readonly CustomDataType Vendor = new() { VendorId = "com.parkcharge" };

    private static readonly IdTokenType Card = new()
    {
        IdToken = "04A2B3C4D5E6F7",
        Type = IdTokenEnumType.ISO14443,
        AdditionalInfo = [new AdditionalInfoType { AdditionalIdToken = "NL-PCH-C12345678-X", Type = "ContractId" }],
        CustomData = Vendor,
    };

    private static readonly StatusInfoType Busy = new() { ReasonCode = "OngoingTransaction", AdditionalInfo = "Try again after the session", CustomData = Vendor };

    private static readonly IdTokenInfoType Accepted = new()
    {
        Status = AuthorizationStatusEnumType.Accepted,
        CacheExpiryDateTime = Now.AddDays(1),
        ChargingPriority = 1,
        Language1 = "en",
        Language2 = "nl",
        EvseId = [1, 2],
        GroupIdToken = new IdTokenType { IdToken = "FLEET-7", Type = IdTokenEnumType.Central },
        PersonalMessage = new MessageContentType { Format = MessageFormatEnumType.UTF8, Language = "en", Content = "Welcome back" },
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
                    Location = LocationEnumType.Outlet,
                    UnitOfMeasure = new UnitOfMeasureType { Unit = "kWh", Multiplier = 0 },
                    SignedMeterValue = new SignedMeterValueType
                    {
                        SignedMeterData = "AP8AAAAAAAAAAA==",
                        SigningMethod = "ECDSA-secp256r1-SHA256",
                        EncodingMethod = "OCMF",
                        PublicKey = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
                    },
                },
                new SampledValueType { Value = 81, Measurand = MeasurandEnumType.SoC, Location = LocationEnumType.EV },
            ],
        },
    ];

    private static readonly ChargingScheduleType Schedule = new()
    {
        Id = 1,
        StartSchedule = Now,
        Duration = 7200,
        ChargingRateUnit = ChargingRateUnitEnumType.W,
        MinChargingRate = 1380.0m,
        ChargingSchedulePeriod =
        [
            new ChargingSchedulePeriodType { StartPeriod = 0, Limit = 11000, NumberPhases = 3 },
            new ChargingSchedulePeriodType { StartPeriod = 1800, Limit = 3680.5m, NumberPhases = 1, PhaseToUse = 2 },
        ],
        SalesTariff = new SalesTariffType
        {
            Id = 3,
            SalesTariffDescription = "Peak and off-peak",
            NumEPriceLevels = 2,
            SalesTariffEntry =
            [
                new SalesTariffEntryType
                {
                    RelativeTimeInterval = new RelativeTimeIntervalType { Start = 0, Duration = 3600 },
                    EPriceLevel = 1,
                    ConsumptionCost =
                    [
                        new ConsumptionCostType
                        {
                            StartValue = 0,
                            Cost = [new CostType { CostKind = CostKindEnumType.RenewableGenerationPercentage, Amount = 40, AmountMultiplier = 0 }],
                        },
                    ],
                },
            ],
        },
    };

    private static readonly ChargingProfileType Profile = new()
    {
        Id = 12,
        StackLevel = 1,
        ChargingProfilePurpose = ChargingProfilePurposeEnumType.TxProfile,
        ChargingProfileKind = ChargingProfileKindEnumType.Absolute,
        RecurrencyKind = RecurrencyKindEnumType.Weekly,
        ValidFrom = Now,
        ValidTo = Now.AddDays(7),
        TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f",
        ChargingSchedule = [Schedule],
    };

    private static readonly ComponentType Comm = new() { Name = "OCPPCommCtrlr", Instance = "Default", Evse = new EVSEType { Id = 1 } };

    private static readonly VariableType Interval = new() { Name = "HeartbeatInterval", Instance = "Primary" };

    public static IEnumerable<MessageExample> All =>
    [
        MessageExample.Of(V201Actions.BootNotification,
            new BootNotificationRequest
            {
                ChargingStation = new ChargingStationType
                {
                    Model = "Eve Double Pro",
                    VendorName = "Alfen BV",
                    SerialNumber = "ACE0012345",
                    FirmwareVersion = "6.1.0",
                    Modem = new ModemType { Iccid = "8931081234567890123", Imsi = "204081234567890" },
                },
                Reason = BootReasonEnumType.PowerUp,
                CustomData = Vendor,
            },
            new BootNotificationResponse { CurrentTime = Now, Interval = 300, Status = RegistrationStatusEnumType.Pending, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.Heartbeat, new HeartbeatRequest(), new HeartbeatResponse { CurrentTime = Now }),
        MessageExample.Of(V201Actions.StatusNotification,
            new StatusNotificationRequest { Timestamp = Now, ConnectorStatus = ConnectorStatusEnumType.Occupied, EvseId = 1, ConnectorId = 1 },
            new StatusNotificationResponse { CustomData = Vendor }),
        MessageExample.Of(V201Actions.Authorize,
            new AuthorizeRequest
            {
                IdToken = Card,
                Certificate = "-----BEGIN CERTIFICATE-----MIIB-----END CERTIFICATE-----",
                Iso15118CertificateHashData =
                [
                    new OCSPRequestDataType
                    {
                        HashAlgorithm = HashAlgorithmEnumType.SHA256,
                        IssuerNameHash = "a1b2c3",
                        IssuerKeyHash = "d4e5f6",
                        SerialNumber = "0123",
                        ResponderURL = "http://ocsp.example.com",
                    },
                ],
            },
            new AuthorizeResponse { IdTokenInfo = Accepted, CertificateStatus = AuthorizeCertificateStatusEnumType.Accepted }),
        MessageExample.Of(V201Actions.TransactionEvent,
            new TransactionEventRequest
            {
                EventType = TransactionEventEnumType.Updated,
                Timestamp = Now,
                TriggerReason = TriggerReasonEnumType.ChargingStateChanged,
                SeqNo = 3,
                Offline = true,
                NumberOfPhasesUsed = 3,
                CableMaxCurrent = 32,
                ReservationId = 9,
                TransactionInfo = new TransactionType
                {
                    TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f",
                    ChargingState = ChargingStateEnumType.SuspendedEV,
                    TimeSpentCharging = 5400,
                    StoppedReason = ReasonEnumType.SOCLimitReached,
                    RemoteStartId = 77,
                },
                Evse = Evse1,
                IdToken = Card,
                MeterValue = Readings,
            },
            new TransactionEventResponse
            {
                TotalCost = 12.50m,
                ChargingPriority = -2,
                IdTokenInfo = Accepted,
                UpdatedPersonalMessage = new MessageContentType { Format = MessageFormatEnumType.ASCII, Content = "Charging paused by car" },
            }),
        MessageExample.Of(V201Actions.MeterValues, new MeterValuesRequest { EvseId = 1, MeterValue = Readings }, new MeterValuesResponse()),
        MessageExample.Of(V201Actions.NotifyEvent,
            new NotifyEventRequest
            {
                GeneratedAt = Now,
                Tbc = false,
                SeqNo = 0,
                EventData =
                [
                    new EventDataType
                    {
                        EventId = 101,
                        Timestamp = Now,
                        Trigger = EventTriggerEnumType.Delta,
                        Cause = 100,
                        ActualValue = "Occupied",
                        TechCode = "CP-B",
                        TechInfo = "Control pilot state B",
                        Cleared = false,
                        TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f",
                        Component = new ComponentType { Name = "Connector", Evse = Evse1 },
                        VariableMonitoringId = 5,
                        EventNotificationType = EventNotificationEnumType.HardWiredNotification,
                        Variable = new VariableType { Name = "AvailabilityState" },
                    },
                ],
            },
            new NotifyEventResponse()),
        MessageExample.Of(V201Actions.DataTransfer,
            new DataTransferRequest { VendorId = "com.parkcharge", MessageId = "PlateHint", Data = JsonDocument.Parse("""{"bay":12,"plates":["AB123C"]}""").RootElement },
            new DataTransferResponse { Status = DataTransferStatusEnumType.Accepted, Data = JsonDocument.Parse("\"ok\"").RootElement, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.RequestStartTransaction,
            new RequestStartTransactionRequest
            {
                EvseId = 1,
                IdToken = Card,
                GroupIdToken = new IdTokenType { IdToken = "FLEET-7", Type = IdTokenEnumType.Central },
                RemoteStartId = 77,
                ChargingProfile = Profile with { TransactionId = null },
            },
            new RequestStartTransactionResponse { Status = RequestStartStopStatusEnumType.Accepted, TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f", StatusInfo = Busy }),
        MessageExample.Of(V201Actions.RequestStopTransaction,
            new RequestStopTransactionRequest { TransactionId = "c5b0a8f2-1d7e-4a57-9f1e-3b2a1c0d9e8f" },
            new RequestStopTransactionResponse { Status = RequestStartStopStatusEnumType.Rejected, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.ChangeAvailability,
            new ChangeAvailabilityRequest { Evse = Evse1, OperationalStatus = OperationalStatusEnumType.Inoperative },
            new ChangeAvailabilityResponse { Status = ChangeAvailabilityStatusEnumType.Scheduled, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.Reset,
            new ResetRequest { Type = ResetEnumType.OnIdle, EvseId = 1 },
            new ResetResponse { Status = ResetStatusEnumType.Scheduled, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.UnlockConnector,
            new UnlockConnectorRequest { EvseId = 1, ConnectorId = 1 },
            new UnlockConnectorResponse { Status = UnlockStatusEnumType.OngoingAuthorizedTransaction, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.TriggerMessage,
            new TriggerMessageRequest { RequestedMessage = MessageTriggerEnumType.StatusNotification, Evse = Evse1 },
            new TriggerMessageResponse { Status = TriggerMessageStatusEnumType.NotImplemented, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.GetVariables,
            new GetVariablesRequest
            {
                GetVariableData = [new GetVariableDataType { Component = Comm, Variable = Interval, AttributeType = AttributeEnumType.Actual }],
            },
            new GetVariablesResponse
            {
                GetVariableResult =
                [
                    new GetVariableResultType
                    {
                        AttributeStatus = GetVariableStatusEnumType.Accepted,
                        AttributeType = AttributeEnumType.Actual,
                        AttributeValue = "300",
                        AttributeStatusInfo = Busy,
                        Component = Comm,
                        Variable = Interval,
                    },
                ],
            }),
        MessageExample.Of(V201Actions.SetVariables,
            new SetVariablesRequest
            {
                SetVariableData = [new SetVariableDataType { AttributeType = AttributeEnumType.Target, AttributeValue = "60", Component = Comm, Variable = Interval }],
            },
            new SetVariablesResponse
            {
                SetVariableResult =
                [
                    new SetVariableResultType
                    {
                        AttributeType = AttributeEnumType.Target,
                        AttributeStatus = SetVariableStatusEnumType.RebootRequired,
                        AttributeStatusInfo = Busy,
                        Component = Comm,
                        Variable = Interval,
                    },
                ],
            }),
        MessageExample.Of(V201Actions.SetChargingProfile,
            new SetChargingProfileRequest { EvseId = 1, ChargingProfile = Profile },
            new SetChargingProfileResponse { Status = ChargingProfileStatusEnumType.Accepted, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.ClearChargingProfile,
            new ClearChargingProfileRequest
            {
                ChargingProfileId = 12,
                ChargingProfileCriteria = new ClearChargingProfileType { EvseId = 1, ChargingProfilePurpose = ChargingProfilePurposeEnumType.TxDefaultProfile, StackLevel = 0 },
            },
            new ClearChargingProfileResponse { Status = ClearChargingProfileStatusEnumType.Unknown, StatusInfo = Busy }),
        MessageExample.Of(V201Actions.GetCompositeSchedule,
            new GetCompositeScheduleRequest { Duration = 3600, ChargingRateUnit = ChargingRateUnitEnumType.A, EvseId = 1 },
            new GetCompositeScheduleResponse
            {
                Status = GenericStatusEnumType.Accepted,
                StatusInfo = Busy,
                Schedule = new CompositeScheduleType
                {
                    EvseId = 1,
                    Duration = 3600,
                    ScheduleStart = Now,
                    ChargingRateUnit = ChargingRateUnitEnumType.A,
                    ChargingSchedulePeriod = [new ChargingSchedulePeriodType { StartPeriod = 0, Limit = 16 }],
                },
            }),
    ];
}
