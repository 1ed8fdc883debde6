namespace ParkCharge.Server.Hosting;

/// <summary>
/// Every setting of a ParkCharge node, bound from the configuration section <c>ParkCharge</c>
/// (appsettings.json, <c>ParkCharge__...</c> environment variables, command-line options) and checked
/// by <see cref="ParkChargeOptionsValidator"/> before the node starts. Durations are <see cref="TimeSpan"/>s
/// (<c>[d.]hh:mm:ss</c>); the older <c>...Seconds</c>/<c>...Days</c> keys are still read (<see cref="LegacyDurationKeys"/>).
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

    /// <summary>Security profile 3: TLS client certificates of chargers, the CA that signs them, renewal.</summary>
    public ChargerCertificateOptions ChargerCertificates { get; set; } = new();

    public EventOptions Events { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>Rate limits of the HTTP API, per API key by role, per camera, per address.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>The reverse proxy in front of the node, if any: only then are <c>X-Forwarded-*</c> headers believed.</summary>
    public ReverseProxyOptions ReverseProxy { get; set; } = new();

    /// <summary>How much work may wait inside the node, and how long a source waits for room (back-pressure).</summary>
    public QueueOptions Queues { get; set; } = new();

    /// <summary>Firmware files chargers fetch from the node and logs they upload to it, over signed, expiring links.</summary>
    public Files.FileOptions Files { get; set; } = new();

    /// <summary>The Prometheus scrape endpoint (<c>/metrics</c>); OTLP export is configured by the standard <c>OTEL_*</c> variables.</summary>
    public MetricsOptions Metrics { get; set; } = new();

    /// <summary>Snapshots of the sites' engine states and compaction of their logs (docs/operators.md, "Snapshots and compaction").</summary>
    public SnapshotOptions Snapshots { get; set; } = new();

    /// <summary>Several nodes as one, on Orleans (docs/operators.md, "Running a cluster"); off unless enabled, and only with <see cref="Postgres"/>.</summary>
    public Cluster.ClusterNodeOptions Cluster { get; set; } = new();
}

/// <summary>
/// Snapshots of each site's engine state, so that start-up replays only the log after the newest one, and compaction
/// of the log below the oldest snapshot retention allows (docs/operators.md, "Snapshots and compaction").
/// </summary>
public sealed class SnapshotOptions
{
    /// <summary>Write snapshots (on by default). Off, start-up replays the whole log, or from the base of a compacted one.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A snapshot after this many observations since the last one (a 20-bay site takes some 3,000 a day).</summary>
    public int Every { get; set; } = 10_000;

    /// <summary>...or this long after the last one, when anything was added since.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Snapshots kept per site (the newest; the one a compacted log begins at is kept besides).</summary>
    public int Keep { get; set; } = 2;

    /// <summary>Compact the logs once a day: delete the observations below a snapshot that is old enough (on by default).</summary>
    public bool Compaction { get; set; } = true;

