using ParkCharge.Core.Charging;

namespace ParkCharge.Core.Sites.Files;

/// <summary>A charger's <c>upstreams</c>: the backends ParkCharge proxies it to (proxy mode, docs/operators.md).</summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] UpstreamFields =
        ["name", "url", "identity", "role", "password", "clientCertificate", "clientKey", "clientCertificatePassword", "caCertificate", "allowedActions", "timeout", "offlineAuthorization"];

    private static readonly (string Name, UpstreamRole Value)[] Roles = [("primary", UpstreamRole.Primary), ("observer", UpstreamRole.Observer)];

    private static readonly (string Name, OfflineAuthorization Value)[] OfflinePolicies = [("acceptAll", OfflineAuthorization.AcceptAll), ("learnt", OfflineAuthorization.Learnt)];

    /// <summary>
    /// A charger's upstreams on their own, as <c>PUT /api/v1/chargers/{id}/upstreams</c> takes them: a list in
    /// the shape of a site file's <c>upstreams</c>. Problems' paths start at the list (<c>[0].url</c>).
    /// </summary>
    public static (IReadOnlyList<ChargerUpstream> Upstreams, IReadOnlyList<DocumentProblem> Errors, IReadOnlyList<DocumentProblem> Warnings) ValidateUpstreams(
        DocumentNode root, ChargerId charger, IReadOnlyDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(root);
        var validator = new SiteFileValidator(new SiteFileContext { Environment = environment });
        if (root is not DocumentSequence)
        {
            validator.Error("", $"expected a list of upstreams, got {Describe(root)}", root.Line);
            return ([], validator.Errors, validator.Warnings);
        }

        var wrapper = new DocumentMapping([new DocumentEntry("upstreams", root, root.Line)], root.Line);
        var valid = validator.Upstreams(wrapper, "", charger, out var upstreams);
        var errors = validator.Errors.Select(e => e with { Path = e.Path.StartsWith("upstreams", StringComparison.Ordinal) ? e.Path["upstreams".Length..].TrimStart('.') : e.Path }).ToList();
        var warnings = validator.Warnings.Select(e => e with { Path = e.Path.StartsWith("upstreams", StringComparison.Ordinal) ? e.Path["upstreams".Length..].TrimStart('.') : e.Path }).ToList();
        return (valid && errors.Count == 0 ? upstreams : [], errors, warnings);
    }

    /// <summary>The upstreams of the charger at <paramref name="path"/>; false when one is wrong (each problem reported).</summary>
    private bool Upstreams(DocumentMapping charger, string path, ChargerId? chargerId, out List<ChargerUpstream> upstreams)
    {
        upstreams = [];
        var valid = true;
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? primary = null;
        foreach (var (item, itemPath) in Items(charger, path, "upstreams", "an upstream"))
        {
            CheckFields(item, itemPath, UpstreamFields, "field");
            var errorsBefore = FoundErrors.Count;
            var name = Text(item, itemPath, "name", required: true);
            if (name is not null && !ValidUpstreamName(name))
            {
                Error(Paths.Field(itemPath, "name"), $"{Quote(name)} is not an upstream name (1 to 40 characters of a-z, A-Z, 0-9, '-' and '_')", Line(item, "name"));
            }
            else if (name is not null && !names.Add(name))
            {
                Error(Paths.Field(itemPath, "name"), $"the charger has two upstreams named '{name}'", Line(item, "name"));
            }

            var url = UpstreamUrl(item, itemPath);
            var identity = Text(item, itemPath, "identity", required: false) ?? chargerId?.Value;
            if (identity is not null && !ChargerId.IsValid(identity))
            {
                Error(Paths.Field(itemPath, "identity"), $"{Quote(identity)} is not a charge point identity (1 to 48 printable ASCII characters without spaces or / : ? # %)", Line(item, "identity"));
            }

            var role = Choice(item, itemPath, "role", Roles, required: false) ?? UpstreamRole.Primary;
            if (role == UpstreamRole.Primary && name is not null)
            {
                if (primary is not null)
                {
                    Error(Paths.Field(itemPath, "role"), $"the charger already has a primary upstream ('{primary}'): only one backend answers the charger; make this one an observer", item.Line);
                }

                primary ??= name;
            }

            var password = Text(item, itemPath, "password", required: false);
            if (password is not null && (password.Length is 0 or > 255 || password.Any(c => c is < ' ' or > '~')))
            {
                Error(Paths.Field(itemPath, "password"), "an upstream password is 1 to 255 printable ASCII characters", Line(item, "password"));
            }

            var certificate = Text(item, itemPath, "clientCertificate", required: false);
            var key = Text(item, itemPath, "clientKey", required: false);
            var certificatePassword = Text(item, itemPath, "clientCertificatePassword", required: false);
            var ca = Text(item, itemPath, "caCertificate", required: false);
            var secure = url?.Scheme == "wss";
            if (url is not null && !secure)
            {
                if (certificate is not null)
                {
                    Error(Paths.Field(itemPath, "clientCertificate"), "a client certificate (security profile 3) needs a wss:// url", Line(item, "clientCertificate"));
                }

                if (ca is not null)
                {
                    Error(Paths.Field(itemPath, "caCertificate"), "a CA certificate checks the backend's TLS certificate: it needs a wss:// url", Line(item, "caCertificate"));
                }

                if (password is not null)
                {
                    Warn(Paths.Field(itemPath, "password"), "the password goes over ws:// in clear text (security profile 1); use wss:// where the backend offers it", Line(item, "password"));
                }
            }

            if (key is not null && certificate is null)
            {
                Error(Paths.Field(itemPath, "clientKey"), "a client key belongs to a client certificate: set clientCertificate too", Line(item, "clientKey"));
            }

            if (certificatePassword is not null && certificate is null)
            {
                Error(Paths.Field(itemPath, "clientCertificatePassword"), "a certificate password belongs to a client certificate: set clientCertificate too", Line(item, "clientCertificatePassword"));
            }

            var allowed = AllowedActions(item, itemPath);
            if (role == UpstreamRole.Observer && allowed is { Count: > 0 })
            {
                Error(Paths.Field(itemPath, "allowedActions"), "an observer may send the charger nothing (its answers are recorded, not forwarded); remove allowedActions or make it the primary", Line(item, "allowedActions"));
            }

            var offline = Choice(item, itemPath, "offlineAuthorization", OfflinePolicies, required: false);
            if (offline is not null && role == UpstreamRole.Observer)
            {
                Error(Paths.Field(itemPath, "offlineAuthorization"), "ParkCharge answers for the primary while it is away, never for an observer; remove offlineAuthorization", Line(item, "offlineAuthorization"));
            }

            var timeout = Duration(item, itemPath, "timeout");
            if (timeout is { } t && (t < ChargerUpstream.MinTimeout || t > ChargerUpstream.MaxTimeout))
            {
                Error(Paths.Field(itemPath, "timeout"), $"an upstream timeout is between {ChargerUpstream.MinTimeout.TotalSeconds:0} s and {ChargerUpstream.MaxTimeout.TotalMinutes:0} min", Line(item, "timeout"));
            }

            if (FoundErrors.Count > errorsBefore || name is null || url is null || identity is null)
            {
                valid = false;
                continue;
            }

            upstreams.Add(new ChargerUpstream
            {
                Name = name,
                Url = url,
                Identity = identity,
                Role = role,
                Password = password,
                ClientCertificate = certificate,
                ClientKey = key,
                ClientCertificatePassword = certificatePassword,
                CaCertificate = ca,
                AllowedActions = role == UpstreamRole.Observer ? [] : allowed,
                Timeout = timeout ?? ChargerUpstream.DefaultTimeout,
                OfflineAuthorization = offline ?? OfflineAuthorization.AcceptAll,
            });
        }

        return valid;
    }

    private Uri? UpstreamUrl(DocumentMapping item, string itemPath)
    {
        var text = Text(item, itemPath, "url", required: true);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss"))
        {
            Error(Paths.Field(itemPath, "url"), $"{Quote(text)} is not an OCPP-J url: ws://host[:port]/path or wss://host[:port]/path (without the charger's identity, which is appended)", Line(item, "url"));
            return null;
        }

        if (url.UserInfo.Length > 0)
        {
            Error(Paths.Field(itemPath, "url"), "put the upstream's credentials in password, not in the url (urls are shown and logged)", Line(item, "url"));
            return null;
        }

        if (url.Query.Length > 0 || url.Fragment.Length > 0)
        {
            Error(Paths.Field(itemPath, "url"), "an OCPP-J url has no query or fragment", Line(item, "url"));
            return null;
        }

        return url;
    }

    private List<string>? AllowedActions(DocumentMapping item, string itemPath)
    {
        if (item.Find("allowedActions") is null)
        {
            return null;
        }

        var actions = new List<string>();
        foreach (var (node, path) in Elements(item, itemPath, "allowedActions"))
        {
            if (ScalarText(node, path, "an OCPP action name") is not { } action)
            {
                continue;
            }

            if (action.Length is 0 or > 64 || !action.All(char.IsAsciiLetterOrDigit))
            {
                Error(path, $"{Quote(action)} is not an OCPP action name (letters and digits, as RemoteStartTransaction)", node.Line);
                continue;
            }

            actions.Add(action);
        }

        return actions;
    }

    private static bool ValidUpstreamName(string name) =>
        name.Length is > 0 and <= 40 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
