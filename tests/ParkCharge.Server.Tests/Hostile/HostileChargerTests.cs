using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteHostileChargerTests(PostgresServer postgres) : HostileChargerTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresHostileChargerTests(PostgresServer postgres) : HostileChargerTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, findings 1 and 2 through the real edge: what a charger (or anyone with its identity) can
/// send that no real one would. Every message is answered as OCPP says, the node keeps its memory and
/// its log, restarts and replays what it stored, and answers the next valid message.
/// </summary>
public abstract class HostileChargerTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private TestNode _node = null!;
    private StoreOptions _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = await TestStores.CreateOptionsAsync(engine, postgres);
        _node = await TestNode.StartAsync(_store);
        await _node.RegisterChargerAsync("CS-201", site: "lot");
        await _node.RegisterChargerAsync("CP-16", site: "lot");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private static string Now(TimeSpan? offset = null) => (DateTimeOffset.UtcNow + (offset ?? TimeSpan.Zero)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static JsonObject TransactionEvent(string type, int seqNo, string timestamp, decimal? registerWh = null) => new()
    {
        ["eventType"] = type,
        ["timestamp"] = timestamp,
        ["triggerReason"] = type == "Started" ? "CablePluggedIn" : "MeterValuePeriodic",
        ["seqNo"] = seqNo,
        ["transactionInfo"] = new JsonObject { ["transactionId"] = "tx-hostile" },
        ["evse"] = new JsonObject { ["id"] = 1, ["connectorId"] = 1 },
        ["meterValue"] = registerWh is { } wh
            ? new JsonArray(new JsonObject { ["timestamp"] = timestamp, ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = wh }) })
            : null,
    };

    [Fact]
    public async Task Finding_1_a_seqNo_of_2147483647_after_0_and_then_minus_1_is_answered_flagged_and_replays_after_a_restart()
    {
        await using (var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201))
        {
            var started = await charger.CallAsync("1", "TransactionEvent", TransactionEvent("Started", 0, Now(), 1_000));
            var huge = await charger.CallAsync("2", "TransactionEvent", TransactionEvent("Updated", int.MaxValue, Now(), 2_000));
            var negative = await charger.CallAsync("3", "TransactionEvent", TransactionEvent("Updated", -1, Now(), 3_000));

            Assert.All([started, huge, negative], a => Assert.True(a.IsResult, a.Text));
        }

        var session = await SessionAsync("CS-201");
        Assert.Contains("SequenceInvalid", Anomalies(session));
        Assert.Equal(0, session.GetProperty("missingSeqNoCount").GetInt64());
        Assert.Equal(2_000m, session.GetProperty("energyWh").GetDecimal());

        // The stored observations replay at start: the node restarts on the same store and carries on.
        await _node.DisposeAsync();
        _node = await TestNode.StartAsync(_store);
        Assert.Equal(0, await ReplayDivergencesAsync());
        await using (var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201))
        {
            var next = await charger.CallAsync("4", "TransactionEvent", TransactionEvent("Updated", 5, Now(), 4_000));
            Assert.True(next.IsResult, next.Text);
        }

        session = await SessionAsync("CS-201");
        Assert.Equal(3_000m, session.GetProperty("energyWh").GetDecimal());
        Assert.Equal([1, 2, 3, 4], session.GetProperty("missingSeqNos").EnumerateArray().Select(n => n.GetInt32()));
        var gap = Assert.Single(session.GetProperty("missingSeqNoRanges").EnumerateArray());
        Assert.Equal((1, 4, 4L), (gap.GetProperty("first").GetInt32(), gap.GetProperty("last").GetInt32(), gap.GetProperty("count").GetInt64()));
    }

    [Fact]
    public async Task Finding_2_messages_dated_year_1_and_year_9999_are_answered_flagged_and_taken_at_their_receive_time()
    {
        const string year9999 = "9999-12-31T23:59:59Z";
        const string year1 = "0001-01-01T00:00:00Z";
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using (var v16 = await RawOcppClient.ConnectAsync(_node.OcppUri("CP-16"), OcppVersion.Ocpp16))
        {
            var status = await v16.CallAsync("s", "StatusNotification", new JsonObject { ["connectorId"] = 1, ["errorCode"] = "NoError", ["status"] = "Preparing", ["timestamp"] = year1 });
            var start = await v16.CallAsync("a", "StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "TAG", ["meterStart"] = 100, ["timestamp"] = year9999 });
            Assert.True(start.IsResult, start.Text);
            var tx = start.Payload!["transactionId"]!.GetValue<int>();
            var meter = await v16.CallAsync("m", "MeterValues", new JsonObject
            {
                ["connectorId"] = 1,
                ["transactionId"] = tx,
                ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = year9999, ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = "600" }) }),
            });
            var stop = await v16.CallAsync("z", "StopTransaction", new JsonObject { ["transactionId"] = tx, ["meterStop"] = 1_100, ["timestamp"] = year1 });

            Assert.All([status, start, meter, stop], a => Assert.True(a.IsResult, a.Text));
        }

        await using (var v201 = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201))
        {
            var status = await v201.CallAsync("s", "StatusNotification", new JsonObject { ["timestamp"] = year9999, ["connectorStatus"] = "Occupied", ["evseId"] = 1, ["connectorId"] = 1 });
            var started = await v201.CallAsync("t", "TransactionEvent", TransactionEvent("Started", 0, year9999, 5_000));
            Assert.All([status, started], a => Assert.True(a.IsResult, a.Text));
        }

        var after = DateTimeOffset.UtcNow.AddSeconds(1);
        foreach (var charger in new[] { "CP-16", "CS-201" })
        {
            var session = await SessionAsync(charger);
            Assert.Contains("ClockOutOfRange", Anomalies(session));
            Assert.InRange(session.GetProperty("startedAt").GetDateTimeOffset(), before, after);
        }

        Assert.Equal(1_000m, (await SessionAsync("CP-16")).GetProperty("energyWh").GetDecimal());
        using var events = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/events?site=lot&type=charger.clock_rejected", TestContext.Current.CancellationToken));
        Assert.Equal(["CP-16", "CS-201"], events.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("data").GetProperty("charger").GetString()).Order(StringComparer.Ordinal));
        using var history = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-16/status-history", TestContext.Current.CancellationToken));
        Assert.All(history.RootElement.EnumerateArray(), h => Assert.InRange(h.GetProperty("eventTime").GetDateTimeOffset(), before, after));
    }

    [Fact]
    public async Task Finding_7_meter_values_of_1e300_and_beyond_decimal_are_answered_left_out_and_the_energy_stays_right()
    {
        await using var v201 = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201);
        await using var v16 = await RawOcppClient.ConnectAsync(_node.OcppUri("CP-16"), OcppVersion.Ocpp16);

        var started = await v201.CallAsync("1", "TransactionEvent", TransactionEvent("Started", 0, Now(), 1_000));
        var absurd = await v201.SendAsync(
            $$$"""[2,"2","TransactionEvent",{"eventType":"Updated","timestamp":"{{{Now()}}}","triggerReason":"MeterValuePeriodic","seqNo":1,"transactionInfo":{"transactionId":"tx-hostile"},"meterValue":[{"timestamp":"{{{Now()}}}","sampledValue":[{"value":1e300},{"value":-1e300,"measurand":"Power.Active.Import"},{"value":79228162514264337593543950335,"unitOfMeasure":{"unit":"kWh","multiplier":2147483647}}]}]}]""",
            "2");
        var ended = await v201.CallAsync("3", "TransactionEvent", TransactionEvent("Ended", 2, Now(), 4_000));
        var start16 = await v16.CallAsync("a", "StartTransaction", new JsonObject { ["connectorId"] = 2147483647, ["idTag"] = "T", ["meterStart"] = 2147483647, ["timestamp"] = Now() });
        var tx = start16.Payload!["transactionId"]!.GetValue<int>();
        var meter16 = await v16.CallAsync("m", "MeterValues", new JsonObject
        {
            ["connectorId"] = 2147483647,
            ["transactionId"] = tx,
            ["meterValue"] = new JsonArray(new JsonObject { ["timestamp"] = Now(), ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = "1e300" }, new JsonObject { ["value"] = "-79228162514264337593543950335", ["unit"] = "kWh" }) }),
        });
        var stop16 = await v16.CallAsync("z", "StopTransaction", new JsonObject { ["transactionId"] = 2147483647, ["meterStop"] = -2147483648, ["timestamp"] = Now() });

        Assert.All([started, absurd, ended, start16, meter16, stop16], a => Assert.True(a.IsResult, a.Text));
        var session = await SessionAsync("CS-201");
        Assert.Contains("MeterValueOutOfRange", Anomalies(session));
        Assert.Equal(3_000m, session.GetProperty("energyWh").GetDecimal());
        Assert.Contains("MeterValueOutOfRange", Anomalies(await SessionAsync("CP-16", tx)));
        var next = await v201.CallAsync("4", "Heartbeat", new JsonObject());
        Assert.True(next.IsResult, next.Text);
    }

    [Fact]
    public async Task Text_a_database_cannot_hold_a_nul_or_an_unpaired_surrogate_fails_no_one_and_the_charger_carries_on()
    {
        await using var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CP-16"), OcppVersion.Ocpp16);

        var boot = await charger.SendAsync("""[2,"b","BootNotification",{"chargePointVendor":"Ven\u0000dor","chargePointModel":"M\u0000"}]""", "b");
        var transfer = await charger.SendAsync("""[2,"d","DataTransfer",{"vendorId":"x\u0000","data":"\u0000\u0000 and \\u0000"}]""", "d");
        var surrogate = await charger.SendAsync("""[2,"s","DataTransfer",{"vendorId":"x","data":"\ud800 alone"}]""", "s");
        var start = await charger.CallAsync("a", "StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "T\u0000G", ["meterStart"] = 0, ["timestamp"] = Now() });

        Assert.True(boot.IsResult, boot.Text);
        Assert.True(transfer.IsResult, transfer.Text);
        Assert.Equal("PropertyConstraintViolation", surrogate.ErrorCode);
        Assert.True(start.IsResult, start.Text);
        using var view = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-16", TestContext.Current.CancellationToken));
        Assert.StartsWith("Ven", view.RootElement.GetProperty("vendor").GetString(), StringComparison.Ordinal);
        Assert.Equal("T", (await SessionAsync("CP-16")).GetProperty("idToken").GetString()![..1]);
    }

    [Fact]
    public async Task An_observation_the_engine_fails_on_or_the_store_refuses_fails_alone_while_chargers_keep_streaming()
    {
        var engines = _node.App.Services.GetRequiredService<SiteEngines>();
        var site = new SiteId("lot");
        await using var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CP-16"), OcppVersion.Ocpp16);
        var loadsBefore = engines.For(site).Loads;

        // A stream of valid messages, with poisoned observations submitted into the same site as they
        // go: one the engine throws on (a payload no adapter would build), one whose rows the store
        // cannot write (a payload type the log cannot serialise). They share units with the valid ones.
        var poisoned = new List<Task<Reply>>();
        var answers = new List<RawOcppClient.Answer>();
        for (var i = 0; i < 40; i++)
        {
            poisoned.Add(engines.SubmitAsync(Poison(site, $"throws-{i}", new MeterValuesReported(new ChargerId("CP-16"), ConnectorRef.Ocpp16(1), null, null!))));
            poisoned.Add(engines.SubmitAsync(Poison(site, $"unwritable-{i}", new Storage.Log.UnreadablePayload("test", "not for the log"))));
            answers.Add(await charger.CallAsync($"m{i}", "StatusNotification", new JsonObject
            {
                ["connectorId"] = 1,
                ["errorCode"] = "NoError",
                ["status"] = i % 2 == 0 ? "Preparing" : "Available",
                ["timestamp"] = Now(TimeSpan.FromSeconds(i - 40)),
            }));
        }

        Assert.All(answers, a => Assert.True(a.IsResult, a.Text));
        foreach (var task in poisoned)
        {
            await Assert.ThrowsAsync<ObservationFailedException>(() => task);
        }

        using var history = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-16/status-history?limit=100", TestContext.Current.CancellationToken));
        Assert.Equal(40, history.RootElement.GetArrayLength());
        Assert.True(engines.For(site).Loads - loadsBefore <= 1, $"the site was loaded {engines.For(site).Loads - loadsBefore} times");
        var next = await charger.CallAsync("after", "Heartbeat", new JsonObject());
        Assert.True(next.IsResult, next.Text);
    }

    [Fact]
    public async Task Observations_older_versions_stored_that_this_one_refuses_or_cannot_read_do_not_keep_the_site_from_loading()
    {
        await using (var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201))
        {
            Assert.True((await charger.CallAsync("1", "TransactionEvent", TransactionEvent("Started", 0, Now(), 1_000))).IsResult);
        }

        await _node.DisposeAsync();

        // What earlier versions accepted and stored: a seqNo of 2^31-1 with a meter value at decimal's
        // limit, a seqNo of -1, meter values dated year 9999, a camera read dated year 1, meter values
        // without samples (this engine throws on them), all answered as accepted; a payload of a kind
        // this version does not know; and ten more events than this version derives from them.
        var site = new SiteId("lot");
        var old = DateTimeOffset.UtcNow.AddMinutes(-1);
        var lastEvent = 0L;
        await using (var store = await TestStores.OpenAsync(_store))
        {
            var state = new SiteState(site);
            await foreach (var stored in store.Log.ReadAsync(site, 0, TestContext.Current.CancellationToken))
            {
                state.Apply(stored.Observation, SiteEngine.Decide(state, stored.Observation));
            }

            ObservationPayload[] payloads =
            [
                new TransactionEventReported { Charger = new ChargerId("CS-201"), EventType = TransactionEventType.Updated, TransactionId = "tx-hostile", TriggerReason = "MeterValuePeriodic", SeqNo = int.MaxValue, Samples = [new MeterSample(old, Measurands.EnergyActiveImportRegister, decimal.MaxValue, "Wh")] },
                new TransactionEventReported { Charger = new ChargerId("CS-201"), EventType = TransactionEventType.Updated, TransactionId = "tx-hostile", TriggerReason = "MeterValuePeriodic", SeqNo = -1 },
                new MeterValuesReported(new ChargerId("CS-201"), ConnectorRef.Ocpp201(1, 1), null, [new MeterSample(DateTimeOffset.MaxValue, Measurands.EnergyActiveImportRegister, -decimal.MaxValue, "Wh")]),
                new Core.Parking.PlateRead { Camera = "gate", Plate = "YEAR1" },
                new MeterValuesReported(new ChargerId("CS-201"), ConnectorRef.Ocpp201(1, 1), null, null!), // a shape this engine throws on
            ];
            var entries = payloads.Select((payload, i) => new Storage.Log.LoggedObservation(state.LastSeq + 1 + i, new Observation
            {
                Site = site,
                Source = "older-version",
                Key = $"old-{i}",
                EventTime = payload is Core.Parking.PlateRead ? DateTimeOffset.MinValue : old,
                ReceivedAt = old,
                Payload = payload,
            }, new Decision { Reply = Acknowledged.Instance }, 0)).ToList();
            await store.Writer.AppendAsync(new Storage.Log.SiteAppend(site, entries));

            await using var connection = await store.Database.OpenAsync(TestContext.Current.CancellationToken);
            lastEvent = await store.Log.LastEventSeqAsync(site, TestContext.Current.CancellationToken);
            await ExecuteAsync(
                connection,
                "INSERT INTO observations (site_id, seq, key, source, kind, event_time, received_at, payload, reply) "
                + "VALUES ('lot', @seq, 'old-unreadable', 'older-version', 'charging.from_the_future', @at, @at, @payload, @reply)",
                ("seq", state.LastSeq + payloads.Length + 1), ("at", old), ("payload", """{"type":"charging.from_the_future","warp":9}"""), ("reply", """{"type":"ack"}"""));
            for (var more = 1; more <= 10; more++)
            {
                await ExecuteAsync(
                    connection,
                    "INSERT INTO events (site_id, seq, id, observation_seq, type, event_time, recorded_at, payload) "
                    + "SELECT site_id, seq + @more, id || '-older-' || @more, observation_seq, type, event_time, recorded_at, payload FROM events WHERE site_id = 'lot' AND seq = @last",
                    ("last", lastEvent), ("more", more));
            }
        }

        _node = await TestNode.StartAsync(_store);
        var host = _node.App.Services.GetRequiredService<SiteEngines>().For(site);
        await host.WarmUpAsync();
        Assert.True(host.ReplayDivergences >= 2, $"{host.ReplayDivergences} divergences");
        await using (var charger = await RawOcppClient.ConnectAsync(_node.OcppUri("CS-201"), OcppVersion.Ocpp201))
        {
            var next = await charger.CallAsync("2", "TransactionEvent", TransactionEvent("Ended", 1, Now(), 2_500));
            Assert.True(next.IsResult, next.Text);
        }

        var session = await SessionAsync("CS-201");
        Assert.Equal("Completed", session.GetProperty("status").GetString());
        Assert.Equal(1_500m, session.GetProperty("energyWh").GetDecimal());
        using var events = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/events?site=lot&after={lastEvent + 10}", TestContext.Current.CancellationToken));
        Assert.Contains(events.RootElement.GetProperty("items").EnumerateArray(), e => e.GetProperty("type").GetString() == "charging.stopped");
    }

    private async Task ExecuteAsync(System.Data.Common.DbConnection connection, string sql, params (string Name, object Value)[] values)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in values)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value is DateTimeOffset at && engine == StoreEngine.Sqlite
                ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)
                : value;
            if (name is "payload" or "reply" && parameter is Npgsql.NpgsqlParameter json)
            {
                json.NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Jsonb;
            }

            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static Observation Poison(SiteId site, string key, ObservationPayload payload) => new()
    {
        Site = site,
        Source = "test:poison",
        Key = key,
        EventTime = DateTimeOffset.UtcNow,
        ReceivedAt = DateTimeOffset.UtcNow,
        Payload = payload,
    };

    private async Task<int> ReplayDivergencesAsync()
    {
        var host = _node.App.Services.GetRequiredService<SiteEngines>().For(new SiteId("lot"));
        await host.WarmUpAsync();
        return host.ReplayDivergences;
    }

    private async Task<JsonElement> SessionAsync(string charger, int? transactionId = null)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions?chargerId={charger}", TestContext.Current.CancellationToken));
        var items = page.RootElement.GetProperty("items").EnumerateArray().ToList();
        var summary = transactionId is { } tx
            ? items.Single(s => s.GetProperty("transactionId").GetString() == tx.ToString(CultureInfo.InvariantCulture))
            : Assert.Single(items);
        using var detail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions/{summary.GetProperty("id").GetString()}", TestContext.Current.CancellationToken));
        return detail.RootElement.Clone();
    }

    private static string[] Anomalies(JsonElement session) =>
        [.. session.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()!)];
}
