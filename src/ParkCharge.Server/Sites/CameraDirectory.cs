using ParkCharge.Anpr;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Storage;
using ParkCharge.Storage.Json;

namespace ParkCharge.Server.Sites;

/// <summary>A camera as configured at a site, for the ANPR endpoints.</summary>
/// <param name="SiteTimeZone">The site's IANA time zone, for cameras that send their local time without an offset.</param>
/// <param name="Parser">The parser of a <see cref="CameraFormat.Mapped"/> camera (from its field map); null for the other formats, or a map with problems.</param>
public sealed record RegisteredCamera(SiteId Site, CameraConfiguration Camera, SiteSettings Settings, string SiteTimeZone, IAnprParser? Parser = null);

/// <summary>
/// Which camera belongs to which site, and which key to which camera, from the stored site
/// configurations. Looked up on every camera push, so it is kept in memory and reloaded when it is
/// older than a few seconds or a camera or key is not found (a site configured on another node becomes
/// known within that time); reloads happen at most once a second, however many unknown keys arrive.
/// </summary>
public sealed class CameraDirectory(Store store, KeyHasher hasher, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MinReloadInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _reload = new(1, 1);
    private volatile Snapshot _snapshot = new(
        new Dictionary<string, RegisteredCamera>(StringComparer.Ordinal), new Dictionary<string, List<RegisteredCamera>>(StringComparer.Ordinal), DateTimeOffset.MinValue);

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

    /// <summary>
    /// The cameras whose key is <paramref name="key"/> (usually one; the same key at two sites gives two),
    /// looked up by every form the key may be stored in; empty when it is no camera's key.
    /// </summary>
    public async ValueTask<IReadOnlyList<RegisteredCamera>> FindByKeyAsync(string key, CancellationToken ct)
    {
        var forms = hasher.StoredForms(key);
        var snapshot = _snapshot;
        var now = time.GetUtcNow();
        if (now - snapshot.LoadedAt < MaxAge && Owners(snapshot, forms) is { Count: > 0 } found)
        {
            return found;
        }

        if (now - snapshot.LoadedAt >= MinReloadInterval)
        {
            snapshot = await ReloadAsync(ct);
        }

        return Owners(snapshot, forms);
    }

    private static List<RegisteredCamera> Owners(Snapshot snapshot, IReadOnlyList<string> forms)
    {
        var owners = new List<RegisteredCamera>();
        foreach (var form in forms)
        {
            if (snapshot.ByKeyHash.TryGetValue(form, out var cameras))
            {
                owners.AddRange(cameras);
            }
        }

        return owners;
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
            var byKeyHash = new Dictionary<string, List<RegisteredCamera>>(StringComparer.Ordinal);
            foreach (var site in await store.Parking.SitesAsync(ct))
            {
                var configuration = LogJson.DeserializeSite(site.ConfigurationJson);
                foreach (var camera in configuration.Cameras)
                {
                    // A mapped camera's map is compiled once per reload, not per push (site files are checked when loaded).
                    var parser = camera is { Format: CameraFormat.Mapped, Map: { } map } ? AnprParsers.Mapped(map, PushLimits.Default, out _) : null;
                    var registered = new RegisteredCamera(configuration.Id, camera, configuration.Settings, configuration.TimeZone, parser);
                    if (cameras.TryAdd(camera.Id, registered))
                    {
                        (byKeyHash.TryGetValue(camera.KeyHash, out var owners) ? owners : byKeyHash[camera.KeyHash] = []).Add(registered);
                    }
                }
            }

            return _snapshot = new Snapshot(cameras, byKeyHash, now);
        }
        finally
        {
            _reload.Release();
        }
    }

    private sealed record Snapshot(
        IReadOnlyDictionary<string, RegisteredCamera> Cameras, IReadOnlyDictionary<string, List<RegisteredCamera>> ByKeyHash, DateTimeOffset LoadedAt);
}
