using Microsoft.Data.Sqlite;

namespace ParkCharge.Storage.Sqlite;

/// <summary>
/// Copies the WAL back into the database file off the writer's path: on its own connection and thread, every
/// <see cref="Every"/> while commits come in, a <c>PRAGMA wal_checkpoint(PASSIVE)</c>, which never blocks the writer
/// or readers (it copies what no reader still needs; the writer starts the WAL over once all of it is copied). Only when
/// the WAL has grown past <see cref="RestartAbove"/> anyway (readers holding old snapshots for long) does it wait for a
/// moment without writer (<c>RESTART</c>), so the file stays bounded. Durability is not its business: a commit is durable
/// in the WAL (synchronous = FULL) before it is answered; a checkpoint only moves it.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>How often the WAL is checkpointed while the store is written to.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);

    /// <summary>A WAL file larger than this is checkpointed with RESTART (briefly blocking the writer) rather than PASSIVE.</summary>
    public const long RestartAbove = 256L * 1024 * 1024;

    private readonly string _connectionString;
    private readonly string _walPath;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _commits;

    public WalCheckpointer(string connectionString, string walPath)
    {
        _connectionString = connectionString;
        _walPath = walPath;
        _loop = Task.Run(RunAsync);
    }

    private long _checkpoints;

    /// <summary>Checkpoints done (for tests and diagnostics).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>The writer committed: there is something to copy.</summary>
    public void Committed() => Interlocked.Increment(ref _commits);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }

        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        SqliteConnection? connection = null;
        long seen = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Every, _stop.Token);
                long commits = Interlocked.Read(ref _commits);
                if (commits == seen)
                {
                    continue;
                }

                seen = commits;
                try
                {
                    if (connection is null)
                    {
                        connection = new SqliteConnection(_connectionString);
                        await connection.OpenAsync(_stop.Token);
                        await SqliteDatabase.Pragmas(connection, "PRAGMA busy_timeout = 5000;", _stop.Token);
                    }

                    var mode = WalBytes() > RestartAbove ? "RESTART" : "PASSIVE";
                    await SqliteDatabase.Pragmas(connection, $"PRAGMA wal_checkpoint({mode});", _stop.Token);
                    Interlocked.Increment(ref _checkpoints);
                }
                catch (SqliteException)
                {
                    // Busy or the file is going away (the store is being closed): the next round tries again.
                    await connection!.DisposeAsync();
                    connection = null;
                }
            }
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    private long WalBytes()
    {
        try
        {
            return new FileInfo(_walPath).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
