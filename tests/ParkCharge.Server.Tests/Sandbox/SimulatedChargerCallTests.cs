using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Core.Charging;
using ParkCharge.Server.Ocpp;
using ParkCharge.Server.Sandbox;
using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Tests.Sandbox;

/// <summary>The simulated chargers answer the server's calls as chargers do, so commands can be tried against them.</summary>
public sealed class SimulatedChargerCallTests(PostgresServer postgres)
{
    [Theory]
    [InlineData("2.0.1")]
    [InlineData("2.1")]
    public async Task A_remote_stop_and_a_power_limit_are_accepted_and_the_transaction_ends_as_remotely_stopped_on_1_6_and_2_x(string version2)
    {
        using var files = new SandboxScenario(SandboxScenario.Scenario
            .Replace("versions: { CP-201: \"2.0.1\" }", $"versions: {{ CP-201: \"{version2}\" }}", StringComparison.Ordinal)
            .Replace("speed: 1200", "speed: 600", StringComparison.Ordinal)
            .Replace("evShare: 0.6", "evShare: 1", StringComparison.Ordinal)
            .Replace("dwell: { min: 15m, max: 40m }", "dwell: { min: 50m, max: 55m }", StringComparison.Ordinal)
            .Replace("startSoc: { min: 0.2, max: 0.9 }", "startSoc: { min: 0.1, max: 0.2 }", StringComparison.Ordinal));
        var scenario = files.Read();
        var clock = new AcceleratedClock(DemoCommand.StartOfRun(scenario), scenario.Speed, start: false);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, SandboxScenario.NodeSettings(scenario), b => b.Services.AddSingleton<TimeProvider>(clock));
        Assert.Null(await SandboxSession.ConfigureSiteAsync(node.Http, scenario.Site, CancellationToken.None));
        var run = new SimulationRun(scenario, PlanGenerator.Generate(scenario, clock.Origin), node.BaseUri, clock, NullLogger.Instance);
        clock.Start();
        using var end = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var running = run.RunAsync(end.Token);
        var connections = node.App.Services.GetRequiredService<ChargerConnections>();

        var v16 = await ActiveSessionAsync(node, "CP-16");
        var rpc16 = connections.Find(new ChargerId("CP-16"))!.Rpc;
        var limit16 = await rpc16.CallAsync(V16.V16Actions.SetChargingProfile, new V16.SetChargingProfileRequest
        {
            ConnectorId = v16.GetProperty("connectorId").GetInt32(),
            CsChargingProfiles = new V16.ChargingProfile
            {
                ChargingProfileId = 1,
                StackLevel = 1,
                ChargingProfilePurpose = V16.ChargingProfilePurposeType.TxDefaultProfile,
                ChargingProfileKind = V16.ChargingProfileKindType.Absolute,
                ChargingSchedule = new V16.ChargingSchedule { ChargingRateUnit = V16.ChargingRateUnitType.W, ChargingSchedulePeriod = [new V16.ChargingSchedulePeriod { StartPeriod = 0, Limit = 3000 }] },
            },
        });
        Assert.True(limit16.Status == ParkCharge.Ocpp.Rpc.RpcCallStatus.Completed, $"SetChargingProfile: {limit16.Status}");
        Assert.Equal(V16.ChargingProfileStatus.Accepted, limit16.Response?.Status);
        var stop16 = await rpc16.CallAsync(V16.V16Actions.RemoteStopTransaction, new V16.RemoteStopTransactionRequest { TransactionId = int.Parse(v16.GetProperty("transactionId").GetString()!, System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal(V16.RemoteStartStopStatus.Accepted, stop16.Response?.Status);
        var unknown16 = await rpc16.CallAsync(V16.V16Actions.RemoteStopTransaction, new V16.RemoteStopTransactionRequest { TransactionId = 999_999 });
        Assert.Equal(V16.RemoteStartStopStatus.Rejected, unknown16.Response?.Status);

        var v201 = await ActiveSessionAsync(node, "CP-201");
        var rpc201 = connections.Find(new ChargerId("CP-201"))!.Rpc;
        var stop201 = await rpc201.CallAsync(V21.V21Actions.RequestStopTransaction, new V21.RequestStopTransactionRequest { TransactionId = v201.GetProperty("transactionId").GetString()! });
        Assert.Equal(V21.RequestStartStopStatusEnumType.Accepted, stop201.Response?.Status);
        Assert.Equal(version2, v201.GetProperty("ocppVersion").GetString());

        var stopped16 = await UntilStoppedAsync(node, v16.GetProperty("id").GetString()!);
        var stopped201 = await UntilStoppedAsync(node, v201.GetProperty("id").GetString()!);
        await end.CancelAsync();
        await running;

        Assert.True(run.Progress.ServerCalls >= 4);
        Assert.Equal("Remote", stopped16.GetProperty("stopReason").GetString());
        Assert.Equal("Remote", stopped201.GetProperty("stopReason").GetString());
    }

    private static async Task<JsonElement> UntilStoppedAsync(TestNode node, string id)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var session = await SessionAsync(node, id);
            if (session.GetProperty("stoppedAt").ValueKind != JsonValueKind.Null || DateTime.UtcNow > until)
            {
                return session;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> ActiveSessionAsync(TestNode node, string charger)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < until)
        {
            var sessions = await SandboxScenario.AllAsync(node.Http, $"/api/v1/charging-sessions?chargerId={charger}");
            if (sessions.FirstOrDefault(s => s.GetProperty("stoppedAt").ValueKind == JsonValueKind.Null && s.GetProperty("status").GetString() != "Completed") is { ValueKind: JsonValueKind.Object } active)
            {
                return active;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no charging session on {charger}");
    }

    private static async Task<JsonElement> SessionAsync(TestNode node, string id)
    {
        using var session = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/charging-sessions/{id}"));
        return session.RootElement.Clone();
    }
}
