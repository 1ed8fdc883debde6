using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Sites;

/// <summary>
/// Site files: the document an operator writes (YAML, or JSON, which is YAML too) to describe a car
/// park: lanes and their cameras, EV bays, the chargers that serve them, bay cameras and settings.
/// Reading one never stops at the first problem: an operator fixing a file wants every mistake in
/// one go, each with the path and line that says where it is.
/// </summary>
public static class SiteFile
{
    /// <summary>Reads and validates the site file at <paramref name="path"/>.</summary>
    /// <param name="environment">Where <c>${NAME}</c> references are looked up (usually the process environment).</param>
    /// <param name="keys">Hashes camera keys as the node stores them.</param>
    public static SiteFileResult Load(string path, IReadOnlyDictionary<string, string?> environment, Auth.KeyHasher keys)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return SiteFileResult.Failed(new SiteFileProblem("", $"cannot read the file: {e.Message}"));
        }

        return Parse(text, Path.GetFileName(path), environment, keys);
    }

    /// <summary>Validates a site document given as text (YAML or JSON; the API passes request bodies here).</summary>
    /// <param name="fileName">
    /// Where the text came from (a file name, "request body"). YAML and JSON go through the same
    /// reader, so it does not change how the text is read; problems do not repeat it either (the
    /// caller prefixes it, as <c>check-site</c> does).
    /// </param>
    /// <param name="registeredChargers">
    /// Chargers already registered at the site: bays may refer to them without listing them under
    /// <c>chargers</c>, and a listed one may omit its password to keep the one it has (the API's case).
    /// </param>
    public static SiteFileResult Parse(string text, string fileName, IReadOnlyDictionary<string, string?> environment, Auth.KeyHasher keys, IReadOnlySet<string>? registeredChargers = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new List<SiteFileProblem>();
        var root = DocumentReader.Read(text, errors);
        if (root is null)
        {
            return SiteFileResult.Failed([.. errors]);
        }

        var result = SiteFileValidator.Validate(root, environment, keys, registeredChargers);
        return errors.Count == 0 ? result
            : result with { Configuration = null, Chargers = [], Errors = [.. errors.Concat(result.Errors).OrderBy(e => e.Line ?? int.MaxValue)] };
    }

    /// <summary>
    /// Validates a tariffs document on its own (the <c>tariffs</c> section of a site document, as
    /// <c>PUT /api/v1/sites/{id}/tariffs</c> takes it) for a configured site: amounts are checked
    /// against its currency, and a charging tariff may name only <paramref name="chargers"/>.
    /// Problems' paths start inside the document (<c>charging[0].elements[1]...</c>).
    /// </summary>
    public static TariffsResult ParseTariffs(
        string text, SiteConfiguration site, IReadOnlySet<string> chargers, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(site);
        var errors = new List<SiteFileProblem>();
        var root = DocumentReader.Read(text, errors);
        if (root is null)
        {
            return new TariffsResult { Errors = errors };
        }

        var result = SiteFileValidator.ValidateTariffs(root, site.Id.Value, site.Currency, site.TimeZone, chargers, environment);
        return errors.Count == 0 ? result
            : result with { Tariffs = null, Errors = [.. errors.Concat(result.Errors).OrderBy(e => e.Line ?? int.MaxValue)] };
    }

    /// <summary>The process environment as <see cref="Load"/> and <see cref="Parse"/> take it.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string;
        }

        return environment;
    }
}

/// <summary>
/// What reading a site file found. <see cref="Configuration"/> is set only when there are no
/// <see cref="Errors"/>; <see cref="Warnings"/> never make a file invalid.
/// </summary>
public sealed record SiteFileResult
{
    public SiteConfiguration? Configuration { get; init; }

    /// <summary>The chargers the file declares for the site, to register (empty unless valid).</summary>
    public IReadOnlyList<SiteChargerDeclaration> Chargers { get; init; } = [];

    public IReadOnlyList<SiteFileProblem> Errors { get; init; } = [];

    public IReadOnlyList<SiteFileProblem> Warnings { get; init; } = [];

    /// <summary>
    /// The document has a <c>tariffs</c> section. Without one, a site that exists keeps the tariffs
    /// it has (set through <c>PUT /api/v1/sites/{id}/tariffs</c>, say), so a site file that only
    /// describes the topology does not wipe them at every start.
    /// </summary>
    public bool DeclaresTariffs { get; init; }

    public bool IsValid => Errors.Count == 0 && Configuration is not null;

    internal static SiteFileResult Failed(params SiteFileProblem[] errors) => new() { Errors = errors };
}

/// <summary>
/// A charger a site file declares: registered at the site with a password (stored only as a salted
/// hash, <see cref="Auth.Secrets.HashPassword"/>) and an OCPP security profile. It carries what
/// <see cref="ChargerRegistration"/> needs.
/// </summary>
public sealed record SiteChargerDeclaration(ChargerId Charger, string? PasswordHash, int SecurityProfile, string? DisplayName = null)
{
    /// <summary>
    /// The password as written, held only until the charger is registered, to tell whether the stored
    /// one must change (hashes are salted, so they cannot be compared). Never logged or stored.
    /// </summary>
    public string? Password { get; init; }

    /// <summary>Never prints the password.</summary>
    public override string ToString() => $"{Charger} (security profile {SecurityProfile})";
}
