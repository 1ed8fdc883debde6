using System.Text.Json;
using System.Text.Json.Serialization;

using Microsoft.AspNetCore.DataProtection;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;
using ParkCharge.Storage.Upstreams;

namespace ParkCharge.Server.Proxy;

/// <summary>
/// The backends each charger is proxied to, as the store keeps them: settings in the clear, secrets (a
/// Basic password, a certificate's password) encrypted with ASP.NET data protection (DESIGN.md §7),
/// decrypted only to connect. Site documents and the API set a charger's whole list at once.
/// </summary>
public sealed class UpstreamDirectory(Store store, IDataProtectionProvider protection, TimeProvider time)
{
    private readonly IDataProtector _protector = protection.CreateProtector("ParkCharge.Proxy.UpstreamSecrets.v1");

    /// <summary>The charger's upstreams with their secrets, in declared order; empty: the charger is not proxied.</summary>
    public async Task<IReadOnlyList<ChargerUpstream>> ForChargerAsync(ChargerId charger, CancellationToken ct)
    {
        var stored = await store.Upstreams.ForChargerAsync(charger.Value, ct);
        return [.. stored.Select(Read)];
    }

    /// <summary>The charger's upstreams without their secrets (nothing decrypted): what the API and documents show.</summary>
    public async Task<IReadOnlyList<ChargerUpstream>> WithoutSecretsAsync(ChargerId charger, CancellationToken ct)
    {
        var stored = await store.Upstreams.ForChargerAsync(charger.Value, ct);
        return [.. stored.Select(s => Read(s with { ProtectedSecrets = null }))];
    }

    /// <summary>Which of the charger's upstreams have a password or certificate password stored (by name).</summary>
    public async Task<IReadOnlySet<string>> WithSecretsAsync(ChargerId charger, CancellationToken ct) =>
        (await store.Upstreams.ForChargerAsync(charger.Value, ct)).Where(s => s.ProtectedSecrets is not null).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Sets the charger's upstreams. An upstream given without a password (or certificate password) keeps the
    /// one it had under the same name, as the charger API keeps a charger's password: documents read back
    /// from the API carry no secrets. Returns false when nothing changed.
    /// </summary>
    public async Task<bool> SetAsync(ChargerId charger, IReadOnlyList<ChargerUpstream> upstreams, CancellationToken ct)
    {
        var current = (await ForChargerAsync(charger, ct)).ToDictionary(u => u.Name, StringComparer.Ordinal);
        var merged = upstreams.Select(u => current.TryGetValue(u.Name, out var before)
            ? u with { Password = u.Password ?? before.Password, ClientCertificatePassword = u.ClientCertificatePassword ?? before.ClientCertificatePassword }
            : u).ToList();
        if (merged.Count == current.Count && merged.Zip(current.Values).All(pair => Same(pair.First, pair.Second)))
        {
            return false;
        }

        var now = time.GetUtcNow();
        await store.Upstreams.ReplaceAsync(charger.Value, [.. merged.Select((u, i) => Write(charger, u, i, now))], ct);
        return true; // a connected charger keeps its upstream connections until it next connects (docs/operators.md)
    }

    private static bool Same(ChargerUpstream a, ChargerUpstream b) =>
        JsonSerializer.Serialize(Settings.From(a), ProxyJsonContext.Default.Settings) == JsonSerializer.Serialize(Settings.From(b), ProxyJsonContext.Default.Settings)
        && a.Password == b.Password && a.ClientCertificatePassword == b.ClientCertificatePassword;

    private StoredUpstream Write(ChargerId charger, ChargerUpstream upstream, int position, DateTimeOffset now)
    {
        var secrets = upstream.Password is null && upstream.ClientCertificatePassword is null
            ? null
            : _protector.Protect(JsonSerializer.Serialize(new Secrets(upstream.Password, upstream.ClientCertificatePassword), ProxyJsonContext.Default.Secrets));
        return new StoredUpstream(charger.Value, upstream.Name, position, JsonSerializer.Serialize(Settings.From(upstream), ProxyJsonContext.Default.Settings), secrets, now);
    }

    private ChargerUpstream Read(StoredUpstream stored)
    {
        var settings = JsonSerializer.Deserialize(stored.SettingsJson, ProxyJsonContext.Default.Settings)!;
        var secrets = stored.ProtectedSecrets is { } protectedSecrets
            ? JsonSerializer.Deserialize(_protector.Unprotect(protectedSecrets), ProxyJsonContext.Default.Secrets)
            : null;
        return new ChargerUpstream
        {
            Name = stored.Name,
            Url = new Uri(settings.Url),
            Identity = settings.Identity,
            Role = settings.Role,
            Password = secrets?.Password,
            ClientCertificate = settings.ClientCertificate,
            ClientKey = settings.ClientKey,
            ClientCertificatePassword = secrets?.ClientCertificatePassword,
            CaCertificate = settings.CaCertificate,
            AllowedActions = settings.AllowedActions,
            Timeout = settings.Timeout,
            OfflineAuthorization = settings.OfflineAuthorization,
        };
    }

    /// <summary>An upstream's settings without its secrets, as stored.</summary>
    internal sealed record Settings(string Url, string Identity, UpstreamRole Role, string? ClientCertificate, string? ClientKey, string? CaCertificate,
        IReadOnlyList<string>? AllowedActions, TimeSpan Timeout, OfflineAuthorization OfflineAuthorization = OfflineAuthorization.AcceptAll)
    {
        public static Settings From(ChargerUpstream u) =>
            new(u.Url.ToString(), u.Identity, u.Role, u.ClientCertificate, u.ClientKey, u.CaCertificate, u.AllowedActions, u.Timeout, u.OfflineAuthorization);
    }

    internal sealed record Secrets(string? Password, string? ClientCertificatePassword);
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(UpstreamDirectory.Settings))]
[JsonSerializable(typeof(UpstreamDirectory.Secrets))]
internal sealed partial class ProxyJsonContext : JsonSerializerContext;
