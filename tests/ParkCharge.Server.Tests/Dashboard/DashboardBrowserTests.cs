using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Tests.Commands;
using ParkCharge.Testing;

using static Microsoft.Playwright.Assertions;

namespace ParkCharge.Server.Tests.Dashboard;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against a real node (Kestrel,
/// SQLite): camera reads posted over HTTP, a charger over a real WebSocket, what the operator sees and does.
/// Every check is an auto-waiting expectation on the page; each scenario leaves a screenshot.
/// </summary>
public sealed class DashboardBrowserTests(DashboardBrowser browser, PostgresServer postgres) : IClassFixture<DashboardBrowser>, IAsyncLifetime
{
    private const string GateInKey = "gate-in-camera-key-0123456789";
    private const string GateOutKey = "gate-out-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    private const string Site = $$"""
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateInKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{GateOutKey}}" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1, "neighbours": ["B2"] }, { "id": "B2", "charger": "CP-1", "connector": 2, "neighbours": ["B1"] } ],
          "bayCameras": [ { "id": "cam-b12", "key": "{{BayKey}}", "bays": [ { "bay": "B1", "zone": "left" }, { "bay": "B2", "zone": "right" } ] } ],
          "tariffs": {
            "parking": [ { "id": "standard", "vat": 19, "bands": [ { "name": "all day", "pricePerUnit": 1.00, "unit": "1h" } ] } ],
            "charging": [ { "id": "ac", "elements": [ { "priceComponents": [ { "type": "ENERGY", "price": 0.49, "vat": 19 } ] } ] } ]
          }
        }
        """;

    private readonly StreamCutter _streams = new();
    private TestNode _node = null!;
    private IPage _page = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, configure: b => b.Services.AddSingleton<IStartupFilter>(_streams));
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        _page = await browser.OpenAsync(_node.BaseUri);
    }

    public async ValueTask DisposeAsync()
    {
        await _page.Context.DisposeAsync();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task A_wrong_key_is_refused_and_nothing_is_shown_the_right_key_shows_the_site()
    {
        await _page.GotoAsync("/");

        await Expect(_page).ToHaveURLAsync(new Uri(_node.BaseUri, "/dashboard/").ToString());
        await SignInAsync("pck_not-a-key-at-all-0000000000");
        await Expect(_page.Locator("#sign-in-error")).ToContainTextAsync("not accepted");
        await Expect(_page.Locator("#nav")).ToBeHiddenAsync();
        await Expect(_page.Locator(".bay")).ToHaveCountAsync(0);
        await DashboardBrowser.ScreenshotAsync(_page, "sign-in-refused");

        await SignInAsync(TestNode.AdminKey);
        await Expect(_page.GetByRole(AriaRole.Heading, new() { Name = "Site plan: Garage" })).ToBeVisibleAsync();
        await Expect(_page.Locator(".bay")).ToHaveCountAsync(2);
        await Expect(Bay("B1").Locator(".state")).ToHaveTextAsync("Free");
        await Expect(_page.Locator("#key-name")).ToContainTextAsync("(admin)");
        await DashboardBrowser.ScreenshotAsync(_page, "sign-in-site-plan");

        // At tablet width the plan still fits: nothing to scroll sideways.
        await _page.SetViewportSizeAsync(768, 1024);
        await Expect(Bay("B2")).ToBeVisibleAsync();
        Assert.True(await _page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 768"), "the site plan is wider than a tablet");
        await DashboardBrowser.ScreenshotAsync(_page, "site-plan-tablet");

        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(_page.Locator("#sign-in")).ToBeVisibleAsync();
        await Expect(_page.Locator(".bay")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_privacy_view_shows_how_long_the_site_keeps_each_kind_of_personal_data()
    {
        await _page.GotoAsync("/");
        await SignInAsync(TestNode.AdminKey);

        await _page.GetByRole(AriaRole.Link, new() { Name = "Privacy" }).ClickAsync();

        var table = _page.GetByRole(AriaRole.Table, new() { Name = "Retention at this site" });
        await Expect(table.Locator("[data-retention='settledStays']")).ToHaveTextAsync("8d");
        await Expect(table.Locator("[data-retention='auditLog']")).ToHaveTextAsync("1095d");
        await Expect(table.Locator("[data-retention='pictures']")).ToHaveTextAsync("not stored (storeImages is off)");
        await DashboardBrowser.ScreenshotAsync(_page, "privacy");
    }

    [Fact]
    public async Task The_site_plan_shows_each_cameras_health_and_a_camera_whose_reads_turn_poor_live()
    {
        await SignInAsync(TestNode.AdminKey);
        await Expect(_page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(_page.Locator(".camera")).ToHaveCountAsync(3);
        await Expect(Camera("gate-out").Locator(".health")).ToHaveTextAsync("No reads yet");
        await Expect(Camera("cam-b12")).ToContainTextAsync("bays B1, B2");

        // A lens fogging up: ten reads in a row below the site's minimum confidence.
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 10; i++)
        {
            await PushAsync(GateInKey, new { cameraId = "gate-in", plate = $"FOG{i}{(char)('A' + i)}X", confidence = 0.3, capturedAt = now.AddSeconds(-60 + (5 * i)) });
        }

        await Expect(Camera("gate-in")).ToHaveAttributeAsync("data-health", "unwell");
        await Expect(Camera("gate-in").Locator(".health")).ToHaveTextAsync("poor reads (100 %)");
        await Expect(Camera("gate-in")).ToContainTextAsync("10 in the last hour");
        await Expect(Camera("gate-out").Locator(".health")).ToHaveTextAsync("No reads yet");
        await DashboardBrowser.ScreenshotAsync(_page, "camera-health");
    }

    [Fact]
    public async Task A_bay_turns_from_free_to_vehicle_to_charging_live_as_a_car_arrives_and_plugs_in()
    {
        await SignInAsync(TestNode.AdminKey);
        await Expect(Bay("B1").Locator(".state")).ToHaveTextAsync("Free");
        await Expect(_page.Locator("#live")).ToHaveTextAsync("live");

        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-4) });
        await PushAsync(BayKey, new { cameraId = "cam-b12", plate = "BCD1234", confidence = 0.92, capturedAt = now.AddSeconds(-40), zone = "left" });

        await Expect(Bay("B1").Locator(".state")).ToHaveTextAsync("Vehicle, not charging");
        await Expect(Bay("B1").Locator(".plate")).ToHaveTextAsync("BCD1234");
        await Expect(_page.Locator(".gate[data-lane='in'] .reads")).ToContainTextAsync("BCD1234");
        await DashboardBrowser.ScreenshotAsync(_page, "bay-vehicle-arrived");

        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Preparing, Timestamp = now.AddSeconds(-10) });
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 0, Timestamp = now });
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Charging, Timestamp = now.AddSeconds(5) });
        await charger.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
        {
            ConnectorId = 1,
            TransactionId = start.TransactionId,
            MeterValue =
            [
                new MeterValue
                {
                    Timestamp = now.AddSeconds(30),
                    SampledValue =
                    [
                        new SampledValue { Value = "7400", Measurand = Measurand.PowerActiveImport, Unit = UnitOfMeasure.W },
                        new SampledValue { Value = "1500", Measurand = Measurand.EnergyActiveImportRegister, Unit = UnitOfMeasure.Wh },
                    ],
                },
            ],
        });

        await Expect(Bay("B1").Locator(".state")).ToHaveTextAsync("Charging");
        await Expect(Bay("B1").Locator(".plate")).ToHaveTextAsync("BCD1234");
        await Expect(Bay("B1").Locator(".power")).ToHaveTextAsync("7.4 kW");
        await Expect(Bay("B1").Locator(".energy")).ToHaveTextAsync("1.50 kWh");
        await Expect(Bay("B2").Locator(".state")).ToHaveTextAsync("Free");
        await DashboardBrowser.ScreenshotAsync(_page, "bay-charging");

        await _page.GetByRole(AriaRole.Link, new() { Name = "Chargers" }).ClickAsync();
        var connector = _page.Locator("[data-charger='CP-1'] tr[data-connector='1']");
        await Expect(_page.Locator("[data-charger='CP-1'] [data-connection]")).ToContainTextAsync("Connected");
        await Expect(connector.Locator(".status")).ToHaveTextAsync("Charging");
        await DashboardBrowser.ScreenshotAsync(_page, "chargers");

        await _page.Locator("[data-charger='CP-1']").GetByRole(AriaRole.Link, new() { Name = "Message log" }).ClickAsync();
        await Expect(_page.GetByRole(AriaRole.Table, new() { Name = "OCPP frames of CP-1, newest first" })).ToContainTextAsync("StartTransaction");
    }

    [Fact]
    public async Task After_the_stream_drops_it_resumes_from_its_last_event_and_shows_what_was_missed()
    {
        var down = false;
        var resumedFrom = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await _page.RouteAsync("**/api/v1/events/stream**", async route =>
        {
            if (down)
            {
                await route.AbortAsync();
                return;
            }

            resumedFrom.Enqueue(route.Request.Headers.TryGetValue("last-event-id", out var id) ? id : "");
            await route.ContinueAsync();
        });
        await SignInAsync(TestNode.AdminKey);
        await Expect(_page.Locator("#live")).ToHaveTextAsync("live");
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-4) });
        await Expect(_page.Locator(".gate[data-lane='in'] .reads")).ToContainTextAsync("BCD1234"); // an event arrived: the stream has a position

        down = true;
        _streams.Cut(); // the server side of the stream goes away; reconnecting fails while down
        await Expect(_page.Locator("#live")).ToHaveTextAsync("reconnecting");
        await PushAsync(BayKey, new { cameraId = "cam-b12", plate = "BCD1234", confidence = 0.92, capturedAt = now.AddSeconds(-40), zone = "left" });
        down = false;

        await Expect(_page.Locator("#live")).ToHaveTextAsync("live");
        await Expect(Bay("B1").Locator(".state")).ToHaveTextAsync("Vehicle, not charging");
        Assert.Equal("", resumedFrom.First());
        Assert.Contains(resumedFrom.Skip(1), id => long.TryParse(id, out var seq) && seq > 0);
        await DashboardBrowser.ScreenshotAsync(_page, "stream-resumed");
    }

    [Fact]
    public async Task An_operator_limits_and_stops_a_charge_from_the_chargers_view_and_sees_the_chargers_answer()
    {
        var script = new ChargerScript();
        await using var charger = await ChargerScript.ConnectAsync(_node, "CP-1", OcppVersion.Ocpp16, script);
        var now = DateTimeOffset.UtcNow;
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Preparing, Timestamp = now.AddSeconds(-10) });
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 0, Timestamp = now });
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Charging, Timestamp = now.AddSeconds(5) });

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Chargers" }).ClickAsync();
        var outcome = _page.Locator("#command-outcome");

        await _page.GetByLabel("Power limit for CP-1 connector 1 (W)").FillAsync("3700");
        await _page.Locator("[data-charger='CP-1'] tr[data-connector='1']").GetByRole(AriaRole.Button, new() { Name = "Set limit" }).ClickAsync();
        await Expect(outcome).ToHaveTextAsync("Power limit on CP-1 connector 1: Accepted");
        var profile = await script.NextAsync("SetChargingProfile");
        Assert.Equal(1, profile.Payload.GetProperty("connectorId").GetInt32());

        await _page.GetByRole(AriaRole.Button, new() { Name = "Stop charging on CP-1 connector 1" }).ClickAsync();
        await Expect(outcome).ToHaveTextAsync("Remote stop on CP-1 connector 1: Accepted");
        await DashboardBrowser.ScreenshotAsync(_page, "remote-stop-accepted");
        var stop = await script.NextAsync("RemoteStopTransaction");
        Assert.Equal(start.TransactionId, stop.Payload.GetProperty("transactionId").GetInt32());

        // A refusal is shown as the charger gave it, not as a success.
        script.Answer = call => Task.FromResult<ParkCharge.Ocpp.Rpc.RpcReply?>(ChargerScript.Status("Rejected"));
        await _page.GetByRole(AriaRole.Button, new() { Name = "Stop charging on CP-1 connector 1" }).ClickAsync();
        await Expect(outcome).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Remote stop on CP-1 connector 1: Rejected"));
        await Expect(outcome).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("error"));
        await DashboardBrowser.ScreenshotAsync(_page, "remote-stop-rejected");
    }

    [Fact]
    public async Task An_operator_resolves_a_review_item_with_a_reason_and_it_leaves_the_queue()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "AAA111", confidence = 0.95, capturedAt = now.AddMinutes(-10) });
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "BBB222", confidence = 0.95, capturedAt = now.AddMinutes(-9) });
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 2, IdTag = "RFID-2", MeterStart = 0, Timestamp = now.AddMinutes(-5) });

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        var item = _page.Locator(".review-item").Filter(new() { HasText = "CP-1 #2" });
        await Expect(item.GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await item.GetByLabel("AAA111").CheckAsync();
        await item.GetByLabel("Reason (kept in the audit log)").FillAsync("RFID-2 belongs to AAA111");
        await DashboardBrowser.ScreenshotAsync(_page, "review-before-resolve");
        await item.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();

        await Expect(_page.Locator("#review-outcome")).ToContainTextAsync("resolved");
        await Expect(_page.Locator(".review-item")).ToHaveCountAsync(0);
        await DashboardBrowser.ScreenshotAsync(_page, "review-resolved");

        var binding = await BindingAsync(start.TransactionId);
        Assert.Equal(("Bound", "Operator", "AAA111"), (binding.GetProperty("status").GetString(), binding.GetProperty("method").GetString(), binding.GetProperty("plate").GetString()));
    }

    [Fact]
    public async Task An_operator_closes_the_right_stay_for_an_exit_read_like_two_plates_inside()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "BCD1234", confidence = 0.95, capturedAt = now.AddMinutes(-70) });
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "8CD1234", confidence = 0.95, capturedAt = now.AddMinutes(-69) });
        await PushAsync(GateOutKey, new { cameraId = "gate-out", plate = "CD1234", confidence = 0.95, capturedAt = now.AddMinutes(-5) }); // one error from both

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        var item = _page.Locator(".review-item[data-anomaly]");
        await Expect(item.GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await item.GetByLabel("BCD1234").CheckAsync();
        await item.GetByLabel("Reason (kept in the audit log)").FillAsync("exit camera picture shows BCD1234");
        await DashboardBrowser.ScreenshotAsync(_page, "ambiguous-exit-before-resolve");
        await item.GetByRole(AriaRole.Button, new() { Name = "Resolve" }).ClickAsync();

        await Expect(_page.Locator("#review-outcome")).ToContainTextAsync("resolved");
        await Expect(_page.Locator(".review-item[data-anomaly]")).ToHaveCountAsync(0);
        using var sessions = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/parking-sessions?siteId=garage", TestContext.Current.CancellationToken));
        var byPlate = sessions.RootElement.GetProperty("items").EnumerateArray().ToDictionary(s => s.GetProperty("plate").GetString()!, s => s.GetProperty("status").GetString());
        Assert.Equal("Closed", byPlate["BCD1234"]);
        Assert.Equal("Open", byPlate["8CD1234"]);
    }

    [Fact]
    public async Task A_read_only_key_sees_the_review_queue_and_chargers_without_any_action()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "AAA111", confidence = 0.95, capturedAt = now.AddMinutes(-10) });
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "BBB222", confidence = 0.95, capturedAt = now.AddMinutes(-9) });
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 2, IdTag = "RFID-2", MeterStart = 0, Timestamp = now.AddMinutes(-5) });
        using var created = await _node.Http.PostAsJsonAsync("/api/v1/api-keys", new { name = "wallboard", role = "integrator" }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var readOnlyKey = (await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString()!;

        await SignInAsync(readOnlyKey);
        await Expect(_page.Locator("#key-name")).ToHaveTextAsync("wallboard (integrator)");
        await _page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        var item = _page.Locator(".review-item").Filter(new() { HasText = "CP-1 #2" });
        await Expect(item.GetByRole(AriaRole.Radio)).ToHaveCountAsync(2);
        await Expect(item.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);

        await _page.GetByRole(AriaRole.Link, new() { Name = "Chargers" }).ClickAsync();
        await Expect(_page.Locator("[data-charger='CP-1'] tr[data-connector='2']")).ToBeVisibleAsync();
        await Expect(_page.Locator("[data-charger='CP-1'] button")).ToHaveCountAsync(0);
        await DashboardBrowser.ScreenshotAsync(_page, "read-only-chargers");
    }

    [Fact]
    public async Task A_stays_bill_opens_line_by_line_from_the_session_search()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "CDE345", confidence = 0.95, capturedAt = now.AddMinutes(-150) });
        await PushAsync(GateOutKey, new { cameraId = "gate-out", plate = "CDE345", confidence = 0.95, capturedAt = now.AddMinutes(-5) });

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Parking sessions" }).ClickAsync();
        await _page.GetByLabel("Plate", new() { Exact = true }).FillAsync("CDE345");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await _page.GetByRole(AriaRole.Link, new() { Name = "CDE345" }).ClickAsync();

        // The page shows the API's bill line by line: each line's description, quantity and amount, then the total.
        using var bill = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions/{await SessionIdAsync("CDE345")}/bill", TestContext.Current.CancellationToken));
        var expected = bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray().ToList();
        Assert.NotEmpty(expected);
        var rows = _page.Locator("table.bill-lines tbody tr");
        await Expect(_page.Locator(".bill")).ToContainTextAsync("Final bill");
        await Expect(rows).ToHaveCountAsync(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var cells = rows.Nth(i).Locator("td");
            await Expect(cells.Nth(0)).ToHaveTextAsync(expected[i].GetProperty("description").GetString()!);
            await Expect(cells.Nth(2)).ToHaveTextAsync($"{expected[i].GetProperty("quantity").GetDecimal():0.###} {expected[i].GetProperty("unit").GetString()}");
            await Expect(cells.Nth(6)).ToHaveTextAsync(Euro(expected[i].GetProperty("amountInclVat").GetDecimal()));
            await Expect(cells.Nth(7)).ToContainTextAsync("standard");
        }

        await Expect(_page.Locator(".bill .totals")).ToContainTextAsync(Euro(bill.RootElement.GetProperty("bill").GetProperty("total").GetDecimal()));
        Assert.True(bill.RootElement.GetProperty("bill").GetProperty("total").GetDecimal() > 0);
        await Expect(_page.GetByRole(AriaRole.Table, new() { Name = "Camera sightings of this stay" }).Locator("tbody tr")).ToHaveCountAsync(2);
        await DashboardBrowser.ScreenshotAsync(_page, "bill");
    }

    [Fact]
    public async Task A_stay_whose_entry_was_inferred_from_its_bay_read_is_marked_in_the_search_and_listed_for_review()
    {
        var now = DateTimeOffset.UtcNow;
        await PushAsync(BayKey, new { cameraId = "cam-b12", plate = "DEF456", confidence = 0.92, capturedAt = now.AddMinutes(-50), zone = "left" }); // its entry was not read
        await PushAsync(GateOutKey, new { cameraId = "gate-out", plate = "DEF456", confidence = 0.95, capturedAt = now.AddMinutes(-5) });

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Parking sessions" }).ClickAsync();
        await _page.GetByLabel("Plate", new() { Exact = true }).FillAsync("DEF456");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var row = _page.Locator("tr[data-session]").Filter(new() { HasText = "DEF456" });
        await Expect(row.Locator("td").Nth(2).Locator(".mark.inferred")).ToHaveTextAsync("inferred");
        await Expect(row.Locator("td").Nth(3).Locator(".mark.inferred")).ToHaveCountAsync(0); // the exit was read
        await Expect(row).ToContainTextAsync("EntryInferred");

        await _page.GetByRole(AriaRole.Link, new() { Name = "Review queue" }).ClickAsync();
        var item = _page.Locator(".inferred-item").Filter(new() { HasText = "DEF456" });
        await Expect(item).ToContainTextAsync("entry inferred");
        await Expect(item).ToContainTextAsync("bay B1");
        await Expect(_page.Locator(".review-item")).ToHaveCountAsync(0); // nothing to choose: it is a mark to check
        await DashboardBrowser.ScreenshotAsync(_page, "inferred-stay");
    }

    [Fact]
    public async Task The_days_reconciliation_charts_the_hours_and_the_revenue_split_and_downloads_the_csv()
    {
        var exit = DateTimeOffset.UtcNow.AddMinutes(-5);
        await PushAsync(GateInKey, new { cameraId = "gate-in", plate = "CDE345", confidence = 0.95, capturedAt = exit.AddMinutes(-145) });
        await PushAsync(GateOutKey, new { cameraId = "gate-out", plate = "CDE345", confidence = 0.95, capturedAt = exit });
        var day = TimeZoneInfo.ConvertTime(exit, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        await SignInAsync(TestNode.AdminKey);
        await _page.GetByRole(AriaRole.Link, new() { Name = "Reconciliation" }).ClickAsync();
        await _page.GetByLabel("Day (Europe/Berlin)").FillAsync(day);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        await Expect(_page.Locator(".figures div").Filter(new() { HasText = "Bills settled" }).Locator("dd")).ToHaveTextAsync("1");
        using var report = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/sites/garage/reports/daily?date={day}", TestContext.Current.CancellationToken));
        var parking = report.RootElement.GetProperty("revenue").GetProperty("parking").GetDecimal();
        Assert.True(parking > 0);
        await Expect(_page.Locator("figure").Filter(new() { HasText = "Revenue split" }).Locator(".legend")).ToContainTextAsync($"Parking: {Euro(parking)}");
        await Expect(_page.Locator("svg.occupancy")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("^Vehicles inside per hour: peak 1 vehicles"));
        await Expect(_page.Locator("svg.occupancy rect.bar")).ToHaveCountAsync(HoursOf(day)); // 23 or 25 when the clocks change
        await Expect(_page.Locator("svg.energy rect.bar")).ToHaveCountAsync(HoursOf(day));
        await DashboardBrowser.ScreenshotAsync(_page, "reconciliation");

        var download = await _page.RunAndWaitForDownloadAsync(() => _page.GetByRole(AriaRole.Button, new() { Name = "Download CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        Assert.Equal($"garage-{day}.csv", download.SuggestedFilename);
        Assert.Contains(",CDE345,", csv, StringComparison.Ordinal);
        Assert.Contains($"{day},garage,TOTAL,", csv, StringComparison.Ordinal);
    }

    /// <summary>Lets a test end the node's open event streams, as a proxy or a network would.</summary>
    private sealed class StreamCutter : IStartupFilter
    {
        private CancellationTokenSource _cut = new();

        public void Cut() => Interlocked.Exchange(ref _cut, new CancellationTokenSource()).Cancel();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, rest) =>
            {
                if (!context.Request.Path.StartsWithSegments("/api/v1/events/stream", StringComparison.Ordinal))
                {
                    await rest(context);
                    return;
                }

                using var cut = _cut.Token.Register(context.Abort);
                await rest(context);
            });
            next(app);
        };
    }

    private static int HoursOf(string day)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var midnight = DateTime.ParseExact(day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return (int)(TimeZoneInfo.ConvertTimeToUtc(midnight.AddDays(1), zone) - TimeZoneInfo.ConvertTimeToUtc(midnight, zone)).TotalHours;
    }

    private static string Euro(decimal amount) => "€" + amount.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<string> SessionIdAsync(string plate)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/parking-sessions?siteId=garage&plate={plate}", TestContext.Current.CancellationToken));
        return page.RootElement.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetString()!;
    }

    private ILocator Bay(string id) => _page.Locator($".bay[data-bay='{id}']");

    private ILocator Camera(string id) => _page.Locator($".camera[data-camera='{id}']");

    private async Task SignInAsync(string key)
    {
        if (!_page.Url.Contains("/dashboard/", StringComparison.Ordinal))
        {
            await _page.GotoAsync("/dashboard/");
        }

        await _page.GetByLabel("API key").FillAsync(key);
        await _page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private async Task PushAsync(string key, object read)
    {
        using var camera = new HttpClient { BaseAddress = _node.BaseUri };
        camera.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await camera.PostAsJsonAsync("/api/v1/anpr/reads", read, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonElement> BindingAsync(int transactionId)
    {
        using var page = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/charging-sessions?chargerId=CP-1", TestContext.Current.CancellationToken));
        var id = page.RootElement.GetProperty("items").EnumerateArray()
            .Single(s => s.GetProperty("transactionId").GetString() == transactionId.ToString(System.Globalization.CultureInfo.InvariantCulture)).GetProperty("id").GetString();
        using var session = JsonDocument.Parse(await _node.Http.GetStringAsync($"/api/v1/charging-sessions/{id}", TestContext.Current.CancellationToken));
        return session.RootElement.GetProperty("binding").Clone();
    }
}