    /// <summary>
    /// The log is kept at least this long (by receive time) before compaction may delete it, and never the part from the
    /// entry of a stay that is open, unpaid or disputed on.
    /// </summary>
    public TimeSpan KeepLogFor { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>The node's metrics for Prometheus (docs/operators.md, "Watching a node").</summary>
public sealed class MetricsOptions
{
    /// <summary>
    /// Serve <c>/metrics</c> in Prometheus' text format, to an API key of any role but a camera's (off by default:
    /// the metrics name chargers, cameras and webhook subscriptions).
    /// </summary>
    public bool Enabled { get; set; }
}

/// <summary>
/// The node's queues are bounded, so that a store that falls behind slows the sources down instead of
/// filling the memory: a source waits for room, or where waiting is wrong is told to retry.
/// </summary>
public sealed class QueueOptions
{
    /// <summary>
    /// Observations (and reads) that may wait for one site's engine. Beyond it a source waits up to
    /// <see cref="MaxWait"/> and is then refused: HTTP 503 with Retry-After, OCPP CALLERROR InternalError.
    /// </summary>
    public int Site { get; set; } = 4096;

    /// <summary>
    /// Writes that may wait for the store's writer (site appends and message-log frames). Beyond it appends
    /// wait (and with them their site engines); message-log frames are dropped, counted and logged.
    /// </summary>
    public int Writer { get; set; } = Storage.StoreOptions.DefaultWriterQueueCapacity;

    /// <summary>Sites that may wait for the command dispatcher; beyond it the dispatcher looks at every site once it catches up.</summary>
    public int CommandSites { get; set; } = 1024;

    /// <summary>How long a source waits for room in a full site queue before it is refused.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// A token bucket: up to <see cref="TokenLimit"/> requests at once, refilled by
/// <see cref="TokensPerPeriod"/> every <see cref="Period"/>.
/// </summary>
public sealed class RateLimit
{
    public int TokenLimit { get; set; } = 100;

    public int TokensPerPeriod { get; set; } = 50;

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The API's rate limits. Each API key has its own bucket, sized by its role.</summary>
public sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    public RateLimit Admin { get; set; } = new();

    public RateLimit Operator { get; set; } = new();

    public RateLimit Integrator { get; set; } = new();

    /// <summary>Per camera (camera pushes) and per camera-role key.</summary>
    public RateLimit Camera { get; set; } = new() { TokenLimit = 200, TokensPerPeriod = 100 };

    /// <summary>Per client address, for requests without a valid key (the OpenAPI document, the reference page, refused keys).</summary>
    public RateLimit Anonymous { get; set; } = new() { TokenLimit = 60, TokensPerPeriod = 20 };
}

/// <summary>
/// A reverse proxy (nginx, a load balancer) that terminates connections in front of the node. With
/// <see cref="KnownProxies"/> set, requests from those addresses have their client address and
/// scheme taken from <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>; without it these headers are ignored.
/// </summary>
public sealed class ReverseProxyOptions
{
    /// <summary>Addresses or CIDR ranges of the proxies (e.g. <c>127.0.0.1</c>, <c>10.0.0.0/24</c>).</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>How many proxies in a chain to look through (the entries of X-Forwarded-For read from the right).</summary>
    public int ForwardLimit { get; set; } = 1;
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

    /// <summary>The heartbeat interval told to chargers in the BootNotification answer (whole seconds on the wire).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a call to a charger may wait for its answer.</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>WebSocket ping interval (zero disables). A charger that does not answer a ping is disconnected.</summary>
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a pong before closing the connection.</summary>
    public TimeSpan PingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest OCPP message accepted, in bytes.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Failed handshakes (unknown identity, wrong password) allowed per minute for one charger identity
    /// (and ten times as many from one remote address); beyond that, attempts are refused with 429
    /// until the minute is over.
    /// </summary>
    public int MaxAuthFailuresPerMinute { get; set; } = 10;
}

/// <summary>
/// Security profile 3 (OCPP 2.0.1/2.1 A00, the 1.6 security whitepaper): chargers authenticate with a
/// TLS client certificate whose subject CN is their identity. Without an operator CA, ParkCharge makes
/// and holds one CA per site (its key encrypted with the data-protection keys) and signs the chargers'
/// certificate signing requests with it.
/// </summary>
public sealed class ChargerCertificateOptions
{
    /// <summary>
    /// Ask every HTTPS endpoint for a client certificate (optional: clients without one still connect). Off
    /// by default, since a browser holding certificates may then ask its user which to send; an endpoint of
    /// its own for chargers can ask instead (<c>Kestrel:Endpoints:NAME:ClientCertificateMode: AllowCertificate</c>).
    /// </summary>
    public bool RequestOnHttps { get; set; }

    /// <summary>
    /// The operator's CA certificate (PEM file; may hold its chain up to the root). Chargers of every site
    /// may present certificates it issued; with <see cref="CaKey"/>, it signs the chargers' requests instead
    /// of the sites' own CAs.
    /// </summary>
    public string? CaCertificate { get; set; }

    /// <summary>The private key of <see cref="CaCertificate"/> (PEM file, PKCS#8, or encrypted PKCS#8 with <see cref="CaKeyPassword"/>).</summary>
    public string? CaKey { get; set; }

    public string? CaKeyPassword { get; set; }

    /// <summary>More CAs whose charger certificates are accepted (PEM files), e.g. a manufacturer's; never used to sign.</summary>
    public IList<string> TrustedCas { get; } = [];

    /// <summary>How long a certificate ParkCharge issues is valid (never beyond its CA).</summary>
    public TimeSpan CertificateValidity { get; set; } = TimeSpan.FromDays(365);

    /// <summary>How long a CA ParkCharge makes for a site is valid.</summary>
    public TimeSpan CaValidity { get; set; } = TimeSpan.FromDays(3650);

    /// <summary>A connected charger whose certificate expires within this is asked to renew it (TriggerMessage SignChargingStationCertificate).</summary>
    public TimeSpan RenewBefore { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long to wait for a renewed certificate before asking the same charger again.</summary>
    public TimeSpan RenewalRetry { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the connected chargers' certificates are checked (and at every profile-3 connection).</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>The live event stream's settings (and how often readers of the outbox look for other nodes' events).</summary>
public sealed class EventOptions
{
    /// <summary>
    /// How often the stream and webhook delivery look for events other nodes committed (PostgreSQL).
    /// This node's own events are picked up as soon as they are committed.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often an idle stream sends a heartbeat comment (keeps proxies from closing it).</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Webhook delivery: retries, dead letter, timeouts.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Attempts at one event before the subscription is dead-lettered (stopped until resumed; nothing is
    /// skipped). With the default back-off, 20 attempts span about 8 to 11 hours.
    /// </summary>
    public int MaxAttempts { get; set; } = 20;

    /// <summary>The wait after the first failure; it doubles with each failure (with jitter).</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetry { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a receiver has to answer.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the delivery log keeps attempts.</summary>
    public TimeSpan DeliveryLogRetention { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// Webhook targets that may be on a private, loopback or link-local address: host names (as written in
    /// the URL, e.g. <c>erp.internal</c>, <c>localhost</c>) and addresses or CIDR ranges (<c>10.20.0.0/16</c>).
    /// Empty (the default): webhooks go to public addresses only (see <c>WebhookTargets</c>).
    /// </summary>
    public IList<string> AllowedPrivateTargets { get; } = [];
}
