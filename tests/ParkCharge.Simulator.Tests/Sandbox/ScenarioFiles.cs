namespace ParkCharge.Simulator.Tests.Sandbox;

/// <summary>Small scenario and site files written to a temporary folder, for the reader and the generator.</summary>
internal sealed class ScenarioFiles : IDisposable
{
    public const string Site = """
        id: test-site
        name: Test
        timeZone: Europe/Berlin
        currency: EUR
        ordinaryBays: 20
        lanes:
          - id: in
            direction: entry
            cameras: [{ id: cam-in, format: hikvision, key: "${CAM_IN_KEY}" }]
          - id: out
            direction: exit
            cameras: [{ id: cam-out, format: platerecognizer, key: "${CAM_OUT_KEY}" }]
        chargers:
          - { id: CP-A, password: "${CP_A_PASSWORD}" }
          - { id: CP-B }
        evBays:
          - { id: EV-1, charger: CP-A, connector: 1 }
          - { id: EV-2, charger: CP-A, connector: 2 }
          - { id: EV-3, charger: CP-B, connector: 1 }
        bayCameras:
          - id: cam-ev-1-2
            key: "${CAM_EV_KEY}"
            bays: [{ bay: EV-1, zone: left }, { bay: EV-2, zone: right }]
          - { id: cam-ev-3, format: hikvision, key: "${CAM_EV_3_KEY}", bays: [EV-3] }
        """;

    public const string Scenario = """
        site: test.site.yaml
        seed: 11
        duration: 6h
        speed: 100
        startAt: "08:00"
        arrivals:
          - { from: "00:00", perHour: 0 }
          - { from: "08:00", perHour: 12 }
          - { from: "12:00", perHour: 0 }
        evShare: 0.5
        dwell: { min: 20m, max: 90m }
        chargers:
          versions: { CP-B: "2.0.1" }
        noise:
          ocrErrorRate: 0.1
          repeatedReads: 0.5
          clockSkew: 30s
          chargerOffline: 0.5
          connectorFaults: 0.5
        """;

    public ScenarioFiles(string scenario = Scenario, string site = Site)
    {
        Folder = Directory.CreateTempSubdirectory("parkcharge-scenario-").FullName;
        File.WriteAllText(System.IO.Path.Combine(Folder, "test.site.yaml"), site);
        File.WriteAllText(Path, scenario);
    }

    public string Folder { get; }

    public string Path => System.IO.Path.Combine(Folder, "test.scenario.yaml");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
