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

    /// <summary>
    /// A CALLERROR exactly as another peer answered (a proxy passing a backend's or a charger's refusal on):
    /// its code as spelled there, vendor codes included, its description and details.
    /// </summary>
    public static RpcReply Error(RpcCallRejection rejection) => new ForwardedError(rejection);

    /// <summary>
    /// The same answer, and work that must follow it on the wire: <paramref name="afterSent"/> starts once
    /// the CALLRESULT has been sent (never if it was not, or was replaced by an error), outside the
    /// dispatcher, so it may make CALLs of its own. OCPP's example: CertificateSigned after the answer
    /// to SignCertificate (2.0.1 and 2.1 A02/A03, the 1.6 security whitepaper).
    /// </summary>
    public RpcReply Then(Func<RpcConnection, CancellationToken, Task> afterSent) => new FollowedReply(this, afterSent);

    /// <summary>A CALLERROR rather than a CALLRESULT.</summary>
    public virtual bool IsError => false;

    /// <summary>The payload alone, for checking it against the response schema before it is sent.</summary>
    internal abstract JsonDocument? SerializePayload();

    internal abstract ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId);

    internal sealed class FollowedReply(RpcReply reply, Func<RpcConnection, CancellationToken, Task> afterSent) : RpcReply
    {
        public Func<RpcConnection, CancellationToken, Task> AfterSent => afterSent;

        public override bool IsError => reply.IsError;

        internal override JsonDocument? SerializePayload() => reply.SerializePayload();

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) => reply.Write(writer, messageId);
    }

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

    private sealed class ForwardedError(RpcCallRejection rejection) : RpcReply
    {
        public override bool IsError => true;

        internal override JsonDocument? SerializePayload() => null;

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) =>
            writer.CallError(messageId, rejection.ErrorCode, rejection.Description, rejection.Details);
    }

    internal sealed class ErrorReply(RpcErrorCode errorCode, string description, JsonElement details) : RpcReply
    {
        public RpcErrorCode ErrorCode => errorCode;

        public string Description => description;

        public override bool IsError => true;

        internal override JsonDocument? SerializePayload() => null;

        internal override ReadOnlyMemory<byte> Write(RpcFrameWriter writer, string messageId) => writer.CallError(messageId, errorCode, description, details);
    }
}
