namespace ParkCharge.Bench.Scenarios;

/// <summary>What runs against what: the echo baseline, or ParkCharge with its chargers spread over sites or all at one.</summary>
public sealed record Scenario(string Name, bool Echo, bool OneSite, string Description)
{
    public static Scenario EchoBaseline { get; } = new("echo", Echo: true, OneSite: false,
        "raw WebSocket echo server (Kestrel), the same client and frames");

    public static Scenario ParkCharge { get; } = new("parkcharge", Echo: false, OneSite: false,
        "ParkCharge on SQLite, chargers spread over sites (--chargers-per-site)");

    public static Scenario ParkChargeOneSite { get; } = new("parkcharge-one-site", Echo: false, OneSite: true,
        "ParkCharge on SQLite, every charger at one site: one engine, one unit at a time");

    public static IReadOnlyList<Scenario> All { get; } = [EchoBaseline, ParkCharge, ParkChargeOneSite];

    public static Scenario Parse(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown scenario '{name}'. Known: {string.Join(", ", All.Select(s => s.Name))}.");

    public int SitesFor(int chargers, int chargersPerSite) =>
        Echo ? 0 : OneSite ? 1 : (chargers + chargersPerSite - 1) / chargersPerSite;
}
