using ParkCharge.Core.Charging;
using ParkCharge.Core.Privacy;
using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Auth;
using ParkCharge.Server.Sites;

using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>Site files that are right: what they become, in YAML and JSON alike.</summary>
public sealed class SiteFileTests
{
    [Fact]
    public void A_yaml_site_file_maps_every_field_to_the_site_configuration()
    {
        var result = Parse(MainStreetYaml);

        Assert.Empty(result.Errors);
        Assert.Equal(["lanes[1]: lane 'south' has no camera: vehicles using it are not seen (line 13)"], result.Warnings.Select(w => w.ToString()));
        var site = result.Configuration!;
        Assert.Equal(new SiteId("main-street"), site.Id);
        Assert.Equal("Main Street Garage", site.Name);
        Assert.Equal("Europe/Berlin", site.TimeZone);
        Assert.Equal("EUR", site.Currency);
        Assert.Equal(120, site.OrdinaryBays);
        Assert.Equal(123, site.Capacity);

        Assert.Equal(
            new SiteSettings
            {
                BindingWindow = TimeSpan.FromMinutes(2),
                SightingGap = TimeSpan.FromSeconds(10),
                MinConfidence = 0.75,
                ReentryWindow = TimeSpan.Zero,
                MaxStay = TimeSpan.FromHours(72),
                IceLimit = TimeSpan.FromMinutes(15),
                EntryGrace = TimeSpan.FromMinutes(10),
                IdleGrace = TimeSpan.FromMinutes(20),
                Retention = new SiteRetention { SettledStays = TimeSpan.FromDays(30), Pictures = TimeSpan.FromDays(2) },
                StoreImages = true,
                MaxClockAhead = TimeSpan.FromSeconds(90),
                MeterEventInterval = TimeSpan.FromSeconds(30),
            },
            site.Settings);

        Assert.Equal([new LaneConfiguration("north-in", LaneDirection.Entry, "North gate"), new LaneConfiguration("south", LaneDirection.Both)], site.Lanes);

        Assert.Equal(["cam-north-in", "cam-ev-01-02", "cam-ev-03"], site.Cameras.Select(c => c.Id));
        var gate = site.FindCamera("cam-north-in")!;
        Assert.Equal((CameraFormat.Hikvision, "north-in", Keys.Hash(NorthInKey), (double?)null), (gate.Format, gate.Lane, gate.KeyHash, gate.MinConfidence));
        Assert.Empty(gate.Bays);
        var pair = site.FindCamera("cam-ev-01-02")!;
        Assert.Equal((CameraFormat.PlateRecognizer, (string?)null, Keys.Hash(BayCameraKey), (double?)0.8), (pair.Format, pair.Lane, pair.KeyHash, pair.MinConfidence));
        Assert.Equal([new CameraBay("EV-01", "left", 0.0, 0.5), new CameraBay("EV-02", "right", 0.5, 1.0)], pair.Bays);
        var single = site.FindCamera("cam-ev-03")!;
        Assert.Equal((CameraFormat.Generic, Keys.Hash("another-long-camera-key")), (single.Format, single.KeyHash));
        Assert.Equal([new CameraBay("EV-03")], single.Bays);

        Assert.Equal(["EV-01", "EV-02", "EV-03"], site.EvBays.Select(b => b.Id));
        Assert.Equal([new ChargerId("CP-001"), new ChargerId("CP-001"), new ChargerId("CP-002")], site.EvBays.Select(b => b.Charger));
        Assert.Equal([1, 2, 1], site.EvBays.Select(b => b.Connector));
        Assert.Equal(["EV-02"], site.FindBay("EV-01")!.Neighbours);
        Assert.Empty(site.FindBay("EV-02")!.Neighbours);
        Assert.Equal("EV-02", site.BayServedBy(new ChargerId("CP-001"), ConnectorRef.Ocpp16(2))?.Id);

        Assert.Collection(
            result.Chargers,
            cp1 =>
            {
                Assert.Equal((new ChargerId("CP-001"), 2, "Level 0"), (cp1.Charger, cp1.SecurityProfile, cp1.DisplayName));
                Assert.True(Secrets.VerifyPassword(Cp001Password, cp1.PasswordHash!));
            },
            cp2 => Assert.Equal(new SiteChargerDeclaration(new ChargerId("CP-002"), null, 0), cp2));
    }

    [Fact]
    public void The_same_site_as_json_maps_to_an_equal_configuration()
    {
        var yaml = Parse(MainStreetYaml, "main-street.site.yaml");
        var json = Parse(MainStreetJson, "main-street.site.json");

        Assert.Empty(json.Errors);
        Assert.Equal(Fields(yaml.Configuration!), Fields(json.Configuration!));
        Assert.Equal(yaml.Chargers.Select(c => (c.Charger, c.SecurityProfile, c.DisplayName)), json.Chargers.Select(c => (c.Charger, c.SecurityProfile, c.DisplayName)));
        Assert.True(Secrets.VerifyPassword(Cp001Password, json.Chargers[0].PasswordHash!));
    }

