using System.Globalization;
using System.Text;

namespace ParkCharge.Anpr.Tests;

/// <summary>A <c>multipart/form-data</c> body built the way the cameras send it.</summary>
internal static class MultipartPush
{
    public const string Boundary = "----ParkChargeTest7d9a31c2";

    public static string ContentType => $"multipart/form-data; boundary={Boundary}";

    public static byte[] Build(params Part[] parts)
    {
        var body = new MemoryStream();
        foreach (var part in parts)
        {
            var header = new StringBuilder($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{part.Name}\"");
            if (part.FileName is not null)
            {
                header.Append(CultureInfo.InvariantCulture, $"; filename=\"{part.FileName}\"");
            }

            header.Append("\r\n");
            if (part.ContentType is not null)
            {
                header.Append(CultureInfo.InvariantCulture, $"Content-Type: {part.ContentType}\r\n");
            }

            header.Append("\r\n");
            body.Write(Encoding.UTF8.GetBytes(header.ToString()));
            body.Write(part.Content);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes($"--{Boundary}--\r\n"));
        return body.ToArray();
    }

    internal sealed record Part(string Name, string? FileName, string? ContentType, byte[] Content);
}
