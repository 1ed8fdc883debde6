using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Server.Sandbox;
using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Planning;
using ParkCharge.Simulator.Running;
using ParkCharge.Simulator.Scenarios.Files;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sandbox;

/// <summary>
/// A small site and scenario for simulator runs against a real node: an entry lane (Hikvision), an
/// exit lane (Plate Recognizer), an OCPP 1.6 charger and a 2.0.1 charger with two outlets each, a
/// generic bay camera (zones) and a Plate Recognizer bay camera (plate box in the picture), tariffs.
/// Vehicles arrive 08:00-09:00 local and are all gone by 10:00, the end of the run.
/// </summary>
internal sealed class SandboxScenario : IDisposable
{
    public const string Site = """
        id: sim-site
        name: Simulated garage
        timeZone: Europe/Berlin
        currency: EUR
        ordinaryBays: 30
        lanes:
          - { id: in, direction: entry, cameras: [{ id: cam-in, format: hikvision, key: "${SIM_CAM_IN}" }] }
          - { id: out, direction: exit, cameras: [{ id: cam-out, format: platerecognizer, key: "${SIM_CAM_OUT}" }] }
        chargers:
          - { id: CP-16, password: "${SIM_CP16_PASSWORD}" }
          - { id: CP-201 }
        evBays:
          - { id: EV-1, charger: CP-16, connector: 1, neighbours: [EV-2] }
          - { id: EV-2, charger: CP-16, connector: 2, neighbours: [EV-1] }
          - { id: EV-3, charger: CP-201, connector: 1, neighbours: [EV-4] }
          - { id: EV-4, charger: CP-201, connector: 2, neighbours: [EV-3] }
        bayCameras:
          - { id: cam-ev-12, format: generic, key: "${SIM_CAM_EV12}", bays: [{ bay: EV-1, zone: left }, { bay: EV-2, zone: right }] }
          - { id: cam-ev-34, format: platerecognizer, key: "${SIM_CAM_EV34}", bays: [{ bay: EV-3, region: [0.0, 0.5] }, { bay: EV-4, region: [0.5, 1.0] }] }
        tariffs:
          parking:
            - { id: p, validFrom: "2020-01-01T00:00:00+01:00", vat: 19, freeFirst: 10m, bands: [{ name: all, from: "00:00", to: "00:00", pricePerUnit: 1.00, unit: 15m }] }
          charging:
            - id: c
              chargers: [CP-16, CP-201]
              elements: [{ priceComponents: [{ type: ENERGY, price: 0.49, vat: 19, stepSize: 1 }] }]
        """;

    public const string Scenario = """
        site: sim.site.yaml
        seed: 5
        duration: 2h
        speed: 1200
        startAt: "08:00"
        arrivals:
          - { from: "00:00", perHour: 0 }
          - { from: "08:00", perHour: 10 }
          - { from: "09:00", perHour: 0 }
        evShare: 0.6
        dwell: { min: 15m, max: 40m }
        charging: { batteryKWh: [40, 60], startSoc: { min: 0.2, max: 0.9 }, maxPowerKW: [11, 22] }
        chargers:
          versions: { CP-201: "2.0.1" }
          meterInterval: 5m
        """;

    public SandboxScenario(string scenario = Scenario, string site = Site)
    {
        Folder = Directory.CreateTempSubdirectory("parkcharge-sandbox-").FullName;
        File.WriteAllText(System.IO.Path.Combine(Folder, "sim.site.yaml"), site);
        File.WriteAllText(Path, scenario);
    }

    public string Folder { get; }

    public string Path => System.IO.Path.Combine(Folder, "sim.scenario.yaml");

    public Scenario Read()
    {
        var read = ScenarioFile.Load(Path, _ => null);
        Assert.True(read.IsValid, string.Join("\n", read.Problems));
        return read.Scenario!;
    }

    /// <summary>Starts a node on <paramref name="engine"/> sharing the scenario's accelerated clock, configures the site, plays the plan.</summary>
    public static async Task<(TestNode Node, SimulationRun Run)> PlayAsync(Scenario scenario, StoreEngine engine, PostgresServer postgres, Action<IServiceCollection>? services = null)
    {
        var (node, clock) = await StartNodeAsync(scenario, engine, postgres, services);
        try
        {
            var run = new SimulationRun(scenario, PlanGenerator.Generate(scenario, clock.Origin), node.BaseUri, clock, NullLogger.Instance);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            clock.Start();
            await run.RunAsync(timeout.Token);
            Assert.False(timeout.IsCancellationRequested, "the run did not end in time");
            return (node, run);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts a node on <paramref name="engine"/> on the scenario's accelerated clock (not started yet: the
    /// caller starts it with the run) with the scenario's site configured.
    /// </summary>
    public static async Task<(TestNode Node, AcceleratedClock Clock)> StartNodeAsync(Scenario scenario, StoreEngine engine, PostgresServer postgres, Action<IServiceCollection>? services = null)
    {
        var clock = new AcceleratedClock(DemoCommand.StartOfRun(scenario), scenario.Speed, start: false);
        var node = await TestNode.StartAsync(engine, postgres, NodeSettings(scenario), b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            services?.Invoke(b.Services);
        });
        try
        {
            Assert.Null(await SandboxSession.ConfigureSiteAsync(node.Http, scenario.Site, CancellationToken.None));
            return (node, clock);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
    }

    /// <summary>As the demo sets them: the node's OCPP call timeout scaled to the accelerated clock.</summary>
    public static Dictionary<string, string?> NodeSettings(Scenario scenario) => new()
    {
        ["ParkCharge:Ocpp:CallTimeout"] = DemoCommand.CallTimeout(scenario.Speed).ToString("c", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every item of a paged API list.</summary>
    public static async Task<List<JsonElement>> AllAsync(HttpClient api, string path)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await api.GetStringAsync($"{path}&limit=200" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")));
            items.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
        return items;
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
