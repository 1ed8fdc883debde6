using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

using Microsoft.Extensions.Logging;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;

using V16 = ParkCharge.Ocpp.V16;
using V201 = ParkCharge.Ocpp.V201;

namespace ParkCharge.Simulator.Scenarios.BusyDay;

/// <summary>
/// Plays a simulated busy day against a real ParkCharge node through its edges, in (accelerated) real time:
/// the site with PUT /api/v1/sites/{id}, every charger over its own OCPP-J WebSocket (1.6 or 2.0.1,
/// connecting and disconnecting when the day says, queued transaction messages delivered after a
/// reconnection), every camera read and vacancy pushed to /api/v1/anpr/reads with the camera's key, each at
/// its receive time on <paramref name="clock"/>, which the node must share. The node's own timers then end
/// the binding windows, as in production. What the node decided is scored with
/// <see cref="BindingAccuracy.Score(SimulatedDay, Core.Engine.SiteState, IReadOnlyDictionary{string, int})"/>.
/// </summary>
public sealed partial class BusyDayNodePlayer(SimulatedDay day, Uri server, string apiKey, TimeProvider clock, ILogger logger)
{
    private readonly Dictionary<string, int> _issued = new(StringComparer.Ordinal);
    private int _refused;
    private int _sent;

    /// <summary>The 1.6 transaction ids the node issued, by the simulator's transaction ref.</summary>
    public IReadOnlyDictionary<string, int> Issued => _issued;

    /// <summary>Calls and pushes the node answered with an error (a CALLERROR, an HTTP error): none expected.</summary>
    public int Refused => _refused;

    /// <summary>Calls and pushes sent.</summary>
    public int Sent => _sent;

    /// <summary>
    /// Where each charger or camera sends (given its source, <c>charger:ID</c> or <c>camera:ID</c>): to spread them over the
    /// nodes of a cluster. Null: everything goes to the server the player was given.
    /// </summary>
    public Func<string, Uri>? ServerFor { get; init; }

    /// <summary>A <c>tariffs</c> section (JSON) for the site document, so that the node bills the day's stays; null: none.</summary>
    public string? Tariffs { get; init; }

    /// <summary>The camera key a simulated camera pushes with (each camera has its own).</summary>
    public static string CameraKey(string camera) => $"sim-{camera}-key-0123456789";

