using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteHostileEdgeTests(PostgresServer postgres) : HostileEdgeTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresHostileEdgeTests(PostgresServer postgres) : HostileEdgeTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12, findings 2 (cameras) and 7 through real HTTP: a capture time outside the believable window
/// is refused with 400 and breaks neither its camera nor the site; amounts are bounded by the currency's
/// minor units and cannot overflow anything.
/// </summary>
public abstract class HostileEdgeTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateKey = "gate-in-camera-key-0123456789";
    private const string ExitKey = "gate-out-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    private const string Site = $$"""
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{ExitKey}}", "format": "hikvision" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ],
          "bayCameras": [ { "id": "cam-b1", "key": "{{BayKey}}", "bays": [ "B1" ], "format": "plateRecognizer" } ],
          "tariffs": { "parking": [ { "id": "standard", "vat": 19, "bands": [ { "name": "all", "from": "00:00", "to": "00:00", "pricePerUnit": 1.00, "unit": "1h" } ] } ] }
        }
        """;

    private TestNode _node = null!;
    private Storage.StoreOptions _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = await TestStores.CreateOptionsAsync(engine, postgres);
        _node = await TestNode.StartAsync(_store);
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Finding_2_a_read_captured_in_year_1_is_refused_with_400_and_the_camera_and_its_site_read_on_after_a_restart()
    {
        // A healthy camera at the same site pushes all along; not one of its reads may fail.
        using var healthy = new CancellationTokenSource();
        var bayStatuses = BayCameraAsync(healthy.Token);

        using var year1 = await PushAsync("/api/v1/anpr/reads", GateKey, new { cameraId = "gate-in", plate = "YEAR1", confidence = 0.9, capturedAt = "0001-01-01T00:00:00Z" });
        using var year9999 = await PushAsync("/api/v1/anpr/reads", GateKey, new { cameraId = "gate-in", plate = "YEAR9999", confidence = 0.9, capturedAt = "9999-12-31T23:59:59Z" });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var read = await PushAsync("/api/v1/anpr/reads", GateKey, new { cameraId = "gate-in", plate = $"OK{i}", confidence = 0.9, capturedAt = DateTimeOffset.UtcNow });
            statuses.Add(read.StatusCode);
        }

        await healthy.CancelAsync();
        Assert.All(await bayStatuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (year1.StatusCode, year9999.StatusCode));
        Assert.Equal("application/problem+json", year1.Content.Headers.ContentType?.MediaType);
        Assert.Contains("0001-01-01", await year1.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(0, await CountSessionsAsync("YEAR1") + await CountSessionsAsync("YEAR9999"));

        await _node.DisposeAsync();
        _node = await TestNode.StartAsync(_store);
        using var afterRestart = await PushAsync("/api/v1/anpr/reads", GateKey, new { cameraId = "gate-in", plate = "AFTER", confidence = 0.9, capturedAt = DateTimeOffset.UtcNow });
        Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
        Assert.Equal(1, await CountSessionsAsync("AFTER"));
    }

    [Fact]
    public async Task Finding_2_plate_recognizer_and_hikvision_pushes_dated_year_1_or_9999_are_refused_with_400()
    {
        var plateRecognizer = $$"""{"camera_id":"cam-b1","timestamp":"0001-01-01 00:00:00","results":[{"plate":"pr1","score":0.9}]}""";
        using var pr = await PostAsync("/api/v1/anpr/plate-recognizer", new StringContent(plateRecognizer, Encoding.UTF8, "application/json"), BayKey);
        using var hik = await PostAsync($"/api/v1/anpr/hikvision/gate-out?key={ExitKey}", new StringContent(Hikvision("HIK9999", "9999-12-31T23:59:59+00:00"), Encoding.UTF8, "application/xml"));
        using var hikOk = await PostAsync($"/api/v1/anpr/hikvision/gate-out?key={ExitKey}", new StringContent(Hikvision("HIKNOW", DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)), Encoding.UTF8, "application/xml"));

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.OK), (pr.StatusCode, hik.StatusCode, hikOk.StatusCode));
        Assert.Contains("Capture time out of range", await hik.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Finding_7_an_amount_beyond_twelve_digits_of_minor_units_is_refused_with_400_and_the_largest_allowed_twice_overflows_nothing()
    {
        using (var entry = await PushAsync("/api/v1/anpr/reads", GateKey, new { cameraId = "gate-in", plate = "PAYER", confidence = 0.9, capturedAt = DateTimeOffset.UtcNow.AddHours(-2) }))
        {
            Assert.Equal(HttpStatusCode.OK, entry.StatusCode);
        }

        var session = await SessionIdAsync("PAYER");
        using var huge = await PayAsync(session, "79228162514264337593543950335", "EUR");
        using var tooPrecise = await PayAsync(session, "1.001", "EUR");
        using var noCurrency = await PayAsync(session, "1.00", "EURO");
        using var first = await PayAsync(session, "9999999999.99", "eur");
        using var second = await PayAsync(session, "9999999999.99", "EUR");
        using var bill = await _node.Http.GetAsync($"/api/v1/parking-sessions/{session}/bill", TestContext.Current.CancellationToken);
        using var exit = await _node.Http.GetAsync("/api/v1/sites/garage/exit-decision?plate=PAYER", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (huge.StatusCode, tooPrecise.StatusCode, noCurrency.StatusCode));
        // Beyond any number the API takes at all, the request bounds name the field before the currency's own bound would.
        Assert.Contains("\"amount\"", await huge.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode, bill.StatusCode, exit.StatusCode));
        using var paid = JsonDocument.Parse(await bill.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(19_999_999_999.98m, paid.RootElement.GetProperty("paid").GetDecimal());
    }

    [Fact]
    public async Task Finding_7_a_tariff_price_or_quantity_beyond_the_bounds_is_refused_when_the_site_is_configured()
    {
        var priced = Site.Replace("\"pricePerUnit\": 1.00", "\"pricePerUnit\": 79228162514264337593543950335", StringComparison.Ordinal);

        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(priced, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("pricePerUnit", await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private async Task<List<HttpStatusCode>> BayCameraAsync(CancellationToken stop)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; !stop.IsCancellationRequested || i < 5; i++)
        {
            var json = $$"""{"camera_id":"cam-b1","timestamp":"{{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ}}","results":[{"plate":"bay{{i % 3}}","score":0.9}]}""";
            using var response = await PostAsync("/api/v1/anpr/plate-recognizer", new StringContent(json, Encoding.UTF8, "application/json"), BayKey);
            statuses.Add(response.StatusCode);
        }

        return statuses;
    }

    private async Task<int> CountSessionsAsync(string plate)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions?siteId=garage&plate={plate}", TestContext.Current.CancellationToken));
        return page.RootElement.GetProperty("items").GetArrayLength();
    }

    private async Task<string> SessionIdAsync(string plate)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions?siteId=garage&plate={plate}", TestContext.Current.CancellationToken));
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    private Task<HttpResponseMessage> PayAsync(string session, string amount, string currency) =>
        _node.Http.PostAsync(
            $"/api/v1/parking-sessions/{session}/payments",
            new StringContent($$"""{"amount":{{amount}},"currency":"{{currency}}","method":"card"}""", Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);

    private Task<HttpResponseMessage> PushAsync(string path, string key, object read) => PostAsync(path, JsonContent.Create(read), key);

    private async Task<HttpResponseMessage> PostAsync(string path, HttpContent content, string? key = null)
    {
        using var camera = new HttpClient { BaseAddress = _node.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await camera.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static string Hikvision(string plate, string dateTime) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
          <ipAddress>192.168.1.64</ipAddress>
          <channelID>1</channelID>
          <dateTime>{dateTime}</dateTime>
          <eventType>ANPR</eventType>
          <eventState>active</eventState>
          <ANPR>
            <licensePlate>{plate}</licensePlate>
            <confidenceLevel>94</confidenceLevel>
          </ANPR>
        </EventNotificationAlert>
        """;
}
