using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// The message log's own SQLite file (<see cref="StoreOptions.MessageLogFileName"/>). A store made before it kept the
/// message log in <c>parkcharge.db</c>; its rows are moved into the new file once, at the first start.
/// </summary>
internal static partial class SqliteMessageLog
{
    public const string MigrationsFolder = "SqliteMessageLog";

    private const string Columns = "id, charger_id, connection_id, direction, at, message_type, message_id, action, error_code, frame";

    /// <summary>
    /// Moves <c>message_log</c> from <paramref name="main"/> into <paramref name="file"/> (migrated already) and drops it
    /// there. The two files commit apart: a start interrupted between them copies again, and rows already there are kept
    /// once (same id).
    /// </summary>
    public static async Task MoveIntoAsync(SqliteDatabase main, SqliteDatabase file, ILogger logger, CancellationToken ct)
    {
        await using var connection = (SqliteConnection)await main.OpenAsync(ct);
        await using (var exists = connection.Command("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'message_log'"))
        {
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                return;
            }
        }

        await using (var attach = connection.Command("ATTACH DATABASE @path AS message_log_file").With("@path", file.Path))
        {
            await attach.ExecuteNonQueryAsync(ct);
        }

        try
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            int moved;
            await using (var copy = connection.Command(
                $"INSERT OR IGNORE INTO message_log_file.message_log ({Columns}) SELECT {Columns} FROM main.message_log ORDER BY id", transaction))
            {
                moved = await copy.ExecuteNonQueryAsync(ct);
            }

            await using (var drop = connection.Command("DROP TABLE main.message_log", transaction))
            {
                await drop.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            LogMoved(logger, moved, file.Path);
        }
        finally
        {
            await using var detach = connection.Command("DETACH DATABASE message_log_file");
            await detach.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Moved the message log ({Count} frames) into its own file {Path}")]
    private static partial void LogMoved(ILogger logger, int count, string path);
}
