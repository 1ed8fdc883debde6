using System.CommandLine;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Storage;
using ParkCharge.Storage.Sqlite;

namespace ParkCharge.Server.Hosting;

/// <summary>What a backup holds, written into it as <c>manifest.json</c>.</summary>
/// <param name="Sites">Each site's last observation sequence in the backup: the backup point.</param>
public sealed record BackupManifest(int Format, DateTimeOffset TakenAt, string Source, int SchemaVersion, IReadOnlyDictionary<string, long> Sites, IReadOnlyList<string> Files)
{
    public const int CurrentFormat = 1;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupJsonContext : JsonSerializerContext;

/// <summary>
/// <c>parkcharge backup --to FILE</c> and <c>parkcharge restore --from FILE --data FOLDER</c> (docs/operators.md,
/// "Backup and restore"). A backup of a SQLite node is one zip file: the database copied with SQLite's online
/// backup while the node runs, the message log's file copied the same way just after it (a frame or two may differ in
/// time from the database's moment; the message log decides nothing), the data-protection keys (they encrypt webhook secrets) and a manifest. A restore
/// unpacks it into a fresh data folder and checks it by replay: every answer, event and bill the log gives again
/// must equal what the backup holds. PostgreSQL is backed up with its own tools (pg_dump); <c>parkcharge replay
/// --postgres</c> checks a restored database the same way.
/// </summary>
public static class Backup
{
    private const string DatabaseEntry = StoreOptions.SqliteFileName;
    private const string MessageLogEntry = StoreOptions.MessageLogFileName;
    private const string ManifestEntry = "manifest.json";
    private const string KeysFolder = "keys";

    public static Command CreateBackup()
    {
        var to = new Option<string>("--to") { Description = "The backup file to write (a zip; it must not exist).", Required = true };
        var data = new Option<string?>("--data") { Description = "The node's data folder (default: ParkCharge:DataDirectory, ./data)." };
        var command = new Command("backup", "Back up a SQLite node's store and keys into one file, while it runs.") { to, data };
        command.SetAction(async (parse, ct) =>
        {
            var options = NodeOptions(parse.GetValue(data));
            var error = parse.InvocationConfiguration.Error;
            if (!string.IsNullOrWhiteSpace(options.Postgres))
            {
                await error.WriteLineAsync("This node's store is PostgreSQL: back it up with pg_dump (docs/operators.md, \"Backup and restore\"), and keep the data folder's keys/ with it.");
                return 2;
            }

            try
            {
                var manifest = await TakeAsync(options.DataDirectory, parse.GetValue(to)!, DateTimeOffset.UtcNow, ct);
                var output = parse.InvocationConfiguration.Output;
                await output.WriteLineAsync($"Backed up {Path.GetFullPath(options.DataDirectory)} into {Path.GetFullPath(parse.GetValue(to)!)} (schema {manifest.SchemaVersion}, {manifest.Files.Count} files).");
                foreach (var (site, seq) in manifest.Sites)
                {
                    await output.WriteLineAsync($"  site {site}: up to observation {seq.ToString(CultureInfo.InvariantCulture)}");
                }

                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"The backup was not made: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    public static Command CreateRestore()
    {
        var from = new Option<string>("--from") { Description = "The backup file made by parkcharge backup.", Required = true };
        var data = new Option<string>("--data") { Description = "The data folder to restore into: new or empty.", Required = true };
        var noCheck = new Option<bool>("--no-check") { Description = "Do not replay the restored log to check it (faster for a large store)." };
        var command = new Command("restore", "Restore a backup into a fresh data folder and check it by replay.") { from, data, noCheck };
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var target = parse.GetValue(data)!;
            BackupManifest manifest;
            try
            {
                manifest = await RestoreAsync(parse.GetValue(from)!, target, ct);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"Nothing was restored: {e.Message}");
                return 1;
            }

            await output.WriteLineAsync($"Restored the backup of {manifest.Source} taken at {manifest.TakenAt:O} into {Path.GetFullPath(target)}.");
            if (parse.GetValue(noCheck))
            {
                return 0;
            }

            var report = await CheckAsync(target, new Progress<string>(line => output.WriteLine(line)), ct);
            await output.WriteLineAsync(report.Identical
                ? $"Checked by replay: {report.Observations:N0} observations give every stored answer, event and bill again ({report.BillsCompared} bills)."
                : $"The replay DIFFERS from the backup: {report.RepliesDiffering} answers, {report.EventsDiffering} events, {report.BillsDiffering.Count} bills (run parkcharge replay --data {target} for the list).");
            return report.Identical ? 0 : 1;
        });
        return command;
    }

    /// <summary>Backs up the SQLite store in <paramref name="dataDirectory"/> (running or not) into the new file <paramref name="file"/>.</summary>
    public static async Task<BackupManifest> TakeAsync(string dataDirectory, string file, DateTimeOffset now, CancellationToken ct)
    {
        if (File.Exists(file))
        {
            throw new IOException($"{Path.GetFullPath(file)} exists already; a backup never overwrites one.");
        }

        var staging = Directory.CreateTempSubdirectory("parkcharge-backup-");
        try
        {
            var copy = Path.Combine(staging.FullName, DatabaseEntry);
            SqliteBackup.Copy(Path.Combine(dataDirectory, StoreOptions.SqliteFileName), copy);
            var (schema, sites) = await DescribeAsync(copy, ct);
            var messageLog = Path.Combine(dataDirectory, StoreOptions.MessageLogFileName);
            var messageLogCopy = Path.Combine(staging.FullName, MessageLogEntry);
            var withMessageLog = File.Exists(messageLog); // a store made before the message log had its own file has none until it starts
            if (withMessageLog)
            {
                SqliteBackup.Copy(messageLog, messageLogCopy);
            }

            var keys = Path.Combine(dataDirectory, KeysFolder);
            var keyFiles = Directory.Exists(keys) ? Directory.GetFiles(keys, "*.xml").Order(StringComparer.Ordinal).ToList() : [];
            var manifest = new BackupManifest(BackupManifest.CurrentFormat, now, Path.GetFullPath(dataDirectory), schema, sites,
                [DatabaseEntry, .. withMessageLog ? [MessageLogEntry] : Array.Empty<string>(), .. keyFiles.Select(k => $"{KeysFolder}/{Path.GetFileName(k)}")]);

            // Written beside the target and moved in place at the end: a backup file that exists is a whole one.
            var partial = file + ".partial";
            await using (var stream = new FileStream(partial, FileMode.CreateNew))
            await using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                await AddAsync(zip, DatabaseEntry, copy, ct);
                if (withMessageLog)
                {
                    await AddAsync(zip, MessageLogEntry, messageLogCopy, ct);
                }

                foreach (var key in keyFiles)
                {
                    await AddAsync(zip, $"{KeysFolder}/{Path.GetFileName(key)}", key, ct);
                }

                await using var entry = await zip.CreateEntry(ManifestEntry).OpenAsync(ct);
                await JsonSerializer.SerializeAsync(entry, manifest, BackupJsonContext.Default.BackupManifest, ct);
            }

            File.Move(partial, file);
            return manifest;
        }
        finally
        {
            staging.Delete(recursive: true);
        }
    }

