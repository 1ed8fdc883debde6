using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading.Channels;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Proxy;

/// <summary>
/// Proxy mode where the charger's own backend is hostile or broken: it sends frames that are not OCPP, CALLs
/// that break the schema, answers to CALLs it was never sent, a frame over the size limit, and floods the
/// charger with CALLs. The backend is a raw WebSocket server written here (Kestrel), so it can send what no
/// OCPP library would; the charger is the strict ocpp-rpc client, which fails on anything it should not get.
/// Whatever the backend does, nothing it sends that breaks OCPP reaches the charger, the charger's own
/// messages all get answers, the node stays up, and the backend is told what was wrong.
/// </summary>
public sealed partial class HostileBackendTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Site = "hostile";
    private const string Charger = "CP-H16";

    private RawBackend _backend = null!;
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _backend = await RawBackend.StartAsync();
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        var site = $$"""
            {
              "id": "{{Site}}", "name": "Hostile", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "gate-in-key-0123456789" } ] } ],
              "chargers": [ { "id": "{{Charger}}", "upstreams": [ { "name": "cpo", "url": "{{_backend.Url}}", "timeout": "2s" } ] } ]
            }
            """;
        using var put = await _node.Http.PutAsync($"/api/v1/sites/{Site}", new StringContent(site, Encoding.UTF8, "application/json"));
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _node.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Frames_from_the_backend_that_break_OCPP_get_a_CALLERROR_each_and_never_reach_the_charger()
    {
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{_node.BaseUri.Authority}/ocpp"), Charger, "ocpp1.6");
        var link = await _backend.NextConnectionAsync();
        Assert.Equal("ocpp1.6", link.SubProtocol);
        Assert.Equal("/hostile/" + Charger, link.Path);
        var boot = await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "H16" });
        Assert.Equal("Accepted", boot.GetProperty("status").GetString());

        // CALLs that break OCPP-J framing or the 1.6 schemas, each with its own message id.
        string[] hostileCalls =
        [
            """[2,"h1","RemoteStopTransaction",{"transactionId":"abc"}]""",      // wrong type
            """[2,"h2","Reset",{"type":"Sideways"}]""",                          // not in the enumeration
            """[2,"h3","RemoteStopTransaction"]""",                              // no payload
            """[2,"h4","ChangeAvailability",{"connectorId":1}]""",               // a required field missing
            """[2,"h5","Reset",{"type":"Hard","extra":1}]""",                    // a field the schema does not allow
            """[2,"h6","UnlockConnector",{"connectorId":-1}]""",                 // valid: 1.6 allows any integer here
        ];
        foreach (var frame in hostileCalls)
        {
            await link.SendAsync(frame);
        }

        // Frames that are not OCPP at all, and answers to CALLs ParkCharge never sent.
        await link.SendAsync("this is not json");
        await link.SendAsync(new string('[', 5_000) + new string(']', 5_000));
        await link.SendBinaryAsync([0x00, 0xff, 0x10, 0x80]);
        await link.SendAsync("""[3,"never-sent",{"status":"Accepted"}]""");
        await link.SendAsync("""[4,"never-sent-either","GenericError","",{}]""");
        await link.SendAsync("""[9,"x",{}]""");
        await link.SendAsync("""{"not":"an array"}""");

        // Then an ordinary CALL: it reaches the charger and the charger's answer reaches the backend.
        await link.SendAsync("""[2,"ok","DataTransfer",{"vendorId":"com.cpo","data":"still-here"}]""");
        var answer = await link.WaitForAsync(f => f.Id == "ok");
        Assert.Equal(3, answer.Type);
        Assert.Equal("charger-saw:still-here", answer.Payload.GetProperty("data").GetString());

        // Every schema-breaking CALL was answered with a CALLERROR of its own id, not passed on.
        foreach (var id in (string[])["h1", "h2", "h3", "h4", "h5"])
        {
            var error = await link.WaitForAsync(f => f.Id == id);
            Assert.True(error.Type == 4, $"{id}: {error.Raw}");
            Assert.Contains(error.ErrorCode, (string[])["FormationViolation", "TypeConstraintViolation", "PropertyConstraintViolation", "OccurenceConstraintViolation", "ProtocolError"]);
        }

        // h6 is valid 1.6 (connectorId is any integer): the charger answered it, since it is not ours to judge.
        Assert.Equal(3, (await link.WaitForAsync(f => f.Id == "h6")).Type);

        // The unreadable frames got CALLERRORs with the OCPP-J id for "no message id could be read"; the stray answers nothing.
        Assert.True(link.Received.Count(f => f.Type == 4 && f.Id == "-1") >= 3, string.Join('\n', link.Received.Select(f => f.Raw)));
        Assert.DoesNotContain(link.Received, f => f.Id is "never-sent" or "never-sent-either");
        Assert.Equal("ProtocolError", (await link.WaitForAsync(f => f.Id == "x")).ErrorCode); // an unknown message type: 1.6 has no MessageTypeNotSupported

        // The charger got only the valid CALLs; every message of its own still gets its answer.
        Assert.Empty(charger.Calls("RemoteStopTransaction"));
        Assert.Empty(charger.Calls("Reset"));
        Assert.Empty(charger.Calls("ChangeAvailability"));
        Assert.Single(charger.Calls("UnlockConnector"));
        var heartbeat = await charger.CallAsync("Heartbeat", []);
        Assert.True(heartbeat.TryGetProperty("currentTime", out _));
        Assert.Equal(1, _backend.Connections); // the link stayed up through all of it

        // The charger's message log keeps what the backend sent, with what was wrong with it.
        var logged = await _node.EventuallyAsync(
            async () =>
            {
                using var messages = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/chargers/{Charger}/messages?limit=200"));
                return messages.RootElement.GetProperty("items").EnumerateArray()
                    .Count(m => m.GetProperty("connectionId").GetString() == "upstream:cpo" && m.GetProperty("direction").GetString() == "out"
                        && m.GetProperty("errorCode").ValueKind == JsonValueKind.String);
            },
            count => count >= 8);
        Assert.True(logged >= 8, $"{logged} refusals to the backend in the message log");
    }

    [Fact]
    public async Task A_backend_that_floods_the_charger_or_sends_an_oversized_frame_does_not_stop_the_chargers_session()
    {
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{_node.BaseUri.Authority}/ocpp"), Charger, "ocpp1.6");
        var link = await _backend.NextConnectionAsync();
        await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "H16" });

        // A flood: 300 CALLs at once, without waiting for answers (OCPP-J allows one outstanding CALL).
        const int flood = 300;
        for (var i = 0; i < flood; i++)
        {
            await link.SendAsync($$"""[2,"f{{i}}","GetConfiguration",{}]""");
        }

        // Meanwhile the charger goes on: its messages are answered (by the backend once it reads again, or by ParkCharge).
        var start = await charger.CallAsync("StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "RFID-H", ["meterStart"] = 0, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        var transactionId = start.GetProperty("transactionId").GetInt32();

        // Every flooded CALL was passed to the charger in turn and answered, in order, none lost.
        await link.WaitForAsync(f => f.Id == $"f{flood - 1}", TimeSpan.FromSeconds(120));
        // (The node's own CALLs to the backend carry GUID ids, which may start with 'f' too.)
        var answered = link.Received.Where(f => f.Id is { } id && FloodId().IsMatch(id)).ToList();
        Assert.Equal(Enumerable.Range(0, flood).Select(i => $"f{i}"), answered.Select(f => f.Id));
        Assert.All(answered, f => Assert.Equal(3, f.Type));
        Assert.Equal(flood, charger.Calls("GetConfiguration").Count);

        // A frame over the node's limit (1 MiB): the link is closed as Message Too Big and opened again.
        try
        {
            await link.SendAsync("[2,\"big\",\"DataTransfer\",{\"vendorId\":\"v\",\"data\":\"" + new string('x', 1_100_000) + "\"}]");
        }
        catch (WebSocketException)
        {
            // The node may refuse and close the link before the whole frame is written (it need not read the rest).
        }

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await link.ClosedAsync());
        var again = await _backend.NextConnectionAsync();
        Assert.Empty(charger.Calls("DataTransfer"));

        var stop = await charger.CallAsync("StopTransaction", new JsonObject { ["transactionId"] = transactionId, ["meterStop"] = 4_000, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        Assert.Equal(JsonValueKind.Object, stop.ValueKind);
        await again.WaitForAsync(f => f.Type == 2 && f.Action == "StopTransaction"); // delivered on the new link, queued or forwarded

        // ParkCharge kept the session whole.
        var session = await _node.EventuallyAsync(
            async () =>
            {
                using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions?chargerId={Charger}"));
                return page.RootElement.GetProperty("items").Clone();
            },
            items => items.GetArrayLength() == 1 && items[0].GetProperty("status").GetString() == "Completed");
        Assert.Equal("Completed", session[0].GetProperty("status").GetString());
        Assert.Equal(4_000m, session[0].GetProperty("energyWh").GetDecimal());
        using var health = await _node.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_backend_answer_that_breaks_the_schema_is_not_passed_on_the_charger_is_answered_and_the_backend_gets_the_message_again()
    {
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{_node.BaseUri.Authority}/ocpp"), Charger, "ocpp1.6");
        var link = await _backend.NextConnectionAsync();
        link.AnswerWith = action => action switch
        {
            "BootNotification" => new JsonObject { ["status"] = "Maybe", ["currentTime"] = At(DateTimeOffset.UtcNow), ["interval"] = 300 },
            "StartTransaction" => new JsonObject { ["transactionId"] = "T-77", ["idTagInfo"] = new JsonObject { ["status"] = "Accepted" } },
            _ => null,
        };

        // The strict charger fails on any answer that breaks the 1.6 schemas: these are ParkCharge's own, as while the backend is away.
        var boot = await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "H16" });
        Assert.Equal("Accepted", boot.GetProperty("status").GetString());
        var start = await charger.CallAsync("StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "RFID-I", ["meterStart"] = 0, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        var transactionId = start.GetProperty("transactionId").GetInt32();

        // The backend gets each message again from the durable queue, as after an answer that came too late.
        foreach (var action in (string[])["BootNotification", "StartTransaction"])
        {
            await Eventually.UntilAsync(() => link.Received.Count(f => f.Type == 2 && f.Action == action) >= 2, $"{action} reaching the backend again");
        }

        // A backend that answers properly again gets the rest as usual, and ParkCharge's session is whole.
        link.AnswerWith = null;
        var stop = await charger.CallAsync("StopTransaction", new JsonObject { ["transactionId"] = transactionId, ["meterStop"] = 2_500, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        Assert.Equal("Accepted", stop.GetProperty("idTagInfo").GetProperty("status").GetString());
        await link.WaitForAsync(f => f.Type == 2 && f.Action == "StopTransaction");
        var session = await _node.EventuallyAsync(
            async () =>
            {
                using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions?chargerId={Charger}"));
                return page.RootElement.GetProperty("items").Clone();
            },
            items => items.GetArrayLength() == 1 && items[0].GetProperty("status").GetString() == "Completed");
        Assert.Equal(2_500m, session[0].GetProperty("energyWh").GetDecimal());

        // The charger's message log keeps the backend's bad answers, each marked with what was wrong.
        var marked = await _node.EventuallyAsync(
            async () =>
            {
                using var messages = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/chargers/{Charger}/messages?limit=200"));
                return messages.RootElement.GetProperty("items").EnumerateArray()
                    .Where(m => m.GetProperty("connectionId").GetString() == "upstream:cpo" && m.GetProperty("direction").GetString() == "in"
                        && m.GetProperty("errorCode").ValueKind == JsonValueKind.String)
                    .Select(m => m.GetProperty("action").GetString()).ToList();
            },
            actions => actions.Count(a => a == "BootNotification") >= 2 && actions.Count(a => a == "StartTransaction") >= 2);
        Assert.True(marked.Count(a => a == "BootNotification") >= 2 && marked.Count(a => a == "StartTransaction") >= 2, string.Join(", ", marked));
    }

    [Fact]
    public async Task A_replayed_message_the_backend_leaves_unanswered_is_sent_again_on_the_same_connection_and_the_queue_goes_on()
    {
        await using var charger = await StrictCharger.ConnectAsync(new Uri($"ws://{_node.BaseUri.Authority}/ocpp"), Charger, "ocpp1.6");
        var link = await _backend.NextConnectionAsync();
        var boot = await charger.CallAsync("BootNotification", new JsonObject { ["chargePointVendor"] = "Strict", ["chargePointModel"] = "H16" });
        Assert.Equal("Accepted", boot.GetProperty("status").GetString());

        // The backend is too slow for the charger's StartTransaction (answered by ParkCharge itself and queued) and
        // for its first replay too; it answers the one after. The connection stays up all along.
        var unanswered = 0;
        link.Ignore = frame => frame.Action == "StartTransaction" && Interlocked.Increment(ref unanswered) <= 2;
        var start = await charger.CallAsync("StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "RFID-S", ["meterStart"] = 0, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        var transactionId = start.GetProperty("transactionId").GetInt32();
        await Eventually.UntilAsync(() => link.Received.Count(f => f.Type == 2 && f.Action == "StartTransaction") >= 3, "StartTransaction sent again after its replay went unanswered");

        // What comes after still reaches the backend, with a transaction id the backend issued (from 500; a retry
        // whose answer came late may have been issued one too), never ParkCharge's own.
        var stop = await charger.CallAsync("StopTransaction", new JsonObject { ["transactionId"] = transactionId, ["meterStop"] = 1_200, ["timestamp"] = At(DateTimeOffset.UtcNow) });
        Assert.Equal("Accepted", stop.GetProperty("idTagInfo").GetProperty("status").GetString());
        var forwarded = await link.WaitForAsync(f => f.Type == 2 && f.Action == "StopTransaction");
        var backendTransaction = forwarded.Payload.GetProperty("transactionId").GetInt32();
        Assert.NotEqual(transactionId, backendTransaction);
        Assert.InRange(backendTransaction, 500, 499 + link.Received.Count(f => f.Type == 2 && f.Action == "StartTransaction"));
        Assert.Equal(1, _backend.Connections);
    }

    [GeneratedRegex(@"^f[0-9]+$")]
    private static partial Regex FloodId();

    private static string At(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A frame the backend received: its OCPP-J type, id, action (CALL), payload, error code (CALLERROR), raw text.</summary>
    internal sealed record Frame(int Type, string? Id, string? Action, JsonElement Payload, string? ErrorCode, string Raw);

    /// <summary>
    /// A backend that is only a WebSocket server on Kestrel: it answers the charger's CALLs as a permissive CSMS
    /// would (boot accepted, ids accepted, transaction ids from 500), records every frame, and sends whatever the
    /// test tells it to.
    /// </summary>
    internal sealed class RawBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly Channel<Link> _links = Channel.CreateUnbounded<Link>();
        private int _connections;

        private RawBackend(WebApplication app) => _app = app;

        public string Url { get; private set; } = "";

        public int Connections => Volatile.Read(ref _connections);

        public static async Task<RawBackend> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var backend = new RawBackend(app);
            app.UseWebSockets();
            app.Map("/hostile/{id}", backend.AcceptAsync);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            backend.Url = address.Replace("http://", "ws://", StringComparison.Ordinal) + "/hostile";
            return backend;
        }

        public async Task<Link> NextConnectionAsync() => await _links.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));

        private async Task AcceptAsync(HttpContext context)
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync(context.WebSockets.WebSocketRequestedProtocols.FirstOrDefault());
            Interlocked.Increment(ref _connections);
            var link = new Link(socket, context.Request.Path.Value!);
            _links.Writer.TryWrite(link);
            await link.RunAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    internal sealed class Link(WebSocket socket, string path)
    {
        private readonly SemaphoreSlim _send = new(1, 1);
        private readonly List<Frame> _received = [];
        private readonly TaskCompletionSource<WebSocketCloseStatus> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _nextTransaction = 500;

        public string Path { get; } = path;

        public string? SubProtocol => socket.SubProtocol;

        /// <summary>The test's own answer to an action (null: the permissive default).</summary>
        public Func<string, JsonObject?>? AnswerWith { get; set; }

        /// <summary>CALLs the backend leaves unanswered, as a backend too busy to answer in time would (null: it answers all).</summary>
        public Func<Frame, bool>? Ignore { get; set; }

        public IReadOnlyList<Frame> Received
        {
            get
            {
                lock (_received)
                {
                    return [.. _received];
                }
            }
        }

        public Task SendAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

        public Task SendBinaryAsync(byte[] bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

        public Task<WebSocketCloseStatus> ClosedAsync() => _closed.Task.WaitAsync(TimeSpan.FromSeconds(30));

        public async Task<Frame> WaitForAsync(Func<Frame, bool> match, TimeSpan? within = null)
        {
            var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
            while (true)
            {
                var arrived = Volatile.Read(ref _arrived).Task;
                if (Received.FirstOrDefault(match) is { } frame)
                {
                    return frame;
                }

                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero, "the backend never received the frame; it got:\n" + string.Join('\n', Received.Select(f => f.Raw.Length > 200 ? f.Raw[..200] : f.Raw)));
                await Task.WhenAny(arrived, Task.Delay(left));
            }
        }

        private async Task SendAsync(byte[] bytes, WebSocketMessageType type)
        {
            await _send.WaitAsync();
            try
            {
                await socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);
            }
            finally
            {
                _send.Release();
            }
        }

        public async Task RunAsync()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                while (socket.State == WebSocketState.Open)
                {
                    using var message = new MemoryStream();
                    WebSocketReceiveResult result;
                    do
                    {
                        result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                        message.Write(buffer, 0, result.Count);
                    }
                    while (!result.EndOfMessage);

                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closed.TrySetResult(socket.CloseStatus ?? WebSocketCloseStatus.Empty);
                        break;
                    }

                    var frame = Read(Encoding.UTF8.GetString(message.ToArray()));
                    lock (_received)
                    {
                        _received.Add(frame);
                    }

                    Interlocked.Exchange(ref _arrived, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
                    if (frame.Type == 2 && Ignore?.Invoke(frame) != true)
                    {
                        await SendAsync($"[3,{JsonSerializer.Serialize(frame.Id)},{Answer(frame.Action!).ToJsonString()}]");
                    }
                }
            }
            catch (WebSocketException)
            {
                // ParkCharge went away.
            }
            finally
            {
                _closed.TrySetResult(socket.CloseStatus ?? WebSocketCloseStatus.Empty);
            }
        }

        private JsonObject Answer(string action) => AnswerWith?.Invoke(action) ?? action switch
        {
            "BootNotification" => new JsonObject { ["status"] = "Accepted", ["currentTime"] = At(DateTimeOffset.UtcNow), ["interval"] = 300 },
            "Heartbeat" => new JsonObject { ["currentTime"] = At(DateTimeOffset.UtcNow) },
            "Authorize" or "StopTransaction" => new JsonObject { ["idTagInfo"] = new JsonObject { ["status"] = "Accepted" } },
            "StartTransaction" => new JsonObject { ["transactionId"] = Interlocked.Increment(ref _nextTransaction), ["idTagInfo"] = new JsonObject { ["status"] = "Accepted" } },
            _ => [],
        };

        private static Frame Read(string raw)
        {
            using var document = JsonDocument.Parse(raw);
            var root = document.RootElement;
            var type = root[0].GetInt32();
            var id = root[1].GetString();
            return type switch
            {
                2 => new Frame(type, id, root[2].GetString(), root[3].Clone(), null, raw),
                3 => new Frame(type, id, null, root[2].Clone(), null, raw),
                _ => new Frame(type, id, null, default, root[2].GetString(), raw),
            };
        }
    }
}
