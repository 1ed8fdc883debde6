using System.Data.Common;

using Microsoft.Data.Sqlite;

using Npgsql;

using ParkCharge.Storage;

namespace ParkCharge.Testing;

/// <summary>
/// A store that stops keeping up, for back-pressure tests: another connection holds the lock the log
/// writer needs (SQLite: the database's write lock; PostgreSQL: the observations table), so the writer's
/// next transaction waits until <see cref="DisposeAsync"/> lets it go. Nothing fails, it only waits:
/// SQLite waits up to its busy timeout (30 s), PostgreSQL as long as it takes. <see cref="HoldMessageLogAsync"/> holds the
/// message log's writer the same way (SQLite: its own file; PostgreSQL: the message_log table).
/// </summary>
public sealed class HeldWrites : IAsyncDisposable
{
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;

    private HeldWrites(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
    }

    public static Task<HeldWrites> HoldAsync(StoreOptions store) => HoldAsync(store, StoreOptions.SqliteFileName, "observations");

    public static Task<HeldWrites> HoldMessageLogAsync(StoreOptions store) => HoldAsync(store, StoreOptions.MessageLogFileName, "message_log");

    private static async Task<HeldWrites> HoldAsync(StoreOptions store, string file, string table)
    {
        DbConnection connection = string.IsNullOrWhiteSpace(store.PostgresConnectionString)
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(store.DataDirectory, file), Pooling = false }.ToString())
            : new NpgsqlConnection(store.PostgresConnectionString);
        await connection.OpenAsync();
        DbTransaction transaction;
        if (connection is SqliteConnection sqlite)
        {
            transaction = sqlite.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock, now
        }
        else
        {
            transaction = await connection.BeginTransactionAsync();
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"LOCK TABLE {table} IN EXCLUSIVE MODE";
            await command.ExecuteNonQueryAsync();
        }

        return new HeldWrites(connection, transaction);
    }

    /// <summary>Lets the writer go on.</summary>
    public async ValueTask DisposeAsync()
    {
        await _transaction.RollbackAsync();
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
