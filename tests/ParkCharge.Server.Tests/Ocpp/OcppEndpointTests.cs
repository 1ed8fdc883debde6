using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Hosting;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Ocpp;

/// <summary>The OCPP-J handshake and connection life: subprotocols, registration, Basic auth, TLS, reconnects, keep-alive.</summary>
public sealed class OcppEndpointTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Password = "endpoint-test-secret";

    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_charger_offering_no_supported_ocpp_version_is_refused_with_a_problem_naming_the_supported_ones()
    {
        await _node.RegisterChargerAsync("CP-1");

        var (status, body) = await UpgradeAsync("CP-1", "ocpp1.5", "ocpp2.2");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("ocpp2.1, ocpp2.0.1, ocpp1.6", body, StringComparison.Ordinal);
        Assert.Contains("ocpp1.5, ocpp2.2", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ocpp2.1", "ocpp1.6,ocpp2.0.1,ocpp2.1")]
    [InlineData("ocpp2.1", "ocpp2.1,ocpp2.0.1,ocpp1.6")]
    [InlineData("ocpp2.1", "ocpp1.6,ocpp2.1")]
    [InlineData("ocpp2.1", "ocpp2.0,ocpp2.1,ocpp1.5")]
    [InlineData("ocpp2.0.1", "ocpp1.6,ocpp2.0.1")]
    [InlineData("ocpp2.0.1", "ocpp2.0.1,ocpp1.6")]
    [InlineData("ocpp2.0.1", "ocpp2.2,ocpp2.0.1")]
    [InlineData("ocpp1.6", "ocpp1.5,ocpp1.6")]
    [InlineData("ocpp2.1", "ocpp2.1")]
    public async Task A_charger_offering_several_versions_gets_the_newest_parkcharge_speaks_whatever_its_order(string expected, string offered)
    {
        await _node.RegisterChargerAsync("CP-1");
        using var socket = new ClientWebSocket();
        foreach (var protocol in offered.Split(','))
        {
            socket.Options.AddSubProtocol(protocol);
        }

        await socket.ConnectAsync(_node.OcppUri("CP-1"), TestContext.Current.CancellationToken);

        Assert.Equal(expected, socket.SubProtocol);
        using var view = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-1", TestContext.Current.CancellationToken));
        Assert.Equal(expected["ocpp".Length..], view.RootElement.GetProperty("ocppVersion").GetString());
    }

    [Fact]
    public async Task An_unregistered_charger_is_answered_exactly_as_a_registered_one_with_a_wrong_password()
    {
        await _node.RegisterChargerAsync("CP-REAL", Password);

        var (unknown, unknownBody, unknownChallenge) = await UpgradeWithHeadersAsync("CP-GHOST", basic: ("CP-GHOST", "a-guessed-password"));
        var (wrong, wrongBody, wrongChallenge) = await UpgradeWithHeadersAsync("CP-REAL", basic: ("CP-REAL", "a-guessed-password"));
        var (unknownBare, unknownBareBody, _) = await UpgradeWithHeadersAsync("CP-GHOST");
        var (wrongBare, wrongBareBody, _) = await UpgradeWithHeadersAsync("CP-REAL");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unknown, wrong));
        Assert.Equal(wrongBody, unknownBody);
        Assert.Equal(wrongChallenge, unknownChallenge);
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (unknownBare, wrongBare));
        Assert.Equal(wrongBareBody, unknownBareBody);
        Assert.DoesNotContain("GHOST", unknownBody, StringComparison.Ordinal);
        Assert.Contains("POST /api/v1/chargers", unknownBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Repeated_failures_for_one_charger_are_refused_with_429_for_the_rest_of_the_minute_and_others_still_connect()
    {
        await _node.RegisterChargerAsync("CP-VICTIM", Password);
        await _node.RegisterChargerAsync("CP-OTHER", Password);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            statuses.Add((await UpgradeWithHeadersAsync("CP-VICTIM", basic: ("CP-VICTIM", $"guess-{i}"))).Status);
        }

        using var throttled = await SendUpgradeAsync("CP-VICTIM", ("CP-VICTIM", Password));
        await using var other = await TestCharger.ConnectAsync(_node.OcppUri("CP-OTHER"), OcppVersion.Ocpp16, Password);
        await other.CallAsync(V16Actions.Heartbeat, new HeartbeatRequest());

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, 10).Concat(Enumerable.Repeat(HttpStatusCode.TooManyRequests, 2)), statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.InRange(throttled.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Guessing_many_charger_identities_from_one_address_is_slowed_down_too()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 105; i++)
        {
            statuses.Add((await UpgradeWithHeadersAsync($"CP-SCAN-{i}", basic: ($"CP-SCAN-{i}", "guess"))).Status);
        }

        Assert.Equal(100, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }

    [Fact]
    public async Task An_unregistered_charger_is_registered_at_the_configured_site_when_auto_registration_is_on()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:Registration"] = "AutoRegister",
            ["ParkCharge:Ocpp:AutoRegisterSite"] = "lobby",
        });

        await using var charger = await TestCharger.ConnectAsync(node.OcppUri("NEWCOMER"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "V", ChargePointModel = "M" });

        using var view = JsonDocument.Parse(await node.Http.GetStringAsync("/api/v1/chargers/NEWCOMER", TestContext.Current.CancellationToken));
        Assert.Equal("lobby", view.RootElement.GetProperty("siteId").GetString());
        Assert.True(view.RootElement.GetProperty("connection").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task A_charger_with_a_password_must_send_it_with_its_own_identity()
    {
        await _node.RegisterChargerAsync("CP-1", Password);

        var (none, _) = await UpgradeAsync("CP-1", "ocpp1.6");
        var (wrong, _) = await UpgradeAsync("CP-1", "ocpp1.6", basic: ("CP-1", "not-the-password-at-all"));
        var (otherUser, _) = await UpgradeAsync("CP-1", "ocpp1.6", basic: ("CP-2", Password));
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16, Password);
        var boot = await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "V", ChargePointModel = "M" });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], [none, wrong, otherUser]);
        Assert.Equal(RegistrationStatus.Accepted, boot.Status);
        Assert.Equal(300, boot.Interval);
    }

    [Fact]
    public async Task Security_profile_2_is_refused_over_plain_ws()
    {
        await _node.RegisterChargerAsync("CP-TLS", Password, securityProfile: 2);

        var (status, body) = await UpgradeAsync("CP-TLS", "ocpp1.6", basic: ("CP-TLS", Password));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("wss://", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Security_profile_2_connects_over_tls_with_basic_auth()
    {
        using var certificate = SelfSignedCertificate();
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, configure: builder =>
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate))));
        await node.RegisterChargerAsync("CP-TLS", Password, securityProfile: 2);
        Assert.Equal("https", node.BaseUri.Scheme);

        var uri = new Uri($"wss://{node.BaseUri.Authority}/ocpp/CP-TLS");
        await using var charger = await TestCharger.ConnectAsync(uri, OcppVersion.Ocpp16, Password, configure: o =>
            o.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString());
        var boot = await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "V", ChargePointModel = "M" });

        Assert.Equal(RegistrationStatus.Accepted, boot.Status);
    }

    [Fact]
    public async Task A_reconnecting_charger_replaces_its_old_connection_which_is_closed_and_stays_connected()
    {
        await _node.RegisterChargerAsync("CP-1");
        await using var first = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await first.CallAsync(V16Actions.Heartbeat, new HeartbeatRequest());

        await using var second = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await second.CallAsync(V16Actions.Heartbeat, new HeartbeatRequest());
        await first.Closed.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, first.Socket.CloseStatus);
        var connection = await ConnectionAsync("CP-1");
        Assert.True(connection.GetProperty("connected").GetBoolean());
        await second.CallAsync(V16Actions.Heartbeat, new HeartbeatRequest());
    }

    [Fact]
    public async Task A_closed_connection_shows_the_charger_disconnected_with_the_reason()
    {
        await _node.RegisterChargerAsync("CP-1");
        var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp201);
        Assert.True((await ConnectionAsync("CP-1")).GetProperty("connected").GetBoolean());

        await charger.DisposeAsync();

        var connection = await EventuallyAsync(() => ConnectionAsync("CP-1"), c => !c.GetProperty("connected").GetBoolean());
        Assert.StartsWith("closed (1000", connection.GetProperty("lastDisconnectReason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_charger_that_stops_answering_pings_is_disconnected()
    {
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:PingIntervalSeconds"] = "1",
            ["ParkCharge:Ocpp:PingTimeoutSeconds"] = "1",
        });
        await node.RegisterChargerAsync("CP-SILENT");

        // A raw TCP client completes the WebSocket handshake and then goes silent: no pongs.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(node.BaseUri.Host, node.BaseUri.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"GET /ocpp/CP-SILENT HTTP/1.1\r\nHost: {node.BaseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n\r\n"), TestContext.Current.CancellationToken);
        var response = new byte[1024];
        var read = await stream.ReadAsync(response, TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 101", Encoding.ASCII.GetString(response, 0, read), StringComparison.Ordinal);
        Assert.True((await ConnectionAsync("CP-SILENT", node)).GetProperty("connected").GetBoolean());

        var connection = await EventuallyAsync(() => ConnectionAsync("CP-SILENT", node), c => !c.GetProperty("connected").GetBoolean(), TimeSpan.FromSeconds(20));

        Assert.False(connection.GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task A_plain_http_request_to_the_ocpp_endpoint_is_told_to_use_a_websocket()
    {
        using var anonymous = new HttpClient { BaseAddress = _node.BaseUri };
        using var response = await anonymous.GetAsync("/ocpp/CP-1", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<(HttpStatusCode Status, string Body, string? Challenge)> UpgradeWithHeadersAsync(string charger, (string User, string Password)? basic = null)
    {
        using var response = await SendUpgradeAsync(charger, basic);
        // The problem document without its trace id (which differs per request by design).
        var body = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!.AsObject();
        body.Remove("traceId");
        return (response.StatusCode, body.ToJsonString(), response.Headers.WwwAuthenticate.ToString());
    }

    /// <summary>A WebSocket upgrade by hand (ocpp1.6 unless told otherwise), to read the refusal's status, headers and problem document.</summary>
    private async Task<HttpResponseMessage> SendUpgradeAsync(string charger, (string User, string Password)? basic, string protocols = "ocpp1.6")
    {
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/ocpp/{charger}");
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
        request.Headers.Add("Sec-WebSocket-Protocol", protocols);
        if (basic is { } b)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{b.User}:{b.Password}")));
        }

        var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        return response;
    }

    private async Task<(HttpStatusCode Status, string Body)> UpgradeAsync(string charger, string protocols, string? more = null, (string User, string Password)? basic = null)
    {
        using var response = await SendUpgradeAsync(charger, basic, more is null ? protocols : $"{protocols}, {more}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private async Task<JsonElement> ConnectionAsync(string charger, TestNode? node = null)
    {
        using var view = JsonDocument.Parse(await (node ?? _node).Http.GetStringAsync($"/api/v1/chargers/{charger}"));
        return view.RootElement.GetProperty("connection").Clone();
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var until = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var value = await read();
            if (done(value) || DateTime.UtcNow > until)
            {
                return value;
            }

            await Task.Delay(100);
        }
    }

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
