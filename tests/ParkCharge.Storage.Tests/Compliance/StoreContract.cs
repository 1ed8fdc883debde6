using Microsoft.Extensions.Logging;

using ParkCharge.Core.Sites;
using ParkCharge.Storage.Log;
using ParkCharge.Testing;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>
/// The storage compliance suite, as Wolverine runs one per storage provider: one abstract class per
/// behaviour of the store (the log, the outbox, the projections, webhooks, idempotency, access), each
/// run against SQLite and PostgreSQL by its two nested classes <c>OnSqlite</c> and <c>OnPostgres</c>.
/// A behaviour the two engines differ in is a bug in one of them. Every test gets a fresh store.
/// </summary>
public abstract class StoreContract(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private ILoggerFactory? _loggers;

    protected StoreEngine Engine => engine;

    protected PostgresServer Postgres => postgres;

    protected StoreOptions Options { get; private set; } = null!;

    protected Store Store { get; private set; } = null!;

    /// <summary>What the store logged (warnings about dropped frames, failed batches).</summary>
    protected CapturedLog Log { get; } = new();

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Options = Configure(await TestStores.CreateOptionsAsync(engine, postgres));
        _loggers = LoggerFactory.Create(l => l.AddProvider(Log).SetMinimumLevel(LogLevel.Debug));
        Store = await TestStores.OpenAsync(Options, _loggers);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        _loggers?.Dispose();
    }

    /// <summary>Changes the options of the store the tests get (a smaller queue, say).</summary>
    protected virtual StoreOptions Configure(StoreOptions options) => options;

    /// <summary>Closes the store and opens it again on the same data, as a restarted node does.</summary>
    protected async Task ReopenAsync()
    {
        await Store.DisposeAsync();
        Store = await TestStores.OpenAsync(Options, _loggers);
    }

    /// <summary>A second store on the same data, as another node of a cluster (or a second process on one SQLite file) has.</summary>
    protected Task<Store> OpenAnotherAsync() => TestStores.OpenAsync(Options);

    protected async Task<List<StoredObservation>> ReadLogAsync(string site, long after = 0)
    {
        var list = new List<StoredObservation>();
        await foreach (var stored in Store.Log.ReadAsync(new SiteId(site), after, Ct))
        {
            list.Add(stored);
        }

        return list;
    }
}
