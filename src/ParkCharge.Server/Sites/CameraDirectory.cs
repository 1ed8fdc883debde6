using ParkCharge.Core.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;

namespace ParkCharge.Server.Sites;

/// <summary>A camera as configured at a site, for the ANPR endpoints.</summary>
public sealed record RegisteredCamera(SiteId Site, CameraConfiguration Camera, SiteSettings Settings);

/// <summary>
/// Which camera belongs to which site, from the stored site configurations. Looked up on every
/// camera push, so it is kept in memory and reloaded when it is older than a few seconds or a
/// camera is not found (a site configured on another node becomes known within that time).
/// </summary>
public sealed class CameraDirectory(Store store, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot = new(new Dictionary<string, RegisteredCamera>(StringComparer.Ordinal), DateTimeOffset.MinValue);

    public async ValueTask<RegisteredCamera?> FindAsync(string cameraId, CancellationToken ct)
    {
        var snapshot = _snapshot;
        var now = time.GetUtcNow();
        if (snapshot.Cameras.TryGetValue(cameraId, out var camera) && now - snapshot.LoadedAt < MaxAge)
        {
            return camera;
        }

        if (now - snapshot.LoadedAt >= MinReloadInterval)
        {
            snapshot = await ReloadAsync(ct);
        }

        return snapshot.Cameras.GetValueOrDefault(cameraId);
    }

    public void Dispose() => _reload.Dispose();

    /// <summary>Forgets what it knows, e.g. after this node stored a new site configuration.</summary>
    public void Invalidate() => _snapshot = _snapshot with { LoadedAt = DateTimeOffset.MinValue };

    private async Task<Snapshot> ReloadAsync(CancellationToken ct)
    {
        await _reload.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (now - _snapshot.LoadedAt < MinReloadInterval)
            {
                return _snapshot;
            }

            var cameras = new Dictionary<string, RegisteredCamera>(StringComparer.Ordinal);
            foreach (var site in await store.Parking.SitesAsync(ct))
            {
                var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
                foreach (var camera in configuration.Cameras)
                {
                    cameras.TryAdd(camera.Id, new RegisteredCamera(configuration.Id, camera, configuration.Settings));
                }
            }

            return _snapshot = new Snapshot(cameras, now);
        }
        finally
        {
            _reload.Release();
        }
    }

    private sealed record Snapshot(IReadOnlyDictionary<string, RegisteredCamera> Cameras, DateTimeOffset LoadedAt);
}
