using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Billing;

/// <summary>
/// OCPI 2.2.1 Tariff objects go into a site unchanged, through the tariffs document or one at a time, and come back out
/// as OCPI wrote them; the spec's own example tariffs (docs/examples/ocpi) are the test data.
/// </summary>
public sealed class OcpiTariffApiTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Site = """
        { "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR",
          "lanes": [ { "id": "in", "direction": "entry" } ],
          "chargers": [ { "id": "CP-1" }, { "id": "CP-2" } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ] }
        """;

    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", Json(Site), Ct);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    public static TheoryData<string> SpecTariffs() =>
    [
        .. Directory.GetFiles(Path.Combine(Repository.Root, "docs", "examples", "ocpi"), "tariff*.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(Repository.Root, "docs", "examples", "ocpi"), f))
            .Order(StringComparer.Ordinal),
    ];

    [Theory]
    [MemberData(nameof(SpecTariffs))]
    public async Task Every_spec_example_tariff_goes_into_a_sites_tariffs_document_unchanged(string file)
    {
        var tariff = File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "ocpi", file));

        using var response = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json($$"""{ "charging": [ {{tariff}} ] }"""), Ct);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task An_OCPI_tariff_put_on_its_own_comes_back_as_OCPI_wrote_it_with_its_metadata()
    {
        // The spec's complex tariff with an end date, OCPI 2.3's tax_included (NO) and an energy mix: kept, not refused.
        var tariff = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "ocpi", "complex", "tariff.json")))!.AsObject();
        tariff["min_price"] = new JsonObject { ["excl_vat"] = 1.00m, ["incl_vat"] = 1.15m };
        tariff["start_date_time"] = "2026-01-01T00:00:00";
        tariff["tax_included"] = "NO";
        tariff["energy_mix"] = new JsonObject { ["is_green_energy"] = true, ["supplier_name"] = "Greenpower" };
        tariff["tariff_alt_text"] = new JsonArray(new JsonObject { ["language"] = "en", ["text"] = "See the screen." });

        using var put = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/14?chargers=CP-2", Json(tariff.ToJsonString()), Ct);
        var stored = JsonNode.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/charging-tariffs/14", Ct))!;
        var list = JsonNode.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/charging-tariffs", Ct))!.AsArray();
        var document = JsonNode.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage/tariffs", Ct))!;

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(
            ("DE", "ALL", "REGULAR", "https://company.com/tariffs/14", "See the screen.", "2026-01-01T00:00:00Z", "2015-06-29T20:39:09Z"),
            ((string?)stored["country_code"], (string?)stored["party_id"], (string?)stored["type"], (string?)stored["tariff_alt_url"],
                (string?)stored["tariff_alt_text"]![0]!["text"], (string?)stored["start_date_time"], (string?)stored["last_updated"]));
        Assert.Equal((1.00m, 1.15m), ((decimal)stored["min_price"]!["excl_vat"]!, (decimal)stored["min_price"]!["incl_vat"]!));
        Assert.Equal("Greenpower", (string?)stored["energy_mix"]!["supplier_name"]);
        Assert.Equal((32m, "SATURDAY", 300), ((decimal)stored["elements"]![3]!["restrictions"]!["min_current"]!, (string?)stored["elements"]![5]!["restrictions"]!["day_of_week"]![0], (int)stored["elements"]![5]!["price_components"]![0]!["step_size"]!));
        Assert.Equal(["CP-2"], stored["chargers"]!.AsArray().Select(c => (string?)c));
        Assert.Single(list);
        Assert.Equal(("REGULAR", 1.15m), ((string?)document["charging"]![0]!["type"], (decimal)document["charging"]![0]!["minPrice"]!["inclVat"]!));
    }

    [Fact]
    public async Task A_tariffs_document_read_back_from_the_api_is_taken_again_as_it_is()
    {
        var tariff = File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "ocpi", "reservation", "tariff-17-expire-fee.json"));
        using var first = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/20", Json(tariff), Ct);
        var document = await _node.Http.GetStringAsync("/api/v1/sites/garage/tariffs", Ct);

        using var again = await _node.Http.PutAsync("/api/v1/sites/garage/tariffs", Json(document), Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode));
        Assert.Equal(document, await _node.Http.GetStringAsync("/api/v1/sites/garage/tariffs", Ct));
    }

    [Fact]
    public async Task A_bad_OCPI_tariff_put_on_its_own_is_refused_with_each_problem_at_its_path_in_the_body()
    {
        const string bad = """
            { "id": "7", "currency": "EUR", "type": "SOMETIMES",
              "elements": [ { "price_components": [ { "type": "ENERGIE", "price": 0.30, "step_size": -1 } ], "restrictions": { "max_kwh": "lots" } } ],
              "last_updated": "2026-01-01T00:00:00Z" }
            """;

        using var response = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/7", Json(bad), Ct);
        using var details = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            [
                "type: 'SOMETIMES' is not one of AD_HOC_PAYMENT, PROFILE_CHEAP, PROFILE_FAST, PROFILE_GREEN, REGULAR",
                "elements[0].price_components[0].type: 'ENERGIE' is not one of ENERGY, FLAT, TIME, PARKING_TIME; did you mean ENERGY?",
                "elements[0].price_components[0].step_size: is 0 or more (Wh for ENERGY, seconds for TIME and PARKING_TIME), not -1",
                "elements[0].restrictions.max_kwh: expected a number, got 'lots'",
            ],
            details.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task A_tariff_whose_id_differs_from_the_url_is_refused_and_one_removed_is_gone()
    {
        var tariff = File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "ocpi", "simple-energy", "tariff.json"));

        using var mismatch = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/other", Json(tariff), Ct);
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/16", Json(tariff), Ct);
        using var delete = await _node.Http.DeleteAsync("/api/v1/sites/garage/charging-tariffs/16", Ct);
        using var gone = await _node.Http.GetAsync("/api/v1/sites/garage/charging-tariffs/16", Ct);

        Assert.Equal(
            (HttpStatusCode.BadRequest, HttpStatusCode.OK, HttpStatusCode.NoContent, HttpStatusCode.NotFound),
            (mismatch.StatusCode, put.StatusCode, delete.StatusCode, gone.StatusCode));
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{ "id": "7", "currency": "EUR", "currency": "USD", "elements": [], "last_updated": "2026-01-01T00:00:00Z" }""")]
    public async Task A_tariff_that_names_a_property_twice_is_refused_as_not_valid_json_not_a_server_error(string body)
    {
        using var response = await _node.Http.PutAsync("/api/v1/sites/garage/charging-tariffs/7", Json(body), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {text}");
        Assert.Contains("expected an OCPI Tariff object (JSON)", text, StringComparison.Ordinal);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
