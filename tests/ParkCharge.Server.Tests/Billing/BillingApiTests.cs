using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Ocpp.V16;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Billing;

public sealed class SqliteBillingApiTests(PostgresServer postgres) : BillingApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresBillingApiTests(PostgresServer postgres) : BillingApiTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Bills through the API from real camera pushes and a real charger over WebSocket, on a node whose
/// clock is a <see cref="FakeTimeProvider"/>: it starts on Tuesday 3 March 2026, 09:00 in Berlin
/// (08:00 UTC), and the tests move it to each event's time before sending the event.
/// Tariffs: day 07:00–20:00 0.80 per started 15 min, night 1.50 per started hour, first 15 min free,
/// daily cap 24.00; energy 0.49/kWh and 0.50 per session; idle 0.20/min after 10 min; VAT 19 % on all.
/// </summary>
public abstract class BillingApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateInKey = "gate-in-camera-key-0123456789";
    private const string GateOutKey = "gate-out-camera-key-0123456789";
    private const string BayKey = "bay-camera-key-0123456789";

    private const string Tariffs = """
        {
          "parking": [ { "id": "standard", "vat": 19, "freeFirst": "15m", "dailyCap": 24.00,
            "bands": [ { "name": "day", "from": "07:00", "to": "20:00", "pricePerUnit": 0.80, "unit": "15m" },
                       { "name": "night", "from": "20:00", "to": "07:00", "pricePerUnit": 1.50, "unit": "1h" } ] } ],
          "charging": [ { "id": "ac", "elements": [ { "priceComponents": [ { "type": "ENERGY", "price": 0.49, "vat": 19 }, { "type": "FLAT", "price": 0.50, "vat": 19 } ] } ] } ],
          "evBayRules": { "chargingStartGrace": "5m", "idleFeePerMinute": 0.20, "idleCap": 12.00, "idleVat": 19 },
          "permits": [ { "plate": "B-CC 1001", "note": "manager" } ]
        }
        """;

    private const string Site = $$"""
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateInKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{GateOutKey}}" } ] } ],
          "chargers": [ { "id": "CP-1" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ],
          "bayCameras": [ { "id": "cam-b1", "key": "{{BayKey}}", "bays": [ "B1" ] } ],
          "tariffs": {{Tariffs}}
        }
        """;

    /// <summary>Tuesday 3 March 2026, 09:00 in Berlin.</summary>
    private static readonly DateTimeOffset Nine = new(2026, 3, 3, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Nine);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(_time));
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", Json(Site));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_stay_with_charging_at_an_ev_bay_gets_a_final_bill_at_the_exit_read()
    {
        // 09:00 entry; 09:05 read at B1; 09:06 plug-in and start; 11:06 stop at 18.4 kWh; 11:40 exit.
        // Parking: 09:00–09:15 free; waived from 09:05 (arrival, charging began 1 min later) to 11:06;
        //          11:06–11:40 = 34 min = 3 started quarters × 0.80 = 2.40 (VAT 0.456 → 0.46).
        // Charging, rounded once for the session (OCPI): 18.4 kWh × 0.49 = 9.016 + session fee 0.50 = 9.516 → 9.52 excl. VAT,
        //          × 1.19 = 11.32404 → 11.32 incl. VAT: VAT 1.80, shared out over the energy (1.71) and the fee (0.09).
        // Idle:    charging finished 11:06 + 10 min grace = 11:16; to 11:40 = 24 min × 0.20 = 4.80 (VAT 0.912 → 0.91).
        // Total:   2.40 + 9.02 + 0.50 + 4.80 = 16.72 excl. VAT; VAT 0.46 + 1.80 + 0.91 = 3.17; 19.89.
        var session = await ChargeAndLeaveAsync("M-AB 123", kwh: 18.4m, leaveAfter: TimeSpan.FromMinutes(160));

        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");

        var root = bill.RootElement;
        Assert.Equal("final", root.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("billId").GetString()));
        var lines = root.GetProperty("bill").GetProperty("lines").EnumerateArray()
            .Select(l => (l.GetProperty("kind").GetString(), l.GetProperty("amountExclVat").GetDecimal())).ToList();
        Assert.Equal(
            [("Parking", 0m), ("ParkingWhileCharging", 0m), ("Parking", 2.40m), ("Charging", 9.02m), ("Charging", 0.50m), ("Idle", 4.80m)],
            lines);
        Assert.Equal(
            (16.72m, 3.17m, 19.89m, 19.89m),
            (root.GetProperty("bill").GetProperty("totalExclVat").GetDecimal(), root.GetProperty("bill").GetProperty("totalVat").GetDecimal(),
                root.GetProperty("bill").GetProperty("total").GetDecimal(), root.GetProperty("balanceDue").GetDecimal()));
    }

    [Fact]
    public async Task A_stop_delivered_after_the_exit_adjusts_the_final_bill_with_a_linked_note()
    {
        // The stay above, but the charger's stop (11:06, 18.4 kWh) reaches the node only at 12:10, after the exit at 11:40.
        // Settled at 11:40: no stop and no energy, so all the time at B1 is waived: the session fee alone, 0.50 + 0.10 VAT = 0.60.
        // Recomputed with the stop: 19.89 as above; the adjustment is +19.29 (+16.22 excl. VAT).
        var start = _time.GetUtcNow();
        decimal? settledTotal = null;
        var session = await ArriveAndChargeAsync("M-AB 123", async (charger, transaction) =>
        {
            await charger.DisposeAsync(); // the charger goes offline: its stop waits in its queue
            _time.SetUtcNow(start.AddMinutes(160));
            await ReadAsync(GateOutKey, "gate-out", "M-AB 123");
            using var settled = await GetJsonAsync($"/api/v1/parking-sessions/{(await LatestSessionOfAsync("M-AB 123"))}/bill");
            settledTotal = settled.RootElement.GetProperty("bill").GetProperty("total").GetDecimal();
            _time.SetUtcNow(start.AddMinutes(190));
            await using var back = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
            await StopAsync(back, transaction, 18.4m, start.AddMinutes(126));
        });

        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");

        var root = bill.RootElement;
        Assert.Equal(0.60m, settledTotal);
        Assert.Equal(("final", 19.89m, 0.60m), (root.GetProperty("status").GetString(), root.GetProperty("bill").GetProperty("total").GetDecimal(),
            root.GetProperty("original").GetProperty("total").GetDecimal()));
        var adjustment = Assert.Single(root.GetProperty("adjustments").EnumerateArray());
        Assert.Equal(
            (root.GetProperty("billId").GetString(), 19.29m, 16.22m),
            (adjustment.GetProperty("billId").GetString(), adjustment.GetProperty("total").GetDecimal(), adjustment.GetProperty("totalExclVat").GetDecimal()));
        Assert.StartsWith("late charging.stop_reported", adjustment.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(19.89m, root.GetProperty("balanceDue").GetDecimal());
    }

    [Fact]
    public async Task The_estimate_while_inside_grows_with_the_time_parked()
    {
        // At 10:00: 09:15–10:00 = 45 min = 3 quarters = 2.40 + 0.46 VAT = 2.86.
        // At 11:00: 09:15–11:00 = 105 min = 7 quarters = 5.60 + 1.06 VAT (1.064) = 6.66.
        var session = await EnterAsync("M-AB 123");

        _time.Advance(TimeSpan.FromHours(1));
        using var first = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");
        _time.Advance(TimeSpan.FromHours(1));
        using var second = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");

        Assert.Equal(("estimate", JsonValueKind.Null), (first.RootElement.GetProperty("status").GetString(), first.RootElement.GetProperty("billId").ValueKind));
        Assert.Equal(2.86m, first.RootElement.GetProperty("bill").GetProperty("total").GetDecimal());
        Assert.Equal(6.66m, second.RootElement.GetProperty("bill").GetProperty("total").GetDecimal());
        Assert.Equal(Nine.AddHours(2), second.RootElement.GetProperty("bill").GetProperty("until").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_exit_gate_is_told_to_ask_for_payment_and_opens_once_paid_with_a_payment_recorded_once_though_sent_twice()
    {
        // 09:00–10:00: 3 quarters = 2.40 + 0.46 VAT = 2.86.
        var session = await EnterAsync("M-AB 123");
        _time.Advance(TimeSpan.FromHours(1));
        await ReadAsync(GateOutKey, "gate-out", "M-AB 123");

        using var before = await GetJsonAsync("/api/v1/sites/garage/exit-decision?plate=m%20ab%20123");
        using var paid = await PayAsync(session, 2.86m, "EUR", idempotencyKey: "kiosk-7:receipt-1");
        using var repeated = await PayAsync(session, 2.86m, "EUR", idempotencyKey: "kiosk-7:receipt-1");
        using var after = await GetJsonAsync("/api/v1/sites/garage/exit-decision?plate=MAB123");

        Assert.Equal(("pay", 2.86m, "EUR", session), (before.RootElement.GetProperty("decision").GetString(), before.RootElement.GetProperty("amountDue").GetDecimal(),
            before.RootElement.GetProperty("currency").GetString(), before.RootElement.GetProperty("parkingSessionId").GetString()));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (paid.StatusCode, repeated.StatusCode));
        using var first = JsonDocument.Parse(await paid.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using var second = JsonDocument.Parse(await repeated.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(first.RootElement.GetProperty("paymentId").GetString(), second.RootElement.GetProperty("paymentId").GetString());
        Assert.Equal(0m, first.RootElement.GetProperty("balanceDue").GetDecimal());
        Assert.Equal(("open", "paid", 0m), (after.RootElement.GetProperty("decision").GetString(), after.RootElement.GetProperty("reason").GetString(), after.RootElement.GetProperty("amountDue").GetDecimal()));

        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");
        Assert.Single(bill.RootElement.GetProperty("payments").EnumerateArray());
        Assert.Equal((2.86m, 0m), (bill.RootElement.GetProperty("paid").GetDecimal(), bill.RootElement.GetProperty("balanceDue").GetDecimal()));
    }

    [Fact]
    public async Task The_exit_gate_finds_the_stay_its_camera_just_closed_though_it_read_an_ocr_look_alike()
    {
        // The exit camera reads MA8123 for MAB123 (B/8): the read closes the stay by similarity, and the gate
        // then asks about the plate it read. 09:00–10:00 = 2.86 due.
        var session = await EnterAsync("M-AB 123");
        _time.Advance(TimeSpan.FromHours(1));
        await ReadAsync(GateOutKey, "gate-out", "M-A8 123");

        using var decision = await GetJsonAsync("/api/v1/sites/garage/exit-decision?plate=MA8123");

        Assert.Equal(("pay", 2.86m, session), (decision.RootElement.GetProperty("decision").GetString(), decision.RootElement.GetProperty("amountDue").GetDecimal(),
            decision.RootElement.GetProperty("parkingSessionId").GetString()));
    }

    [Fact]
    public async Task The_exit_gate_is_not_misled_by_an_earlier_stay_of_the_plate_it_read()
    {
        // A car MA8123 parked this morning and left. Now MAB123 leaves and the exit camera reads it as MA8123:
        // the gate's question is about MAB123's stay, not the morning's one, which was paid and left hours ago.
        await EnterAsync("M-A8 123");
        _time.Advance(TimeSpan.FromHours(1));
        await ReadAsync(GateOutKey, "gate-out", "M-A8 123");
        _time.Advance(TimeSpan.FromHours(3));
        var now = await EnterAsync("M-AB 123");
        _time.Advance(TimeSpan.FromHours(1));
        await ReadAsync(GateOutKey, "gate-out", "M-A8 123");

        using var decision = await GetJsonAsync("/api/v1/sites/garage/exit-decision?plate=MA8123");

        Assert.Equal(("pay", now), (decision.RootElement.GetProperty("decision").GetString(), decision.RootElement.GetProperty("parkingSessionId").GetString()));
    }

    [Fact]
    public async Task A_payment_in_another_currency_is_refused_with_a_problem_and_records_nothing()
    {
        var session = await EnterAsync("M-AB 123");
        _time.Advance(TimeSpan.FromHours(1));

        using var response = await PayAsync(session, 2.86m, "USD", idempotencyKey: null);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("The site bills in EUR, not USD.", problem.RootElement.GetProperty("detail").GetString());
        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");
        Assert.Empty(bill.RootElement.GetProperty("payments").EnumerateArray());
    }

    [Fact]
    public async Task A_permit_plate_is_let_out_without_paying()
    {
        await EnterAsync("B CC 1001");
        _time.Advance(TimeSpan.FromHours(3));

        using var decision = await GetJsonAsync("/api/v1/sites/garage/exit-decision?plate=B-CC1001");

        Assert.Equal(("open", "covered by a permit", 0m), (decision.RootElement.GetProperty("decision").GetString(), decision.RootElement.GetProperty("reason").GetString(),
            decision.RootElement.GetProperty("amountDue").GetDecimal()));
    }

    [Fact]
    public async Task The_daily_report_splits_the_revenue_and_its_csv_has_a_row_per_bill_and_a_total()
    {
        // The EV stay above: parking 2.40, charging 9.52, idle 4.80, 19.89 with VAT, 18.4 kWh.
        // Then a plain stay 13:00–14:00: parking 2.40, 2.86 with VAT. Together: 4.80 / 9.52 / 4.80; 19.12 excl., 22.75 incl.
        var ev = await ChargeAndLeaveAsync("M-AB 123", kwh: 18.4m, leaveAfter: TimeSpan.FromMinutes(160));
        _time.SetUtcNow(Nine.AddHours(4));
        var plain = await EnterAsync("M-XY 987");
        _time.Advance(TimeSpan.FromHours(1));
        await ReadAsync(GateOutKey, "gate-out", "M-XY 987");

        using var json = await GetJsonAsync("/api/v1/sites/garage/reports/daily?date=2026-03-03");
        var csv = await _node.Http.GetStringAsync("/api/v1/sites/garage/reports/daily?date=2026-03-03&format=csv", TestContext.Current.CancellationToken);

        var report = json.RootElement;
        var revenue = report.GetProperty("revenue");
        Assert.Equal(2, report.GetProperty("billsSettled").GetInt32());
        Assert.Equal(
            (4.80m, 9.52m, 4.80m, 19.12m, 22.75m),
            (revenue.GetProperty("parking").GetDecimal(), revenue.GetProperty("charging").GetDecimal(), revenue.GetProperty("idle").GetDecimal(),
                revenue.GetProperty("totalExclVat").GetDecimal(), revenue.GetProperty("total").GetDecimal()));
        Assert.Equal((18.4m, 18.4m), (report.GetProperty("energy").GetProperty("chargerReportedKwh").GetDecimal(), report.GetProperty("energy").GetProperty("billedKwh").GetDecimal()));

        var rows = csv.TrimEnd('\n').Split('\n').Select(r => r.TrimEnd('\r').Split(',')).ToList();
        Assert.Equal(4, rows.Count);
        var header = rows[0].ToList();
        Assert.Equal([ev, plain], rows.Skip(1).Take(2).Select(r => r[header.IndexOf("parking_session_id")]));
        var total = rows[3];
        Assert.Equal(
            ("TOTAL", "4.80", "9.52", "4.80", "22.75"),
            (total[header.IndexOf("bill_id")], total[header.IndexOf("parking")], total[header.IndexOf("charging")], total[header.IndexOf("idle")], total[header.IndexOf("total")]));
    }

    [Fact]
    public async Task The_cdr_of_a_finished_charging_session_is_its_ocpi_record_and_agrees_with_the_stays_bill()
    {
        // Charging 09:06–11:06 (18.4 kWh) with a pause 10:00–10:10 (SuspendedEV, shorter than the threshold: not the end of
        // charging). The CDR: TIME 09:06–10:00, PARKING_TIME 10:00–10:10, TIME 10:10–11:06; 18.4 kWh × 0.49 + 0.50 = 9.516
        // → 9.52 excl. VAT, 11.32404 → 11.32 incl. VAT, the charging lines of the bill to the cent.
        string? whileRunning = null;
        var start = _time.GetUtcNow();
        var stay = await ArriveAndChargeAsync("M-AB 123", async (charger, transaction) =>
        {
            _time.SetUtcNow(start.AddMinutes(60));
            await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.SuspendedEV, Timestamp = _time.GetUtcNow() });
            using (var response = await _node.Http.GetAsync($"/api/v1/charging-sessions/{await OnlyChargingSessionAsync()}/cdr", TestContext.Current.CancellationToken))
            {
                whileRunning = $"{(int)response.StatusCode}";
            }

            _time.SetUtcNow(start.AddMinutes(70));
            await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Charging, Timestamp = _time.GetUtcNow() });
            _time.SetUtcNow(start.AddMinutes(126));
            await StopAsync(charger, transaction, 18.4m, _time.GetUtcNow());
        });
        _time.SetUtcNow(start.AddMinutes(160));
        await ReadAsync(GateOutKey, "gate-out", "M-AB 123");
        var chargingSession = await OnlyChargingSessionAsync();

        using var cdr = await GetJsonAsync($"/api/v1/charging-sessions/{chargingSession}/cdr");
        using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{stay}/bill");

        var root = cdr.RootElement;
        Assert.Equal("409", whileRunning);
        Assert.Equal((chargingSession, "EUR", "ac", 18.4m, 2m), (root.GetProperty("id").GetString(), root.GetProperty("currency").GetString(),
            root.GetProperty("tariffs")[0].GetProperty("id").GetString(), root.GetProperty("total_energy").GetDecimal(), root.GetProperty("total_time").GetDecimal()));
        Assert.Equal(
            [("TIME", 0.9m), ("PARKING_TIME", 0.1667m), ("TIME", 0.9333m)],
            root.GetProperty("charging_periods").EnumerateArray().Select(p => p.GetProperty("dimensions").EnumerateArray()
                .Where(d => d.GetProperty("type").GetString() is "TIME" or "PARKING_TIME").Select(d => (d.GetProperty("type").GetString(), d.GetProperty("volume").GetDecimal())).Single()));
        Assert.Equal(0.1667m, root.GetProperty("total_parking_time").GetDecimal());
        Assert.Equal((9.52m, 11.32m), (root.GetProperty("total_cost").GetProperty("excl_vat").GetDecimal(), root.GetProperty("total_cost").GetProperty("incl_vat").GetDecimal()));
        var charging = bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("kind").GetString() is "Charging" or "ChargingAdjustment").ToList();
        Assert.Equal((9.52m, 11.32m), (charging.Sum(l => l.GetProperty("amountExclVat").GetDecimal()), charging.Sum(l => l.GetProperty("amountInclVat").GetDecimal())));
        Assert.DoesNotContain(bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray(), l => l.GetProperty("kind").GetString() == "Idle" && l.GetProperty("from").GetDateTimeOffset() < start.AddMinutes(126));
    }

    private async Task<string> OnlyChargingSessionAsync()
    {
        using var page = await GetJsonAsync("/api/v1/charging-sessions?siteId=garage");
        return Assert.Single(page.RootElement.GetProperty("items").EnumerateArray()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Tariffs_put_alone_are_applied_as_an_observation_and_read_back_in_the_same_shape()
    {
        var changed = Tariffs.Replace("\"pricePerUnit\": 0.80", "\"pricePerUnit\": 1.00", StringComparison.Ordinal);

        using var put = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json(changed));
        using var got = await GetJsonAsync("/api/v1/sites/garage/tariffs");
        using var site = await GetJsonAsync("/api/v1/sites/garage");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var answered = JsonDocument.Parse(await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(answered.RootElement.GetRawText(), got.RootElement.GetRawText());
        Assert.Equal(1.00m, got.RootElement.GetProperty("parking")[0].GetProperty("bands")[0].GetProperty("pricePerUnit").GetDecimal());
        Assert.Equal(got.RootElement.GetRawText(), site.RootElement.GetProperty("document").GetProperty("tariffs").GetRawText());

        var configured = await LastSiteConfigurationAsync();
        Assert.Equal("api", configured.Source);
        Assert.Equal(1.00m, ((SiteConfigured)configured.Payload).Configuration.Tariffs.Parking[0].Bands[0].PricePerUnit);

        // The same tariffs again change nothing.
        using var again = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json(got.RootElement.GetRawText()));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(configured.Key, (await LastSiteConfigurationAsync()).Key);
    }

    [Fact]
    public async Task A_tariff_change_prices_stays_not_yet_settled_and_leaves_settled_bills_alone()
    {
        // Settled 09:00–10:00 at 0.80 a quarter: 2.86. Open since 09:30; at 11:00 with 1.00 a quarter:
        // 09:45–11:00 = 75 min = 5 quarters = 5.00 + 0.95 VAT = 5.95.
        var settled = await EnterAsync("M-AB 123");
        _time.Advance(TimeSpan.FromMinutes(30));
        var open = await EnterAsync("M-XY 987");
        _time.Advance(TimeSpan.FromMinutes(30));
        await ReadAsync(GateOutKey, "gate-out", "M-AB 123");

        using var put = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json(Tariffs.Replace("\"pricePerUnit\": 0.80", "\"pricePerUnit\": 1.00", StringComparison.Ordinal)));
        _time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        using var old = await GetJsonAsync($"/api/v1/parking-sessions/{settled}/bill");
        using var current = await GetJsonAsync($"/api/v1/parking-sessions/{open}/bill");
        Assert.Equal(2.86m, old.RootElement.GetProperty("bill").GetProperty("total").GetDecimal());
        Assert.Equal(5.95m, current.RootElement.GetProperty("bill").GetProperty("total").GetDecimal());
    }

    [Fact]
    public async Task A_bad_tariffs_document_is_refused_with_every_problem_named_by_its_path_and_changes_nothing()
    {
        using var before = await GetJsonAsync("/api/v1/sites/garage/tariffs");
        var bad = Tariffs
            .Replace("\"ENERGY\"", "\"ENERGIE\"", StringComparison.Ordinal)
            .Replace("\"pricePerUnit\": 0.80", "\"pricePerUnit\": 0.805", StringComparison.Ordinal)
            .Replace("\"permits\"", "\"permit\"", StringComparison.Ordinal);

        using var response = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json(bad));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("The tariffs document is not valid", problem.RootElement.GetProperty("title").GetString());
        Assert.Equal(
            [
                "parking[0].bands[0].pricePerUnit: 0.805 has more decimals than EUR has (2) (line 3)",
                "charging[0].elements[0].priceComponents[0].type: 'ENERGIE' is not one of ENERGY, FLAT, TIME, PARKING_TIME; did you mean ENERGY? (line 5)",
                "permit: unknown field; did you mean permits? (line 7)",
            ],
            problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        using var after = await GetJsonAsync("/api/v1/sites/garage/tariffs");
        Assert.Equal(before.RootElement.GetRawText(), after.RootElement.GetRawText());
    }

    [Fact]
    public async Task Tariffs_of_a_site_that_does_not_exist_are_not_found()
    {
        using var get = await _node.Http.GetAsync("/api/v1/sites/nowhere/tariffs", TestContext.Current.CancellationToken);
        using var put = await _node.Http.PutAsync("/api/v1/sites/nowhere/tariffs", Json(Tariffs));

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (get.StatusCode, put.StatusCode));
    }

    [Fact]
    public async Task A_site_document_without_tariffs_keeps_the_tariffs_the_site_has()
    {
        var withoutTariffs = Site[..Site.IndexOf(",\n  \"tariffs\"", StringComparison.Ordinal)].ReplaceLineEndings("\n") + "\n}";
        using var before = await GetJsonAsync("/api/v1/sites/garage/tariffs");

        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", Json(withoutTariffs.Replace("\"ordinaryBays\": 10", "\"ordinaryBays\": 12", StringComparison.Ordinal)));
        using var after = await GetJsonAsync("/api/v1/sites/garage/tariffs");

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(before.RootElement.GetRawText(), after.RootElement.GetRawText());
        Assert.NotEmpty(after.RootElement.GetProperty("parking").EnumerateArray());
    }

    /// <summary>
    /// Enters at the clock's time, is read at B1 5 min later, plugs in and starts at 6 min, stops at
    /// 126 min with <paramref name="kwh"/>, and is read leaving at <paramref name="leaveAfter"/>.
    /// </summary>
    private async Task<string> ChargeAndLeaveAsync(string plate, decimal kwh, TimeSpan leaveAfter)
    {
        var start = _time.GetUtcNow();
        var session = await ArriveAndChargeAsync(plate, async (charger, transaction) =>
        {
            _time.SetUtcNow(start.AddMinutes(126));
            await StopAsync(charger, transaction, kwh, _time.GetUtcNow());
        });
        _time.SetUtcNow(start + leaveAfter);
        await ReadAsync(GateOutKey, "gate-out", plate);
        return session;
    }

    /// <summary>Enters at the clock's time, is read at B1 5 min later, plugs in and starts at 6 min; then <paramref name="then"/>, with the charger still connected.</summary>
    private async Task<string> ArriveAndChargeAsync(string plate, Func<TestCharger, int, Task> then)
    {
        var start = _time.GetUtcNow();
        var session = await EnterAsync(plate);
        _time.SetUtcNow(start.AddMinutes(5));
        await ReadAsync(BayKey, "cam-b1", plate);
        _time.SetUtcNow(start.AddMinutes(6));
        await using var charger = await TestCharger.ConnectAsync(_node.OcppUri("CP-1"), OcppVersion.Ocpp16);
        var now = _time.GetUtcNow();
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Preparing, Timestamp = now.AddSeconds(-10) });
        var started = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 0, Timestamp = now });
        await charger.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest { ConnectorId = 1, ErrorCode = ChargePointErrorCode.NoError, Status = ChargePointStatus.Charging, Timestamp = now.AddSeconds(5) });
        await then(charger, started.TransactionId);
        return session;
    }

    private static async Task StopAsync(TestCharger charger, int transaction, decimal kwh, DateTimeOffset at) =>
        await charger.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = transaction, MeterStop = (int)(kwh * 1000), Timestamp = at });

    /// <summary>A read at the entry gate at the clock's time; the parking session it opened.</summary>
    private async Task<string> EnterAsync(string plate)
    {
        await ReadAsync(GateInKey, "gate-in", plate);
        using var page = await GetJsonAsync($"/api/v1/parking-sessions?siteId=garage&plate={Uri.EscapeDataString(plate)}&status=Open");
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    /// <summary>The plate's latest parking session.</summary>
    private async Task<string> LatestSessionOfAsync(string plate)
    {
        using var page = await GetJsonAsync($"/api/v1/parking-sessions?siteId=garage&plate={Uri.EscapeDataString(plate)}");
        return page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    private async Task ReadAsync(string key, string camera, string plate)
    {
        using var client = new HttpClient { BaseAddress = _node.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera, plate, confidence = 0.95, capturedAt = _time.GetUtcNow() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<HttpResponseMessage> PayAsync(string session, decimal amount, string currency, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/parking-sessions/{session}/payments")
        {
            Content = JsonContent.Create(new { amount, currency, method = "card", reference = "T-1" }),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await _node.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _node.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private async Task<Core.Observations.Observation> LastSiteConfigurationAsync()
    {
        var store = _node.App.Services.GetRequiredService<Store>();
        Core.Observations.Observation? last = null;
        await foreach (var stored in store.Log.ReadAsync(new SiteId("garage"), 0, TestContext.Current.CancellationToken))
        {
            if (stored.Observation.Payload is SiteConfigured)
            {
                last = stored.Observation;
            }
        }

        return last ?? throw new InvalidOperationException("The log has no site configuration.");
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
