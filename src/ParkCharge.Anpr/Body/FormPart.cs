using System.Text;

using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace ParkCharge.Anpr.Body;

/// <summary>One part of a multipart push (or one field of a URL-encoded form).</summary>
/// <param name="Name">The form field name (<c>Content-Disposition: form-data; name=…</c>), or the file name, or <c>part{n}</c>.</param>
internal sealed record FormPart(string Name, string? FileName, string? ContentType, ReadOnlyMemory<byte> Content)
{
    public bool IsNamed(string name) =>
        string.Equals(Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(FileName, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>A picture: an <c>image/*</c> content type, or a JPEG, PNG or BMP file name.</summary>
    public bool IsPicture =>
        ContentType?.StartsWith("image/", StringComparison.OrdinalIgnoreCase) == true
        || HasExtension(".jpg") || HasExtension(".jpeg") || HasExtension(".png") || HasExtension(".bmp");

    /// <summary>A JSON document: a JSON content type, a <c>.json</c> name, or (no content type at all) text that starts like JSON.</summary>
    public bool IsJson =>
        PushMediaType.Of(ContentType).Kind == PushBodyKind.Json || HasExtension(".json")
        || (ContentType is null && !IsPicture && PushMediaType.Sniff(Content.Span) == PushBodyKind.Json);

    /// <summary>An XML document: an XML content type, an <c>.xml</c> name, or (no content type at all) text that starts like XML.</summary>
    public bool IsXml =>
        PushMediaType.Of(ContentType).Kind == PushBodyKind.Xml || HasExtension(".xml")
        || (ContentType is null && !IsPicture && PushMediaType.Sniff(Content.Span) == PushBodyKind.Xml);

    /// <summary>The picture as a pushed image.</summary>
    public PushedImage AsImage(int? reportIndex) =>
        new(Name, ContentType ?? Base64Picture.ContentType(Content.Span), Content, reportIndex);

    private bool HasExtension(string extension) =>
        Name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) || FileName?.EndsWith(extension, StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The parts of a multipart body or the fields of a URL-encoded form, whichever the content type says.</summary>
    public static ValueTask<(IReadOnlyList<FormPart>? Parts, AnprParseError? Error)> ReadFormAsync(
        PushMediaType mediaType, PushContent content, PushLimits limits, CancellationToken cancellationToken) =>
        mediaType.Kind == PushBodyKind.Multipart
            ? ReadMultipartAsync(mediaType, content, limits, cancellationToken)
            : ReadUrlEncodedAsync(content, limits, cancellationToken);

    /// <summary>
    /// Reads the parts of a multipart body with <see cref="MultipartReader"/>. A body that ends before
    /// its closing boundary, or has more parts than allowed, is refused as a whole: a truncated push
    /// may have lost the very part that says what happened.
    /// </summary>
    public static async ValueTask<(IReadOnlyList<FormPart>? Parts, AnprParseError? Error)> ReadMultipartAsync(
        PushMediaType mediaType, PushContent content, PushLimits limits, CancellationToken cancellationToken)
    {
        // RFC 2046 §5.1.1: a boundary is 1 to 70 characters.
        if (mediaType.Boundary is not { Length: > 0 and <= 70 } boundary)
        {
            return (null, new AnprParseError("body", $"the content type \"{mediaType}\" has no valid multipart boundary"));
        }

        var parts = new List<FormPart>();
        using var stream = content.OpenRead();
        var reader = new MultipartReader(boundary, stream) { BodyLengthLimit = limits.MaxBytes };
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (parts.Count == limits.MaxParts)
                {
                    return (null, new AnprParseError("body", $"the push has more than the {limits.MaxParts} parts a push may have"));
                }

                string? name = null, fileName = null;
                if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    name = PushMediaType.Unquote(disposition.Name).Value;
                    fileName = PushMediaType.Unquote(disposition.FileName).Value;
                }

                using var partContent = new MemoryStream();
                await section.Body.CopyToAsync(partContent, cancellationToken);
                parts.Add(new FormPart(
                    !string.IsNullOrEmpty(name) ? name : !string.IsNullOrEmpty(fileName) ? fileName : $"part{parts.Count}",
                    string.IsNullOrEmpty(fileName) ? null : fileName,
                    section.ContentType,
                    partContent.ToArray()));
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            // MultipartReader reports a body that ends early with IOException ("Unexpected end of Stream")
            // and broken headers or exceeded limits with InvalidDataException. The body is in memory, so
            // neither is an I/O failure of ours: the push is malformed.
            return (null, new AnprParseError(parts.Count == 0 ? "body" : $"part {parts.Count}", $"the multipart body is malformed or truncated ({e.Message})"));
        }

        return parts.Count == 0
            ? (null, new AnprParseError("body", "the multipart body has no parts"))
            : (parts, null);
    }

    /// <summary>Reads the fields of an <c>application/x-www-form-urlencoded</c> body.</summary>
    public static async ValueTask<(IReadOnlyList<FormPart>? Parts, AnprParseError? Error)> ReadUrlEncodedAsync(
        PushContent content, PushLimits limits, CancellationToken cancellationToken)
    {
        using var stream = content.OpenRead();
        using var reader = new FormReader(stream, Encoding.UTF8)
        {
            ValueCountLimit = limits.MaxParts,
            ValueLengthLimit = (int)Math.Min(limits.MaxBytes, int.MaxValue),
        };
        try
        {
            var fields = await reader.ReadFormAsync(cancellationToken);
            return (fields.SelectMany(f => f.Value.Select(v => new FormPart(f.Key, null, null, Encoding.UTF8.GetBytes(v ?? "")))).ToList(), null);
        }
        catch (InvalidDataException e)
        {
            return (null, new AnprParseError("body", $"the form body is malformed ({e.Message})"));
        }
    }
}
