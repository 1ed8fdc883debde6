using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using ParkCharge.Server.Tests.Security;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteCameraPushHardeningTests(PostgresServer postgres) : CameraPushHardeningTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresCameraPushHardeningTests(PostgresServer postgres) : CameraPushHardeningTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, finding 3 and the camera items of the low findings, through real HTTP: a push is authenticated
/// from its headers before a byte of its body is read, every parser is bounded, refusals do not tell which
/// cameras exist, and the rate limit is the camera's, not its address's.
/// </summary>
public abstract class CameraPushHardeningTests(StoreEngine engine, PostgresServer postgres)
{
    private const string GateKey = "gate-camera-key-0123456789";
    private const string HikKey = "hik-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";
    private const string SecondGateKey = "second-gate-camera-key-0123456789";

    private const string Site = $$"""
        { "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateKey}}" }, { "id": "gate-in-2", "key": "{{SecondGateKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "format": "hikvision", "key": "{{HikKey}}" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ],
          "bayCameras": [ { "id": "bay-1", "format": "platerecognizer", "key": "{{BayKey}}", "bays": [ { "bay": "B1" } ] } ] }
        """;

    [Fact]
    public async Task A_push_with_a_wrong_key_is_refused_before_its_body_is_read()
    {
        await using var node = await StartAsync();

        // Headers of a 9 MB XML push, then only the first bytes of it: the answer must come without the rest.
        foreach (var key in new[] { "not-a-key-of-any-camera-000", BayKey })
        {
            var (status, _) = await SendHeadersOnlyAsync(node, "/api/v1/anpr/hikvision/gate-out", $"X-Camera-Key: {key}", 9_000_000, "<a><a><a><a>");
            Assert.Equal(403, status);
        }

        var (noKey, _) = await SendHeadersOnlyAsync(node, "/api/v1/anpr/reads", null, 9_000_000, "[{\"cameraId\":");
        Assert.Equal(401, noKey);
    }

    [Fact]
    public async Task Xml_nested_thousands_of_levels_deep_is_refused_at_the_depth_limit_and_the_camera_goes_on()
    {
        await using var node = await StartAsync();
        var nested = string.Concat(Enumerable.Repeat("<a>", 100_000)) + string.Concat(Enumerable.Repeat("</a>", 100_000));
        var wide = "<EventNotificationAlert>" + string.Concat(Enumerable.Repeat("<x/>", 20_000)) + "</EventNotificationAlert>";

        using var deep = await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", HikKey, new StringContent(nested, Encoding.UTF8, "application/xml"));
        using var many = await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", HikKey, new StringContent(wide, Encoding.UTF8, "application/xml"));
        using var next = await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", HikKey, new StringContent(HikvisionXml("AB123CD"), Encoding.UTF8, "application/xml"));

        Assert.Equal(HttpStatusCode.BadRequest, deep.StatusCode);
        Assert.Contains("nested more than 32 levels", await deep.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, many.StatusCode);
        Assert.Contains("more than 10000 elements", await many.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Hostile_json_values_in_a_push_get_a_400_that_names_them_never_a_500()
    {
        await using var node = await StartAsync();
        var tooMany = "[" + string.Join(",", Enumerable.Repeat("""{"cameraId":"gate-in","plate":"A1"}""", 101)) + "]";
        var bodies = new Dictionary<string, string>
        {
            ["lone surrogate"] = """{"cameraId":"gate-in","plate":"AB\ud800"}""",
            ["lone surrogate in a name"] = """{"cameraId":"gate-in","\udc00":"x","plate":"AB"}""",
            ["huge number"] = """{"cameraId":"gate-in","plate":"AB1","confidence":1e400}""",
            ["long plate"] = $$"""{"cameraId":"gate-in","plate":"{{new string('A', 100_000)}}"}""",
            ["too many reads"] = tooMany,
            ["deep nesting"] = new string('[', 10_000) + new string(']', 10_000),
        };

        foreach (var (name, body) in bodies)
        {
            using var response = await PushAsync(node, "/api/v1/anpr/reads", GateKey, new StringContent(body, Encoding.UTF8, "application/json"));
            var problem = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {problem}");
            Assert.True(problem.Length < 10_000, $"{name}: the problem repeats the body ({problem.Length} characters)");
        }

        var plateRecognizer = $$"""{"camera_id":"bay-1","timestamp":"2026-03-02T10:00:00Z","results":[{"plate":"ab\udfff","score":0.9}]}""";
        using var vendor = await PushAsync(node, "/api/v1/anpr/plate-recognizer", BayKey, new StringContent(plateRecognizer, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, vendor.StatusCode);
        using var valid = await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "gate-in", plate = "AB123CD" }));
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
    }

