using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Server.Tests.Commands;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Tests.Security;

/// <summary>
/// Security profile 3 over real TLS through Kestrel, with certificates the test makes: chargers
/// authenticated by their client certificate (their identity as the subject CN, issued by a CA
/// trusted for their site, valid now), everything else refused; SignCertificate answered with a
/// certificate from the site's CA that then authenticates the charger; renewal asked for before expiry.
/// </summary>
public sealed class ChargerCertificateTests(PostgresServer postgres)
{
    /// <summary>The test's node presents this certificate, and the test's chargers trust exactly it.</summary>
    private string _serverThumbprint = "";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(OcppVersion.Ocpp16)]
    [InlineData(OcppVersion.Ocpp201)]
    [InlineData(OcppVersion.Ocpp21)]
    public async Task A_charger_with_a_certificate_from_the_operator_CA_naming_it_connects_over_tls_without_a_password(OcppVersion version)
    {
        using var ca = TestPki.Ca("Operator CA");
        await using var node = await StartAsync(OperatorCa(ca));
        await RegisterProfile3Async(node, "CP-3");
        using var certificate = TestPki.Charger(ca, "CP-3");

        await using var charger = await ConnectAsync(node, "CP-3", version, certificate);
        await BootAsync(charger, version);

        using var view = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/chargers/CP-3", Ct));
        Assert.True(view.RootElement.GetProperty("connection").GetProperty("connected").GetBoolean());
        Assert.Equal(3, view.RootElement.GetProperty("securityProfile").GetInt32());
        var presented = Assert.Single(await CertificatesAsync(node, "CP-3"));
        Assert.Equal((certificate.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256), JsonValueKind.Null, JsonValueKind.String),
            (presented.GetProperty("thumbprint").GetString(), presented.GetProperty("issuedAt").ValueKind, presented.GetProperty("firstPresentedAt").ValueKind));
    }

    public static TheoryData<string, string> Impostors => new()
    {
        { "no certificate", "no TLS client certificate" },
        { "another CA", "not issued by a CA trusted for site 'default'" },
        { "expired", "not valid now" },
        { "not yet valid", "not valid now" },
        { "another charger's CN", "subject CN is not the charger's identity 'CP-3'" },
        { "the identity outside the CN", "subject CN is not the charger's identity 'CP-3'" },
        { "self-signed", "not issued by a CA trusted" },
        { "a CA certificate", "is a CA certificate" },
        { "server authentication only", "not meant for TLS client authentication" },
    };

    [Theory]
    [MemberData(nameof(Impostors))]
    public async Task A_certificate_that_does_not_prove_the_charger_is_refused_and_the_charger_stays_disconnected(string impostor, string why)
    {
        using var ca = TestPki.Ca("Operator CA");
        using var stranger = TestPki.Ca("Somebody else's CA");
        await using var node = await StartAsync(OperatorCa(ca));
        await RegisterProfile3Async(node, "CP-3");
        var now = DateTimeOffset.UtcNow;
        using var certificate = impostor switch
        {
            "no certificate" => null,
            "another CA" => TestPki.Charger(stranger, "CP-3"),
            "expired" => TestPki.Charger(ca, "CN=CP-3", now.AddYears(-2), now.AddMinutes(-1)),
            "not yet valid" => TestPki.Charger(ca, "CN=CP-3", now.AddDays(1), now.AddYears(1)),
            "another charger's CN" => TestPki.Charger(ca, "CP-4"),
            "the identity outside the CN" => TestPki.Charger(ca, "CN=Charger, O=CP-3", now.AddDays(-1), now.AddYears(1)),
            "self-signed" => TestPki.Charger(null, "CN=CP-3", now.AddDays(-1), now.AddYears(1)),
            "a CA certificate" => TestPki.Charger(ca, "CN=CP-3", now.AddDays(-1), now.AddYears(1), isCa: true),
            "server authentication only" => TestPki.Charger(ca, "CN=CP-3", now.AddDays(-1), now.AddYears(1), TestPki.ServerAuthentication),
            _ => throw new ArgumentOutOfRangeException(nameof(impostor)),
        };

        var (status, body) = await RefusedAsync(node, "CP-3", certificate);

        // The charger is told only that its certificate is not accepted; the node's log says why.
        var reason = await node.App.Services.GetRequiredService<ParkCharge.Server.Certificates.ChargerCertificateCheck>()
            .RefusalAsync(certificate, new ChargerId("CP-3"), ParkCharge.Core.Sites.SiteId.Default, Ct);
        Assert.Contains(why, reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("security profile 3", body, StringComparison.Ordinal);
        using var view = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/chargers/CP-3", Ct));
        Assert.False(view.RootElement.GetProperty("connection").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Profile_2_keeps_working_on_the_same_tls_endpoint_and_a_profile_3_charger_may_not_use_its_password_or_plain_ws()
    {
        using var ca = TestPki.Ca("Operator CA");
        await using var node = await StartAsync(new Dictionary<string, string?>(OperatorCa(ca)) { ["Kestrel:Endpoints:Http:Url"] = "http://127.0.0.1:0" });
        await node.RegisterChargerAsync("CP-2", "profile-two-password-01", securityProfile: 2);
        await node.RegisterChargerAsync("CP-3", "was-profile-two-pass-02", securityProfile: 2);
        await RegisterProfile3Async(node, "CP-3");

        await using (var profile2 = await ConnectAsync(node, "CP-2", OcppVersion.Ocpp21, certificate: null, password: "profile-two-password-01"))
        {
            await BootAsync(profile2, OcppVersion.Ocpp21);
        }

        var (withPassword, _) = await RefusedAsync(node, "CP-3", certificate: null, password: "was-profile-two-pass-02");
        var http = node.App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.Single(a => a.StartsWith("http://", StringComparison.Ordinal));
        using var plain = new ClientWebSocket();
        plain.Options.AddSubProtocol("ocpp2.1");
        plain.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAnyAsync<WebSocketException>(() => plain.ConnectAsync(new Uri($"ws://{new Uri(http).Authority}/ocpp/CP-3"), Ct));

        Assert.Equal(HttpStatusCode.Forbidden, withPassword);
        Assert.Equal(HttpStatusCode.Forbidden, plain.HttpStatusCode); // TLS required
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp21, StoreEngine.Sqlite)]
    [InlineData(OcppVersion.Ocpp21, StoreEngine.Postgres)]
    [InlineData(OcppVersion.Ocpp201, StoreEngine.Sqlite)]
    [InlineData(OcppVersion.Ocpp16, StoreEngine.Sqlite)]
    public async Task SignCertificate_is_answered_with_a_certificate_from_the_site_CA_that_then_authenticates_the_charger(OcppVersion version, StoreEngine engine)
    {
        await using var node = await StartAsync(engine: engine);
        await node.RegisterChargerAsync("CP-NEW", "a-long-profile2-secret", site: "garage", securityProfile: 2);
        var (csr, key) = TestPki.Csr("CN=CP-NEW, O=Garage CPO");
        var script = new ChargerScript();
        string chain;
        await using (var charger = await ConnectAsync(node, "CP-NEW", version, certificate: null, password: "a-long-profile2-secret", script))
        {
            Assert.Equal("Accepted", await SignCertificateAsync(charger, version, csr));
            var signed = await script.NextAsync("CertificateSigned");
            chain = signed.Text("certificateChain");
            Assert.Equal(version == OcppVersion.Ocpp16, !signed.Payload.TryGetProperty("certificateType", out _));
            Assert.Equal(version == OcppVersion.Ocpp21 ? "7" : null, signed.Payload.TryGetProperty("requestId", out var requestId) ? requestId.GetRawText() : null);
            var delivered = await EventuallyAsync(() => CertificatesAsync(node, "CP-NEW"), list => list.Count == 1 && list[0].GetProperty("delivery").ValueKind == JsonValueKind.String);
            Assert.Equal("Accepted", delivered[0].GetProperty("delivery").GetString());
        }

        var certificates = TestPki.Chain(chain);
        using var authority = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/sites/garage/charger-ca", Ct));
        Assert.Equal(2, certificates.Count);
        Assert.Equal(("CN=CP-NEW, O=Garage CPO", certificates[1].Subject), (certificates[0].Subject, certificates[0].Issuer));
        Assert.Equal(("site", certificates[1].Thumbprint), (authority.RootElement.GetProperty("source").GetString(), X509Certificate2.CreateFromPem(authority.RootElement.GetProperty("certificatePem").GetString()).Thumbprint));
        Assert.Contains(certificates[0].Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>(), u => u.Value == TestPki.ClientAuthentication.Value);
        Assert.InRange(certificates[0].NotAfter.ToUniversalTime() - DateTime.UtcNow, TimeSpan.FromDays(364), TimeSpan.FromDays(366));

        await RegisterProfile3Async(node, "CP-NEW", site: "garage");
        using var mine = TestPki.WithKey(certificates[0].ExportCertificatePem(), key);
        await using var upgraded = await ConnectAsync(node, "CP-NEW", version, mine);
        await BootAsync(upgraded, version);
        Assert.Equal(JsonValueKind.String, (await CertificatesAsync(node, "CP-NEW"))[0].GetProperty("firstPresentedAt").ValueKind);
    }

    public static TheoryData<string, string> RefusedRequests => new()
    {
        { "another charger's CN", "InvalidSubject" },
        { "two CNs", "InvalidSubject" },
        { "not a CSR", "InvalidCSR" },
        { "a 1024-bit RSA key", "WeakKey" },
        { "an ISO 15118 certificate", "NotSupported" },
        { "a charger on profile 0", "NotAuthenticated" },
    };

    [Theory]
    [MemberData(nameof(RefusedRequests))]
    public async Task A_signing_request_that_does_not_fit_the_charger_is_rejected_with_the_reason_and_nothing_is_issued(string request, string reason)
    {
        await using var node = await StartAsync();
        await node.RegisterChargerAsync("CP-X", request == "a charger on profile 0" ? null : "a-long-profile2-secret", securityProfile: request == "a charger on profile 0" ? 0 : 2);
        var csr = request switch
        {
            "another charger's CN" => TestPki.Csr("CN=CP-Y").Pem,
            "two CNs" => TestPki.Csr("CN=CP-X, CN=CP-Y").Pem,
            "not a CSR" => "-----BEGIN CERTIFICATE REQUEST-----\nTm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----",
            "a 1024-bit RSA key" => TestPki.Csr("CN=CP-X", rsa: true, rsaBits: 1024).Pem,
            _ => TestPki.Csr("CN=CP-X").Pem,
        };
        var script = new ChargerScript();
        await using var charger = await ConnectAsync(node, "CP-X", OcppVersion.Ocpp21, null, request == "a charger on profile 0" ? null : "a-long-profile2-secret", script);

        var answer = await charger.CallAsync(V21.V21Actions.SignCertificate, new V21.SignCertificateRequest
        {
            Csr = csr,
            CertificateType = request == "an ISO 15118 certificate" ? V21.CertificateSigningUseEnumType.V2GCertificate : null,
        });

        Assert.Equal((V21.GenericStatusEnumType.Rejected, reason), (answer.Status, answer.StatusInfo?.ReasonCode));
        Assert.False(string.IsNullOrEmpty(answer.StatusInfo?.AdditionalInfo));
        Assert.True(await NothingFollowsAsync(script));
        Assert.Empty(await CertificatesAsync(node, "CP-X"));
    }

    [Fact]
    public async Task A_1_6_charger_s_refused_request_is_just_Rejected()
    {
        await using var node = await StartAsync();
        await node.RegisterChargerAsync("CP-16", "a-long-profile2-secret", securityProfile: 2);
        await using var charger = await ConnectAsync(node, "CP-16", OcppVersion.Ocpp16, null, "a-long-profile2-secret");

        var answer = await charger.CallAsync(V16.V16Actions.SignCertificate, new V16.SignCertificateRequest { Csr = TestPki.Csr("CN=CP-17").Pem });

        Assert.Equal(V16.GenericStatusEnumType.Rejected, answer.Status);
    }

    [Theory]
    [InlineData(OcppVersion.Ocpp21, "TriggerMessage", "SignChargingStationCertificate")]
    [InlineData(OcppVersion.Ocpp16, "ExtendedTriggerMessage", "SignChargePointCertificate")]
    public async Task A_charger_whose_certificate_nears_its_end_is_asked_to_renew_it_and_the_renewed_one_connects(OcppVersion version, string trigger, string requested)
    {
        using var ca = TestPki.Ca("Operator CA");
        await using var node = await StartAsync(OperatorCa(ca, withKey: true));
        await RegisterProfile3Async(node, "CP-OLD");
        using var ageing = TestPki.Charger(ca, "CN=CP-OLD", DateTimeOffset.UtcNow.AddDays(-355), DateTimeOffset.UtcNow.AddDays(10));
        var script = new ChargerScript();
        var (csr, key) = TestPki.Csr("CN=CP-OLD");
        string renewed;
        await using (var charger = await ConnectAsync(node, "CP-OLD", version, ageing, script: script))
        {
            var asked = await script.NextAsync(trigger);
            Assert.Equal(requested, asked.Text("requestedMessage"));
            Assert.Equal("Accepted", await SignCertificateAsync(charger, version, csr));
            renewed = (await script.NextAsync("CertificateSigned")).Text("certificateChain");
        }

        var chain = TestPki.Chain(renewed);
        Assert.Equal(ca.Subject, chain[0].Issuer); // signed by the operator's CA, whose key ParkCharge was given
        Assert.True(chain[0].NotAfter > DateTime.UtcNow.AddDays(300));
        using var fresh = TestPki.WithKey(chain[0].ExportCertificatePem(), key);
        await using var reconnected = await ConnectAsync(node, "CP-OLD", version, fresh, script: new ChargerScript());
        await BootAsync(reconnected, version);
    }

    [Fact]
    public async Task Renewal_follows_the_node_s_clock_and_asks_the_same_certificate_again_only_after_the_retry_wait()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var ca = TestPki.Ca("Operator CA");
        await using var node = await StartAsync(OperatorCa(ca), clock);
        await RegisterProfile3Async(node, "CP-R");
        using var certificate = TestPki.Charger(ca, "CN=CP-R", clock.GetUtcNow().AddDays(-300), clock.GetUtcNow().AddDays(60));
        var script = new ChargerScript { Answer = call => Task.FromResult<RpcReply?>(ChargerScript.Status("Rejected")) };
        await using var charger = await ConnectAsync(node, "CP-R", OcppVersion.Ocpp21, certificate, script: script);
        await BootAsync(charger, OcppVersion.Ocpp21);
        Assert.True(await NothingFollowsAsync(script), "a certificate with 60 days left was asked about");

        clock.Advance(TimeSpan.FromDays(31)); // 29 days left: within the 30 before expiry, at the next hourly check
        Assert.Equal("SignChargingStationCertificate", (await script.NextAsync("TriggerMessage")).Text("requestedMessage"));

        clock.Advance(TimeSpan.FromHours(23)); // the charger said no; not asked again within a day
        Assert.True(await NothingFollowsAsync(script), "asked again within the retry wait");
        clock.Advance(TimeSpan.FromHours(2));
        await script.NextAsync("TriggerMessage");
    }

    [Fact]
    public async Task The_api_signs_a_csr_for_a_charger_shows_its_certificates_and_the_site_s_CA()
    {
        await using var node = await StartAsync();
        await RegisterProfile3Async(node, "CP-API", site: "depot");
        using var none = await node.Http.GetAsync("/api/v1/sites/depot/charger-ca", Ct);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);

        using var made = await node.Http.PostAsync("/api/v1/sites/depot/charger-ca", null, Ct);
        using var again = await node.Http.PostAsync("/api/v1/sites/depot/charger-ca", null, Ct);
        var authority = await made.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(authority.GetProperty("thumbprint").GetString(), (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("thumbprint").GetString());

        var (csr, key) = TestPki.Csr("CN=CP-API", rsa: true);
        using var signed = await node.Http.PostAsJsonAsync("/api/v1/chargers/CP-API/certificates", new { csr }, Ct);
        using var wrong = await node.Http.PostAsJsonAsync("/api/v1/chargers/CP-API/certificates", new { csr = TestPki.Csr("CN=CP-OTHER").Pem }, Ct);
        using var unknown = await node.Http.PostAsJsonAsync("/api/v1/chargers/NOBODY/certificates", new { csr }, Ct);

        Assert.Equal(HttpStatusCode.Created, signed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("InvalidSubject", await wrong.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        var body = await signed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var chain = TestPki.Chain(body.GetProperty("certificateChain").GetString()!);
        Assert.Equal(authority.GetProperty("subject").GetString(), chain[0].Issuer);
        Assert.Equal(body.GetProperty("certificate").GetProperty("thumbprint").GetString(), Assert.Single(await CertificatesAsync(node, "CP-API")).GetProperty("thumbprint").GetString());

        using var mine = TestPki.WithKey(chain[0].ExportCertificatePem(), key);
        await using var charger = await ConnectAsync(node, "CP-API", OcppVersion.Ocpp21, mine);
        await BootAsync(charger, OcppVersion.Ocpp21);
    }

    [Fact]
    public async Task Profile_3_takes_no_password_and_is_kept_when_an_update_does_not_name_a_profile()
    {
        await using var node = await StartAsync();
        using var withPassword = await node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-P", password = "a-long-profile3-secret", securityProfile = 3 }, Ct);
        await RegisterProfile3Async(node, "CP-P");
        using var renamed = await node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-P", displayName = "Bay 7" }, Ct);
        using var passwordOnly = await node.Http.PostAsJsonAsync("/api/v1/chargers", new { id = "CP-P", password = "a-long-profile1-secret" }, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, withPassword.StatusCode);
        Assert.Equal(3, (await renamed.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("securityProfile").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, passwordOnly.StatusCode);
    }

    [Theory]
    [InlineData("ParkCharge:ChargerCertificates:CaCertificate", "/nonexistent/charger-ca.pem", "a CA file cannot be read")]
    [InlineData("ParkCharge:ChargerCertificates:CheckInterval", "-01:00:00", "CheckInterval must be a positive duration")]
    [InlineData("ParkCharge:ChargerCertificates:RenewBefore", "400.00:00:00", "RenewBefore must be 0 or more and shorter than CertificateValidity")]
    public async Task A_node_with_a_certificate_setting_it_cannot_use_does_not_start_and_says_which(string setting, string value, string message)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(new Dictionary<string, string?> { [setting] = value }));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> OperatorCa(X509Certificate2 ca, bool withKey = false)
    {
        var folder = TestStores.NewFolder("operator-ca");
        var (certificate, key) = TestPki.WritePem(ca, folder, "operator-ca");
        return new Dictionary<string, string?>
        {
            ["ParkCharge:ChargerCertificates:CaCertificate"] = certificate,
            ["ParkCharge:ChargerCertificates:CaKey"] = withKey ? key : null,
        };
    }

    /// <summary>A node on HTTPS only (Kestrel, a test-made server certificate) that asks for client certificates.</summary>
    private async Task<TestNode> StartAsync(Dictionary<string, string?>? settings = null, TimeProvider? time = null, StoreEngine engine = StoreEngine.Sqlite)
    {
        var (certificate, key, thumbprint) = TestPki.ServerPem(TestStores.NewFolder("tls"));
        _serverThumbprint = thumbprint;
        var all = new Dictionary<string, string?>
        {
            ["urls"] = null,
            ["Kestrel:Endpoints:Https:Url"] = "https://127.0.0.1:0",
            ["Kestrel:Endpoints:Https:Certificate:Path"] = certificate,
            ["Kestrel:Endpoints:Https:Certificate:KeyPath"] = key,
            ["ParkCharge:ChargerCertificates:RequestOnHttps"] = "true",
        };
        foreach (var (name, value) in settings ?? [])
        {
            all[name] = value;
        }

        return await TestNode.StartAsync(engine, postgres, all, time is null ? null : b => b.Services.AddSingleton(time));
    }

    private static async Task RegisterProfile3Async(TestNode node, string id, string? site = null)
    {
        using var response = await node.Http.PostAsJsonAsync("/api/v1/chargers", new { id, siteId = site, securityProfile = 3 }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static Uri Wss(TestNode node, string id) => new($"wss://{Https(node)}/ocpp/{Uri.EscapeDataString(id)}");

    /// <summary>host:port of the node's HTTPS endpoint (a node may also listen on plain HTTP).</summary>
    private static string Https(TestNode node) =>
        new Uri(node.App.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal))).Authority;

    /// <summary>A charger over TLS (trusting the test's server certificate), presenting <paramref name="certificate"/> if any.</summary>
    private Task<TestCharger> ConnectAsync(TestNode node, string id, OcppVersion version, X509Certificate2? certificate, string? password = null, ChargerScript? script = null) =>
        TestCharger.ConnectAsync(Wss(node, id), version, password, script ?? new ChargerScript(), options =>
        {
            options.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _serverThumbprint;
            if (certificate is not null)
            {
                options.ClientCertificates = [certificate];
            }
        });

    private async Task<(HttpStatusCode? Status, string Body)> RefusedAsync(TestNode node, string id, X509Certificate2? certificate, string? password = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("ocpp2.1");
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _serverThumbprint;
        if (certificate is not null)
        {
            socket.Options.ClientCertificates = [certificate];
        }

        if (password is not null)
        {
            socket.Options.SetRequestHeader("Authorization", "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{password}")));
        }

        await Assert.ThrowsAnyAsync<WebSocketException>(() => socket.ConnectAsync(Wss(node, id), Ct));
        return (socket.HttpStatusCode, await ProblemAsync(node, id, certificate, password));
    }

    /// <summary>The refusal's problem details, from a WebSocket upgrade sent as a plain HTTP/1.1 request.</summary>
    private async Task<string> ProblemAsync(TestNode node, string id, X509Certificate2? certificate, string? password)
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == _serverThumbprint };
        if (certificate is not null)
        {
            handler.ClientCertificateOptions = ClientCertificateOption.Manual;
            handler.ClientCertificates.Add(certificate);
        }

        using var client = new HttpClient(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://{Https(node)}/ocpp/{Uri.EscapeDataString(id)}") { Version = HttpVersion.Version11 };
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        request.Headers.Add("Sec-WebSocket-Protocol", "ocpp2.1");
        if (password is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{password}")));
        }

        using var response = await client.SendAsync(request, Ct);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private static async Task BootAsync(TestCharger charger, OcppVersion version)
    {
        if (version == OcppVersion.Ocpp16)
        {
            var boot16 = await charger.CallAsync(V16.V16Actions.BootNotification, new V16.BootNotificationRequest { ChargePointVendor = "V", ChargePointModel = "M" });
            Assert.Equal(V16.RegistrationStatus.Accepted, boot16.Status);
            return;
        }

        var boot = await charger.CallAsync(V21.V21Actions.BootNotification, new V21.BootNotificationRequest
        {
            Reason = V21.BootReasonEnumType.PowerUp,
            ChargingStation = new V21.ChargingStationType { Model = "M", VendorName = "V" },
        });
        Assert.Equal(V21.RegistrationStatusEnumType.Accepted, boot.Status);
    }

    private static async Task<string> SignCertificateAsync(TestCharger charger, OcppVersion version, string csr) =>
        version == OcppVersion.Ocpp16
            ? (await charger.CallAsync(V16.V16Actions.SignCertificate, new V16.SignCertificateRequest { Csr = csr })).Status.ToString()
            : (await charger.CallAsync(V21.V21Actions.SignCertificate, new V21.SignCertificateRequest
            {
                Csr = csr,
                CertificateType = V21.CertificateSigningUseEnumType.ChargingStationCertificate,
                RequestId = version == OcppVersion.Ocpp21 ? 7 : null,
            })).Status.ToString();

    private static async Task<IReadOnlyList<JsonElement>> CertificatesAsync(TestNode node, string id)
    {
        using var list = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/chargers/{id}/certificates", Ct));
        return [.. list.RootElement.EnumerateArray().Select(c => c.Clone())];
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }

            await Task.Delay(50, Ct);
        }
    }

    /// <summary>True when the charger receives no call for a moment (the server's follow-ups come within milliseconds).</summary>
    private static async Task<bool> NothingFollowsAsync(ChargerScript script)
    {
        var before = script.All.Count;
        await Task.Delay(500, Ct);
        return script.All.Count == before;
    }
}
