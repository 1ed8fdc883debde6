using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Ocpp.Messages;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>What a handler answers a CALL with: a CALLRESULT payload or a CALLERROR.</summary>
public abstract class RpcReply
{
    private protected RpcReply()
    {
    }

    /// <summary>A CALLRESULT carrying <paramref name="action"/>'s typed response.</summary>
    public static RpcReply Result<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, TResponse response) =>
        new TypedResult<TResponse>(response, action.Response);

    /// <summary>A CALLRESULT carrying any payload with its source-generated type info.</summary>
    public static RpcReply Result<T>(T payload, JsonTypeInfo<T> payloadType) => new TypedResult<T>(payload, payloadType);

    /// <summary>A CALLRESULT carrying a JSON object as is (copied now, so the element may come from a short-lived document).</summary>
    public static RpcReply Result(JsonElement payload) => new RawResult(payload.Clone());

    /// <summary>A CALLERROR; the code is spelled as the connection's version requires.</summary>
    public static RpcReply Error(RpcErrorCode errorCode, string description, JsonElement details = default) =>
        new ErrorReply(errorCode, description, details.ValueKind == JsonValueKind.Undefined ? default : details.Clone());

    /// <summary>The payload alone, for checking it against the response schema before it is sent.</summary>
    internal abstract JsonDocument? SerializePayload();

    internal abstract ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId);

    private sealed class TypedResult<T>(T payload, JsonTypeInfo<T> payloadType) : RpcReply
    {
        internal override JsonDocument SerializePayload() => JsonSerializer.SerializeToDocument(payload, payloadType);

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) => writer.CallResult(messageId, payload, payloadType);
    }

    private sealed class RawResult(JsonElement payload) : RpcReply
    {
        internal override JsonDocument SerializePayload() => JsonDocument.Parse(payload.GetRawText());

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) => writer.CallResult(messageId, payload);
    }

    internal sealed class ErrorReply(RpcErrorCode errorCode, string description, JsonElement details) : RpcReply
    {
        public RpcErrorCode ErrorCode => errorCode;

        public string Description => description;

        internal override JsonDocument? SerializePayload() => null;

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) => writer.CallError(messageId, errorCode, description, details);
    }
}
