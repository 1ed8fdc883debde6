using System.Text;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// Sees every frame a connection receives and sends, including the ones it refuses: the source
/// of the per-charger message log (DESIGN.md §5). Called from the receive and the send paths,
/// possibly at the same time, so implementations must be thread-safe and quick; an exception
/// is logged and otherwise ignored.
/// </summary>
public interface IRpcFrameObserver
{
    void OnFrame(in RpcFrameRecord frame);
}

public enum RpcFrameDirection
{
    Inbound,
    Outbound,
}

/// <summary>One frame as it crossed the wire.</summary>
/// <param name="Direction">Received or sent.</param>
/// <param name="Time">When, from the connection's <see cref="TimeProvider"/>.</param>
/// <param name="Utf8">The bytes as received or sent; for an oversized message, the part read. Only valid during <see cref="IRpcFrameObserver.OnFrame"/>: copy to keep.</param>
/// <param name="IsBinary">A WebSocket binary message (OCPP-J uses text only).</param>
/// <param name="MessageType">The message type, if readable and known.</param>
/// <param name="MessageId">The message id, if readable.</param>
/// <param name="Action">The action: of the CALL itself, or for a CALLRESULT/CALLERROR of the CALL it answers (null if it answers none of ours).</param>
/// <param name="ErrorReturned">
/// For an inbound frame we refused: the code of the CALLERROR we answered with; for a CALLRESULT that broke its
/// schema, the code of the 2.1 CALLRESULTERROR (1.6 and 2.0.1 cannot answer one: the code says what was wrong).
/// Null for a frame we took.
/// </param>
/// <param name="Problem">For an inbound frame we refused or ignored: why.</param>
public readonly record struct RpcFrameRecord(
    RpcFrameDirection Direction,
    DateTimeOffset Time,
    ReadOnlyMemory<byte> Utf8,
    bool IsBinary,
    RpcMessageType? MessageType,
    string? MessageId,
    string? Action,
    RpcErrorCode? ErrorReturned,
    string? Problem)
{
    /// <summary>The frame as text (binary messages decoded leniently).</summary>
    public string Text => Encoding.UTF8.GetString(Utf8.Span);
}
