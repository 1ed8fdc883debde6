using System.Globalization;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Core.Binding;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Sites;
using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Scenarios.BusyDay;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Binding;

/// <summary>
/// The binding-accuracy benchmark's busy day (a short one: the morning rush at twenty EV bays, seed 1, one of
/// the development seeds, played up to 10:00) through a real node in accelerated real time: chargers over OCPP-J
/// WebSockets (1.6 and 2.0.1, going offline and coming back), cameras pushing over HTTP, the node's own
/// timers ending the binding windows on a clock it shares with the player. The long runs are the benchmark's
/// (<c>binding-accuracy --node</c>, bench/README.md).
/// </summary>
public sealed class BusyDayOnNodeTests(PostgresServer postgres)
{
    private const double Speed = 400;

    [Fact]
    public async Task A_busy_morning_through_a_node_binds_no_charge_to_the_wrong_car_and_leaves_none_waiting()
    {
        var whole = BusyDayGenerator.Generate(new BusyDayOptions { Seed = 1, EvBays = 20, ArrivalsFrom = TimeSpan.FromHours(7), ArrivalsUntil = TimeSpan.FromHours(9.5) });
        var day = whole.Until(whole.Options.FirstDay.AddHours(10), TimeSpan.FromMinutes(20));
        // The clock starts just before the first car (the site is set up at midnight: that much is sent at once).
        var clock = new AcceleratedClock(day.Messages.First(m => m.Observation.ReceivedAt > whole.Options.FirstDay.AddHours(1)).Observation.ReceivedAt.AddSeconds(-30), Speed, start: false);
        await using var node = await TestNode.StartAsync(
            StoreEngine.Sqlite,
            postgres,
            new Dictionary<string, string?> { ["ParkCharge:Ocpp:CallTimeoutSeconds"] = (30 * Speed).ToString(CultureInfo.InvariantCulture) },
            b => b.Services.AddSingleton<TimeProvider>(clock));
        var player = new BusyDayNodePlayer(day, node.BaseUri, TestNode.AdminKey, clock, NullLogger.Instance);
        clock.Start();

        await player.PlayAsync(TestContext.Current.CancellationToken);

        var host = node.App.Services.GetRequiredService<SiteEngines>().For(day.Site.Id);
        var (result, waiting) = await host.ReadAsync(state => (
            BindingAccuracy.Score(day, state, player.Issued),
            state.Binding.Bindings.Count(b => b.Status == BindingStatus.Waiting || b.Tentative)));
        var inProcess = BindingAccuracy.Run(day);
        var report = AccuracyReport.Scores(result) + AccuracyReport.Misses(result);
        Assert.Equal(0, player.Refused);
        Assert.InRange(day.Transactions.Count, 20, 200);
        Assert.Equal(0, waiting);
        Assert.True(result.Engine.WrongConfident == 0, report);
        Assert.True(result.Engine.Unbound == 0, report);
        Assert.True(result.Engine.ResolvableCorrect >= inProcess.Engine.ResolvableCorrect - 1, report + AccuracyReport.Scores(inProcess));
        await TheApiListsWhatTheEngineDecidedAsync(node, host, day.Site.Id);
    }

    /// <summary>Every charging session in GET /api/v1/charging-sessions carries the binding the engine holds.</summary>
    private static async Task TheApiListsWhatTheEngineDecidedAsync(TestNode node, SiteEngineHost host, SiteId site)
    {
        var engine = await host.ReadAsync(state => state.Binding.Bindings.ToDictionary(b => b.ChargingSessionId, b => (Status: b.Status.ToString(), b.Plate), StringComparer.Ordinal));
        var listed = new Dictionary<string, (string? Status, string? Plate)>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/charging-sessions?siteId={site.Value}&limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}"));
            foreach (var session in page.RootElement.GetProperty("items").EnumerateArray())
            {
                var binding = session.GetProperty("binding");
                listed[session.GetProperty("id").GetString()!] = binding.ValueKind == JsonValueKind.Null
                    ? (null, null)
                    : (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString());
            }

            cursor = page.RootElement.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(engine.Count, listed.Count);
        Assert.All(engine, b => Assert.Equal((b.Value.Status, b.Value.Plate), listed[b.Key]));
    }
}
