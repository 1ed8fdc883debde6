using ParkCharge.Core.Parking;

namespace ParkCharge.Core.Sites.Files;

/// <summary>How a camera is mounted (which way is in, its clock's time zone) and the field map of a mapped camera.</summary>
public sealed partial class SiteFileValidator
{
    private static readonly string[] MapFields =
        ["document", "reads", "plate", "noPlate", "confidence", "confidenceScale", "time", "timeFormat", "direction", "directions", "zone", "readId", "region", "picture", "picturePart", "documentPart"];

    private static readonly (string Name, TravelDirection Value)[] Travel = [("in", TravelDirection.In), ("out", TravelDirection.Out)];

    private static readonly (string Name, CameraDocumentKind Value)[] Documents = [("json", CameraDocumentKind.Json), ("xml", CameraDocumentKind.Xml)];

    private static readonly (string Name, ReportedDirection Value)[] Meanings =
        [("in", ReportedDirection.In), ("out", ReportedDirection.Out), ("approaching", ReportedDirection.Approaching), ("leaving", ReportedDirection.Leaving)];

    /// <summary>
    /// <c>approaching</c>: what a vehicle driving towards the camera is doing (<c>in</c>, the default: the camera faces
    /// arriving traffic); <c>headingIn</c>: the angle a vendor reports for a vehicle entering; <c>timeZone</c>: the zone of
    /// the camera's clock, for pushes with local times.
    /// </summary>
    private (TravelDirection Approaching, double? HeadingIn, string? TimeZone) Mounting(DocumentMapping camera, string path)
    {
        var approaching = Choice(camera, path, "approaching", Travel, required: false) ?? TravelDirection.In;
        var headingIn = Number(camera, path, "headingIn");
        if (headingIn is < -360 or > 360)
        {
            Error(Paths.Field(path, "headingIn"), $"is an angle in degrees from -360 to 360 (it is {Show(headingIn.Value)})", camera.Find("headingIn")!.Line);
            headingIn = null;
        }

        return (approaching, headingIn, IanaTimeZone(camera, path, required: false));
    }

    /// <summary>The <c>map</c> of a mapped camera, with every problem of it named by its field (<c>lanes[0].cameras[0].map.plate</c>).</summary>
    private CameraFieldMap? FieldMap(DocumentMapping camera, string path, CameraFormat format)
    {
        var mapPath = Paths.Field(path, "map");
        var node = Mapping(camera, path, "map");
        if (format != CameraFormat.Mapped)
        {
            if (node is not null)
            {
                Error(mapPath, $"only a camera with format: mapped has a field map (this one's format reads its vendor's own fields)", node.Line);
            }

            return null;
        }

        if (node is null)
        {
            if (camera.Find("map") is null)
            {
                Error(mapPath, "is required for format: mapped: where the push has the plate and the other fields (JSON paths or XPath)", camera.Line);
            }

            return null;
        }

        CheckFields(node, mapPath, MapFields, "field");
        var errorsBefore = FoundErrors.Count;
        var directions = new List<DirectionValue>();
        if (Mapping(node, mapPath, "directions") is { } table)
        {
            foreach (var entry in table.Entries)
            {
                if (ScalarText(entry.Value, Paths.Field(Paths.Field(mapPath, "directions"), entry.Key), "in, out, approaching or leaving") is not { } meaning)
                {
                    continue;
                }

                var found = Meanings.Where(m => string.Equals(m.Name, meaning.Trim(), StringComparison.OrdinalIgnoreCase)).Select(m => (ReportedDirection?)m.Value).FirstOrDefault();
                if (found is null)
                {
                    Error(Paths.Field(Paths.Field(mapPath, "directions"), entry.Key), $"{Quote(meaning)} is not in, out, approaching or leaving", entry.Line);
                    continue;
                }

                directions.Add(new DirectionValue(entry.Key, found.Value));
            }
        }

        var noPlate = new List<string>();
        foreach (var (item, itemPath) in Elements(node, mapPath, "noPlate"))
        {
            if (ScalarText(item, itemPath, "text") is { } text)
            {
                noPlate.Add(text);
            }
        }

        var plate = Text(node, mapPath, "plate", required: true);
        var scale = Number(node, mapPath, "confidenceScale");
        var map = new CameraFieldMap
        {
            Document = Choice(node, mapPath, "document", Documents, required: false) ?? CameraDocumentKind.Json,
            Reads = Text(node, mapPath, "reads", required: false),
            Plate = plate ?? "",
            NoPlate = noPlate,
            Confidence = Text(node, mapPath, "confidence", required: false),
            ConfidenceScale = scale ?? 1,
            Time = Text(node, mapPath, "time", required: false),
            TimeFormat = Text(node, mapPath, "timeFormat", required: false),
            Direction = Text(node, mapPath, "direction", required: false),
            DirectionValues = directions,
            Zone = Text(node, mapPath, "zone", required: false),
            ReadId = Text(node, mapPath, "readId", required: false),
            Region = Text(node, mapPath, "region", required: false),
            Picture = Text(node, mapPath, "picture", required: false),
            PicturePart = Text(node, mapPath, "picturePart", required: false),
            DocumentPart = Text(node, mapPath, "documentPart", required: false),
        };
        if (plate is null)
        {
            return null;
        }

        // The paths and formats are checked by the parser that will read the pushes, so the file and the node agree
        // (also when other fields of the map are wrong: every problem is listed at once).
        foreach (var (field, message) in _context.CheckFieldMap?.Invoke(map) ?? [])
        {
            Error(Paths.Field(mapPath, field), message, node.Find(field)?.Line ?? node.Line);
        }

        return FoundErrors.Count > errorsBefore ? null : map;
    }
}
