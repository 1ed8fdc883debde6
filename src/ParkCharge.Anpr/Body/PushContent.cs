using System.Globalization;
using System.Security.Cryptography;

namespace ParkCharge.Anpr.Body;

/// <summary>
/// A push body read into memory, up to the size limit. Parsers need the whole body anyway (a JSON
/// document, an XML document, multipart parts), and reading it first means a slow or oversized
/// upload fails before any parsing starts.
/// </summary>
internal sealed class PushContent
{
    private readonly byte[] _buffer;
    private readonly int _length;

    private PushContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, _length);

    /// <summary>SHA-256 of the body (hex), for keys of reads that carry no capture time.</summary>
    public string Fingerprint => field ??= Convert.ToHexStringLower(SHA256.HashData(Bytes.Span));

    public MemoryStream OpenRead() => new(_buffer, 0, _length, writable: false);

    /// <summary>Reads the body, or says it is too large. I/O failures of the stream itself are exceptions.</summary>
    public static async ValueTask<(PushContent? Content, AnprParseError? Error)> ReadAsync(Stream body, PushLimits limits, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total > limits.MaxBytes)
            {
                return (null, new AnprParseError("body", $"the push is larger than the {Size(limits.MaxBytes)} a push may have"));
            }

            copy.Write(chunk, 0, read);
        }

        return total == 0
            ? (null, new AnprParseError("body", "the push is empty"))
            : (new PushContent(copy.GetBuffer(), (int)copy.Length), null);
    }

    public static string Size(long bytes) => bytes % (1024 * 1024) == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024)} MiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
}

/// <summary>A push's body read within its limits, and what its <c>Content-Type</c> says it is (without one: its first byte).</summary>
internal sealed record ReceivedPush(PushContent Content, PushMediaType MediaType, PushBodyKind Kind)
{
    /// <summary>The push, or the failure a body that is too large or empty is.</summary>
    public static async ValueTask<(ReceivedPush? Push, AnprParseResult? Failure)> ReadAsync(string? contentType, Stream body, PushLimits limits, CancellationToken cancellationToken)
    {
        var (content, error) = await PushContent.ReadAsync(body, limits, cancellationToken);
        if (content is null)
        {
            return (null, AnprParseResult.Failure([error!]));
        }

        var mediaType = PushMediaType.Of(contentType);
        var kind = mediaType.Kind == PushBodyKind.Unstated ? PushMediaType.Sniff(content.Bytes.Span) : mediaType.Kind;
        return (new ReceivedPush(content, mediaType, kind), null);
    }

    /// <summary>
    /// The body of a push in a format that is JSON only, or the failure: too large, empty, or not JSON
    /// ("<paramref name="what"/> is JSON, not ...").
    /// </summary>
    public static async ValueTask<(PushContent? Content, AnprParseResult? Failure)> ReadJsonAsync(string? contentType, Stream body, PushLimits limits, string what, CancellationToken cancellationToken)
    {
        var (push, failure) = await ReadAsync(contentType, body, limits, cancellationToken);
        return push is null ? (null, failure)
            : push.Kind == PushBodyKind.Json ? (push.Content, null)
            : (null, AnprParseResult.Failure("body", $"{what} is JSON, not \"{push.MediaType}\""));
    }
}
