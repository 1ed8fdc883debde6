using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// The car park of the hostile-input tests, configured through the API as an operator would: a generic
/// entry camera and a Hikvision exit camera with their own keys, a charger serving one EV bay, a parking tariff.
/// </summary>
internal static class Garage
{
    public const string Id = "garage";
    public const string GateKey = "gate-camera-key-0123456789";
    public const string HikKey = "hik-camera-key-0123456789";

    public const string Document = $$"""
        { "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "format": "hikvision", "key": "{{HikKey}}" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ],
          "tariffs": { "parking": [ { "id": "standard", "vat": 19, "bands": [ { "name": "all day", "pricePerUnit": 2.00, "unit": "1h" } ] } ] } }
        """;

    /// <summary>Puts the document (the site is created the first time, changed to it later).</summary>
    public static async Task ConfigureAsync(HttpClient admin)
    {
        using var put = await admin.PutAsync($"/api/v1/sites/{Id}", new StringContent(Document, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(put.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"PUT site: {(int)put.StatusCode}");
    }

    /// <summary>A read of the entry camera, pushed with its key.</summary>
    public static async Task<HttpResponseMessage> EnterAsync(Uri node, string plate, string key = GateKey, DateTimeOffset? capturedAt = null)
    {
        using var camera = new HttpClient { BaseAddress = node };
        camera.DefaultRequestHeaders.Add("X-Camera-Key", key);
        return await camera.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = "gate-in", plate, readId = plate, capturedAt = capturedAt ?? DateTimeOffset.UtcNow.AddMinutes(-20) }, TestContext.Current.CancellationToken);
    }

    /// <summary>A vehicle enters; returns its parking session's id.</summary>
    public static async Task<string> StayAsync(TestNode node, string plate)
    {
        using var entry = await EnterAsync(node.BaseUri, plate);
        Assert.Equal(HttpStatusCode.OK, entry.StatusCode);
        using var page = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/parking-sessions?plate={plate}", TestContext.Current.CancellationToken));
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }
}
