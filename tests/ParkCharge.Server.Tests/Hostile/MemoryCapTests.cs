using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Core.Charging;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// <c>parkcharge serve</c> as a real process with a fixed memory cap (a GC heap hard limit of 160 MB,
/// which an idle node uses a fraction of): a stream of hostile OCPP frames (seqNos of two billion and
/// below zero, year-1 and year-9999 times, ids and numbers at and beyond every limit, JSON nested
/// thousands deep, a thousand connectors) neither kills nor starves it, every CALL is answered with a
/// result or a protocol error that is not InternalError, the next valid call succeeds, and a restart on
/// the same data (under the same cap) replays the log.
/// </summary>
public sealed class MemoryCapTests
{
    private const string Key = "pck_memory-cap-test-key";
    private const string HeapLimit = "0xA000000"; // 160 MB

    [Fact]
    public async Task A_node_under_a_memory_cap_survives_a_stream_of_hostile_ocpp_frames_answers_the_next_valid_one_and_replays_after_a_restart()
    {
        var data = TestStores.NewFolder("memory-cap");
        var environment = new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key, ["DOTNET_GCHeapHardLimit"] = HeapLimit };
        string[] arguments = ["--urls", "http://127.0.0.1:0", "--auto-register", "--data", data];

        var (server, uri) = await ServerProcess.StartAsync(data, environment, arguments);
        await using (server)
        {
            await using (var v201 = await RawOcppClient.ConnectAsync(Ocpp(uri, "CAP-201"), OcppVersion.Ocpp201))
            {
                foreach (var (id, frame) in HostileFrames201())
                {
                    var answer = await v201.SendAsync(frame, id, TimeSpan.FromSeconds(30));
                    Assert.True(answer.IsResult || answer.ErrorCode is not "InternalError", $"{frame[..Math.Min(frame.Length, 200)]} → {answer.Text}");
                }

                var valid = await v201.CallAsync("valid", "Heartbeat", new JsonObject());
                Assert.True(valid.IsResult, valid.Text);
            }

            await using (var v16 = await RawOcppClient.ConnectAsync(Ocpp(uri, "CAP-16"), OcppVersion.Ocpp16))
            {
                foreach (var (id, frame) in HostileFrames16())
                {
                    var answer = await v16.SendAsync(frame, id, TimeSpan.FromSeconds(30));
                    Assert.True(answer.IsResult || answer.ErrorCode is not "InternalError", $"{frame[..Math.Min(frame.Length, 200)]} → {answer.Text}");
                }

                var valid = await v16.CallAsync("valid", "StartTransaction", new JsonObject { ["connectorId"] = 1, ["idTag"] = "OK", ["meterStart"] = 0, ["timestamp"] = Now() });
                Assert.True(valid.IsResult, valid.Text);
            }

            Assert.DoesNotContain("OutOfMemory", server.Output, StringComparison.Ordinal);
            await server.KillAsync();
        }

