using Microsoft.Extensions.Logging;

using ParkCharge.Storage.ApiKeys;
using ParkCharge.Storage.Audit;
using ParkCharge.Storage.Certificates;
using ParkCharge.Storage.Events;
using ParkCharge.Storage.Idempotency;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.Migrations;
using ParkCharge.Storage.Postgres;
using ParkCharge.Storage.Queries;
using ParkCharge.Storage.Secrets;
using ParkCharge.Storage.Sqlite;
using ParkCharge.Storage.Upstreams;
using ParkCharge.Storage.Webhooks;

namespace ParkCharge.Storage;

/// <summary>Where ParkCharge keeps its data.</summary>
public sealed record StoreOptions
{
    /// <summary>The data folder; the SQLite file is <c>parkcharge.db</c> in it. Used when no PostgreSQL connection string is set.</summary>
    public string DataDirectory { get; init; } = "data";

    /// <summary>A PostgreSQL connection string; when set, PostgreSQL is the store instead of SQLite.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// Writes (appends, message-log frames) that may wait for the writer; beyond it, appends wait for room
    /// and frames are dropped (see <see cref="LogWriter"/>).
    /// </summary>
    public int WriterQueueCapacity { get; init; } = DefaultWriterQueueCapacity;

    public const int DefaultWriterQueueCapacity = 8192;

    public const string SqliteFileName = "parkcharge.db";

    /// <summary>
    /// The SQLite file of the message log (every OCPP frame in and out), beside <see cref="SqliteFileName"/>: written by a
    /// writer of its own, in parallel with the log's. On PostgreSQL the message log stays in the one database, with a
    /// writer connection of its own.
    /// </summary>
    public const string MessageLogFileName = "message-log.db";
}

/// <summary>The store: the durable log with its writer and reader, the outbox, the projections' queries, API keys, the API audit log, webhooks.</summary>
public sealed class Store : IAsyncDisposable
{
    private Store(Database database, Database messageLog, ILoggerFactory loggers, int writerQueueCapacity)
    {
        Database = database;
        MessageLogDatabase = messageLog;
        Outbox = new Outbox(database);
        var frames = new LogWriter(messageLog, Outbox, loggers.CreateLogger<LogWriter>(), writerQueueCapacity);
        Writer = new LogWriter(database, Outbox, loggers.CreateLogger<LogWriter>(), writerQueueCapacity, frames);
        Log = new LogReader(database);
        Chargers = new ChargerQueries(database);
        Sessions = new ChargingSessionQueries(database);
        Messages = new MessageLogQueries(messageLog);
        Parking = new ParkingQueries(database);
        Images = new AnprImageStore(database);
        Bindings = new BindingQueries(database);
        Bills = new BillQueries(database);
        Reconciliation = new ReconciliationQueries(database);
        Commands = new CommandQueries(database);
        ApiKeys = new ApiKeyStore(database);
        Audit = new ApiAuditLog(database);
        Webhooks = new WebhookStore(database);
        NodeSecrets = new NodeSecretStore(database);
        Idempotency = new IdempotencyStore(database);
        SecurityEvents = new SecurityEventQueries(database);
        Certificates = new CertificateStore(database);
        Upstreams = new UpstreamStore(database);
        UpstreamQueue = new UpstreamQueue(database);
        Privacy = new Privacy.PrivacyStore(database, messageLog);
        Snapshots = new Snapshots.SnapshotStore(database);
    }

    /// <summary>Snapshots of the sites' engine states, and where a compacted site's log begins.</summary>
    public Snapshots.SnapshotStore Snapshots { get; }

    public Database Database { get; }

    /// <summary>
    /// Where the message log (table <c>message_log</c>) is: on SQLite its own file (<see cref="StoreOptions.MessageLogFileName"/>),
    /// on PostgreSQL the same database as <see cref="Database"/>.
    /// </summary>
    public Database MessageLogDatabase { get; }

    /// <summary>Proxy mode: the backends each charger is proxied to.</summary>
    public UpstreamStore Upstreams { get; }

    /// <summary>Proxy mode: messages waiting for a backend that was away, and 1.6 transaction ids mapped both ways.</summary>
    public UpstreamQueue UpstreamQueue { get; }

