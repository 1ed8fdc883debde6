using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Auth;

/// <summary>
/// Who pushes camera reads (<c>/api/v1/anpr</c>), decided from the headers alone, before a byte of the
/// body is read: a push that is not authenticated costs the node nothing but this look-up, whatever it
/// carries. The key comes as <c>Authorization: Bearer</c>, <c>X-Camera-Key</c>, <c>?key=</c> (cameras that
/// cannot set headers) or as the password of <c>Authorization: Basic</c> (cameras whose push settings have
/// only a user name and password; the user name is not used) and is either
/// <list type="bullet">
/// <item>a camera's own key (from its site's configuration): the caller is that camera (a claim per camera
/// the key belongs to), and may push only that camera's reads; or</item>
/// <item>an API key with the role camera (an ANPR server pushing for many cameras): the caller may push for
/// any configured camera, from the addresses the key's allow-list names.</item>
/// </list>
/// Any other key, an unknown camera or another camera's key get one and the same answer (403, "Camera
/// not accepted"): the answer does not tell which cameras exist. No key at all is a 401.
/// </summary>
public sealed class CameraKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    CameraDirectory cameras,
    ApiKeyLookup apiKeys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "CameraKey";

    /// <summary>A camera the key belongs to (one claim per camera).</summary>
    public const string CameraClaim = "parkcharge:camera";

    private const string PresentedItem = "parkcharge:camera-key-presented";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request) is not { } key)
        {
            return AuthenticateResult.NoResult();
        }

        Context.Items[PresentedItem] = true;
        var owners = await cameras.FindByKeyAsync(key, Context.RequestAborted);
        if (owners.Count > 0)
        {
            var ids = owners.Select(c => c.Camera.Id).Order(StringComparer.Ordinal).ToList();
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, string.Join(",", ids)), .. ids.Select(id => new Claim(CameraClaim, id))],
                SchemeName, ClaimTypes.Name, ApiKeyAuthentication.RoleClaim);
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
        }

        // Only a Bearer token can be an API key (an ANPR server's): the other two ways are cameras' own.
        string? authorization = Request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && (await apiKeys.FindAsync(key, Context.RequestAborted)).Key is { } apiKey
            && apiKey.Feature.Key.Role == ApiRoles.Camera)
        {
            Context.Features.Set(apiKey.Feature);
            return AuthenticateResult.Success(new AuthenticationTicket(apiKey.Principal, SchemeName));
        }

        return AuthenticateResult.Fail("The key is not accepted.");
    }

    /// <summary>No key: 401. A key that is not accepted: 403, alike for unknown cameras and wrong keys.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items.ContainsKey(PresentedItem))
        {
            return NotAccepted().ExecuteAsync(Context);
        }

        // Cameras that send Basic credentials only when challenged for them (Dahua, Milesight) are told they may.
        Response.Headers.WWWAuthenticate = new(["Bearer", "Basic realm=\"ParkCharge cameras\", charset=\"UTF-8\""]);
        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "A camera key is required",
            detail: "Send the camera's key as 'Authorization: Bearer <key>', 'X-Camera-Key: <key>', '?key=<key>' or as the password of Basic authentication.")
            .ExecuteAsync(Context);
    }

    /// <summary>The one answer to a push the key does not admit (unknown camera, another camera's key, unknown key).</summary>
    public static ProblemHttpResult NotAccepted() =>
        TypedResults.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Camera not accepted",
            detail: "The key does not authenticate this camera. Check the camera's id and the key configured for it at its site.");

    /// <summary>The key a push presents: <c>Authorization: Bearer</c>, <c>X-Camera-Key</c>, <c>?key=</c>, or the password of <c>Authorization: Basic</c>.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        string? authorization = request.Headers.Authorization;
        if (authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim() is { Length: > 0 } bearer ? bearer : null;
        }

        if (authorization is not null && authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) && BasicPassword(authorization["Basic ".Length..]) is { } password)
        {
            return password;
        }

        string? header = request.Headers["X-Camera-Key"];
        if (!string.IsNullOrEmpty(header))
        {
            return header;
        }

        string? query = request.Query["key"];
        return string.IsNullOrEmpty(query) ? null : query;
    }

    /// <summary>The password of Basic credentials (RFC 7617: base64 of <c>user:password</c>); null when they are not that.</summary>
    private static string? BasicPassword(string credentials)
    {
        // A camera key is at most a few hundred characters; anything much longer is not worth decoding.
        var text = credentials.Trim();
        if (text.Length is 0 or > 1024)
        {
            return null;
        }

        var bytes = new byte[text.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(text, bytes, out var written))
        {
            return null;
        }

        var decoded = System.Text.Encoding.UTF8.GetString(bytes, 0, written);
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && decoded[(colon + 1)..] is { Length: > 0 } password ? password : null;
    }
}

/// <summary>What an authenticated camera push may do: push for its own cameras, or (an API key with the role camera) for any configured camera.</summary>
public sealed record CameraCaller(IReadOnlySet<string> Cameras, bool IsGateway)
{
    public static CameraCaller Of(ClaimsPrincipal user) => new(
        user.FindAll(CameraKeyAuthentication.CameraClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        user.IsInRole(ApiRoles.Camera));

    /// <summary>Whether the caller may push reads of <paramref name="camera"/> (which must be configured at a site).</summary>
    public bool MayPushFor(RegisteredCamera? camera) => camera is not null && (IsGateway || Cameras.Contains(camera.Camera.Id));
}
