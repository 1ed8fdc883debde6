using System.Security.Cryptography;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Ocpp.V21;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>Where a charger's observations go, and what the central system tells chargers.</summary>
/// <param name="Site">The site the charger is registered at.</param>
/// <param name="Charger">The charger at the other end of the connection.</param>
/// <param name="Submit">Decides on an observation; completes with the reply once the observation is durable.</param>
/// <param name="HeartbeatInterval">Told to chargers in the BootNotification answer.</param>
/// <param name="Certificates">Signs the charger's certificate signing requests; null: none are signed.</param>
public sealed record ChargerLink(SiteId Site, ChargerId Charger, Func<Observation, Task<Reply>> Submit, TimeProvider Time, TimeSpan HeartbeatInterval,
    IChargerCertificateSigner? Certificates = null);

/// <summary>
/// The central system's side of one charger connection: each CALL becomes an observation, goes to
/// the site engine, and is answered only after it is durable (DESIGN.md §1.3). Heartbeat is
/// answered directly: it says nothing the log needs beyond the message log.
/// </summary>
public sealed class ChargerCallHandler(ChargerLink link) : IRpcCallHandler
{
    public async ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
        (await AnswerAsync(inboundCall, cancellationToken)).Reply;

    /// <summary>
    /// The answer to a CALL and the engine's decision behind it (null for Heartbeat, SignCertificate and
    /// actions ParkCharge does not support): a proxy answering while the charger's backend is away needs
    /// both, the answer for the charger and, say, the transaction id it issued.
    /// </summary>
    public async ValueTask<(RpcReply Reply, Reply? Decision)> AnswerAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken)
    {
        var now = link.Time.GetUtcNow();
        if (inboundCall.Is(V16Actions.Heartbeat))
        {
            return (RpcReply.Result(V16Actions.Heartbeat, new V16.HeartbeatResponse { CurrentTime = now }), null);
        }

        if (inboundCall.Is(V21Actions.Heartbeat))
        {
            return (RpcReply.Result(V21Actions.Heartbeat, new V21.HeartbeatResponse { CurrentTime = now }), null);
        }

        if (inboundCall.Is(V16Actions.SignCertificate) || inboundCall.Is(V21Actions.SignCertificate))
        {
            return (await SignCertificateAsync(inboundCall, cancellationToken), null);
        }

        var message = Read(inboundCall, now);
        if (message is null)
        {
            return (RpcReply.Error(RpcErrorCode.NotSupported, $"ParkCharge does not support {inboundCall.Action}."), null);
        }

        var reply = await SubmitAsync(inboundCall, message.EventTime, now, message.Payload);
        return reply is Refused refused
            ? (RpcReply.Error(RpcErrorCode.SecurityError, refused.Reason), reply)
            : (message.Answer(reply), reply);
    }

    /// <summary>
    /// Proxy mode: a CALL the charger's own backend answered (its answer went to the charger unchanged) is
    /// observed as a direct charger's would be, so that binding, billing and events are the same. What the
    /// engine must learn from the backend's answer it learns here: for a 1.6 StartTransaction, the transaction
    /// id the backend issued. Heartbeat and SignCertificate say nothing the log needs (the backend signs).
    /// Returns the engine's reply, which goes nowhere; null when the action is not observed.
    /// </summary>
    public async Task<Reply?> RecordAsync(RpcInboundCall inboundCall, JsonElement upstreamAnswer)
    {
        if (inboundCall.Is(V16Actions.Heartbeat) || inboundCall.Is(V21Actions.Heartbeat)
            || inboundCall.Is(V16Actions.SignCertificate) || inboundCall.Is(V21Actions.SignCertificate))
        {
            return null;
        }

        var now = link.Time.GetUtcNow();
        if (Read(inboundCall, now) is not { } message)
        {
            return null;
        }

        var payload = message.Payload;
        if (payload is TransactionStartReported start && upstreamAnswer.ValueKind == JsonValueKind.Object
            && upstreamAnswer.TryGetProperty("transactionId", out var issued) && issued.TryGetInt32(out var transactionId))
        {
            payload = start with { IssuedTransactionId = transactionId };
        }

        return await SubmitAsync(inboundCall, message.EventTime, now, payload);
    }

    /// <summary>The charger's CALL as ParkCharge reads it in the charger's OCPP version; null for an action it does not support.</summary>
    private InboundMessage? Read(RpcInboundCall inboundCall, DateTimeOffset now) =>
        inboundCall.Version == OcppVersion.Ocpp16
            ? V16Inbound.Read(link.Charger, inboundCall, now, link.HeartbeatInterval)
            : V2Inbound.Read(link.Charger, inboundCall, now, link.HeartbeatInterval);

    /// <summary>Hands the CALL to the site's engine as an observation of this charger (keyed by its message id, so a repeat is one).</summary>
    private Task<Reply> SubmitAsync(RpcInboundCall inboundCall, DateTimeOffset eventTime, DateTimeOffset now, ObservationPayload payload) =>
        link.Submit(new Observation
        {
            Site = link.Site,
            Source = $"ocpp:{link.Charger.Value}",
            Key = Key(link.Charger, inboundCall),
            EventTime = eventTime,
            ReceivedAt = now,
            Payload = payload,
        });

    /// <summary>
    /// SignCertificate: the CSR goes to the CA at once, so that Accepted means a certificate exists; the
    /// chain follows in CertificateSigned once the answer is on the wire (2.0.1/2.1 A02.FR.05: the
    /// CSMS sends it after accepting), and how the charger took it is recorded.
    /// </summary>
    private async Task<RpcReply> SignCertificateAsync(RpcInboundCall call, CancellationToken ct)
    {
        CertificateSigningRequest request;
        if (call.TryRead(V16Actions.SignCertificate, out var request16))
        {
            request = new CertificateSigningRequest(request16.Csr, CertificateUse.ChargingStation);
        }
        else
        {
            var request2 = call.Deserialize(V21Actions.SignCertificate.Request);
            var use = request2.CertificateType is null or V21.CertificateSigningUseEnumType.ChargingStationCertificate ? CertificateUse.ChargingStation : CertificateUse.V2G;
            request = new CertificateSigningRequest(request2.Csr, use, request2.RequestId);
        }

        var outcome = link.Certificates is { } signer
            ? await signer.SignAsync(link.Charger, request, ct)
            : new CertificateSigningOutcome.Refused("NoCA", "This central system signs no certificates.");
        var accepted = outcome is CertificateSigningOutcome.Issued;
        var reply = call.Version == OcppVersion.Ocpp16
            ? RpcReply.Result(V16Actions.SignCertificate, new V16.SignCertificateResponse { Status = accepted ? V16.GenericStatusEnumType.Accepted : V16.GenericStatusEnumType.Rejected })
            : RpcReply.Result(V21Actions.SignCertificate, new V21.SignCertificateResponse
            {
                Status = accepted ? V21.GenericStatusEnumType.Accepted : V21.GenericStatusEnumType.Rejected,
                StatusInfo = outcome is CertificateSigningOutcome.Refused refused
                    ? new V21.StatusInfoType { ReasonCode = refused.ReasonCode, AdditionalInfo = refused.Reason.Length <= 512 ? refused.Reason : refused.Reason[..512] }
                    : null,
            });
        return outcome is CertificateSigningOutcome.Issued issued
            ? reply.Then((rpc, token) => DeliverCertificateAsync(rpc, request, issued, token))
            : reply;
    }

    private async Task DeliverCertificateAsync(RpcConnection rpc, CertificateSigningRequest request, CertificateSigningOutcome.Issued issued, CancellationToken ct)
    {
        string outcome;
        if (rpc.Version == OcppVersion.Ocpp16)
        {
            var answer = await rpc.CallAsync(V16Actions.CertificateSigned, new V16.CertificateSignedRequest { CertificateChain = issued.CertificateChainPem }, ct);
            outcome = answer.IsCompleted ? WireNames.Of(answer.Response.Status) : Describe(answer.Status, answer.Rejection);
        }
        else
        {
            var answer = await rpc.CallAsync(V21Actions.CertificateSigned, new V21.CertificateSignedRequest
            {
                CertificateChain = issued.CertificateChainPem,
                CertificateType = V21.CertificateSigningUseEnumType.ChargingStationCertificate,
                RequestId = rpc.Version == OcppVersion.Ocpp21 ? request.RequestId : null, // 2.0.1 has no requestId
            }, ct);
            outcome = answer.IsCompleted ? WireNames.Of(answer.Response.Status) : Describe(answer.Status, answer.Rejection);
        }

        if (link.Certificates is { } signer)
        {
            // Recorded even when the connection has just ended: "Disconnected" is worth knowing too.
            await signer.DeliveredAsync(link.Charger, issued.Thumbprint, outcome, CancellationToken.None);
        }

        static string Describe(RpcCallStatus status, RpcCallRejection? rejection) =>
            rejection is null ? status.ToString() : $"CALLERROR {rejection.ErrorCode}";
    }

    /// <summary>
    /// The idempotency key of a CALL: charger, message id, action and a hash of the payload. A CALL
    /// re-sent with the same id is recognised; a charger that restarts its message-id counter after a
    /// reboot does not collide with its past, because the content differs. (A transaction message
    /// re-sent with a new id is recognised by the engine from its content.)
    /// </summary>
    public static string Key(ChargerId charger, RpcInboundCall call)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(call.Payload.GetRawText()), hash);
        return $"ocpp:{charger.Value}:{call.MessageId}:{call.Action}:{Convert.ToHexStringLower(hash[..8])}";
    }
}
