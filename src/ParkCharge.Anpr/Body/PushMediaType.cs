using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace ParkCharge.Anpr.Body;

/// <summary>What a push's <c>Content-Type</c> says the body is.</summary>
internal enum PushBodyKind
{
    /// <summary>No content type: the parser looks at the body.</summary>
    Unstated,
    Json,
    Xml,
    Multipart,
    UrlEncodedForm,
    Other,
}

/// <summary>A parsed <c>Content-Type</c> header.</summary>
internal sealed record PushMediaType(PushBodyKind Kind, string MediaType, string? Boundary)
{
    public static PushMediaType Of(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return new PushMediaType(PushBodyKind.Unstated, "", null);
        }

        if (!MediaTypeHeaderValue.TryParse(contentType, out var header) || header.MediaType.Value is not { } mediaType)
        {
            return new PushMediaType(PushBodyKind.Other, contentType, null);
        }

        var kind = mediaType.ToLowerInvariant() switch
        {
            "application/json" or "text/json" => PushBodyKind.Json,
            "application/xml" or "text/xml" => PushBodyKind.Xml,
            "application/x-www-form-urlencoded" => PushBodyKind.UrlEncodedForm,
            var m when m.EndsWith("+json", StringComparison.Ordinal) => PushBodyKind.Json,
            var m when m.EndsWith("+xml", StringComparison.Ordinal) => PushBodyKind.Xml,
            var m when m.StartsWith("multipart/", StringComparison.Ordinal) => PushBodyKind.Multipart,
            _ => PushBodyKind.Other,
        };
        string? boundary = HeaderUtilities.RemoveQuotes(header.Boundary) is { Length: > 0 } b ? b.Value : null;
        return new PushMediaType(kind, mediaType, boundary);
    }

    /// <summary>For bodies pushed without a content type: the first non-blank byte tells JSON from XML.</summary>
    public static PushBodyKind Sniff(ReadOnlySpan<byte> body)
    {
        // Skip a UTF-8 byte order mark and leading white space.
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        body = body.TrimStart(" \t\r\n"u8);
        return body.IsEmpty ? PushBodyKind.Other : body[0] switch
        {
            (byte)'{' or (byte)'[' => PushBodyKind.Json,
            (byte)'<' => PushBodyKind.Xml,
            _ => PushBodyKind.Other,
        };
    }

    public override string ToString() => MediaType;

    internal static StringSegment Unquote(StringSegment value) => HeaderUtilities.RemoveQuotes(value);
}
