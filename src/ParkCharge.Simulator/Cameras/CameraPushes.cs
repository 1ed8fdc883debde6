using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security;
using System.Text;
using System.Text.Json;

using ParkCharge.Core.Sites;
using ParkCharge.Simulator.Planning;

namespace ParkCharge.Simulator.Cameras;

/// <summary>
/// One camera read as the camera (or its LPR software) would push it, in the camera's format:
/// ParkCharge JSON to <c>/api/v1/anpr/reads</c> with a Bearer key; a Plate Recognizer webhook to
/// <c>/api/v1/anpr/plate-recognizer/{camera}?key=</c> (JSON, or multipart with the picture for a bay
/// camera, whose plate box then says which bay); a Hikvision ISAPI alarm (XML, local time with offset)
/// to <c>/api/v1/anpr/hikvision/{camera}?key=</c>. Vendor cameras cannot set headers, so they use <c>?key=</c>.
/// </summary>
public static class CameraPushes
{
    /// <summary>The picture width a simulated bay camera reports plate boxes against.</summary>
    private const int PictureWidth = 640;

    private const int PictureHeight = 480;

    private static readonly Lazy<byte[]> Picture = new(() => GreyJpeg(PictureWidth, PictureHeight));

    public static HttpRequestMessage Request(PlannedRead read, CameraPass pass, TimeZoneInfo zone, int sequence)
    {
        var camera = pass.Camera;
        var key = Uri.EscapeDataString(camera.Key);
        var id = Uri.EscapeDataString(camera.Id);
        switch (camera.Format)
        {
            case CameraFormat.PlateRecognizer:
                var json = PlateRecognizerJson(read, pass);
                var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/anpr/plate-recognizer/{id}?key={key}");
                if (pass.View is null)
                {
                    request.Content = new StringContent(json, Encoding.UTF8, "application/json");
                }
                else
                {
                    var form = new MultipartFormDataContent
                    {
                        { new StringContent(json, Encoding.UTF8), "json" },
                    };
                    var picture = new ByteArrayContent(Picture.Value);
                    picture.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                    form.Add(picture, "upload", $"{camera.Id}.jpg");
                    request.Content = form;
                }

                return request;
            case CameraFormat.Hikvision:
                return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/anpr/hikvision/{id}?key={key}")
                {
                    Content = new StringContent(HikvisionXml(read, zone, sequence), Encoding.UTF8, "application/xml"),
                };
            default:
                var generic = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anpr/reads")
                {
                    Content = new StringContent(GenericJson(read, pass, sequence), Encoding.UTF8, "application/json"),
                };
                generic.Headers.Authorization = new AuthenticationHeaderValue("Bearer", camera.Key);
                return generic;
        }
    }

    public static string GenericJson(PlannedRead read, CameraPass pass, int sequence)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("cameraId", pass.Camera.Id);
            json.WriteString("plate", read.Text);
            json.WriteNumber("confidence", read.Confidence);
            json.WriteString("capturedAt", read.CapturedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture));
            json.WriteString("readId", $"{pass.Camera.Id}-{sequence}");
            if (pass.View is { } view)
            {
                if (view.Zone is not null)
                {
                    json.WriteString("zone", view.Zone);
                }

                json.WriteNumber("plateX", Math.Round((view.Left + view.Right) / 2, 3));
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string PlateRecognizerJson(PlannedRead read, CameraPass pass)
    {
        // The plate box sits in the middle of the bay's part of the picture.
        var centre = pass.View is { } view ? (view.Left + view.Right) / 2 : 0.5;
        var xMin = (int)Math.Clamp(centre * PictureWidth - 60, 0, PictureWidth - 121);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("hook");
            json.WriteString("event", "recognition");
            json.WriteEndObject();
            json.WriteStartObject("data");
            json.WriteString("camera_id", pass.Camera.Id);
            json.WriteString("timestamp", read.CapturedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("results");
            json.WriteStartObject();
            json.WriteString("plate", read.Text.ToLowerInvariant());
            json.WriteNumber("score", read.Confidence);
            json.WriteNumber("dscore", 0.9);
            json.WriteStartObject("box");
            json.WriteNumber("xmin", xMin);
            json.WriteNumber("ymin", 300);
            json.WriteNumber("xmax", xMin + 120);
            json.WriteNumber("ymax", 330);
            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteString("code", "de");
            json.WriteNumber("score", 0.9);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string HikvisionXml(PlannedRead read, TimeZoneInfo zone, int sequence)
    {
        var local = TimeZoneInfo.ConvertTime(read.CapturedAt, zone);
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
            <ipAddress>10.20.0.31</ipAddress>
            <channelID>1</channelID>
            <dateTime>{local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture)}</dateTime>
            <activePostCount>{sequence}</activePostCount>
            <eventType>ANPR</eventType>
            <eventState>active</eventState>
            <eventDescription>ANPR</eventDescription>
            <ANPR>
            <country>Germany</country>
            <licensePlate>{SecurityElement.Escape(read.Text)}</licensePlate>
            <confidenceLevel>{(int)Math.Round(read.Confidence * 100)}</confidenceLevel>
            <vehicleType>vehicle</vehicleType>
            </ANPR>
            <UUID>{Guid.CreateVersion7(read.CapturedAt)}-{sequence}</UUID>
            </EventNotificationAlert>
            """;
    }

    /// <summary>
    /// A real, decodable baseline JPEG: uniform grey, every 8×8 block "DC difference 0, end of block",
    /// coded with one-symbol Huffman tables (ITU-T T.81). Small, and its frame header carries the width
    /// that turns a plate box into a position in the picture.
    /// </summary>
    internal static byte[] GreyJpeg(int width, int height)
    {
        var jpeg = new List<byte> { 0xFF, 0xD8 };
        Segment(jpeg, 0xE0, [(byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
        Segment(jpeg, 0xDB, [0, .. Enumerable.Repeat((byte)1, 64)]);
        var frame = new byte[] { 8, 0, 0, 0, 0, 1, 1, 0x11, 0 };
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)height);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(3), (ushort)width);
        Segment(jpeg, 0xC0, frame);
        Segment(jpeg, 0xC4, [0x00, 1, .. new byte[15], 0x00]);
        Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]);
        Segment(jpeg, 0xDA, [1, 1, 0x00, 0, 63, 0]);
        var bits = 2 * ((width + 7) / 8) * ((height + 7) / 8);
        jpeg.AddRange(new byte[bits / 8]);
        if (bits % 8 != 0)
        {
            jpeg.Add((byte)(0xFF >> (bits % 8)));
        }

        jpeg.AddRange([0xFF, 0xD9]);
        return [.. jpeg];
    }

    private static void Segment(List<byte> jpeg, byte marker, byte[] payload)
    {
        jpeg.AddRange([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        jpeg.AddRange(payload);
    }
}
