using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Messages;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// A CALL from the peer whose payload passed the request schema, as a handler sees it. The
/// payload lives in a pooled buffer that is recycled when the handler's task completes:
/// read what you need, or <see cref="JsonElement.Clone"/> it.
/// </summary>
public sealed class RpcInboundCall
{
    private readonly RpcCallFrame _frame;

    internal RpcInboundCall(RpcCallFrame frame, OcppVersion version)
    {
        _frame = frame;
        Version = version;
    }

    public string MessageId => _frame.MessageId;

    public string Action => _frame.Action;

    public OcppVersion Version { get; }

    /// <summary>The validated payload object. Valid until the handler's task completes.</summary>
    public JsonElement Payload => _frame.Payload;

    /// <summary>
    /// True if this call is <paramref name="action"/>: the same name, and the action typed for this
    /// call's version or for one that extends it (a 2.0.1 call reads as 2.1's record; see <see cref="OcppMessageFamily"/>).
    /// </summary>
    public bool Is(OcppAction action) => Version.Carries(action.Version) && string.Equals(action.Name, Action, StringComparison.Ordinal);

    /// <summary>
    /// Reads the payload as <paramref name="action"/>'s request if this call is that action:
    /// <c>if (call.TryRead(V201Actions.TransactionEvent, out var request)) ...</c>
    /// </summary>
    /// <exception cref="RpcPayloadException">The payload is schema-valid but does not fit the record (see there).</exception>
    public bool TryRead<TRequest, TResponse>(OcppAction<TRequest, TResponse> action, [MaybeNullWhen(false)] out TRequest request)
    {
        if (!Is(action))
        {
            request = default;
            return false;
        }

        request = Deserialize(action.Request);
        return true;
    }

    /// <exception cref="RpcPayloadException">The payload is schema-valid but does not fit the type (see there).</exception>
    public T Deserialize<T>(JsonTypeInfo<T> typeInfo)
    {
        try
        {
            return Payload.Deserialize(typeInfo) ?? throw new RpcPayloadException("The payload is null.");
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string with an unpaired surrogate escape ("\ud800"), valid JSON
            // syntax but no text; the schema check does not read strings as text.
            throw new RpcPayloadException(exception.Message, exception);
        }
    }
}

/// <summary>
/// A payload the schema allows but the typed message cannot hold: an integer beyond Int32, a date
/// outside years 1 to 9999, a string that is no text (an unpaired surrogate). The connection answers it with
/// PropertyConstraintViolation rather than InternalError: the value, not our code, is the problem.
/// </summary>
public sealed class RpcPayloadException : Exception
{
    public RpcPayloadException(string message)
        : base(message)
    {
    }

    public RpcPayloadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
