using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using CsCheck;

using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Documents;

namespace ParkCharge.Core.Tests.SiteFiles;

/// <summary>
/// The site file rules as Core has them: pure (what they need from outside comes in the context), every
/// problem returned with its path and line, nothing thrown for a document however wrong.
/// </summary>
public sealed class SiteFileRulesTests
{
    private const string Site = """
        id: rules-site
        name: Rules
        timeZone: Europe/Berlin
        currency: EUR
        lanes:
          - id: in
            direction: entry
            cameras: [{ id: cam-in, key: "${CAM_IN_KEY}" }]
        chargers:
          - { id: CP-1, password: "cp-1-password-0001" }
        evBays:
          - { id: EV-1, charger: CP-1, connector: 1 }
        bayCameras:
          - { id: cam-ev-1, format: hikvision, key: "cam-ev-1-camera-key", bays: [EV-1] }
        """;

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("a node's secret for the tests");

    private static readonly SiteFileContext Context = new()
    {
        Environment = new Dictionary<string, string?> { ["CAM_IN_KEY"] = "cam-in-camera-key-0001" },
        HashCameraKey = Hmac,
    };

    private static string Hmac(string key) => CameraKeyHashes.Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Secret, Encoding.UTF8.GetBytes(key)));

    private static SiteFileResult Validate(string text, SiteFileContext? context = null)
    {
        var read = new List<DocumentProblem>();
        var root = DocumentReader.Read(text, read);
        Assert.Empty(read);
        return SiteFileValidator.Validate(root!, context ?? Context);
    }

    [Fact]
    public void A_document_is_decided_the_same_way_every_time()
    {
        var one = Validate(Site);
        var again = Validate(Site);

        Assert.True(one.IsValid, string.Join("\n", one.Errors));
        Assert.Equal(JsonSerializer.Serialize(one.Configuration), JsonSerializer.Serialize(again.Configuration));
        Assert.Equal(one.Warnings, again.Warnings);
    }

    [Fact]
    public void Camera_keys_are_kept_only_in_the_form_the_context_makes_of_them()
    {
        var result = Validate(Site);

        var cameras = result.Configuration!.Cameras.ToDictionary(c => c.Id);
        Assert.Equal(Hmac("cam-in-camera-key-0001"), cameras["cam-in"].KeyHash);
        Assert.Equal(Hmac("cam-ev-1-camera-key"), cameras["cam-ev-1"].KeyHash);
        var json = JsonSerializer.Serialize(result);
        Assert.DoesNotContain("cam-in-camera-key-0001", json, StringComparison.Ordinal);
        Assert.DoesNotContain("cam-ev-1-camera-key", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_on_one_camera_and_its_hash_on_another_are_one_key_used_twice()
    {
        // Written in upper case, as someone copying it from elsewhere might: it is the same stored form.
        var hash = Hmac("cam-ev-1-camera-key").ToUpperInvariant();
        var text = Site.Replace("cameras: [{ id: cam-in, key: \"${CAM_IN_KEY}\" }]", $"cameras: [{{ id: cam-in, keyHash: \"{hash}\" }}]", StringComparison.Ordinal);

        var result = Validate(text);

        var problem = Assert.Single(result.Errors);
        Assert.Equal("bayCameras[0].key", problem.Path);
        Assert.Contains("same key as lanes[0].cameras[0]", problem.Message, StringComparison.Ordinal);
        Assert.Null(result.Configuration);
    }

    [Theory]
    [InlineData("hmac-sha256:1234")]
    [InlineData("sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    public void A_key_hash_in_no_form_a_node_stores_is_refused_without_repeating_it(string hash)
    {
        var text = Site.Replace("key: \"cam-ev-1-camera-key\"", $"keyHash: \"{hash}\"", StringComparison.Ordinal);

        var problem = Assert.Single(Validate(text).Errors);

        Assert.Equal("bayCameras[0].keyHash", problem.Path);
        Assert.Equal(14, problem.Line);
        Assert.DoesNotContain(hash, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_with_camera_keys_needs_a_hasher_a_document_without_any_does_not()
    {
        Assert.Throws<InvalidOperationException>(() => Validate(Site, Context with { HashCameraKey = null }));

        var tariffsOnly = SiteFileValidator.ValidateTariffs(
            DocumentReader.Read("parking: [{ id: p, bands: [{ pricePerUnit: 2.00, unit: 1h }] }]", [])!, "rules-site", "EUR", "Europe/Berlin", new HashSet<string>(), Context.Environment);
        Assert.True(tariffsOnly.IsValid, string.Join("\n", tariffsOnly.Errors));
    }

    [Fact]
    public void Passwords_come_back_as_written_for_the_edge_to_hash_and_are_never_printed()
    {
        var charger = Assert.Single(Validate(Site).Chargers);

        Assert.Null(charger.PasswordHash);
        Assert.Equal("cp-1-password-0001", charger.Password);
        Assert.Equal(1, charger.SecurityProfile);
        Assert.DoesNotContain("cp-1-password-0001", charger.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_field_map_check_of_the_context_names_each_wrong_field_at_its_own_line()
    {
        var text = Site.Replace(
            "cameras: [{ id: cam-in, key: \"${CAM_IN_KEY}\" }]",
            "cameras:\n      - id: cam-in\n        key: \"${CAM_IN_KEY}\"\n        format: mapped\n        map:\n          plate: $.plate\n          time: $.when",
            StringComparison.Ordinal);
        var checkedMaps = new List<CameraFieldMap>();
        var context = Context with
        {
            CheckFieldMap = map =>
            {
                checkedMaps.Add(map);
                return [("time", "is not a JSON path the parser can read"), ("confidence", "is missing")];
            },
        };

        var result = Validate(text, context);

        Assert.Equal("$.plate", Assert.Single(checkedMaps).Plate);
        Assert.Collection(
            result.Errors.OrderBy(e => e.Path, StringComparer.Ordinal),
            e => Assert.Equal(("lanes[0].cameras[0].map.confidence", 13), (e.Path, e.Line!.Value)),
            e => Assert.Equal(("lanes[0].cameras[0].map.time", 14), (e.Path, e.Line!.Value)));
        Assert.True(Validate(text).IsValid, "without a check, the map's paths are taken as written");
    }

    [Fact]
    public void A_registered_charger_may_be_referred_to_unlisted_and_keep_its_password()
    {
        var text = Site
            .Replace("  - { id: CP-1, password: \"cp-1-password-0001\" }", "  - { id: CP-1, securityProfile: 1 }", StringComparison.Ordinal)
            .Replace("  - { id: EV-1, charger: CP-1, connector: 1 }", "  - { id: EV-1, charger: CP-1, connector: 1 }\n  - { id: EV-2, charger: CP-9, connector: 1 }", StringComparison.Ordinal);

        var unknown = Validate(text);
        var registered = Validate(text, Context with { RegisteredChargers = new HashSet<string> { "CP-1", "CP-9" } });

        Assert.Equal(["chargers[0].securityProfile", "evBays[1].charger"], unknown.Errors.Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.True(registered.IsValid, string.Join("\n", registered.Errors));
        Assert.Null(Assert.Single(registered.Chargers).Password);
    }

    [Fact]
    public void References_come_from_the_context_and_a_missing_one_is_named_where_it_is_used()
    {
        var result = Validate(Site, Context with { Environment = new Dictionary<string, string?>() });

        var problem = Assert.Single(result.Errors);
        Assert.Equal("lanes[0].cameras[0].key", problem.Path);
        Assert.Equal("environment variable 'CAM_IN_KEY' is not set", problem.Message);
        Assert.Equal(8, problem.Line);
    }

    [Theory]
    [InlineData("ordinaryBays: 2.0", null)]
    [InlineData("ordinaryBays: \"12\"", null)]
    [InlineData("ordinaryBays: 2.5", "expected a whole number, got '2.5'")]
    [InlineData("ordinaryBays: 1e400", "expected a whole number, got '1e400'")]
    [InlineData("ordinaryBays: -3", "must not be negative (it is -3)")]
    [InlineData("ordinaryBays: ~", null)]
    [InlineData("ordinaryBays: \"null\"", "expected a whole number, got 'null'")]
    [InlineData("settings: { minConfidence: .Inf }", "expected a number, got '.Inf'")]
    [InlineData("settings: { minConfidence: Infinity }", "expected a number, got 'Infinity'")]
    [InlineData("settings: { minConfidence: '0,5' }", "expected a number, got '0,5'")]
    [InlineData("settings: { maxStay: 0s }", "must be longer than zero (every session would be over it at once)")]
    [InlineData("settings: { iceLimit: -5m }", "must not be negative (it is -5m)")]
    [InlineData("settings: { iceLimit: P1M }", "'P1M' is not a duration (use 90s, 2m, 1h30m, 3d, PT2M or a number of seconds)")]
    [InlineData("settings: { storeImages: yes }", "expected true or false, got 'yes'")]
    [InlineData("settings: { bindingWindo: 2m }", "unknown setting; did you mean bindingWindow?")]
    public void Values_are_read_as_what_they_say_not_how_they_are_quoted(string line, string? error)
    {
        var result = Validate(Site + "\n" + line);

        if (error is null)
        {
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
        }
        else
        {
            var problem = Assert.Single(result.Errors);
            Assert.Equal(error, problem.Message);
            Assert.Equal(15, problem.Line);
        }
    }

    [Theory]
    [InlineData("settings: { chargerCost: local }", null)]
    [InlineData("settings: { chargerCost: { default: central, chargers: { CP-1: local } } }", null)]
    [InlineData("settings: { chargerCost: locale }", "'locale' is not one of off, central, local; did you mean local?")]
    [InlineData("settings: { chargerCost: { default: off, chargers: { CP-9: local } } }", "charger 'CP-9' is not a charger of this site (declare it under chargers); did you mean CP-1?")]
    [InlineData("settings: { chargerCost: { default: off, chargers: { CP-1: sometimes } } }", "'sometimes' is not one of off, central, local")]
    [InlineData("settings: { chargerCost: { defaults: off } }", "unknown field; did you mean default?")]
    public void What_chargers_are_told_of_the_cost_is_set_per_site_and_per_charger(string line, string? error)
    {
        var result = Validate(Site + "\n" + line);

        if (error is null)
        {
            Assert.True(result.IsValid, string.Join("\n", result.Errors));
            Assert.Equal(ChargerCostMode.Local, result.Configuration!.CostModeOf(new ParkCharge.Core.Charging.ChargerId("CP-1")));
        }
        else
        {
            var problem = Assert.Single(result.Errors);
            Assert.Equal(error, problem.Message);
            Assert.Equal(15, problem.Line);
            Assert.StartsWith("settings.chargerCost", problem.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_charging_tariff_a_charger_could_not_price_like_the_bill_is_a_warning_where_chargers_calculate_the_cost()
    {
        var tariffs = """

            settings: { chargerCost: local }
            tariffs:
              charging:
                - id: stepped
                  elements: [{ price_components: [{ type: TIME, price: 2.00, step_size: 900 }] }]
            """;

        var result = Validate(Site + tariffs);

        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        var warning = Assert.Single(result.Warnings, w => w.Path == "settings.chargerCost");
        Assert.Contains("charging tariff 'stepped' is not sent to chargers that calculate the cost (local)", warning.Message, StringComparison.Ordinal);
        Assert.Contains("step_size 900", warning.Message, StringComparison.Ordinal);
        Assert.Equal(15, warning.Line);
    }

    [Fact]
    public void A_tariff_for_the_price_calculator_is_named_by_its_place_and_priced_in_the_CDR_currency()
    {
        var node = DocumentReader.Read("{ currency: USD, elements: [{ price_components: [{ type: ENERGY, price: 0.30, step_size: 1 }] }] }", [])!;

        var (tariff, errors, _) = SiteFileValidator.ReadOcpiTariff(node, "tariffs[2]", "EUR", 2);

        Assert.Null(tariff);
        var problem = Assert.Single(errors);
        Assert.Equal("tariffs[2].currency", problem.Path);
        Assert.Equal("'USD' is not the CDR's currency (EUR)", problem.Message);
    }

    /// <summary>
    /// Trees no reader would make from a sensible file: every known field name at any depth, values of every
    /// shape. The rules answer each with problems (or a site), never an exception, and a site only without errors.
    /// </summary>
    [Fact]
    public void Documents_of_any_shape_get_problems_never_an_exception()
    {
        string[] names = ["id", "name", "timeZone", "currency", "ordinaryBays", "settings", "lanes", "chargers", "evBays", "bayCameras", "tariffs", "automation",
            "direction", "cameras", "format", "key", "keyHash", "bays", "bay", "zone", "region", "charger", "connector", "neighbours", "password", "securityProfile",
            "map", "plate", "parking", "charging", "permits", "evBayRules", "elements", "priceComponents", "bands", "autocharge", "enabled", "powerLimit", "maxStay"];
        string[] scalars = ["", "~", "null", "0", "-1", "1.5", "1e308", "true", "EUR", "Europe/Berlin", "entry", "hikvision", "mapped", "EV-1", "CP-1", "${NOPE}", "$${", "${", "2m", "PT1H", "P1Y", "99:99", "\u00e9", new string('x', 300)];
        var scalar = Gen.OneOf(Gen.Int[0, scalars.Length - 1].Select(i => (DocumentNode)new DocumentScalar(scalars[i], IsPlain: i % 2 == 0, Line: 1)));
        Gen<DocumentNode> Node(int depth) => depth == 0
            ? scalar
            : Gen.Frequency(
                (3, scalar),
                (2, Node(depth - 1).List[0, 3].Select(items => (DocumentNode)new DocumentSequence(items, 1))),
                (3, Gen.Select(Gen.Int[0, names.Length - 1], Node(depth - 1)).List[0, 6]
                    .Select(entries => (DocumentNode)new DocumentMapping([.. entries.DistinctBy(e => e.Item1).Select(e => new DocumentEntry(names[e.Item1], e.Item2, 1))], 1))));

        Node(4).Sample(root =>
        {
            var result = SiteFileValidator.Validate(root, Context with { CheckFieldMap = _ => [] });
            Assert.Equal(result.Errors.Count == 0, result.Configuration is not null);
            Assert.All(result.Errors, e => Assert.False(string.IsNullOrEmpty(e.Message)));
        }, iter: 2_000);
    }
}
