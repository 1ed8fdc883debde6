using System.Text.Json;
using System.Text.Json.Serialization;

using ParkCharge.Server.Auth;
using ParkCharge.Storage.Audit;
using ParkCharge.Storage.Events;
using ParkCharge.Storage.Queries;
using ParkCharge.Storage.Webhooks;

namespace ParkCharge.Server.Apis;

/// <summary>Source-generated JSON for the integration API's bodies.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(RegisterChargerRequest))]
[JsonSerializable(typeof(ChargerView))]
[JsonSerializable(typeof(IReadOnlyList<ChargerView>))]
[JsonSerializable(typeof(Page<ChargingSessionView>))]
[JsonSerializable(typeof(ChargingSessionView))]
[JsonSerializable(typeof(Page<MessageView>))]
[JsonSerializable(typeof(Page<SecurityEventView>))]
[JsonSerializable(typeof(IReadOnlyList<ParkCharge.Storage.Certificates.ChargerCertificateView>))]
[JsonSerializable(typeof(SignChargerCertificateRequest))]
[JsonSerializable(typeof(SignedChargerCertificate))]
[JsonSerializable(typeof(ParkCharge.Server.Certificates.CertificateAuthorityView))]
[JsonSerializable(typeof(IReadOnlyList<StatusEntryView>))]
[JsonSerializable(typeof(Page<ParkingSessionView>))]
[JsonSerializable(typeof(ParkingSessionView))]
[JsonSerializable(typeof(Page<ParkingAnomalyView>))]
[JsonSerializable(typeof(SightingView))]
[JsonSerializable(typeof(PlateCorrectionRequest))]
[JsonSerializable(typeof(CloseParkingSessionRequest))]
[JsonSerializable(typeof(MergeParkingSessionsRequest))]
[JsonSerializable(typeof(IReadOnlyList<SiteResponse>))]
[JsonSerializable(typeof(SiteResponse))]
[JsonSerializable(typeof(IReadOnlyList<BayView>))]
[JsonSerializable(typeof(OccupancyView))]
[JsonSerializable(typeof(AnprPushResponse))]
[JsonSerializable(typeof(Page<BindingView>))]
[JsonSerializable(typeof(ResolveBindingRequest))]
[JsonSerializable(typeof(BillResponse))]
[JsonSerializable(typeof(PaymentRequest))]
[JsonSerializable(typeof(PaymentResponse))]
[JsonSerializable(typeof(ExitDecisionResponse))]
[JsonSerializable(typeof(DailyReport))]
[JsonSerializable(typeof(NewApiKey))]
[JsonSerializable(typeof(CreatedApiKeyResponse))]
[JsonSerializable(typeof(ApiKeyView))]
[JsonSerializable(typeof(CurrentKeyView))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyView>))]
[JsonSerializable(typeof(Page<ApiAuditEntry>))]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(Page<EventEnvelope>))]
[JsonSerializable(typeof(IReadOnlyList<EventTypeView>))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(UpdateWebhookRequest))]
[JsonSerializable(typeof(WebhookReplayRequest))]
[JsonSerializable(typeof(WebhookView))]
[JsonSerializable(typeof(IReadOnlyList<WebhookView>))]
[JsonSerializable(typeof(WebhookReplay))]
[JsonSerializable(typeof(Page<WebhookDelivery>))]
[JsonSerializable(typeof(SubmitCommandRequest))]
[JsonSerializable(typeof(CommandView))]
[JsonSerializable(typeof(Page<CommandView>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
