using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;

using Npgsql;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Hosting;
using ParkCharge.Server.Tests.Events;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Operations;

/// <summary>
/// Backup and restore (docs/operators.md): <c>parkcharge backup</c> copies a running node's SQLite store and keys
/// while chargers stream; <c>parkcharge restore</c> unpacks it into a fresh folder and checks it by replay. For
/// PostgreSQL, pg_dump and pg_restore, then <c>parkcharge replay --postgres</c> on the restored database.
/// </summary>
public sealed class BackupTests(PostgresServer postgres)
{
    private const string Site = "backup";
    private static readonly Dictionary<string, string?> NoSettings = [];

    [Fact]
    public async Task A_backup_taken_while_chargers_stream_restores_into_a_fresh_folder_whose_log_and_replay_equal_the_source_up_to_the_backup_point()
    {
        var file = Path.Combine(TestStores.NewFolder("backups"), "node.zip");
        var restored = Path.Combine(TestStores.NewFolder("restore"), "data");
        StoreOptions source;
        long sentAfterBackup;
        await using (var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?> { [EventScenario.AllowLoopbackTargets] = "127.0.0.1" }))
        {
            source = node.StoreOptions;
            using (var subscribed = await node.Http.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook" }, TestContext.Current.CancellationToken))
            {
                Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode); // its secret is encrypted with the node's data-protection keys
            }

            var chargers = new List<TestCharger>();
            for (var i = 1; i <= 3; i++)
            {
                await node.RegisterChargerAsync($"CP-B{i}", site: Site);
                var charger = await TestCharger.ConnectAsync(node.OcppUri($"CP-B{i}"), OcppVersion.Ocpp16);
                await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Backup" });
                chargers.Add(charger);
            }

            using var stop = new CancellationTokenSource();
            var sent = new long[chargers.Count];
            var streams = chargers.Select((charger, i) => StreamAsync(charger, i, sent, stop.Token)).ToList();
            await Eventually.UntilAsync(() => Task.FromResult(sent.Min()), n => n >= 10, () => node.Changed);

            // The real command, in its own process, on the file the node is writing.
            var backup = await ParkChargeProcess.RunAsync(NoSettings, "backup", "--to", file, "--data", source.DataDirectory);
            var atBackup = sent.Sum();
            Assert.True(backup.ExitCode == 0, backup.Output + backup.Error);
            await Eventually.UntilAsync(() => Task.FromResult(sent.Sum()), n => n >= atBackup + 30, () => node.Changed); // the chargers went on
            await stop.CancelAsync();
            await Task.WhenAll(streams);
            sentAfterBackup = sent.Sum() - atBackup;
            foreach (var charger in chargers)
            {
                await charger.DisposeAsync();
            }
        }

        var restore = await ParkChargeProcess.RunAsync(NoSettings, "restore", "--from", file, "--data", restored);
        Assert.True(restore.ExitCode == 0, restore.Output + restore.Error);
        Assert.Contains("Checked by replay", restore.Output, StringComparison.Ordinal);

        await using var from = await TestStores.OpenAsync(source);
        await using var to = await TestStores.OpenAsync(new StoreOptions { DataDirectory = restored });
        var site = new SiteId(Site);
        var original = await ReadLogAsync(from, site);
        var copy = await ReadLogAsync(to, site);
        Assert.True(copy.Count >= 4 + 30, $"the backup holds {copy.Count} observations");
        Assert.True(original.Count > copy.Count, $"the source has {original.Count} observations, the backup {copy.Count}: {sentAfterBackup} were sent after it");
        Assert.Equal(original.Take(copy.Count), copy); // the same log up to the backup point: sequence, key, answer

        // The message log, in its own file, is in the backup too: each charger's frames up to about the backup point,
        // each as the source has it.
        foreach (var id in (string[])["CP-B1", "CP-B2", "CP-B3"])
        {
            var restoredFrames = (await to.Messages.ListAsync(new ChargerId(id), null, 1_000, TestContext.Current.CancellationToken)).Items;
            Assert.True(restoredFrames.Count >= 2 * 10, $"{id}: {restoredFrames.Count} frames restored");
            var sourceFrames = (await from.Messages.ListAsync(new ChargerId(id), restoredFrames[0].Id + 1, 1_000, TestContext.Current.CancellationToken)).Items;
            Assert.Equal(sourceFrames.Take(restoredFrames.Count), restoredFrames);
        }

        var rebuilt = await TestStores.OpenAsync(new StoreOptions { DataDirectory = TestStores.NewFolder("rebuilt") });
        await using (rebuilt)
        {
            var report = await Replay.RunAsync(to, rebuilt, null, TestContext.Current.CancellationToken);
            Assert.True(report.Identical, $"{report.RepliesDiffering} answers, {report.EventsDiffering} events, {string.Join("; ", report.BillsDiffering)}");
        }

