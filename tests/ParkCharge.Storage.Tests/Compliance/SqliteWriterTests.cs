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
}
