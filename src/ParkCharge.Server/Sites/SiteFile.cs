using ParkCharge.Anpr;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;
using ParkCharge.Server.Auth;

namespace ParkCharge.Server.Sites;

/// <summary>
/// Site files: the document an operator writes (YAML, or JSON, which is YAML too) to describe a car
/// park: lanes and their cameras, EV bays, the chargers that serve them, bay cameras and settings.
/// Reading one never stops at the first problem: an operator fixing a file wants every mistake in
/// one go, each with the path and line that says where it is. The rules are Core's
/// (<see cref="SiteFileValidator"/>); this is the edge that reads the text (<see cref="DocumentReader"/>),
/// hashes secrets with the node's own means and checks field maps with the ANPR parsers.
/// </summary>
public static class SiteFile
{
    /// <summary>Reads and validates the site file at <paramref name="path"/>.</summary>
    /// <param name="environment">Where <c>${NAME}</c> references are looked up (usually the process environment).</param>
    /// <param name="keys">Hashes camera keys as the node stores them.</param>
    public static SiteFileResult Load(string path, IReadOnlyDictionary<string, string?> environment, KeyHasher keys)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return SiteFileResult.Failed(new DocumentProblem("", $"cannot read the file: {e.Message}"));
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
    public static SiteFileResult Parse(string text, string fileName, IReadOnlyDictionary<string, string?> environment, KeyHasher keys, IReadOnlySet<string>? registeredChargers = null)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new List<DocumentProblem>();
        var root = DocumentReader.Read(text, errors);
        if (root is null)
        {
            return SiteFileResult.Failed([.. errors]);
        }

        var context = new SiteFileContext
        {
            Environment = environment,
            RegisteredChargers = registeredChargers ?? new HashSet<string>(),
            HashCameraKey = keys.Hash,
            CheckFieldMap = CheckFieldMap,
        };
        var result = SiteFileValidator.Validate(root, context);
        result = result with { Chargers = [.. result.Chargers.Select(c => c.Password is { } password ? c with { PasswordHash = Secrets.HashPassword(password) } : c)] };
        return errors.Count == 0 ? result
            : result with { Configuration = null, Chargers = [], Errors = [.. errors.Concat(result.Errors).OrderBy(e => e.Line ?? int.MaxValue)] };
    }

    /// <summary>A mapped camera's field map as the parser that will read its pushes compiles it: the file and the node agree.</summary>
    private static IEnumerable<(string Field, string Message)> CheckFieldMap(CameraFieldMap map) =>
        AnprParsers.Mapped(map, PushLimits.Default, out var problems) is null ? problems.Select(p => (p.Field, p.Message)) : [];

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
        var errors = new List<DocumentProblem>();
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
