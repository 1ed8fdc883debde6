using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Simulator.Chargers;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sandbox;

/// <summary>
/// Local authorisation lists against simulated chargers that honour them: the node pushes the autocharge list (and keeps
/// it up to date with differential updates), and a charger that lost its connection starts charging for a vehicle on the
/// list, not for a stranger.
/// </summary>
public sealed class LocalListTests(PostgresServer postgres)
{
    private const string Automation = """

        automation:
          autocharge:
            enabled: false
            localList: true
            plates:
              - { plate: "EV 1234", idToken: EV-TOKEN-1 }
              - { plate: "EV 5678", idToken: EV-TOKEN-2 }
              - "NO TOKEN 1"
        """;

    [Theory]
    [InlineData("CP-16")]
    [InlineData("CP-201")]
    public async Task A_charger_that_lost_its_connection_starts_a_session_for_an_allow_listed_vehicle_and_not_for_a_stranger(string chargerId)
    {
        using var files = new SandboxScenario(
            SandboxScenario.Scenario.Replace("perHour: 10", "perHour: 0", StringComparison.Ordinal).Replace("speed: 1200", "speed: 60", StringComparison.Ordinal),
            SandboxScenario.Site + Automation);
        var scenario = files.Read();
        var (node, clock) = await SandboxScenario.StartNodeAsync(scenario, StoreEngine.Sqlite, postgres);
        await using var _ = node;
        clock.Start();
        var bays = scenario.Site.EvBays.Where(b => b.Charger == chargerId).ToList();
        await using var charger = new SimulatedCharger(scenario.Site.Chargers.Single(c => c.Id == chargerId), bays.Select(b => b.Connector),
            new Uri($"ws://{node.BaseUri.Authority}/ocpp/"), clock, scenario, new SimulationProgress(), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var running = Task.Run(() => charger.RunAsync(stop.Token), CancellationToken.None);
        try
        {
            // Connected, the charger gets the list in full: the plates' own tokens (a plate without one has nothing to put on it).
            var full = await SentListAsync(node, chargerId, 1);
            Assert.Equal(("Accepted", "LocalList"), (full.GetProperty("status").GetString(), full.GetProperty("origin").GetString()));
            Assert.Equal(["EV-TOKEN-1", "EV-TOKEN-2"], charger.LocalList.Order(StringComparer.Ordinal));

            // A plate taken off the list is taken off the charger's too, by a differential update.
            var withoutSecond = scenario.Site.Document.Replace("      - { plate: \"EV 5678\", idToken: EV-TOKEN-2 }\n", "", StringComparison.Ordinal);
            Assert.NotEqual(scenario.Site.Document, withoutSecond);
            using (var put = await node.Http.PutAsync($"/api/v1/sites/{scenario.Site.Id}", new StringContent(withoutSecond, System.Text.Encoding.UTF8, "application/yaml")))
            {
                Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
            }

            var differential = await SentListAsync(node, chargerId, 2);
            Assert.Contains("taken off", differential.GetProperty("reason").GetString(), StringComparison.Ordinal);
            await node.EventuallyAsync(() => Task.FromResult(charger.LocalList), l => l.Count == 1);
            Assert.Equal(["EV-TOKEN-1"], charger.LocalList);

            // The operator makes the charger refuse unknown tokens while offline (its own setting), and asks for its list's version.
            await SubmitAsync(node, chargerId == "CP-16"
                ? new { type = "changeConfiguration", chargerId, variables = new object[] { new { variable = "AllowOfflineTxForUnknownId", value = "false" } } }
                : new { type = "setVariables", chargerId, variables = new object[] { new { component = "AuthCtrlr", variable = "OfflineTxForUnknownIdEnabled", value = "false" } } });
            var version = await SubmitAsync(node, new { type = "getLocalListVersion", chargerId });
            Assert.Equal(2, version.GetProperty("listVersion").GetInt32());

            // The connection is lost; two vehicles plug in: the allow-listed one and a stranger.
            charger.GoOffline();
            await node.EventuallyAsync(() => Task.FromResult(charger.IsOnline), online => !online);
            var now = clock.GetUtcNow();
            var listed = charger.ChargeAsync(new PlannedCharge(bays[0], null, now, now.AddMinutes(3), 40, 0.3, 11, "EV-TOKEN-1"), stop.Token);
            var stranger = charger.ChargeAsync(new PlannedCharge(bays[1], null, now, now.AddMinutes(3), 40, 0.3, 11, "STRANGER-9"), stop.Token);
            await Task.WhenAll(listed, stranger);
            charger.ComeBackOnline();

            // Back online, the charger delivers what it did offline: one session, the listed vehicle's.
            var sessions = await node.EventuallyAsync(
                () => SandboxScenario.AllAsync(node.Http, $"/api/v1/charging-sessions?chargerId={chargerId}"),
                s => s.Any(x => x.GetProperty("status").GetString() == "Completed"));
            var session = Assert.Single(sessions);
            Assert.Equal(("EV-TOKEN-1", bays[0].Connector), (session.GetProperty("idToken").GetString(), session.GetProperty("connectorId").GetInt32()));
            Assert.Equal(0, sessions.Count(s => s.GetProperty("idToken").GetString() == "STRANGER-9"));
        }
        finally
        {
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(20)).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>The charger's SendLocalList command of this version, once it has an outcome.</summary>
    private static async Task<JsonElement> SentListAsync(TestNode node, string charger, int version)
    {
        var commands = await node.EventuallyAsync(
            () => SandboxScenario.AllAsync(node.Http, $"/api/v1/commands?chargerId={charger}&type=SendLocalList"),
            list => list.Any(c => c.GetProperty("localList").GetProperty("version").GetInt32() == version && c.GetProperty("status").GetString() is not ("Pending" or "Sent")));
        return commands.Single(c => c.GetProperty("localList").GetProperty("version").GetInt32() == version);
    }

    private static async Task<JsonElement> SubmitAsync(TestNode node, object body)
    {
        using var response = await node.Http.PostAsJsonAsync("/api/v1/commands", body);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var done = await node.EventuallyAsync(
            async () => JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/commands/{id}")).RootElement.Clone(),
            c => c.GetProperty("status").GetString() is not ("Pending" or "Sent"));
        Assert.Equal("Accepted", done.GetProperty("status").GetString());
        return done;
    }
}
