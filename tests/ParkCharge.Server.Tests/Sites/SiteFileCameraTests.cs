using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;
using ParkCharge.Server.Sites;

using static ParkCharge.Server.Tests.Sites.SiteFileSamples;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>
/// Cameras of every vendor in a site file: how they are mounted (which way is in, the time zone of their clock) and,
/// for cameras ParkCharge has no parser for, the field map that reads their pushes.
/// </summary>
public sealed class SiteFileCameraTests
{
    /// <summary>A made-up JSON vendor ("Acme") at the entry and a made-up XML vendor ("Vigil") at the exit.</summary>
    public const string MappedYaml = """
        id: harbour
        name: Harbour
        timeZone: Europe/Amsterdam
        currency: EUR
        lanes:
          - id: in
            direction: entry
            cameras:
              - id: acme-in
                format: mapped
                key: "acme-in-camera-key-0001"
                map:
                  reads: $.detections[*]
                  plate: "@.plate"
                  noPlate: [NOPLATE, "???"]
                  confidence: "@.conf"
                  confidenceScale: 100
                  time: $.sentAt
                  timeFormat: yyyy-MM-dd HH:mm:ss
                  direction: "@.dir"
                  directions: { ENTERING: in, LEAVING: out, TOWARDS: approaching }
                  zone: "@.lane"
                  readId: "@.id"
                  picturePart: overview
          - id: out
            direction: exit
            cameras:
              - id: vigil-out
                format: mapped
                key: "vigil-out-camera-key-0001"
                timeZone: America/New_York
                approaching: out
                map:
                  document: xml
                  plate: /Event/Plate/Text
                  confidence: /Event/Plate/@confidence
                  confidenceScale: 100
                  time: /Event/Header/Time
                  region: /Event/Plate/@country
                  picture: /Event/Image
              - { id: alpr-out, format: openalpr, key: "alpr-out-camera-key-01", headingIn: 270 }
              - { id: dahua-out, format: dahua, key: "dahua-out-camera-key-1" }
        """;

    [Fact]
    public void A_site_file_with_maps_for_a_JSON_and_an_XML_vendor_reads_into_the_cameras()
    {
        var result = Parse(MappedYaml);

        Assert.Empty(result.Errors);
        var site = result.Configuration!;
        var acme = site.FindCamera("acme-in")!;
        Assert.Equal(CameraFormat.Mapped, acme.Format);
        var map = acme.Map!;
        Assert.Equal(
            (CameraDocumentKind.Json, "$.detections[*]", "@.plate", "@.conf", 100.0, "$.sentAt", "yyyy-MM-dd HH:mm:ss", "@.dir", "@.lane", "@.id", "overview"),
            (map.Document, map.Reads, map.Plate, map.Confidence, map.ConfidenceScale, map.Time, map.TimeFormat, map.Direction, map.Zone, map.ReadId, map.PicturePart));
        Assert.Equal(
            [new("ENTERING", ReportedDirection.In), new("LEAVING", ReportedDirection.Out), new DirectionValue("TOWARDS", ReportedDirection.Approaching)],
            map.DirectionValues);
        Assert.Equal(["NOPLATE", "???"], map.NoPlate);

        var vigil = site.FindCamera("vigil-out")!;
        Assert.Equal((CameraDocumentKind.Xml, "/Event/Plate/@country", "America/New_York", TravelDirection.Out), (vigil.Map!.Document, vigil.Map.Region, vigil.TimeZone, vigil.Approaching));
        Assert.Equal((CameraFormat.OpenAlpr, (double?)270, (CameraFieldMap?)null), (site.FindCamera("alpr-out")!.Format, site.FindCamera("alpr-out")!.HeadingIn, site.FindCamera("alpr-out")!.Map));
        Assert.Equal((CameraFormat.Dahua, TravelDirection.In, (string?)null), (site.FindCamera("dahua-out")!.Format, site.FindCamera("dahua-out")!.Approaching, site.FindCamera("dahua-out")!.TimeZone));
    }

