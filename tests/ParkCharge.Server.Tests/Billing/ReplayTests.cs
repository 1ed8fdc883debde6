using System.Globalization;

using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Observations;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Hosting;
using ParkCharge.Storage;
using ParkCharge.Storage.Log;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Billing;

public sealed class SqliteReplayTests(PostgresServer postgres) : ReplayTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresReplayTests(PostgresServer postgres) : ReplayTests(StoreEngine.Postgres, postgres);

/// <summary>
/// <c>parkcharge replay</c> rebuilds projections and bills from the log into a fresh store; the result
/// equals what was stored, to the cent, and a difference is reported, not hidden.
/// </summary>
public abstract class ReplayTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private static readonly SiteId Site = new("replay-site");
    private readonly List<string> _folders = [];
    private Store _store = null!;

    public async ValueTask InitializeAsync() => _store = await TestStores.OpenAsync(await TestStores.CreateOptionsAsync(engine, postgres));

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        foreach (var folder in _folders)
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Replaying_a_day_of_stays_rebuilds_every_bill_to_the_cent()
    {
        var stays = await PlayDayAsync(vehicles: 40);

        await using var rebuilt = await FreshStoreAsync();
        var report = await Replay.RunAsync(_store, rebuilt, null, TestContext.Current.CancellationToken);

        Assert.True(report.Identical, string.Join("; ", report.BillsDiffering));
        Assert.Equal(stays, report.BillsCompared);
        Assert.True(report.StoredRevenue > 0);
        Assert.Equal(report.StoredRevenue, report.ReplayedRevenue);
        Assert.Equal((0, 0), (report.RepliesDiffering, report.EventsDiffering));
        var bills = await rebuilt.Bills.AllAsync(TestContext.Current.CancellationToken);
        Assert.Equal(stays, bills.Count);
        Assert.True(bills.Any(b => b.Current.Lines.Any(l => l.Kind == BillLineKind.Charging)), "no charging billed");
        Assert.True(bills.Any(b => b.Adjustments.Count > 0), "no adjustment"); // the queued stops adjusted settled bills
        Assert.True(bills.Any(b => b.Current.Lines.Any(l => l.Kind == BillLineKind.Idle)), "no idle fee");
    }

    [Fact]
    public async Task A_stored_bill_that_the_log_does_not_reproduce_is_reported()
    {
        await PlayDayAsync(vehicles: 5);
        var victim = (await _store.Bills.AllAsync(TestContext.Current.CancellationToken))[0];
        await using (var connection = await _store.Database.OpenAsync(TestContext.Current.CancellationToken))
        {
            var tampered = victim with { Bill = victim.Bill with { Lines = [.. victim.Bill.Lines.Select(l => l with { AmountExclVat = l.AmountExclVat + 1 })] } };
            var json = engine == StoreEngine.Postgres ? "CAST(@document AS jsonb)" : "@document";
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE bills SET document = {json} WHERE parking_session_id = @id";
            foreach (var (name, value) in new[] { ("document", ParkCharge.Storage.Json.LogJson.Serialize(tampered)), ("id", victim.ParkingSessionId) })
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var rebuilt = await FreshStoreAsync();
        var report = await Replay.RunAsync(_store, rebuilt, null, TestContext.Current.CancellationToken);

        Assert.False(report.Identical);
        Assert.StartsWith(victim.ParkingSessionId, Assert.Single(report.BillsDiffering), StringComparison.Ordinal);
    }

    /// <summary>
    /// A day at a car park with four EV bays: vehicles enter, some are read at a bay and charge (some of
    /// those stay idle after charging), some charge with the stop arriving after their exit (an adjustment),
    /// all leave. Every observation goes through the engine and the log writer, as a node does.
    /// </summary>
    private async Task<int> PlayDayAsync(int vehicles)
    {
        var random = new Random(7);
        var start = new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero);
        var observations = new List<(DateTimeOffset At, ObservationPayload Payload, DateTimeOffset? EventTime)>
        {
            (start.AddMinutes(-3), new ChargerRegistration(new ChargerId("CP-1"), null, 0), null),
            (start.AddMinutes(-2), new ConnectionOpened(new ChargerId("CP-1"), "conn-1", OcppVersion.Ocpp16, "node-a", "127.0.0.1"), null),
            (start.AddMinutes(-1), new SiteConfigured(Configuration()), null),
        };
        var tx = 0;
        for (var v = 0; v < vehicles; v++)
        {
            var plate = $"PC{v:000}X";
            var entered = start.AddMinutes(random.Next(0, 600));
            var leave = entered.AddMinutes(random.Next(5, 400));
            observations.Add((entered, new PlateRead { Camera = "gate-in", Plate = plate, Confidence = 0.95 }, null));
            if (v % 3 == 0)
            {
                var bay = (v / 3) % 4;
                var atBay = entered.AddMinutes(3 + bay);
                var plugged = atBay.AddSeconds(random.Next(5, 90));
                var stop = plugged.AddMinutes(random.Next(20, 180));
                leave = stop.AddMinutes(random.Next(0, 40));
                observations.Add((atBay, new PlateRead { Camera = $"cam-{bay + 1}", Plate = plate, Confidence = 0.9 }, null));
                observations.Add((plugged, new TransactionStartReported(new ChargerId("CP-1"), bay + 1, $"TAG-{v}", 0), null));
                var transaction = ++tx;
                var arrives = v % 9 == 0 ? leave.AddMinutes(30) : stop; // sometimes the stop is queued and arrives after the exit
                observations.Add((arrives, new TransactionStopReported(new ChargerId("CP-1"), transaction, null, random.Next(1_000, 40_000), null, []), stop));
            }

            observations.Add((leave, new PlateRead { Camera = "gate-out", Plate = plate, Confidence = 0.95 }, null));
        }

        var state = new SiteState(Site);
        var seq = 0;
        foreach (var (at, payload, eventTime) in observations.OrderBy(o => o.At))
        {
            var observation = new Observation
            {
                Site = Site,
                Source = "test",
                Key = "o-" + (++seq).ToString(CultureInfo.InvariantCulture),
                EventTime = eventTime ?? at,
                ReceivedAt = at,
                Payload = payload,
            };
            var decision = SiteEngine.Decide(state, observation);
            var applied = state.Apply(observation, decision);
            await _store.Writer.AppendAsync(new SiteAppend(Site, [new LoggedObservation(applied.Seq, observation, decision, applied.FirstEventSeq)]));
        }

        return state.Billing.Bills.Count();
    }

    private async Task<Store> FreshStoreAsync()
    {
        var folder = Directory.CreateTempSubdirectory("parkcharge-replay-test-").FullName;
        _folders.Add(folder);
        return await TestStores.OpenAsync(new StoreOptions { DataDirectory = folder });
    }

    private static SiteConfiguration Configuration() => new()
    {
        Id = Site,
        Name = "Replay car park",
        TimeZone = "Europe/Berlin",
        Currency = "EUR",
        Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit)],
        Cameras =
        [
            new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = "k1" },
            new CameraConfiguration { Id = "gate-out", Lane = "out", KeyHash = "k2" },
            .. Enumerable.Range(1, 4).Select(i => new CameraConfiguration { Id = $"cam-{i}", Bays = [new CameraBay($"B{i}")], KeyHash = $"kb{i}" }),
        ],
        EvBays = [.. Enumerable.Range(1, 4).Select(i => new EvBayConfiguration { Id = $"B{i}", Charger = new ChargerId("CP-1"), Connector = i })],
        OrdinaryBays = 50,
        Tariffs = new SiteTariffs
        {
            Parking = [new ParkingTariff { Id = "day-night", Vat = 19, DailyCap = 20m, Bands =
            [
                new ParkingBand { Name = "day", From = new TimeOnly(8, 0), To = new TimeOnly(20, 0), PricePerUnit = 0.75m, Unit = TimeSpan.FromMinutes(15) },
                new ParkingBand { Name = "night", From = new TimeOnly(20, 0), To = new TimeOnly(8, 0), PricePerUnit = 1m },
            ] }],
            Charging = [new ChargingTariff { Id = "ac", Elements = [new TariffElement([new PriceComponent(TariffDimension.Energy, 0.39m, 19), new PriceComponent(TariffDimension.Flat, 0.5m, 19)])] }],
            EvBay = new EvBayRules { IdleFeePerMinute = 0.1m, IdleCap = 10m, IdleVat = 19 },
        },
    };
}
