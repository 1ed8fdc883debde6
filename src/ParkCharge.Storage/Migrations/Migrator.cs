using System.Globalization;
using System.Reflection;

using Microsoft.Extensions.Logging;

namespace ParkCharge.Storage.Migrations;

/// <summary>
/// Applies the forward-only migrations embedded for the database's engine (files <c>NNNN_name.sql</c>),
/// each in the same transaction as its row in <c>schema_migrations</c>. Run at every start.
/// </summary>
internal static partial class Migrator
{
    public static async Task<int> MigrateAsync(Database database, ILogger logger, CancellationToken ct)
    {
        var scripts = Scripts(database.MigrationsFolder);
        await using var connection = await database.OpenWriterAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await database.LockForMigrationAsync(connection, transaction, ct);
        await using (var create = connection.Command(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            transaction))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        var applied = new HashSet<int>();
        await using (var read = connection.Command("SELECT version FROM schema_migrations", transaction))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                applied.Add(reader.GetInt32(0));
            }
        }

        var count = 0;
        foreach (var (version, name, sql) in scripts.Where(s => !applied.Contains(s.Version)))
        {
            await using (var migrate = connection.Command(sql, transaction))
            {
                await migrate.ExecuteNonQueryAsync(ct);
            }

            await using (var record = connection.Command("INSERT INTO schema_migrations (version, name, applied_at) VALUES (@v, @n, @at)", transaction))
            {
                record.With("v", version).With("n", name).With("at", Database.SortableText(DateTimeOffset.UtcNow));
                await record.ExecuteNonQueryAsync(ct);
            }

            LogApplied(logger, version, name, database.Engine);
            count++;
        }

        await transaction.CommitAsync(ct);
        return count;
    }

    private static List<(int Version, string Name, string Sql)> Scripts(string folder)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"migrations/{folder}/";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n[prefix.Length..^".sql".Length];
                var version = int.Parse(file.AsSpan(0, file.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                return (version, file, Read(assembly, n));
            })
            .OrderBy(s => s.version)
            .ToList();
    }

    private static string Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) to the {Engine} store")]
    private static partial void LogApplied(ILogger logger, int version, string name, string engine);
}
