using ParkCharge.Core.Charging;
using ParkCharge.Core.Engine;
using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Storage.Json;
using ParkCharge.Storage.Log;
using ParkCharge.Storage.MessageLog;
using ParkCharge.Storage.Queries;
using ParkCharge.Testing;

using static ParkCharge.Storage.Tests.SiteWriter;

namespace ParkCharge.Storage.Tests.Compliance;

/// <summary>
/// The projections, written in the append's transaction, and the queries over them: chargers, charging
/// sessions, the message log, parking (sites, sightings, stays, bay visits, anomalies, audit).
/// </summary>
public abstract class ProjectionContract(StoreEngine engine, PostgresServer postgres) : StoreContract(engine, postgres)
{
    private static readonly SiteId Site = new("garage");

    public sealed class OnSqlite(PostgresServer postgres) : ProjectionContract(StoreEngine.Sqlite, postgres);

    public sealed class OnPostgres(PostgresServer postgres) : ProjectionContract(StoreEngine.Postgres, postgres);

    [Fact]
    public async Task An_appended_session_reads_back_from_the_log_and_the_projections_exactly()
    {
        var site = new SiteWriter(new SiteId("alpha"));
        var t0 = site.Now;
        await Store.Writer.AppendAsync(site.Decide(
            new ChargerRegistration(Cp("CP1"), "hash", 1, "Bay 1 charger"),
            new ConnectionOpened(Cp("CP1"), "c1", OcppVersion.Ocpp16, "node-a", "10.0.0.7"),
            new BootReported(Cp("CP1"), "Acme", "AC22", "SN-9", "4.2", "PowerUp"),
            new ConnectorStatusReported(Cp("CP1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing)));
        var start = site.DecideOne(new TransactionStartReported(Cp("CP1"), 1, "TAG-1", 1_000.5m), t0.AddTicks(1_234_560));
        site.Now = t0.AddMinutes(30);
        var meter = site.DecideOne(new MeterValuesReported(Cp("CP1"), ConnectorRef.Ocpp16(1), 1,
            [new MeterSample(t0.AddMinutes(15), Measurands.EnergyActiveImportRegister, 4_000.25m, "Wh", Context: "Sample.Periodic"),
             new MeterSample(t0.AddMinutes(15), Measurands.PowerActiveImport, 11_000m, "W")]));
        var stop = site.DecideOne(new TransactionStopReported(Cp("CP1"), 1, "TAG-1", 8_000.75m, "EVDisconnected", []));
        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, [start, meter, stop]));

        var stored = await ReadLogAsync("alpha");
        Assert.Equal(7, stored.Count);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), stored.Select(s => s.Seq));
        Assert.Equal(LogJson.Serialize(start.Observation.Payload), LogJson.Serialize(stored[4].Observation.Payload));
        Assert.Equal(start.Observation.EventTime, stored[4].Observation.EventTime);
        Assert.Equal(new TransactionStartReply(1, AuthorizationStatus.Accepted), stored[4].Reply);

        var session = Assert.Single((await Store.Sessions.ListAsync(new ChargingSessionFilter(), Ct)).Items);
        var detail = (await Store.Sessions.GetAsync(session.Id, Ct))!;
        Assert.Equal(("CP1", "1", "Completed", "1.6"), (detail.ChargerId, detail.TransactionId, detail.Status, detail.OcppVersion));
        Assert.Equal(7_000.25m, detail.EnergyWh);
        Assert.Equal(start.Observation.EventTime, detail.StartedAt);
        Assert.Equal(site.Now, detail.StoppedAt);
        Assert.Equal(11_000m, detail.LastPowerW);
        Assert.Equal([4_000.25m, 11_000m], detail.MeterValues!.Select(v => v.Value));
        Assert.Equal("Preparing", Assert.Single(detail.StatusTimeline!).Status);

        var charger = (await Store.Chargers.GetAsync(Cp("CP1"), Ct))!;
        Assert.Equal(("alpha", "Acme", "AC22", "1.6", true), (charger.SiteId, charger.Vendor, charger.Model, charger.OcppVersion, charger.Connection.Connected));
        Assert.Equal("Preparing", Assert.Single(charger.Connectors).Status);
        Assert.True(charger.HasPassword);
    }

