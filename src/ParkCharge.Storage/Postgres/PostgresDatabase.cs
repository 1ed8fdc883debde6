using System.Data.Common;

using Npgsql;

using NpgsqlTypes;

namespace ParkCharge.Storage.Postgres;

/// <summary>
/// PostgreSQL, for operators who run several nodes on one shared store (DESIGN.md §6). Appends are
/// optimistic per site: the (site, seq) primary key makes a second writer fail and reload.
/// </summary>
public sealed class PostgresDatabase : Database
{
    /// <summary>pg_advisory_xact_lock key for migrations: "PCHG" in ASCII.</summary>
    private const long MigrationLockKey = 0x50434847;

    private readonly NpgsqlDataSource _dataSource;

    public PostgresDatabase(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _description = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    private readonly string _description;

    public override string Engine => "postgresql";

    internal override string MigrationsFolder => "Postgres";

    public override string Describe() => _description;

    public override async ValueTask<DbConnection> OpenAsync(CancellationToken ct) =>
        await _dataSource.OpenConnectionAsync(ct);

    internal override ValueTask<DbConnection> OpenWriterAsync(CancellationToken ct) => OpenAsync(ct);

    internal override async Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct)
    {
        await using var command = connection.Command("SELECT pg_advisory_xact_lock(@key)", transaction).With("key", MigrationLockKey);
        await command.ExecuteNonQueryAsync(ct);
    }

    internal override object Instant(DateTimeOffset value) => value.ToUniversalTime();

    internal override DateTimeOffset ReadInstant(DbDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    internal override object Number(decimal value) => value;

    internal override decimal ReadNumber(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);

    internal override void AddJson(DbCommand command, string name, string json) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = json });

    internal override bool IsUniqueViolation(Exception exception) =>
        exception is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>
    /// Connection failures (class 08), shutdowns and terminated backends (57P), exhausted resources (53),
    /// and Npgsql's own transient errors (refused or broken sockets, a pool with no free connection).
    /// </summary>
    internal override bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal)
            || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || p.SqlState.StartsWith("53", StringComparison.Ordinal),
        NpgsqlException n => n.IsTransient,
        _ => false,
    };

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