    /// <summary>Retention, pseudonymisation and erasure of personal data (docs/privacy.md).</summary>
    public Privacy.PrivacyStore Privacy { get; }

    public LogWriter Writer { get; }

    public LogReader Log { get; }

    public ChargerQueries Chargers { get; }

    public ChargingSessionQueries Sessions { get; }

    public MessageLogQueries Messages { get; }

    public ParkingQueries Parking { get; }

    public AnprImageStore Images { get; }

    public BindingQueries Bindings { get; }

    public BillQueries Bills { get; }

    public ReconciliationQueries Reconciliation { get; }

    public CommandQueries Commands { get; }

    public ApiKeyStore ApiKeys { get; }

    /// <summary>The audit log of state-changing API calls.</summary>
    public ApiAuditLog Audit { get; }
    /// <summary>The events table as the outbox: reads after a position, sites' heads, a signal on commit.</summary>
    public Outbox Outbox { get; }

    /// <summary>Webhook subscriptions, their cursors, replays and delivery log.</summary>
    public WebhookStore Webhooks { get; }

    /// <summary>Secrets generated once per store (the key hashing secret).</summary>
    public NodeSecretStore NodeSecrets { get; }

    /// <summary>Idempotency keys of API writes and the answers they got.</summary>
    public IdempotencyStore Idempotency { get; }

    /// <summary>The security events chargers reported.</summary>
    public SecurityEventQueries SecurityEvents { get; }

    /// <summary>Security profile 3: the sites' charger CAs and the charger certificates issued or seen.</summary>
    public CertificateStore Certificates { get; }

    /// <summary>
    /// Opens the configured database and applies pending migrations. Its writer waits for <see cref="Start"/>
    /// (a node's hosted service calls it; so does a command that writes).
    /// </summary>
    public static async Task<Store> OpenAsync(StoreOptions options, ILoggerFactory loggers, CancellationToken ct)
    {
        Database database = string.IsNullOrWhiteSpace(options.PostgresConnectionString)
            ? new SqliteDatabase(Path.Combine(options.DataDirectory, StoreOptions.SqliteFileName))
            : new PostgresDatabase(options.PostgresConnectionString);
        var messageLog = database is SqliteDatabase
            ? new SqliteDatabase(Path.Combine(options.DataDirectory, StoreOptions.MessageLogFileName), SqliteMessageLog.MigrationsFolder)
            : database;
        try
        {
            var logger = loggers.CreateLogger<Store>();
            await Migrator.MigrateAsync(database, logger, ct);
            if (messageLog is SqliteDatabase file && database is SqliteDatabase main)
            {
                await Migrator.MigrateAsync(file, logger, ct);
                await SqliteMessageLog.MoveIntoAsync(main, file, logger, ct);
            }
        }
        catch
        {
            await database.DisposeAsync();
            if (messageLog != database)
            {
                await messageLog.DisposeAsync();
            }

            throw;
        }

        return new Store(database, messageLog, loggers, options.WriterQueueCapacity);
    }

    /// <summary>Starts the log writer's loop.</summary>
    public void Start() => Writer.Start();

    /// <summary>
    /// True when <paramref name="exception"/> or one it wraps says the store cannot be reached or cannot take
    /// work now (see <see cref="Database.IsUnavailable"/>), or a network failure or timeout on the way to it:
    /// the caller should be told to retry later (HTTP 503) rather than be refused or see a server error.
    /// </summary>
    public bool IsUnavailable(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is AggregateException aggregate)
            {
                return aggregate.InnerExceptions.Any(IsUnavailable);
            }

            if (Database.IsUnavailable(e) || e is System.Net.Sockets.SocketException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the database answers a trivial query (for health checks).</summary>
    public async Task<bool> PingAsync(CancellationToken ct)
    {
        await using var connection = await Database.OpenAsync(ct);
        await using var command = connection.Command("SELECT 1");
        return await command.ExecuteScalarAsync(ct) is not null;
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        await Database.DisposeAsync();
        if (MessageLogDatabase != Database)
        {
            await MessageLogDatabase.DisposeAsync();
        }
    }
}
