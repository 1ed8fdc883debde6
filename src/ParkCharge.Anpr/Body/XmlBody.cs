using System.Xml;
using System.Xml.Linq;

namespace ParkCharge.Anpr.Body;

/// <summary>
/// Reading XML push bodies with bounds: no DTDs and no external resolution (the document comes from the
/// network), no more characters than a push may have, and the depth and element count checked with a
/// forward-only reader before any tree is built.
/// </summary>
internal static class XmlBody
{
    /// <summary>The document's root element, or null with an error naming <paramref name="path"/>.</summary>
    /// <param name="what">What such a document is, for the limit messages ("an ISAPI alert").</param>
    public static XElement? Load(ReadOnlyMemory<byte> xml, string path, PushLimits limits, string what, List<AnprParseError> errors)
    {
        try
        {
            if (Measure(xml, limits, what) is { } tooLarge)
            {
                errors.Add(new AnprParseError(path, tooLarge));
                return null;
            }

            using var stream = new MemoryStream(xml.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, Settings(limits));
            return XElement.Load(reader);
        }
        catch (XmlException e)
        {
            errors.Add(new AnprParseError(path, $"not well-formed XML (line {e.LineNumber}, position {e.LinePosition})"));
            return null;
        }
    }

    /// <summary>
    /// Walks the document once: a document nested deeper than <see cref="PushLimits.MaxDepth"/> or with more than
    /// <see cref="PushLimits.MaxElements"/> elements is refused at the first element past the limit. (Building a
    /// tree of deeply nested elements costs time that grows with the square of the depth.)
    /// </summary>
    private static string? Measure(ReadOnlyMemory<byte> xml, PushLimits limits, string what)
    {
        using var stream = new MemoryStream(xml.ToArray(), writable: false);
        using var reader = XmlReader.Create(stream, Settings(limits));
        var elements = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }

            if (reader.Depth >= limits.MaxDepth)
            {
                return $"elements are nested more than {limits.MaxDepth} levels deep (line {((IXmlLineInfo)reader).LineNumber}); {what} is a few levels deep";
            }

            if (++elements > limits.MaxElements)
            {
                return $"the document has more than {limits.MaxElements} elements; {what} has a few dozen";
            }
        }

        return null;
    }

    private static XmlReaderSettings Settings(PushLimits limits) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        MaxCharactersInDocument = limits.MaxBytes,
        MaxCharactersFromEntities = 1024,
    };
}