    [Fact]
    public async Task Chargers_are_listed_per_site_with_their_credentials_and_a_connector_status_timeline_oldest_first()
    {
        var north = new SiteWriter(new SiteId("north"));
        var south = new SiteWriter(new SiteId("south"));
        var t0 = north.Now;
        await Store.Writer.AppendAsync(north.Decide(new ChargerRegistration(Cp("N1"), "hash-n1", 1), new ChargerRegistration(Cp("N2"), null, 0)));
        await Store.Writer.AppendAsync(south.Decide(new ChargerRegistration(Cp("S1"), null, 0)));
        await Store.Writer.AppendAsync(new SiteAppend(north.State.Site,
        [
            north.DecideOne(new ConnectorStatusReported(Cp("N1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Preparing), t0.AddMinutes(1)),
            north.DecideOne(new ConnectorStatusReported(Cp("N1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Charging), t0.AddMinutes(2)),
            north.DecideOne(new ConnectorStatusReported(Cp("N1"), ConnectorRef.Ocpp16(1), ConnectorStatus.Faulted, "GroundFailure", "RCD"), t0.AddMinutes(3)),
        ]));

        var northern = await Store.Chargers.ListAsync("north", Ct);
        var everyone = await Store.Chargers.ListAsync(null, Ct);
        var history = await Store.Chargers.StatusHistoryAsync(Cp("N1"), t0, t0.AddHours(1), 10, Ct);

        Assert.Equal(["N1", "N2"], northern.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["N1", "N2", "S1"], everyone.Select(c => c.Id).Order(StringComparer.Ordinal));
        Assert.Equal(new ChargerCredentials("N1", "north", "hash-n1", 1), await Store.Chargers.GetCredentialsAsync(Cp("N1"), Ct));
        Assert.Null(await Store.Chargers.GetCredentialsAsync(Cp("NOBODY"), Ct));
        Assert.Equal(["Preparing", "Charging", "Faulted"], history.Select(h => h.Status));
        Assert.Equal([t0.AddMinutes(1), t0.AddMinutes(2), t0.AddMinutes(3)], history.Select(h => h.EventTime));
        Assert.Equal(("GroundFailure", "RCD"), (history[^1].ErrorCode, history[^1].Info));
        Assert.Equal("Faulted", Assert.Single(northern.Single(c => c.Id == "N1").Connectors).Status);
    }

    [Fact]
    public async Task Message_log_frames_are_kept_in_order_and_listed_newest_first_in_pages()
    {
        var t0 = new DateTimeOffset(2026, 5, 4, 9, 30, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            Store.Writer.Record(new MessageLogEntry(Cp("CP1"), "c1", i % 2 == 0 ? MessageDirection.In : MessageDirection.Out, t0.AddSeconds(i), 2, $"m{i}", "Heartbeat", null, $"[2,\"m{i}\",\"Heartbeat\",{{}}]"));
        }

        Store.Writer.Record(new MessageLogEntry(Cp("OTHER"), "c9", MessageDirection.In, t0, null, null, null, "FormationViolation", "not json"));
        await Store.Writer.FlushAsync();

        var first = await Store.Messages.ListAsync(Cp("CP1"), before: null, limit: 3, Ct);
        Assert.Equal(["m4", "m3", "m2"], first.Items.Select(m => m.MessageId));
        Assert.Equal(["in", "out", "in"], first.Items.Select(m => m.Direction));
        var second = await Store.Messages.ListAsync(Cp("CP1"), long.Parse(first.Next!, System.Globalization.CultureInfo.InvariantCulture), 3, Ct);
        Assert.Equal(["m1", "m0"], second.Items.Select(m => m.MessageId));
        Assert.Null(second.Next);
        var bad = Assert.Single((await Store.Messages.ListAsync(Cp("OTHER"), null, 10, Ct)).Items);
        Assert.Equal(("not json", "FormationViolation"), (bad.Frame, bad.ErrorCode));
    }

    [Fact]
    public async Task Sessions_are_listed_newest_first_filtered_by_charger_and_time_and_paged_without_gaps()
    {
        var site = new SiteWriter(new SiteId("delta"));
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("A"), null, 0), new ChargerRegistration(Cp("B"), null, 0)));
        var t0 = site.Now;
        var entries = new List<LoggedObservation>();
        for (var i = 0; i < 7; i++)
        {
            entries.Add(site.DecideOne(new TransactionStartReported(Cp(i % 2 == 0 ? "A" : "B"), 1, "T" + i, 0), t0.AddHours(i)));
        }

        await Store.Writer.AppendAsync(new SiteAppend(site.State.Site, entries));

        var byA = await Store.Sessions.ListAsync(new ChargingSessionFilter { ChargerId = "A" }, Ct);
        Assert.Equal(["T6", "T4", "T2", "T0"], byA.Items.Select(s => s.IdToken));

        var window = await Store.Sessions.ListAsync(new ChargingSessionFilter { To = t0.AddHours(3) }, Ct);
        Assert.Equal(["T2", "T1", "T0"], window.Items.Select(s => s.IdToken));

        var seen = new List<string?>();
        string? cursor = null;
        do
        {
            var page = await Store.Sessions.ListAsync(new ChargingSessionFilter { Limit = 3, Cursor = cursor }, Ct);
            seen.AddRange(page.Items.Select(s => s.IdToken));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(["T6", "T5", "T4", "T3", "T2", "T1", "T0"], seen);
    }

    [Fact]
    public async Task A_stay_reads_back_with_its_sightings_bay_visit_anomalies_and_audit_trail()
    {
        var site = new SiteWriter(Site);
        var t0 = site.Now;
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new SiteConfigured(Configuration())));
        var entries = new List<LoggedObservation>
        {
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "b-cd 1234", Confidence = 0.91 }, t0),
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "BCD1234", Confidence = 0.97 }, t0.AddSeconds(1)),
            site.DecideOne(new PlateRead { Camera = "cam-b1", Plate = "BCD1234", Confidence = 0.9 }, t0.AddMinutes(3)),
            site.DecideOne(new PlateRead { Camera = "gate-out", Plate = "QQ11", Confidence = 0.9 }, t0.AddMinutes(5)),
        };
        await Store.Writer.AppendAsync(new SiteAppend(Site, entries));
        var session = site.State.Parking.Sessions.Single(s => s.Plate == "BCD1234");
        await Store.Writer.AppendAsync(site.Decide(new PlateCorrected(session.Id, "BCD 1234", "ops (key_1)", "checked the picture")));

        var view = (await Store.Parking.GetSessionAsync(session.Id, Ct))!;
        Assert.Equal(("BCD1234", "BCD 1234", "Open", t0), (view.Plate, view.PlateRaw, view.Status, view.EnteredAt!.Value));
        Assert.Equal(["Corrected"], view.Anomalies);
        var entry = Assert.Single(view.Sightings!, s => s.Place == "Lane");
        Assert.Equal((2, 0.97, "BCD1234"), (entry.ReadCount, entry.BestConfidence, entry.Plate));
        Assert.Equal(["b-cd 1234", "BCD1234"], entry.Reads.Select(r => r.Raw));
        var visit = Assert.Single(view.BayVisits!);
        Assert.Equal(("B1", (DateTimeOffset?)null), (visit.Bay, visit.EndedAt));
        var audit = Assert.Single(view.Audit!);
        Assert.Equal(("ops (key_1)", "parking.plate_corrected", "checked the picture"), (audit.By, audit.Action, audit.Reason));

        var anomalies = await Store.Parking.ListAnomaliesAsync(Site.Value, nameof(ParkingAnomalyKind.ExitWithoutEntry), resolved: false, 10, null, Ct);
        Assert.Equal("QQ11", Assert.Single(anomalies.Items).Plate);
        Assert.Equal("B1", Assert.Single((await Store.Parking.CurrentVisitsAsync(Site.Value, Ct)).Keys));
        Assert.Equal(1, await Store.Parking.VehiclesInsideAsync(Site.Value, Ct));
        var stored = (await Store.Parking.GetSiteAsync(Site.Value, Ct))!;
        Assert.Equal(("Garage", "Europe/Berlin", "EUR"), (stored.Name, stored.TimeZone, stored.Currency));
        Assert.Equal(Configuration().Cameras.Count, LogJson.DeserializeSite(stored.ConfigurationJson).Cameras.Count);
    }

    [Fact]
    public async Task An_inferred_stay_reads_back_with_its_marks_and_its_review_item()
    {
        var site = new SiteWriter(Site);
        var t0 = site.Now;
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new SiteConfigured(Configuration() with { InferredStays = new InferredStaySettings() })));
        await Store.Writer.AppendAsync(new SiteAppend(Site, [site.DecideOne(new PlateRead { Camera = "cam-b1", Plate = "BCD1234", Confidence = 0.9 }, t0)]));
        site.Now = t0.AddMinutes(40);
        await Store.Writer.AppendAsync(new SiteAppend(Site, [site.DecideOne(new PlateRead { Camera = "gate-out", Plate = "BCD1234", Confidence = 0.9 })]));

        var stay = Assert.Single((await Store.Parking.ListSessionsAsync(new ParkingSessionFilter { SiteId = Site.Value, Plate = "BCD1234" }, Ct)).Items);
        Assert.Equal((t0, t0.AddMinutes(40), "Closed"), (stay.EnteredAt!.Value, stay.ExitedAt!.Value, stay.Status));
        Assert.Equal(["ExitWithoutEntry", "EntryInferred"], stay.Anomalies);
        var review = Assert.Single((await Store.Parking.ListAnomaliesAsync(Site.Value, nameof(ParkingAnomalyKind.StayInferred), resolved: false, 10, null, Ct)).Items);
        Assert.Equal(("BCD1234", stay.Id), (review.Plate, review.ParkingSessionId));
        Assert.Empty((await Store.Parking.ListAnomaliesAsync(Site.Value, nameof(ParkingAnomalyKind.ExitWithoutEntry), resolved: false, 10, null, Ct)).Items);
    }

    [Fact]
    public async Task Sessions_are_found_by_normalised_plate_or_by_OCR_similarity()
    {
        var site = new SiteWriter(Site);
        await Store.Writer.AppendAsync(site.Decide(new ChargerRegistration(Cp("CP1"), null, 0), new SiteConfigured(Configuration())));
        await Store.Writer.AppendAsync(new SiteAppend(Site,
        [
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "BCD1234", Confidence = 0.9 }, site.Now),
            site.DecideOne(new PlateRead { Camera = "gate-in", Plate = "XYZ987", Confidence = 0.9 }, site.Now.AddMinutes(1)),
        ]));

        var exact = await Store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "b-cd 1234" }, Ct);
        var similar = await Store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "8CD1234", Similar = true }, Ct);
        var none = await Store.Parking.ListSessionsAsync(new ParkingSessionFilter { Plate = "8CD1234" }, Ct);

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
