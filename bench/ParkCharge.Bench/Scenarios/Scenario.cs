namespace ParkCharge.Bench.Scenarios;

/// <summary>
/// What runs against what: the echo baseline, the non-durable <c>ocpp-rpc</c> peer, or ParkCharge with its chargers
/// spread over sites or all at one.
/// </summary>
public sealed record Scenario(string Name, bool Echo, bool OneSite, string Description)
{
    public static Scenario EchoBaseline { get; } = new("echo", Echo: true, OneSite: false,
        "raw WebSocket echo server (Kestrel), the same client and frames");

    /// <summary>An OCPP server written by others that stores nothing: what ParkCharge, durable, should keep up with.</summary>
    public static Scenario OcppRpcPeer { get; } = new("peer", Echo: false, OneSite: false,
        "ocpp-rpc server (Node.js, strict schema validation both ways, in-memory handlers, no persistence)")
    { Peer = true };

    public static Scenario ParkCharge { get; } = new("parkcharge", Echo: false, OneSite: false,
        "ParkCharge on SQLite, chargers spread over sites (--chargers-per-site)");

    public static Scenario ParkChargeOneSite { get; } = new("parkcharge-one-site", Echo: false, OneSite: true,
        "ParkCharge on SQLite, every charger at one site: one engine, one unit at a time");

    public static IReadOnlyList<Scenario> All { get; } = [EchoBaseline, OcppRpcPeer, ParkCharge, ParkChargeOneSite];

    /// <summary>The ocpp-rpc peer rather than ParkCharge (it answers like ParkCharge: CALLRESULTs, transaction ids).</summary>
    public bool Peer { get; init; }

    /// <summary>ParkCharge itself: the only scenario with registered chargers, sites and a store.</summary>
    public bool IsParkCharge => !Echo && !Peer;

    /// <summary>The baselines run first at each size, echo then the peer, so every ParkCharge figure has its ratios.</summary>
    public int Order => Echo ? 0 : Peer ? 1 : 2;

    public static Scenario Parse(string name) =>
        All.FirstOrDefault(s => s.Name.Equals(name.Trim(), StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown scenario '{name}'. Known: {string.Join(", ", All.Select(s => s.Name))}.");

    public int SitesFor(int chargers, int chargersPerSite) =>
        !IsParkCharge ? 0 : OneSite ? 1 : (chargers + chargersPerSite - 1) / chargersPerSite;
}
