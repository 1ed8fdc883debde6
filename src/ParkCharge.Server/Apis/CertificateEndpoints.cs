using Microsoft.AspNetCore.Http.HttpResults;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Certificates;
using ParkCharge.Storage;
using ParkCharge.Storage.Certificates;

namespace ParkCharge.Server.Apis;

/// <summary>A certificate signing request to sign for a charger (what the charger would send in SignCertificate).</summary>
/// <param name="Csr">The PKCS#10 request, PEM (<c>-----BEGIN CERTIFICATE REQUEST-----</c>), subject CN the charger's identity.</param>
public sealed record SignChargerCertificateRequest(string Csr);

/// <summary>A certificate ParkCharge signed: the chain to install on the charger, and what was recorded.</summary>
/// <param name="CertificateChain">PEM: the charger's certificate, then the CA's.</param>
public sealed record SignedChargerCertificate(string CertificateChain, ChargerCertificateView Certificate);

/// <summary>Security profile 3 through the API: the CA that signs a site's chargers, a charger's certificates, signing a CSR by hand.</summary>
internal static class CertificateEndpoints
{
    public static RouteGroupBuilder MapCertificateEndpoints(this RouteGroupBuilder api)
    {
        var chargers = api.MapGroup("/chargers/{id}/certificates").WithTags("Chargers");
        chargers.MapGet("/", ListAsync).RequireRead()
            .WithSummary("The charger's certificates: those ParkCharge issued (and whether the charger installed them) and those it connected with");
        chargers.MapPost("/", SignAsync).RequireAdmin()
            .WithSummary("Sign a certificate signing request for the charger (as SignCertificate over OCPP does) with its site's CA");
        var sites = api.MapGroup("/sites/{id}/charger-ca").WithTags("Sites");
        sites.MapGet("/", GetAuthorityAsync).RequireRead().WithSummary("The CA that signs the site's charger certificates (security profile 3)");
        sites.MapPost("/", CreateAuthorityAsync).RequireAdmin().WithSummary("Make the site's charger CA now, if it has none (it is made at the first signing otherwise)");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<ChargerCertificateView>>, ProblemHttpResult>> ListAsync(string id, Store store, CancellationToken ct) =>
        ChargerId.IsValid(id) && await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is not null
            ? TypedResults.Ok(await store.Certificates.ForChargerAsync(id, ct))
            : NoCharger(id);

    private static async Task<Results<Created<SignedChargerCertificate>, ValidationProblem, ProblemHttpResult>> SignAsync(
        string id, SignChargerCertificateRequest request, Store store, ChargerCertificateAuthority authority, CancellationToken ct)
    {
        if (!ChargerId.IsValid(id) || await store.Chargers.GetCredentialsAsync(new ChargerId(id), ct) is not { } credentials)
        {
            return NoCharger(id);
        }

        if (string.IsNullOrWhiteSpace(request.Csr))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["csr"] = ["A PEM certificate signing request is required."] });
        }

        try
        {
            var (certificate, chain) = await authority.IssueAsync(new ChargerId(id), new SiteId(credentials.SiteId), request.Csr, ct);
            return TypedResults.Created($"/api/v1/chargers/{Uri.EscapeDataString(id)}/certificates", new SignedChargerCertificate(chain, certificate));
        }
        catch (CertificateRequestRefusedException refused)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["csr"] = [refused.Message] }, title: $"The CSR is not signed ({refused.ReasonCode})");
        }
    }

    private static async Task<Results<Ok<CertificateAuthorityView>, ProblemHttpResult>> GetAuthorityAsync(string id, ChargerCertificateAuthority authority, CancellationToken ct) =>
        !SiteId.IsValid(id) ? NoSite(id)
        : await authority.HasSigningAuthorityAsync(new SiteId(id), ct) ? TypedResults.Ok(await authority.SigningAuthorityAsync(new SiteId(id), create: false, ct))
        : TypedResults.Problem(
            title: "No charger CA yet",
            detail: $"Site '{id}' has no charger CA yet: it is made when the first charger of the site has a certificate signed, or by POST to this address.",
            statusCode: StatusCodes.Status404NotFound);

    private static async Task<Results<Ok<CertificateAuthorityView>, ProblemHttpResult>> CreateAuthorityAsync(string id, ChargerCertificateAuthority authority, CancellationToken ct) =>
        SiteId.IsValid(id) ? TypedResults.Ok(await authority.SigningAuthorityAsync(new SiteId(id), create: true, ct)) : NoSite(id);

    private static ProblemHttpResult NoCharger(string id) =>
        TypedResults.Problem(title: "No such charger", detail: $"No charger '{id}' is registered.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult NoSite(string id) =>
        TypedResults.Problem(title: "No such site", detail: $"'{id}' is not a site id (1 to 64 characters of a-z, 0-9, '-' and '_').", statusCode: StatusCodes.Status404NotFound);
}
