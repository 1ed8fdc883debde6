using System.Text;

using ParkCharge.Core.Parking;
using ParkCharge.Core.Sites;

namespace ParkCharge.Anpr.Tests.Hikvision;

/// <summary>Hikvision ISAPI alarm-server pushes: an EventNotificationAlert, alone or with JPEG parts.</summary>
public sealed class HikvisionIsapiParserTests
{
    private const string Xml = "application/xml";
    private static readonly CameraFormat Format = CameraFormat.Hikvision;

    [Fact]
    public async Task An_ANPR_event_maps_every_member()
    {
        var push = await Push.Accepted(Format, Xml, Fixture.Bytes("Hikvision/anpr-ver20.xml"), cameraId: "gate-in-1");

        Assert.Null(push.CameraId);
        Assert.Equal(new PushSender("10.20.0.31", "bc:ba:c2:4e:19:07", "1"), push.Sender);
        Assert.Empty(push.Images);
        var report = Assert.Single(push.Reports);
        var read = Assert.IsType<PlateRead>(report.Payload);
        Assert.Equal("gate-in-1", read.Camera);
        Assert.Equal("BCD1234", read.Plate);
        Assert.Equal(0.93, read.Confidence);
        Assert.Equal(TravelDirection.In, read.Direction);
        Assert.Equal("Germany", read.Region);
        Assert.Equal("vehicle", read.VehicleType);
        Assert.Equal("3f1c9a2e-7b4d-4e0a-9c55-2d8e61b0a7f4", read.ReadId);
        Assert.Null(read.Zone);
        Assert.Null(read.PlateX);
        Assert.Empty(read.Candidates);
        Assert.False(read.HasImage);
        Assert.Null(report.Geometry);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 8, 15, 0, TimeSpan.FromHours(1)), report.CapturedAt);
        Assert.Equal(TimeSpan.FromHours(1), report.CapturedAt!.Value.Offset);
        Assert.Equal("gate-in-1:3f1c9a2e-7b4d-4e0a-9c55-2d8e61b0a7f4", report.IdempotencyKey);
    }

    [Fact]
    public async Task A_multipart_push_attaches_its_JPEG_parts_to_the_read()
    {
        var plate = TinyJpeg.Grey(96, 32);
        var scene = TinyJpeg.Grey(640, 360);
        var body = MultipartPush.Build(
            new("anpr.xml", "anpr.xml", "text/xml; charset=\"UTF-8\"", Fixture.Bytes("Hikvision/anpr-isapi.xml")),
            new("licensePlatePicture.jpg", "licensePlatePicture.jpg", "image/pjpeg", plate),
            new("detectionPicture.jpg", "detectionPicture.jpg", "image/jpeg", scene));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body, cameraId: "gate-out-1");

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Equal(("gate-out-1", "MXY512E", 0.88, TravelDirection.Out, "SUVMPV"), (read.Camera, read.Plate, read.Confidence, read.Direction, read.VehicleType));
        Assert.True(read.HasImage);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 17, 48, 3, 847, TimeSpan.FromHours(1)), push.Reports[0].CapturedAt);
        Assert.Equal(
            [("licensePlatePicture.jpg", "image/pjpeg", (int?)0), ("detectionPicture.jpg", "image/jpeg", (int?)0)],
            push.Images.Select(i => (i.Name, i.ContentType, i.ReportIndex)));
        Assert.Equal(plate, push.Images[0].Content.ToArray());
        Assert.Equal(scene, push.Images[1].Content.ToArray());
        Assert.Equal(new PushSender("10.20.0.32", "bc:ba:c2:4e:19:1a", "1"), push.Sender);
    }

    [Fact]
    public async Task The_XML_part_is_found_by_its_content_type_whatever_its_name_and_empty_picture_parts_are_no_pictures()
    {
        // Cameras send a picture part with Content-Length 0 when that picture is not configured.
        var body = MultipartPush.Build(
            new("xml_file", null, "application/xml", Fixture.Bytes("Hikvision/anpr-ver20.xml")),
            new("licensePlatePicture.jpg", "licensePlatePicture.jpg", "image/pjpeg", []));

        var push = await Push.Accepted(Format, MultipartPush.ContentType, body, cameraId: "gate-in-1");

        Assert.Empty(push.Images);
        Assert.False(((PlateRead)Assert.Single(push.Reports).Payload).HasImage);
    }

    [Fact]
    public async Task A_heartbeat_carries_no_read_and_is_not_an_error()
    {
        var push = await Push.Accepted(Format, Xml, Fixture.Bytes("Hikvision/heartbeat.xml"));

        Assert.Empty(push.Reports);
        Assert.Equal("10.20.0.31", push.Sender!.IpAddress);
    }

    [Theory]
    [InlineData("heartBeat", "active")]
    [InlineData("VMD", "active")]
    [InlineData("ANPR", "inactive")]
    public async Task Other_events_and_inactive_ones_carry_no_read(string eventType, string eventState)
    {
        var push = await Push.Accepted(Format, Xml, Alert($"<eventType>{eventType}</eventType><eventState>{eventState}</eventState><ANPR><licensePlate>BCD1234</licensePlate></ANPR>"), cameraId: "gate-in-1");

        Assert.Empty(push.Reports);
    }

    [Fact]
    public async Task No_plate_in_the_ver10_namespace_is_an_unreadable_read()
    {
        var push = await Push.Accepted(Format, Xml, Fixture.Bytes("Hikvision/unreadable-ver10.xml"), cameraId: "gate-in-2");

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Equal(("", 0.0, (TravelDirection?)null), (read.Plate, read.Confidence, read.Direction));
        Assert.Equal("0d5a2c47-91e3-4b8f-a6d0-3e7f1b9c2a58", read.ReadId);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("Unknown")]
    [InlineData(" 无车牌 ")]
    public async Task The_cameras_markers_for_no_plate_become_an_empty_plate(string text)
    {
        var push = await Push.Accepted(Format, Xml, Alert($"<eventType>ANPR</eventType><ANPR><licensePlate>{text}</licensePlate></ANPR>"), cameraId: "gate-in-1");

        Assert.Equal("", ((PlateRead)Assert.Single(push.Reports).Payload).Plate);
    }

    [Fact]
    public async Task A_document_without_namespace_is_read()
    {
        var push = await Push.Accepted(Format, "text/xml", Fixture.Bytes("Hikvision/anpr-no-namespace.xml"), cameraId: "bay-lane-2");

        var read = Assert.IsType<PlateRead>(Assert.Single(push.Reports).Payload);
        Assert.Equal(("HHAB1234", 0.97, TravelDirection.In, "Germany"), (read.Plate, read.Confidence, read.Direction, read.Region));
        Assert.Equal("2", push.Sender!.Channel);
    }

    [Fact]
    public async Task An_event_without_UUID_gets_a_hashed_key()
    {
        var push = await Push.Accepted(Format, Xml, Alert("<dateTime>2026-03-02T08:15:00+01:00</dateTime><eventType>ANPR</eventType><ANPR><licensePlate>BCD1234</licensePlate></ANPR>"), cameraId: "gate-in-1");

        Assert.Matches("^gate-in-1:[0-9a-f]{64}$", Assert.Single(push.Reports).IdempotencyKey);
    }

    [Fact]
    public async Task A_read_pushed_to_no_camera_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Xml, Fixture.Bytes("Hikvision/anpr-ver20.xml")));

        Assert.Equal("body", error.Path);
    }

    [Theory]
    [InlineData("<eventType>ANPR</eventType><ANPR><confidenceLevel>90</confidenceLevel></ANPR>", "EventNotificationAlert/ANPR/licensePlate", "missing")]
    [InlineData("<eventType>ANPR</eventType>", "EventNotificationAlert/ANPR", "missing in an ANPR event")]
    [InlineData("<eventType>ANPR</eventType><ANPR><licensePlate>BCD1234</licensePlate><confidenceLevel>130</confidenceLevel></ANPR>", "EventNotificationAlert/ANPR/confidenceLevel", "\"130\" is not a whole number from 0 to 100")]
    [InlineData("<eventType>ANPR</eventType><ANPR><licensePlate>BCD1234</licensePlate><confidenceLevel>0.93</confidenceLevel></ANPR>", "EventNotificationAlert/ANPR/confidenceLevel", "\"0.93\" is not a whole number from 0 to 100")]
    [InlineData("<dateTime>2026-03-02 08:15:00</dateTime><eventType>ANPR</eventType><ANPR><licensePlate>BCD1234</licensePlate></ANPR>", "EventNotificationAlert/dateTime", "\"2026-03-02 08:15:00\" is not an ISO 8601 time with offset")]
    public async Task A_wrong_or_missing_value_is_refused_naming_its_path(string members, string path, string message)
    {
        var errors = await Push.Refused(Format, Xml, Alert(members), cameraId: "gate-in-1");

        Assert.Equal(new AnprParseError(path, message), Assert.Single(errors));
    }

    [Fact]
    public async Task Malformed_XML_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Xml, Encoding.UTF8.GetBytes("<EventNotificationAlert><eventType>ANPR</eventType><ANPR></EventNotificationAlert>"), cameraId: "gate-in-1"));

        Assert.Equal("body", error.Path);
        Assert.StartsWith("not well-formed XML (line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_XML_in_a_part_is_refused_naming_the_part()
    {
        var body = MultipartPush.Build(new MultipartPush.Part("anpr.xml", "anpr.xml", "text/xml", Encoding.UTF8.GetBytes("<EventNotificationAlert><ANPR>")));

        Assert.Equal("anpr.xml", Assert.Single(await Push.Refused(Format, MultipartPush.ContentType, body, cameraId: "gate-in-1")).Path);
    }

    [Fact]
    public async Task A_document_type_declaration_is_refused()
    {
        var xml = """<?xml version="1.0"?><!DOCTYPE EventNotificationAlert [<!ENTITY plate SYSTEM "file:///etc/hostname">]><EventNotificationAlert><eventType>ANPR</eventType><ANPR><licensePlate>&plate;</licensePlate></ANPR></EventNotificationAlert>""";

        var error = Assert.Single(await Push.Refused(Format, Xml, Encoding.UTF8.GetBytes(xml), cameraId: "gate-in-1"));

        Assert.StartsWith("not well-formed XML", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_document_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, Xml, Encoding.UTF8.GetBytes("""<ResponseStatus xmlns="http://www.hikvision.com/ver20/XMLSchema"><statusCode>1</statusCode></ResponseStatus>"""), cameraId: "gate-in-1"));

        Assert.Equal(new AnprParseError("body", "the document is <ResponseStatus>, not an ISAPI <EventNotificationAlert>"), error);
    }

    [Fact]
    public async Task A_multipart_push_without_XML_or_JSON_part_is_refused()
    {
        var body = MultipartPush.Build(new MultipartPush.Part("licensePlatePicture.jpg", "licensePlatePicture.jpg", "image/jpeg", TinyJpeg.Grey(96, 32)));

        Assert.Equal(new AnprParseError("body", "the multipart push has no XML or JSON part"), Assert.Single(await Push.Refused(Format, MultipartPush.ContentType, body, cameraId: "gate-in-1")));
    }

    [Fact]
    public async Task A_JSON_push_is_refused()
    {
        var error = Assert.Single(await Push.Refused(Format, "application/json", Encoding.UTF8.GetBytes("{}"), cameraId: "gate-in-1"));

        Assert.Equal("body", error.Path);
    }

    private static byte[] Alert(string members) =>
        Encoding.UTF8.GetBytes($"""<?xml version="1.0" encoding="UTF-8"?><EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">{members}</EventNotificationAlert>""");
}
