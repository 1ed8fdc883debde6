using ParkCharge.Core.Billing;
using ParkCharge.Core.Charging;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Sites;

using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>The tariffs section of site files: what it becomes, and every mistake in it named by path and line.</summary>
public sealed class SiteFileTariffTests
{
    /// <summary>A Berlin site with one charger and every kind of tariff entry.</summary>
    private const string Site = """
        id: garage
        name: Garage
        timeZone: Europe/Berlin
        currency: EUR
        chargers: [{ id: CP-1 }, { id: CP-2 }]
        evBays: [{ id: B1, charger: CP-1, connector: 1 }, { id: B2, charger: CP-2, connector: 1 }]
        """;

    private const string Tariffs = """

        tariffs:
          parking:
            - id: standard-2026
              validFrom: 2026-01-01T00:00:00+01:00
              validTo: 2027-01-01T00:00:00+01:00
              vat: 19
              freeFirst: 15m
              dailyCap: 24.00
              stayCap: 60
              unknownEntryCharge: 30.00
              bands:
                - { name: day, from: "07:00", to: "20:00", pricePerUnit: 0.80, unit: 15m }
                - { name: night, from: "20:00", to: "07:00", pricePerUnit: 1.50, unit: 1h }
            - id: standard-2027
              validFrom: 2027-01-01T00:00:00+01:00
              vat: 19
              bands:
                - { name: weekend, days: [saturday, SUNDAY], pricePerUnit: 1 }
                - { from: "00:00", to: "24:00", pricePerUnit: 1.20, unit: 1h }
          charging:
            - id: ac
              currency: EUR
              chargers: [CP-1]
              minPrice: 1.00
              maxPrice: 50
              vat: 19
              elements:
                - priceComponents:
                    - { type: ENERGY, price: 0.3925, vat: 19, stepSize: 100 }
                  restrictions:
                    startTime: "22:00"
                    endTime: "06:00"
                    dayOfWeek: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY]
                - priceComponents:
                    - { type: ENERGY, price: 0.49, vat: 19 }
                    - { type: FLAT, price: 0.50, vat: 19 }
                    - { type: PARKING_TIME, price: 6, vat: 19, stepSize: 60 }
                - priceComponents: [{ type: TIME, price: 1.20, vat: 19, stepSize: 60 }]
                  restrictions: { minDuration: 45m, maxDuration: 7200, minKwh: 0.5, maxKwh: 100, minPower: 3.7, maxPower: 22, startDate: 2026-01-01, endDate: 2027-01-01 }
            - id: site-wide
              startDateTime: 2026-03-01T00:00:00Z
              elements: [{ priceComponents: [{ type: ENERGY, price: 0.59 }] }]
          evBayRules:
            chargingStartGrace: 4m
            chargingWaiverPercent: 50
            idleFeePerMinute: 0.20
            idleCap: 12
            idleVat: 19
            suspendedThreshold: 20m
          permits:
            - { plate: "b-cc 1001", note: manager }
            - { plate: BCC2002, validFrom: 2026-01-01T00:00:00+01:00, validTo: 2026-02-01T00:00:00+01:00 }
        """;

    private static readonly DateTimeOffset NewYear2026 = new(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(1));
    private static readonly DateTimeOffset NewYear2027 = new(2027, 1, 1, 0, 0, 0, TimeSpan.FromHours(1));

