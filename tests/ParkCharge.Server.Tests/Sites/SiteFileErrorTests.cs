using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>Site files that are wrong: every mistake named, with the path and line that say where.</summary>
public sealed class SiteFileErrorTests
{
    [Fact]
    public void A_site_file_with_many_errors_names_each_with_its_path_and_line()
    {
        const string broken = """
            id: Main Street
            name: Main Street Garage
            timeZone: Europe/Berln
            currency: EURO
            ordinaryBays: -5
            settings:
              bindingWindw: 2m
              sightingGap: soon
              minConfidence: 1.5
              maxStay: -1h
            lanes:
              - id: north-in
                direction: inwards
                cameras:
                  - { id: cam-a, format: hikvision, key: "short" }
                  - { id: cam-b, format: vivotek, key: "${MISSING_KEY}" }
              - { id: north-in, direction: exit, cameras: [{ id: cam-c, format: generic }] }
            chargers:
              - { id: CP-001, password: "too-short", securityProfile: 1 }
              - { id: CP-002, securityProfile: 2 }
              - { id: CP-003, securityProfile: 7 }
            evBays:
              - { id: EV-01, charger: CP-001, connector: 1, neighbours: [EV-02, EV-07] }
              - { id: EV-02, charger: CP-001, connector: 1 }
              - { id: EV-03, charger: CP-9, connector: 0 }
              - { id: EV-04, charger: CP-002 }
            bayCameras:
              - id: cam-ev
                key: "a-long-random-camera-key"
                minConfidence: -0.1
                bays:
                  - { bay: EV-01, zone: left, region: [0.0, 0.6] }
                  - { bay: EV-02, zone: left, region: [0.5, 1.2] }
              - id: cam-ev-2
                key: "another-long-camera-key"
                bays: [EV-01, EV-02, EV-09]
              - id: cam-ev-3
                key: "a-third-long-camera-key"
                bays: [EV-01, { bay: EV-02 }]
            """;

        var errors = Errors(broken);

        Assert.Equal(
            [
                "id: 'Main Street' is not a site id (1 to 64 characters of a-z, 0-9, '-' and '_') (line 1)",
                "timeZone: 'Europe/Berln' is not an IANA time zone; did you mean Europe/Berlin? (line 3)",
                "currency: 'EURO' is not an ISO 4217 code; did you mean EUR? (line 4)",
                "ordinaryBays: must not be negative (it is -5) (line 5)",
                "settings.bindingWindw: unknown setting; did you mean bindingWindow? (line 7)",
                "settings.sightingGap: 'soon' is not a duration (use 90s, 2m, 1h30m, 3d, PT2M or a number of seconds) (line 8)",
                "settings.minConfidence: is a fraction from 0 to 1 (it is 1.5) (line 9)",
                "settings.maxStay: must not be negative (it is -1h) (line 10)",
                "lanes[0].direction: 'inwards' is not one of entry, exit, both (line 13)",
                "lanes[0].cameras[0].key: a camera key is at least 16 characters (this one has 5); it is the camera's password (line 15)",
                "lanes[0].cameras[1].format: 'vivotek' is not one of generic, platerecognizer, hikvision, axis, dahua, openalpr, milesight, mapped (line 16)",
                "lanes[0].cameras[1].key: environment variable 'MISSING_KEY' is not set (line 16)",
                "lanes[1].id: 'north-in' is already the id of lanes[0] (line 17)",
                "lanes[1].cameras[0].key: is required: the camera's key, 16 characters or more (tip: key: \"${CAMERA_KEY}\" takes it from the environment) (line 17)",
                "chargers[0].password: a charger password is 16 to 40 printable ASCII characters (OCPP BasicAuthPassword) (line 19)",
                "chargers[1].securityProfile: security profile 2 needs a password (the charger authenticates with HTTP Basic auth) (line 20)",
                "chargers[2].securityProfile: security profiles 0 (none), 1 (Basic auth), 2 (Basic auth over TLS) and 3 (TLS client certificate) are supported, not 7 (line 21)",
                "evBays[0].neighbours[1]: bay 'EV-07' is not listed under evBays (line 23)",
                "evBays[1].connector: CP-001 connector 1 already serves evBays[0] ('EV-01'); one outlet, one bay (line 24)",
                "evBays[2].connector: is the OCPP 1.6 connector id or 2.0.1 EVSE id of the outlet, 1 or more (not 0) (line 25)",
                "evBays[3].connector: is required (line 26)",
                "bayCameras[0].minConfidence: is a fraction from 0 to 1 (it is -0.1) (line 30)",
                "bayCameras[0].bays[1].region: a region is [left, right]: the band of the picture's width the bay's plates appear in, with 0 <= left < right <= 1; [0.5, 1.2] is not (line 33)",
                "bayCameras[0].bays[1].zone: zone 'left' is also the zone of bayCameras[0].bays[0]; a read in it could be either bay (line 33)",
                "bayCameras[1].bays: a bay camera watches one or two bays, not 3 (line 36)",
                "bayCameras[1].bays[2]: bay 'EV-09' is not listed under evBays (line 36)",
                "bayCameras[2].bays: two bays in one camera need a zone each or a region each to tell them apart (line 39)",
            ],
            errors);
    }

