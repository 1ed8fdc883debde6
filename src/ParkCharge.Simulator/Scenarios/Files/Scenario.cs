using ParkCharge.Core.Charging;
using ParkCharge.Simulator.Sites;

namespace ParkCharge.Simulator.Scenarios.Files;

/// <summary>From a local time of day on, vehicles arrive at this average rate (a Poisson process).</summary>
public sealed record ArrivalRate(TimeOnly From, double PerHour);

/// <summary>A range to draw from, uniformly.</summary>
public sealed record Range<T>(T Min, T Max);

/// <summary>How the simulated electric vehicles charge.</summary>
public sealed record ChargingBehaviour
{
    /// <summary>Usable battery sizes to choose from, kWh.</summary>
    public IReadOnlyList<double> BatteryKWh { get; init; } = [40, 60, 77, 100];

    /// <summary>State of charge on arrival, 0..1.</summary>
    public Range<double> StartSoc { get; init; } = new(0.1, 0.6);

    /// <summary>The most each vehicle's on-board charger draws, kW.</summary>
    public IReadOnlyList<double> MaxPowerKW { get; init; } = [7.4, 11, 22];

    /// <summary>Above this state of charge power tapers linearly to a trickle at 100 %.</summary>
    public double TaperFrom { get; init; } = 0.8;

    /// <summary>How long after parking the driver plugs in.</summary>
    public Range<TimeSpan> PlugInDelay { get; init; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90));
}

/// <summary>What goes wrong: OCR errors, missed and repeated reads, camera clock skew, chargers offline or faulted.</summary>
public sealed record Noise
{
    /// <summary>Share of reads with one look-alike character (O/0, B/8, ...).</summary>
    public double OcrErrorRate { get; init; }

    /// <summary>Share of camera passes with no read at all.</summary>
    public double MissedReads { get; init; }

    /// <summary>Share of camera passes read two to four times, a second apart (a burst).</summary>
    public double RepeatedReads { get; init; }

    /// <summary>Each camera's clock is off by up to this much, either way (fixed per camera for the run).</summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>Share of chargers that lose their connection once during the run.</summary>
    public double ChargerOffline { get; init; }

    /// <summary>How long an offline period lasts; transaction messages are queued meanwhile and sent on reconnect.</summary>
    public TimeSpan OfflineDuration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Share of connectors that report Faulted once during the run (while free).</summary>
    public double ConnectorFaults { get; init; }

    /// <summary>How long a fault lasts before the connector is Available again.</summary>
    public TimeSpan FaultDuration { get; init; } = TimeSpan.FromMinutes(20);
}

/// <summary>
/// A scenario: the site, the traffic over the day, the share of EVs, how long vehicles stay, how they
/// charge, and the noise; played deterministically from <see cref="Seed"/>.
/// </summary>
public sealed record Scenario
{
    /// <summary>The site file (resolved against the scenario file's folder).</summary>
    public required string SitePath { get; init; }

    public required SimulatedSite Site { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Simulated time to play.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>Simulated seconds per real second, unless the command line says otherwise.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>
    /// The local time of day a run on its own clock (<c>parkcharge demo</c>, tests) starts at. Against
    /// another server the clock follows that server's time (see docs/sandbox.md) and this is not used.
    /// </summary>
    public TimeOnly? StartAt { get; init; }

    public required IReadOnlyList<ArrivalRate> Arrivals { get; init; }

    /// <summary>Share of arriving vehicles that are EVs and look for a free EV bay.</summary>
    public double EvShare { get; init; } = 0.3;

    public Range<TimeSpan> Dwell { get; init; } = new(TimeSpan.FromMinutes(30), TimeSpan.FromHours(3));

    public ChargingBehaviour Charging { get; init; } = new();

    public Noise Noise { get; init; } = new();

    /// <summary>The OCPP version of each charger (default <see cref="DefaultOcppVersion"/>).</summary>
    public IReadOnlyDictionary<string, OcppVersion> OcppVersions { get; init; } = new Dictionary<string, OcppVersion>();

    public OcppVersion DefaultOcppVersion { get; init; } = OcppVersion.Ocpp16;

    /// <summary>How often a charging connector reports its meter (simulated time).</summary>
    public TimeSpan MeterInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often chargers send Heartbeat (simulated time).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMinutes(15);

    public OcppVersion VersionOf(string charger) => OcppVersions.TryGetValue(charger, out var version) ? version : DefaultOcppVersion;
}
