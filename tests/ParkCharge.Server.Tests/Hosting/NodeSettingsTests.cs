using Microsoft.Extensions.Options;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hosting;

/// <summary>Settings a node cannot run with stop it at start, each named with its value; durations are read in both spellings.</summary>
public sealed class NodeSettingsTests(PostgresServer postgres)
{
    [Fact]
    public async Task Every_setting_the_node_cannot_run_with_is_named_at_start_and_the_store_is_not_touched()
    {
        var folder = TestStores.NewFolder("bad-settings");

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestNode.StartAsync(new StoreOptions { DataDirectory = folder }, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:CallTimeout"] = "00:00:00",
            ["ParkCharge:Webhooks:FirstRetry"] = "00:10:00",
            ["ParkCharge:Webhooks:MaxRetry"] = "00:01:00",
            ["ParkCharge:Queues:Site"] = "0",
            ["ParkCharge:Snapshots:KeepLogFor"] = "00:00:00",
        }));

        Assert.Equal(
            [
                "ParkCharge:Ocpp:CallTimeout must be a duration from 00:00:00.0010000 to 49.17:02:47.2940000 ([d.]hh:mm:ss), not 00:00:00.",
                "ParkCharge:Webhooks:MaxRetry must be a duration from 00:10:00 to 49.17:02:47.2940000 and no shorter than FirstRetry ([d.]hh:mm:ss), not 00:01:00.",
                "ParkCharge:Queues:Site must be at least 1, not 0.",
                "ParkCharge:Snapshots:KeepLogFor must be a duration from 1.00:00:00 to 36500.00:00:00 ([d.]hh:mm:ss), not 00:00:00.",
            ],
            error.Failures);
        Assert.False(File.Exists(Path.Combine(folder, StoreOptions.SqliteFileName)));
    }

    [Fact]
    public async Task A_word_where_a_duration_goes_stops_the_node_naming_the_key_and_how_durations_are_written()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:HeartbeatInterval"] = "five minutes",
        }));

        var failure = Assert.Single(error.Failures);
        Assert.Contains("'five minutes'", failure, StringComparison.Ordinal);
        Assert.Contains("ParkCharge:Ocpp:HeartbeatInterval", failure, StringComparison.Ordinal);
        Assert.Contains("[d.]hh:mm:ss", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Parkcharge_serve_with_a_bad_setting_exits_with_1_and_says_which_setting_and_why()
    {
        var folder = TestStores.NewFolder("bad-serve");

        var (exitCode, output, error) = await ParkChargeProcess.RunAsync(
            new Dictionary<string, string?> { ["ParkCharge__Ocpp__PingInterval"] = "-00:00:30" },
            "serve", "--urls", "http://127.0.0.1:0", "--data", folder);

        Assert.Equal(1, exitCode);
        Assert.Contains("ParkCharge did not start: its settings cannot be used.", error, StringComparison.Ordinal);
        Assert.Contains("ParkCharge:Ocpp:PingInterval must be a duration from 00:00:01", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal); // a message, not a stack trace
        Assert.DoesNotContain("is running", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_duration_under_its_old_seconds_key_is_still_read_and_the_new_key_wins_when_both_are_set()
    {
        await using var old = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:HeartbeatIntervalSeconds"] = "120",
        });
        await using var both = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Ocpp:HeartbeatIntervalSeconds"] = "120",
            ["ParkCharge:Ocpp:HeartbeatInterval"] = "00:01:30",
        });

        Assert.Equal(120, await BootIntervalAsync(old));
        Assert.Equal(90, await BootIntervalAsync(both));
    }

    [Fact]
    public async Task An_old_seconds_key_that_is_not_a_number_stops_the_node_naming_the_old_key_and_the_new_one()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestNode.StartAsync(StoreEngine.Sqlite, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:Webhooks:DeliveryLogDays"] = "two weeks",
        }));

        Assert.Equal(
            ["ParkCharge:Webhooks:DeliveryLogDays must be a number (or use ParkCharge:Webhooks:DeliveryLogRetention with a duration, [d.]hh:mm:ss), not 'two weeks'."],
            error.Failures);
    }

    private static async Task<int> BootIntervalAsync(TestNode node)
    {
        await node.RegisterChargerAsync("CP-HB");
        await using var charger = await TestCharger.ConnectAsync(node.OcppUri("CP-HB"), OcppVersion.Ocpp16);
        var boot = await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "V", ChargePointModel = "M" });
        return boot.Interval;
    }
}
