using System.Globalization;
using System.Text;

using ParkCharge.Anpr;
using ParkCharge.Core.Sites;

namespace ParkCharge.Bench.Ingest;

/// <summary>A push as a camera of one format sends it: where it goes, its content type and its body.</summary>
internal sealed record IngestPush(string Path, string ContentType, byte[] Body);

/// <summary>
/// One camera format of the ingest benchmark: its camera at the bench site, and a push of one new read (a plate no
/// other push has, a capture time of now) in the vendor's own shape, as the fixtures of ParkCharge.Anpr.Tests show it.
/// </summary>
internal sealed record IngestFormat(string Name, string Camera, CameraFormat Format, Func<long, DateTimeOffset, IngestPush> Push)
{
    public const string Site = "ingest";

    public static string Key(string camera) => $"{camera}-bench-key-0123456789";

    public static readonly CameraFieldMap AcmeMap = new()
    {
        Plate = "$.event.lpr.text",
        Confidence = "$.event.lpr.score",
        Time = "$.event.ts",
        TimeFormat = "unix-ms",
        Direction = "$.event.lpr.dir",
        DirectionValues = [new("ENTERING", ReportedDirection.In)],
        ReadId = "$.event.id",
    };

    public static readonly CameraFieldMap VigilMap = new()
    {
        Document = CameraDocumentKind.Xml,
        Plate = "/Event/Plate/Text",
        Confidence = "/Event/Plate/@confidence",
        ConfidenceScale = 100,
        Time = "/Event/Header/Time",
    };

    /// <summary>Every format; <c>generic</c> (ParkCharge's own JSON) first: the others are measured against it.</summary>
    public static readonly IReadOnlyList<IngestFormat> All =
    [
        new("generic", "cam-generic", CameraFormat.Generic, (n, now) => Json("/api/v1/anpr/reads", $$"""
            {"cameraId":"cam-generic","plate":"{{Plate(n)}}","confidence":0.93,"capturedAt":"{{Iso(now)}}","direction":"in","readId":"g-{{n}}"}
            """)),
        new("platerecognizer", "cam-pr", CameraFormat.PlateRecognizer, (n, now) => Json("/api/v1/anpr/plate-recognizer/cam-pr", $$"""
            {"camera_id":"cam-pr","timestamp":"{{Iso(now)}}","filename":"cam-pr.jpg","results":[{"plate":"{{Plate(n).ToLowerInvariant()}}","score":0.91,"dscore":0.8,
             "box":{"xmin":200,"ymin":300,"xmax":320,"ymax":330},"region":{"code":"de","score":0.9},"vehicle":{"type":"Sedan","score":0.8},
             "candidates":[{"plate":"{{Plate(n).ToLowerInvariant()}}","score":0.91}]}]}
            """)),
        new("hikvision", "cam-hik", CameraFormat.Hikvision, (n, now) => Xml("/api/v1/anpr/hikvision/cam-hik", $"""
            <EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><ipAddress>10.0.0.9</ipAddress><channelID>1</channelID>
            <dateTime>{Iso(now)}</dateTime><activePostCount>1</activePostCount><eventType>ANPR</eventType><eventState>active</eventState>
            <eventDescription>ANPR</eventDescription><ANPR><country>DE</country><licensePlate>{Plate(n)}</licensePlate><confidenceLevel>93</confidenceLevel>
            <direction>forward</direction><vehicleType>vehicle</vehicleType></ANPR><UUID>hik-{n}</UUID></EventNotificationAlert>
            """)),
        new("hikvision-spaces", "cam-spaces", CameraFormat.Hikvision, (n, now) => Json("/api/v1/anpr/hikvision/cam-spaces", $$"""
            {"ipAddress":"10.0.0.10","dateTime":"{{Iso(now.AddTicks(n % 10_000))}}","activePostCount":1,"eventType":"PackingSpaceRecognition","eventState":"active",
             "eventDescription":"Packing Space Recognition","PackingSpaceRecognition":[{"RegionInfo":[{"regionalID":1,"PackingSpace":[{"absoulteParkingNum":"1","isParked":"no"}]}]}]}
            """)),
        new("axis", "cam-axis", CameraFormat.Axis, (n, now) => Json("/api/v1/anpr/axis/cam-axis", $$"""
            {"packetCounter":"{{n}}","datetime":"{{now.UtcDateTime.ToString("yyyyMMdd HHmmssfff", CultureInfo.InvariantCulture)}}","plateUTF8":"{{Plate(n)}}","plateCountry":"DEU",
             "plateConfidence":"0.93","carState":"new","carMoveDirection":"in","carID":"{{n}}","roiID":"1","plateCoordinates":["625","564","192","32"]}
            """)),
        new("dahua", "cam-dahua", CameraFormat.Dahua, (n, now) => Json("/api/v1/anpr/dahua/cam-dahua", $$"""
            {"Picture":{"Plate":{"PlateNumber":"{{Plate(n)}}","PlateColor":"Yellow","Confidence":92,"IsExist":true},
             "SnapInfo":{"AccurateTime":"{{now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}}","TimeZone":0,"Direction":"Obverse","LanNo":1,"DeviceID":"bench"},
             "Vehicle":{"VehicleType":"SaloonCar","VehicleColor":"White"} } }
            """)),
        new("openalpr", "cam-alpr", CameraFormat.OpenAlpr, (n, now) => Json("/api/v1/anpr/openalpr/cam-alpr", $$"""
            {"version":2,"data_type":"alpr_group","epoch_start":{{now.ToUnixTimeMilliseconds()}},"epoch_end":{{now.ToUnixTimeMilliseconds()}},"camera_id":7,
             "uuids":["agent-{{n}}"],"candidates":[{"plate":"{{Plate(n)}}","confidence":93.2}],"best_plate":{"plate":"{{Plate(n)}}","confidence":93.2,
             "coordinates":[{"x":600,"y":700},{"x":700,"y":700},{"x":700,"y":725},{"x":600,"y":725}]},"best_confidence":93.2,"best_plate_number":"{{Plate(n)}}",
             "best_region":"de","best_image_width":1280,"travel_direction":90,"is_preview":false}
            """)),
        new("milesight", "cam-ms", CameraFormat.Milesight, (n, now) => Json("/api/v1/anpr/milesight/cam-ms", $$"""
            {"device":"LPR","time_msec":"{{now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)}}","plate":"{{Plate(n)}}","type":"Visitor",
             "speed":"-","direction":"Approach","detection_region":"1","region":"Germany","resolution_width":"1920","coordinate_x1":"880","coordinate_x2":"1040",
             "confidence":"93","plate_color":"White","vehicle_type":"Car"}
            """)),
        new("mapped-json", "cam-acme", CameraFormat.Mapped, (n, now) => Json("/api/v1/anpr/mapped/cam-acme", $$"""
            {"version":"2.1","event":{"id":"acme-{{n}}","ts":{{now.ToUnixTimeMilliseconds()}},"lane":"L1","lpr":{"text":"{{Plate(n)}}","score":"0.93","dir":"ENTERING"} } }
            """)),
        new("mapped-xml", "cam-vigil", CameraFormat.Mapped, (n, now) => Xml("/api/v1/anpr/mapped/cam-vigil", $"""
            <vg:Event xmlns:vg="urn:vigil:lpr:2"><vg:Header><vg:Time>{Iso(now)}</vg:Time></vg:Header><vg:Plate confidence="93"><vg:Text>{Plate(n)}</vg:Text></vg:Plate></vg:Event>
            """)),
    ];

