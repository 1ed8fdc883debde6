using System.Data.Common;
using System.Globalization;

using Microsoft.Data.Sqlite;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// The embedded default: one file, WAL mode (readers never block the writer), synchronous=FULL so that
/// a committed append survives a power cut, not only a crash. Group commit pays for the fsync.
/// </summary>
public sealed class SqliteDatabase : Database
{
    private readonly string _connectionString;

    public SqliteDatabase(string path)
    {
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

    internal override string MigrationsFolder => "Sqlite";

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
        await Pragmas(connection, "PRAGMA journal_mode = WAL;", ct);
        return connection;
    }

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

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    private static async Task Pragmas(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
