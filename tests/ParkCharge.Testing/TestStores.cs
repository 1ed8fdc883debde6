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
        StoreEngine.Sqlite => new StoreOptions { DataDirectory = Directory.CreateTempSubdirectory("parkcharge-test-").FullName },
        _ => new StoreOptions { PostgresConnectionString = await postgres.CreateDatabaseAsync() },
    };

    public static async Task<Store> OpenAsync(StoreOptions options, ILoggerFactory? loggers = null) =>
        await Store.OpenAsync(options, loggers ?? NullLoggerFactory.Instance, CancellationToken.None);
}
