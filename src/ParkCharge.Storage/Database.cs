using System.Data.Common;
using System.Globalization;

namespace ParkCharge.Storage;

/// <summary>
/// One of the two engines ParkCharge stores its log and projections in: SQLite (the embedded default)
/// or PostgreSQL (shared by several nodes). The SQL is common; what differs is how connections are
/// opened, how instants, decimals and JSON are passed, and how a uniqueness conflict is recognised.
/// </summary>
public abstract class Database : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", for logs and health output.</summary>
    public abstract string Engine { get; }

    /// <summary>Where the data is, without secrets (file path, or host and database).</summary>
    public abstract string Describe();

    /// <summary>A connection for reads. Callers dispose it.</summary>
    public abstract ValueTask<DbConnection> OpenAsync(CancellationToken ct);

    /// <summary>The connection the log writer owns for the life of the store (SQLite allows one writer at a time).</summary>
    internal abstract ValueTask<DbConnection> OpenWriterAsync(CancellationToken ct);

    internal abstract string MigrationsFolder { get; }

    /// <summary>Serialises migrations when several nodes start at once.</summary>
    internal abstract Task LockForMigrationAsync(DbConnection connection, DbTransaction transaction, CancellationToken ct);

    /// <summary>An instant as a parameter value.</summary>
    internal abstract object Instant(DateTimeOffset value);

    internal abstract DateTimeOffset ReadInstant(DbDataReader reader, int ordinal);

    internal abstract object Number(decimal value);

    internal abstract decimal ReadNumber(DbDataReader reader, int ordinal);

    /// <summary>Adds a JSON document parameter (JSONB in PostgreSQL, TEXT in SQLite).</summary>
    internal abstract void AddJson(DbCommand command, string name, string json);

    /// <summary>True when the exception is a primary-key or unique violation.</summary>
    internal abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// True when the exception says the store cannot be reached or cannot write at all (connection
    /// refused or lost, server shutting down, disk failing), as opposed to a statement the store refused:
    /// then retrying the same writes one by one is pointless, and nothing is accepted until it is back.
    /// </summary>
    public abstract bool IsUnavailable(Exception exception);

    /// <summary>
    /// A parameter value as this engine can store it. Sources may send any Unicode text; PostgreSQL's
    /// TEXT and JSONB cannot hold U+0000, so there it becomes U+FFFD (a charger's NUL must not fail the
    /// writes that share its commit). Other engines keep values as they are.
    /// </summary>
    internal virtual object? Storable(string name, object? value) => value;

    /// <summary>The log writer committed a transaction (SQLite: there is WAL to checkpoint).</summary>
    internal virtual void Committed()
    {
    }

    /// <summary>
    /// The name a parameter of a prepared statement is given. SQLite looks a parameter up by its name as written in the
    /// SQL, <c>@name</c>: a bare <c>name</c> would be searched for first without and then with each prefix on every
    /// execution (Microsoft.Data.Sqlite's <c>FindPrefixedParameter</c>).
    /// </summary>
    internal virtual string ParameterName(string name) => name;

    internal object? Instant(DateTimeOffset? value) => value is { } v ? Instant(v) : null;

    internal object? Number(decimal? value) => value is { } v ? Number(v) : null;

    internal DateTimeOffset? ReadInstantOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadInstant(reader, ordinal);

    internal decimal? ReadNumberOrNull(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : ReadNumber(reader, ordinal);

    public abstract ValueTask DisposeAsync();

    /// <summary>The fixed-width UTC text form SQLite stores, which sorts like time.</summary>
    internal static string SortableText(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

internal static class DbCommandExtensions
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Adds the parameter only when the SQL uses it (PostgreSQL cannot type an unused null).</summary>
    public static DbCommand WithWhen(this DbCommand command, bool condition, string name, object? value) =>
        condition ? command.With(name, value) : command;

    public static string? StringOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? IntOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
