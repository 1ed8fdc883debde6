using System.Security.Cryptography;
using System.Text;

namespace ParkCharge.Server.Auth;

/// <summary>
/// How secrets are generated and stored. API keys and charger passwords are long random strings, so
/// a salted SHA-256 is enough to keep them from being read back (unlike human passwords, they cannot
/// be guessed from a dictionary), and it is cheap enough to check on every request and every
/// charger (re)connection.
/// </summary>
public static class Secrets
{
    private const string ApiKeyPrefix = "pck_";

    /// <summary>A new API key: <c>pck_</c> and 32 random bytes, URL-safe.</summary>
    public static string NewApiKey() => ApiKeyPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form of an API key: its SHA-256 (keys are random; no salt needed to look them up).</summary>
    public static string HashApiKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The stored form of a charger password: <c>sha256:{salt}:{hash}</c>.</summary>
    public static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return $"sha256:{Convert.ToHexStringLower(salt)}:{Convert.ToHexStringLower(Hash(salt, password))}";
    }

    public static bool VerifyPassword(string password, string stored)
    {
        var parts = stored.Split(':');
        if (parts is not ["sha256", var salt, var hash])
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Hash(Convert.FromHexString(salt), password), Convert.FromHexString(hash));
    }

    private static byte[] Hash(byte[] salt, string password)
    {
        var bytes = new byte[salt.Length + Encoding.UTF8.GetByteCount(password)];
        salt.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(password, bytes.AsSpan(salt.Length));
        return SHA256.HashData(bytes);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
