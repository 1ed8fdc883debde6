using Microsoft.Data.Sqlite;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// SQLite's online backup (sqlite.org/backup.html): a copy of a database that a running node keeps writing,
/// consistent as of one moment (every transaction committed before it, none after), made without stopping
/// the node: the copy is taken in one step under a read lock, which in WAL mode never blocks the writer.
/// </summary>
public static class SqliteBackup
{
    /// <summary>Copies <paramref name="source"/> into the new file <paramref name="destination"/> and checks the copy's integrity.</summary>
    /// <exception cref="InvalidDataException">The copy fails SQLite's integrity check.</exception>
    public static void Copy(string source, string destination)
    {
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"No SQLite store at {source}.", source);
        }

        using (var from = Open(source, SqliteOpenMode.ReadWrite)) // not ReadOnly: a WAL database's reader may need to create its -shm file
        using (var to = Open(destination, SqliteOpenMode.ReadWriteCreate))
        {
            from.BackupDatabase(to);
        }

        using var copy = Open(destination, SqliteOpenMode.ReadWrite);
        using var check = copy.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        if (check.ExecuteScalar() is not "ok" and var problem)
        {
            throw new InvalidDataException($"The copy of {source} fails SQLite's integrity check: {problem}");
        }
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        using var busy = connection.CreateCommand();
        busy.CommandText = "PRAGMA busy_timeout = 30000";
        busy.ExecuteNonQuery();
        return connection;
    }
}
