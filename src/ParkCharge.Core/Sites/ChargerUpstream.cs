namespace ParkCharge.Core.Sites;

/// <summary>What a backend ParkCharge proxies a charger to may do.</summary>
public enum UpstreamRole
{
    /// <summary>The charger's own backend: its answers go back to the charger, its commands reach it.</summary>
    Primary,

    /// <summary>Gets a copy of every charger message; its answers are recorded, never forwarded, and it may send no commands.</summary>
    Observer,
}

/// <summary>How ParkCharge authorizes id tokens while a charger's primary backend is away.</summary>
public enum OfflineAuthorization
{
    /// <summary>Every token (ParkCharge's own rules: today it accepts every token, as a central system without lists does).</summary>
    AcceptAll,

    /// <summary>Only tokens the backend itself accepted before (learnt from its answers); others are answered Invalid.</summary>
    Learnt,
}

/// <summary>
/// A backend a charger is proxied to (proxy mode, DESIGN.md §6): ParkCharge holds one OCPP-J connection
/// per charger per upstream, in the charger's OCPP version, as if it were the charger. Secrets
/// (<see cref="Password"/>, <see cref="ClientCertificatePassword"/>) are never printed by <see cref="ToString"/>.
/// </summary>
public sealed record ChargerUpstream
{
    /// <summary>The shortest and longest time a backend may take to answer before ParkCharge answers the charger itself.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1), MaxTimeout = TimeSpan.FromMinutes(2);

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The upstream's name, unique per charger (<c>cpo</c>, <c>roaming-copy</c>): logs, the API and the dashboard use it.</summary>
    public required string Name { get; init; }

    /// <summary>The backend's OCPP-J endpoint (<c>ws://</c> or <c>wss://</c>) without the identity; the identity is appended as the last path segment.</summary>
    public required Uri Url { get; init; }

    /// <summary>The charge point identity presented to the backend (usually the charger's own id).</summary>
    public required string Identity { get; init; }

    public UpstreamRole Role { get; init; } = UpstreamRole.Primary;

    /// <summary>HTTP Basic password (OCPP security profiles 1 and 2), user name = <see cref="Identity"/>. A secret.</summary>
    public string? Password { get; init; }

    /// <summary>Security profile 3: the client certificate's file (PEM or PKCS#12) on the node.</summary>
    public string? ClientCertificate { get; init; }

    /// <summary>The private key's PEM file when <see cref="ClientCertificate"/> is a PEM certificate without its key.</summary>
    public string? ClientKey { get; init; }

    /// <summary>The PKCS#12 file's (or the encrypted PEM key's) password. A secret.</summary>
    public string? ClientCertificatePassword { get; init; }

    /// <summary>A PEM file of the CA(s) the backend's TLS certificate must chain to, instead of the system's roots.</summary>
    public string? CaCertificate { get; init; }

    /// <summary>
    /// The backend → charger actions allowed; null: all (a primary unless restricted). An observer's is
    /// always empty: it may send none.
    /// </summary>
    public IReadOnlyList<string>? AllowedActions { get; init; }

    /// <summary>How long the backend may take to answer a charger's message before ParkCharge answers by the site's outage policy.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>A primary's policy for id tokens while it is away.</summary>
    public OfflineAuthorization OfflineAuthorization { get; init; } = OfflineAuthorization.AcceptAll;

    /// <summary>The URL ParkCharge connects to: <see cref="Url"/> with the identity as the last path segment.</summary>
    public Uri Endpoint => new($"{Url.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{Uri.EscapeDataString(Identity)}");

    /// <summary>Whether the backend may send <paramref name="action"/> to the charger.</summary>
    public bool Allows(string action) =>
        Role == UpstreamRole.Primary && (AllowedActions is null || AllowedActions.Contains(action, StringComparer.Ordinal));

    /// <summary>Value equality, the allowed actions compared item by item.</summary>
    public bool Equals(ChargerUpstream? other) =>
        other is not null && Name == other.Name && Url == other.Url && Identity == other.Identity && Role == other.Role && Password == other.Password
        && ClientCertificate == other.ClientCertificate && ClientKey == other.ClientKey && ClientCertificatePassword == other.ClientCertificatePassword
        && CaCertificate == other.CaCertificate && Timeout == other.Timeout && OfflineAuthorization == other.OfflineAuthorization
        && (AllowedActions is null ? other.AllowedActions is null : other.AllowedActions is not null && AllowedActions.SequenceEqual(other.AllowedActions));

    public override int GetHashCode() => HashCode.Combine(Name, Url, Identity, Role);

    /// <summary>Never prints a secret.</summary>
    public override string ToString() => $"{Name} ({Role}, {Endpoint})";

    /// <summary>The same upstream without its secrets: what the API and the site document show.</summary>
    public ChargerUpstream WithoutSecrets() => this with { Password = null, ClientCertificatePassword = null };
}
