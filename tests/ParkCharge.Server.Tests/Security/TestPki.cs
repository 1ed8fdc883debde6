using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ParkCharge.Server.Tests.Security;

/// <summary>
/// Certificates made by the test with <see cref="CertificateRequest"/>: a CA, charger certificates it
/// signs (right, wrong, expired), the server's TLS certificate, and CSRs as a charger makes them.
/// </summary>
internal static class TestPki
{
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");

    /// <summary>A self-signed CA (ECDSA P-256) with its key.</summary>
    public static X509Certificate2 Ca(string name, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, O=Test PKI", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return Reloaded(request.CreateSelfSigned(at.AddYears(-3), at.AddYears(5)));
    }

    /// <summary>A charger certificate with its key, signed by <paramref name="ca"/> (or self-signed when null).</summary>
    public static X509Certificate2 Charger(X509Certificate2? ca, string subject, DateTimeOffset notBefore, DateTimeOffset notAfter, Oid? usage = null, bool isCa = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | (isCa ? X509KeyUsageFlags.KeyCertSign : 0), true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([usage ?? ClientAuthentication], false));
        if (ca is null)
        {
            return Reloaded(request.CreateSelfSigned(notBefore, notAfter));
        }

        using var signed = request.Create(ca, notBefore, notAfter, RandomNumberGenerator.GetBytes(12));
        return Reloaded(signed.CopyWithPrivateKey(key));
    }

    /// <summary>A charger certificate valid from yesterday for a year.</summary>
    public static X509Certificate2 Charger(X509Certificate2 ca, string chargerId) =>
        Charger(ca, $"CN={chargerId}, O=Test CPO", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

    /// <summary>A CSR as a charger makes it (ECDSA P-256 by default), and the key to pair with the certificate that comes back.</summary>
    public static (string Pem, AsymmetricAlgorithm Key) Csr(string subject, bool rsa = false, int rsaBits = 2048)
    {
        if (rsa)
        {
            var rsaKey = RSA.Create(rsaBits);
            return (new CertificateRequest(subject, rsaKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).CreateSigningRequestPem(), rsaKey);
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return (new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem(), key);
    }

    /// <summary>The certificate that came back for a CSR, paired with the CSR's key, usable as a TLS client certificate.</summary>
    public static X509Certificate2 WithKey(string certificatePem, AsymmetricAlgorithm key)
    {
        using var certificate = X509Certificate2.CreateFromPem(certificatePem);
        return Reloaded(key switch
        {
            ECDsa ecdsa => certificate.CopyWithPrivateKey(ecdsa),
            RSA rsa => certificate.CopyWithPrivateKey(rsa),
            _ => throw new NotSupportedException(key.GetType().Name),
        });
    }

    /// <summary>The certificates of a PEM chain, in order.</summary>
    public static X509Certificate2Collection Chain(string pem)
    {
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(pem);
        return chain;
    }

    /// <summary>A self-signed server certificate for 127.0.0.1 and localhost, written as PEM files for Kestrel's configuration.</summary>
    public static (string CertificatePath, string KeyPath, string Thumbprint) ServerPem(string folder)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuthentication], false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(folder, "server.pem");
        var keyPath = Path.Combine(folder, "server.key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.GetCertHashString());
    }

    /// <summary>A CA's certificate and key as PEM files, as an operator gives them to ParkCharge.</summary>
    public static (string CertificatePath, string KeyPath) WritePem(X509Certificate2 ca, string folder, string name)
    {
        var certificatePath = Path.Combine(folder, name + ".pem");
        var keyPath = Path.Combine(folder, name + ".key.pem");
        File.WriteAllText(certificatePath, ca.ExportCertificatePem());
        File.WriteAllText(keyPath, ca.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    /// <summary>Through PKCS#12 and back: a certificate whose key TLS can use on every platform.</summary>
    private static X509Certificate2 Reloaded(X509Certificate2 certificate)
    {
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
        }
    }
}
