using System.Security.Cryptography;

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
public sealed record ChargerLink(SiteId Site, ChargerId Charger, Func<Observation, Task<Reply>> Submit, TimeProvider Time, TimeSpan HeartbeatInterval);

/// <summary>
/// The central system's side of one charger connection: each CALL becomes an observation, goes to
/// the site engine, and is answered only after it is durable (DESIGN.md §1.3). Heartbeat is
/// answered directly: it says nothing the log needs beyond the message log.
/// </summary>
public sealed class ChargerCallHandler(ChargerLink link) : IRpcCallHandler
{
    public async ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken)
    {
        var now = link.Time.GetUtcNow();
        if (inboundCall.Is(V16Actions.Heartbeat))
        {
            return RpcReply.Result(V16Actions.Heartbeat, new V16.HeartbeatResponse { CurrentTime = now });
        }

        if (inboundCall.Is(V21Actions.Heartbeat))
        {
            return RpcReply.Result(V21Actions.Heartbeat, new V21.HeartbeatResponse { CurrentTime = now });
        }

        var message = inboundCall.Version == OcppVersion.Ocpp16
            ? V16Inbound.Read(link.Charger, inboundCall, now, link.HeartbeatInterval)
            : V2Inbound.Read(link.Charger, inboundCall, now, link.HeartbeatInterval);
        if (message is null)
        {
            return RpcReply.Error(RpcErrorCode.NotSupported, $"ParkCharge does not support {inboundCall.Action}.");
        }

        var reply = await link.Submit(new Observation
        {
            Site = link.Site,
            Source = $"ocpp:{link.Charger.Value}",
            Key = Key(link.Charger, inboundCall),
            EventTime = message.EventTime,
            ReceivedAt = now,
            Payload = message.Payload,
        });
        return reply is Refused refused
            ? RpcReply.Error(RpcErrorCode.SecurityError, refused.Reason)
            : message.Answer(reply);
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
