using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Commands;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hosting;

/// <summary>
/// A store that falls behind slows the sources down instead of filling the node's memory: a site's queue
/// holds what it may, a source beyond it waits a moment and is then told to retry (HTTP 503 with
/// Retry-After, OCPP CALLERROR), and nothing taken in is lost when the store catches up.
/// </summary>
public sealed class BackPressureTests(PostgresServer postgres)
{
    /// <summary>A site queue of four, and half a second's wait for room.</summary>
    private static readonly Dictionary<string, string?> SmallQueues = new()
    {
        ["ParkCharge:Queues:Site"] = "4",
        ["ParkCharge:Queues:MaxWait"] = "00:00:00.5",
    };

    [Fact]
    public async Task Beyond_what_its_queue_holds_a_busy_site_answers_503_with_Retry_After_and_loses_nothing_it_took()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Postgres, postgres, SmallQueues);
        await node.RegisterChargerAsync("CP-0"); // the default site's engine runs
        var engine = Engine(node);
        Task<HttpResponseMessage>[] taken;
        HttpResponseMessage refused;
        await using (await HeldWrites.HoldAsync(node.StoreOptions))
        {
            var first = RegisterAsync(node, "CP-1");
            await Eventually.UntilAsync(() => engine.Deciding == 1 && engine.Queued == 0, "the engine to take CP-1 and wait for the store");
            taken = [first, .. Enumerable.Range(2, 4).Select(i => RegisterAsync(node, $"CP-{i}"))];
            await Eventually.UntilAsync(() => engine.Queued == 4, "four registrations to queue behind it");

            refused = await RegisterAsync(node, "CP-6").WaitAsync(Patience, TestContext.Current.CancellationToken); // refused, not queued

            Assert.All(taken, t => Assert.False(t.IsCompleted));
            Assert.Equal(4, engine.Queued);
        }

        using (refused)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
            Assert.Equal("The site is busy", problem.GetProperty("title").GetString());
            Assert.Contains("Nothing of this request was accepted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        foreach (var response in await Task.WhenAll(taken))
        {
            using (response)
            {
                Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}");
            }
        }

        using (var again = await RegisterAsync(node, "CP-6"))
        {
            Assert.True(again.IsSuccessStatusCode);
        }

        using var list = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/chargers", TestContext.Current.CancellationToken));
        Assert.Equal([.. Enumerable.Range(0, 7).Select(i => $"CP-{i}")], list.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(StoreEngine.Sqlite)]
    [InlineData(StoreEngine.Postgres)]
    public async Task A_charger_whose_site_is_busy_gets_CALLERROR_InternalError_saying_so_and_its_message_counts_when_sent_again(StoreEngine store)
    {
        await using var node = await TestNode.StartAsync(store, postgres, SmallQueues);
        var chargers = new List<TestCharger>();
        try
        {
            for (var i = 1; i <= 6; i++)
            {
                await node.RegisterChargerAsync($"CP-{i}");
                chargers.Add(await TestCharger.ConnectAsync(node.OcppUri($"CP-{i}"), OcppVersion.Ocpp16));
            }

            // Every connection decided and the engine idle before the store is held: a connection still on its
            // way in (a loaded machine is slow to submit it) would take a queue place the test counts on.
            for (var i = 1; i <= 6; i++)
            {
                var id = $"CP-{i}";
                await Eventually.UntilAsync(async () => await ConnectedAsync(id), $"{id} to show connected");
            }

            async Task<bool> ConnectedAsync(string id)
            {
                using var view = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/chargers/{id}", TestContext.Current.CancellationToken));
                return view.RootElement.GetProperty("connection").GetProperty("connected").GetBoolean();
            }

            var engine = Engine(node);
            await Eventually.UntilAsync(() => engine.Deciding == 0 && engine.Queued == 0, "the engine to be idle");
            Task<RpcCallOutcome<StatusNotificationResponse>>[] taken;
            RpcCallOutcome<StatusNotificationResponse> refused;
            await using (await HeldWrites.HoldAsync(node.StoreOptions))
            {
                var first = Preparing(chargers[0]);
                await Eventually.UntilAsync(() => engine.Deciding == 1 && engine.Queued == 0, "the engine to take CP-1's status and wait for the store");
                taken = [first, .. chargers.Skip(1).Take(4).Select(Preparing)];
                await Eventually.UntilAsync(() => engine.Queued == 4, "four statuses to queue behind it");

                refused = await Preparing(chargers[5]).WaitAsync(Patience, TestContext.Current.CancellationToken); // refused, not queued

                Assert.All(taken, t => Assert.False(t.IsCompleted));
            }

            Assert.Equal(RpcCallStatus.Rejected, refused.Status);
            Assert.Equal("InternalError", refused.Rejection!.ErrorCode);
            Assert.Contains("busy and did not accept this message; send it again", refused.Rejection.Description, StringComparison.Ordinal);
            Assert.All(await Task.WhenAll(taken), outcome => Assert.Equal(RpcCallStatus.Completed, outcome.Status));
            Assert.Equal(RpcCallStatus.Completed, (await Preparing(chargers[5])).Status);

            for (var i = 1; i <= 6; i++)
            {
                using var charger = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/chargers/CP-{i}", TestContext.Current.CancellationToken));
                Assert.Equal("Preparing", Assert.Single(charger.RootElement.GetProperty("connectors").EnumerateArray()).GetProperty("status").GetString());
            }
        }
        finally
        {
            foreach (var charger in chargers)
            {
                await charger.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_full_dispatcher_queue_is_not_waited_on_and_the_sites_it_could_not_hold_are_looked_at_once_it_catches_up()
    {
        var signals = new CommandSignals(Options.Create(new ParkChargeOptions { Queues = { CommandSites = 2 } }));

        signals.Notify(new SiteId("a"));
        signals.Notify(new SiteId("a")); // already queued: not twice
        signals.Notify(new SiteId("b"));
        signals.Notify(new SiteId("c")); // no room: noted, not waited for

        var read = new List<string>();
        await foreach (var site in signals.ReadAllAsync(TestContext.Current.CancellationToken))
        {
            read.Add(site.Value);
            if (read.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["a", "b"], read);
        Assert.True(signals.TakeOverflow());
        Assert.False(signals.TakeOverflow());
    }

    /// <summary>Far beyond the half second a source waits for room: a source that is queued instead of refused fails the test.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static SiteEngineHost Engine(TestNode node) => node.App.Services.GetRequiredService<SiteEngines>().For(SiteId.Default);

    private static Task<HttpResponseMessage> RegisterAsync(TestNode node, string id) =>
        node.Http.PostAsJsonAsync("/api/v1/chargers", new { id }, TestContext.Current.CancellationToken);

    private static Task<RpcCallOutcome<StatusNotificationResponse>> Preparing(TestCharger charger) =>
        charger.Rpc.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest
        {
            ConnectorId = 1,
            ErrorCode = ChargePointErrorCode.NoError,
            Status = ChargePointStatus.Preparing,
        });
}