    [Fact]
    public void Json_on_one_line_as_an_api_client_sends_it_reads_too()
    {
        var oneLine = string.Join(' ', MainStreetJson.Split('\n').Select(l => l.Trim()));

        var result = Parse(oneLine);

        Assert.Empty(result.Errors);
        Assert.Equal(Fields(Parse(MainStreetYaml).Configuration!), Fields(result.Configuration!));
    }

    [Fact]
    public void Omitted_settings_and_lists_take_the_defaults()
    {
        var result = Parse(MinimalYaml);

        Assert.Empty(result.Errors);
        var site = result.Configuration!;
        Assert.Equal(new SiteSettings(), site.Settings);
        Assert.Equal((0, 0, 0, 0), (site.Lanes.Count, site.Cameras.Count, site.EvBays.Count, site.OrdinaryBays));
        Assert.Empty(result.Chargers);
    }

    [Fact]
    public void Some_settings_given_keep_the_defaults_of_the_others()
    {
        var result = Parse(MinimalYaml + "\nsettings:\n  iceLimit: 20m\n  storeImages: true\n");

        Assert.Equal(new SiteSettings { IceLimit = TimeSpan.FromMinutes(20), StoreImages = true }, result.Configuration!.Settings);
    }

    [Fact]
    public void Environment_references_are_replaced_in_any_value_and_double_dollar_keeps_one_literally()
    {
        var environment = new Dictionary<string, string?> { ["SITE_NAME"] = "Harbour", ["BAYS"] = "42", ["ZONE"] = "Europe/Lisbon" };

        var result = Parse(
            """
            id: harbour
            name: "${SITE_NAME} car park ($${NOT_A_VARIABLE})"
            timeZone: ${ZONE}
            currency: EUR
            ordinaryBays: ${BAYS}
            """,
            environment: environment);

        Assert.Empty(result.Errors);
        Assert.Equal(("Harbour car park (${NOT_A_VARIABLE})", "Europe/Lisbon", 42), (result.Configuration!.Name, result.Configuration.TimeZone, result.Configuration.OrdinaryBays));
    }

    [Fact]
    public void A_missing_environment_variable_is_an_error_naming_the_path_and_the_variable()
    {
        var errors = Errors(MainStreetYaml, new Dictionary<string, string?> { ["CP001_PASSWORD"] = Cp001Password });

        Assert.Equal(["lanes[0].cameras[0].key: environment variable 'CAM_NORTH_IN_KEY' is not set (line 12)"], errors);
    }