    /// <summary>Unpacks a backup into <paramref name="dataDirectory"/>, which must be new or empty.</summary>
    public static async Task<BackupManifest> RestoreAsync(string file, string dataDirectory, CancellationToken ct)
    {
        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new IOException($"{Path.GetFullPath(dataDirectory)} is not empty; restore into a new folder (and point the node at it).");
        }

        await using var stream = File.OpenRead(file);
        await using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
        var manifestEntry = zip.GetEntry(ManifestEntry) ?? throw new InvalidDataException($"{file} is not a ParkCharge backup (no {ManifestEntry}).");
        BackupManifest manifest;
        await using (var read = await manifestEntry.OpenAsync(ct))
        {
            manifest = await JsonSerializer.DeserializeAsync(read, BackupJsonContext.Default.BackupManifest, ct)
                ?? throw new InvalidDataException($"{file}: its {ManifestEntry} is empty.");
        }

        if (manifest.Format > BackupManifest.CurrentFormat)
        {
            throw new InvalidDataException($"{file} was written by a newer ParkCharge (backup format {manifest.Format}); restore it with that version.");
        }

        Directory.CreateDirectory(dataDirectory);
        var root = Path.GetFullPath(dataDirectory) + Path.DirectorySeparatorChar;
        foreach (var name in manifest.Files)
        {
            var path = Path.GetFullPath(Path.Combine(root, name));
            if (!path.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{file} names a file outside the data folder: {name}");
            }

            var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{file} lacks {name}, which its manifest lists.");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await entry.ExtractToFileAsync(path, overwrite: false, ct);
        }

        return manifest;
    }

    /// <summary>Replays the store in <paramref name="dataDirectory"/> into a temporary one and compares (as <c>parkcharge replay</c>).</summary>
    public static async Task<ReplayReport> CheckAsync(string dataDirectory, IProgress<string>? progress, CancellationToken ct)
    {
        var target = Directory.CreateTempSubdirectory("parkcharge-restore-check-");
        try
        {
            await using var restored = await Store.OpenAsync(new StoreOptions { DataDirectory = dataDirectory }, NullLoggerFactory.Instance, ct);
            await using var rebuilt = await Store.OpenAsync(new StoreOptions { DataDirectory = target.FullName }, NullLoggerFactory.Instance, ct);
            rebuilt.Start();
            return await Replay.RunAsync(restored, rebuilt, progress, ct);
        }
        finally
        {
            target.Delete(recursive: true);
        }
    }

    /// <summary>The copy's schema version and each site's last observation sequence, read without migrating it.</summary>
    private static async Task<(int Schema, Dictionary<string, long> Sites)> DescribeAsync(string database, CancellationToken ct)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync(ct);
        await using var schema = connection.CreateCommand();
        schema.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
        var version = Convert.ToInt32(await schema.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
        await using var sites = connection.CreateCommand();
        sites.CommandText = "SELECT site_id, MAX(seq) FROM observations GROUP BY site_id ORDER BY site_id";
        var last = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await sites.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            last[reader.GetString(0)] = reader.GetInt64(1);
        }

        return (version, last);
    }

    private static async Task AddAsync(ZipArchive zip, string name, string path, CancellationToken ct)
    {
        await using var target = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(ct);
        await using var source = File.OpenRead(path);
        await source.CopyToAsync(target, ct);
    }

    private static ParkChargeOptions NodeOptions(string? data)
    {
        var settings = new Dictionary<string, string?>();
        if (data is not null)
        {
            settings["ParkCharge:DataDirectory"] = data;
        }

        return ParkChargeApp.Configuration(settings).GetSection(ParkChargeOptions.Section).Get<ParkChargeOptions>() ?? new ParkChargeOptions();
    }
}
