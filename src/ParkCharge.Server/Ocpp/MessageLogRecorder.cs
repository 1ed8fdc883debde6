using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.MessageLog;

namespace ParkCharge.Server.Ocpp;

/// <summary>
/// Keeps every frame of a connection, both ways and including refused ones, in the charger's
/// message log (DESIGN.md §5), and notes when the charger was last heard from.
/// </summary>
/// <param name="touchesCharger">
/// An inbound frame means the charger was heard from; false for a proxy's upstream connection, whose
/// frames are the charger's backend's (kept in the charger's log under the upstream's connection id).
/// </param>
internal sealed class MessageLogRecorder(LogWriter writer, ChargerId charger, string connectionId, OcppVersion version, bool touchesCharger = true) : IRpcFrameObserver
{
    public void OnFrame(in RpcFrameRecord frame)
    {
        var text = frame.Text;
        writer.Record(new MessageLogEntry(
            charger,
            connectionId,
            frame.Direction == RpcFrameDirection.Inbound ? MessageDirection.In : MessageDirection.Out,
            frame.Time,
            (int?)frame.MessageType,
            frame.MessageId,
            frame.Action,
            frame.ErrorReturned?.ToWireName(version) ?? (frame.MessageType is RpcMessageType.CallError or RpcMessageType.CallResultError ? ErrorCodeOf(text) : null),
            text));
        if (touchesCharger && frame.Direction == RpcFrameDirection.Inbound)
        {
            writer.Touch(charger, frame.Time);
        }
    }

    /// <summary>The code of a CALLERROR or 2.1 CALLRESULTERROR frame: <c>[4|5, id, code, description, details]</c>.</summary>
    internal static string? ErrorCodeOf(string frame)
    {
        try
        {
            using var document = JsonDocument.Parse(frame);
            return document.RootElement.GetArrayLength() > 2 ? document.RootElement[2].GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