    [Fact]
    public void A_tariffs_section_maps_every_field_to_the_site_tariffs()
    {
        var result = Parse(Site + Tariffs);

        Assert.Empty(result.Errors);
        Assert.Empty(TariffWarnings(result));
        Assert.True(result.DeclaresTariffs);
        var tariffs = result.Configuration!.Tariffs;

        var standard = tariffs.Parking[0];
        Assert.Equal(
            ("standard-2026", NewYear2026, NewYear2027, 19m, TimeSpan.FromMinutes(15), 24.00m, 60m, 30.00m),
            (standard.Id, standard.ValidFrom!.Value, standard.ValidTo!.Value, standard.Vat, standard.FreeFirst, standard.DailyCap!.Value, standard.StayCap!.Value, standard.UnknownEntryCharge));
        Assert.Equal(
            [
                new ParkingBand { Name = "day", From = new TimeOnly(7, 0), To = new TimeOnly(20, 0), PricePerUnit = 0.80m, Unit = TimeSpan.FromMinutes(15) },
                new ParkingBand { Name = "night", From = new TimeOnly(20, 0), To = new TimeOnly(7, 0), PricePerUnit = 1.50m, Unit = TimeSpan.FromHours(1) },
            ],
            standard.Bands.Select(b => b with { Days = [] }));
        var next = tariffs.Parking[1];
        Assert.Equal((NewYear2027, (DateTimeOffset?)null, TimeSpan.Zero, (decimal?)null), (next.ValidFrom!.Value, next.ValidTo, next.FreeFirst, next.DailyCap));
        Assert.Equal([DayOfWeek.Saturday, DayOfWeek.Sunday], next.Bands[0].Days);
        Assert.Equal(("00:00–24:00", new TimeOnly(0, 0), (TimeOnly?)null, TimeSpan.FromHours(1)), (next.Bands[1].Name, next.Bands[1].From!.Value, next.Bands[1].To, next.Bands[1].Unit));

        var ac = tariffs.Charging[0];
        Assert.Equal(("ac", 1.00m, 50m, 19m), (ac.Id, ac.MinPrice!.Value, ac.MaxPrice!.Value, ac.Vat));
        Assert.Equal([new ChargerId("CP-1")], ac.Chargers);
        Assert.Equal([new PriceComponent(TariffDimension.Energy, 0.3925m, 19, 100)], ac.Elements[0].PriceComponents);
        var night = ac.Elements[0].Restrictions!;
        Assert.Equal((new TimeOnly(22, 0), new TimeOnly(6, 0), 5), (night.StartTime!.Value, night.EndTime!.Value, night.DaysOfWeek.Count));
        Assert.Equal(
            [new PriceComponent(TariffDimension.Energy, 0.49m, 19), new PriceComponent(TariffDimension.Flat, 0.50m, 19), new PriceComponent(TariffDimension.ParkingTime, 6m, 19, 60)],
            ac.Elements[1].PriceComponents);
        Assert.Null(ac.Elements[1].Restrictions);
        var limits = ac.Elements[2].Restrictions!;
        Assert.Equal(
            (2700, 7200, 0.5m, 100m, 3.7m, 22m, new DateOnly(2026, 1, 1), new DateOnly(2027, 1, 1)),
            (limits.MinDurationSeconds!.Value, limits.MaxDurationSeconds!.Value, limits.MinKwh!.Value, limits.MaxKwh!.Value, limits.MinPowerKw!.Value, limits.MaxPowerKw!.Value,
                limits.StartDate!.Value, limits.EndDate!.Value));
        var siteWide = tariffs.Charging[1];
        Assert.Equal((new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), 0, 0m), (siteWide.ValidFrom!.Value, siteWide.Chargers.Count, siteWide.Elements[0].PriceComponents[0].Vat));

