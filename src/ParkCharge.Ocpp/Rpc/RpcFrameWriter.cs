using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// Writes OCPP-J frames into a pooled buffer. Each method returns the frame's bytes, valid until the
/// next write or <see cref="Release"/>; one writer per connection, used by one sender at a time.
/// </summary>
public sealed class RpcFrameWriter : IDisposable
{
    /// <summary>OCPP-J 2.0.1 and 2.1 §4.2.3 limit errorDescription to 255 characters; 1.6 sets no limit, and the same cap does no harm.</summary>
    public const int MaxErrorDescriptionLength = 255;

    // Only what JSON requires is escaped: non-ASCII goes out as UTF-8 and '+' stays '+', which
    // the simple JSON parsers of charger firmware handle better than \uXXXX escapes.
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly PooledByteBuffer _buffer = new();
    private readonly Utf8JsonWriter _json;

    public RpcFrameWriter(OcppVersion version)
    {
        Version = version;
        _json = new Utf8JsonWriter(_buffer, Options);
    }

    public OcppVersion Version { get; }

    public ReadOnlyMemory<byte> Call<T>(string messageId, string action, T payload, JsonTypeInfo<T> payloadType)
    {
        Begin(RpcMessageType.Call, messageId);
        _json.WriteStringValue(action);
        JsonSerializer.Serialize(_json, payload, payloadType);
        return End();
    }

    /// <summary>A CALL whose payload is a JSON object as is (a proxy forwarding another peer's CALL).</summary>
    public ReadOnlyMemory<byte> Call(string messageId, string action, JsonElement payload)
    {
        Begin(RpcMessageType.Call, messageId);
        _json.WriteStringValue(action);
        payload.WriteTo(_json);
        return End();
    }

    public ReadOnlyMemory<byte> CallResult<T>(string messageId, T payload, JsonTypeInfo<T> payloadType)
    {
        Begin(RpcMessageType.CallResult, messageId);
        JsonSerializer.Serialize(_json, payload, payloadType);
        return End();
    }

    public ReadOnlyMemory<byte> CallResult(string messageId, JsonElement payload)
    {
        Begin(RpcMessageType.CallResult, messageId);
        payload.WriteTo(_json);
        return End();
    }

    /// <summary>A CALLERROR with the code spelled as <see cref="Version"/> requires; details default to <c>{}</c>.</summary>
    public ReadOnlyMemory<byte> CallError(string messageId, RpcErrorCode errorCode, string description, JsonElement details = default) =>
        Error(RpcMessageType.CallError, messageId, errorCode, description, details);

    /// <summary>
    /// An OCPP 2.1 CALLRESULTERROR, the answer to a CALLRESULT found invalid (OCPP 2.1 Part 2 FR.06):
    /// like a CALLERROR, with message type 5 and the id of that CALLRESULT.
    /// </summary>
    public ReadOnlyMemory<byte> CallResultError(string messageId, RpcErrorCode errorCode, string description, JsonElement details = default) =>
        Version == OcppVersion.Ocpp21
            ? Error(RpcMessageType.CallResultError, messageId, errorCode, description, details)
            : throw new InvalidOperationException($"OCPP {Version.Label()} has no CALLRESULTERROR.");

    /// <summary>
    /// A CALLERROR with the code as another peer sent it (a proxy passing a backend's or a charger's
    /// refusal on unchanged: the same code, vendor codes included, description and details).
    /// </summary>
    public ReadOnlyMemory<byte> CallError(string messageId, string errorCode, string description, JsonElement details = default) =>
        Error(RpcMessageType.CallError, messageId, errorCode, description, details);

    private ReadOnlyMemory<byte> Error(RpcMessageType type, string messageId, RpcErrorCode errorCode, string description, JsonElement details) =>
        Error(type, messageId, errorCode.ToWireName(Version), description, details);

    private ReadOnlyMemory<byte> Error(RpcMessageType type, string messageId, string errorCode, string description, JsonElement details)
    {
        Begin(type, messageId);
        _json.WriteStringValue(errorCode);
        _json.WriteStringValue(Truncate(description));
        if (details.ValueKind == JsonValueKind.Object)
        {
            details.WriteTo(_json);
        }
        else
        {
            _json.WriteStartObject();
            _json.WriteEndObject();
        }

        return End();
    }

    /// <summary>
    /// Gives the buffer of the last frame back to the pool once it has been sent (the frame's memory is then
    /// no longer valid), so a writer holds no buffer between frames; the next write rents one again.
    /// </summary>
    public void Release() => _buffer.Reset();

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }

    private void Begin(RpcMessageType type, string messageId)
    {
        _buffer.Reset();
        _json.Reset(_buffer);
        _json.WriteStartArray();
        _json.WriteNumberValue((int)type);
        _json.WriteStringValue(messageId);
    }

    private ReadOnlyMemory<byte> End()
    {
        _json.WriteEndArray();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private static string Truncate(string description)
    {
        if (description.Length <= MaxErrorDescriptionLength)
        {
            return description;
        }

        int cut = MaxErrorDescriptionLength;
        if (char.IsHighSurrogate(description[cut - 1]))
        {
            cut--;
        }

        return description[..cut];
    }
}
