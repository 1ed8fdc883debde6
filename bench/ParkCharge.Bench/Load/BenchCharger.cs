using System.Buffers.Text;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace ParkCharge.Bench.Load;

/// <summary>How a charger recognises the answer to its CALL.</summary>
/// <param name="Echo">
/// False against ParkCharge: the answer is the CALLRESULT <c>[3,"id",{...}]</c>, and the transaction id
/// comes from the StartTransaction answer. True against the echo server: the answer is the CALL itself
/// <c>[2,"id",...]</c> coming back, and transaction ids are made up locally. Everything else is the same code.
/// </param>
public sealed record AnswerRule(bool Echo)
{
    public byte ExpectedType => Echo ? (byte)'2' : (byte)'3';
}

/// <summary>
/// One simulated OCPP 1.6 charger on its own WebSocket: boots, then repeats a charging session
/// (Preparing, StartTransaction, MeterValues × k, StopTransaction, Available) with one CALL
/// outstanding at a time (OCPP-J 1.6 §4.1.1): the next CALL leaves when the answer to the last one
/// is in. Frames are written into a reused buffer and answers read into another; the hot loop
/// allocates nothing of its own.
/// </summary>
public sealed class BenchCharger : IAsyncDisposable
{
    private const int FrameBufferSize = 1024;

    private readonly ClientWebSocket _socket;
    private readonly byte[] _send = new byte[FrameBufferSize];
    private readonly byte[] _idTag;
    private readonly AnswerRule _rule;
    private readonly LoadMeter _meter;
    private byte[] _receive = new byte[4096];
    private int _answerLength;
    private long _nextMessageId;
    private long _meterWh;
    private long _outstandingSince;
    private volatile bool _timedOut;

    private BenchCharger(string id, ClientWebSocket socket, AnswerRule rule, LoadMeter meter)
    {
        Id = id;
        _socket = socket;
        _rule = rule;
        _meter = meter;
        _idTag = Encoding.ASCII.GetBytes(id.Length <= 20 ? id : id[^20..]); // idTag is CiString20
    }

    public string Id { get; }

    /// <summary>True while the charger can still send: connected, and no CALL of it failed at the connection level.</summary>
    public bool Alive { get; private set; } = true;

    /// <summary>Completed charging sessions (StopTransaction answered).</summary>
    public long Sessions { get; private set; }

    /// <summary><see cref="Stopwatch"/> ticks when the CALL now waiting for its answer was sent; 0 when none waits.</summary>
    public long OutstandingSince => Volatile.Read(ref _outstandingSince);