        var (restarted, restartedUri) = await ServerProcess.StartAsync(data, environment, arguments);
        await using (restarted)
        {
            using var http = new HttpClient { BaseAddress = restartedUri };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            using var sessions = JsonDocument.Parse(await http.GetStringAsync("/api/v1/charging-sessions?chargerId=CAP-201", TestContext.Current.CancellationToken));
            Assert.NotEmpty(sessions.RootElement.GetProperty("items").EnumerateArray());
            await using var v201 = await RawOcppClient.ConnectAsync(Ocpp(restartedUri, "CAP-201"), OcppVersion.Ocpp201);
            var next = await v201.CallAsync("after-restart", "TransactionEvent", TransactionEvent("Updated", 7, "tx-0", Now()));
            Assert.True(next.IsResult, next.Text);
            Assert.DoesNotContain("gave a different answer", restarted.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("failed", restarted.Output, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static Uri Ocpp(Uri server, string charger) => new($"ws://{server.Authority}/ocpp/{charger}");

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonObject TransactionEvent(string type, long seqNo, string transactionId, string timestamp, int evse = 1) => new()
    {
        ["eventType"] = type,
        ["timestamp"] = timestamp,
        ["triggerReason"] = "MeterValuePeriodic",
        ["seqNo"] = seqNo,
        ["transactionInfo"] = new JsonObject { ["transactionId"] = transactionId, ["remoteStartId"] = int.MaxValue },
        ["evse"] = new JsonObject { ["id"] = evse, ["connectorId"] = evse },
        ["meterValue"] = new JsonArray(new JsonObject
        {
            ["timestamp"] = timestamp,
            ["sampledValue"] = new JsonArray(new JsonObject { ["value"] = seqNo % 7 * 1_000 }),
        }),
    };

    private static IEnumerable<(string Id, string Frame)> HostileFrames201()
    {
        var n = 0;
        string Id() => (n++).ToString(CultureInfo.InvariantCulture);
        string Call(string action, JsonNode payload, out string id) => new JsonArray(2, id = Id(), action, payload).ToJsonString();

        string[] times = [Now(), "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999+14:00"];
        long[] seqNos = [0, int.MaxValue, -1, int.MinValue, int.MaxValue - 1, 1, 100_001, 3];
        for (var tx = 0; tx < 6; tx++)
        {
            foreach (var seqNo in seqNos)
            {
                var time = times[(tx + (int)(seqNo & 3)) % times.Length];
                var frame = Call("TransactionEvent", TransactionEvent(seqNo == 0 ? "Started" : "Updated", seqNo, $"tx-{tx}", time, evse: tx % 2 == 0 ? 1 : int.MaxValue), out var id);
                yield return (id, frame);
            }
        }

        // Numbers beyond every limit: decimal's, a meter's, Int32's (a PropertyConstraintViolation), with absurd multipliers.
        foreach (var value in new[] { "1e300", "-1e300", "1e-300", "79228162514264337593543950335", "-79228162514264337593543950335", "1e28" })
        {
            var id = Id();
            yield return (id, $$$"""[2,"{{{id}}}","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"{{{Now()}}}","sampledValue":[{"value":{{{value}}},"unitOfMeasure":{"unit":"kWh","multiplier":{{{(value.Length % 2 == 0 ? "2147483647" : "-2147483648")}}}}}]}]}]""");
        }

        var big = Id();
        yield return (big, $$"""[2,"{{big}}","StatusNotification",{"timestamp":"{{Now()}}","connectorStatus":"Occupied","evseId":99999999999,"connectorId":1}]""");

        // Hundreds of connectors: the charger's state keeps a bounded number of them.
        for (var connector = 0; connector < 300; connector++)
        {
            var frame = Call("StatusNotification", new JsonObject { ["timestamp"] = Now(), ["connectorStatus"] = "Available", ["evseId"] = connector, ["connectorId"] = int.MaxValue - connector }, out var id);
            yield return (id, frame);
        }

        // JSON nested far deeper than any parser should follow, inside a CALL and as the whole frame.
        var deep = Id();
        yield return (deep, $"[2,\"{deep}\",\"DataTransfer\",{{\"vendorId\":\"v\",\"data\":{new string('[', 50_000)}{new string(']', 50_000)}}}]");
        yield return (RawOcppClientUnreadableId, new string('[', 100_000) + new string(']', 100_000));
        var wide = Id();
        yield return (wide, $"[2,\"{wide}\",\"DataTransfer\",{{\"vendorId\":\"v\",\"data\":[{string.Join(',', Enumerable.Repeat("{\"a\":[1,2,3]}", 60_000))}]}}]");
    }

    private static IEnumerable<(string Id, string Frame)> HostileFrames16()
    {
        var n = 0;
        string Id() => (n++).ToString(CultureInfo.InvariantCulture);
        foreach (var time in new[] { "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", Now() })
        {
            var id = Id();
            yield return (id, $$"""[2,"{{id}}","StartTransaction",{"connectorId":2147483647,"idTag":"HOSTILE","meterStart":-2147483648,"timestamp":"{{time}}"}]""");
            var meter = Id();
            yield return (meter, $$"""[2,"{{meter}}","MeterValues",{"connectorId":2147483647,"transactionId":2147483647,"meterValue":[{"timestamp":"{{time}}","sampledValue":[{"value":"1e300"},{"value":"-79228162514264337593543950335","unit":"kWh"},{"value":"NaN"},{"value":"Infinity"}]}]}]""");
            var stop = Id();
            yield return (stop, $$"""[2,"{{stop}}","StopTransaction",{"transactionId":-2147483648,"meterStop":2147483647,"timestamp":"{{time}}"}]""");
        }

        var beyond = Id();
        yield return (beyond, $$"""[2,"{{beyond}}","StartTransaction",{"connectorId":99999999999999999999,"idTag":"X","meterStart":1e300,"timestamp":"{{Now()}}"}]""");
    }

    /// <summary>The id OCPP-J answers a frame with when its own id cannot be read.</summary>
    private const string RawOcppClientUnreadableId = "-1";
}
