using System.Security.Cryptography;
using System.Text;

using ParkCharge.Core.Sites.Files;
using ParkCharge.Storage;

namespace ParkCharge.Server.Auth;

/// <summary>
/// How camera keys and API keys are stored: HMAC-SHA256 under a secret of the store
/// (<c>hmac-sha256:</c> and 64 hexadecimal digits). Camera keys are chosen by people (16 characters at
/// least, often fewer bits than that), so a plain hash seen anywhere (a site document, a log export, a
/// backup) could be checked against guesses at leisure; without the secret it cannot. Hashes stored
/// before (a bare SHA-256 in hex) are still recognised, so nothing configured stops working; a site file
/// is re-hashed when the node loads it, an API key the first time it is used.
/// </summary>
public sealed class KeyHasher(byte[] secret)
{
    /// <summary>The node secret's name in the store.</summary>
    public const string SecretName = "key-hmac";

    public const string Prefix = CameraKeyHashes.Prefix;

    private readonly byte[] _secret = secret;

    /// <summary>The hasher of a store, with the secret it keeps (created at its first use).</summary>
    public static async Task<KeyHasher> ForStoreAsync(Store store, CancellationToken ct) =>
        new(await store.NodeSecrets.GetOrCreateAsync(SecretName, 32, ct));

    /// <summary>A hasher with a throw-away secret, for checking documents without a store (<c>check-site</c>).</summary>
    public static KeyHasher Ephemeral() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of a key.</summary>
    public string Hash(string key) => Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(key)));

    /// <summary>Every stored form the key may have: today's, then the SHA-256 of before (for look-ups by hash).</summary>
    public IReadOnlyList<string> StoredForms(string key) => [Hash(key), Secrets.HashApiKey(key)];

    /// <summary>True when <paramref name="key"/> is the key stored as <paramref name="stored"/> (either form), in constant time.</summary>
    public bool Matches(string key, string stored)
    {
        var expected = stored.StartsWith(Prefix, StringComparison.Ordinal) ? Hash(key) : Secrets.HashApiKey(key);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(stored));
    }

    /// <summary>True when <paramref name="stored"/> is in a form this hasher writes or reads.</summary>
    public static bool IsStoredForm(string stored) => CameraKeyHashes.IsStoredForm(stored);

    /// <summary>The hexadecimal part of a stored form (for ids derived from it).</summary>
    public static string Digits(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal) ? stored[Prefix.Length..] : stored;
}
