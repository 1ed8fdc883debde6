namespace ParkCharge.Core.Sites;

/// <summary>Whether a mapped camera pushes JSON or XML.</summary>
public enum CameraDocumentKind
{
    Json,
    Xml,
}

/// <summary>
/// Where a camera that ParkCharge has no parser for puts what a read needs, so an operator can connect it
/// from the site file (<see cref="CameraFormat.Mapped"/>). Paths are JSONPath (RFC 9535) for JSON and
/// XPath for XML, each limited to plain steps: <c>$.result.plate</c>, <c>$['plate-text']</c>,
/// <c>$.reads[0].plate</c>; <c>/Event/Plate/Text</c>, <c>/Event/Plate/@confidence</c>, <c>Plate[2]</c>.
/// Without <see cref="Reads"/> the document is one read and every path starts at its root; with it, every
/// item <see cref="Reads"/> selects is a read, and paths starting with <c>@</c> (JSON) or without <c>/</c>
/// (XML) start at the read, the others at the root.
/// </summary>
public sealed record CameraFieldMap
{
    public CameraDocumentKind Document { get; init; } = CameraDocumentKind.Json;

    /// <summary>The reads in a push that carries several (<c>$.results[*]</c>, <c>/Event/Reads/Read</c>); null: the push is one read.</summary>
    public string? Reads { get; init; }

    /// <summary>The plate text. Required.</summary>
    public required string Plate { get; init; }

    /// <summary>Texts meaning the camera found a vehicle but could not read its plate (compared ignoring case); "" always means that.</summary>
    public IReadOnlyList<string> NoPlate { get; init; } = [];

    public string? Confidence { get; init; }

    /// <summary>What confidence 100 % is written as: 1 (0..1, the default) or 100 (percent).</summary>
    public double ConfidenceScale { get; init; } = 1;

    public string? Time { get; init; }

    /// <summary>
    /// How <see cref="Time"/> is written: <c>iso8601</c> (the default; with or without offset), <c>unix</c>
    /// (seconds), <c>unix-ms</c> (milliseconds), or a .NET custom date and time format
    /// (<c>yyyyMMdd HHmmssfff</c>). A time without offset is the camera's local time (<see cref="CameraConfiguration.TimeZone"/>).
    /// </summary>
    public string? TimeFormat { get; init; }

    public string? Direction { get; init; }

    /// <summary>
    /// What the direction field's values mean, compared ignoring case; values not listed mean no direction.
    /// Empty: the usual words (in/entry/enter, out/exit, approach/approaching/forward/towards, leave/leaving/away/reverse).
    /// </summary>
    public IReadOnlyList<DirectionValue> DirectionValues { get; init; } = [];

    /// <summary>The camera's zone or bay name (a bay camera's <c>zone</c>).</summary>
    public string? Zone { get; init; }

    /// <summary>The camera's own id of the read, which makes a repeated push recognisable whatever else changes.</summary>
    public string? ReadId { get; init; }

    /// <summary>The plate's country or region.</summary>
    public string? Region { get; init; }

    /// <summary>A field holding a picture as base64 text (a <c>data:</c> URI is accepted too).</summary>
    public string? Picture { get; init; }

    /// <summary>For multipart pushes: the part holding the picture.</summary>
    public string? PicturePart { get; init; }

    /// <summary>For multipart pushes: the part holding the JSON or XML document; null: the first JSON or XML part.</summary>
    public string? DocumentPart { get; init; }
}

/// <summary>A value of a mapped direction field and what it means.</summary>
public sealed record DirectionValue(string Value, ReportedDirection Means);
