using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Core.Plates;
using ParkCharge.Server.Sandbox;
using ParkCharge.Simulator.Planning;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sandbox;

public sealed class SqliteSimulatorScenarioTests(PostgresServer postgres) : SimulatorScenarioTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresSimulatorScenarioTests(PostgresServer postgres) : SimulatorScenarioTests(StoreEngine.Postgres, postgres);

/// <summary>
/// The simulator against a real node (Kestrel, real WebSockets and HTTP, a real store), accelerated
/// on a clock the node shares: what the API shows afterwards is compared with the plan's truth.
/// </summary>
public abstract class SimulatorScenarioTests(StoreEngine engine, PostgresServer postgres)
{
    [Fact]
    public async Task A_morning_of_vehicles_through_gates_and_EV_bays_on_both_OCPP_versions_ends_in_closed_sessions_bay_camera_bindings_and_settled_bills()
    {
        using var files = new SandboxScenario();
        var scenario = files.Read();
        var (node, run) = await SandboxScenario.PlayAsync(scenario, engine, postgres);
        await using var _ = node;
        var plan = run.Plan;
        var charges = plan.Visits.Select(v => v.Charge).OfType<PlannedCharge>().ToList();
        Assert.True(plan.Visits.Count >= 5 && charges.Count >= 2, $"the plan is too small to show anything:\n{plan.Describe()}");
        Assert.All(plan.Visits, v => Assert.True(v.Departure < plan.End, "every vehicle leaves before the end"));
        Assert.True(run.Progress.Errors == 0, string.Join("\n", run.Progress.ErrorSamples));

        var sessions = await SandboxScenario.AllAsync(node.Http, "/api/v1/parking-sessions?siteId=sim-site");
        Assert.True(sessions.Count > 0, $"no parking sessions after {run.Progress.Reads} reads accepted, {run.Progress.VehiclesIn} vehicles in");
        Assert.Equal(plan.Visits.Select(v => v.Plate).Order(), sessions.Select(s => s.GetProperty("plate").GetString()!).Order());
        Assert.All(sessions, s => Assert.Equal("Closed", s.GetProperty("status").GetString()));

        var charging = await SandboxScenario.AllAsync(node.Http, "/api/v1/charging-sessions?siteId=sim-site");
        Assert.Equal(charges.Count, charging.Count);
        Assert.All(charging, c => Assert.NotEqual(JsonValueKind.Null, c.GetProperty("stoppedAt").ValueKind));
        Assert.Equal(charges.Count(c => c.Bay.Charger == "CP-16"), charging.Count(c => c.GetProperty("chargerId").GetString() == "CP-16"));
        Assert.Equal(charges.Count(c => c.Bay.Charger == "CP-201"), charging.Count(c => c.GetProperty("chargerId").GetString() == "CP-201"));
        Assert.All(charging, c => Assert.True(c.GetProperty("energyWh").GetDecimal() > 0, "every charging session delivered energy"));

        var bindings = await SandboxScenario.AllAsync(node.Http, "/api/v1/bindings?siteId=sim-site&status=Bound,Provisional,Review,Waiting");
        Assert.All(bindings, b => Assert.Equal(("Bound", "BayCamera"), (b.GetProperty("status").GetString(), b.GetProperty("method").GetString())));
        Assert.Equal(
            charges.Select(c => (c.Bay.Id, Plate: plan.Visits.Single(v => v.Charge == c).Plate)).Order(),
            bindings.Select(b => (b.GetProperty("bay").GetString()!, Plate: b.GetProperty("plate").GetString()!)).Order());

        var summary = await SandboxSession.SummaryAsync(node.Http, "sim-site", plan.Start, plan.End, scenario.Site.Zone, CancellationToken.None);
        Assert.Equal(plan.Visits.Count, summary.BillsSettled);
        Assert.True(summary.Revenue > 0);
        Assert.Equal(0, summary.ReviewQueue);
    }
}

