using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Anpr;

/// <summary>
/// A car park whose gates and bays are watched by cameras of every vendor format, configured through the API with a
/// site document as an operator writes it (formats, mounting, time zones, field maps), on SQLite or PostgreSQL.
/// </summary>
public abstract class VendorSite(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    public const string Id = "vendors";

    public TestNode Node { get; private set; } = null!;

    public static string Key(string camera) => $"{camera}-key-0123456789";

    public static string Document => $$"""
        { "id": "{{Id}}", "name": "Every vendor", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 40,
          "lanes": [
            { "id": "north-in", "direction": "entry", "cameras": [
                { "id": "axis-in", "format": "axis", "key": "{{Key("axis-in")}}" },
                { "id": "dahua-in", "format": "dahua", "key": "{{Key("dahua-in")}}" },
                { "id": "acme-in", "format": "mapped", "key": "{{Key("acme-in")}}",
                  "map": { "plate": "$.event.lpr.text", "confidence": "$.event.lpr.score", "time": "$.event.ts", "timeFormat": "unix",
                           "direction": "$.event.lpr.dir", "directions": { "ENTERING": "in", "LEAVING": "out" }, "readId": "$.event.id" } } ] },
            { "id": "north-out", "direction": "exit", "cameras": [
                { "id": "axis-out", "format": "axis", "key": "{{Key("axis-out")}}" },
                { "id": "dahua-out", "format": "dahua", "key": "{{Key("dahua-out")}}", "timeZone": "Asia/Shanghai" },
                { "id": "vigil-out", "format": "mapped", "key": "{{Key("vigil-out")}}",
                  "map": { "document": "xml", "plate": "/Event/Plate/Text", "confidence": "/Event/Plate/@confidence", "confidenceScale": 100,
                           "time": "/Event/Header/Time" } } ] },
            { "id": "west", "direction": "both", "cameras": [
                { "id": "104", "format": "openalpr", "key": "{{Key("104")}}", "headingIn": 90 },
                { "id": "ms-west", "format": "milesight", "key": "{{Key("ms-west")}}" } ] } ],
          "chargers": [ { "id": "CP-V1" } ],
          "evBays": [ { "id": "EV-3", "charger": "CP-V1", "connector": 1 } ],
          "bayCameras": [ { "id": "hik-bays", "format": "hikvision", "key": "{{Key("hik-bays")}}", "bays": [ { "bay": "EV-3", "zone": "3" } ] } ] }
        """;

    public async ValueTask InitializeAsync()
    {
        Node = await TestNode.StartAsync(engine, postgres);
        using var put = await Node.Http.PutAsync($"/api/v1/sites/{Id}", new StringContent(Document, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.True(put.StatusCode == HttpStatusCode.Created, await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync() => await Node.DisposeAsync();
}

public sealed class SqliteVendorSite(PostgresServer postgres) : VendorSite(StoreEngine.Sqlite, postgres);

public sealed class PostgresVendorSite(PostgresServer postgres) : VendorSite(StoreEngine.Postgres, postgres);

public sealed class SqliteVendorPushTests(SqliteVendorSite site) : VendorPushTests(site), IClassFixture<SqliteVendorSite>;

public sealed class PostgresVendorPushTests(PostgresVendorSite site) : VendorPushTests(site), IClassFixture<PostgresVendorSite>;

/// <summary>
/// Each vendor format end to end through real HTTP into a node: a vehicle read at entry and at exit in the vendor's
/// own push has one closed parking session with the times the cameras meant, whatever their clocks' zones.
/// </summary>
public abstract class VendorPushTests(VendorSite site)
{
    private static readonly DateTime Yesterday = DateTime.SpecifyKind(DateTime.UtcNow.Date.AddDays(-1), DateTimeKind.Unspecified);

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private TestNode Node => site.Node;

    [Fact]
    public async Task Axis_new_update_and_lost_of_each_gate_make_one_closed_session_named_by_the_best_read()
    {
        var entered = Yesterday.AddHours(7);
        var left = Yesterday.AddHours(9).AddMinutes(30);

        // The NEW read is poor, its UPDATE corrects the text and brings the direction; numbers come as strings.
        await PushOkAsync("/api/v1/anpr/axis/axis-in", "axis-in", Json(new { packetCounter = "11", datetime = AxisTime(entered), plateUTF8 = "AX1Z34", plateCountry = "DEU", plateConfidence = "0.66", carState = "new", carMoveDirection = "unk", carID = "501" }));
        await PushOkAsync("/api/v1/anpr/axis/axis-in", "axis-in", Json(new { packetCounter = "12", datetime = AxisTime(entered.AddMilliseconds(300)), plateUTF8 = "AX1234", plateCountry = "DEU", plateConfidence = "0.94", carState = "update", carMoveDirection = "in", carID = "501" }));
        await PushOkAsync("/api/v1/anpr/axis/axis-in", "axis-in", Json(new { packetCounter = "13", datetime = AxisTime(entered.AddSeconds(11)), plateUTF8 = "AX1234", plateConfidence = "0.94", carState = "lost", carID = "501" }));
        await PushOkAsync("/api/v1/anpr/axis/axis-out", "axis-out", Json(new { packetCounter = 7, datetime = AxisTime(left), plateUTF8 = "AX1234", plateConfidence = 0.9, carState = "new", carID = 88 }));
        await PushOkAsync("/api/v1/anpr/axis/axis-out", "axis-out", Json(new { packetCounter = 8, datetime = AxisTime(left.AddSeconds(10)), plateUTF8 = "AX1234", plateConfidence = 0.91, carState = "lost", carID = 88 }));

        var session = await SessionAsync("AX1234");
        Assert.Equal(("Closed", Utc(entered), Utc(left)), (session.Status, session.EnteredAt, session.ExitedAt));
        Assert.Equal(3, await ReadCountAsync(session.Id, "axis-in"));
    }

    [Fact]
    public async Task Dahua_local_times_with_a_zone_field_or_the_cameras_configured_zone_close_a_session_at_the_right_instants()
    {
        // Entry: 08:00 local with TimeZone 1 (GMT+01:00); exit: 18:30 on a camera configured in Asia/Shanghai (+08:00).
        var entry = Dahua("DH4711", Yesterday.AddHours(8), zone: 1, "Obverse");
        var exit = Dahua("DH4711", Yesterday.AddHours(18).AddMinutes(30), zone: null, "Obverse");

        // The camera posts to its platform's /NotificationInfo/TollgateInfo, with the key as its Basic password.
        await PushOkAsync("/api/v1/anpr/dahua/dahua-in/NotificationInfo/TollgateInfo", "dahua-in", Json(entry), basic: true);
        await PushOkAsync("/api/v1/anpr/dahua/dahua-out", "dahua-out", Json(exit), basic: true);
        using var keepAlive = await PushAsync("/api/v1/anpr/dahua/dahua-out/NotificationInfo/KeepAlive", "dahua-out", Json(new { Active = "KeepAlive", DeviceID = "X1" }), basic: true);

        var session = await SessionAsync("DH4711");
        Assert.Equal(("Closed", new DateTimeOffset(Yesterday.AddHours(7), TimeSpan.Zero), new DateTimeOffset(Yesterday.AddHours(10).AddMinutes(30), TimeSpan.Zero)), (session.Status, session.EnteredAt, session.ExitedAt));
        Assert.Equal(HttpStatusCode.OK, keepAlive.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await keepAlive.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("reads").GetInt32());
    }

    [Fact]
    public async Task OpenALPR_groups_on_a_two_way_lane_enter_and_leave_by_their_heading()
    {
        var entered = Utc(Yesterday.AddHours(10));
        var left = Utc(Yesterday.AddHours(12));

        // To /openalpr without a camera in the address: the agent's camera_id names the site's camera "104".
        await PushOkAsync("/api/v1/anpr/openalpr", "104", Json(OpenAlprGroup("OA5566", entered, heading: 84, uuid: "agent-104-1")));
        using var heartbeat = await PushAsync("/api/v1/anpr/openalpr", "104", Json(new { data_type = "heartbeat", agent_uid = "agent", video_streams = Array.Empty<object>() }));
        await PushOkAsync("/api/v1/anpr/openalpr/104", "104", Json(OpenAlprGroup("OA5566", left, heading: 268, uuid: "agent-104-2")));

        var session = await SessionAsync("OA5566");
        Assert.Equal(("Closed", entered, left), (session.Status, session.EnteredAt, session.ExitedAt));
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
    }

    [Fact]
    public async Task Milesight_approach_and_away_in_the_sites_local_time_enter_and_leave_on_a_two_way_lane()
    {
        var entered = Yesterday.AddHours(9).AddMinutes(5);
        var left = Yesterday.AddHours(16).AddMinutes(45);

        await PushOkAsync("/api/v1/anpr/milesight/ms-west", "ms-west", Json(new { device = "LPR", time_msec = $"{entered:yyyy-MM-dd HH:mm:ss}.250", plate = "MS 9988", direction = "Approach", confidence = "-", resolution_width = "1920", coordinate_x1 = "800", coordinate_x2 = "960" }));
        await PushOkAsync("/api/v1/anpr/milesight/ms-west", "ms-west", Json(new { @event = "Vehicle Counting", device = "LPR", time = $"{left:yyyy-MM-dd HH:mm:ss}", Car = 12 }));
        await PushOkAsync("/api/v1/anpr/milesight/ms-west", "ms-west", Json(new { device = "LPR", time = $"{left:yyyy-MM-dd HH:mm:ss}", plate = "MS 9988", direction = "Away", confidence = "91" }));

        var session = await SessionAsync("MS9988");
        Assert.Equal(("Closed", Local(entered).AddMilliseconds(250), Local(left)), (session.Status, session.EnteredAt, session.ExitedAt));
    }

    [Fact]
    public async Task A_mapped_JSON_camera_and_a_mapped_XML_camera_close_a_session_without_code_for_their_vendors()
    {
        var entered = Utc(Yesterday.AddHours(6).AddMinutes(40));
        var left = new DateTimeOffset(Yesterday.AddHours(8), TimeSpan.FromHours(1));

        await PushOkAsync("/api/v1/anpr/mapped/acme-in", "acme-in", Json(new { @event = new { id = "acme-77", ts = entered.ToUnixTimeSeconds(), lpr = new { text = "AC-77-ME", score = "0.93", dir = "ENTERING" } } }));
        await PushOkAsync("/api/v1/anpr/mapped/vigil-out", "vigil-out", new StringContent($"""
            <vg:Event xmlns:vg="urn:vigil:lpr:2"><vg:Header><vg:Time>{left:yyyy-MM-dd'T'HH:mm:sszzz}</vg:Time></vg:Header>
            <vg:Plate confidence="88"><vg:Text>AC 77 ME</vg:Text></vg:Plate></vg:Event>
            """, Encoding.UTF8, "text/xml"));

        var session = await SessionAsync("AC77ME");
        Assert.Equal(("Closed", entered, left.ToUniversalTime()), (session.Status, session.EnteredAt, session.ExitedAt));
    }

    [Fact]
    public async Task A_Hikvision_parking_space_event_ends_the_visit_of_its_bay_and_ignores_spaces_that_are_no_bay()
    {
        var entered = Utc(Yesterday.AddHours(11));
        await PushOkAsync("/api/v1/anpr/axis/axis-in", "axis-in", Json(new { datetime = AxisTime(entered.UtcDateTime), plateUTF8 = "HK3030", plateConfidence = "0.95", carState = "lost", carID = "9001" }));
        await PushOkAsync("/api/v1/anpr/hikvision/hik-bays", "hik-bays", new StringContent(HikvisionAnpr("HK3030", entered.AddMinutes(3)), Encoding.UTF8, "application/xml"));
        Assert.Equal("HK3030", await OccupantAsync("EV-3"));

        var spaces = $$"""
            { "ipAddress": "10.0.0.9", "dateTime": "{{entered.AddHours(2):yyyy-MM-dd'T'HH:mm:ss.fffzzz}}", "activePostCount": 1, "eventType": "PackingSpaceRecognition",
              "eventState": "active", "eventDescription": "Packing Space Recognition",
              "PackingSpaceRecognition": [ { "RegionInfo": [ { "regionalID": 1, "PackingSpace": [
                { "absoulteParkingNum": "4", "isParked": "yes" }, { "absoulteParkingNum": "3", "isParked": "no" } ] } ] } ] }
            """;
        using var response = await PushAsync("/api/v1/anpr/hikvision/hik-bays", "hik-bays", new StringContent(spaces, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("reads").GetInt32());
        Assert.Null(await OccupantAsync("EV-3"));
    }

    [Fact]
    public async Task A_push_to_the_mapped_address_of_a_camera_without_a_map_is_refused_and_stores_nothing()
    {
        using var response = await PushAsync("/api/v1/anpr/mapped/axis-in", "axis-in", Json(new { plate = "NOMAP1" }));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("no field map", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        using var page = JsonDocument.Parse(await Node.Http.GetStringAsync("/api/v1/parking-sessions?plate=NOMAP1", TestContext.Current.CancellationToken));
        Assert.Empty(page.RootElement.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_camera_without_a_key_is_challenged_for_Basic_credentials_and_a_wrong_password_is_refused()
    {
        using var anonymous = new HttpClient { BaseAddress = Node.BaseUri };
        using var none = await anonymous.PostAsync("/api/v1/anpr/dahua/dahua-in", Json(new { }), TestContext.Current.CancellationToken);
        using var wrong = await PushAsync("/api/v1/anpr/dahua/dahua-in", "dahua-out", Json(Dahua("DH0001", Yesterday.AddHours(8), 1, "Obverse")), basic: true);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains(none.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
    }

    private sealed record Session(string Id, string Status, DateTimeOffset EnteredAt, DateTimeOffset? ExitedAt);

    private async Task<Session> SessionAsync(string plate)
    {
        using var page = JsonDocument.Parse(await Node.Http.GetStringAsync($"/api/v1/parking-sessions?plate={plate}", TestContext.Current.CancellationToken));
        var session = Assert.Single(page.RootElement.GetProperty("items").EnumerateArray());
        var exited = session.GetProperty("exitedAt");
        return new Session(
            session.GetProperty("id").GetString()!,
            session.GetProperty("status").GetString()!,
            session.GetProperty("enteredAt").GetDateTimeOffset(),
            exited.ValueKind == JsonValueKind.Null ? null : exited.GetDateTimeOffset());
    }

    private async Task<int> ReadCountAsync(string sessionId, string camera)
    {
        using var detail = JsonDocument.Parse(await Node.Http.GetStringAsync($"/api/v1/parking-sessions/{sessionId}", TestContext.Current.CancellationToken));
        return detail.RootElement.GetProperty("sightings").EnumerateArray().Single(s => s.GetProperty("camera").GetString() == camera).GetProperty("readCount").GetInt32();
    }

    private async Task<string?> OccupantAsync(string bay)
    {
        using var bays = JsonDocument.Parse(await Node.Http.GetStringAsync($"/api/v1/sites/{VendorSite.Id}/bays", TestContext.Current.CancellationToken));
        var occupant = bays.RootElement.EnumerateArray().Single(b => b.GetProperty("id").GetString() == bay).GetProperty("occupant");
        return occupant.ValueKind == JsonValueKind.Null ? null : occupant.GetProperty("plate").GetString();
    }

    private async Task PushOkAsync(string path, string camera, HttpContent content, bool basic = false)
    {
        using var response = await PushAsync(path, camera, content, basic);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    private async Task<HttpResponseMessage> PushAsync(string path, string camera, HttpContent content, bool basic = false)
    {
        using var client = new HttpClient { BaseAddress = Node.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.Authorization = basic
            ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{VendorSite.Key(camera)}")))
            : null;
        if (!basic)
        {
            request.Headers.Add("X-Camera-Key", VendorSite.Key(camera));
        }

        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Unspecified), TimeSpan.Zero);

    private static DateTimeOffset Local(DateTime berlin) => new(berlin, Berlin.GetUtcOffset(berlin));

    private static string AxisTime(DateTime utc) => utc.ToString("yyyyMMdd HHmmssfff", CultureInfo.InvariantCulture);

    private static object Dahua(string plate, DateTime local, int? zone, string direction) => new
    {
        Picture = new
        {
            Plate = new { PlateNumber = plate, PlateColor = "Blue", Confidence = 90, IsExist = true },
            SnapInfo = zone is { } z
                ? (object)new { AccurateTime = $"{local:yyyy-MM-dd HH:mm:ss}.000", TimeZone = z, Direction = direction, LanNo = 1 }
                : new { AccurateTime = $"{local:yyyy-MM-dd HH:mm:ss}.000", Direction = direction, LanNo = 1 },
            Vehicle = new { VehicleType = "SaloonCar" },
        },
    };

    private static object OpenAlprGroup(string plate, DateTimeOffset start, double heading, string uuid) => new
    {
        version = 2,
        data_type = "alpr_group",
        epoch_start = start.ToUnixTimeMilliseconds(),
        epoch_end = start.AddSeconds(2).ToUnixTimeMilliseconds(),
        camera_id = 104,
        uuids = new[] { uuid },
        candidates = new[] { new { plate, confidence = 93.2 } },
        best_plate = new { plate, confidence = 93.2, coordinates = new[] { new { x = 600, y = 700 }, new { x = 700, y = 700 }, new { x = 700, y = 725 }, new { x = 600, y = 725 } } },
        best_confidence = 93.2,
        best_plate_number = plate,
        best_region = "de",
        best_image_width = 1280,
        travel_direction = heading,
        is_preview = false,
    };

    private static string HikvisionAnpr(string plate, DateTimeOffset at) => $"""
        <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
          <ipAddress>10.0.0.9</ipAddress><channelID>1</channelID><dateTime>{at:yyyy-MM-dd'T'HH:mm:sszzz}</dateTime>
          <activePostCount>1</activePostCount><eventType>ANPR</eventType><eventState>active</eventState><eventDescription>ANPR</eventDescription>
          <ANPR><licensePlate>{plate}</licensePlate><confidenceLevel>93</confidenceLevel></ANPR>
        </EventNotificationAlert>
        """;
}
