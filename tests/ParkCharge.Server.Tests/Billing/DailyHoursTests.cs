using ParkCharge.Server.Apis;
using ParkCharge.Storage.Queries;

namespace ParkCharge.Server.Tests.Billing;

/// <summary>The daily report's hours, which the dashboard charts: vehicles inside and energy per hour.</summary>
public sealed class DailyHoursTests
{
    private static readonly DateTimeOffset Midnight = new(2026, 3, 2, 23, 0, 0, TimeSpan.Zero); // 3 March 00:00 in Berlin
    private static readonly DateTimeOffset NextMidnight = Midnight.AddDays(1);

    [Fact]
    public void A_vehicle_counts_in_every_hour_it_was_inside_and_one_still_inside_until_the_day_ends()
    {
        var hours = Reconciliation.Hours(Midnight, NextMidnight, NextMidnight,
            [Stay("a", "Closed", At(9, 30), At(11, 10)), Stay("b", "Open", At(22, 15), null), Stay("c", "Closed", null, At(1, 0))], []);

        Assert.Equal(24, hours.Count);
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1], hours.Select(h => h.VehiclesInside));
    }

    [Fact]
    public void A_sessions_energy_is_spread_evenly_over_its_hours_and_adds_up()
    {
        // 10:30 to 12:30, 20 kWh: 5 in the 10:00 hour, 10 in the 11:00 hour, 5 in the 12:00 hour.
        var hours = Reconciliation.Hours(Midnight, NextMidnight, NextMidnight, [], [Charge(At(10, 30), At(12, 30), 20_000), Charge(At(15, 0), null, null)]);

        Assert.Equal((5m, 10m, 5m), (hours[10].EnergyKwh, hours[11].EnergyKwh, hours[12].EnergyKwh));
        Assert.Equal(20m, hours.Sum(h => h.EnergyKwh));
    }

    [Fact]
    public void A_session_still_charging_is_spread_up_to_now()
    {
        var hours = Reconciliation.Hours(Midnight, NextMidnight, At(14, 0), [], [Charge(At(12, 0), null, 6_000)]);

        Assert.Equal((3m, 3m, 0m), (hours[12].EnergyKwh, hours[13].EnergyKwh, hours[14].EnergyKwh));
    }

    [Fact]
    public void A_day_when_clocks_go_forward_has_twenty_three_hours()
    {
        var from = new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero); // 29 March 00:00 CET
        var to = new DateTimeOffset(2026, 3, 29, 22, 0, 0, TimeSpan.Zero); // 30 March 00:00 CEST

        Assert.Equal(23, Reconciliation.Hours(from, to, to, [], []).Count);
    }

    private static DateTimeOffset At(int hour, int minute) => Midnight.AddHours(hour).AddMinutes(minute);

    private static ParkingDayRow Stay(string id, string status, DateTimeOffset? entered, DateTimeOffset? exited) =>
        new(id, "P" + id, status, entered, exited, "");

    private static ChargingDayRow Charge(DateTimeOffset started, DateTimeOffset? stopped, decimal? wh) =>
        new("cs-" + started.Ticks, "CP-1", "1", started, stopped, wh, "", "Bound", null);
}
