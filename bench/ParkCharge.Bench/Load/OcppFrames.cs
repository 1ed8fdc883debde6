using System.Buffers.Text;

namespace ParkCharge.Bench.Load;

/// <summary>The OCPP 1.6 CALLs a bench charger sends.</summary>
public enum BenchAction
{
    BootNotification,
    StatusNotification,
    StartTransaction,
    MeterValues,
    StopTransaction,
}

/// <summary>
/// Writes OCPP-J 1.6 CALL frames (OCPP-J 1.6 §4.2.1: <c>[2,"messageId","Action",{payload}]</c>) straight
/// into a charger's send buffer: constant parts are UTF-8 literals, numbers and timestamps are formatted
/// in place. No strings, no JSON serializer, no allocation per message, so the client measures the
/// server rather than itself. The payloads are what a 1.6 charger sends (checked by ParkCharge's schema
/// validator on every CALL: a wrong frame would come back as a CALLERROR and be counted).
/// </summary>
public ref struct OcppFrames
{
    private readonly Span<byte> _buffer;
    private int _length;

    public OcppFrames(Span<byte> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>Where the message id starts in the frame (after <c>[2,"</c>).</summary>
    public const int MessageIdOffset = 4;

    public static int BootNotification(Span<byte> buffer, long messageId, out int idLength)
    {
        var f = new OcppFrames(buffer);
        idLength = f.Begin(messageId, "BootNotification"u8);
        f.Raw("{\"chargePointVendor\":\"ParkCharge\",\"chargePointModel\":\"BenchCharger\"}]"u8);
        return f._length;
    }

    public static int StatusNotification(Span<byte> buffer, long messageId, bool available, DateTime now, out int idLength)
    {
        var f = new OcppFrames(buffer);
        idLength = f.Begin(messageId, "StatusNotification"u8);
        f.Raw("{\"connectorId\":1,\"errorCode\":\"NoError\",\"status\":\""u8);
        f.Raw(available ? "Available"u8 : "Preparing"u8);
        f.Raw("\",\"timestamp\":"u8);
        f.Timestamp(now);
        f.Raw("}]"u8);
        return f._length;
    }

    public static int StartTransaction(Span<byte> buffer, long messageId, ReadOnlySpan<byte> idTag, long meterWh, DateTime now, out int idLength)
    {
        var f = new OcppFrames(buffer);
        idLength = f.Begin(messageId, "StartTransaction"u8);
        f.Raw("{\"connectorId\":1,\"idTag\":\""u8);
        f.Raw(idTag);
        f.Raw("\",\"meterStart\":"u8);
        f.Number(meterWh);
        f.Raw(",\"timestamp\":"u8);
        f.Timestamp(now);
        f.Raw("}]"u8);
        return f._length;
    }

    public static int MeterValues(Span<byte> buffer, long messageId, long transactionId, long meterWh, DateTime now, out int idLength)
    {
        var f = new OcppFrames(buffer);
        idLength = f.Begin(messageId, "MeterValues"u8);
        f.Raw("{\"connectorId\":1,\"transactionId\":"u8);
        f.Number(transactionId);
        f.Raw(",\"meterValue\":[{\"timestamp\":"u8);
        f.Timestamp(now);
        f.Raw(",\"sampledValue\":[{\"value\":\""u8);
        f.Number(meterWh);
        f.Raw("\",\"measurand\":\"Energy.Active.Import.Register\",\"unit\":\"Wh\"}]}]}]"u8);
        return f._length;
    }

    public static int StopTransaction(Span<byte> buffer, long messageId, long transactionId, long meterWh, DateTime now, out int idLength)
    {
        var f = new OcppFrames(buffer);
        idLength = f.Begin(messageId, "StopTransaction"u8);
        f.Raw("{\"transactionId\":"u8);
        f.Number(transactionId);
        f.Raw(",\"meterStop\":"u8);
        f.Number(meterWh);
        f.Raw(",\"timestamp\":"u8);
        f.Timestamp(now);
        f.Raw(",\"reason\":\"EVDisconnected\"}]"u8);
        return f._length;
    }

    private int Begin(long messageId, ReadOnlySpan<byte> action)
    {
        Raw("[2,\""u8);
        int start = _length;
        Number(messageId);
        int idLength = _length - start;
        Raw("\",\""u8);
        Raw(action);
        Raw("\","u8);
        return idLength;
    }

    private void Raw(ReadOnlySpan<byte> utf8)
    {
        utf8.CopyTo(_buffer[_length..]);
        _length += utf8.Length;
    }

    private void Number(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _buffer[_length..], out int written))
        {
            throw new InvalidOperationException("The frame buffer is too small.");
        }

        _length += written;
    }

    /// <summary>RFC 3339 UTC with 7 fraction digits, e.g. <c>"2026-01-31T12:00:00.1234567Z"</c> (the 'O' format of a UTC DateTime).</summary>
    private void Timestamp(DateTime utc)
    {
        _buffer[_length++] = (byte)'"';
        if (!Utf8Formatter.TryFormat(utc, _buffer[_length..], out int written, new System.Buffers.StandardFormat('O')))
        {
            throw new InvalidOperationException("The frame buffer is too small.");
        }

        _length += written;
        _buffer[_length++] = (byte)'"';
    }
}
