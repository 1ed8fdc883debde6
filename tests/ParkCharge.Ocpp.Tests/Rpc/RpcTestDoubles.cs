using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.Logging;

using ParkCharge.Ocpp.Rpc;

namespace ParkCharge.Ocpp.Tests.Rpc;

/// <summary>Two WebSocket ends over a real loopback TCP connection (RFC 6455 framing, no HTTP upgrade).</summary>
internal sealed class LoopbackSockets : IAsyncDisposable
{
    private readonly TcpClient _serverTcp;
    private readonly TcpClient _clientTcp;

    private LoopbackSockets(TcpClient serverTcp, TcpClient clientTcp, string subProtocol)
    {
        _serverTcp = serverTcp;
        _clientTcp = clientTcp;
        Server = WebSocket.CreateFromStream(serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true, SubProtocol = subProtocol, KeepAliveInterval = TimeSpan.Zero });
        Client = WebSocket.CreateFromStream(clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false, SubProtocol = subProtocol, KeepAliveInterval = TimeSpan.Zero });
    }

    public WebSocket Server { get; }

    public WebSocket Client { get; }

    public static async Task<LoopbackSockets> ConnectAsync(string subProtocol)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var client = new TcpClient { NoDelay = true };
            Task connecting = client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            TcpClient accepted = await listener.AcceptTcpClientAsync();
            accepted.NoDelay = true;
            await connecting;
            return new LoopbackSockets(accepted, client, subProtocol);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>Drops the client's TCP connection without a closing handshake, as a charger losing power would.</summary>
    public void CutClient()
    {
        Client.Abort();
        _clientTcp.Client.Close(0);
    }

    public ValueTask DisposeAsync()
    {
        Server.Dispose();
        Client.Dispose();
        _serverTcp.Dispose();
        _clientTcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>The far end driven by a test, frame by frame, to assert what is on the wire.</summary>
internal sealed class RawPeer(WebSocket socket)
{
    /// <summary>Guards against hangs only: no test expects anything to take this long.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private Task<(WebSocketMessageType Type, string Text)>? _receiving;

    public WebSocket Socket => socket;

    public Task SendAsync(string text) => socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends one text message in several WebSocket frames.</summary>
    public async Task SendFragmentedAsync(string text, int pieces)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int size = (bytes.Length + pieces - 1) / pieces;
        for (int offset = 0; offset < bytes.Length; offset += size)
        {
            int count = Math.Min(size, bytes.Length - offset);
            await socket.SendAsync(bytes.AsMemory(offset, count), WebSocketMessageType.Text, offset + count == bytes.Length, CancellationToken.None);
        }
    }

    public Task SendBinaryAsync(byte[] bytes) => socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public async Task<string> ReceiveAsync()
    {
        (WebSocketMessageType type, string text) = await NextAsync().WaitAsync(Patience);
        Assert.True(type == WebSocketMessageType.Text, $"expected a text frame, got {type}");
        return text;
    }

    public async Task<JsonElement> ReceiveJsonAsync() => JsonDocument.Parse(await ReceiveAsync()).RootElement;

    /// <summary>Waits for the close frame and answers it, completing the handshake.</summary>
    public async Task<WebSocketCloseStatus?> ReceiveCloseAsync()
    {
        while (true)
        {
            (WebSocketMessageType type, _) = await NextAsync().WaitAsync(Patience);
            if (type == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                return socket.CloseStatus;
            }
        }
    }

    /// <summary>True if no message arrives within <paramref name="window"/>; a message that arrives later is kept for the next receive.</summary>
    public async Task<bool> NothingArrivesWithinAsync(TimeSpan window)
    {
        Task<(WebSocketMessageType, string)> next = _receiving ??= ReadMessageAsync();
        return await Task.WhenAny(next, Task.Delay(window)) != next;
    }

    private Task<(WebSocketMessageType Type, string Text)> NextAsync()
    {
        Task<(WebSocketMessageType, string)> next = _receiving ?? ReadMessageAsync();
        _receiving = null;
        return next;
    }

    private async Task<(WebSocketMessageType Type, string Text)> ReadMessageAsync()
    {
        var message = new MemoryStream();
        byte[] buffer = new byte[8192];
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            message.Write(buffer, 0, result.Count);
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
            }
        }
    }
}

/// <summary>A frame as the observer saw it, copied (the observer's bytes are only valid during the call).</summary>
internal sealed record ObservedFrame(RpcFrameDirection Direction, DateTimeOffset Time, string Text, bool IsBinary, RpcMessageType? MessageType,
    string? MessageId, string? Action, RpcErrorCode? ErrorReturned, string? Problem);

internal sealed class RecordingObserver : IRpcFrameObserver
{
    private readonly ConcurrentQueue<ObservedFrame> _frames = new();

    public IReadOnlyList<ObservedFrame> Frames => [.. _frames];

    public void OnFrame(in RpcFrameRecord frame) =>
        _frames.Enqueue(new ObservedFrame(frame.Direction, frame.Time, frame.Text, frame.IsBinary, frame.MessageType, frame.MessageId, frame.Action,
            frame.ErrorReturned, frame.Problem));
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

internal sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), exception));
}

/// <summary>A handler written inline in a test.</summary>
internal sealed class CallHandler(Func<RpcInboundCall, CancellationToken, ValueTask<RpcReply>> handle) : IRpcCallHandler
{
    public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) => handle(inboundCall, cancellationToken);
}