    [Fact]
    public void A_site_with_maps_shown_as_a_document_reads_back_the_same()
    {
        var original = Parse(MappedYaml);

        var json = SiteDocument.From(original.Configuration!, original.Chargers).ToJson();
        var again = SiteFile.Parse(json, "harbour.json", NoEnvironment, Keys);

        Assert.Empty(again.Errors);
        Assert.Equal(Fields(original.Configuration!), Fields(again.Configuration!));
        Assert.DoesNotContain("\"approaching\": \"in\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operators_guides_field_map_example_is_a_valid_site()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operators.md")).ReplaceLineEndings("\n");
        var section = guide[guide.IndexOf("### Cameras of other vendors: field maps", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var environment = new Dictionary<string, string?> { ["ACME_NORTH_KEY"] = "acme-north-camera-key-01", ["VIGIL_EXIT_KEY"] = "vigil-exit-camera-key-01" };

        var result = Parse("id: harbour\nname: Harbour\ntimeZone: Europe/Amsterdam\ncurrency: EUR\n" + shown, "operators.md", environment);

        Assert.Empty(result.Errors);
        Assert.Equal([CameraFormat.Mapped, CameraFormat.Mapped], result.Configuration!.Cameras.Select(c => c.Format));
        Assert.Equal("/Batch/Read", result.Configuration.FindCamera("vigil-exit")!.Map!.Reads);
    }

    [Fact]
    public void A_document_read_back_keeps_inferred_stay_settings_other_than_the_defaults_and_leaves_out_the_defaults()
    {
        var site = "id: harbour\nname: Harbour\ntimeZone: Europe/Amsterdam\ncurrency: EUR\n";
        var changed = Parse(site + "inferredStays: { lookBack: 6h, openLimit: 2d, billInferredEntry: false }\n", "harbour.yaml", new Dictionary<string, string?>());

        var json = SiteDocument.From(changed.Configuration!, []).ToJson();
        var reread = Parse(json, "read-back.json", new Dictionary<string, string?>());

        Assert.Empty(reread.Errors);
        Assert.Equal(new InferredStaySettings { LookBack = TimeSpan.FromHours(6), OpenLimit = TimeSpan.FromDays(2), BillInferredEntry = false }, reread.Configuration!.InferredStays);
        Assert.DoesNotContain("inferredStays", SiteDocument.From(Parse(site, "harbour.yaml", new Dictionary<string, string?>()).Configuration!, []).ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_operators_guides_inferred_stays_example_is_valid_and_shows_the_defaults()
    {
        var guide = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operators.md")).ReplaceLineEndings("\n");
        var section = guide[guide.IndexOf("### Vehicles missed at a gate: inferred stays", StringComparison.Ordinal)..];
        var start = section.IndexOf("```yaml\n", StringComparison.Ordinal) + "```yaml\n".Length;
        var shown = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];

        var result = Parse("id: harbour\nname: Harbour\ntimeZone: Europe/Amsterdam\ncurrency: EUR\n" + shown, "operators.md", new Dictionary<string, string?>());

        Assert.Empty(result.Errors);
        Assert.Equal(new InferredStaySettings(), result.Configuration!.InferredStays);
    }

    [Fact]
    public void Every_problem_of_a_cameras_map_and_mounting_is_named_by_its_path_and_line()
    {
        var errors = Errors("""
            id: harbour
            name: Harbour
            timeZone: Europe/Amsterdam
            currency: EUR
            lanes:
              - id: in
                direction: entry
                cameras:
                  - id: acme-in
                    format: mapped
                    key: "acme-in-camera-key-0001"
                    timeZone: Europe/Amsterdm
                    approaching: sideways
                    headingIn: 400
                    map:
                      plate: $..plate
                      confidence: "@.conf"
                      time: $.t
                      timeFormat: dd.MM.
                      directions: { IN: inbound }
                      picure: $.img
                  - { id: no-map, format: mapped, key: "no-map-camera-key-0001" }
                  - { id: hik-in, format: hikvision, key: "hik-in-camera-key-0001", map: { plate: $.plate } }
            """);

        Assert.Equal(
            [
                "lanes[0].cameras[0].timeZone: 'Europe/Amsterdm' is not an IANA time zone; did you mean Europe/Amsterdam? (line 12)",
                "lanes[0].cameras[0].approaching: 'sideways' is not one of in, out (line 13)",
                "lanes[0].cameras[0].headingIn: is an angle in degrees from -360 to 360 (it is 400) (line 14)",
                "lanes[0].cameras[0].map.plate: '$..plate' '..' (descendants) is not supported, at character 2: name each step (line 16)",
                "lanes[0].cameras[0].map.confidence: '@.conf' starts at the current read (@), but the map has no reads; start it with $ (line 17)",
                "lanes[0].cameras[0].map.timeFormat: 'dd.MM.' is not iso8601, unix, unix-ms or a date and time format naming the year, month, day, hour and minute (missing: year, hour (H or h with tt), minute) (line 19)",
                "lanes[0].cameras[0].map.directions.IN: 'inbound' is not in, out, approaching or leaving (line 20)",
                "lanes[0].cameras[0].map.picure: unknown field; did you mean picture? (line 21)",
                "lanes[0].cameras[1].map: is required for format: mapped: where the push has the plate and the other fields (JSON paths or XPath) (line 22)",
                "lanes[0].cameras[2].map: only a camera with format: mapped has a field map (this one's format reads its vendor's own fields) (line 23)",
            ],
            errors);
    }
}
