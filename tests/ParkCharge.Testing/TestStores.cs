using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using ParkCharge.Storage;

namespace ParkCharge.Testing;

/// <summary>The two engines every storage and integration test runs against.</summary>
public enum StoreEngine
{
    Sqlite,
    Postgres,
}

/// <summary>Fresh stores for tests: a SQLite file in a temporary folder, or a new PostgreSQL database.</summary>
public static class TestStores
{
    /// <summary>The options for a new, empty store of the engine.</summary>
    public static async Task<StoreOptions> CreateOptionsAsync(StoreEngine engine, PostgresServer postgres) => engine switch
    {
        StoreEngine.Sqlite => new StoreOptions { DataDirectory = NewFolder("sqlite") },
        _ => new StoreOptions { PostgresConnectionString = await postgres.CreateDatabaseAsync() },
    };

    /// <summary>
    /// A new empty folder under this test process's own temporary root, which is deleted when the
    /// process ends (nodes restarted by a test find their folder until then; nothing piles up in /tmp).
    /// </summary>
    public static string NewFolder(string prefix) =>
        Directory.CreateDirectory(Path.Combine(Root.Value, $"{prefix}-{Guid.NewGuid():N}")).FullName;

    private static readonly Lazy<string> Root = new(() =>
    {
        var root = Directory.CreateTempSubdirectory($"parkcharge-tests-{Environment.ProcessId}-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A file still held by a child process: the folder stays; the system's tmp cleaning takes it.
            }
        };
        return root;
    });

    /// <summary>Opens the store and starts its writer, as a command that writes does.</summary>
    public static async Task<Store> OpenAsync(StoreOptions options, ILoggerFactory? loggers = null)
    {
        var store = await Store.OpenAsync(options, loggers ?? NullLoggerFactory.Instance, CancellationToken.None);
        store.Start();
        return store;
    }
}
