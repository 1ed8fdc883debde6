using ParkCharge.Core.Charging;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Queries;
using ParkCharge.Testing;
using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests;

public sealed class SqliteParkingStoreTests(PostgresServer postgres) : ParkingStoreTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresParkingStoreTests(PostgresServer postgres) : ParkingStoreTests(StoreEngine.Postgres, postgres);

/// <summary>The parking projections (sites, sightings, sessions, visits, anomalies, audit) on both engines.</summary>
public abstract class ParkingStoreTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private static readonly SiteId Site = new("garage");

    private Store _store = null!;

    public async ValueTask InitializeAsync() => _store = await TestStores.OpenAsync(await TestStores.CreateOptionsAsync(engine, postgres));

    public async ValueTask DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_stay_reads_back_with_its_sightings_bay_visit_anomalies_and_audit_trail()
    {
        var site = new SiteWriter(Site);
        var t0 = site.Now;
        await _store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new SiteConfigured(Configuration())));
        var entries = new List<Log.LoggedObservation>
        {
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "b-cd 1234", Confidence = 0.91 }, t0),
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "BCD1234", Confidence = 0.97 }, t0.AddSeconds(1)),
            site.DecideOne(new PlateRead { Camera = "cam-b1", Plate = "BCD1234", Confidence = 0.9 }, t0.AddMinutes(3)),
            site.DecideOne(new PlateRead { Camera = "gate-out", Plate = "QQ11", Confidence = 0.9 }, t0.AddMinutes(5)),
        };
        await _store.Writer.AppendAsync(new Log.SiteAppend(Site, entries));
        var session = site.State.Parking.Sessions.Single(s => s.Plate == "BCD1234");
        await _store.Writer.AppendAsync(site.Decide(new PlateCorrected(session.Id, "BCD 1234", "ops (key_1)", "checked the picture")));

        var view = (await _store.Parking.GetSessionAsync(session.Id, TestContext.Current.CancellationToken))!;
        Assert.Equal(("BCD1234", "BCD 1234", "Open", t0), (view.Plate, view.PlateRaw, view.Status, view.EnteredAt!.Value));
        Assert.Equal(["Corrected"], view.Anomalies);
        var entry = Assert.Single(view.Sightings!, s => s.Place == "Lane");
        Assert.Equal((2, 0.97, "BCD1234"), (entry.ReadCount, entry.BestConfidence, entry.Plate));
        Assert.Equal(["b-cd 1234", "BCD1234"], entry.Reads.Select(r => r.Raw));
        var visit = Assert.Single(view.BayVisits!);
        Assert.Equal(("B1", (DateTimeOffset?)null), (visit.Bay, visit.EndedAt));
        var audit = Assert.Single(view.Audit!);
        Assert.Equal(("ops (key_1)", "parking.plate_corrected", "checked the picture"), (audit.By, audit.Action, audit.Reason));

        var anomalies = await _store.Parking.ListAnomaliesAsync(Site.Value, nameof(ParkingAnomalyKind.ExitWithoutEntry), resolved: false, 10, null, TestContext.Current.CancellationToken);
        Assert.Equal("QQ11", Assert.Single(anomalies.Items).Plate);
        Assert.Equal("B1", Assert.Single((await _store.Parking.CurrentVisitsAsync(Site.Value, TestContext.Current.CancellationToken)).Keys));
        Assert.Equal(1, await _store.Parking.VehiclesInsideAsync(Site.Value, TestContext.Current.CancellationToken));
        var stored = (await _store.Parking.GetSiteAsync(Site.Value, TestContext.Current.CancellationToken))!;
        Assert.Equal(("Garage", "Europe/Berlin", "EUR"), (stored.Name, stored.TimeZone, stored.Currency));
        Assert.Equal(Configuration().Cameras.Count, Json.LogJson.DeserializeSite(stored.ConfigurationJson).Cameras.Count);
    }

    [Fact]
    public async Task Sessions_are_found_by_normalised_plate_or_by_OCR_similarity()
    {
        var site = new SiteWriter(Site);
        await _store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new SiteConfigured(Configuration())));
        await _store.Writer.AppendAsync(new Log.SiteAppend(Site,
        [
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "BCD1234", Confidence = 0.9 }, site.Now),
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "XYZ987", Confidence = 0.9 }, site.Now.AddMinutes(1)),
        ]));

        var exact = await _store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "b-cd 1234" }, TestContext.Current.CancellationToken);
        var similar = await _store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "8CD1234", Similar = true }, TestContext.Current.CancellationToken);
        var none = await _store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "8CD1234" }, TestContext.Current.CancellationToken);

        Assert.Equal("BCD1234", Assert.Single(exact.Items).Plate);
        Assert.Equal("BCD1234", Assert.Single(similar.Items).Plate);
        Assert.Empty(none.Items);
    }

    private static SiteConfiguration Configuration() => new()
    {
        Id = Site,
        Name = "Garage",
        TimeZone = "Europe/Berlin",
        Currency = "EUR",
        Lanes = [new LaneConfiguration("in", LaneDirection.Entry), new LaneConfiguration("out", LaneDirection.Exit)],
        Cameras =
        [
            new CameraConfiguration { Id = "gate-in", Lane = "in", KeyHash = "h1" },
            new CameraConfiguration { Id = "gate-out", Lane = "out", KeyHash = "h2" },
            new CameraConfiguration { Id = "cam-b1", Bays = [new CameraBay("B1")], KeyHash = "h3" },
        ],
        EvBays = [new EvBayConfiguration { Id = "B1", Charger = Cp("CP1"), Connector = 1 }],
        OrdinaryBays = 10,
    };
}