    public static async Task<BenchCharger> ConnectAsync(Uri endpoint, string id, AnswerRule rule, LoadMeter meter, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("ocpp1.6");
        // The server pings (ParkCharge every 30 s) and the receive loop answers; unsolicited pongs from us add nothing.
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        try
        {
            await socket.ConnectAsync(new Uri(endpoint, Uri.EscapeDataString(id)), ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        if (socket.SubProtocol != "ocpp1.6")
        {
            socket.Dispose();
            throw new WebSocketException($"The server agreed to subprotocol '{socket.SubProtocol}', not ocpp1.6.");
        }

        return new BenchCharger(id, socket, rule, meter);
    }

    /// <summary>BootNotification, then StatusNotification Available: what a charger says when it comes online.</summary>
    public async Task<bool> BootAsync()
    {
        int length = OcppFrames.BootNotification(_send, ++_nextMessageId, out int idLength);
        if (await CallAsync(BenchAction.BootNotification, length, idLength) != CallResult.Answered)
        {
            return false;
        }

        length = OcppFrames.StatusNotification(_send, ++_nextMessageId, available: true, DateTime.UtcNow, out idLength);
        return await CallAsync(BenchAction.StatusNotification, length, idLength) == CallResult.Answered;
    }

    /// <summary>Charging sessions back to back until the window ends; the CALL in flight then is finished.</summary>
    /// <param name="window">The measured window; the charger stops at its end.</param>
    /// <param name="meterValuesPerSession">MeterValues CALLs between StartTransaction and StopTransaction.</param>
    /// <param name="intervalTicks">
    /// 0: closed loop, the next CALL leaves as soon as the last is answered. Otherwise open loop: a CALL is due every
    /// this many <see cref="Stopwatch"/> ticks from <paramref name="firstDueTicks"/>, whatever the answers; still one
    /// outstanding at a time (OCPP-J), so a late answer delays the next CALL, and its latency is counted from the time it
    /// was due, not from when it could leave (no coordinated omission).
    /// </param>
    /// <param name="firstDueTicks">With an interval: when the first CALL is due (spread over the chargers).</param>
    /// <param name="ct">Stops the run.</param>
    public async Task RunAsync(LoadWindow window, int meterValuesPerSession, long intervalTicks, long firstDueTicks, CancellationToken ct)
    {
        int stopStep = 2 + meterValuesPerSession;
        int step = 0;
        long transactionId = 0;
        long due = firstDueTicks;
        while (Alive && !ct.IsCancellationRequested && Stopwatch.GetTimestamp() < window.EndTicks)
        {
            long dueNow = 0;
            if (intervalTicks > 0)
            {
                long wait = due - Stopwatch.GetTimestamp();
                if (wait > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), ct);
                }

                dueNow = due;
                due += intervalTicks;
                if (Stopwatch.GetTimestamp() >= window.EndTicks)
                {
                    break;
                }
            }

            DateTime now = DateTime.UtcNow;
            long messageId = ++_nextMessageId;
            int length, idLength;
            BenchAction action;
            if (step == 0)
            {
                action = BenchAction.StatusNotification;
                length = OcppFrames.StatusNotification(_send, messageId, available: false, now, out idLength);
            }
            else if (step == 1)
            {
                action = BenchAction.StartTransaction;
                length = OcppFrames.StartTransaction(_send, messageId, _idTag, _meterWh, now, out idLength);
            }
            else if (step < stopStep)
            {
                action = BenchAction.MeterValues;
                _meterWh += 250;
                length = OcppFrames.MeterValues(_send, messageId, transactionId, _meterWh, now, out idLength);
            }
            else if (step == stopStep)
            {
                action = BenchAction.StopTransaction;
                _meterWh += 250;
                length = OcppFrames.StopTransaction(_send, messageId, transactionId, _meterWh, now, out idLength);
            }
            else
            {
                action = BenchAction.StatusNotification;
                length = OcppFrames.StatusNotification(_send, messageId, available: true, now, out idLength);
            }

            CallResult result = await CallAsync(action, length, idLength, dueNow);
            if (result == CallResult.Lost)
            {
                return;
            }

            if (action == BenchAction.StartTransaction)
            {
                if (result != CallResult.Answered || !TryReadTransactionId(out transactionId))
                {
                    step = 0; // no transaction: begin the session again
                    continue;
                }
            }
            else if (action == BenchAction.StopTransaction && result == CallResult.Answered)
            {
                Sessions++;
            }

            step = step > stopStep ? 0 : step + 1;
        }
    }

    /// <summary>Called by the watchdog when the outstanding CALL waited longer than the call timeout.</summary>
    public void TimeOut()
    {
        _timedOut = true;
        _socket.Abort();
    }

