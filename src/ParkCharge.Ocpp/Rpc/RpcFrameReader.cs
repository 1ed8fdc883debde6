using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.Rpc;

/// <summary>
/// Parses one WebSocket text message into an OCPP-J frame (OCPP-J 1.6 §4, 2.0.1 and 2.1 §4), or says
/// how to answer it when it is not one. 2.1 adds CALLRESULTERROR (5) and SEND (6); to 1.6 and
/// 2.0.1 they are unknown message types like any other.
/// </summary>
public static class RpcFrameReader
{
    /// <summary>The message id of the CALLERROR that answers a frame whose own id cannot be read.</summary>
    public const string UnreadableMessageId = "-1";

    /// <summary>OCPP-J 2.0.1 and 2.1 §4.1: message ids are at most 36 characters (a UUID).</summary>
    public const int MaxMessageIdLength = 36;

    /// <summary>
    /// Strict JSON: no trailing commas or comments, at most 64 levels, and no property name twice in one object (a
    /// payload like <c>{"connectorId":1,"connectorId":-5}</c> could pass the schema check on one value and be read
    /// as the other).
    /// </summary>
    private static readonly JsonDocumentOptions StrictJson = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses a copy of <paramref name="utf8"/>; the frame owns the copy.</summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, OcppVersion version,
        [NotNullWhen(true)] out RpcFrame? frame, [NotNullWhen(false)] out RpcFrameFault? fault)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(utf8.Length);
        utf8.CopyTo(copy);
        if (TryRead(copy, utf8.Length, version, out frame, out fault))
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(copy);
        return false;
    }

    /// <summary>
    /// Parses the first <paramref name="length"/> bytes of an array rented from
    /// <see cref="ArrayPool{T}.Shared"/>. On success the frame owns the array and returns it when
    /// disposed; on failure the caller still owns it (and may still read it, e.g. for the message log).
    /// </summary>
    internal static bool TryRead(byte[] rentedBytes, int length, OcppVersion version,
        [NotNullWhen(true)] out RpcFrame? frame, [NotNullWhen(false)] out RpcFrameFault? fault)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(rentedBytes.AsMemory(0, length), StrictJson);
        }
        catch (JsonException)
        {
            frame = null;
            var (wellFormed, id, depth) = Scan(rentedBytes.AsSpan(0, length));
            var problem = depth > StrictJson.MaxDepth
                ? $"The message nests JSON deeper than {StrictJson.MaxDepth} levels."
                : "The message repeats a property name within one JSON object.";
            fault = !wellFormed
                ? new RpcFrameFault(UnreadableMessageId, RpcErrorCode.RpcFrameworkError, "The message is not valid JSON.", null, null)
                : id is not null
                    ? new RpcFrameFault(id, RpcErrorCode.FormatViolation, problem, RpcMessageType.Call, id)
                    : new RpcFrameFault(UnreadableMessageId, RpcErrorCode.RpcFrameworkError, problem, null, null);
            return false;
        }

        fault = Interpret(document, rentedBytes, version, out frame);
        if (fault is not null)
        {
            document.Dispose();
            return false;
        }

        return frame is not null;
    }

    /// <summary>Returns the fault, or null with <paramref name="frame"/> set.</summary>
    private static RpcFrameFault? Interpret(JsonDocument document, byte[] rentedBytes, OcppVersion version, out RpcFrame? frame)
    {
        frame = null;
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() == 0)
        {
            return new RpcFrameFault(UnreadableMessageId, RpcErrorCode.RpcFrameworkError, "A frame must be a non-empty JSON array.", null, null);
        }

        int count = root.GetArrayLength();
        string? id = count >= 2 && root[1].ValueKind == JsonValueKind.String ? root[1].GetString() : null;
        if (root[0].ValueKind != JsonValueKind.Number || !root[0].TryGetInt32(out int typeNumber))
        {
            return new RpcFrameFault(id ?? UnreadableMessageId, RpcErrorCode.RpcFrameworkError, "The message type must be an integer.", null, id);
        }

        switch (typeNumber)
        {
            case (int)RpcMessageType.Call:
                return ReadCall(document, rentedBytes, version, RpcMessageType.Call, root, count, id, out frame);
            case (int)RpcMessageType.CallResult:
                if (id is null || count != 3 || root[2].ValueKind != JsonValueKind.Object)
                {
                    return Unanswerable(RpcMessageType.CallResult, id, "A CALLRESULT is [3, \"<id>\", {payload}].");
                }

                frame = new RpcCallResultFrame(document, rentedBytes, id, root[2]);
                return null;
            case (int)RpcMessageType.CallError:
                return ReadError(document, rentedBytes, RpcMessageType.CallError, root, count, id, out frame);
            case (int)RpcMessageType.CallResultError when version == OcppVersion.Ocpp21:
                return ReadError(document, rentedBytes, RpcMessageType.CallResultError, root, count, id, out frame);
            case (int)RpcMessageType.Send when version == OcppVersion.Ocpp21:
                return ReadCall(document, rentedBytes, version, RpcMessageType.Send, root, count, id, out frame);
            default:
                // 1.6 and 2.0.1 know only 2, 3 and 4; 2.1 adds 5 and 6.
                return new RpcFrameFault(id ?? UnreadableMessageId, RpcErrorCode.MessageTypeNotSupported,
                    string.Create(CultureInfo.InvariantCulture, $"Message type {typeNumber} is not supported."), null, id);
        }
    }

    /// <summary>A CALLERROR, or a 2.1 CALLRESULTERROR: the same five elements, never answered when malformed.</summary>
    private static RpcFrameFault? ReadError(JsonDocument document, byte[] rentedBytes, RpcMessageType type, JsonElement root, int count, string? id, out RpcFrame? frame)
    {
        frame = null;

        // Lenient about the details: some chargers leave them out or send null.
        if (id is null || count is not (4 or 5)
            || root[2].ValueKind != JsonValueKind.String || root[3].ValueKind != JsonValueKind.String
            || (count == 5 && root[4].ValueKind is not (JsonValueKind.Object or JsonValueKind.Null)))
        {
            return Unanswerable(type, id, $"A {Name(type)} is [{(int)type}, \"<id>\", \"<code>\", \"<description>\", {{details}}].");
        }

        frame = new RpcCallErrorFrame(document, rentedBytes, id, root[2].GetString()!, root[3].GetString()!,
            count == 5 && root[4].ValueKind == JsonValueKind.Object ? root[4] : default, type);
        return null;
    }

    /// <summary>A CALL, or a 2.1 SEND: a SEND is never answered, so a malformed one is only reported.</summary>
    private static RpcFrameFault? ReadCall(JsonDocument document, byte[] rentedBytes, OcppVersion version, RpcMessageType type, JsonElement root, int count, string? id, out RpcFrame? frame)
    {
        frame = null;
        string? problem =
            id is null ? null
            : version.IsOcpp2() && id.Length > MaxMessageIdLength ? $"The message id is longer than {MaxMessageIdLength} characters."
            : count != 4 ? $"A {Name(type)} is [{(int)type}, \"<id>\", \"<action>\", {{payload}}]."
            : root[2].ValueKind != JsonValueKind.String ? $"The action of a {Name(type)} must be a string."
            : root[3].ValueKind != JsonValueKind.Object ? $"The payload of a {Name(type)} must be a JSON object."
            : null;
        if (type == RpcMessageType.Send && (id is null || problem is not null))
        {
            return Unanswerable(type, id, problem ?? "The message id of a SEND must be a string.");
        }

        if (id is null)
        {
            return new RpcFrameFault(UnreadableMessageId, RpcErrorCode.RpcFrameworkError, "The message id of a CALL must be a string.", RpcMessageType.Call, null);
        }

        if (problem is not null)
        {
            return new RpcFrameFault(id, RpcErrorCode.FormatViolation, problem, RpcMessageType.Call, id);
        }

        frame = new RpcCallFrame(document, rentedBytes, id, root[2].GetString()!, root[3], type);
        return null;
    }

    /// <summary>
    /// A frame the strict parser refused, read once more without its limits: whether it is well-formed JSON at all,
    /// the id when it is a CALL (so a CALL with a bad payload, e.g. 50,000 brackets deep or a property name twice, is
    /// answered with its own id rather than as an unreadable frame), and how deep it nests. One forward pass; the
    /// reader's depth costs a bit per level.
    /// </summary>
    private static (bool WellFormed, string? CallId, int Depth) Scan(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = int.MaxValue });
        string? id = null;
        int depth = 0;
        try
        {
            if (reader.Read() && reader.TokenType == JsonTokenType.StartArray
                && reader.Read() && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int type) && type == (int)RpcMessageType.Call
                && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                id = reader.GetString();
            }

            depth = reader.CurrentDepth;
            while (reader.Read())
            {
                depth = Math.Max(depth, reader.CurrentDepth);
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return (false, null, depth);
        }

        return (true, id, depth);
    }

    private static string Name(RpcMessageType type) => type switch
    {
        RpcMessageType.Call => "CALL",
        RpcMessageType.CallResult => "CALLRESULT",
        RpcMessageType.CallError => "CALLERROR",
        RpcMessageType.CallResultError => "CALLRESULTERROR",
        _ => "SEND",
    };

    private static RpcFrameFault Unanswerable(RpcMessageType type, string? id, string description) =>
        new(null, RpcErrorCode.FormatViolation, description, type, id);
}
