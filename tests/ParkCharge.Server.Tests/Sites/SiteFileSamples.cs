using System.Text.Json;
using System.Text.Json.Serialization;

using ParkCharge.Core.Sites;
using ParkCharge.Core.Sites.Files;
using ParkCharge.Server.Sites;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>Site files the tests read, and the environment their <c>${...}</c> references come from.</summary>
internal static class SiteFileSamples
{
    public const string NorthInKey = "north-in-camera-key-0001";
    public const string BayCameraKey = "a-long-random-camera-key";
    public const string Cp001Password = "cp-001-password-0001";

    public static readonly IReadOnlyDictionary<string, string?> Environment = new Dictionary<string, string?>
    {
        ["CAM_NORTH_IN_KEY"] = NorthInKey,
        ["CP001_PASSWORD"] = Cp001Password,
    };

    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    /// <summary>The example of the brief: every kind of entry, settings written out in full.</summary>
    public const string MainStreetYaml = """
        id: main-street
        name: Main Street Garage
        timeZone: Europe/Berlin
        currency: EUR
        ordinaryBays: 120
        settings: { bindingWindow: 2m, sightingGap: 10s, minConfidence: 0.75, reentryWindow: 0s, maxStay: 72h, iceLimit: 15m, entryGrace: 10m, idleGrace: 20m, retention: { settledStays: 30d, pictures: 2d }, storeImages: true, maxClockAhead: 90, meterEventInterval: 30s }
        lanes:
          - id: north-in
            direction: entry            # entry | exit | both
            name: North gate
            cameras:
              - { id: cam-north-in, format: hikvision, key: "${CAM_NORTH_IN_KEY}" }
          - id: south
            direction: both
        chargers:
          - { id: CP-001, password: "${CP001_PASSWORD}", securityProfile: 2, displayName: Level 0 }
          - { id: CP-002 }
        evBays:
          - { id: EV-01, charger: CP-001, connector: 1, neighbours: [EV-02] }
          - { id: EV-02, charger: CP-001, connector: 2 }
          - { id: EV-03, charger: CP-002, connector: 1 }
        bayCameras:
          - id: cam-ev-01-02
            format: platerecognizer
            key: "a-long-random-camera-key"
            minConfidence: 0.8
            bays:
              - { bay: EV-01, zone: left, region: [0.0, 0.5] }
              - { bay: EV-02, zone: right, region: [0.5, 1.0] }
          - { id: cam-ev-03, key: "another-long-camera-key", bays: [EV-03] }
        """;

    /// <summary>The same site as JSON, written the way an API client would (durations in other notations).</summary>
    public const string MainStreetJson = """
        {
          "id": "main-street",
          "name": "Main Street Garage",
          "timeZone": "Europe/Berlin",
          "currency": "EUR",
          "ordinaryBays": 120,
          "settings": {
            "bindingWindow": "PT2M", "sightingGap": 10, "minConfidence": 0.75, "reentryWindow": "0s", "maxStay": "3d",
            "iceLimit": "900", "entryGrace": "PT10M", "idleGrace": "20m", "retention": { "settledStays": "30d", "pictures": "48h" }, "storeImages": true, "maxClockAhead": "1m30s", "meterEventInterval": "PT30S"
          },
          "lanes": [
            { "id": "north-in", "direction": "entry", "name": "North gate",
              "cameras": [ { "id": "cam-north-in", "format": "hikvision", "key": "${CAM_NORTH_IN_KEY}" } ] },
            { "id": "south", "direction": "both" }
          ],
          "chargers": [
            { "id": "CP-001", "password": "${CP001_PASSWORD}", "securityProfile": 2, "displayName": "Level 0" },
            { "id": "CP-002" }
          ],
          "evBays": [
            { "id": "EV-01", "charger": "CP-001", "connector": 1, "neighbours": ["EV-02"] },
            { "id": "EV-02", "charger": "CP-001", "connector": 2 },
            { "id": "EV-03", "charger": "CP-002", "connector": 1 }
          ],
          "bayCameras": [
            { "id": "cam-ev-01-02", "format": "platerecognizer", "key": "a-long-random-camera-key", "minConfidence": 0.8,
              "bays": [ { "bay": "EV-01", "zone": "left", "region": [0.0, 0.5] }, { "bay": "EV-02", "zone": "right", "region": [0.5, 1.0] } ] },
            { "id": "cam-ev-03", "key": "another-long-camera-key", "bays": ["EV-03"] }
          ]
        }
        """;

    /// <summary>The least a site file needs.</summary>
    public const string MinimalYaml = """
        id: small
        name: Small
        timeZone: UTC
        currency: GBP
        """;

    private static readonly JsonSerializerOptions Comparable = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Every field of a configuration as JSON: records with lists do not compare by value.</summary>
    public static string Fields(SiteConfiguration configuration) => JsonSerializer.Serialize(configuration, Comparable);

    /// <summary>The key hasher documents are read with: a fixed secret, so hashes are the same in every run.</summary>
    public static readonly Auth.KeyHasher Keys = new([.. Enumerable.Range(1, 32).Select(i => (byte)i)]);

    public static SiteFileResult Parse(string text, string fileName = "site.yaml", IReadOnlyDictionary<string, string?>? environment = null) =>
        SiteFile.Parse(text, fileName, environment ?? Environment, Keys);

    /// <summary>The errors as <c>check-site</c> prints them (without the file name).</summary>
    public static IReadOnlyList<string> Errors(string text, IReadOnlyDictionary<string, string?>? environment = null) =>
        [.. Parse(text, environment: environment).Errors.Select(e => e.ToString())];
}