    /// <summary>The closing handshake (RFC 6455 §7), bounded in time.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        if (_socket.State != WebSocketState.Open)
        {
            return;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bench done", cts.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The server went first or is gone; the connection is over either way.
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private enum CallResult
    {
        Answered,
        Refused,
        Lost,
    }

    /// <summary>Sends the frame in <see cref="_send"/> and waits for the one answer; records the outcome.</summary>
    /// <remarks>Its state machine is pooled: awaiting the answer would otherwise allocate one per CALL.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<CallResult> CallAsync(BenchAction action, int length, int idLength, long dueTicks = 0)
    {
        long leaving = Stopwatch.GetTimestamp();
        long sent = dueTicks != 0 && dueTicks < leaving ? dueTicks : leaving; // open loop: latency from when it was due
        Volatile.Write(ref _outstandingSince, leaving);
        int received = 0;
        try
        {
            await _socket.SendAsync(_send.AsMemory(0, length), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
            while (true)
            {
                if (received == _receive.Length)
                {
                    Array.Resize(ref _receive, _receive.Length * 2);
                }

                ValueWebSocketReceiveResult r = await _socket.ReceiveAsync(_receive.AsMemory(received), CancellationToken.None);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    return Lose(action, "connection closed by the server", $"{_socket.CloseStatus} {_socket.CloseStatusDescription}");
                }

                received += r.Count;
                if (r.EndOfMessage)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            return _timedOut
                ? Lose(action, "timed out", "no answer within the call timeout; connection aborted")
                : Lose(action, "connection lost", e.Message);
        }
        finally
        {
            Volatile.Write(ref _outstandingSince, 0);
        }

        long answered = Stopwatch.GetTimestamp();
        _answerLength = received;
        return Check(action, _receive.AsSpan(0, received), idLength, sent, answered);
    }

    /// <summary>
    /// The answer must be <c>[T,"id",...</c> with the expected type and our message id (both peers write
    /// compact JSON). A CALLERROR <c>[4,"id","Code",...]</c> is counted with its code.
    /// </summary>
    private CallResult Check(BenchAction action, ReadOnlySpan<byte> frame, int idLength, long sent, long answered)
    {
        const int idAt = OcppFrames.MessageIdOffset;
        ReadOnlySpan<byte> id = _send.AsSpan(idAt, idLength);
        bool framed = frame.Length > idAt + idLength + 1 && frame[0] == '[' && frame[2] == ',' && frame[3] == '"'
            && frame.Slice(idAt, idLength).SequenceEqual(id) && frame[idAt + idLength] == '"';
        if (framed && frame[1] == _rule.ExpectedType)
        {
            if (action == BenchAction.StartTransaction && !_rule.Echo && frame.IndexOf("\"status\":\"Accepted\""u8) < 0)
            {
                _meter.Failed(action, "idTag not accepted", Text(frame));
                return CallResult.Refused;
            }

            _meter.Answered(action, sent, answered);
            return CallResult.Answered;
        }

        if (framed && frame[1] == '4')
        {
            ReadOnlySpan<byte> rest = frame[(idAt + idLength + 1)..];
            string code = rest.StartsWith(",\""u8) && rest[2..].IndexOf((byte)'"') is var end and >= 0
                ? Encoding.UTF8.GetString(rest.Slice(2, end))
                : "?";
            _meter.Failed(action, $"CALLERROR {code}", Text(frame));
            return CallResult.Refused;
        }

        _meter.Failed(action, "unexpected answer", Text(frame));
        return CallResult.Refused;
    }

    private bool TryReadTransactionId(out long transactionId)
    {
        if (_rule.Echo)
        {
            transactionId = Sessions + 1; // the echo issues none; any number keeps the frames the same size
            return true;
        }

        // The StartTransaction answer is still in the receive buffer: [3,"id",{"idTagInfo":{...},"transactionId":42}]
        ReadOnlySpan<byte> frame = _receive.AsSpan(0, _answerLength);
        int at = frame.IndexOf("\"transactionId\":"u8);
        if (at >= 0 && Utf8Parser.TryParse(frame[(at + 16)..], out transactionId, out _))
        {
            return true;
        }

        transactionId = 0;
        _meter.Failed(BenchAction.StartTransaction, "no transactionId in the answer", Text(frame));
        return false;
    }

    private CallResult Lose(BenchAction action, string kind, string detail)
    {
        Alive = false;
        _meter.Failed(action, kind, detail);
        return CallResult.Lost;
    }

    private static string Text(ReadOnlySpan<byte> frame) =>
        Encoding.UTF8.GetString(frame[..Math.Min(frame.Length, 400)]);
}
