using System.Net;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;
using V21 = ParkCharge.Ocpp.V21;

namespace ParkCharge.Server.Tests.Security;

public sealed class SqliteSecurityEventTests(PostgresServer postgres) : SecurityEventTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresSecurityEventTests(PostgresServer postgres) : SecurityEventTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Security events chargers report (SecurityEventNotification) through real WebSockets in every OCPP
/// version: kept, listed by the API newest first with filters and paging, and published as
/// <c>charger.security_event</c>.
/// </summary>
public abstract class SecurityEventTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private static readonly DateTimeOffset Occurred = new(2026, 5, 4, 3, 2, 1, TimeSpan.FromHours(2));

    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres);
        await _node.RegisterChargerAsync("SEC-16", site: "secure");
        await _node.RegisterChargerAsync("SEC-201", site: "secure");
        await _node.RegisterChargerAsync("SEC-21", site: "secure");
        await _node.RegisterChargerAsync("ELSEWHERE", site: "other");
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Security_events_of_every_version_are_kept_listed_newest_first_and_published()
    {
        await using (var c16 = await TestCharger.ConnectAsync(_node.OcppUri("SEC-16"), OcppVersion.Ocpp16))
        {
            await c16.CallAsync(V16.V16Actions.SecurityEventNotification, new V16.SecurityEventNotificationRequest { Type = "TamperDetectionActivated", Timestamp = Occurred, TechInfo = "enclosure opened" });
        }

        // A 2.0.1 station's message is 2.1's record on the wire, checked against 2.0.1's schema.
        await using (var c201 = await TestCharger.ConnectAsync(_node.OcppUri("SEC-201"), OcppVersion.Ocpp201))
        {
            await c201.CallAsync(V21.V21Actions.SecurityEventNotification, new V21.SecurityEventNotificationRequest { Type = "InvalidCsmsCertificate", Timestamp = Occurred.AddMinutes(1) });
        }

        await using (var c21 = await TestCharger.ConnectAsync(_node.OcppUri("SEC-21"), OcppVersion.Ocpp21))
        {
            await c21.CallAsync(V21.V21Actions.SecurityEventNotification, new V21.SecurityEventNotificationRequest { Type = "SettingSystemTime", Timestamp = Occurred.AddMinutes(2), TechInfo = "NTP" });
            await c21.CallAsync(V21.V21Actions.SecurityEventNotification, new V21.SecurityEventNotificationRequest { Type = "com.vendor.DoorAlarm", Timestamp = Occurred.AddMinutes(3) });
        }

        await using (var elsewhere = await TestCharger.ConnectAsync(_node.OcppUri("ELSEWHERE"), OcppVersion.Ocpp21))
        {
            await elsewhere.CallAsync(V21.V21Actions.SecurityEventNotification, new V21.SecurityEventNotificationRequest { Type = "TamperDetectionActivated", Timestamp = Occurred });
        }

        var site = await ListAsync("/api/v1/security-events?siteId=secure");
        Assert.Equal(["com.vendor.DoorAlarm", "SettingSystemTime", "InvalidCsmsCertificate", "TamperDetectionActivated"], site.Items.Select(e => e.GetProperty("type").GetString()));
        var first = site.Items[^1];
        Assert.Equal(("SEC-16", "secure", "enclosure opened", Occurred), (first.GetProperty("chargerId").GetString(), first.GetProperty("siteId").GetString(), first.GetProperty("techInfo").GetString(), first.GetProperty("occurredAt").GetDateTimeOffset()));
        Assert.Equal(["ELSEWHERE", "SEC-16"], (await ListAsync("/api/v1/security-events?type=TamperDetectionActivated")).Items.Select(e => e.GetProperty("chargerId").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(2, (await ListAsync("/api/v1/security-events?chargerId=SEC-21")).Items.Count);

        var page1 = await ListAsync("/api/v1/security-events?siteId=secure&limit=3");
        var page2 = await ListAsync($"/api/v1/security-events?siteId=secure&limit=3&cursor={Uri.EscapeDataString(page1.Next!)}");
        Assert.Equal(site.Items.Select(Id), page1.Items.Concat(page2.Items).Select(Id));
        Assert.Null(page2.Next);

        using var events = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/events?site=secure&type=charger.security_event", TestContext.Current.CancellationToken));
        var published = events.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(site.Items.Select(Id).Reverse(), published.Select(e => e.GetProperty("id").GetString()));
        var data = published[0].GetProperty("data");
        Assert.Equal(("SEC-16", "TamperDetectionActivated", Occurred), (data.GetProperty("charger").GetString(), data.GetProperty("securityEventType").GetString(), data.GetProperty("occurredAt").GetDateTimeOffset()));
    }

    [Fact]
    public async Task A_bad_cursor_is_a_validation_problem()
    {
        using var response = await _node.Http.GetAsync("/api/v1/security-events?cursor=not-ours", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cursor", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    private static string? Id(JsonElement e) => e.GetProperty("id").GetString();

    private async Task<(List<JsonElement> Items, string? Next)> ListAsync(string url)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync(url, TestContext.Current.CancellationToken));
        return ([.. page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone())],
            page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null);
    }
}
