using ParkCharge.Storage;

namespace ParkCharge.Server.Hosting;

/// <summary>
/// The store's part in the node's life: its writer starts before any other service (site engines replay
/// and append at start), and the store closes after every other service has stopped, so that what the
/// site engines took in is committed before it does. Registered first, so it stops last.
/// </summary>
internal sealed class StoreLifetime(Store store, ILoggerFactory ownLoggers) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        store.Start();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Drains the writer (nothing taken in is lost to a graceful stop) and closes the database.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await store.DisposeAsync();
        ownLoggers.Dispose();
    }
}