    [Fact]
    public void A_charger_that_no_bay_names_and_a_bay_that_names_no_listed_charger_are_told_apart()
    {
        var errors = Errors(MinimalYaml + """

            chargers: [{ id: CP-001 }]
            evBays: [{ id: EV-01, charger: CP-9, connector: 1 }]
            """);

        Assert.Equal(["evBays[0].charger: charger 'CP-9' is not listed under chargers (line 6)"], errors);
    }

    [Theory]
    [InlineData("ordinaryBays: many", "ordinaryBays: expected a whole number, got 'many' (line 5)")]
    [InlineData("ordinaryBays: 1.5", "ordinaryBays: expected a whole number, got '1.5' (line 5)")]
    [InlineData("lanes: north", "lanes: expected a list, got 'north' (line 5)")]
    [InlineData("lanes: [north]", "lanes[0]: expected a lane (a mapping), got 'north' (line 5)")]
    [InlineData("settings: [2m]", "settings: expected a mapping (name: value pairs), got a list (line 5)")]
    [InlineData("settings: { storeImages: yes }", "settings.storeImages: expected true or false, got 'yes' (line 5)")]
    [InlineData("settings: { minConfidence: high }", "settings.minConfidence: expected a number, got 'high' (line 5)")]
    [InlineData("settings: { retentionDays: -1 }", "settings.retentionDays: must not be negative (it is -1) (line 5)")]
    [InlineData("settings: { retention: { pictures: 10d } }", "settings.retention.pictures: must not be longer than settledStays (8d): pictures are kept the shortest (line 5)")]
    [InlineData("settings: { retention: { settledStays: 30d, unpaidStays: 10d } }", "settings.retention.unpaidStays: must not be shorter than settledStays (30d): an unpaid stay is held at least as long as a paid one (line 5)")]
    [InlineData("settings: { retention: { auditLog: 20d } }", "settings.retention.auditLog: must not be shorter than the longest other period (365d): the audit log is kept the longest (line 5)")]
    [InlineData("settings: { retention: { messageLog: 0s } }", "settings.retention.messageLog: must be longer than zero (it is 0s) (line 5)")]
    [InlineData("settings: { retention: { pictures: soon } }", "settings.retention.pictures: 'soon' is not a duration (use 90s, 2m, 1h30m, 3d, PT2M or a number of seconds) (line 5)")]
    [InlineData("settings: { retention: { settled: 8d } }", "settings.retention.settled: unknown retention setting (known: settledStays, unpaidStays, pictures, messageLog, deliveryLog, auditLog, pseudonymKey) (line 5)")]
    [InlineData("settings: { retentionDays: 30, retention: { settledStays: 8d } }", "settings.retentionDays: is the old name of settings.retention.settledStays; give only the new one (line 5)")]
    [InlineData("settings: { maxStay: 0s }", "settings.maxStay: must be longer than zero (every session would be over it at once) (line 5)")]
    [InlineData("settings: { idleGrace: P1M }", "settings.idleGrace: 'P1M' is not a duration (use 90s, 2m, 1h30m, 3d, PT2M or a number of seconds) (line 5)")]
    [InlineData("colour: blue", "colour: unknown field (known: id, name, timeZone, currency, ordinaryBays, settings, lanes, chargers, evBays, bayCameras, tariffs, automation, cameraHealth, inferredStays) (line 5)")]
    [InlineData("evBay: []", "evBay: unknown field; did you mean evBays? (line 5)")]
    [InlineData("lanes: [{ id: a, direction: entry, camera: [] }]", "lanes[0].camera: unknown field; did you mean cameras? (line 5)")]
    [InlineData("lanes: [{ id: 'a b', direction: entry }]", "lanes[0].id: 'a b' is not a valid lane id (1 to 64 printable ASCII characters without spaces or / : ? # %) (line 5)")]
    [InlineData("lanes: [{ id: a }]", "lanes[0].direction: is required (line 5)")]
    [InlineData("lanes: [{ id: a, direction: [entry] }]", "lanes[0].direction: expected text, got a list (line 5)")]
    [InlineData("chargers: [{ id: 'CP/1' }]", "chargers[0].id: 'CP/1' is not a charger id (1 to 48 printable ASCII characters without spaces or / : ? # %) (line 5)")]
    [InlineData("chargers: [{ id: CP-1, password: 'sixteen-chars-ok', securityProfile: 0 }]", "chargers[0].securityProfile: security profile 0 means no password; remove the password or use profile 1 or 2 (line 5)")]
    [InlineData("chargers: [{ id: CP-1, password: 'sixteen-chars-ok', securityProfile: 3 }]", "chargers[0].securityProfile: security profile 3 authenticates the charger by its TLS client certificate; remove the password (line 5)")]
    [InlineData("chargers: [{ id: CP-1, password: 'a-password-longer-than-forty-characters-!!' }]", "chargers[0].password: a charger password is 16 to 40 printable ASCII characters (OCPP BasicAuthPassword) (line 5)")]
    public void Each_kind_of_mistake_has_its_own_message(string addition, string expected)
    {
        var errors = Errors(MinimalYaml + "\n" + addition + "\n");

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void A_charger_on_security_profile_3_needs_no_password()
    {
        Assert.Empty(Errors(MinimalYaml + "\nchargers: [{ id: CP-1, securityProfile: 3 }]\n"));
    }

    [Fact]
    public void Ids_are_one_namespace_across_lanes_cameras_bays_and_chargers()
    {
        var errors = Errors(MinimalYaml + """

            lanes: [{ id: gate, direction: both, cameras: [{ id: EV-01, key: lane-camera-key-0001 }] }]
            chargers: [{ id: gate }]
            evBays: [{ id: EV-01, charger: gate, connector: 1 }]
            bayCameras: [{ id: cam, key: bay-camera-key-00001, bays: [EV-01] }]
            """);

        Assert.Equal(
            [
                "chargers[0].id: 'gate' is already the id of lanes[0] (line 6)",
                "evBays[0].id: 'EV-01' is already the id of lanes[0].cameras[0] (line 7)",
            ],
            errors);
    }

    [Fact]
    public void Two_cameras_with_one_key_are_an_error_that_does_not_show_the_key()
    {
        var errors = Errors(MinimalYaml + """

            lanes: [{ id: gate, direction: both, cameras: [{ id: cam-a, key: shared-camera-key-01 }, { id: cam-b, key: shared-camera-key-01 }] }]
            """);

        Assert.Equal(["lanes[0].cameras[1].key: is the same key as lanes[0].cameras[0]'s; each camera needs its own, or a read could not tell which camera sent it (line 5)"], errors);
    }

    [Fact]
    public void Overlapping_regions_of_two_bays_are_an_error_but_touching_ones_are_not()
    {
        const string bayRegions = """

            chargers: [{ id: CP-1 }]
            evBays: [{ id: EV-01, charger: CP-1, connector: 1 }, { id: EV-02, charger: CP-1, connector: 2 }]
            bayCameras: [{ id: cam, key: bay-camera-key-00001, bays: [{ bay: EV-01, region: [0, 0.5] }, { bay: EV-02, region: [REGION] }] }]
            """;

        Assert.Empty(Errors(MinimalYaml + bayRegions.Replace("REGION", "0.5, 1", StringComparison.Ordinal)));
        Assert.Equal(
            ["bayCameras[0].bays[1].region: [0.4, 1] overlaps bayCameras[0].bays[0]'s region [0, 0.5] (line 7)"],
            Errors(MinimalYaml + bayRegions.Replace("REGION", "0.4, 1", StringComparison.Ordinal)));
        Assert.Equal(
            ["bayCameras[0].bays[1].region: a region is [left, right]: the band of the picture's width the bay's plates appear in, with 0 <= left < right <= 1; this is a list (line 7)"],
            Errors(MinimalYaml + bayRegions.Replace("REGION", "0.5", StringComparison.Ordinal)));
    }

    [Fact]
    public void Neighbours_are_other_listed_bays_each_named_once()
    {
        var errors = Errors(MinimalYaml + """

            chargers: [{ id: CP-1 }]
            evBays:
              - { id: EV-01, charger: CP-1, connector: 1, neighbours: [EV-01, EV-02, EV-02] }
              - { id: EV-02, charger: CP-1, connector: 2, neighbours: EV-01 }
            """);

        Assert.Equal(
            [
                "evBays[0].neighbours[0]: bay 'EV-01' is not its own neighbour (line 7)",
                "evBays[0].neighbours[2]: bay 'EV-02' is listed twice (line 7)",
                "evBays[1].neighbours: expected a list, got 'EV-01' (line 8)",
            ],
            errors);
    }

    [Theory]
    [InlineData("key: 'has spaces in the key!'", "bayCameras[0].key: a camera key is printable ASCII without spaces (cameras send it in an HTTP header) (line 7)")]
    [InlineData("key: bay-camera-key-00001, keyHash: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "bayCameras[0].key: give key or keyHash, not both (line 7)")]
    [InlineData("keyHash: not-a-hash", "bayCameras[0].keyHash: is the key's hash as a site document read back from the API shows it (hmac-sha256: and 64 hexadecimal digits, or a SHA-256 as 64 hexadecimal digits) (line 7)")]
    [InlineData("key: ~", "bayCameras[0].key: is required (line 7)")]
    public void A_camera_key_is_long_printable_and_given_once(string key, string expected)
    {
        var errors = Errors(MinimalYaml + $$"""

            chargers: [{ id: CP-1 }]
            evBays: [{ id: EV-01, charger: CP-1, connector: 1 }]
            bayCameras: [{ id: cam, {{key}}, bays: [EV-01] }]
            """);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void A_bay_camera_needs_its_bays()
    {
        var errors = Errors(MinimalYaml + """

            bayCameras:
              - { id: cam-a, key: bay-camera-key-00001 }
              - { id: cam-b, key: bay-camera-key-00002, bays: [] }
            """);

        Assert.Equal(
            [
                "bayCameras[0].bays: is required: the one or two EV bays this camera watches (line 6)",
                "bayCameras[1].bays: a bay camera watches one or two bays, not none (line 7)",
            ],
            errors);
    }

    [Fact]
    public void Windows_time_zone_ids_are_refused_with_the_iana_name_to_use()
    {
        Assert.Equal(
            ["timeZone: 'W. Europe Standard Time' is a Windows time zone id, not an IANA one; use its IANA name 'Europe/Berlin' (line 3)"],
            Errors(MinimalYaml.Replace("UTC", "W. Europe Standard Time", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_currency_in_lower_case_is_refused_with_the_code_to_use()
    {
        Assert.Equal(["currency: 'gbp' is not an ISO 4217 code; did you mean GBP? (line 4)"], Errors(MinimalYaml.Replace("GBP", "gbp", StringComparison.Ordinal)));
        Assert.Equal(["currency: 'DEM' is not an ISO 4217 code (line 4)"], Errors(MinimalYaml.Replace("GBP", "DEM", StringComparison.Ordinal)));
    }

    [Fact]
    public void Missing_required_fields_are_each_named()
    {
        Assert.Equal(
            ["id: is required (line 1)", "timeZone: is required (line 1)", "currency: is required (line 1)"],
            Errors("name: Nameless\n"));
    }

    [Fact]
    public void Yaml_syntax_errors_give_the_line_they_are_on()
    {
        var errors = Errors(MinimalYaml + "\nlanes: [{ id: a, direction: entry }\n");

        Assert.Equal(["not valid YAML or JSON: While parsing a flow sequence, did not find expected ',' or ']'. (line 6)"], errors);
    }

    [Fact]
    public void Json_syntax_errors_give_the_line_they_are_on()
    {
        var errors = Errors("{\n  \"id\": \"small\",\n  \"name\": \"Small\"\n  \"timeZone\": \"UTC\"\n}\n");

        Assert.Single(errors);
        Assert.StartsWith("not valid YAML or JSON:", errors[0], StringComparison.Ordinal);
        Assert.EndsWith("(line 4)", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_written_twice_is_an_error_on_the_second()
    {
        Assert.Equal(["name: appears twice in one mapping (first on line 2) (line 5)"], Errors(MinimalYaml + "\nname: Again\n"));
    }

    [Fact]
    public void An_empty_file_or_one_that_is_not_a_mapping_says_so()
    {
        Assert.Equal(["the file is empty"], Errors(""));
        Assert.Equal(["the file is empty"], Errors("# only a comment\n"));
        Assert.Equal(["a site file is a mapping of id, name, timeZone, currency, ordinaryBays, settings, lanes, chargers, evBays, bayCameras, tariffs, automation, cameraHealth, inferredStays; this is a list (line 1)"], Errors("- id: a\n"));
    }

    [Fact]
    public void A_second_document_in_one_file_is_an_error()
    {
        Assert.Equal(["a site file holds one site; a second document starts here (line 5)"], Errors(MinimalYaml + "\n---\nid: other\n"));
    }

    [Fact]
    public void Deeply_nested_input_is_refused_before_it_can_exhaust_the_stack()
    {
        var errors = Errors("lanes: " + new string('[', 10_000) + new string(']', 10_000));

        Assert.Single(errors);
        Assert.Contains("nested more than 32 levels deep", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_cannot_be_read_is_one_error_and_no_configuration()
    {
        var result = Server.Sites.SiteFile.Load(Path.Combine(Path.GetTempPath(), $"no-such-site-{Guid.NewGuid():N}.yaml"), NoEnvironment, Keys);

        Assert.Null(result.Configuration);
        Assert.StartsWith("cannot read the file:", Assert.Single(result.Errors).ToString(), StringComparison.Ordinal);
    }
}
