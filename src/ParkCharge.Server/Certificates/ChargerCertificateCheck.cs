using System.Security.Cryptography.X509Certificates;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Storage;

namespace ParkCharge.Server.Certificates;

/// <summary>
/// Security profile 3 at the OCPP handshake: the charger's TLS client certificate must chain to a CA
/// trusted for its site, be valid now (by the node's clock), be meant for TLS client authentication, not
/// be a CA itself, and name the charger as its subject CN (OCPP 2.0.1/2.1 A00, the 1.6 security
/// whitepaper). TLS itself has already proven that the charger holds the certificate's private key.
/// </summary>
public sealed partial class ChargerCertificateCheck(ChargerCertificateAuthority authority, Store store, TimeProvider time, ILogger<ChargerCertificateCheck> logger)
{
    private static readonly System.Security.Cryptography.Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    /// <summary>Null when <paramref name="certificate"/> authenticates <paramref name="charger"/>; otherwise why not (for the log).</summary>
    public async Task<string?> RefusalAsync(X509Certificate2? certificate, ChargerId charger, SiteId site, CancellationToken ct)
    {
        if (certificate is null)
        {
            return "no TLS client certificate was presented (is the HTTPS endpoint asking for one? see ParkCharge:ChargerCertificates:RequestOnHttps)";
        }

        var trusted = await authority.TrustedForAsync(site, ct);
        if (trusted.Count == 0)
        {
            return $"no CA is trusted for site '{site}' yet (configure an operator CA, or let a charger of the site get a certificate signed)";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.ExtraStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // OCPP asks for no CRL or OCSP of charger certificates
        chain.ChainPolicy.VerificationTime = time.GetUtcNow().UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(ClientAuthentication);
        if (!chain.Build(certificate))
        {
            var flags = chain.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, static (all, s) => all | s.Status);
            return flags.HasFlag(X509ChainStatusFlags.NotTimeValid)
                ? $"the certificate is not valid now (valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u})"
                : flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain)
                    ? $"the certificate was not issued by a CA trusted for site '{site}' (issuer: {certificate.Issuer})"
                    : flags.HasFlag(X509ChainStatusFlags.NotValidForUsage)
                        ? "the certificate is not meant for TLS client authentication (extended key usage)"
                        : "the certificate chain is not valid: " + string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()));
        }

        if (ChargerCertificateAuthority.IsCa(certificate))
        {
            return "the certificate is a CA certificate, not a charger's";
        }

        var names = ChargerCertificateAuthority.CommonNames(certificate.SubjectName);
        if (names is not [var name] || !string.Equals(name, charger.Value, StringComparison.Ordinal))
        {
            return $"the certificate's subject CN is not the charger's identity '{charger.Value}' (subject: {certificate.Subject})";
        }

        await store.Certificates.RecordPresentedAsync(ChargerCertificateAuthority.Describe(certificate, charger, site), time.GetUtcNow(), ct);
        LogAccepted(logger, charger.Value, certificate.SerialNumber, certificate.NotAfter.ToUniversalTime());
        return null;
    }

    [LoggerMessage(4010, LogLevel.Debug, "Charger {Charger} authenticated by its certificate (serial {Serial}, valid until {NotAfter})")]
    private static partial void LogAccepted(ILogger logger, string charger, string serial, DateTime notAfter);
}
