using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// What reading a site file found. <see cref="Configuration"/> is set only when there are no
/// <see cref="Errors"/>; <see cref="Warnings"/> never make a file invalid.
/// </summary>
public sealed record SiteFileResult
{
    public SiteConfiguration? Configuration { get; init; }

    /// <summary>The chargers the file declares for the site, to register (empty unless valid).</summary>
    public IReadOnlyList<SiteChargerDeclaration> Chargers { get; init; } = [];

    public IReadOnlyList<DocumentProblem> Errors { get; init; } = [];

    public IReadOnlyList<DocumentProblem> Warnings { get; init; } = [];

    /// <summary>
    /// The document has a <c>tariffs</c> section. Without one, a site that exists keeps the tariffs
    /// it has (set through <c>PUT /api/v1/sites/{id}/tariffs</c>, say), so a site file that only
    /// describes the topology does not wipe them at every start.
    /// </summary>
    public bool DeclaresTariffs { get; init; }

    public bool IsValid => Errors.Count == 0 && Configuration is not null;

    public static SiteFileResult Failed(params DocumentProblem[] errors) => new() { Errors = errors };
}

/// <summary>
/// A charger a site file declares: registered at the site with a password and an OCPP security profile.
/// The validator leaves <see cref="PasswordHash"/> empty (salting is random, and Core is pure); the node
/// stores the password only as a salted hash, made when it reads the file.
/// </summary>
public sealed record SiteChargerDeclaration(ChargerId Charger, string? PasswordHash, int SecurityProfile, string? DisplayName = null)
{
    /// <summary>
    /// The password as written, held only until the charger is registered, to tell whether the stored
    /// one must change (hashes are salted, so they cannot be compared). Never logged or stored.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>
    /// The backends the charger is proxied to (proxy mode); empty: ParkCharge is its backend. Their
    /// secrets are held like <see cref="Password"/>: the node stores them encrypted, never logs them.
    /// </summary>
    public IReadOnlyList<ChargerUpstream> Upstreams { get; init; } = [];

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Charger} (security profile {SecurityProfile})";

    /// <summary>Value equality, the upstreams compared item by item.</summary>
    public bool Equals(SiteChargerDeclaration? other) =>
        other is not null && Charger == other.Charger && PasswordHash == other.PasswordHash && SecurityProfile == other.SecurityProfile
        && DisplayName == other.DisplayName && Password == other.Password && Upstreams.SequenceEqual(other.Upstreams);

    public override int GetHashCode() => HashCode.Combine(Charger, SecurityProfile, DisplayName, Upstreams.Count);
}