    [Fact]
    public void A_malformed_reference_is_an_error_and_not_a_literal()
    {
        Assert.Equal(
            ["name: '${not a name}' is not a variable reference (names are letters, digits and '_', not starting with a digit) (line 2)"],
            Errors(MinimalYaml.Replace("name: Small", "name: \"${not a name}\"", StringComparison.Ordinal)));
        Assert.Equal(
            ["name: '${' without a closing '}' (write $${ for a literal ${) (line 2)"],
            Errors(MinimalYaml.Replace("name: Small", "name: \"${OPEN\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_document_read_back_from_a_configuration_shows_key_hashes_never_keys_and_reads_back_to_the_same_configuration()
    {
        var original = Parse(MainStreetYaml);
        var chargers = original.Chargers.Select(c => c with { SecurityProfile = 0, PasswordHash = null, Password = null }).ToList();

        var json = SiteDocument.From(original.Configuration!, chargers).ToJson();
        var reread = Parse(json, "read-back.json", NoEnvironment);

        Assert.DoesNotContain(BayCameraKey, json, StringComparison.Ordinal);
        Assert.DoesNotContain(NorthInKey, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", json, StringComparison.Ordinal);
        Assert.Contains($"\"keyHash\": \"{Keys.Hash(BayCameraKey)}\"", json, StringComparison.Ordinal);
        Assert.Contains("\"maxStay\": \"3d\"", json, StringComparison.Ordinal);
        Assert.Empty(reread.Errors);
        Assert.Equal(Fields(original.Configuration!), Fields(reread.Configuration!));
        Assert.Equal(chargers, reread.Chargers);
    }

    [Fact]
    public void A_read_back_document_never_holds_a_charger_password_so_a_profile_with_one_must_be_given_it_again()
    {
        var original = Parse(MainStreetYaml);

        var json = SiteDocument.From(original.Configuration!, original.Chargers).ToJson();

        Assert.DoesNotContain("password", json, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["chargers[0].securityProfile: security profile 2 needs a password (the charger authenticates with HTTP Basic auth) (line 51)"], Errors(json));
    }

    [Fact]
    public void A_camera_may_be_given_its_key_hash_instead_of_its_key_in_either_stored_form()
    {
        var hash = Keys.Hash("a-key-only-the-camera-knows");
        var older = Secrets.HashApiKey("another-key-only-a-camera-knows");

        var result = Parse(MinimalYaml + $"\nlanes: [{{ id: gate, direction: both, cameras: [{{ id: cam, keyHash: '{hash.ToUpperInvariant()}' }}, {{ id: old, keyHash: {older.ToUpperInvariant()} }}] }}]\n");

        Assert.Empty(result.Errors);
        Assert.Equal(hash, result.Configuration!.FindCamera("cam")!.KeyHash);
        Assert.Equal(older, result.Configuration!.FindCamera("old")!.KeyHash);
    }

    [Fact]
    public void A_camera_key_is_stored_as_a_keyed_hash_that_another_store_secret_does_not_reproduce()
    {
        var result = Parse(MinimalYaml + "\nlanes: [{ id: gate, direction: both, cameras: [{ id: cam, key: a-key-only-the-camera-knows }] }]\n");

        var stored = result.Configuration!.FindCamera("cam")!.KeyHash;
        Assert.StartsWith("hmac-sha256:", stored, StringComparison.Ordinal);
        Assert.NotEqual(Secrets.HashApiKey("a-key-only-the-camera-knows"), Auth.KeyHasher.Digits(stored));
        Assert.NotEqual(stored, Auth.KeyHasher.Ephemeral().Hash("a-key-only-the-camera-knows"));
        Assert.True(Keys.Matches("a-key-only-the-camera-knows", stored));
        Assert.False(Keys.Matches("a-key-only-the-camera-knowz", stored));
    }

    [Fact]
    public void Whole_numbers_written_as_json_doubles_are_whole_numbers()
    {
        var result = Parse("""{ "id": "small", "name": "Small", "timeZone": "UTC", "currency": "GBP", "ordinaryBays": 12.0 }""");

        Assert.Equal(12, result.Configuration!.OrdinaryBays);
    }

    [Fact]
    public void Yaml_anchors_and_merge_keys_let_cameras_share_what_they_have_in_common()
    {
        var result = Parse(MinimalYaml + """

            lanes:
              - id: gate
                direction: both
                cameras:
                  - &hik { id: cam-a, format: hikvision, minConfidence: 0.9, key: first-camera-key-0001 }
                  - { <<: *hik, id: cam-b, key: second-camera-key-0002 }
            """);

        Assert.Empty(result.Errors);
        Assert.Equal([(CameraFormat.Hikvision, 0.9), (CameraFormat.Hikvision, 0.9)], result.Configuration!.Cameras.Select(c => (c.Format, c.MinConfidence ?? 0)));
        Assert.Equal(Keys.Hash("second-camera-key-0002"), result.Configuration.FindCamera("cam-b")!.KeyHash);
    }

    [Fact]
    public void The_old_retentionDays_is_read_as_the_settled_stay_period_with_a_deprecation_warning()
    {
        var result = Parse(MinimalYaml + "\nsettings: { retentionDays: 30 }\n");

        Assert.Empty(result.Errors);
        Assert.Equal(["settings.retentionDays: is deprecated: write settings.retention.settledStays: 30d (read as that now) (line 5)"], result.Warnings.Select(w => w.ToString()));
        Assert.Equal(new SiteRetention { SettledStays = TimeSpan.FromDays(30) }, result.Configuration!.Settings.Retention);
    }

    [Fact]
    public void The_example_in_the_docs_passes()
    {
        var environment = ExampleEnvironment();

        var result = SiteFile.Load(Path.Combine(Repository.Root, "docs", "examples", "main-street.site.yaml"), environment, Keys);

        Assert.Empty(result.Errors);
        Assert.Empty(result.Warnings);
        Assert.Equal(new SiteId("main-street"), result.Configuration!.Id);
        Assert.Equal((2, 4, 4, 2), (result.Configuration.Lanes.Count, result.Configuration.Cameras.Count, result.Configuration.EvBays.Count, result.Chargers.Count));
    }

    [Fact]
    public void The_operators_guide_shows_the_example_as_it_is_in_the_examples_folder()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operators.md")).ReplaceLineEndings("\n");
        var section = guide[guide.IndexOf("## Site files", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        var example = File.ReadAllText(Path.Combine(Repository.Root, "docs", "examples", "main-street.site.yaml")).ReplaceLineEndings("\n");

        Assert.Equal(example, shown);
        Assert.True(Parse(shown, "operators.md", ExampleEnvironment()).IsValid);
    }

    /// <summary>Every variable the docs' example refers to, with a value that passes.</summary>
    internal static Dictionary<string, string?> ExampleEnvironment() => new()
    {
        ["CAM_NORTH_IN_KEY"] = "north-in-camera-key-0001",
        ["CAM_SOUTH_OUT_KEY"] = "south-out-camera-key-0002",
        ["CAM_EV_01_02_KEY"] = "ev-01-02-camera-key-0003",
        ["CAM_EV_03_04_KEY"] = "ev-03-04-camera-key-0004",
        ["CP001_PASSWORD"] = "cp-001-password-0001",
        ["CP002_PASSWORD"] = "cp-002-password-0002",
    };
}
