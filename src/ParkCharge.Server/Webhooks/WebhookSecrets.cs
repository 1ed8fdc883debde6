using System.Security.Cryptography;

using Microsoft.AspNetCore.DataProtection;

namespace ParkCharge.Server.Webhooks;

/// <summary>
/// Webhook secrets: generated when not given, shown once, stored encrypted with ASP.NET data protection
/// (DESIGN.md §7). Unlike API keys they cannot be hashed: every delivery is signed with the secret itself.
/// The keys live in the data folder's <c>keys/</c>; nodes sharing a PostgreSQL store must share them.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    private const string Prefix = "whsec_";

    private readonly IDataProtector _protector = protection.CreateProtector("ParkCharge.Webhooks.Secret.v1");

    /// <summary>A new secret: <c>whsec_</c> and 32 random bytes, URL-safe.</summary>
    public static string New() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Protect(string secret) => _protector.Protect(secret);

    /// <exception cref="CryptographicException">The secret was encrypted with keys this node does not have.</exception>
    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
