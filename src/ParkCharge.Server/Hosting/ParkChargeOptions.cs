namespace ParkCharge.Server.Hosting;

/// <summary>
/// Every setting of a ParkCharge node, bound from the configuration section <c>ParkCharge</c>
/// (appsettings.json, <c>ParkCharge__...</c> environment variables, command-line options).
/// </summary>
public sealed class ParkChargeOptions
{
    public const string Section = "ParkCharge";

    /// <summary>The data folder (SQLite file, generated secrets). Relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>A PostgreSQL connection string; when set, PostgreSQL is the store instead of SQLite.</summary>
    public string? Postgres { get; set; }

    /// <summary>An admin API key to accept (e.g. from <c>PARKCHARGE_API_KEY</c>). When no key exists at all, one is generated and printed once.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Site files (YAML or JSON) loaded at every start; an unchanged file changes nothing.</summary>
    public IList<string> SiteFiles { get; } = [];

    /// <summary>This node's name in connection records; chargers it held are marked disconnected when it restarts.</summary>
    public string NodeId { get; set; } = Environment.MachineName;

    public OcppOptions Ocpp { get; set; } = new();
}

/// <summary>Which chargers may connect.</summary>
public enum RegistrationPolicy
{
    /// <summary>Only chargers registered through the API (the default: a stranger cannot join).</summary>
    KnownOnly,

    /// <summary>Unknown chargers are registered at <see cref="OcppOptions.AutoRegisterSite"/> when they first connect.</summary>
    AutoRegister,
}

/// <summary>The OCPP central system's settings.</summary>
public sealed class OcppOptions
{
    public RegistrationPolicy Registration { get; set; } = RegistrationPolicy.KnownOnly;

    /// <summary>The site auto-registered chargers join.</summary>
    public string AutoRegisterSite { get; set; } = "default";

    /// <summary>The heartbeat interval told to chargers in the BootNotification answer, in seconds.</summary>
    public int HeartbeatIntervalSeconds { get; set; } = 300;

    /// <summary>How long a call to a charger may wait for its answer, in seconds.</summary>
    public int CallTimeoutSeconds { get; set; } = 30;

    /// <summary>WebSocket ping interval, in seconds (0 disables). A charger that does not answer a ping is disconnected.</summary>
    public int PingIntervalSeconds { get; set; } = 30;

    /// <summary>How long to wait for a pong before closing the connection, in seconds.</summary>
    public int PingTimeoutSeconds { get; set; } = 30;

    /// <summary>The largest OCPP message accepted, in bytes.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;
}
