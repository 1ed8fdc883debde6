using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Durability;

public sealed class SqliteCrashTests(PostgresServer postgres) : CrashTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresCrashTests(PostgresServer postgres) : CrashTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Accepted means durable: the server process is killed (SIGKILL, no shutdown code) while chargers
/// stream transactions at it; after a restart on the same data, everything that got an answer is there.
/// </summary>
public abstract class CrashTests(StoreEngine engine, PostgresServer postgres)
{
    private const string Key = "pck_crash-test-key";
    private const int Chargers = 4;

    [Fact]
    public async Task Every_message_that_got_an_answer_survives_a_killed_server()
    {
        var options = await TestStores.CreateOptionsAsync(engine, postgres);
        var workDir = TestStores.NewFolder("crash");
        var arguments = Arguments(options);
        var environment = new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key };

        var answered = new ConcurrentBag<Answered>();
        var (server, uri) = await ServerProcess.StartAsync(workDir, environment, arguments);
        await using (server)
        {
            using var stop = new CancellationTokenSource();
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var streams = Enumerable.Range(1, Chargers).Select(n => StreamAsync(uri, $"CRASH-{n}", answered, enough, stop.Token)).ToList();

            // The 150th answer (or a stream that ended early) is the moment to kill the server.
            await Task.WhenAny(enough.Task, Task.WhenAny(streams)).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

            Assert.All(streams, s => Assert.False(s.IsFaulted, s.Exception?.ToString()));
            await server.KillAsync(); // mid-stream: calls are in flight on every charger
            await Task.WhenAll(streams);
        }

        var before = answered.ToList();
        Assert.True(before.Count >= 150, $"only {before.Count} answers before the kill");

        var (restarted, restartedUri) = await ServerProcess.StartAsync(workDir, environment, arguments);
        await using (restarted)
        {
            using var http = new HttpClient { BaseAddress = restartedUri };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            var sessions = new Dictionary<(string Charger, string Tx), JsonElement>();
            foreach (var charger in before.Select(a => a.Charger).Distinct())
            {
                using var page = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/charging-sessions?chargerId={charger}&limit=500"));
                foreach (var session in page.RootElement.GetProperty("items").EnumerateArray())
                {
                    using var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/charging-sessions/{session.GetProperty("id").GetString()}"));
                    sessions[(charger, session.GetProperty("transactionId").GetString()!)] = detail.RootElement.Clone();
                }
            }

            foreach (var a in before)
            {
                Assert.True(sessions.TryGetValue((a.Charger, a.TransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture)), out var session),
                    $"{a.Action} of transaction {a.TransactionId} on {a.Charger} was answered but is gone");
                switch (a.Action)
                {
                    case "StartTransaction":
                        Assert.Equal(a.Wh, session.GetProperty("meterStartWh").GetDecimal());
                        break;
                    case "MeterValues":
                        Assert.Contains(session.GetProperty("meterValues").EnumerateArray(), v => v.GetProperty("value").GetDecimal() == a.Wh);
                        break;
                    case "StopTransaction":
                        Assert.Equal("Completed", session.GetProperty("status").GetString());
                        Assert.Equal(a.Wh, session.GetProperty("meterStopWh").GetDecimal());
                        break;
                }
            }

            // The restarted node carries on: transaction ids are never issued twice.
            await using var charger2 = await TestCharger.ConnectAsync(new Uri($"ws://{restartedUri.Authority}/ocpp/CRASH-1"), OcppVersion.Ocpp16);
            var next = await charger2.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 2, IdTag = "AFTER", MeterStart = 0, Timestamp = DateTimeOffset.UtcNow });
            Assert.True(next.TransactionId > before.Max(a => a.TransactionId), $"transaction id {next.TransactionId} was issued before the crash");
        }

        Directory.Delete(workDir, recursive: true);
    }

    private static string[] Arguments(StoreOptions options) => options.PostgresConnectionString is { } pg
        ? ["--urls", "http://127.0.0.1:0", "--auto-register", "--postgres", pg, "--data", Path.GetTempPath()]
        : ["--urls", "http://127.0.0.1:0", "--auto-register", "--data", options.DataDirectory];

    /// <summary>Start, meter values and stop, over and over, until the server dies; every answered call is noted.</summary>
    private static async Task StreamAsync(Uri server, string chargerId, ConcurrentBag<Answered> answered, TaskCompletionSource enough, CancellationToken ct)
    {
        await Task.Yield();
        TestCharger charger;
        try
        {
            charger = await TestCharger.ConnectAsync(new Uri($"ws://{server.Authority}/ocpp/{chargerId}"), OcppVersion.Ocpp16);
        }
        catch (System.Net.WebSockets.WebSocketException)
        {
            return;
        }

        await using (charger)
        {
            var t0 = DateTimeOffset.UtcNow.AddHours(-1);
            for (var i = 0; !ct.IsCancellationRequested; i++)
            {
                var at = t0.AddSeconds(i * 3);
                var start = await charger.Rpc.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = $"T{i}", MeterStart = i * 1_000, Timestamp = at }, ct);
                if (!start.IsCompleted)
                {
                    return;
                }

                var tx = start.Response.TransactionId;
                answered.Add(new Answered(chargerId, "StartTransaction", tx, i * 1_000));
                Counted(answered, enough);
                var meter = await charger.Rpc.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
                {
                    ConnectorId = 1,
                    TransactionId = tx,
                    MeterValue = [new MeterValue { Timestamp = at.AddSeconds(1), SampledValue = [new SampledValue { Value = (i * 1_000 + 500).ToString(System.Globalization.CultureInfo.InvariantCulture) }] }],
                }, ct);
                if (!meter.IsCompleted)
                {
                    return;
                }

                answered.Add(new Answered(chargerId, "MeterValues", tx, i * 1_000 + 500));
                Counted(answered, enough);
                var stop = await charger.Rpc.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = tx, MeterStop = i * 1_000 + 900, Timestamp = at.AddSeconds(2) }, ct);
                if (!stop.IsCompleted)
                {
                    return;
                }

                answered.Add(new Answered(chargerId, "StopTransaction", tx, i * 1_000 + 900));
                Counted(answered, enough);
            }
        }
    }

    private sealed record Answered(string Charger, string Action, int TransactionId, decimal Wh);

    private static void Counted(ConcurrentBag<Answered> answered, TaskCompletionSource enough)
    {
        if (answered.Count >= 150)
        {
            enough.TrySetResult();
        }
    }
}
