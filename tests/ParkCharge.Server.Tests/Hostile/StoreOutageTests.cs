using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

using Npgsql;

using ParkCharge.Core.Charging;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// Issue 12 (low): while PostgreSQL cannot be reached, a charger's messages get CALLERROR InternalError
/// (nothing was accepted, so the charger must retry) and its connection is kept; once the database is
/// back, the same messages are accepted and nothing accepted before is lost.
/// </summary>
public sealed class StoreOutageTests(PostgresServer postgres)
{
    [Fact]
    public async Task While_postgresql_is_unreachable_chargers_get_internal_error_keep_their_connection_and_carry_on_when_it_is_back()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = await CuttableProxy.StartAsync(direct.Host!, direct.Port);
        var viaProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3, CommandTimeout = 5 };
        await using var node = await TestNode.StartAsync(new Storage.StoreOptions { PostgresConnectionString = viaProxy.ConnectionString });
        await node.RegisterChargerAsync("CP-16", site: "lot");
        await node.RegisterChargerAsync("CS-201", site: "lot");
        await using var v16 = await RawOcppClient.ConnectAsync(node.OcppUri("CP-16"), OcppVersion.Ocpp16);
        await using var v201 = await RawOcppClient.ConnectAsync(node.OcppUri("CS-201"), OcppVersion.Ocpp201);
        var accepted = await v16.CallAsync("before", "StartTransaction", Start());
        Assert.True(accepted.IsResult, accepted.Text);

        await proxy.CutAsync();
        var during16 = await v16.CallAsync("down-1", "StartTransaction", Start(), TimeSpan.FromSeconds(20));
        var during201 = await v201.CallAsync("down-2", "StatusNotification", Status(), TimeSpan.FromSeconds(20));

        Assert.Equal(("InternalError", "InternalError"), (during16.ErrorCode, during201.ErrorCode));
        Assert.Equal((WebSocketState.Open, WebSocketState.Open), (v16.State, v201.State));

        proxy.Restore();
        var after16 = await RetryAsync(() => v16.CallAsync("up-1", "StartTransaction", Start(connector: 2), TimeSpan.FromSeconds(20)));
        var after201 = await RetryAsync(() => v201.CallAsync("up-2", "StatusNotification", Status(), TimeSpan.FromSeconds(20)));

        Assert.True(after16.IsResult, after16.Text);
        Assert.True(after201.IsResult, after201.Text);
        Assert.True(after16.Payload!["transactionId"]!.GetValue<int>() > accepted.Payload!["transactionId"]!.GetValue<int>());
        using var sessions = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/charging-sessions?chargerId=CP-16", TestContext.Current.CancellationToken));
        Assert.Equal(2, sessions.RootElement.GetProperty("items").GetArrayLength());
    }

    /// <summary>A charger retries a CALL the server could not take; the first tries after the outage may still meet a pool of broken connections.</summary>
    private static async Task<RawOcppClient.Answer> RetryAsync(Func<Task<RawOcppClient.Answer>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            var answer = await call();
            if (answer.IsResult || attempt == 5)
            {
                return answer;
            }

            await Task.Delay(500);
        }
    }

    private static JsonObject Start(int connector = 1) => new()
    {
        ["connectorId"] = connector,
        ["idTag"] = "TAG",
        ["meterStart"] = 0,
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
    };

    private static JsonObject Status() => new()
    {
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"),
        ["connectorStatus"] = "Occupied",
        ["evseId"] = 1,
        ["connectorId"] = 1,
    };
}
