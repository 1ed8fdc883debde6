using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Bench.Load;
using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Hosting;

namespace ParkCharge.Bench.Proxy;

/// <summary>
/// proxy-latency: what proxy mode adds to every charger message. One backend (a ParkCharge node that takes any
/// charger, standing for a CPO's backend) and one proxy node in front of it, both in this process on SQLite;
/// pairs of 1.6 chargers, one connected to the backend directly, one through the proxy, send the same messages
/// in turns (StatusNotification, MeterValues, Heartbeat), so both see the same machine at the same moment. The
/// report gives each path's latency p50/p99 and the difference: the proxy's hop, its record of the message and
/// the forwarding.
/// </summary>
public static class ProxyLatencyBench
{
    public static async Task<int> RunAsync(int pairs, int rounds, TextWriter output, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), "parkcharge-proxy-bench-" + Guid.NewGuid().ToString("N")[..8]);
        const string key = "pck_proxy-bench-key-0123456789";
        try
        {
            await using var backend = await StartNodeAsync(Path.Combine(root, "backend"), key, autoRegister: true, ct);
            await using var proxy = await StartNodeAsync(Path.Combine(root, "proxy"), key, autoRegister: false, ct);
            var backendUri = Address(backend);
            var proxyUri = Address(proxy);

            var chargers = Enumerable.Range(1, pairs).Select(i => $"P-{i:000}").ToList();
            var site = new StringBuilder("""{ "id": "bench", "name": "Bench", "timeZone": "Europe/Berlin", "currency": "EUR", "chargers": [""");
            site.AppendJoin(", ", chargers.Select(c => $$"""{ "id": "{{c}}", "upstreams": [ { "name": "cpo", "url": "ws://{{backendUri.Authority}}/ocpp" } ] }"""));
            site.Append("] }");
            using (var http = new HttpClient { BaseAddress = proxyUri })
            {
                http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
                using var put = await http.PutAsync("/api/v1/sites/bench", new StringContent(site.ToString(), Encoding.UTF8, "application/json"), ct);
                put.EnsureSuccessStatusCode();
            }

            var direct = new LatencyHistogram();
            var proxied = new LatencyHistogram();
            var connections = new List<(RpcConnection Rpc, ClientWebSocket Socket, Task Run)>();
            try
            {
                var pairsConnected = new List<(RpcConnection Direct, RpcConnection Proxied)>();
                foreach (var charger in chargers)
                {
                    var d = await ConnectAsync(new Uri($"ws://{backendUri.Authority}/ocpp/D-{charger[2..]}"), ct);
                    var p = await ConnectAsync(new Uri($"ws://{proxyUri.Authority}/ocpp/{charger}"), ct);
                    connections.Add(d);
                    connections.Add(p);
                    pairsConnected.Add((d.Rpc, p.Rpc));
                }

                // Boot both (the proxied one once its upstream is up: the first answer waits for it) and warm up.
                foreach (var (d, p) in pairsConnected)
                {
                    await CallAsync(d, null, 0);
                    await CallAsync(p, null, 0);
                }

                for (var round = 0; round < rounds; round++)
                {
                    await Task.WhenAll(pairsConnected.Select(async pair =>
                    {
                        // Turns alternate which path goes first, so neither always finds the machine quieter.
                        var (first, second, firstHistogram, secondHistogram) = round % 2 == 0
                            ? (pair.Direct, pair.Proxied, direct, proxied)
                            : (pair.Proxied, pair.Direct, proxied, direct);
                        await CallAsync(first, firstHistogram, round);
                        await CallAsync(second, secondHistogram, round);
                    }));
                }
            }
            finally
            {
                foreach (var (rpc, socket, run) in connections)
                {
                    await rpc.DisposeAsync();
                    socket.Dispose();
                    try
                    {
                        await run;
                    }
                    catch (Exception e) when (e is OperationCanceledException or WebSocketException)
                    {
                    }
                }
            }

            await output.WriteLineAsync($"proxy-latency: {pairs} charger pairs, {rounds} rounds, {direct.Count} calls per path (StatusNotification, MeterValues, Heartbeat in turn), SQLite, both nodes in one process");
            await output.WriteLineAsync($"  direct to the backend:      p50 {Ms(direct.PercentileMicros(50))}  p99 {Ms(direct.PercentileMicros(99))}  max {Ms(direct.MaxMicros)}");
            await output.WriteLineAsync($"  through the proxy:          p50 {Ms(proxied.PercentileMicros(50))}  p99 {Ms(proxied.PercentileMicros(99))}  max {Ms(proxied.MaxMicros)}");
            await output.WriteLineAsync($"  added by the proxy:         p50 {Ms(proxied.PercentileMicros(50) - direct.PercentileMicros(50))}  p99 {Ms(proxied.PercentileMicros(99) - direct.PercentileMicros(99))}");
            await proxy.StopAsync(CancellationToken.None);
            await backend.StopAsync(CancellationToken.None);
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static async Task CallAsync(RpcConnection rpc, LatencyHistogram? histogram, int round)
    {
        var now = DateTimeOffset.UtcNow;
        var started = Stopwatch.GetTimestamp();
        var completed = (round % 3, histogram) switch
        {
            (_, null) => (await rpc.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Bench", ChargePointModel = "Proxy" })).IsCompleted,
            (0, _) => (await rpc.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest
            {
                ConnectorId = 1,
                ErrorCode = ChargePointErrorCode.NoError,
                Status = round % 2 == 0 ? ChargePointStatus.Available : ChargePointStatus.Preparing,
                Timestamp = now,
            })).IsCompleted,
            (1, _) => (await rpc.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
            {
                ConnectorId = 1,
                MeterValue = [new MeterValue { Timestamp = now, SampledValue = [new SampledValue { Value = (1000 + round).ToString(CultureInfo.InvariantCulture) }] }],
            })).IsCompleted,
            _ => (await rpc.CallAsync(V16Actions.Heartbeat, new HeartbeatRequest())).IsCompleted,
        };
        if (!completed)
        {
            throw new InvalidOperationException($"A call of {rpc.ChargerId} was not answered.");
        }

        histogram?.Record(LatencyHistogram.ToMicros(Stopwatch.GetTimestamp() - started));
    }

    private static async Task<(RpcConnection Rpc, ClientWebSocket Socket, Task Run)> ConnectAsync(Uri uri, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(OcppSubprotocol.NameOf(OcppVersion.Ocpp16));
        await socket.ConnectAsync(uri, ct);
        var rpc = new RpcConnection(socket, new NothingToAnswer(), new RpcConnectionOptions { Version = OcppVersion.Ocpp16, ChargerId = uri.Segments[^1] },
            TimeProvider.System, NullLogger.Instance);
        return (rpc, socket, rpc.RunAsync(ct));
    }

    private static async Task<WebApplication> StartNodeAsync(string folder, string key, bool autoRegister, CancellationToken ct)
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["ParkCharge:DataDirectory"] = folder,
            ["ParkCharge:ApiKey"] = key,
            ["Logging:LogLevel:Default"] = "Error", // the bench's chargers leave without a closing handshake
        };
        if (autoRegister)
        {
            settings["ParkCharge:Ocpp:Registration"] = "AutoRegister";
            settings["ParkCharge:Ocpp:AutoRegisterSite"] = "cpo";
        }

        var app = await ParkChargeApp.CreateAsync([], settings);
        await app.StartAsync(ct);
        return app;
    }

    private static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private sealed class NothingToAnswer : IRpcCallHandler
    {
        public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RpcReply.Error(RpcErrorCode.NotSupported, "The bench's charger answers nothing."));
    }
}
