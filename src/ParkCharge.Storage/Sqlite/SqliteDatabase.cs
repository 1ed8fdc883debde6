using System.Data.Common;
using System.Globalization;

using Microsoft.Data.Sqlite;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// The embedded default: one file, WAL mode (readers never block the writer), synchronous=FULL so that
/// a committed append survives a power cut, not only a crash. Group commit pays for the fsync.
/// </summary>
/// <remarks>
/// The writer's connection does not checkpoint (<c>wal_autocheckpoint = 0</c>): copying the WAL back into the
/// database file (and its fsync) would otherwise happen on the writer's thread, inside whichever commit crossed
/// 1,000 pages. A checkpointer of its own (<see cref="WalCheckpointer"/>) does it on another connection and thread,
/// in parallel with the writer, every <see cref="WalCheckpointer.Every"/> while commits come in. Measured in
/// bench/README.md ("Writes per message").
/// </remarks>
public sealed class SqliteDatabase : Database
{
    /// <summary>
    /// The writer connection's settings, each measured with the load bench (bench/README.md): a page cache of
    /// 64 MiB (the default 2 MiB re-read index pages of the hot tables from the file on every commit), temporary
    /// b-trees in memory, no checkpoint on the writer's thread (see <see cref="WalCheckpointer"/>), and a WAL file
    /// cut back to 64 MiB when it restarts.
    /// </summary>
    internal const string WriterPragmas =
        "PRAGMA journal_mode = WAL; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;";

    private readonly string _connectionString;
    private readonly Lock _checkpointerGate = new();
    private WalCheckpointer? _checkpointer;

    /// <param name="migrationsFolder">
    /// Whose schema the file holds: <c>Sqlite</c>, the store's (log, projections, ...), or <c>SqliteMessageLog</c>, the
    /// message log's file beside it (<see cref="StoreOptions.MessageLogFileName"/>).
    /// </param>
    public SqliteDatabase(string path, string migrationsFolder = "Sqlite")
    {
        MigrationsFolder = migrationsFolder;
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public override string Engine => "sqlite";

    internal override string MigrationsFolder { get; }

    public override string Describe() => Path;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await Pragmas(connection, "PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;", ct);
        return connection;
    }

    internal override async ValueTask<DbConnection> OpenWriterAsync(CancellationToken ct)
    {
        var connection = (SqliteConnection)await OpenAsync(ct);
        await Pragmas(connection, WriterPragmas, ct);
        lock (_checkpointerGate)
        {
            _checkpointer ??= new WalCheckpointer(_connectionString, Path + "-wal");
        }

        return connection;
    }

    internal override void Committed() => Volatile.Read(ref _checkpointer)?.Committed();

    /// <summary>Checkpoints the checkpointer has run since the writer opened (tests and diagnostics).</summary>
    internal long Checkpoints => Volatile.Read(ref _checkpointer)?.Checkpoints ?? 0;

    internal override string ParameterName(string name) => "@" + name;

    internal override Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct) =>
        Task.CompletedTask; // a SQLite write transaction already excludes every other writer

    internal override object Instant(DateTimeOffset value) => SortableText(value);

    internal override DateTimeOffset ReadInstant(DbDataReader reader, int ordinal) =>
        DateTimeOffset.Parse(reader.GetString(ordinal), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    internal override object Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    internal override decimal ReadNumber(DbDataReader reader, int ordinal) =>
        decimal.Parse(reader.GetString(ordinal), NumberStyles.Number | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);

    internal override void AddJson(DbCommand command, string name, string json) => command.With(name, json);

    internal override bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 1555 or 2067 };

    /// <summary>
    /// Busy or locked beyond the timeout, I/O error, disk full, file not openable, not a database
    /// (sqlite.org/rescode.html). Not any <see cref="IOException"/>: a request body that broke off or was too
    /// large is one too, and it says nothing about the store.
    /// </summary>
    public override bool IsUnavailable(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 13 or 14 or 26 };

    public override async ValueTask DisposeAsync()
    {
        WalCheckpointer? checkpointer;
        lock (_checkpointerGate)
        {
            checkpointer = _checkpointer;
            _checkpointer = null;
        }

        if (checkpointer is not null)
        {
            await checkpointer.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
    }

    internal static async Task Pragmas(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
