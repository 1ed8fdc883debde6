using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ParkCharge.Bench.Servers;

/// <summary>
/// The baseline: a minimal ASP.NET Core app on Kestrel that accepts a WebSocket on the same path as
/// ParkCharge (<c>/ocpp/{id}</c>) with whatever subprotocol is offered, and sends every message back
/// as it came. It has what ParkCharge has underneath (Kestrel, the WebSocket middleware, the same
/// keep-alive pings) and nothing above: no validation, no engine, no storage. The ratio of the two
/// is what ParkCharge adds.
/// </summary>
public static class EchoServer
{
    /// <summary>The line the harness waits for; the URL follows it.</summary>
    public const string ReadyLine = "Echo server listening on ";

    private const int BufferSize = 4 * 1024;

    public static async Task<int> RunAsync(string urls, int? parentPid, CancellationToken ct)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.UseWebSockets();
        app.Map("/ocpp/{chargePointId}", EchoAsync);
        app.MapGet("/healthz", () => "Healthy");

        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? urls;
        Console.WriteLine(ReadyLine + address);
        Console.Out.Flush();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (parentPid is { } parent)
        {
            _ = StopWhenParentExitsAsync(parent, stop);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C, SIGTERM or the bench went away.
        }

        await app.StopAsync(CancellationToken.None);
        return 0;
    }

    private static async Task EchoAsync(HttpContext http)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var offered = http.WebSockets.WebSocketRequestedProtocols;
        using var socket = await http.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            SubProtocol = offered.Count > 0 ? offered[0] : null,
            KeepAliveInterval = TimeSpan.FromSeconds(30), // as ParkCharge: PingIntervalSeconds / PingTimeoutSeconds
            KeepAliveTimeout = TimeSpan.FromSeconds(30),
        });
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult received = await socket.ReceiveAsync(buffer.AsMemory(), http.RequestAborted);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(socket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, socket.CloseStatusDescription, CancellationToken.None);
                    }

                    return;
                }

                // A fragment goes back as a fragment: the echo never needs to hold a whole message.
                await socket.SendAsync(buffer.AsMemory(0, received.Count), received.MessageType, received.EndOfMessage, http.RequestAborted);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The client went away.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task StopWhenParentExitsAsync(int parentPid, CancellationTokenSource stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None);
            try
            {
                using var parent = Process.GetProcessById(parentPid);
                if (parent.HasExited)
                {
                    break;
                }
            }
            catch (ArgumentException)
            {
                break; // no such process
            }
        }

        await stop.CancelAsync();
    }
}
