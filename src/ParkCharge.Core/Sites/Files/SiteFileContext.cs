namespace ParkCharge.Core.Sites.Files;

/// <summary>
/// What validating a site document needs from outside Core, passed in so the rules stay pure: the
/// values of <c>${NAME}</c> references, the chargers a site already has, how a camera key is stored,
/// and the check of a mapped camera's field map by the parser that will read its pushes.
/// </summary>
public sealed record SiteFileContext
{
    /// <summary>Where <c>${NAME}</c> references are looked up (usually the process environment).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>
    /// Chargers already registered at the site (a document sent through the API): bays may refer to them
    /// without listing them under <c>chargers</c>, and a listed one may omit its password to keep the one it has.
    /// </summary>
    public IReadOnlySet<string> RegisteredChargers { get; init; } = new HashSet<string>();

    /// <summary>
    /// A camera key's stored form, so that no key is kept as written and two cameras given one key are
    /// found whether the document has the key or its hash (the node hashes with its secret; see
    /// <see cref="CameraKeyHashes"/> for the forms). Needed for a document with camera keys.
    /// </summary>
    public Func<string, string>? HashCameraKey { get; init; }

    /// <summary>
    /// Checks a mapped camera's field map (its JSON paths or XPath, its formats) and names the fields that
    /// are wrong; null leaves the map's paths unchecked.
    /// </summary>
    public Func<CameraFieldMap, IEnumerable<(string Field, string Message)>>? CheckFieldMap { get; init; }
}

/// <summary>The forms a camera key is stored in, and so the forms a document's <c>keyHash</c> may take.</summary>
public static class CameraKeyHashes
{
    /// <summary>Today's form: an HMAC-SHA256 with the node's secret, <c>hmac-sha256:</c> and 64 hexadecimal digits.</summary>
    public const string Prefix = "hmac-sha256:";

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>True for today's form or the bare SHA-256 (64 hexadecimal digits) that nodes stored before.</summary>
    public static bool IsStoredForm(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal) ? IsHex64(stored.AsSpan(Prefix.Length)) : IsHex64(stored);

    private static bool IsHex64(ReadOnlySpan<char> text) => text.Length == 64 && !text.ContainsAnyExcept(HexDigits);
}
