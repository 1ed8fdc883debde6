using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

using ParkCharge.Server.Hosting;
using ParkCharge.Server.Sites;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Operations;

/// <summary>
/// Upgrades keep data: stores written by earlier releases (Fixtures/README.md says which and how they were made)
/// are opened by today's code, migrated forward and replayed. Nothing stored is lost or rewritten, every stored
/// observation is read, and the log gives every answer and every bill's total again.
/// </summary>
public sealed class UpgradeTests
{
    /// <summary>The release before today's schema (0031), and one six migrations back.</summary>
    public static TheoryData<string, int, decimal> Releases => new()
    {
        { "release-41d2526-schema-0030.db.gz", 30, 0m },
        // Issue 14 rounds VAT once per bill instead of per line: a bill of that release may come out a cent apart.
        { "release-fc458a5-schema-0007.db.gz", 7, 0.01m },
    };

    [Theory]
    [MemberData(nameof(Releases))]
    public async Task A_store_written_by_an_earlier_release_is_migrated_forward_keeps_everything_and_replays_to_the_same_answers_and_bills(string fixture, int schema, decimal billTolerance)
    {
        var folder = await UnpackAsync(fixture);
        var before = await ReadAsync(folder);
        Assert.Equal(schema, before.Schema); // the fixture is what its name says
        var framesBefore = await MessageLogAsync(Path.Combine(folder, StoreOptions.SqliteFileName));
        Assert.True(framesBefore.Count > 100, $"the fixture's message log has {framesBefore.Count} frames");

        await using (var store = await TestStores.OpenAsync(new StoreOptions { DataDirectory = folder }))
        await using (var rebuilt = await TestStores.OpenAsync(new StoreOptions { DataDirectory = TestStores.NewFolder("upgrade-rebuilt") }))
        {
            var report = await Replay.RunAsync(store, rebuilt, null, TestContext.Current.CancellationToken);

            Assert.Equal(0, report.RepliesDiffering); // every observation read (an unreadable one counts here) and answered as it was
            Assert.Equal(before.Observations, report.Observations);
            Assert.Equal(before.Bills, report.BillsCompared);
            var stored = await store.Bills.AllAsync(TestContext.Current.CancellationToken);
            var again = (await rebuilt.Bills.AllAsync(TestContext.Current.CancellationToken)).ToDictionary(b => b.ParkingSessionId);
            Assert.All(stored, bill => Assert.True(
                again.TryGetValue(bill.ParkingSessionId, out var replayed) && Math.Abs(replayed.Current.Total - bill.Current.Total) <= billTolerance,
                $"bill {bill.ParkingSessionId}: stored {bill.Current.Total}, replayed {(replayed is null ? "none" : replayed.Current.Total)}"));
        }

        var after = await ReadAsync(folder);
        Assert.True(after.Schema > before.Schema, $"schema {after.Schema} after the upgrade");
        Assert.Equal(before with { Schema = after.Schema }, after); // the log, its events and the bills: not a byte rewritten

        // The message log moved into its own file, every frame with its id, and out of the database.
        Assert.Equal(framesBefore, await MessageLogAsync(Path.Combine(folder, StoreOptions.MessageLogFileName)));
        await using var main = new SqliteConnection($"Data Source={Path.Combine(folder, StoreOptions.SqliteFileName)};Pooling=False");
        await main.OpenAsync();
        Assert.Equal(0, await ScalarAsync(main, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'message_log'"));
    }

    private static async Task<List<string>> MessageLogAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, charger_id, connection_id, direction, at, message_type, message_id, action, error_code, frame FROM message_log ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var frames = new List<string>();
        while (await reader.ReadAsync())
        {
            frames.Add(string.Join('\u001f', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return frames;
    }

    [Theory]
    [MemberData(nameof(Releases))]
    public async Task A_node_of_today_started_on_an_earlier_releases_store_loads_its_sites_without_divergence_and_serves_them(string fixture, int schema, decimal billTolerance)
    {
        _ = (schema, billTolerance);
        var folder = await UnpackAsync(fixture);
        var before = await ReadAsync(folder);

        await using var node = await TestNode.StartAsync(new StoreOptions { DataDirectory = folder });
        using var sessions = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/charging-sessions?limit=200", TestContext.Current.CancellationToken));
        using var health = await node.Http.GetAsync("/healthz", TestContext.Current.CancellationToken);
        var engines = node.App.Services.GetRequiredService<SiteEngines>();
        var sites = await node.App.Services.GetRequiredService<Store>().Log.SitesAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(before.ChargingSessions, sessions.RootElement.GetProperty("items").GetArrayLength());
        Assert.NotEmpty(sites);
        Assert.All(sites, site => Assert.Equal(0, engines.For(site).ReplayDivergences));
    }

    private static async Task<string> UnpackAsync(string fixture)
    {
        var folder = TestStores.NewFolder("upgrade");
        await using var packed = File.OpenRead(Path.Combine(Repository.Root, "tests", "ParkCharge.Server.Tests", "Operations", "Fixtures", fixture));
        await using var gzip = new GZipStream(packed, CompressionMode.Decompress);
        await using var database = File.Create(Path.Combine(folder, StoreOptions.SqliteFileName));
        await gzip.CopyToAsync(database);
        return folder;
    }

    /// <summary>What an upgrade must keep, read straight from the file: counts and a hash of every row of the log, its events and the bills.</summary>
    private sealed record Contents(int Schema, long Observations, long Bills, long ChargingSessions, string LogHash, string EventsHash, string BillsHash);

    private static async Task<Contents> ReadAsync(string folder)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, StoreOptions.SqliteFileName)};Pooling=False");
        await connection.OpenAsync();
        return new Contents(
            (int)await ScalarAsync(connection, "SELECT MAX(version) FROM schema_migrations"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM observations"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM bills"),
            await ScalarAsync(connection, "SELECT COUNT(*) FROM charging_sessions"),
            await HashAsync(connection, "SELECT site_id, seq, key, source, event_time, received_at, kind, payload, reply FROM observations ORDER BY site_id, seq"),
            await HashAsync(connection, "SELECT site_id, seq, id, type, payload FROM events ORDER BY site_id, seq"),
            await HashAsync(connection, "SELECT parking_session_id, document FROM bills ORDER BY parking_session_id"));
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<string> HashAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture) + "\u001f"));
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
