using System.Text.RegularExpressions;

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

using ParkCharge.Server.Tests.Sandbox;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Testing;

using static Microsoft.Playwright.Assertions;

namespace ParkCharge.Server.Tests.Dashboard;

/// <summary>
/// The dashboard watching the sandbox: the simulator's vehicles (real OCPP 1.6J and 2.0.1 chargers over
/// WebSockets, cameras posting vendor formats) drive a real node on an accelerated clock while a real
/// browser shows the site plan.
/// </summary>
public sealed partial class DashboardSimulationTests(DashboardBrowser browser, PostgresServer postgres) : IClassFixture<DashboardBrowser>
{
    // A quarter of an hour of arrivals, mostly EVs, at 300 times real time: about 15 s for the run.
    private const string Scenario = """
        site: sim.site.yaml
        seed: 11
        duration: 75m
        speed: 300
        startAt: "08:00"
        arrivals:
          - { from: "00:00", perHour: 0 }
          - { from: "08:00", perHour: 16 }
          - { from: "08:15", perHour: 0 }
        evShare: 0.9
        dwell: { min: 30m, max: 50m }
        charging: { batteryKWh: [40, 60], startSoc: { min: 0.2, max: 0.5 }, maxPowerKW: [11, 22] }
        chargers:
          versions: { CP-201: "2.0.1" }
          meterInterval: 2m
        """;

    [Fact]
    public async Task The_site_plan_shows_simulated_vehicles_arrive_charge_and_leave_live()
    {
        using var files = new SandboxScenario(Scenario);
        var scenario = files.Read();
        var (node, clock) = await SandboxScenario.StartNodeAsync(scenario, StoreEngine.Sqlite, postgres);
        await using var _ = node;
        var plan = PlanGenerator.Generate(scenario, clock.Origin);
        var evPlates = plan.Visits.Where(v => v.Charge is not null).Select(v => v.Plate).ToHashSet();
        Assert.NotEmpty(evPlates);

        var page = await browser.OpenAsync(node.BaseUri);
        try
        {
            await page.GotoAsync("/dashboard/");
            await page.GetByLabel("API key").FillAsync(TestNode.AdminKey);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Site plan: Simulated garage" })).ToBeVisibleAsync();
            await Expect(page.Locator(".bay[data-state='free']")).ToHaveCountAsync(4);

            var run = new SimulationRun(scenario, plan, node.BaseUri, clock, NullLogger.Instance);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            clock.Start();
            var running = run.RunAsync(timeout.Token);

            // A simulated EV is read at its bay and its charger reports the transaction: the tile says so,
            // with the plate the simulator drove in and the power its charger reports.
            var charging = page.Locator(".bay[data-state='charging']").Filter(new() { HasTextRegex = KilowattsRegex() }).First;
            await Expect(charging).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await DashboardBrowser.ScreenshotAsync(page, "simulated-charging");
            var plate = (await charging.Locator(".plate").InnerTextAsync()).Trim();
            Assert.Contains(plate, evPlates);

            await running;
            Assert.False(timeout.IsCancellationRequested, "the run did not end in time");
            Assert.Equal(0, run.Progress.Errors);

            // Every planned vehicle has left by the end of the run: the plan shows every bay free again.
            Assert.Equal(plan.Visits.Count, plan.CompletedVisits.Count());
            await Expect(page.Locator(".bay[data-state='free']")).ToHaveCountAsync(4, new() { Timeout = 30_000 });
            await DashboardBrowser.ScreenshotAsync(page, "simulated-all-left");
        }
        finally
        {
            await page.Context.DisposeAsync();
        }
    }

    // Power as the tile writes it ("11.0 kW", the space may be a no-break space), not the energy in kWh.
    [GeneratedRegex(@"\d+(\.\d+)?\s?kW(?!h)")]
    private static partial Regex KilowattsRegex();
}