    /// <summary>Configures the site, then plays every message at its time; returns after the day's end (every window over).</summary>
    public async Task PlayAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        using (var put = await http.PutAsync(new Uri($"/api/v1/sites/{day.Site.Id.Value}", UriKind.Relative), new StringContent(SiteDocument(day.Site, Tariffs), Encoding.UTF8, "application/json"), ct))
        {
            if (!put.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"The node refused the busy day's site: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync(ct)}");
            }
        }

        var sources = day.Messages
            .Where(m => m.Observation.Payload is not (SiteConfigured or ChargerRegistration))
            .GroupBy(m => SourceOf(m.Observation), StringComparer.Ordinal)
            .ToList();
        var work = sources.Select(g => g.Key.StartsWith("charger:", StringComparison.Ordinal)
            ? Task.Run(() => PlayChargerAsync(new ChargerId(g.Key["charger:".Length..]), [.. g], ct), ct)
            : Task.Run(() => PlayCameraAsync(g.Key["camera:".Length..], [.. g], ct), ct)).ToList();
        await Task.WhenAll(work);
        await WaitUntilAsync(day.End, ct);
    }

    private static string SourceOf(Observation observation) => observation.Payload switch
    {
        PlateRead read => "camera:" + read.Camera,
        BayVacancyReported vacancy => "camera:" + vacancy.Camera,
        ConnectionOpened opened => "charger:" + opened.Charger.Value,
        ConnectionClosed closed => "charger:" + closed.Charger.Value,
        _ => "charger:" + observation.Source["ocpp:".Length..],
    };

    private async Task PlayCameraAsync(string camera, List<SimulatedMessage> messages, CancellationToken ct)
    {
        using var client = new HttpClient { BaseAddress = ServerFor?.Invoke("camera:" + camera) ?? server, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CameraKey(camera));
        foreach (var message in messages)
        {
            await WaitUntilAsync(message.Observation.ReceivedAt, ct);
            object body = message.Observation.Payload switch
            {
                PlateRead read => new
                {
                    cameraId = camera,
                    plate = read.Plate,
                    confidence = read.Confidence,
                    capturedAt = message.Observation.EventTime,
                    readId = read.ReadId,
                    zone = read.Zone,
                    plateX = read.PlateX,
                },
                BayVacancyReported vacancy => new { cameraId = camera, @event = "vacant", zone = vacancy.Zone, capturedAt = message.Observation.EventTime },
                var other => throw new InvalidOperationException($"A camera does not send {other.Kind}."),
            };
            Interlocked.Increment(ref _sent);
            using var response = await PostWithRetryAsync(client, body, ct);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref _refused);
                LogRefused(logger, camera, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            }
        }
    }

    /// <summary>A push the node rate-limited is sent again when it says (a camera retries too).</summary>
    private static async Task<HttpResponseMessage> PostWithRetryAsync(HttpClient client, object body, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", body, ct);
            if ((int)response.StatusCode != 429 || attempt >= 5)
            {
                return response;
            }

            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait, ct);
        }
    }

    private async Task PlayChargerAsync(ChargerId charger, List<SimulatedMessage> messages, CancellationToken ct)
    {
        Connection? connection = null;
        try
        {
            foreach (var message in messages)
            {
                await WaitUntilAsync(message.Observation.ReceivedAt, ct);
                switch (message.Observation.Payload)
                {
                    case ConnectionOpened opened:
                        if (connection is not null)
                        {
                            await connection.DisposeAsync();
                        }

                        connection = await ConnectAsync(charger, opened.Version, ct);
                        break;
                    case ConnectionClosed:
                        if (connection is not null)
                        {
                            await connection.DisposeAsync();
                            connection = null;
                        }

                        break;
                    case var payload:
                        connection ??= await ConnectAsync(charger, VersionOf(charger), ct);
                        await SendAsync(connection.Rpc, message, payload, ct);
                        break;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private OcppVersion VersionOf(ChargerId charger) =>
        day.Transactions.FirstOrDefault(t => t.Charger == charger)?.Version
        ?? day.Messages.Select(m => m.Observation.Payload).OfType<ConnectionOpened>().First(o => o.Charger == charger).Version;

    private async Task SendAsync(RpcConnection rpc, SimulatedMessage message, ObservationPayload payload, CancellationToken ct)
    {
        var at = message.Observation.EventTime;
        var outcome = payload switch
        {
            BootReported boot when rpc.Version == OcppVersion.Ocpp16 => await rpc.CallAsync(V16.V16Actions.BootNotification, new V16.BootNotificationRequest
            {
                ChargePointVendor = boot.Vendor,
                ChargePointModel = boot.Model,
                FirmwareVersion = boot.FirmwareVersion,
            }, ct) is var b16 ? (b16.Status, (object?)b16.Response) : default,
            BootReported boot => await rpc.CallAsync(V201.V201Actions.BootNotification, new V201.BootNotificationRequest
            {
                ChargingStation = new V201.ChargingStationType { Model = boot.Model, VendorName = boot.Vendor, FirmwareVersion = boot.FirmwareVersion },
                Reason = V201.BootReasonEnumType.PowerUp,
            }, ct) is var b201 ? (b201.Status, (object?)b201.Response) : default,
            ConnectorStatusReported status when rpc.Version == OcppVersion.Ocpp16 => await rpc.CallAsync(V16.V16Actions.StatusNotification, new V16.StatusNotificationRequest
            {
                ConnectorId = status.Connector.Connector,
                Status = Enum.Parse<V16.ChargePointStatus>(status.Status.ToString()),
                ErrorCode = status.Status == ConnectorStatus.Faulted ? V16.ChargePointErrorCode.ConnectorLockFailure : V16.ChargePointErrorCode.NoError,
                Timestamp = at,
            }, ct) is var s16 ? (s16.Status, (object?)s16.Response) : default,
            ConnectorStatusReported status => await rpc.CallAsync(V201.V201Actions.StatusNotification, new V201.StatusNotificationRequest
            {
                Timestamp = at,
                ConnectorStatus = Enum.Parse<V201.ConnectorStatusEnumType>(status.Status.ToString()),
                EvseId = status.Connector.Evse ?? status.Connector.Connector,
                ConnectorId = status.Connector.Evse is null ? 1 : status.Connector.Connector,
            }, ct) is var s201 ? (s201.Status, (object?)s201.Response) : default,
            TransactionStartReported start => await rpc.CallAsync(V16.V16Actions.StartTransaction, new V16.StartTransactionRequest
            {
                ConnectorId = start.ConnectorId,
                IdTag = start.IdTag,
                MeterStart = (int)start.MeterStartWh,
                Timestamp = at,
            }, ct) is var started ? (started.Status, (object?)started.Response) : default,
            MeterValuesReported meter => await rpc.CallAsync(V16.V16Actions.MeterValues, new V16.MeterValuesRequest
            {
                ConnectorId = meter.Connector.Connector,
                TransactionId = message.TransactionRef is { } r && _issued.TryGetValue(r, out var id) ? id : meter.TransactionId,
                MeterValue = [.. meter.Samples.Select(MeterValue16)],
            }, ct) is var m16 ? (m16.Status, (object?)m16.Response) : default,
            TransactionStopReported stop => await rpc.CallAsync(V16.V16Actions.StopTransaction, new V16.StopTransactionRequest
            {
                TransactionId = message.TransactionRef is { } r && _issued.TryGetValue(r, out var id) ? id : stop.TransactionId,
                IdTag = stop.IdTag,
                MeterStop = (int)stop.MeterStopWh,
                Timestamp = at,
                Reason = stop.Reason is null ? null : Enum.Parse<V16.Reason>(stop.Reason),
            }, ct) is var stopped ? (stopped.Status, (object?)stopped.Response) : default,
            TransactionEventReported e => await rpc.CallAsync(V201.V201Actions.TransactionEvent, TransactionEvent(e, at), ct) is var t201 ? (t201.Status, (object?)t201.Response) : default,
            var other => throw new InvalidOperationException($"A charger does not send {other.Kind}."),
        };
        Interlocked.Increment(ref _sent);
        if (outcome.Status != RpcCallStatus.Completed)
        {
            Interlocked.Increment(ref _refused);
            LogCallFailed(logger, message.Observation.Source, payload.Kind, outcome.Status.ToString());
        }
        else if (outcome.Item2 is V16.StartTransactionResponse answer && message.TransactionRef is { } reference)
        {
            _issued[reference] = answer.TransactionId;
        }
    }

    private static V16.MeterValue MeterValue16(MeterSample sample) => new()
    {
        Timestamp = sample.Timestamp,
        SampledValue =
        [
            new V16.SampledValue
            {
                Value = sample.Value.ToString(CultureInfo.InvariantCulture),
                Measurand = V16.Measurand.EnergyActiveImportRegister,
                Unit = V16.UnitOfMeasure.Wh,
                Context = Context16(sample.Context),
            },
        ],
    };

    private static V16.ReadingContext? Context16(string? context) => context switch
    {
        "Transaction.Begin" => V16.ReadingContext.TransactionBegin,
        "Transaction.End" => V16.ReadingContext.TransactionEnd,
        "Sample.Periodic" => V16.ReadingContext.SamplePeriodic,
        _ => null,
    };

    private static V201.TransactionEventRequest TransactionEvent(TransactionEventReported e, DateTimeOffset at) => new()
    {
        EventType = Enum.Parse<V201.TransactionEventEnumType>(e.EventType.ToString()),
        Timestamp = at,
        TriggerReason = Enum.Parse<V201.TriggerReasonEnumType>(e.TriggerReason),
        SeqNo = e.SeqNo,
        Offline = e.Offline ? true : null,
        TransactionInfo = new V201.TransactionType
        {
            TransactionId = e.TransactionId,
            ChargingState = e.ChargingState is { } state ? Enum.Parse<V201.ChargingStateEnumType>(state.ToString()) : null,
            StoppedReason = e.StoppedReason is { } reason ? Enum.Parse<V201.ReasonEnumType>(reason) : null,
        },
        Evse = e.Connector is { } connector ? new V201.EVSEType { Id = connector.Evse ?? connector.Connector, ConnectorId = connector.Evse is null ? null : connector.Connector } : null,
        IdToken = e.IdToken is { } token ? new V201.IdTokenType { IdToken = token.Value, Type = Enum.Parse<V201.IdTokenEnumType>(token.Type ?? "ISO14443") } : null,
        MeterValue = e.Samples.Count == 0 ? null :
        [
            new V201.MeterValueType
            {
                Timestamp = e.Samples[0].Timestamp,
                SampledValue =
                [
                    .. e.Samples.Select(s => new V201.SampledValueType
                    {
                        Value = s.Value,
                        Measurand = V201.MeasurandEnumType.EnergyActiveImportRegister,
                        Context = s.Context switch
                        {
                            "Transaction.Begin" => V201.ReadingContextEnumType.TransactionBegin,
                            "Transaction.End" => V201.ReadingContextEnumType.TransactionEnd,
                            _ => V201.ReadingContextEnumType.SamplePeriodic,
                        },
                        UnitOfMeasure = new V201.UnitOfMeasureType { Unit = "Wh" },
                    }),
                ],
            },
        ],
    };

    private async Task<Connection> ConnectAsync(ChargerId charger, OcppVersion version, CancellationToken ct)
    {
        var to = ServerFor?.Invoke("charger:" + charger.Value) ?? server;
        var ocpp = new Uri($"{(to.Scheme == "https" ? "wss" : "ws")}://{to.Authority}/ocpp/{Uri.EscapeDataString(charger.Value)}");
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(version == OcppVersion.Ocpp16 ? "ocpp1.6" : "ocpp2.0.1");
        await socket.ConnectAsync(ocpp, ct);
        var rpc = new RpcConnection(
            socket,
            new NothingSupported(),
            new RpcConnectionOptions { Version = version, ChargerId = charger.Value, CallTimeout = TimeSpan.FromSeconds(60) },
            TimeProvider.System,
            logger);
        return new Connection(socket, rpc, Task.Run(() => rpc.RunAsync(CancellationToken.None), CancellationToken.None));
    }

    private async Task WaitUntilAsync(DateTimeOffset at, CancellationToken ct)
    {
        var left = at - clock.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left, clock, ct);
        }
    }

    /// <summary>The site file (JSON) for the busy day's site: each camera with its own key, the chargers with no password.</summary>
    public static string SiteDocument(SiteConfiguration site, string? tariffs = null)
    {
        ArgumentNullException.ThrowIfNull(site);
        var document = new JsonObject
        {
            ["id"] = site.Id.Value,
            ["name"] = site.Name,
            ["timeZone"] = site.TimeZone,
            ["currency"] = site.Currency,
            ["ordinaryBays"] = site.OrdinaryBays,
            ["lanes"] = new JsonArray([.. site.Lanes.Select(l => (JsonNode)new JsonObject
            {
                ["id"] = l.Id,
                ["direction"] = l.Direction.ToString().ToLowerInvariant(),
                ["cameras"] = new JsonArray([.. site.Cameras.Where(c => c.Lane == l.Id).Select(c => (JsonNode)new JsonObject { ["id"] = c.Id, ["key"] = CameraKey(c.Id) })]),
            })]),
            ["chargers"] = new JsonArray([.. site.EvBays.Select(b => b.Charger.Value).Distinct(StringComparer.Ordinal).Select(id => (JsonNode)new JsonObject { ["id"] = id })]),
            ["evBays"] = new JsonArray([.. site.EvBays.Select(b => (JsonNode)new JsonObject
            {
                ["id"] = b.Id,
                ["charger"] = b.Charger.Value,
                ["connector"] = b.Connector,
                ["neighbours"] = new JsonArray([.. b.Neighbours.Select(n => (JsonNode)n)]),
            })]),
            ["bayCameras"] = new JsonArray([.. site.Cameras.Where(c => !c.IsLaneCamera).Select(c => (JsonNode)new JsonObject
            {
                ["id"] = c.Id,
                ["key"] = CameraKey(c.Id),
                ["bays"] = new JsonArray([.. c.Bays.Select(b => b.Zone is null && b.XMin is null
                    ? (JsonNode)b.Bay
                    : new JsonObject { ["bay"] = b.Bay, ["zone"] = b.Zone, ["region"] = b.XMin is { } min ? new JsonArray(min, b.XMax) : null })]),
            })]),
        };
        if (tariffs is not null)
        {
            document["tariffs"] = JsonNode.Parse(tariffs);
        }

        return document.ToJsonString();
    }

    private sealed class Connection(ClientWebSocket socket, RpcConnection rpc, Task run) : IAsyncDisposable
    {
        public RpcConnection Rpc => rpc;

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (socket.State == WebSocketState.Open)
                {
                    await rpc.CloseAsync(WebSocketCloseStatus.NormalClosure, "simulated outage or end of day");
                }

                await run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or OperationCanceledException)
            {
                // The connection is over either way.
            }

            await rpc.DisposeAsync();
            socket.Dispose();
        }
    }

    /// <summary>The busy day's chargers answer no call from the node (the day has no commands).</summary>
    private sealed class NothingSupported : IRpcCallHandler
    {
        public ValueTask<RpcReply> HandleAsync(RpcInboundCall inboundCall, CancellationToken cancellationToken) =>
            ValueTask.FromResult(RpcReply.Error(RpcErrorCode.NotSupported, "The simulated busy day answers no calls."));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: the node answered a push {Status}: {Body}")]
    private static partial void LogRefused(ILogger logger, string camera, int status, string body);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Charger {Charger}: {Kind} ended {Status}")]
    private static partial void LogCallFailed(ILogger logger, string charger, string kind, string status);
}
