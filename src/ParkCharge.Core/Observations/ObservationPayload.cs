using System.Text.Json.Serialization;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Observations;

/// <summary>
/// What an observation says. The type discriminator is the stable name stored in the log; renaming
/// one breaks replay of existing logs, so names are only ever added.
/// </summary>
/// <param name="Kind">The discriminator name (as stored in the log), for logs and diagnostics.</param>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ChargerRegistration), ChargerRegistration.TypeName)]
[JsonDerivedType(typeof(ConnectionOpened), ConnectionOpened.TypeName)]
[JsonDerivedType(typeof(ConnectionClosed), ConnectionClosed.TypeName)]
[JsonDerivedType(typeof(BootReported), BootReported.TypeName)]
[JsonDerivedType(typeof(ConnectorStatusReported), ConnectorStatusReported.TypeName)]
[JsonDerivedType(typeof(IdTokenPresented), IdTokenPresented.TypeName)]
[JsonDerivedType(typeof(TransactionStartReported), TransactionStartReported.TypeName)]
[JsonDerivedType(typeof(TransactionStopReported), TransactionStopReported.TypeName)]
[JsonDerivedType(typeof(MeterValuesReported), MeterValuesReported.TypeName)]
[JsonDerivedType(typeof(TransactionEventReported), TransactionEventReported.TypeName)]
[JsonDerivedType(typeof(ChargerEventsReported), ChargerEventsReported.TypeName)]
[JsonDerivedType(typeof(DataTransferReceived), DataTransferReceived.TypeName)]
[JsonDerivedType(typeof(ChargerNotificationReceived), ChargerNotificationReceived.TypeName)]
[JsonDerivedType(typeof(SecurityEventReported), SecurityEventReported.TypeName)]
[JsonDerivedType(typeof(UpstreamCommandRefused), UpstreamCommandRefused.TypeName)]
[JsonDerivedType(typeof(SiteConfigured), SiteConfigured.TypeName)]
[JsonDerivedType(typeof(PlateRead), PlateRead.TypeName)]
[JsonDerivedType(typeof(BayVacancyReported), BayVacancyReported.TypeName)]
[JsonDerivedType(typeof(BayOccupancyReported), BayOccupancyReported.TypeName)]
[JsonDerivedType(typeof(PlateCorrected), PlateCorrected.TypeName)]
[JsonDerivedType(typeof(ParkingSessionClosedByOperator), ParkingSessionClosedByOperator.TypeName)]
[JsonDerivedType(typeof(ParkingSessionsMerged), ParkingSessionsMerged.TypeName)]
[JsonDerivedType(typeof(TimerElapsed), TimerElapsed.TypeName)]
[JsonDerivedType(typeof(BindingResolvedByOperator), BindingResolvedByOperator.TypeName)]
[JsonDerivedType(typeof(Billing.PaymentRecorded), Billing.PaymentRecorded.TypeName)]
[JsonDerivedType(typeof(Billing.SettlementReported), Billing.SettlementReported.TypeName)]
[JsonDerivedType(typeof(Commands.CommandSubmitted), Commands.CommandSubmitted.TypeName)]
[JsonDerivedType(typeof(Commands.CommandSent), Commands.CommandSent.TypeName)]
[JsonDerivedType(typeof(Commands.CommandAnswered), Commands.CommandAnswered.TypeName)]
[JsonDerivedType(typeof(Commands.FileTransferStatusReported), Commands.FileTransferStatusReported.TypeName)]
[JsonDerivedType(typeof(Commands.LogUploaded), Commands.LogUploaded.TypeName)]
public abstract record ObservationPayload([property: JsonIgnore] string Kind);