    /// <summary>The bench site: one entry lane with a camera of every format, and a parking-space camera over one EV bay.</summary>
    public static string SiteDocument()
    {
        var lane = string.Join(",\n", All.Where(f => f.Name != "hikvision-spaces").Select(f => f.Format switch
        {
            CameraFormat.Mapped => $$"""{ "id": "{{f.Camera}}", "format": "mapped", "key": "{{Key(f.Camera)}}", "map": {{MapJson(f.Camera == "cam-acme" ? AcmeMap : VigilMap)}} }""",
            _ => $$"""{ "id": "{{f.Camera}}", "format": "{{f.Format.ToString().ToLowerInvariant()}}", "key": "{{Key(f.Camera)}}" }""",
        }));
        return $$"""
            { "id": "{{Site}}", "name": "Ingest bench", "timeZone": "UTC", "currency": "EUR", "ordinaryBays": 100000,
              "lanes": [ { "id": "in", "direction": "entry", "cameras": [ {{lane}} ] } ],
              "chargers": [ { "id": "CP-BENCH" } ],
              "evBays": [ { "id": "EV-1", "charger": "CP-BENCH", "connector": 1 } ],
              "bayCameras": [ { "id": "cam-spaces", "format": "hikvision", "key": "{{Key("cam-spaces")}}", "bays": [ { "bay": "EV-1", "zone": "1" } ] } ] }
            """;
    }

    private static string MapJson(CameraFieldMap map)
    {
        var fields = new List<string> { $"\"plate\": \"{map.Plate}\"" };
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                fields.Add($"\"{name}\": \"{value}\"");
            }
        }

        Add("document", map.Document == CameraDocumentKind.Xml ? "xml" : null);
        Add("confidence", map.Confidence);
        Add("time", map.Time);
        Add("timeFormat", map.TimeFormat);
        Add("direction", map.Direction);
        Add("readId", map.ReadId);
        if (map.ConfidenceScale != 1)
        {
            fields.Add($"\"confidenceScale\": {map.ConfidenceScale.ToString(CultureInfo.InvariantCulture)}");
        }

        if (map.DirectionValues.Count > 0)
        {
            fields.Add("\"directions\": { " + string.Join(", ", map.DirectionValues.Select(v => $"\"{v.Value}\": \"{v.Means.ToString().ToLowerInvariant()}\"")) + " }");
        }

        return "{ " + string.Join(", ", fields) + " }";
    }

    /// <summary>
    /// A plate no other push of the run has: "B" and seven base-36 characters of the push's number scrambled (a bijection
    /// modulo 36^7), so that consecutive pushes are not OCR look-alikes that one camera's sighting would merge.
    /// </summary>
    public static string Plate(long n)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        const long space = 78_364_164_096; // 36^7
        var x = (long)(((UInt128)(ulong)n * 2_654_435_761 + 12_345) % space);
        Span<char> text = stackalloc char[8];
        text[0] = 'B';
        for (var i = 7; i >= 1; i--)
        {
            text[i] = digits[(int)(x % 36)];
            x /= 36;
        }

        return new string(text);
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static IngestPush Json(string path, string body) => new(path, "application/json", Encoding.UTF8.GetBytes(body));

    private static IngestPush Xml(string path, string body) => new(path, "application/xml", Encoding.UTF8.GetBytes(body));

    /// <summary>The parser the node reads this format's pushes with.</summary>
    public IAnprParser Parser() => Format == CameraFormat.Mapped
        ? AnprParsers.Mapped(Camera == "cam-acme" ? AcmeMap : VigilMap, PushLimits.Default, out _)!
        : AnprParsers.For(Format);
}