        Assert.Equal(
            new EvBayRules
            {
                ChargingStartGrace = TimeSpan.FromMinutes(4),
                ChargingWaiverPercent = 50,
                IdleFeePerMinute = 0.20m,
                IdleCap = 12,
                IdleVat = 19,
                SuspendedThreshold = TimeSpan.FromMinutes(20),
            },
            tariffs.EvBay);
        Assert.Equal([new Permit("BCC1001", Note: "manager"), new Permit("BCC2002", NewYear2026, NewYear2026.AddMonths(1))], tariffs.Permits);
    }

    [Fact]
    public void A_site_file_without_tariffs_declares_none_and_an_empty_section_declares_empty_tariffs()
    {
        var without = Parse(MinimalYaml);
        var empty = Parse(MinimalYaml + "\ntariffs: {}\n");

        Assert.False(without.DeclaresTariffs);
        Assert.True(empty.DeclaresTariffs);
        Assert.Equal(Fields(without.Configuration!), Fields(empty.Configuration!));
        Assert.Equal(new EvBayRules(), empty.Configuration!.Tariffs.EvBay);
    }

    [Fact]
    public void The_tariffs_read_back_from_a_configuration_read_back_to_the_same_tariffs()
    {
        var original = Parse(Site + Tariffs);

        var json = SiteDocument.From(original.Configuration!, original.Chargers).ToJson();
        var reread = Parse(json, "read-back.json", NoEnvironment);

        Assert.Empty(reread.Errors);
        Assert.Equal(Fields(original.Configuration!), Fields(reread.Configuration!));
        Assert.Contains("\"priceComponents\"", json, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"PARKING_TIME\"", json, StringComparison.Ordinal);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        Assert.Equal("2026-01-01T00:00:00+01:00", document.RootElement.GetProperty("tariffs").GetProperty("parking")[0].GetProperty("validFrom").GetString());
        Assert.Contains("\"minDuration\": \"45m\"", json, StringComparison.Ordinal);
        Assert.Contains("\"dayOfWeek\": [", json, StringComparison.Ordinal);
        Assert.Contains("\"plate\": \"BCC1001\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tariffs_document_alone_reads_back_to_the_same_tariffs()
    {
        var site = Parse(Site + Tariffs).Configuration!;
        var json = TariffsDocument.From(site.Tariffs).ToJson();

        var reread = SiteFile.ParseTariffs(json, site, new HashSet<string> { "CP-1", "CP-2" }, NoEnvironment);

        Assert.Empty(reread.Errors);
        Assert.Equal(Fields(site), Fields(site with { Tariffs = reread.Tariffs! }));
    }

    [Fact]
    public void A_tariffs_section_with_many_errors_names_each_with_its_path_and_line()
    {
        const string broken = """

            tariffs:
              parkng: []
              parking:
                - id: standard
                  validFrom: 2026-01-01
                  validTo: 2025-12-31T00:00:00+01:00
                  vat: 119
                  freeFirst: -5m
                  dailyCap: 24.005
                  bands:
                    - { name: day, from: "7:00", to: "20:00", pricePerUnit: 0.80, unit: 0s }
                    - { name: day, from: "20:00", to: "25:00", days: [MONDAY, Mondy], pricePerUnit: -1 }
              charging:
                - id: ac
                  currency: USD
                  chargers: [CP-9, CP-1, CP-1]
                  type: SOMETIMES
                  maxPrice: { exclVat: 50, inclVat: 45 }
                  elements:
                    - priceComponents: [{ type: ENERGY, price: -0.39 }]
                      restrictions: { reservation: LATER, startTime: "22:00", dayOfWeek: [FRIDAY, FRIDAY] }
                    - priceComponents:
                        - { type: ENERGIE, price: 0.49 }
                        - { type: FLAT, price: 0.505, step_size: -1 }
                        - { type: TIME, price: 1.23456, stepSize: 0 }
                        - { type: TIME, price: 1.2 }
                    - priceComponents: []
                      restrictions: { minKwh: 10, maxKwh: 5, minDuration: 90.5s, startDate: 2026-13-01 }
                - id: ac
                  elements: []
              evBayRules:
                idleFeePerMin: 0.2
                chargingWaiverPercent: 150
                idleCap: 12
              permits:
                - { plate: "--", note: x }
                - { note: "no plate" }
            """;

        var errors = Errors(Site + broken);

        Assert.Equal(
            [
                "tariffs.parkng: unknown field; did you mean parking? (line 8)",
                "tariffs.parking[0].validFrom: '2026-01-01' has no UTC offset (write Z or +01:00 after the time); did you mean 2026-01-01T00:00:00+01:00 (Europe/Berlin)? (line 11)",
                "tariffs.parking[0].vat: is a percentage from 0 to 100 (it is 119) (line 13)",
                "tariffs.parking[0].freeFirst: must not be negative (it is -5m) (line 14)",
                "tariffs.parking[0].dailyCap: 24.005 has more decimals than EUR has (2) (line 15)",
                "tariffs.parking[0].bands[0].from: '7:00' is not a local time of day; write HH:mm, e.g. 08:00; did you mean 07:00? (line 17)",
                "tariffs.parking[0].bands[0].unit: must be longer than zero (it is 0s) (line 17)",
                "tariffs.parking[0].bands[1].to: '25:00' is not a local time of day; write HH:mm, e.g. 08:00 (24:00 for the end of the day) (line 18)",
                "tariffs.parking[0].bands[1].days[1]: 'Mondy' is not one of MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY; did you mean MONDAY? (line 18)",
                "tariffs.parking[0].bands[1].pricePerUnit: must not be negative (it is -1) (line 18)",
                "tariffs.parking[0].bands[1].name: 'day' is already the name of tariffs.parking[0].bands[0]; a bill line names its band (line 18)",
                "tariffs.charging[0].currency: 'USD' is not the site's currency (EUR); a site bills in one currency (line 21)",
                "tariffs.charging[0].chargers[0]: charger 'CP-9' is not listed under chargers; did you mean CP-1? (line 22)",
                "tariffs.charging[0].chargers[2]: charger 'CP-1' is listed twice (line 22)",
                "tariffs.charging[0].type: 'SOMETIMES' is not one of AD_HOC_PAYMENT, PROFILE_CHEAP, PROFILE_FAST, PROFILE_GREEN, REGULAR (line 23)",
                "tariffs.charging[0].maxPrice.inclVat: 45 is less than exclVat 50 (line 24)",
                "tariffs.charging[0].elements[0].priceComponents[0].price: must not be negative (it is -0.39) (line 26)",
                "tariffs.charging[0].elements[0].restrictions.dayOfWeek[1]: FRIDAY is listed twice (line 27)",
                "tariffs.charging[0].elements[0].restrictions.reservation: 'LATER' is not one of RESERVATION, RESERVATION_EXPIRES (line 27)",
                "tariffs.charging[0].elements[1].priceComponents[0].type: 'ENERGIE' is not one of ENERGY, FLAT, TIME, PARKING_TIME; did you mean ENERGY? (line 29)",
                "tariffs.charging[0].elements[1].priceComponents[1].stepSize: is 0 or more (Wh for ENERGY, seconds for TIME and PARKING_TIME), not -1 (line 30)",
                "tariffs.charging[0].elements[1].priceComponents[3].type: TIME is already priced by tariffs.charging[0].elements[1].priceComponents[2]; the first of an element applies, so this one never would (line 32)",
                "tariffs.charging[0].elements[2].priceComponents: is required: at least one of ENERGY, FLAT, TIME, PARKING_TIME with its price (OCPI) (line 33)",
                "tariffs.charging[0].elements[2].restrictions.startDate: '2026-13-01' is not a date; write yyyy-MM-dd, e.g. 2026-12-24 (line 34)",
                "tariffs.charging[0].elements[2].restrictions.maxKwh: 5 is not more than minKwh 10 (line 34)",
                "tariffs.charging[0].elements[2].restrictions.minDuration: is counted in whole seconds (it is 1m30.5s) (line 34)",
                "tariffs.charging[1].id: 'ac' is already the id of tariffs.charging[0]; give each version its own id (line 35)",
                "tariffs.charging[1].elements: is required: at least one element with its priceComponents (OCPI) (line 36)",
                "tariffs.evBayRules.idleFeePerMin: unknown rule; did you mean idleFeePerMinute? (line 38)",
                "tariffs.evBayRules.chargingWaiverPercent: is a percentage from 0 to 100 (it is 150) (line 39)",
                "tariffs.permits[0].plate: has no letters or digits, so it matches no plate (line 42)",
                "tariffs.permits[1].plate: is required (line 43)",
            ],
            errors);
    }

    [Theory]
    [InlineData("tariffs: []", "tariffs: expected a mapping of parking, charging, evBayRules, permits, got a list (line 7)")]
    [InlineData("tariffs: { parking: [{ bands: [] }] }", "tariffs.parking[0].id: is required (line 7)")]
    [InlineData("tariffs: { parking: [{ id: 'a b' }] }", "tariffs.parking[0].id: 'a b' is not a valid tariff id (1 to 64 printable ASCII characters without spaces) (line 7)")]
    [InlineData("tariffs: { parking: [{ id: p, bands: [{ name: day }] }] }", "tariffs.parking[0].bands[0].pricePerUnit: is required (line 7)")]
    [InlineData("tariffs: { parking: [{ id: p, bands: [{ pricePerUnit: cheap }] }] }", "tariffs.parking[0].bands[0].pricePerUnit: expected a number, got 'cheap' (line 7)")]
    [InlineData("tariffs: { parking: [{ id: p, bands: [{ pricePerUnit: 1, days: [] }] }] }", "tariffs.parking[0].bands[0].days: is empty: leave it out for every day (line 7)")]
    [InlineData("tariffs: { parking: [{ id: p, validFrom: '2026-01-01T00:00:00Z', validTo: '2026-01-01T00:00:00+01:00' }] }", "tariffs.parking[0].validTo: 2026-01-01T00:00:00+01:00 is not after validFrom 2026-01-01T00:00:00+00:00 (line 7)")]
    [InlineData("tariffs: { parking: [{ id: p, validFrom: tomorrow }] }", "tariffs.parking[0].validFrom: 'tomorrow' is not a date and time; write ISO 8601 with a UTC offset, e.g. 2026-01-01T00:00:00+01:00 (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, chargers: [], elements: [{ priceComponents: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].chargers: is empty: leave it out for a tariff of every charger of the site (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, type: REGULR, elements: [{ priceComponents: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].type: 'REGULR' is not one of AD_HOC_PAYMENT, PROFILE_CHEAP, PROFILE_FAST, PROFILE_GREEN, REGULAR; did you mean REGULAR? (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ priceComponents: [{ type: FLAT }] }] }] }", "tariffs.charging[0].elements[0].priceComponents[0].price: is required (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, minPrice: 5, maxPrice: 2, elements: [{ priceComponents: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].maxPrice: 2 is less than minPrice 5 (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ priceComponents: [{ type: ENERGY, price: 1 }], restrictions: { reservation: RESERVATION } }] }] }", "tariffs.charging[0].elements[0].priceComponents: a reservation element prices only FLAT and TIME (the reservation's duration), OCPI says; ENERGY and PARKING_TIME here would never apply (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, tax_included: 'YES', elements: [{ price_components: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].tax_included: YES is not supported: give prices excluding VAT with each component's vat (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, max_price: { incl_vat: 2 }, elements: [{ price_components: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].max_price.excl_vat: is required (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, last_updated: yesterday, elements: [{ price_components: [{ type: FLAT, price: 1 }] }] }] }", "tariffs.charging[0].last_updated: 'yesterday' is not a date and time; write ISO 8601 with a UTC offset, e.g. 2026-01-01T00:00:00+01:00 (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ price_components: [{ type: FLAT, price: 1 }], priceComponents: [] }] }] }", "tariffs.charging[0].elements[0].priceComponents: is written twice (also as price_components) (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ priceComponents: [{ type: FLAT, price: 1 }], restrictions: { startDate: 2026-02-01, endDate: 2026-02-01 } }] }] }", "tariffs.charging[0].elements[0].restrictions.endDate: 2026-02-01 is not after startDate 2026-02-01 (endDate is the first day the element no longer applies) (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ priceComponents: [{ type: FLAT, price: 1 }], restrictions: { minDuration: 1h, maxDuration: 30m } }] }] }", "tariffs.charging[0].elements[0].restrictions.maxDuration: 30m is not longer than minDuration 1h (line 7)")]
    [InlineData("tariffs: { charging: [{ id: c, elements: [{ price_components: [{ type: FLAT, price: 1, step_size: -5 }] }] }] }", "tariffs.charging[0].elements[0].price_components[0].step_size: is 0 or more (Wh for ENERGY, seconds for TIME and PARKING_TIME), not -5 (line 7)")]
    [InlineData("tariffs: { evBayRules: { suspendedThreshold: -1m } }", "tariffs.evBayRules.suspendedThreshold: must not be negative (it is -1m) (line 7)")]
    [InlineData("tariffs: { evBayRules: { idleVat: twenty } }", "tariffs.evBayRules.idleVat: expected a number, got 'twenty' (line 7)")]
    [InlineData("tariffs: { permits: [{ plate: AB123, validFrom: '2026-02-01T00:00:00Z', validTo: '2026-01-01T00:00:00Z' }] }", "tariffs.permits[0].validTo: 2026-01-01T00:00:00+00:00 is not after validFrom 2026-02-01T00:00:00+00:00 (line 7)")]
    [InlineData("tariffs: { permits: [{ plate: AB123, colour: red }] }", "tariffs.permits[0].colour: unknown field (known: plate, validFrom, validTo, note) (line 7)")]
    public void Each_kind_of_tariff_mistake_has_its_own_message(string addition, string expected)
    {
        var errors = Errors(Site + "\n" + addition + "\n");

        Assert.Contains(expected, errors);
    }

    [Theory]
    [InlineData("JPY", "1", true)]
    [InlineData("JPY", "1.5", false)]
    [InlineData("EUR", "1.50", true)]
    [InlineData("EUR", "1.500", true)]
    [InlineData("EUR", "1.505", false)]
    [InlineData("KWD", "1.505", true)]
    [InlineData("KWD", "1.5055", false)]
    public void Amounts_have_no_more_decimals_than_the_currency(string currency, string amount, bool valid)
    {
        var result = Parse(Site.Replace("EUR", currency, StringComparison.Ordinal) + $"\ntariffs: {{ parking: [{{ id: p, unknownEntryCharge: {amount}, bands: [{{ pricePerUnit: 1 }}] }}] }}\n");

        Assert.Equal(valid, result.IsValid);
    }

    [Theory]
    [InlineData("ENERGY", "0.3925", true)]
    [InlineData("ENERGY", "0.39251", true)]
    [InlineData("PARKING_TIME", "6.000001", true)]
    [InlineData("FLAT", "0.125", true)]
    [InlineData("FLAT", "-0.5", false)]
    public void OCPI_prices_have_as_many_decimals_as_they_need_because_only_the_session_total_is_rounded(string type, string price, bool valid)
    {
        var result = Parse(Site + $"\ntariffs: {{ charging: [{{ id: c, elements: [{{ priceComponents: [{{ type: {type}, price: {price} }}] }}] }}] }}\n");

        Assert.Equal(valid, result.IsValid);
    }

    [Fact]
    public void Overlapping_versions_of_a_parking_tariff_are_an_error_that_says_where_to_end_the_first()
    {
        var errors = Errors(Site + """

            tariffs:
              parking:
                - { id: old, bands: [{ pricePerUnit: 1 }] }
                - { id: new, validFrom: 2027-01-01T00:00:00+01:00, bands: [{ pricePerUnit: 2 }] }
            """);

        Assert.Equal(
            ["tariffs.parking[1]: parking tariff 'new' and 'old' (tariffs.parking[0]) are both in force from 2027-01-01T00:00:00+01:00 on; versions must follow each other; end tariffs.parking[0] there: validTo: 2027-01-01T00:00:00+01:00 (line 10)"],
            errors);
    }

    [Fact]
    public void Versions_that_follow_each_other_are_fine_and_a_gap_between_them_is_a_warning()
    {
        var result = Parse(Site + """

            tariffs:
              parking:
                - { id: a, validTo: 2026-06-01T00:00:00+02:00, bands: [{ pricePerUnit: 1 }] }
                - { id: b, validFrom: 2026-06-01T00:00:00+02:00, validTo: 2026-07-01T00:00:00+02:00, bands: [{ pricePerUnit: 1 }] }
                - { id: c, validFrom: 2026-07-02T00:00:00+02:00, validTo: 2026-08-01T00:00:00+02:00, bands: [{ pricePerUnit: 1 }] }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                "tariffs.parking: no parking tariff is in force from 2026-07-01T00:00:00+02:00 to 2026-07-02T00:00:00+02:00: parking then is free (line 10)",
                "tariffs.parking: no parking tariff is in force after 2026-08-01T00:00:00+02:00: parking then is free (line 11)",
            ],
            TariffWarnings(result));
    }

    [Fact]
    public void Charging_tariffs_overlap_only_when_they_are_for_the_same_chargers()
    {
        const string element = "elements: [{ priceComponents: [{ type: ENERGY, price: 0.5 }] }]";
        var fine = Parse(Site + $$"""

            tariffs:
              charging:
                - { id: site, {{element}} }
                - { id: cp1, chargers: [CP-1], {{element}} }
                - { id: cp2, chargers: [CP-2], {{element}} }
            """);
        var clash = Errors(Site + $$"""

            tariffs:
              charging:
                - { id: both, chargers: [CP-1, CP-2], {{element}} }
                - { id: cp2, chargers: [CP-2, CP-1], startDateTime: 2026-05-01T00:00:00Z, {{element}} }
            """);

        Assert.Empty(fine.Errors);
        Assert.Equal(
            ["tariffs.charging[1]: charging tariff 'cp2' and 'both' (tariffs.charging[0]) are both in force for charger 'CP-1' from 2026-05-01T00:00:00+00:00 on; versions must follow each other; end tariffs.charging[0] there: endDateTime: 2026-05-01T00:00:00+00:00 (line 10)"],
            clash);
    }

    [Fact]
    public void A_tariff_may_name_a_charger_already_registered_at_the_site_through_the_api()
    {
        var text = MinimalYaml + "\ntariffs: { charging: [{ id: c, chargers: [CP-7], elements: [{ priceComponents: [{ type: FLAT, price: 1 }] }] }] }\n";

        var result = SiteFile.Parse(text, "request body", NoEnvironment, Keys, new HashSet<string> { "CP-7" });

        Assert.Empty(result.Errors);
        Assert.Equal([new ChargerId("CP-7")], result.Configuration!.Tariffs.Charging[0].Chargers);
    }

    [Fact]
    public void Hours_of_the_week_without_a_band_are_a_warning_because_parking_then_is_free()
    {
        var result = Parse(Site + """

            tariffs:
              parking:
                - id: weekdays
                  bands:
                    - { name: day, from: "08:00", to: "20:00", days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY], pricePerUnit: 1 }
                    - { name: night, from: "20:00", to: "08:00", pricePerUnit: 1 }
                    - { name: saturday, days: [SATURDAY], pricePerUnit: 1 }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(["tariffs.parking[0].bands: no band covers SUNDAY 08:00 to SUNDAY 20:00: parking then is free (line 10)"], TariffWarnings(result));
    }

    [Fact]
    public void A_band_that_wraps_midnight_is_read_by_the_weekday_of_the_moment()
    {
        // A FRIDAY band from 20:00 to 08:00 covers Friday's early morning and evening, not Saturday morning.
        var result = Parse(Site + """

            tariffs:
              parking:
                - id: p
                  bands:
                    - { name: friday night, from: "20:00", to: "08:00", days: [FRIDAY], pricePerUnit: 1 }
                    - { name: rest, days: [MONDAY, TUESDAY, WEDNESDAY, THURSDAY, SATURDAY, SUNDAY], pricePerUnit: 1 }
            """);

        Assert.Equal(["tariffs.parking[0].bands: no band covers FRIDAY 08:00 to FRIDAY 20:00: parking then is free (line 10)"], TariffWarnings(result));
    }

    [Fact]
    public void An_idle_cap_without_an_idle_fee_and_two_permits_for_one_plate_at_once_are_warnings()
    {
        var result = Parse(Site + """

            tariffs:
              evBayRules: { idleCap: 10 }
              permits:
                - { plate: AB 123, validFrom: 2026-01-01T00:00:00Z }
                - { plate: ab-123, validTo: 2026-03-01T00:00:00Z }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal(
            [
                "tariffs.evBayRules.idleCap: there is no idle fee to cap (idleFeePerMinute is 0) (line 8)",
                "tariffs.permits[1]: the same plate already has a permit for part of this time (tariffs.permits[0]) (line 11)",
            ],
            TariffWarnings(result));
    }

    [Fact]
    public void A_tariffs_document_on_its_own_names_paths_inside_itself_and_chargers_of_the_site()
    {
        var site = Parse(Site).Configuration!;
        const string document = """
            {
              "charging": [ { "id": "c", "chargers": ["CP-3"], "elements": [ { "priceComponents": [ { "type": "ENERGIE", "price": 0.49 } ] } ] } ],
              "evBayRules": { "idleFeePerMinute": 0.201 }
            }
            """;

        var result = SiteFile.ParseTariffs(document, site, new HashSet<string> { "CP-1", "CP-2" }, NoEnvironment);

        Assert.Null(result.Tariffs);
        Assert.Equal(
            [
                "charging[0].chargers[0]: charger 'CP-3' is not a charger of site 'garage'; did you mean CP-1? (line 2)",
                "charging[0].elements[0].priceComponents[0].type: 'ENERGIE' is not one of ENERGY, FLAT, TIME, PARKING_TIME; did you mean ENERGY? (line 2)",
                "evBayRules.idleFeePerMinute: 0.201 has more decimals than EUR has (2) (line 3)",
            ],
            result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void A_tariffs_document_that_is_not_a_mapping_says_what_it_should_be()
    {
        var site = Parse(Site).Configuration!;

        var result = SiteFile.ParseTariffs("[1, 2]", site, new HashSet<string>(), NoEnvironment);

        Assert.Equal(["a tariffs document is a mapping of parking, charging, evBayRules, permits; this is a list (line 1)"], result.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void The_billing_guide_shows_the_example_site_file_as_it_is_and_it_passes()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "billing.md")).ReplaceLineEndings("\n");
        var start = guide.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = guide[start..guide.IndexOf("```", start, StringComparison.Ordinal)];
        var example = File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "city-centre.site.yaml")).ReplaceLineEndings("\n");

        var result = Parse(example, "city-centre.site.yaml", Billing.BillingExamples.Environment);

        Assert.Equal(example, shown);
        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.True(result.DeclaresTariffs);
        Assert.Equal((2, 2, 2), (result.Configuration!.Tariffs.Parking.Count, result.Configuration.Tariffs.Charging.Count, result.Configuration.Tariffs.Permits.Count));
    }

    /// <summary>The warnings about the tariffs section (the sample site's bays have no cameras, which is a warning of its own).</summary>
    private static IEnumerable<string> TariffWarnings(SiteFileResult result) =>
        result.Warnings.Where(w => w.Path.StartsWith("tariffs", StringComparison.Ordinal)).Select(w => w.ToString());
}
