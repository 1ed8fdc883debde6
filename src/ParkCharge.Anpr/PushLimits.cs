namespace ParkCharge.Anpr;

/// <summary>
/// How much a push may cost to read. A plate camera's push is a few kilobytes of text and one to three JPEGs
/// of some hundred kilobytes each (integrators report a Hikvision ANPR push as three parts of about 170 kB),
/// a handful of reads and an XML or JSON document a few levels deep; the defaults leave ample room for that
/// while bounding everything a hostile push could make the node do: bytes held, parts split, nesting
/// followed, elements and reads visited, errors listed, time spent waiting for the body.
/// </summary>
/// <param name="MaxBytes">The largest body accepted, in bytes.</param>
/// <param name="MaxParts">The most multipart parts (or form fields) accepted.</param>
public sealed record PushLimits(long MaxBytes, int MaxParts)
{
    public static PushLimits Default { get; } = new(10 * 1024 * 1024, 10);

    /// <summary>The deepest nesting of a JSON or XML document (an ISAPI alert is four levels deep, a Plate Recognizer result five).</summary>
    public int MaxDepth { get; init; } = 32;

    /// <summary>The most XML elements in a document (an ANPR alert has a few dozen).</summary>
    public int MaxElements { get; init; } = 10_000;

    /// <summary>The most reads (or results) in one push.</summary>
    public int MaxReads { get; init; } = 100;

    /// <summary>The most problems reported about one push; the rest are counted.</summary>
    public int MaxErrors { get; init; } = 20;

    /// <summary>How long the body may take to arrive.</summary>
    public TimeSpan MaxReadTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest text of a field (ids, region, vehicle type, zone); plates are shorter (<see cref="MaxPlateLength"/>).</summary>
    public int MaxTextLength { get; init; } = 128;

    /// <summary>The longest plate text as read (separators and spaces included): plates have at most a dozen characters.</summary>
    public int MaxPlateLength { get; init; } = 32;
}
