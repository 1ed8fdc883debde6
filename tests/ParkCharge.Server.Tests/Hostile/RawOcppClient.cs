using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

using ParkCharge.Core.Charging;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// A charger that sends whatever text it is given, as a hostile one would: no schema, no typed messages,
/// frames written by hand. Reads the server's replies (CALLRESULT, CALLERROR) in order.
/// </summary>
internal sealed class RawOcppClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly byte[] _buffer = new byte[1024 * 1024 + 1];

    private RawOcppClient(ClientWebSocket socket) => _socket = socket;

    public WebSocketState State => _socket.State;

    /// <summary>How the server closed the connection: reads until its close frame (or the timeout).</summary>
    public async Task<WebSocketCloseStatus?> ClosedAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        try
        {
            while ((await _socket.ReceiveAsync(_buffer.AsMemory(), timeout.Token)).MessageType != WebSocketMessageType.Close)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // Not closed in time, or aborted.
        }

        return _socket.CloseStatus;
    }

    public static async Task<RawOcppClient> ConnectAsync(Uri uri, OcppVersion version, string? password = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(version == OcppVersion.Ocpp16 ? "ocpp1.6" : "ocpp2.0.1");
        if (password is not null)
        {
            var id = Uri.UnescapeDataString(uri.Segments[^1]);
            socket.Options.SetRequestHeader("Authorization", new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{password}"))).ToString());
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(uri, timeout.Token);
        return new RawOcppClient(socket);
    }

    /// <summary>Sends a CALL <c>[2, id, action, payload]</c> and waits for the frame that answers it.</summary>
    public Task<Answer> CallAsync(string messageId, string action, JsonNode? payload, TimeSpan? within = null) =>
        SendAsync(new JsonArray(2, messageId, action, payload).ToJsonString(), messageId, within);

    /// <summary>
    /// How long an answer may take before the node counts as not answering. Generous: a deadline is a liveness
    /// check, not a speed check, and the receive it cancels aborts the socket, failing every frame after it (the
    /// fuzz test once lost its connection this way on a machine loaded 20 times over).
    /// </summary>
    public static readonly TimeSpan AnswerDeadline = TimeSpan.FromSeconds(30);

    /// <summary>Sends any text and waits for the reply to <paramref name="expectedId"/> (frames answering other ids are skipped).</summary>
    public async Task<Answer> SendAsync(string frame, string expectedId, TimeSpan? within = null)
    {
        await SendTextAsync(frame);
        return await ReceiveAsync([expectedId], within ?? AnswerDeadline);
    }

    public async Task SendTextAsync(string frame)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _socket.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next reply with one of the ids; throws <see cref="TimeoutException"/> if none comes in time.</summary>
    public async Task<Answer> ReceiveAsync(IReadOnlyCollection<string> expectedIds, TimeSpan within)
    {
        var expectedId = string.Join(" or ", expectedIds);
        using var timeout = new CancellationTokenSource(within);
        while (true)
        {
            var count = 0;
            ValueWebSocketReceiveResult received;
            do
            {
                try
                {
                    received = await _socket.ReceiveAsync(_buffer.AsMemory(count), timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"No answer to message {expectedId} within {within.TotalSeconds} s.");
                }

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The server closed the connection ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before answering {expectedId}.");
                }

                count += received.Count;
            }
            while (!received.EndOfMessage);

            var text = Encoding.UTF8.GetString(_buffer, 0, count);
            var answer = Answer.Parse(text);
            if (expectedIds.Contains(answer.MessageId))
            {
                return answer;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Gone already.
        }

        _socket.Dispose();
    }

    /// <summary>A reply frame: <c>[3, id, payload]</c> or <c>[4, id, code, description, details]</c>.</summary>
    public sealed record Answer(int MessageType, string MessageId, JsonNode? Payload, string? ErrorCode, string Text)
    {
        public bool IsResult => MessageType == 3;

        public static Answer Parse(string text)
        {
            var frame = JsonNode.Parse(text)!.AsArray();
            var type = frame[0]!.GetValue<int>();
            var id = frame[1]!.GetValue<string>();
            return type == 3
                ? new Answer(3, id, frame[2]?.DeepClone(), null, text)
                : new Answer(type, id, null, frame[2]?.GetValue<string>(), text);
        }

        public override string ToString() => Text;
    }
}