    [Fact]
    public async Task A_push_over_the_size_limit_gets_413_not_500()
    {
        await using var node = await StartAsync();

        // 11 MB announced (more than any push may have; Kestrel's own default would take 30 MB): refused at once.
        var (status, head) = await SendHeadersOnlyAsync(node, "/api/v1/anpr/reads", $"X-Camera-Key: {GateKey}", 11 * 1024 * 1024, "[");

        Assert.Equal(413, status);
        Assert.Contains("application/problem+json", head, StringComparison.Ordinal);
        using var next = await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "gate-in", plate = "AB123CD" }));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task An_unknown_camera_and_a_wrong_key_are_answered_alike()
    {
        await using var node = await StartAsync();
        var xml = HikvisionXml("AB123CD");

        var answers = new List<(string Case, HttpResponseMessage Response)>
        {
            ("unknown camera, a real key", await PushAsync(node, "/api/v1/anpr/hikvision/no-such-camera", HikKey, new StringContent(xml, Encoding.UTF8, "application/xml"))),
            ("known camera, another camera's key", await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", GateKey, new StringContent(xml, Encoding.UTF8, "application/xml"))),
            ("known camera, an unknown key", await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", "guessed-key-0123456789", new StringContent(xml, Encoding.UTF8, "application/xml"))),
            ("unknown camera, an unknown key", await PushAsync(node, "/api/v1/anpr/hikvision/no-such-camera", "guessed-key-0123456789", new StringContent(xml, Encoding.UTF8, "application/xml"))),
            ("generic read naming another camera", await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "gate-out", plate = "AB1" }))),
            ("generic read naming no such camera", await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "nowhere", plate = "AB1" }))),
        };

        var expected = await ProblemWithoutTraceAsync(answers[0].Response);
        foreach (var (name, response) in answers)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name}: {(int)response.StatusCode}");
            Assert.Equal(expected, await ProblemWithoutTraceAsync(response));
            response.Dispose();
        }
    }

    [Fact]
    public async Task Camera_pushes_are_rate_limited_per_camera_not_per_sender_address()
    {
        await using var node = await StartAsync(new Dictionary<string, string?>
        {
            ["ParkCharge:RateLimits:Camera:TokenLimit"] = "3",
            ["ParkCharge:RateLimits:Camera:TokensPerPeriod"] = "1",
            ["ParkCharge:RateLimits:Camera:PeriodSeconds"] = "3600",
        });

        // Both cameras push from 127.0.0.1, as cameras behind one router do.
        var busy = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var push = await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "gate-in", plate = $"AB{i}", readId = $"r{i}" }));
            busy.Add(push.StatusCode);
        }

        // The neighbour pushes to the same URL from the same address: only its key tells it apart.
        using var neighbour = await PushAsync(node, "/api/v1/anpr/reads", SecondGateKey, JsonContent.Create(new { cameraId = "gate-in-2", plate = "XY987" }));
        using var vendor = await PushAsync(node, "/api/v1/anpr/hikvision/gate-out", HikKey, new StringContent(HikvisionXml("XY988"), Encoding.UTF8, "application/xml"));

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], busy);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [neighbour.StatusCode, vendor.StatusCode]);
    }

    [Fact]
    public async Task A_camera_push_writes_no_authentication_noise_to_the_log()
    {
        var log = new CapturedLog();
        await using var node = await StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" }, log);

        using var push = await PushAsync(node, "/api/v1/anpr/reads", GateKey, JsonContent.Create(new { cameraId = "gate-in", plate = "AB123CD" }));
        using var withBearer = await node.ClientWith(HikKey).PostAsync("/api/v1/anpr/hikvision/gate-out",
            new StringContent(HikvisionXml("XY987"), Encoding.UTF8, "application/xml"), TestContext.Current.CancellationToken);

        // A charger's Basic credentials (OCPP) are not an API key refused either.
        using var charger = new HttpRequestMessage(HttpMethod.Get, "/ocpp/CP-1");
        charger.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("CP-1:a-charger-password-0123")));
        using var ocpp = await new HttpClient { BaseAddress = node.BaseUri }.SendAsync(charger, TestContext.Current.CancellationToken);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [push.StatusCode, withBearer.StatusCode]);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Information && e.Message.Contains("not authenticated", StringComparison.OrdinalIgnoreCase));
    }

    private async Task<TestNode> StartAsync(Dictionary<string, string?>? settings = null, CapturedLog? log = null)
    {
        var node = await TestNode.StartAsync(engine, postgres, settings, log is null ? null : b => b.Logging.AddProvider(log));
        using var put = await node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return node;
    }

    private static async Task<HttpResponseMessage> PushAsync(TestNode node, string path, string key, HttpContent content)
    {
        using var client = new HttpClient { BaseAddress = node.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Add("X-Camera-Key", key);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static Task<(int Status, string Head)> SendHeadersOnlyAsync(TestNode node, string path, string? header, long contentLength, string start) =>
        RawHttp.SendHeadersOnlyAsync(node.BaseUri, "POST", path, header is null ? [] : [header], contentLength, start);

    private static async Task<string> ProblemWithoutTraceAsync(HttpResponseMessage response)
    {
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return string.Join("|", problem.RootElement.EnumerateObject().Where(p => p.Name != "traceId").Select(p => $"{p.Name}={p.Value}"));
    }

    private static string HikvisionXml(string plate) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
          <dateTime>{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:sszzz}</dateTime>
          <eventType>ANPR</eventType>
          <eventState>active</eventState>
          <UUID>{Guid.NewGuid()}</UUID>
          <ANPR><licensePlate>{plate}</licensePlate><confidenceLevel>90</confidenceLevel></ANPR>
        </EventNotificationAlert>
        """;
}
