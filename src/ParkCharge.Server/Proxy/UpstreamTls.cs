using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

using ParkCharge.Core.Sites;

namespace ParkCharge.Server.Proxy;

/// <summary>
/// An upstream's TLS material read from the node's files: the client certificate it presents (security
/// profile 3, PEM with its key or PKCS#12) and the CA(s) the backend's certificate must chain to when
/// the operator names them instead of the system's roots.
/// </summary>
internal sealed class UpstreamTls : IDisposable
{
    private UpstreamTls(X509Certificate2? clientCertificate, X509Certificate2Collection? roots)
    {
        ClientCertificate = clientCertificate;
        Roots = roots;
    }

    public X509Certificate2? ClientCertificate { get; }

    public X509Certificate2Collection? Roots { get; }

    /// <exception cref="InvalidOperationException">A file cannot be read or holds no usable certificate (the message says which).</exception>
    public static UpstreamTls Load(ChargerUpstream upstream)
    {
        X509Certificate2? client = null;
        X509Certificate2Collection? roots = null;
        try
        {
            if (upstream.ClientCertificate is { } certificatePath)
            {
                client = IsPkcs12(certificatePath)
                    ? X509CertificateLoader.LoadPkcs12FromFile(certificatePath, upstream.ClientCertificatePassword)
                    : upstream.ClientCertificatePassword is { } password
                        ? X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, upstream.ClientKey)
                        : X509Certificate2.CreateFromPemFile(certificatePath, upstream.ClientKey);
                if (!client.HasPrivateKey)
                {
                    throw new InvalidOperationException($"the client certificate {certificatePath} comes without its private key (give clientKey)");
                }
            }

            if (upstream.CaCertificate is { } caPath)
            {
                roots = [];
                roots.ImportFromPemFile(caPath);
                if (roots.Count == 0)
                {
                    throw new InvalidOperationException($"{caPath} holds no PEM certificate");
                }
            }

            return new UpstreamTls(client, roots);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            client?.Dispose();
            throw new InvalidOperationException($"cannot load the upstream's TLS files: {e.Message}", e);
        }
    }

    /// <summary>Checks the backend's certificate against <see cref="Roots"/> (host name checked by TLS as usual).</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (Roots is null)
        {
            return errors == SslPolicyErrors.None;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var own = new X509Chain();
        own.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        own.ChainPolicy.CustomTrustStore.AddRange(Roots);
        own.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            own.ChainPolicy.ExtraStore.AddRange(chain.ChainElements.Select(e => e.Certificate).ToArray());
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return own.Build(presented);
    }

    public void Dispose()
    {
        ClientCertificate?.Dispose();
        if (Roots is not null)
        {
            foreach (var root in Roots)
            {
                root.Dispose();
            }
        }
    }

    private static bool IsPkcs12(string path) =>
        path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
}
