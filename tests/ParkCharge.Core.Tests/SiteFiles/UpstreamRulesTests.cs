using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Core.Tests.SiteFiles;

/// <summary>
/// A charger's upstreams in a site file (proxy mode): read with their defaults, every mistake named with its
/// path and line, secrets never printed.
/// </summary>
public sealed class UpstreamRulesTests
{
    private static SiteFileResult Validate(string upstreams, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var text = $$"""
            id: proxied
            name: Proxied
            timeZone: Europe/Berlin
            currency: EUR
            chargers:
              - id: CP-1
                upstreams:
            {{string.Join('\n', upstreams.Split('\n').Select(l => "      " + l))}}
            evBays:
              - { id: EV-1, charger: CP-1, connector: 1 }
            """;
        var read = new List<DocumentProblem>();
        var root = DocumentReader.Read(text, read);
        Assert.Empty(read);
        return SiteFileValidator.Validate(root!, new SiteFileContext { Environment = environment ?? new Dictionary<string, string?>() });
    }

    [Fact]
    public void An_upstream_needs_only_a_name_and_a_url_and_presents_the_chargers_own_identity_as_primary()
    {
        var result = Validate("""
            - name: cpo
              url: wss://csms.example.com/ocpp/
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var upstream = Assert.Single(Assert.Single(result.Chargers).Upstreams);
        Assert.Equal(("cpo", "CP-1", UpstreamRole.Primary, ChargerUpstream.DefaultTimeout), (upstream.Name, upstream.Identity, upstream.Role, upstream.Timeout));
        Assert.Null(upstream.AllowedActions);
        Assert.Equal(new Uri("wss://csms.example.com/ocpp/CP-1"), upstream.Endpoint);
        Assert.True(upstream.Allows("RemoteStartTransaction"));
    }

    [Fact]
    public void A_password_comes_from_the_environment_and_is_never_printed()
    {
        var result = Validate("""
            - { name: cpo, url: "wss://csms.example.com/ocpp", identity: ACME-0001, password: "${CPO_PASSWORD}" }
            """, new Dictionary<string, string?> { ["CPO_PASSWORD"] = "s3cret-from-the-env" });

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var upstream = Assert.Single(Assert.Single(result.Chargers).Upstreams);
        Assert.Equal(("ACME-0001", "s3cret-from-the-env"), (upstream.Identity, upstream.Password));
        Assert.DoesNotContain("s3cret", upstream.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", Assert.Single(result.Chargers).ToString(), StringComparison.Ordinal);
        Assert.Null(upstream.WithoutSecrets().Password);
    }

    [Fact]
    public void An_observer_may_send_nothing_and_a_restricted_primary_only_what_it_lists()
    {
        var result = Validate("""
            - { name: cpo, url: "ws://10.0.0.5:9000/ocpp", allowedActions: [RemoteStartTransaction, RemoteStopTransaction] }
            - { name: copy, url: "ws://10.0.0.6:9000/ocpp", role: observer }
            """);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var (primary, observer) = (result.Chargers[0].Upstreams[0], result.Chargers[0].Upstreams[1]);
        Assert.True(primary.Allows("RemoteStopTransaction"));
        Assert.False(primary.Allows("Reset"));
        Assert.False(observer.Allows("Reset"));
        Assert.False(observer.Allows("DataTransfer"));
    }

    [Theory]
    [InlineData("- { name: cpo, url: \"http://csms.example.com/ocpp\" }", "upstreams[0].url", "not an OCPP-J url")]
    [InlineData("- { name: cpo, url: \"ws://user:pw@csms.example.com/ocpp\" }", "upstreams[0].url", "not in the url")]
    [InlineData("- { name: cpo, url: \"ws://csms.example.com/ocpp?x=1\" }", "upstreams[0].url", "no query")]
    [InlineData("- { name: \"c p o\", url: \"ws://a.example/ocpp\" }", "upstreams[0].name", "not an upstream name")]
    [InlineData("- { url: \"ws://a.example/ocpp\" }", "upstreams[0].name", "required")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\" }\n- { name: a, url: \"ws://b.example/ocpp\", role: observer }", "upstreams[1].name", "two upstreams named 'a'")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\" }\n- { name: b, url: \"ws://b.example/ocpp\" }", "upstreams[1].role", "already has a primary")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", role: boss }", "upstreams[0].role", "not one of primary, observer")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", role: observer, allowedActions: [Reset] }", "upstreams[0].allowedActions", "observer may send the charger nothing")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", allowedActions: [\"Remote Start\"] }", "upstreams[0].allowedActions[0]", "not an OCPP action name")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", clientCertificate: /etc/cp.pem }", "upstreams[0].clientCertificate", "needs a wss:// url")]
    [InlineData("- { name: a, url: \"wss://a.example/ocpp\", clientKey: /etc/cp.key }", "upstreams[0].clientKey", "set clientCertificate too")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", caCertificate: /etc/ca.pem }", "upstreams[0].caCertificate", "needs a wss:// url")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", timeout: 0.5s }", "upstreams[0].timeout", "between 1 s and 2 min")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", identity: \"has space\" }", "upstreams[0].identity", "not a charge point identity")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", password: \"\" }", "upstreams[0].password", "1 to 255 printable")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", colour: red }", "upstreams[0].colour", "unknown field")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", offlineAuthorization: never }", "upstreams[0].offlineAuthorization", "not one of acceptAll, learnt")]
    [InlineData("- { name: a, url: \"ws://a.example/ocpp\", role: observer, offlineAuthorization: learnt }", "upstreams[0].offlineAuthorization", "never for an observer")]
    public void A_wrong_upstream_is_named_with_its_path_and_the_charger_is_not_registered(string upstreams, string path, string message)
    {
        var result = Validate(upstreams);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.Path.StartsWith("chargers[0]." + path, StringComparison.Ordinal) && e.Message.Contains(message, StringComparison.Ordinal) && e.Line is not null);
        Assert.Empty(result.Chargers);
    }

    [Fact]
    public void A_password_over_plain_ws_is_allowed_with_a_warning()
    {
        var result = Validate("- { name: cpo, url: \"ws://10.0.0.5/ocpp\", password: \"over-the-lan-0001\" }");

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        Assert.Contains(result.Warnings, w => w.Path == "chargers[0].upstreams[0].password" && w.Message.Contains("clear text", StringComparison.Ordinal));
    }

    [Fact]
    public void Upstreams_set_on_their_own_are_checked_by_the_same_rules_with_paths_from_the_list()
    {
        var read = new List<DocumentProblem>();
        var root = DocumentReader.Read("""[ { "name": "a", "url": "ws://a.example/ocpp" }, { "name": "b", "url": "ftp://b", "role": "observer" } ]""", read);

        var (upstreams, errors, _) = SiteFileValidator.ValidateUpstreams(root!, new ChargerId("CP-9"), new Dictionary<string, string?>());

        Assert.Empty(upstreams);
        Assert.Equal("[1].url", Assert.Single(errors).Path);

        var (valid, none, _) = SiteFileValidator.ValidateUpstreams(DocumentReader.Read("[]", read)!, new ChargerId("CP-9"), new Dictionary<string, string?>());
        Assert.Empty(valid);
        Assert.Empty(none);
    }
}
