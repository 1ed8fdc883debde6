using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Auth;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Anpr;

public sealed class SqliteAnprPushTests(PostgresServer postgres) : AnprPushTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresAnprPushTests(PostgresServer postgres) : AnprPushTests(StoreEngine.Postgres, postgres);

/// <summary>Camera pushes through real HTTP: authentication per camera, acknowledgement after storage, repeats, vendor formats, the parking API.</summary>
public abstract class AnprPushTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateInKey = "gate-in-key-0123456789";
    private const string GateOutKey = "gate-out-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        await _node.RegisterChargerAsync("CP1", site: "garage");
        await _node.ConfigureSiteAsync(new SiteConfiguration
        {
            Id = new SiteId("garage"),
            Name = "Garage",
            TimeZone = "Europe/Berlin",
            Currency = "EUR",
            Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit)],
            Cameras =
            [
                new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = Secrets.HashApiKey(GateInKey), Format = CameraFormat.Generic },
                new CameraConfiguration { Id = "gate-out", Lane = "out", KeyHash = Secrets.HashApiKey(GateOutKey), Format = CameraFormat.Hikvision },
                new CameraConfiguration { Id = "bay-1", Bays = [new CameraBay("B1")], KeyHash = Secrets.HashApiKey(BayKey), Format = CameraFormat.PlateRecognizer },
            ],
            EvBays = [new EvBayConfiguration { Id = "B1", Charger = new ChargerId("CP1"), Connector = 1 }],
            OrdinaryBays = 10,
            Settings = new SiteSettings { StoreImages = false },
            CameraHealth = new CameraHealthSettings(), // as a site file or the API gives it
            InferredStays = new InferredStaySettings(),
        });
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_generic_entry_read_and_a_hikvision_exit_read_make_a_closed_parking_session()
    {
        // Yesterday (capture times must lie within a year of their arrival), in a camera's +01:00 local time.
        var day = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1), DateTimeKind.Unspecified);
        var entered = new DateTimeOffset(day.AddHours(8).AddMinutes(15), TimeSpan.FromHours(1));
        using var entry = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "B-CD 1234", confidence = 0.93, capturedAt = entered, readId = "r-1" });
        Assert.Equal(HttpStatusCode.OK, entry.StatusCode);

        using var exit = await PostAsync($"/api/v1/anpr/hikvision/gate-out?key={GateOutKey}", new StringContent(HikvisionXml("BCD1234", $"{day:yyyy-MM-dd}T11:45:00+01:00"), Encoding.UTF8, "application/xml"));
        Assert.Equal(HttpStatusCode.OK, exit.StatusCode);

        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=b-cd 1234", TestContext.Current.CancellationToken));
        var session = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("BCD1234", session.GetProperty("plate").GetString());
        Assert.Equal("Closed", session.GetProperty("status").GetString());
        Assert.Equal(entered, session.GetProperty("enteredAt").GetDateTimeOffset());
        Assert.Equal(new DateTimeOffset(day.AddHours(10).AddMinutes(45), TimeSpan.Zero), session.GetProperty("exitedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_repeated_push_is_recognised_and_changes_nothing()
    {
        var read = new { cameraId = "gate-in", plate = "XYZ987", confidence = 0.9, capturedAt = DateTimeOffset.UtcNow, readId = "same-read" };

        using var first = await PushGenericAsync(GateInKey, read);
        using var second = await PushGenericAsync(GateInKey, read);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [first.StatusCode, second.StatusCode]);
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=XYZ987", TestContext.Current.CancellationToken));
        var session = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        using var detail = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{session.GetProperty("id").GetString()}", TestContext.Current.CancellationToken));
        Assert.Equal(1, Assert.Single(detail.RootElement.GetProperty("sightings").EnumerateArray()).GetProperty("readCount").GetInt32());
    }

    [Fact]
    public async Task A_camera_key_used_for_another_cameras_id_is_refused_and_nothing_is_stored()
    {
        using var wrongKey = await PushGenericAsync(BayKey, new { cameraId = "gate-in", plate = "EVIL1", confidence = 0.99, capturedAt = DateTimeOffset.UtcNow });
        using var unknown = await PushGenericAsync(GateInKey, new { cameraId = "nowhere", plate = "EVIL2", confidence = 0.99, capturedAt = DateTimeOffset.UtcNow });
        using var noKey = await PostAsync("/api/v1/anpr/reads", JsonContent.Create(new { cameraId = "gate-in", plate = "EVIL3", capturedAt = DateTimeOffset.UtcNow }));

        Assert.Equal(HttpStatusCode.Forbidden, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal("application/problem+json", wrongKey.Content.Headers.ContentType?.MediaType);
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions", TestContext.Current.CancellationToken));
        Assert.Empty(page.RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_push_that_cannot_be_read_gets_a_problem_naming_what_is_wrong()
    {
        using var response = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "ABC", confidence = 1.7, capturedAt = "yesterday" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("confidence", problem, StringComparison.Ordinal);
        Assert.Contains("capturedAt", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_plate_recognizer_bay_read_starts_a_visit_shown_at_the_bay()
    {
        using var entry = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = DateTimeOffset.UtcNow.AddMinutes(-5) });
        var json = $$"""{"camera_id":"bay-1","timestamp":"{{DateTimeOffset.UtcNow.AddMinutes(-1):yyyy-MM-ddTHH:mm:ss.fffZ}}","filename":"bay.jpg","results":[{"plate":"bcd1234","score":0.91,"dscore":0.8,"box":{"xmin":10,"ymin":10,"xmax":60,"ymax":30},"region":{"code":"de","score":0.9},"vehicle":{"type":"Sedan","score":0.8},"candidates":[{"plate":"bcd1234","score":0.91}]}]}""";

        using var bay = await PostAsync("/api/v1/anpr/plate-recognizer", new StringContent(json, Encoding.UTF8, "application/json"), BayKey);

        Assert.Equal(HttpStatusCode.OK, bay.StatusCode);
        using var bays = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/bays", TestContext.Current.CancellationToken));
        var occupant = Assert.Single(bays.RootElement.EnumerateArray()).GetProperty("occupant");
        Assert.Equal("BCD1234", occupant.GetProperty("plate").GetString());
        Assert.NotEqual(JsonValueKind.Null, occupant.GetProperty("parkingSessionId").ValueKind);
        using var occupancy = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/occupancy", TestContext.Current.CancellationToken));
        Assert.Equal((1, 1, 11), (occupancy.RootElement.GetProperty("vehiclesInside").GetInt32(), occupancy.RootElement.GetProperty("evBaysOccupied").GetInt32(), occupancy.RootElement.GetProperty("capacity").GetInt32()));
    }

    [Fact]
    public async Task The_cameras_endpoint_shows_each_cameras_health_from_its_pushes()
    {
        var ct = TestContext.Current.CancellationToken;
        var captured = DateTimeOffset.UtcNow.AddSeconds(-20);
        using var entry = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = captured });
        using var poor = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "XY", confidence = 0.3, capturedAt = captured.AddSeconds(5) });
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [entry.StatusCode, poor.StatusCode]);

        using var cameras = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/cameras", ct));

        var byId = cameras.RootElement.EnumerateArray().ToDictionary(c => c.GetProperty("id").GetString()!);
        Assert.Equal(["gate-in", "gate-out", "bay-1"], byId.Keys);
        var gateIn = byId["gate-in"];
        Assert.Equal(("Ok", "in", "generic", 2, 2), (gateIn.GetProperty("status").GetString(), gateIn.GetProperty("lane").GetString(),
            gateIn.GetProperty("format").GetString(), gateIn.GetProperty("readsLastHour").GetInt32(), gateIn.GetProperty("recentReads").GetInt32()));
        Assert.Equal(0.5, gateIn.GetProperty("lowConfidenceShare").GetDouble());
        Assert.Equal(captured.AddSeconds(5), gateIn.GetProperty("lastCaptureAt").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));
        Assert.InRange(gateIn.GetProperty("lastReadAt").GetDateTimeOffset(), captured, DateTimeOffset.UtcNow);
        Assert.Equal(JsonValueKind.Null, gateIn.GetProperty("clockOffset").ValueKind); // one span of pushes is no estimate
        Assert.Equal(("NoReadsYet", 0), (byId["gate-out"].GetProperty("status").GetString(), byId["gate-out"].GetProperty("readsLastHour").GetInt32()));
        Assert.Equal(["B1"], byId["bay-1"].GetProperty("bays").EnumerateArray().Select(b => b.GetString()));

        using var missing = await _node.Http.GetAsync("/api/v1/sites/nowhere/cameras", ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var types = await _node.Http.GetStringAsync("/api/v1/events/types", ct);
        Assert.All(["camera.silent", "camera.clock_skewed", "camera.degraded", "camera.recovered"], t => Assert.Contains($"\"{t}\"", types, StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_exit_without_entry_read_at_a_bay_is_inferred_visibly_and_the_entry_cameras_late_read_replaces_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var day = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1), DateTimeKind.Unspecified);
        var parked = new DateTimeOffset(day.AddHours(9).AddMinutes(40), TimeSpan.Zero);
        var bayRead = $$"""{"camera_id":"bay-1","timestamp":"{{parked:yyyy-MM-ddTHH:mm:ss.fffZ}}","filename":"bay.jpg","results":[{"plate":"kl7788","score":0.91,"dscore":0.8,"box":{"xmin":10,"ymin":10,"xmax":60,"ymax":30},"candidates":[{"plate":"kl7788","score":0.91}]}]}""";
        using var bay = await PostAsync("/api/v1/anpr/plate-recognizer", new StringContent(bayRead, Encoding.UTF8, "application/json"), BayKey);
        using var exit = await PostAsync($"/api/v1/anpr/hikvision/gate-out?key={GateOutKey}", new StringContent(HikvisionXml("KL7788", $"{day:yyyy-MM-dd}T11:10:00Z"), Encoding.UTF8, "application/xml"));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], [bay.StatusCode, exit.StatusCode]);

        using (var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=KL7788", ct)))
        {
            var stay = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal(parked, stay.GetProperty("enteredAt").GetDateTimeOffset());
            Assert.Equal(["ExitWithoutEntry", "EntryInferred"], stay.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()));
        }

        using (var review = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-anomalies?siteId=garage&kind=StayInferred&resolved=false", ct)))
        {
            Assert.Contains("entry inferred", Assert.Single(review.RootElement.GetProperty("items").EnumerateArray()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        var inferred = Assert.Single(await EventsAsync("parking.session_inferred"));
        Assert.Equal(("entry", parked, true), (inferred.GetProperty("end").GetString(), inferred.GetProperty("at").GetDateTimeOffset(), inferred.GetProperty("billed").GetBoolean()));

        // The entry camera's buffer delivers its read of 09:05: the stay's real entry, the mark and the review item gone.
        var entered = new DateTimeOffset(day.AddHours(9).AddMinutes(5), TimeSpan.Zero);
        using var late = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "KL7788", confidence = 0.95, capturedAt = entered });
        Assert.Equal(HttpStatusCode.OK, late.StatusCode);

        using var after = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=KL7788", ct));
        var corrected = Assert.Single(after.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal((entered, "Closed"), (corrected.GetProperty("enteredAt").GetDateTimeOffset(), corrected.GetProperty("status").GetString()));
        Assert.Empty(corrected.GetProperty("anomalies").EnumerateArray());
        Assert.Contains(await EventsAsync("parking.session_updated"), e => e.GetProperty("change").GetString()!.Contains("replacing the inferred entry", StringComparison.Ordinal));
        using var none = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-anomalies?siteId=garage&kind=StayInferred&resolved=false", ct));
        Assert.Empty(none.RootElement.GetProperty("items").EnumerateArray());
    }

    private async Task<List<JsonElement>> EventsAsync(string type)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/events?site=garage&type={type}&limit=100", TestContext.Current.CancellationToken));
        return [.. page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("data").Clone())];
    }

    [Fact]
    public async Task An_operator_closes_a_session_and_the_audit_trail_says_who_and_why()
    {
        using var entry = await PushGenericAsync(GateInKey, new { cameraId = "gate-in", plate = "LOST42", confidence = 0.95, capturedAt = DateTimeOffset.UtcNow.AddHours(-2) });
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?plate=LOST42", TestContext.Current.CancellationToken));
        var id = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray()).GetProperty("id").GetString();

        using var noReason = await _node.Http.PostAsJsonAsync($"/api/v1/parking-sessions/{id}/close", new { reason = "" }, TestContext.Current.CancellationToken);
        using var closed = await _node.Http.PostAsJsonAsync($"/api/v1/parking-sessions/{id}/close", new { reason = "barrier opened by hand" }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(HttpStatusCode.OK, closed.StatusCode);
        using var session = JsonDocument.Parse(await closed.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Closed", session.RootElement.GetProperty("status").GetString());
        var audit = Assert.Single(session.RootElement.GetProperty("audit").EnumerateArray());
        Assert.Equal("barrier opened by hand", audit.GetProperty("reason").GetString());
        Assert.Contains("configured admin key", audit.GetProperty("by").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> PushGenericAsync(string key, object read) =>
        PostAsync("/api/v1/anpr/reads", JsonContent.Create(read), key);

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

    private static string HikvisionXml(string plate, string dateTime) => $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
          <ipAddress>192.168.1.64</ipAddress>
          <channelID>1</channelID>
          <dateTime>{dateTime}</dateTime>
          <activePostCount>1</activePostCount>
          <eventType>ANPR</eventType>
          <eventState>active</eventState>
          <eventDescription>ANPR</eventDescription>
          <ANPR>
            <country>DE</country>
            <licensePlate>{plate}</licensePlate>
            <confidenceLevel>94</confidenceLevel>
            <direction>reverse</direction>
            <vehicleType>vehicle</vehicleType>
          </ANPR>
        </EventNotificationAlert>
        """;
}
