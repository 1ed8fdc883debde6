using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>Settings of one <see cref="RpcConnection"/>.</summary>
public sealed record RpcConnectionOptions
{
    /// <summary>The OCPP version negotiated as the WebSocket subprotocol.</summary>
    public required OcppVersion Version { get; init; }

    /// <summary>The charge point at either end (the peer when we are the server, ourselves when we act as a charger); for logs.</summary>
    public required string ChargerId { get; init; }

    /// <summary>Larger messages close the connection with 1009 (RFC 6455 §7.4.1). OCPP sets no limit; 1 MiB holds any sane payload.</summary>
    public int MaxMessageBytes { get; init; } = 1024 * 1024;

    /// <summary>How long a CALL we send may wait for its answer.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for the peer's close frame after sending ours.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// CALLs received but not yet handled. A peer may have only one CALL outstanding (OCPP-J
    /// §4.1.1); a peer that ignores this is slowed down (TCP back-pressure) once the queue is full.
    /// </summary>
    public int MaxQueuedCalls { get; init; } = 16;

    /// <summary>
    /// Hands CALLs of actions the version does not define to the handler instead of answering them
    /// NotImplemented: a proxy forwards them to the other peer, which answers as it would directly.
    /// </summary>
    public bool PassUnknownActions { get; init; }

    /// <summary>
    /// Checks our own CALLRESULT payloads against the response schema before sending: an invalid
    /// one is a bug, logged, and replaced by an InternalError CALLERROR; and our own CALLs against the
    /// request schema: an invalid one is not sent (<see cref="RpcCallStatus.InvalidRequest"/>). On in
    /// Debug builds. A CALL of a newer version's record (2.1 on 2.0.1) is checked whatever this says.
    /// </summary>
#if DEBUG
    public bool ValidateOwnResponses { get; init; } = true;
#else
    public bool ValidateOwnResponses { get; init; }
#endif
}
