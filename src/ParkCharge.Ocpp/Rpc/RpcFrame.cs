using System.Buffers;
using System.Text.Json;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>The message type number, the first element of every OCPP-J frame (OCPP-J 1.6 §4.1.3, 2.0.1 and 2.1 §4.1).</summary>
public enum RpcMessageType
{
    Call = 2,
    CallResult = 3,
    CallError = 4,

    /// <summary>OCPP 2.1 only: the answer to a CALLRESULT the receiver found invalid (schema or framing). Never answered.</summary>
    CallResultError = 5,

    /// <summary>OCPP 2.1 only: an unconfirmed message, never answered, that may travel while a CALL is outstanding.</summary>
    Send = 6,
}

/// <summary>
/// A well-formed OCPP-J frame. It owns the parsed document and the bytes beneath it: the
/// <see cref="JsonElement"/>s it exposes are valid until <see cref="Dispose"/>, after which reading
/// them throws <see cref="ObjectDisposedException"/>. Clone an element to keep it longer.
/// </summary>
public abstract class RpcFrame : IDisposable
{
    private readonly JsonDocument _document;
    private byte[]? _rentedBytes;

    private protected RpcFrame(JsonDocument document, byte[]? rentedBytes, string messageId)
    {
        _document = document;
        _rentedBytes = rentedBytes;
        MessageId = messageId;
    }

    public abstract RpcMessageType MessageType { get; }

    public string MessageId { get; }

    public void Dispose()
    {
        _document.Dispose();
        if (Interlocked.Exchange(ref _rentedBytes, null) is { } bytes)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary><c>[2, messageId, action, payload]</c>, or a 2.1 SEND <c>[6, messageId, action, payload]</c>.</summary>
public sealed class RpcCallFrame : RpcFrame
{
    internal RpcCallFrame(JsonDocument document, byte[]? rentedBytes, string messageId, string action, JsonElement payload,
        RpcMessageType messageType = RpcMessageType.Call)
        : base(document, rentedBytes, messageId)
    {
        Action = action;
        Payload = payload;
        MessageType = messageType;
    }

    /// <summary><see cref="RpcMessageType.Call"/> or <see cref="RpcMessageType.Send"/>.</summary>
    public override RpcMessageType MessageType { get; }

    public string Action { get; }

    /// <summary>A JSON object (the reader refuses anything else).</summary>
    public JsonElement Payload { get; }
}

/// <summary><c>[3, messageId, payload]</c></summary>
public sealed class RpcCallResultFrame : RpcFrame
{
    internal RpcCallResultFrame(JsonDocument document, byte[]? rentedBytes, string messageId, JsonElement payload)
        : base(document, rentedBytes, messageId)
    {
        Payload = payload;
    }

    public override RpcMessageType MessageType => RpcMessageType.CallResult;

    /// <summary>A JSON object (the reader refuses anything else).</summary>
    public JsonElement Payload { get; }
}

/// <summary>
/// <c>[4, messageId, errorCode, errorDescription, errorDetails]</c>, or a 2.1 CALLRESULTERROR
/// <c>[5, messageId, errorCode, errorDescription, errorDetails]</c>: the peer found our CALLRESULT with that id invalid.
/// </summary>
public sealed class RpcCallErrorFrame : RpcFrame
{
    internal RpcCallErrorFrame(JsonDocument document, byte[]? rentedBytes, string messageId, string errorCode, string description, JsonElement details,
        RpcMessageType messageType = RpcMessageType.CallError)
        : base(document, rentedBytes, messageId)
    {
        ErrorCode = errorCode;
        KnownErrorCode = RpcErrorCodeWireNames.TryParse(errorCode, out RpcErrorCode known) ? known : null;
        Description = description;
        Details = details;
        MessageType = messageType;
    }

    /// <summary><see cref="RpcMessageType.CallError"/> or <see cref="RpcMessageType.CallResultError"/>.</summary>
    public override RpcMessageType MessageType { get; }

    /// <summary>The code as received, which may be a vendor's own or either version's spelling.</summary>
    public string ErrorCode { get; }

    /// <summary>The code if it is one of OCPP's, in either version's spelling; otherwise null.</summary>
    public RpcErrorCode? KnownErrorCode { get; }

    public string Description { get; }

    /// <summary>The details object; <see cref="JsonValueKind.Undefined"/> when the sender left it out.</summary>
    public JsonElement Details { get; }
}

/// <summary>
/// Why a message is not a usable OCPP-J frame, and how to answer it. A CALL that cannot be read
/// far enough to find its id is answered with id <c>"-1"</c> (OCPP-J 2.0.1 §4.2.3); a malformed
/// CALLRESULT, CALLERROR, CALLRESULTERROR or SEND is never answered with a CALLERROR
/// (<see cref="ReplyMessageId"/> is null; in 2.1 a malformed CALLRESULT gets a CALLRESULTERROR).
/// </summary>
/// <param name="ReplyMessageId">The id for the answering CALLERROR, or null when the frame must not be answered with one.</param>
/// <param name="ErrorCode">The error to answer with (version-neutral; see <see cref="RpcErrorCodeWireNames"/>).</param>
/// <param name="Description">What is wrong with the frame.</param>
/// <param name="MessageType">The message type, when it could be read and is known.</param>
/// <param name="MessageId">The message id, when it could be read.</param>
public sealed record RpcFrameFault(string? ReplyMessageId, RpcErrorCode ErrorCode, string Description, RpcMessageType? MessageType, string? MessageId);