/// <summary>
/// The simulator's noise against a real node on SQLite (the store does not matter here, the engine
/// does): chargers offline with queued transactions, OCR errors, bursts and skewed clocks.
/// </summary>
public sealed class SimulatorNoiseTests(PostgresServer postgres)
{
    [Fact]
    public async Task Transactions_of_chargers_that_were_offline_land_when_they_reconnect_at_their_own_times_and_are_bound_as_if_on_time()
    {
        using var files = new SandboxScenario(SandboxScenario.Scenario
            .Replace("evShare: 0.6", "evShare: 1", StringComparison.Ordinal)
            .Replace("perHour: 10", "perHour: 14", StringComparison.Ordinal)
            + "\nnoise: { chargerOffline: 1, offlineDuration: 45m }\n");
        var scenario = files.Read();
        var (node, run) = await SandboxScenario.PlayAsync(scenario, StoreEngine.Sqlite, postgres);
        await using var _ = node;
        var plan = run.Plan;
        var charges = plan.Visits.Select(v => v.Charge).OfType<PlannedCharge>().ToList();
        bool During(DateTimeOffset at, string charger) => plan.Outages.Any(o => o.Charger == charger && at >= o.From && at < o.Until);
        var offline = charges.Where(c => During(c.PlugIn, c.Bay.Charger) || During(c.Unplug, c.Bay.Charger)).ToList();
        Assert.True(offline.Count > 0, $"no vehicle plugged in or out while its charger was offline:\n{plan.Describe()}");
        Assert.True(run.Progress.Errors == 0, string.Join("\n", run.Progress.ErrorSamples));
        Assert.True(run.Progress.DeliveredAfterReconnect > 0);

        var charging = await SandboxScenario.AllAsync(node.Http, "/api/v1/charging-sessions?siteId=sim-site");
        Assert.Equal(charges.Count, charging.Count);
        // Started and stopped at the charger's own (event) times, not when a queued message arrived: 1.6 starts
        // when the driver is authorised (StartTransaction), 2.0.1 at the plug-in (TransactionEvent Started).
        Assert.Equal(
            charges.Select(c => (c.Bay.Charger, Started: c.Bay.Charger == "CP-16" ? c.PlugIn.AddSeconds(5) : c.PlugIn, Stopped: c.Unplug)).Order(),
            charging.Select(c => (c.GetProperty("chargerId").GetString()!, Started: c.GetProperty("startedAt").GetDateTimeOffset(), Stopped: c.GetProperty("stoppedAt").GetDateTimeOffset())).Order());

        var bound = await SandboxScenario.AllAsync(node.Http, "/api/v1/bindings?siteId=sim-site&status=Bound");
        var plates = offline.Select(c => plan.Visits.Single(v => v.Charge == c).Plate).ToHashSet();
        Assert.Equal(plates.Count, bound.Count(b => plates.Contains(b.GetProperty("plate").GetString()!) && b.GetProperty("method").GetString() == "BayCamera"));
    }

    [Fact]
    public async Task A_node_answering_camera_pushes_behind_the_accelerated_clock_still_gets_every_read_due_before_the_end_of_the_run()
    {
        // Each push waits for the node's durable answer; on a loaded machine (or a slow disk) the answers come
        // later than the accelerated clock moves (here 1 s real, 20 minutes of the run, per push). The run used
        // to stop sending at its planned end, so exits due before it were never sent and sessions stayed open.
        using var files = new SandboxScenario(SandboxScenario.Scenario + "\nnoise: { repeatedReads: 1 }\n");
        var scenario = files.Read();
        var (node, run) = await SandboxScenario.PlayAsync(scenario, StoreEngine.Sqlite, postgres, s => s.AddSingleton<IStartupFilter>(new SlowCameraPushes(TimeSpan.FromSeconds(1))));
        await using var _ = node;
        var plan = run.Plan;
        var due = plan.Visits.Sum(v => v.Entry.Reads.Count + (v.Charge?.BayRead?.Reads.Count ?? 0) + v.Exit.Reads.Count);
        Assert.True(plan.Visits.Sum(v => v.Exit.Reads.Count) * TimeSpan.FromMinutes(20) > plan.End - plan.Visits.Min(v => v.Exit.At), "the pushes would not fall behind the end of the run");
        Assert.True(run.Progress.Errors == 0, string.Join("\n", run.Progress.ErrorSamples));
        Assert.Equal(due, run.Progress.Reads);

        var sessions = await SandboxScenario.AllAsync(node.Http, "/api/v1/parking-sessions?siteId=sim-site");
        Assert.Equal(plan.Visits.Select(v => v.Plate).Order(), sessions.Select(s => s.GetProperty("plate").GetString()!).Order());
        Assert.All(sessions, s => Assert.Equal("Closed", s.GetProperty("status").GetString()));
    }

    /// <summary>A node whose camera pushes take <paramref name="delay"/> (real time) each before they are handled.</summary>
    private sealed class SlowCameraPushes(TimeSpan delay) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, rest) =>
            {
                if (context.Request.Path.StartsWithSegments("/api/v1/anpr", StringComparison.Ordinal))
                {
                    await Task.Delay(delay, CancellationToken.None);
                }

                await rest(context);
            });
            next(app);
        };
    }

    [Fact]
    public async Task A_noisy_morning_of_OCR_errors_bursts_and_skewed_camera_clocks_still_ends_with_one_closed_session_per_vehicle()
    {
        using var files = new SandboxScenario(SandboxScenario.Scenario + "\nnoise: { ocrErrorRate: 0.25, repeatedReads: 0.7, clockSkew: 60s }\n");
        var scenario = files.Read();
        var (node, run) = await SandboxScenario.PlayAsync(scenario, StoreEngine.Sqlite, postgres);
        await using var _ = node;
        var plan = run.Plan;
        Assert.Contains(plan.Visits.SelectMany(v => v.Entry.Reads.Concat(v.Exit.Reads).Select(r => (v.Plate, r.Text))), r => r.Plate != r.Text);
        Assert.True(run.Progress.Errors == 0, string.Join("\n", run.Progress.ErrorSamples));

        var sessions = await SandboxScenario.AllAsync(node.Http, "/api/v1/parking-sessions?siteId=sim-site");
        Assert.Equal(plan.Visits.Count, sessions.Count);
        Assert.All(sessions, s => Assert.Equal("Closed", s.GetProperty("status").GetString()));
        foreach (var visit in plan.Visits)
        {
            Assert.Contains(sessions, s => PlateSimilarity.IsSameVehicle(PlateText.Normalize(s.GetProperty("plate").GetString()!), visit.Plate));
        }
    }
}
