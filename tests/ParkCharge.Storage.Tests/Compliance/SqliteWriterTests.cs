using Microsoft.Data.Sqlite;

using ParkCharge.Core.Charging;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.Sqlite;
using ParkCharge.Testing;

using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>
/// SQLite's write path (issue 17): the writer's connection never checkpoints, a checkpointer of its own copies the WAL
/// into the database file beside it, and nothing committed depends on either.
/// </summary>
public sealed class SqliteWriterTests(PostgresServer postgres) : StoreContract(StoreEngine.Sqlite, postgres)
{
    [Fact]
    public async Task The_wal_is_copied_into_the_database_file_by_the_checkpointer_while_the_writer_goes_on()
    {
        var site = new SiteWriter(new ParkCharge.Core.Sites.SiteId("north"));
        for (var i = 0; i < 20; i++)
        {
            await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [.. Enumerable.Range(0, 50).Select(j => site.DecideOne(new ChargerRegistration(Cp($"CP-{i}-{j}"), null, 0)))]));
        }

        var database = Assert.IsType<SqliteDatabase>(Store.Database);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (database.Checkpoints == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.True(database.Checkpoints > 0, "the checkpointer never ran");
        // What was committed is all there, read through a connection of its own, and again after a restart.
        Assert.Equal(1_000, (await ReadLogAsync("north")).Count);
        await ReopenAsync();
        Assert.Equal(1_000, (await ReadLogAsync("north")).Count);
    }

    [Fact]
    public async Task The_writer_connection_leaves_checkpoints_to_the_checkpointer_and_keeps_a_large_page_cache()
    {
        var database = Assert.IsType<SqliteDatabase>(Store.Database);
        await using var writer = (SqliteConnection)await database.OpenWriterAsync(Ct);
        await using var command = writer.CreateCommand();

        command.CommandText = "PRAGMA wal_autocheckpoint";
        var autocheckpoint = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA cache_size";
        var cache = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);
        command.CommandText = "PRAGMA synchronous";
        var synchronous = Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(0, autocheckpoint);
        Assert.Equal(-65536, cache);
        Assert.Equal(2, synchronous); // FULL: a commit is on disk before it is answered
    }

    [Fact]
    public async Task Rows_bound_by_ordinal_are_stored_exactly_as_the_ado_net_command_stores_them()
    {
        var database = Assert.IsType<SqliteDatabase>(Store.Database);
        await using var connection = (SqliteConnection)await database.OpenWriterAsync(Ct);
        await Execute(connection, "CREATE TABLE kinds (path TEXT, n INTEGER, v)");
        const string insert = "INSERT INTO kinds (path, n, v) VALUES (@path, @n, @v)";
        object?[] values =
        [
            "plate B-AB 123", "", "Ünïcödé 🚗 ' \" \\", "line\nbreak", long.MaxValue, long.MinValue, 0L, int.MaxValue, -1, true, false,
            0.1, -0.0, 1e-300, double.MaxValue, new byte[] { 0, 1, 255 }, null, DBNull.Value,
            // not taken by the ordinal path (they go through SqliteCommand): stored as it stores them
            12.50m, new DateTimeOffset(2026, 12, 7, 15, 0, 0, TimeSpan.FromHours(1)), Guid.Parse("7d6a4bb8-7c9e-4d7e-9a51-2f55e5a8c0de"), Array.Empty<byte>(), 'x', 3.5f,
        ];

        await using (var statements = new Statements(database, connection))
        {
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            statements.Use(transaction);
            for (var i = 0; i < values.Length; i++)
            {
                // the writer's way: rows recorded with their values, run in order
                await statements.RunAsync([new Row(insert, [("path", "rows"), ("n", (long)i), ("v", values[i])])], Ct);
                // SqliteCommand's way, on the same connection
                await statements[insert].Set("path", "command").Set("n", (long)i).Set("v", values[i]).RunAsync(Ct);
            }

            await transaction.CommitAsync(Ct);
        }

        var stored = await Rows(connection, "SELECT path, n, typeof(v), quote(v) FROM kinds ORDER BY n, path");
        Assert.Equal(values.Length * 2, stored.Count);
        for (var i = 0; i < values.Length; i++)
        {
            var (command, rows) = (stored[2 * i], stored[(2 * i) + 1]);
            Assert.Equal(("command", "rows"), (command[0], rows[0]));
            Assert.Equal(command[2..], rows[2..]);
        }

        Assert.Equal(["text", "'plate B-AB 123'"], stored[1][2..]);
        Assert.Equal(["integer", "1"], stored[(2 * 9) + 1][2..]);
        Assert.Equal(["null", "NULL"], stored[(2 * 16) + 1][2..]);
    }

    [Fact]
    public async Task A_duplicate_key_bound_by_ordinal_is_a_unique_violation_and_the_statement_runs_again_after_it()
    {
        var database = Assert.IsType<SqliteDatabase>(Store.Database);
        await using var connection = (SqliteConnection)await database.OpenWriterAsync(Ct);
        await Execute(connection, "CREATE TABLE once (id TEXT PRIMARY KEY, note TEXT NOT NULL)");
        const string insert = "INSERT INTO once (id, note) VALUES (@id, @note)";
        await using var statements = new Statements(database, connection);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        statements.Use(transaction);

        await statements.RunAsync([new Row(insert, [("id", "a"), ("note", "first")])], Ct);
        var duplicate = await Assert.ThrowsAsync<SqliteException>(() => statements.RunAsync([new Row(insert, [("id", "a"), ("note", "again")])], Ct));
        var missing = await Assert.ThrowsAsync<SqliteException>(() => statements.RunAsync([new Row(insert, [("id", "b"), ("note", null)])], Ct));
        await statements.RunAsync([new Row(insert, [("note", "values in another order"), ("id", "c")])], Ct);
        await transaction.CommitAsync(Ct);

        Assert.True(database.IsUniqueViolation(duplicate), duplicate.Message);
        Assert.False(database.IsUniqueViolation(missing), missing.Message); // NOT NULL: a constraint, not a duplicate
        Assert.Equal([["a", "first"], ["c", "values in another order"]], await Rows(connection, "SELECT id, note FROM once ORDER BY id"));
    }

    private static async Task Execute(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(Ct);
    }

    private static async Task<List<string[]>> Rows(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<string[]>();
        while (await reader.ReadAsync(Ct))
        {
            rows.Add([.. Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!)]);
        }

        return rows;
    }
}
