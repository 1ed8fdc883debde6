using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using Npgsql;

using ParkCharge.Core.Charging;
using ParkCharge.Server.Tests.Security;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// Issue 12, low finding: while the store cannot be reached, chargers get CALLERROR InternalError (nothing was
/// accepted, so they retry) and keep their connection, and every camera push and API call is answered
/// 503 with Retry-After — never 401 or 403 because a key could not be looked up (a camera gives up on a
/// 403 and its read is lost) — as /healthz says 503; when the store is back, so is the node. The store is a
/// real PostgreSQL behind a TCP relay the test cuts: open connections break, new ones are refused.
/// </summary>
public sealed class StoreOutageTests(PostgresServer postgres)
{
    [Fact]
    public async Task While_postgresql_is_unreachable_chargers_get_internal_error_keep_their_connection_and_carry_on_when_it_is_back()
    {
        var direct = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var proxy = new TcpRelay(new IPEndPoint(IPAddress.Parse(direct.Host!), direct.Port));
        var viaProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3, CommandTimeout = 5 };
        await using var node = await TestNode.StartAsync(new Storage.StoreOptions { PostgresConnectionString = viaProxy.ConnectionString });
        await node.RegisterChargerAsync("CP-16", site: "lot");
        await node.RegisterChargerAsync("CS-201", site: "lot");
        await using var v16 = await RawOcppClient.ConnectAsync(node.OcppUri("CP-16"), OcppVersion.Ocpp16);
        await using var v201 = await RawOcppClient.ConnectAsync(node.OcppUri("CS-201"), OcppVersion.Ocpp201);
        var accepted = await v16.CallAsync("before", "StartTransaction", Start());
        Assert.True(accepted.IsResult, accepted.Text);

        proxy.Cut();
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
    private static Task<RawOcppClient.Answer> RetryAsync(Func<Task<RawOcppClient.Answer>> call) =>
        Eventually.UntilAsync(call, answer => answer.IsResult, longestPause: TimeSpan.FromMilliseconds(500));

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

    [Fact]
    public async Task While_postgresql_is_unreachable_every_push_and_api_call_gets_503_with_retry_after_and_nothing_is_lost()
    {
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await using var relay = new TcpRelay(new IPEndPoint(IPAddress.Parse(database.Host!), database.Port));
        database.Host = "127.0.0.1";
        database.Port = relay.Port;
        database.Timeout = 5;
        var store = new StoreOptions { DataDirectory = TestStores.NewFolder("outage"), PostgresConnectionString = database.ToString() };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await TestNode.StartAsync(store, configure: b => b.Services.AddSingleton<TimeProvider>(time));
        await Garage.ConfigureAsync(node.Http);
        Assert.Equal(HttpStatusCode.OK, await PushAsync(node, "AB100CD", Garage.GateKey));
        var (_, integratorKey) = await node.CreateKeyAsync("integrator"); // never used before the outage: not cached
        using var integrator = node.ClientWith(integratorKey);

        relay.Cut();

        // Long enough for every key the node remembers (camera keys, API keys) to need the store again.
        time.Advance(TimeSpan.FromMinutes(2));
        var answers = new Dictionary<string, HttpResponseMessage>
        {
            ["camera push, the camera's key"] = await PushResponseAsync(node, "XY200ZW", Garage.GateKey),
            ["camera push, an unknown key"] = await PushResponseAsync(node, "KL300MN", "a-key-the-node-never-saw-0123"),
            ["GET with a key never used before"] = await integrator.GetAsync("/api/v1/sites", TestContext.Current.CancellationToken),
            ["GET with the admin key"] = await node.Http.GetAsync("/api/v1/parking-sessions", TestContext.Current.CancellationToken),
            ["POST a registration"] = await node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-7", siteId = "garage" }, TestContext.Current.CancellationToken),
            ["POST with an Idempotency-Key"] = await WithIdempotencyKeyAsync(node.Http, "/api/v1/chargers", new { id = "CP-8", siteId = "garage" }),
        };
        using var health = await node.Http.GetAsync("/healthz", TestContext.Current.CancellationToken);

        foreach (var (what, response) in answers)
        {
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
            Assert.True(response.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"{what}: no Retry-After");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            response.Dispose();
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

        relay.Restore();
        // The camera retries, as cameras do after a 503, until the node takes the read again.
        var retried = await Eventually.UntilAsync(
            async () =>
            {
                var status = await PushAsync(node, "XY200ZW", Garage.GateKey);
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{status}");
                return status;
            },
            status => status == HttpStatusCode.OK,
            longestPause: TimeSpan.FromMilliseconds(250));

        Assert.Equal(HttpStatusCode.OK, retried);
        var plates = await integrator.GetStringAsync("/api/v1/parking-sessions", TestContext.Current.CancellationToken);
        Assert.Contains("AB100CD", plates, StringComparison.Ordinal);
        Assert.Contains("XY200ZW", plates, StringComparison.Ordinal);
    }

    private static async Task<HttpStatusCode> PushAsync(TestNode node, string plate, string key)
    {
        using var response = await PushResponseAsync(node, plate, key);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> PushResponseAsync(TestNode node, string plate, string key) =>
        Garage.EnterAsync(node.BaseUri, plate, key, DateTimeOffset.UtcNow);

    private static async Task<HttpResponseMessage> WithIdempotencyKeyAsync(HttpClient client, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", "during-the-outage");
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
