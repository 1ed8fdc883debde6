using System.Text.Json;

using ParkCharge.Testing;

using V16 = ParkCharge.Ocpp.V16;

namespace ParkCharge.Server.Tests.Binding;

public sealed class SqliteBindingRevisionTests(PostgresServer postgres) : BindingRevisionTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresBindingRevisionTests(PostgresServer postgres) : BindingRevisionTests(StoreEngine.Postgres, postgres);

/// <summary>
/// The failures an independent harness found (issue 13), each reproduced through the real edges: camera
/// pushes over HTTP and chargers over OCPP-J WebSockets (1.6 and 2.0.1) against a node, read back through
/// the API. Every binding is decided on all the evidence and revised, with <c>binding.changed</c> and its
/// reason, when later evidence contradicts it.
/// </summary>
public abstract class BindingRevisionTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private BindingScenario _site = null!;

    public async ValueTask InitializeAsync() => _site = await BindingScenario.StartAsync(engine, postgres);

    public async ValueTask DisposeAsync() => await _site.DisposeAsync();

    /// <summary>OLD1 and NEW2 come in; OLD1 is read at B1, plugs in, charges for <paramref name="charging"/> and unplugs.</summary>
    private async Task<string> OldOneChargesAtB1Async(TimeSpan charging)
    {
        await _site.EnterAsync("OLD1");
        await _site.EnterAsync("NEW2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(2));
        await _site.ReadAsync("cam-b1", "OLD1");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(30));
        var first = await _site.PlugIn16Async(1, "RFID-OLD1");
        await _site.AdvanceAsync(charging);
        await _site.Unplug16Async(first, 1);
        return first;
    }

    [Fact]
    public async Task A_car_re_read_as_it_pulls_out_after_its_own_charge_on_that_outlet_is_not_the_next_plug_in_s_car()
    {
        // OLD1 charges at B1 and unplugs; the camera reads it again as it pulls out; NEW2 parks there, its read is
        // missed, and it plugs into the same outlet a minute later.
        var first = await OldOneChargesAtB1Async(TimeSpan.FromMinutes(50));
        await _site.AdvanceAsync(TimeSpan.FromSeconds(40));
        await _site.ReadAsync("cam-b1", "OLD1"); // pulling out
        await _site.AdvanceAsync(TimeSpan.FromSeconds(50));

        var next = await _site.PlugIn16Async(1, "RFID-NEW2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        // OLD1 is ruled out; NEW2 is the only car inside at no bay: bound provisionally, for an operator to confirm.
        var binding = await _site.BindingAsync("CP-1", next);
        Assert.Equal(("Provisional", "Fuzzy", "NEW2"), (binding.GetProperty("status").GetString(), binding.GetProperty("method").GetString(), binding.GetProperty("plate").GetString()));
        var first1 = await _site.BindingAsync("CP-1", first);
        Assert.Equal(("OLD1", "Bound"), (first1.GetProperty("plate").GetString(), first1.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task A_car_re_read_pulling_out_54_minutes_before_the_plug_in_is_not_taken_for_the_next_car()
    {
        var first = await OldOneChargesAtB1Async(TimeSpan.FromMinutes(40));
        await _site.AdvanceAsync(TimeSpan.FromMinutes(1));
        await _site.ReadAsync("cam-b1", "OLD1"); // pulling out; no vacancy report, NEW2's arrival not read
        await _site.AdvanceAsync(TimeSpan.FromMinutes(54));

        var next = await _site.PlugIn16Async(1, "RFID-NEW2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        Assert.NotEqual("OLD1", (await _site.BindingAsync("CP-1", next)).GetProperty("plate").GetString());
    }

    [Fact]
    public async Task The_right_car_s_read_60_seconds_after_the_plug_in_revises_a_binding_made_at_once()
    {
        // PARK1 has stood at B1 for twenty minutes without plugging in, and is the only car there when the cable
        // goes in: bound at once, tentatively. REAL2's read comes a minute after the plug-in.
        await _site.EnterAsync("PARK1");
        await _site.EnterAsync("REAL2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(1));
        await _site.ReadAsync("cam-b1", "PARK1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(20));
        var tx = await _site.PlugIn16Async(1, "RFID-REAL2", badgeAfter: TimeSpan.FromSeconds(10));
        var made = await _site.BindingAsync("CP-1", tx);
        Assert.Equal(("PARK1", true), (made.GetProperty("plate").GetString(), made.GetProperty("tentative").GetBoolean()));

        await _site.AdvanceAsync(TimeSpan.FromSeconds(50));
        await _site.ReadAsync("cam-b1", "REAL2");

        var binding = await _site.BindingAsync("CP-1", tx);
        Assert.Equal(("Bound", "REAL2", false), (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString(), binding.GetProperty("tentative").GetBoolean()));
        var events = await _site.BindingEventsAsync(binding.GetProperty("chargingSessionId").GetString()!);
        Assert.Equal(["binding.created", "binding.changed"], events.Select(e => e.Type));
        var changed = events[1].Data;
        Assert.Equal(("PARK1", "REAL2"), (changed.GetProperty("before").GetProperty("plate").GetString(), changed.GetProperty("after").GetProperty("plate").GetString()));
        Assert.Contains("REAL2", changed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(events[0].Data.GetProperty("binding").GetProperty("tentative").GetBoolean());
    }

    [Fact]
    public async Task A_tentative_binding_the_window_bears_out_is_confirmed()
    {
        await _site.EnterAsync("BCD1234");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(2));
        await _site.ReadAsync("cam-b1", "BCD1234");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(40));
        var tx = await _site.PlugIn16Async(1, "RFID-1");
        Assert.True((await _site.BindingAsync("CP-1", tx)).GetProperty("tentative").GetBoolean());

        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        var binding = await _site.BindingAsync("CP-1", tx);
        Assert.Equal(("Bound", "BCD1234", false), (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString(), binding.GetProperty("tentative").GetBoolean()));
        Assert.Equal(["binding.created", "binding.confirmed"], (await _site.BindingEventsAsync(binding.GetProperty("chargingSessionId").GetString()!)).Select(e => e.Type));
    }

    [Fact]
    public async Task A_car_parked_22_minutes_at_the_served_bay_does_not_get_the_charge_of_the_neighbour_reaching_over()
    {
        // B2's outlet is faulted. PARK1 has stood at B1 for 22 minutes without plugging in; REAL2 parks at B2 and
        // plugs into B1's outlet, whose cable reaches.
        await _site.Status16Async(2, V16.ChargePointStatus.Faulted);
        await _site.EnterAsync("PARK1");
        await _site.EnterAsync("REAL2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(1));
        await _site.ReadAsync("cam-b1", "PARK1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(22));
        await _site.ReadAsync("cam-b2", "REAL2");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(40));

        var tx = await _site.PlugIn16Async(1, "RFID-REAL2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        var binding = await _site.BindingAsync("CP-1", tx);
        Assert.Equal(("Bound", "REAL2"), (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString()));
    }

    [Fact]
    public async Task A_look_alike_read_of_a_car_charging_at_another_bay_is_another_car_and_neither_charge_is_billed_twice()
    {
        // LZ28MGH charges at B1. L228MGH parks at B3 and its camera reads it as LZ28MGH.
        await _site.EnterAsync("LZ28MGH");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(2));
        await _site.ReadAsync("cam-b1", "LZ28MGH");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(30));
        var first = await _site.PlugIn16Async(1, "RFID-1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(10));
        await _site.EnterAsync("L228MGH");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(2));
        await _site.ReadAsync("cam-b34", "LZ28MGH", zone: "left");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(30));

        await _site.PlugIn201Async(1, "tx-twin", "RFID-2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        var twin = await _site.BindingAsync("CP-2", "tx-twin");
        var original = await _site.BindingAsync("CP-1", first);
        Assert.Equal(("Bound", "L228MGH"), (twin.GetProperty("status").GetString(), twin.GetProperty("plate").GetString()));
        Assert.Equal(("Bound", "LZ28MGH"), (original.GetProperty("status").GetString(), original.GetProperty("plate").GetString()));
        Assert.NotEqual(original.GetProperty("parkingSessionId").GetString(), twin.GetProperty("parkingSessionId").GetString());
        var stay = await _site.StayAsync("LZ28MGH");
        Assert.Single(stay.GetProperty("charging").EnumerateArray());
    }

    [Fact]
    public async Task A_misread_plate_without_an_entry_read_is_mended_by_the_exit_read_and_the_charge_goes_on_its_bill()
    {
        // OH47TXK's entry is missed and B1's camera reads it as DH47TXK; the exit reads OH47TXK.
        await _site.EnterAsync("OTHER1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(2));
        await _site.ReadAsync("cam-b1", "DH47TXK");
        await _site.AdvanceAsync(TimeSpan.FromSeconds(30));
        var tx = await _site.PlugIn16Async(1, "RFID-9");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.Equal("DH47TXK", (await _site.BindingAsync("CP-1", tx)).GetProperty("plate").GetString());
        await _site.AdvanceAsync(TimeSpan.FromMinutes(60));
        await _site.Unplug16Async(tx, 1, meterStopWh: 12_000);
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));

        await _site.ExitAsync("OH47TXK");

        var binding = await _site.BindingAsync("CP-1", tx);
        var stay = await _site.StayAsync("OH47TXK");
        Assert.Equal(("OH47TXK", stay.GetProperty("id").GetString()), (binding.GetProperty("plate").GetString(), binding.GetProperty("parkingSessionId").GetString()));
        var charging = Assert.Single(stay.GetProperty("charging").EnumerateArray());
        Assert.Equal(binding.GetProperty("chargingSessionId").GetString(), charging.GetProperty("chargingSessionId").GetString());
        var changed = (await _site.BindingEventsAsync(binding.GetProperty("chargingSessionId").GetString()!)).Last(e => e.Type == "binding.changed").Data;
        Assert.Equal(("DH47TXK", "OH47TXK"), (changed.GetProperty("before").GetProperty("plate").GetString(), changed.GetProperty("after").GetProperty("plate").GetString()));
        using var bill = await _site.GetAsync($"/api/v1/parking-sessions/{stay.GetProperty("id").GetString()}/bill");
        Assert.Contains(bill.RootElement.GetProperty("bill").GetProperty("lines").EnumerateArray(), l => l.GetProperty("chargingSessionId").GetString() == binding.GetProperty("chargingSessionId").GetString());
    }

    [Fact]
    public async Task A_bound_car_read_leaving_the_car_park_while_the_charge_goes_on_gives_the_charge_to_the_car_that_stayed()
    {
        // PARK1 stands unplugged at B1 (its driver went shopping); REAL2, whose B2 outlet is out of order, is read
        // at B2 only five minutes later (a late read): the charge is first bound to PARK1, then PARK1 drives out
        // while the charge goes on.
        await _site.Status16Async(2, V16.ChargePointStatus.Faulted);
        await _site.EnterAsync("PARK1");
        await _site.EnterAsync("REAL2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(1));
        await _site.ReadAsync("cam-b1", "PARK1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(4));
        var tx = await _site.PlugIn16Async(1, "RFID-REAL2");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(3));
        Assert.Equal("PARK1", (await _site.BindingAsync("CP-1", tx)).GetProperty("plate").GetString());
        await _site.ReadAsync("cam-b2", "REAL2", capturedAt: _site.Now.AddMinutes(-3)); // delivered late: taken 20 s after the plug-in

        await _site.AdvanceAsync(TimeSpan.FromMinutes(20));
        await _site.ExitAsync("PARK1");
        await _site.AdvanceAsync(TimeSpan.FromMinutes(5));

        var binding = await _site.BindingAsync("CP-1", tx);
        Assert.Equal(("Bound", "REAL2"), (binding.GetProperty("status").GetString(), binding.GetProperty("plate").GetString()));
        var changed = (await _site.BindingEventsAsync(binding.GetProperty("chargingSessionId").GetString()!)).Last(e => e.Type == "binding.changed").Data;
        Assert.Contains("PARK1", changed.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private static JsonElement Candidate(JsonElement binding, string plate) =>
        binding.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("plate").GetString() == plate);
}
