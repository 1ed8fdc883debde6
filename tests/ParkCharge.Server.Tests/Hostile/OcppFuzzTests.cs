using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Validation;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteOcppFuzzTests(PostgresServer postgres) : OcppFuzzTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresOcppFuzzTests(PostgresServer postgres) : OcppFuzzTests(StoreEngine.Postgres, postgres);

/// <summary>
/// The OCPP fuzz suite (issue 12): generated frames for every action of both versions (see
/// <see cref="OcppFrameGen"/>) played over real WebSockets at a real node. Every CALL is answered within
/// a few seconds, with a CALLRESULT that passes the response schema or a CALLERROR with one of the
/// version's codes and never InternalError (which would be a bug of ours); frames that must not be
/// answered are not; the connection stays open; and a valid call right after still succeeds.
/// </summary>
/// <remarks>
/// The suite runs <see cref="DefaultIterations"/> frames per store. A longer run, with a seed to
/// reproduce a failure: <c>PARKCHARGE_FUZZ_ITERATIONS=20000 PARKCHARGE_FUZZ_SEED=... dotnet test --project
/// tests/ParkCharge.Server.Tests -- --filter-class '*OcppFuzzTests'</c> (README, "How to test").
/// </remarks>
public abstract class OcppFuzzTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const int DefaultIterations = 300;

    /// <summary>The node's default <c>Ocpp:MaxMessageBytes</c>.</summary>
    private const int MaxMessageBytes = 1024 * 1024;

    private static readonly HashSet<string> Codes16 =
    [
        "NotImplemented", "NotSupported", "ProtocolError", "SecurityError", "FormationViolation", "PropertyConstraintViolation",
        "OccurenceConstraintViolation", "TypeConstraintViolation", "GenericError",
    ];

    private static readonly HashSet<string> Codes201 =
    [
        "FormatViolation", "GenericError", "MessageTypeNotSupported", "NotImplemented", "NotSupported", "OccurrenceConstraintViolation",
        "PropertyConstraintViolation", "ProtocolError", "RpcFrameworkError", "SecurityError", "TypeConstraintViolation",
    ];

    private TestNode _node = null!;
    private readonly Dictionary<OcppVersion, RawOcppClient> _chargers = [];
    private int _probes;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        await _node.RegisterChargerAsync("FUZZ-16", site: "fuzz");
        await _node.RegisterChargerAsync("FUZZ-201", site: "fuzz");
        _chargers[OcppVersion.Ocpp16] = await RawOcppClient.ConnectAsync(_node.OcppUri("FUZZ-16"), OcppVersion.Ocpp16);
        _chargers[OcppVersion.Ocpp201] = await RawOcppClient.ConnectAsync(_node.OcppUri("FUZZ-201"), OcppVersion.Ocpp201);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var charger in _chargers.Values)
        {
            await charger.DisposeAsync();
        }

        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Every_generated_frame_of_every_action_of_both_versions_is_answered_correctly_and_a_valid_call_still_succeeds()
    {
        var v16 = OcppFrameGen.For(OcppVersion.Ocpp16);
        var v201 = OcppFrameGen.For(OcppVersion.Ocpp201);
        Assert.True(v16.Actions.Count >= 39 && v201.Actions.Count >= 64, $"{v16.Actions.Count} and {v201.Actions.Count} actions");
        var iterations = int.TryParse(Environment.GetEnvironmentVariable("PARKCHARGE_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : DefaultIterations;
        var seed = Environment.GetEnvironmentVariable("PARKCHARGE_FUZZ_SEED");
        var played = 0;

        await Gen.Frequency((1, v16.Frames), (2, v201.Frames)).SampleAsync(
            async frame =>
            {
                await PlayAsync(frame);
                if (++played % 50 == 0)
                {
                    await ValidCallsSucceedAsync();
                }
            },
            seed: seed,
            iter: iterations,
            threads: 1,
            print: frame => frame.ToString());

        await ValidCallsSucceedAsync();
        using var health = await _node.Http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        Assert.True(health.IsSuccessStatusCode);
    }

    private async Task PlayAsync(FuzzFrame frame)
    {
        var charger = _chargers[frame.Version];
        Assert.Equal(WebSocketState.Open, charger.State);
        await charger.SendTextAsync(frame.Text);
        if (System.Text.Encoding.UTF8.GetByteCount(frame.Text) > MaxMessageBytes)
        {
            // Beyond the node's limit the connection is closed with 1009 (as documented); the charger reconnects.
            Assert.Equal(WebSocketCloseStatus.MessageTooBig, await charger.ClosedAsync(RawOcppClient.AnswerDeadline));
            await charger.DisposeAsync();
            _chargers[frame.Version] = await RawOcppClient.ConnectAsync(_node.OcppUri(frame.Version == OcppVersion.Ocpp16 ? "FUZZ-16" : "FUZZ-201"), frame.Version);
            return;
        }
        if (frame.ReplyIds.Length == 0)
        {
            await ValidCallSucceedsAsync(frame.Version); // nothing may answer it; the next call is answered as usual
            return;
        }

        var answer = await charger.ReceiveAsync(frame.ReplyIds, RawOcppClient.AnswerDeadline);
        if (answer.IsResult)
        {
            Assert.NotNull(frame.Action);
            using var payload = JsonDocument.Parse(answer.Payload!.ToJsonString());
            Assert.Null(OcppSchemas.For(frame.Version).ValidateResponse(frame.Action, payload.RootElement).Violation);
        }
        else
        {
            Assert.Equal(4, answer.MessageType);
            Assert.Contains(answer.ErrorCode!, frame.Version == OcppVersion.Ocpp16 ? Codes16 : Codes201);
        }
    }

    private async Task ValidCallsSucceedAsync()
    {
        await ValidCallSucceedsAsync(OcppVersion.Ocpp16);
        await ValidCallSucceedsAsync(OcppVersion.Ocpp201);
        var now = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        var start = await _chargers[OcppVersion.Ocpp16].CallAsync(ProbeId(), "StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "VALID", ["meterStart"] = 0, ["timestamp"] = now });
        var status = await _chargers[OcppVersion.Ocpp201].CallAsync(ProbeId(), "StatusNotification", new JsonObject { ["timestamp"] = now, ["connectorStatus"] = "Available", ["evseId"] = 1, ["connectorId"] = 1 });
        Assert.True(start.IsResult, start.Text);
        Assert.True(status.IsResult, status.Text);
    }

    private async Task ValidCallSucceedsAsync(OcppVersion version)
    {
        var answer = await _chargers[version].CallAsync(ProbeId(), "Heartbeat", new JsonObject());
        Assert.True(answer.IsResult, answer.Text);
    }

    private string ProbeId() => "probe-" + (++_probes).ToString(CultureInfo.InvariantCulture);
}