        Assert.Equal(
            Directory.GetFiles(Path.Combine(source.DataDirectory, "keys")).Select(f => (Path.GetFileName(f), File.ReadAllText(f))),
            Directory.GetFiles(Path.Combine(restored, "keys")).Select(f => (Path.GetFileName(f), File.ReadAllText(f))));
    }

    [Fact]
    public async Task Restore_refuses_a_folder_that_holds_data_and_a_file_that_is_not_a_backup_and_backup_never_overwrites()
    {
        var folder = TestStores.NewFolder("backups");
        var notBackup = Path.Combine(folder, "not-a-backup.zip");
        await using (var zip = new ZipArchive(File.Create(notBackup), ZipArchiveMode.Create))
        {
            await zip.CreateEntry("readme.txt").OpenAsync(TestContext.Current.CancellationToken);
        }

        var occupied = TestStores.NewFolder("occupied");
        await File.WriteAllTextAsync(Path.Combine(occupied, "parkcharge.db"), "precious", TestContext.Current.CancellationToken);

        var foreign = await ParkChargeProcess.RunAsync(NoSettings, "restore", "--from", notBackup, "--data", Path.Combine(folder, "fresh"));
        var onTop = await ParkChargeProcess.RunAsync(NoSettings, "restore", "--from", notBackup, "--data", occupied);
        var overwrite = await ParkChargeProcess.RunAsync(NoSettings, "backup", "--to", notBackup, "--data", occupied);

        Assert.Equal((1, 1, 1), (foreign.ExitCode, onTop.ExitCode, overwrite.ExitCode));
        Assert.Contains("not a ParkCharge backup", foreign.Error, StringComparison.Ordinal);
        Assert.Contains("is not empty", onTop.Error, StringComparison.Ordinal);
        Assert.Contains("exists already", overwrite.Error, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(Path.Combine(occupied, "parkcharge.db"), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_postgresql_store_dumped_with_pg_dump_and_restored_with_pg_restore_checks_out_by_replay()
    {
        var dump = PostgresTool("pg_dump");
        var restoreTool = PostgresTool("pg_restore");
        Assert.SkipWhen(dump is null || restoreTool is null, "pg_dump/pg_restore are not installed (./test.sh installs PostgreSQL)");

        await using (var node = await TestNode.StartAsync(StoreEngine.Postgres, postgres))
        {
            await node.RegisterChargerAsync("CP-P1", site: Site);
            await using var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-P1"), OcppVersion.Ocpp16);
            await ChargeAsync(charger);
            await ExportAsync(node, dump!, restoreTool!);
        }
    }

    private async Task ExportAsync(TestNode node, string dump, string restoreTool)
    {
        var file = Path.Combine(TestStores.NewFolder("pgdump"), "parkcharge.dump");
        var source = new NpgsqlConnectionStringBuilder(node.StoreOptions.PostgresConnectionString);
        var target = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        await RunAsync(dump, "--format=custom", "--no-owner", "-h", source.Host!, "-p", source.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", source.Username!, "-f", file, source.Database!);
        await RunAsync(restoreTool, "--no-owner", "-h", target.Host!, "-p", target.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", target.Username!, "-d", target.Database!, file);

        var check = await ParkChargeProcess.RunAsync(NoSettings, "replay", "--postgres", target.ToString());
        Assert.True(check.ExitCode == 0, check.Output + check.Error);
        Assert.Contains("Identical", check.Output, StringComparison.Ordinal);
        Assert.Contains("bills compared", check.Output, StringComparison.Ordinal);
    }

    private static async Task ChargeAsync(TestCharger charger)
    {
        var now = DateTimeOffset.UtcNow;
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Dump" });
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-P", MeterStart = 0, Timestamp = now });
        await charger.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = start.TransactionId, MeterStop = 4_000, Timestamp = now.AddMinutes(1) });
    }

    /// <summary>A charger that reports its meter as fast as it is answered, until told to stop.</summary>
    private static async Task StreamAsync(TestCharger charger, int index, long[] sent, CancellationToken stop)
    {
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = $"RFID-B{index}", MeterStart = 0, Timestamp = DateTimeOffset.UtcNow });
        var meter = 0;
        while (!stop.IsCancellationRequested)
        {
            meter += 10;
            await charger.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
            {
                ConnectorId = 1,
                TransactionId = start.TransactionId,
                MeterValue = [new MeterValue { Timestamp = DateTimeOffset.UtcNow, SampledValue = [new SampledValue { Value = meter.ToString(System.Globalization.CultureInfo.InvariantCulture) }] }],
            });
            Interlocked.Increment(ref sent[index]);
        }
    }

    private static async Task<List<(long Seq, string Key, string Reply)>> ReadLogAsync(Store store, SiteId site)
    {
        var log = new List<(long, string, string)>();
        await foreach (var stored in store.Log.ReadAsync(site, 0, CancellationToken.None))
        {
            log.Add((stored.Seq, stored.Observation.Key, stored.Reply.ToString()));
        }

        return log;
    }

    private static string? PostgresTool(string name)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin", name)).FirstOrDefault(File.Exists)
            : null;
        return bin ?? (File.Exists($"/usr/bin/{name}") ? $"/usr/bin/{name}" : null);
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(tool)} failed: {await error}");
    }
}
