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
    /// Npgsql's own errors (connection refused, broken, timed out) and the server's connection,
    /// shutdown and resource classes (08, 57P, 53); a statement the server refused is not one.
    /// </summary>
    public override bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException e => e.SqlState.StartsWith("08", StringComparison.Ordinal) || e.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || e.SqlState.StartsWith("53", StringComparison.Ordinal),
        // Npgsql wraps broken connections in NpgsqlException; a bare IOException is not the database's (a request
        // body that broke off or was too large is one).
        NpgsqlException or System.Net.Sockets.SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };

    internal override object? Storable(string name, object? value) => value is string text
        ? name.StartsWith("json_", StringComparison.Ordinal) ? StorableText.Json(text) : StorableText.Plain(text)
        : value;

    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
