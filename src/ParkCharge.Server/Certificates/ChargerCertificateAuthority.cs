using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.CentralSystem;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Certificates;

namespace ParkCharge.Server.Certificates;

/// <summary>A certificate signing request ParkCharge will not sign, and why (for the charger's statusInfo and the API).</summary>
public sealed class CertificateRequestRefusedException(string reasonCode, string message) : Exception(message)
{
    /// <summary>At most 20 characters (OCPP statusInfo.reasonCode): InvalidCSR, InvalidSubject, WeakKey, NotSupported, NotAuthenticated.</summary>
    public string ReasonCode { get; } = reasonCode;
}

/// <summary>Where a site's charger certificates come from.</summary>
/// <param name="Source"><c>operator</c> (the CA in ParkCharge:ChargerCertificates) or <c>site</c> (the CA ParkCharge made for the site).</param>
public sealed record CertificateAuthorityView(string SiteId, string Source, string Subject, string Thumbprint, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string CertificatePem);

/// <summary>
/// The CA side of security profile 3 (OCPP 2.0.1/2.1 A00–A03, the 1.6 security whitepaper): which CAs a
/// site's chargers may present certificates from, and the signing of their certificate signing requests.
/// The operator's CA (configured, with its key) signs for every site; without one, ParkCharge makes a CA
/// per site on first need and keeps its private key encrypted with ASP.NET data protection.
/// </summary>
public sealed partial class ChargerCertificateAuthority : IChargerCertificateSigner, IDisposable
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private readonly Store _store;
    private readonly IDataProtector _protector;
    private readonly ChargerCertificateOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChargerCertificateAuthority> _logger;
    private readonly X509Certificate2? _operatorCa;
    private readonly X509Certificate2Collection _operatorTrust = [];
    private readonly ConcurrentDictionary<SiteId, X509Certificate2> _siteCas = new();
    private readonly SemaphoreSlim _signing = new(1, 1);

    /// <exception cref="InvalidOperationException">A configured CA file cannot be read: the node does not start.</exception>
    public ChargerCertificateAuthority(Store store, IDataProtectionProvider protection, IOptions<ParkChargeOptions> options, TimeProvider time,
        ILogger<ChargerCertificateAuthority> logger)
    {
        _store = store;
        _protector = protection.CreateProtector("ParkCharge.ChargerCertificates.CaKey.v1");
        _options = options.Value.ChargerCertificates;
        _time = time;
        _logger = logger;
        try
        {
            if (_options.CaCertificate is { } caPath)
            {
                _operatorTrust.ImportFromPemFile(caPath);
                if (_options.CaKey is { } keyPath)
                {
                    _operatorCa = _options.CaKeyPassword is { } password
                        ? X509Certificate2.CreateFromEncryptedPemFile(caPath, password, keyPath)
                        : X509Certificate2.CreateFromPemFile(caPath, keyPath);
                    if (!IsCa(_operatorCa))
                    {
                        throw new InvalidOperationException($"{caPath} is not a CA certificate (basic constraints CA is not set).");
                    }
                }
            }

            foreach (var path in _options.TrustedCas)
            {
                _operatorTrust.ImportFromPemFile(path);
            }
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"ParkCharge:ChargerCertificates: a CA file cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The CAs a site's chargers may present certificates from: the operator's (and any other configured)
    /// and the site's own, if it has one. Empty: no charger of the site can use profile 3 yet.
    /// </summary>
    public async Task<X509Certificate2Collection> TrustedForAsync(SiteId site, CancellationToken ct)
    {
        var trusted = new X509Certificate2Collection(_operatorTrust);
        if (await SiteCaAsync(site, create: false, ct) is { } siteCa)
        {
            trusted.Add(siteCa);
        }

        return trusted;
    }

    /// <summary>The CA that signs the site's chargers; the site's own is made now if there is none and no operator CA signs.</summary>
    public async Task<CertificateAuthorityView> SigningAuthorityAsync(SiteId site, bool create, CancellationToken ct)
    {
        var ca = _operatorCa ?? await SiteCaAsync(site, create, ct);
        return ca is null
            ? throw new InvalidOperationException("No CA yet.")
            : new CertificateAuthorityView(site.Value, _operatorCa is null ? "site" : "operator", ca.Subject, Thumbprint(ca),
                ca.NotBefore.ToUniversalTime(), ca.NotAfter.ToUniversalTime(), ca.ExportCertificatePem());
    }

    /// <summary>True when the site has a CA to sign with (the operator's, or its own already made).</summary>
    public async Task<bool> HasSigningAuthorityAsync(SiteId site, CancellationToken ct) =>
        _operatorCa is not null || await SiteCaAsync(site, create: false, ct) is not null;

    /// <summary>Signs a charger's CSR over OCPP: only for a charger that authenticated itself, and only its own station certificate.</summary>
    public async Task<CertificateSigningOutcome> SignAsync(ChargerId charger, CertificateSigningRequest request, CancellationToken ct)
    {
        try
        {
            if (request.Use != CertificateUse.ChargingStation)
            {
                throw new CertificateRequestRefusedException("NotSupported", "ParkCharge signs charging station certificates only; ISO 15118 (V2G) certificates come from a Plug & Charge PKI.");
            }

            var credentials = await _store.Chargers.GetCredentialsAsync(charger, ct)
                ?? throw new CertificateRequestRefusedException("NotAuthenticated", "The charger is not registered.");
            if (credentials.SecurityProfile == 0)
            {
                // Profile 0 proves nothing about who is asking: a certificate would make anyone this charger.
                throw new CertificateRequestRefusedException("NotAuthenticated", "A charger on security profile 0 is not authenticated; give it security profile 1, 2 or 3 first.");
            }

            var issued = await IssueAsync(charger, new SiteId(credentials.SiteId), request.CsrPem, ct);
            LogIssued(_logger, charger.Value, issued.Certificate.SerialNumber, issued.Certificate.NotAfter);
            return new CertificateSigningOutcome.Issued(issued.ChainPem, issued.Certificate.Thumbprint);
        }
        catch (CertificateRequestRefusedException refused)
        {
            LogRefused(_logger, charger.Value, refused.ReasonCode, refused.Message);
            return new CertificateSigningOutcome.Refused(refused.ReasonCode, refused.Message);
        }
    }

    public async Task DeliveredAsync(ChargerId charger, string thumbprint, string outcome, CancellationToken ct)
    {
        await _store.Certificates.RecordDeliveryAsync(thumbprint, outcome, _time.GetUtcNow(), ct);
        if (outcome != "Accepted")
        {
            LogNotInstalled(_logger, charger.Value, thumbprint, outcome);
        }
    }

    /// <summary>
    /// Signs <paramref name="csrPem"/> for <paramref name="charger"/> with the site's signing CA and records
    /// the certificate. The request must be signed by its own key (proof of possession), name the charger
    /// as its subject CN (A00: the CN is the charging station's identity) and use an RSA key of at least
    /// 2048 bits or an ECDSA key on P-256, P-384 or P-521. The certificate says only what ParkCharge
    /// vouches for: the subject, TLS client authentication, not a CA; extensions the request asks for are
    /// not copied.
    /// </summary>
    /// <exception cref="CertificateRequestRefusedException">The request is refused, with why.</exception>
    public async Task<(ChargerCertificateView Certificate, string ChainPem)> IssueAsync(ChargerId charger, SiteId site, string csrPem, CancellationToken ct)
    {
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(csrPem, HashAlgorithmName.SHA256);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new CertificateRequestRefusedException("InvalidCSR", "The CSR is not a PEM PKCS#10 request signed by its own key.");
        }

        var names = CommonNames(request.SubjectName);
        if (names is not [var commonName] || !string.Equals(commonName, charger.Value, StringComparison.Ordinal))
        {
            throw new CertificateRequestRefusedException("InvalidSubject",
                $"The CSR's subject must have one common name (CN), the charger's identity '{charger.Value}'; it has {(names.Count == 0 ? "none" : string.Join(", ", names.Select(n => $"'{n}'")))}.");
        }

        var rsa = request.PublicKey.GetRSAPublicKey();
        var ecdsa = request.PublicKey.GetECDsaPublicKey();
        using (rsa)
        using (ecdsa)
        {
            var strong = rsa is { KeySize: >= 2048 }
                || (ecdsa is not null && ecdsa.ExportParameters(false).Curve.Oid.Value is "1.2.840.10045.3.1.7" or "1.3.132.0.34" or "1.3.132.0.35");
            if (!strong)
            {
                throw new CertificateRequestRefusedException("WeakKey", "The key must be RSA of 2048 bits or more, or ECDSA on P-256, P-384 or P-521.");
            }

            request.CertificateExtensions.Clear();
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(
                X509KeyUsageFlags.DigitalSignature | (rsa is not null ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement), true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuthentication], false));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        }

        var ca = _operatorCa ?? (await SiteCaAsync(site, create: true, ct))!;
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = _time.GetUtcNow();
        var notBefore = Max(now.AddMinutes(-5), ca.NotBefore.ToUniversalTime()); // a charger's clock may lag a little
        var notAfter = Min(now + _options.CertificateValidity, ca.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x01); // positive and never zero (RFC 5280 §4.1.2.2)

        X509Certificate2 certificate;
        await _signing.WaitAsync(ct); // one signature at a time with a CA key
        try
        {
            // The generator overload: the charger's key type (RSA or ECDSA) need not be the CA's.
            certificate = request.Create(ca.SubjectName, SignatureGenerator(ca), notBefore, notAfter, serial);
        }
        finally
        {
            _signing.Release();
        }

        using (certificate)
        {
            var view = Describe(certificate, charger, site) with { IssuedAt = now };
            await _store.Certificates.RecordIssuedAsync(view, ct);
            return (view, certificate.ExportCertificatePem() + "\n" + ca.ExportCertificatePem());
        }
    }

    /// <summary>The columns a certificate is recorded with.</summary>
    public static ChargerCertificateView Describe(X509Certificate2 certificate, ChargerId charger, SiteId site) => new(
        Thumbprint(certificate), charger.Value, site.Value, certificate.SerialNumber, certificate.Subject, certificate.Issuer,
        certificate.NotBefore.ToUniversalTime(), certificate.NotAfter.ToUniversalTime(), certificate.ExportCertificatePem());

    public static string Thumbprint(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>The subject's common names (OID 2.5.4.3): <see cref="X509Certificate2.GetNameInfo"/> falls back to other names, which must not pass for a CN.</summary>
    public static IReadOnlyList<string> CommonNames(X500DistinguishedName subject) =>
        [.. subject.EnumerateRelativeDistinguishedNames()
            .Where(static rdn => !rdn.HasMultipleElements && rdn.GetSingleElementType().Value == "2.5.4.3")
            .Select(static rdn => rdn.GetSingleElementValue() ?? "")];

    public static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    public void Dispose()
    {
        _operatorCa?.Dispose();
        foreach (var ca in _siteCas.Values)
        {
            ca.Dispose();
        }

        _signing.Dispose();
    }

    private async Task<X509Certificate2?> SiteCaAsync(SiteId site, bool create, CancellationToken ct)
    {
        if (_siteCas.TryGetValue(site, out var cached))
        {
            return cached;
        }

        var stored = await _store.Certificates.FindAuthorityAsync(site.Value, ct);
        if (stored is null && !create)
        {
            return null;
        }

        stored ??= await _store.Certificates.AddAuthorityAsync(NewSiteCa(site), ct);
        X509Certificate2 ca;
        try
        {
            ca = X509Certificate2.CreateFromPem(stored.CertificatePem, _protector.Unprotect(stored.ProtectedKey));
        }
        catch (CryptographicException e)
        {
            // Another node made it with data-protection keys this node does not have (docs/operators.md).
            throw new InvalidOperationException($"The charger CA of site '{site}' cannot be decrypted on this node: its data-protection keys differ from the node that made it.", e);
        }

        var kept = _siteCas.GetOrAdd(site, ca);
        if (!ReferenceEquals(kept, ca))
        {
            ca.Dispose(); // another request loaded it first
        }

        return kept;
    }

    /// <summary>A self-signed CA for one site's chargers: ECDSA P-384, signs end-entity certificates only (path length 0).</summary>
    private StoredCertificateAuthority NewSiteCa(SiteId site)
    {
        var now = _time.GetUtcNow();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName("ParkCharge");
        name.AddCommonName($"ParkCharge charger CA, site {site.Value}");
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var ca = request.CreateSelfSigned(now.AddMinutes(-5), now + _options.CaValidity);
        LogSiteCaMade(_logger, site.Value, ca.NotAfter);
        return new StoredCertificateAuthority(site.Value, ca.ExportCertificatePem(), _protector.Protect(key.ExportPkcs8PrivateKeyPem()), now);
    }

    /// <summary>Signs with the CA's private key: ECDSA, or RSA with PKCS#1 v1.5 padding (what chargers verify most widely).</summary>
    private static X509SignatureGenerator SignatureGenerator(X509Certificate2 ca) =>
        ca.GetECDsaPrivateKey() is { } ecdsa ? X509SignatureGenerator.CreateForECDsa(ecdsa)
        : ca.GetRSAPrivateKey() is { } rsa ? X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1)
        : throw new InvalidOperationException($"The CA {ca.Subject} has no ECDSA or RSA private key to sign with.");

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    [LoggerMessage(4001, LogLevel.Information, "Issued a certificate for charger {Charger} (serial {Serial}, valid until {NotAfter})")]
    private static partial void LogIssued(ILogger logger, string charger, string serial, DateTimeOffset notAfter);

    [LoggerMessage(4002, LogLevel.Warning, "Refused to sign a certificate for charger {Charger}: {ReasonCode} ({Reason})")]
    private static partial void LogRefused(ILogger logger, string charger, string reasonCode, string reason);

    [LoggerMessage(4003, LogLevel.Warning, "Charger {Charger} did not install certificate {Thumbprint}: {Outcome}")]
    private static partial void LogNotInstalled(ILogger logger, string charger, string thumbprint, string outcome);

    [LoggerMessage(4004, LogLevel.Information, "Made the charger CA of site {Site} (valid until {NotAfter})")]
    private static partial void LogSiteCaMade(ILogger logger, string site, DateTime notAfter);
}
