using System.Text;
using System.Text.Json;
using System.Xml.Linq;

using CsCheck;

using ParkCharge.Core.Sites;
using ParkCharge.Testing;

namespace ParkCharge.Anpr.Tests;

/// <summary>
/// Pushes written to hurt (issue 12): every parser answers a result for anything, never an exception; the
/// structure it will walk is bounded (depth, elements, reads), and so are its errors and their text.
/// </summary>
public sealed class HostilePushTests
{
    public static TheoryData<CameraFormat> Formats => [.. Enum.GetValues<CameraFormat>().Where(f => f != CameraFormat.Mapped)];

    [Fact]
    public async Task Xml_nested_past_the_depth_limit_is_refused_without_building_it()
    {
        var xml = string.Concat(Enumerable.Repeat("<EventNotificationAlert>", 5_000)) + string.Concat(Enumerable.Repeat("</EventNotificationAlert>", 5_000));

        var error = Assert.Single(await Push.Refused(CameraFormat.Hikvision, "application/xml", Encoding.UTF8.GetBytes(xml), "gate-in-1"));

        Assert.Equal("body", error.Path);
        Assert.StartsWith("elements are nested more than 32 levels deep (line 1)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Xml_with_more_elements_than_an_alert_could_have_is_refused()
    {
        var xml = "<EventNotificationAlert>" + string.Concat(Enumerable.Repeat("<eventType>ANPR</eventType>", 10_001)) + "</EventNotificationAlert>";

        var error = Assert.Single(await Push.Refused(CameraFormat.Hikvision, "application/xml", Encoding.UTF8.GetBytes(xml), "gate-in-1"));

        Assert.Equal("the document has more than 10000 elements; an ISAPI alert has a few dozen", error.Message);
    }

    [Theory]
    [InlineData("""{"cameraId":"gate-in-1","plate":"AB\ud800"}""", "a string is not valid Unicode")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"AB","\udc00":1}""", "a member name is not valid Unicode")]
    [InlineData("""{"cameraId":"gate-in-1","plate":"AB","confidence":1e400}""", "1e400 is outside 0..1")]
    public async Task Json_that_no_string_or_number_can_hold_is_refused_with_a_problem(string json, string expected)
    {
        var errors = await Push.Refused(CameraFormat.Generic, "application/json", Encoding.UTF8.GetBytes(json));

        Assert.Contains(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_plate_longer_than_any_plate_is_refused_without_repeating_it()
    {
        var json = JsonSerializer.Serialize(new { cameraId = "gate-in-1", plate = new string('B', 5_000) });

        var error = Assert.Single(await Push.Refused(CameraFormat.Generic, "application/json", Encoding.UTF8.GetBytes(json)));

        Assert.Equal(new AnprParseError("plate", "is 5000 characters long; at most 32"), error);
    }

    [Fact]
    public async Task A_push_of_more_reads_than_a_camera_sends_is_refused_whole()
    {
        var json = JsonSerializer.Serialize(Enumerable.Range(0, 101).Select(i => new { cameraId = "gate-in-1", plate = $"AB{i}" }));

        var error = Assert.Single(await Push.Refused(CameraFormat.Generic, "application/json", Encoding.UTF8.GetBytes(json)));

        Assert.Equal("the push has 101 reads; at most 100 (send the rest in further pushes)", error.Message);
    }

    [Fact]
    public async Task A_push_with_thousands_of_problems_lists_twenty_and_counts_the_rest()
    {
        var json = JsonSerializer.Serialize(Enumerable.Range(0, 100).Select(i => new { cameraId = "gate-in-1", plate = 1, confidence = "x" }));

        var errors = await Push.Refused(CameraFormat.Generic, "application/json", Encoding.UTF8.GetBytes(json));

        Assert.Equal(21, errors.Count);
        Assert.Equal("and 180 more problems", errors[^1].Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task No_generated_hostile_push_makes_a_parser_throw_or_answer_without_bounds(CameraFormat format)
    {
        var parser = AnprParsers.For(format);
        await Hostile(Fixtures[format], (contentType, body) => Parse(parser, contentType, body, CameraIn(format)));
    }

    [Theory]
    [InlineData("json")]
    [InlineData("xml")]
    public async Task No_generated_hostile_push_makes_a_mapped_parser_throw_or_answer_without_bounds(string document)
    {
        CameraFieldMap map = document == "json"
            ? new() { Reads = "$.detections[*]", Plate = "@.plate", Confidence = "@.conf", ConfidenceScale = 100, Time = "$.sentAt", Zone = "@.lane", Picture = "@.picture" }
            : new() { Document = CameraDocumentKind.Xml, Plate = "/Event/Plate/Text", Confidence = "/Event/Plate/@confidence", ConfidenceScale = 100, Time = "/Event/Header/Time", Direction = "/Event/Motion/@direction", Picture = "/Event/Image" };
        var parser = AnprParsers.Mapped(map, PushLimits.Default, out _)!;
        string[] samples = document == "json" ? ["Mapped/acme-batch.json", "Generic/bay-batch.json"] : ["Mapped/vigil-event.xml", "Mapped/vigil-batch.xml"];

        await Hostile(samples, (contentType, body) => Parse(parser, contentType, body, "gate-in-1"));
    }

    /// <summary>Random documents, and the vendors' own samples with hostile values put in at random places, alone, in a multipart body, or raw bytes.</summary>
    private static async Task Hostile(string[] fixtures, Func<string?, byte[], Task<AnprParseResult>> parse)
    {
        var samples = fixtures.Select(f => (Xml: f.EndsWith(".xml", StringComparison.Ordinal), Text: Encoding.UTF8.GetString(Fixture.Bytes(f)))).ToArray();
        var mutated = Gen.Int[0, samples.Length - 1].SelectMany(i => samples[i].Xml
            ? MutatedXml(samples[i].Text).Select(t => ("application/xml", t))
            : MutatedJson(samples[i].Text).Select(t => ("application/json", t)));
        var random = Gen.OneOf(HostileXml.Select(t => ("application/xml", t)), HostileJson.Select(t => ("application/json", t)));
        var gen = Gen.Frequency((3, mutated), (1, random)).Select(b => (b.Item1, Encoding.UTF8.GetBytes(b.Item2)));
        var bodies = Gen.OneOf(gen, gen.Select(b => (MultipartPush.ContentType, Multipart(b.Item2, b.Item1))), RawBytes.Select(b => ((string)null!, b)));

        await bodies.SampleAsync(async body =>
        {
            var result = await parse(body.Item1, body.Item2);
            Assert.True(result.IsSuccess || result.Errors.Count is > 0 and <= 21, $"{result.Errors.Count} errors");
            Assert.All(result.Errors, e => Assert.True(e.Message.Length < 1_000, $"an error of {e.Message.Length} characters"));
            Assert.True(!result.IsSuccess || result.Push.Reports.Count <= PushLimits.Default.MaxReads, $"{result.Push?.Reports.Count} reports");
        }, iter: 300, seed: null, threads: 1);
    }

    private static async Task<AnprParseResult> Parse(IAnprParser parser, string? contentType, byte[] body, string? cameraId)
    {
        using var stream = new MemoryStream(body, writable: false);
        return await parser.ParseAsync(contentType, stream, cameraId, TestContext.Current.CancellationToken);
    }

    /// <summary>The camera address a push of the format comes to (the formats whose payload names the camera are tried without one).</summary>
    private static string? CameraIn(CameraFormat format) => format is CameraFormat.Generic or CameraFormat.PlateRecognizer or CameraFormat.OpenAlpr ? null : "gate-in-1";

    private static readonly Dictionary<CameraFormat, string[]> Fixtures = new()
    {
        [CameraFormat.Generic] = ["Generic/single-read.json", "Generic/bay-batch.json"],
        [CameraFormat.PlateRecognizer] = ["PlateRecognizer/snapshot-response.json", "PlateRecognizer/snapshot-webhook.json", "PlateRecognizer/stream-webhook.json", "PlateRecognizer/vehicle-mode-response.json"],
        [CameraFormat.Hikvision] = ["Hikvision/anpr-isapi.xml", "Hikvision/anpr-ver20.xml", "Hikvision/anpr-no-namespace.xml", "Hikvision/unreadable-ver10.xml", "Hikvision/parking-space.json"],
        [CameraFormat.Axis] = ["Axis/new.json", "Axis/update.json", "Axis/lost.json"],
        [CameraFormat.Dahua] = ["Dahua/tollgate.json", "Dahua/no-plate.json", "Dahua/keepalive.json"],
        [CameraFormat.OpenAlpr] = ["OpenAlpr/group.json", "OpenAlpr/group-preview.json", "OpenAlpr/results.json", "OpenAlpr/heartbeat.json"],
        [CameraFormat.Milesight] = ["Milesight/recognition.json", "Milesight/away-strings.json", "Milesight/vehicle-counting.json"],
    };

    /// <summary>A sample with one to four of its values (anywhere in the tree) replaced by hostile JSON.</summary>
    private static Gen<string> MutatedJson(string sample) => JsonMutations.Of(sample, Value(2));

    /// <summary>A sample with the text of one to four of its elements replaced by hostile XML content.</summary>
    private static Gen<string> MutatedXml(string sample)
    {
        var count = XDocument.Parse(sample).Descendants().Count();
        var content = Gen.OneOf(
            Gen.Const("&amp;&lt;"), Gen.Const("&#xD800;"), Gen.Const("&undefined;"), Gen.Const("9999999999999999999999"), Gen.Const("-1"),
            Gen.Const("0001-01-01T00:00:00+00:00"), Gen.Const("<![CDATA[\u0000]]>"), Gen.Const("<ANPR><ANPR/></ANPR>"),
            Gen.Int[0, 70_000].Select(n => new string('Z', n)), Gen.String.Select(System.Security.SecurityElement.Escape),
            Gen.Int[1, 2_000].Select(n => string.Concat(Enumerable.Repeat("<a>", n)) + string.Concat(Enumerable.Repeat("</a>", n))));
        return Gen.Int[0, count - 1].Array[1, 4].SelectMany(picks => content.Array[picks.Length].Select(texts =>
        {
            var document = XDocument.Parse(sample);
            var elements = document.Descendants().ToList();
            for (var i = 0; i < picks.Length; i++)
            {
                elements[picks[i]].Value = $"@@HOLE{i}@@";
            }

            var text = document.ToString();
            for (var i = 0; i < picks.Length; i++)
            {
                text = text.Replace($"@@HOLE{i}@@", texts[i], StringComparison.Ordinal);
            }

            return text;
        }));
    }

    private static readonly string[] Names =
        ["cameraId", "plate", "confidence", "capturedAt", "direction", "readId", "region", "vehicleType", "zone", "plateX", "event",
         "camera_id", "timestamp", "results", "score", "box", "candidates", "vehicle", "data", "hook", "props", "value", "xmin", "type", "code",
         "Picture", "Plate", "PlateNumber", "SnapInfo", "AccurateTime", "TimeZone", "Content", "carState", "carID", "plateUTF8", "datetime",
         "data_type", "best_plate_number", "epoch_start", "uuids", "time", "detection_region", "eventType", "PackingSpaceRecognition",
         "RegionInfo", "PackingSpace", "isParked", "detections", "sentAt"];

    private static readonly Gen<string> HostileString = Gen.OneOf(
        Gen.Const("\"\\ud800\""), Gen.Const("\"\\udfff\\ud800\""), Gen.Const("\"\\u0000\\u001b[31m\\n\""),
        Gen.Int[0, 70_000].Select(n => $"\"{new string('A', n)}\""),
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.Const("\"0001-01-01T00:00:00Z\""), Gen.Const("\"9999-12-31T23:59:59+14:00\""), Gen.Const("\"gate-in-1\""));

    private static readonly Gen<string> HostileNumber = Gen.OneOf(
        Gen.Const("1e400"), Gen.Const("-1e400"), Gen.Const("79228162514264337593543950336"), Gen.Const("-0"), Gen.Const("1e-400"),
        Gen.Long.Select(l => l.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "0"));

    private static readonly Gen<string> Leaf = Gen.OneOf(HostileString, HostileNumber, Gen.Const("null"), Gen.Const("true"), Gen.Const("[]"), Gen.Const("{}"),
        Gen.Int[1, 100].Select(n => new string('[', n) + new string(']', n)));

    private static Gen<string> Value(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (2, Gen.Int[0, Names.Length - 1].Array[0, 6].SelectMany(members =>
                Value(depth - 1).Array[members.Length].Select(values =>
                    "{" + string.Join(",", members.Select((m, i) => $"\"{Names[m]}\":{values[i]}")) + "}"))),
            (1, Value(depth - 1).Array[0, 5].Select(items => "[" + string.Join(",", items) + "]")));

    private static readonly Gen<string> HostileJson = Gen.Int[0, 4].SelectMany(Value);

    private static readonly string[] XmlNames = ["EventNotificationAlert", "eventType", "eventState", "dateTime", "UUID", "ANPR", "licensePlate", "confidenceLevel", "direction", "country", "x"];

    private static Gen<string> Element(int depth) => Gen.Select(Gen.Int[0, XmlNames.Length - 1].Select(i => XmlNames[i]), Gen.OneOf(
            Gen.Const("ANPR"), Gen.Const("active"), Gen.Const("&amp;&lt;"), Gen.Const("&#xD800;"), Gen.Const("9999"), Gen.Const("0001-01-01T00:00:00+00:00"),
            Gen.Int[0, 70_000].Select(n => new string('Z', n)), Gen.String.Select(System.Security.SecurityElement.Escape)),
            depth == 0 ? Gen.Const(Array.Empty<string>()) : Gen.Int[0, 4].SelectMany(n => Element(depth - 1).Array[n]))
        .Select((name, text, children) => $"<{name}>{text}{string.Concat(children)}</{name}>");

    private static readonly Gen<string> HostileXml = Gen.OneOf(
        Gen.Int[0, 3].SelectMany(Element).Select(e => $"<EventNotificationAlert>{e}</EventNotificationAlert>"),
        Gen.Int[30, 3_000].Select(n => string.Concat(Enumerable.Repeat("<a>", n)) + string.Concat(Enumerable.Repeat("</a>", n))),
        Gen.Const("<!DOCTYPE a [<!ENTITY x \"xx\">]><a>&x;</a>"));

    private static readonly Gen<byte[]> RawBytes = Gen.Byte.Array[0, 2_000];

    private static byte[] Multipart(byte[] content, string contentType) =>
        MultipartPush.Build(new MultipartPush.Part(contentType.EndsWith("xml", StringComparison.Ordinal) ? "anpr.xml" : "json", null, null, content));
}
