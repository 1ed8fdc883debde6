using ParkCharge.Core.Charging;

namespace ParkCharge.Ocpp.CentralSystem;

/// <summary>A charger asks for its key to be signed: SignCertificate (OCPP 2.0.1 and 2.1 A02/A03, the 1.6 security whitepaper).</summary>
/// <param name="CsrPem">The PKCS#10 certificate signing request, PEM.</param>
/// <param name="Use">What the certificate is for: the charger's own TLS client certificate, or an ISO 15118 (V2G) certificate.</param>
/// <param name="RequestId">2.1: the charger's id for the request, echoed in CertificateSigned.</param>
public sealed record CertificateSigningRequest(string CsrPem, CertificateUse Use, int? RequestId = null);

/// <summary>OCPP's CertificateSigningUseEnumType, as far as ParkCharge distinguishes it.</summary>
public enum CertificateUse
{
    /// <summary>The charger's certificate for security profile 3.</summary>
    ChargingStation,

    /// <summary>An ISO 15118 certificate (V2GCertificate, 2.1 V2G20Certificate): a Plug &amp; Charge PKI, not ParkCharge's.</summary>
    V2G,
}

/// <summary>What the central system does with a signing request.</summary>
public abstract record CertificateSigningOutcome
{
    private CertificateSigningOutcome()
    {
    }

    /// <summary>Signed: the chain (the charger's certificate, then the CA's) goes back in CertificateSigned after the answer.</summary>
    /// <param name="Thumbprint">The issued certificate's SHA-256 thumbprint, to record how its delivery ended.</param>
    public sealed record Issued(string CertificateChainPem, string Thumbprint) : CertificateSigningOutcome;

    /// <summary>Not signed.</summary>
    /// <param name="ReasonCode">For the 2.x statusInfo: at most 20 characters (e.g. InvalidCSR).</param>
    /// <param name="Reason">Why, for the charger's log and ours.</param>
    public sealed record Refused(string ReasonCode, string Reason) : CertificateSigningOutcome;
}

/// <summary>
/// The CA side of a charger connection: signs what a charger asks for, and learns whether the charger
/// took the certificate. The server's implementation holds the site's CA; tests bring their own.
/// </summary>
public interface IChargerCertificateSigner
{
    Task<CertificateSigningOutcome> SignAsync(ChargerId charger, CertificateSigningRequest request, CancellationToken ct);

    /// <summary>How CertificateSigned ended: the charger's status (Accepted, Rejected) or why no answer came.</summary>
    Task DeliveredAsync(ChargerId charger, string thumbprint, string outcome, CancellationToken ct);
}
