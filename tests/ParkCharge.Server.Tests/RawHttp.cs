using System.Net.Sockets;
using System.Text;

namespace ParkCharge.Server.Tests;

/// <summary>HTTP/1.1 written by hand over a socket, for what HttpClient will not do: announce a body and never send it.</summary>
internal static class RawHttp
{
    /// <summary>
    /// Sends a request's headers with <c>Content-Length: <paramref name="contentLength"/></c> and only the first
    /// bytes of its body, then reads whatever answer comes first: the node must answer without the rest.
    /// </summary>
    public static async Task<(int Status, string Head)> SendHeadersOnlyAsync(
        Uri baseUri, string method, string path, IEnumerable<string> headers, long contentLength, string start)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port, TestContext.Current.CancellationToken);
        var stream = tcp.GetStream();
        var request = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {baseUri.Authority}\r\nContent-Type: application/json\r\n");
        foreach (var header in headers)
        {
            request.Append(header).Append("\r\n");
        }

        request.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {contentLength}\r\n\r\n{start}");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), TestContext.Current.CancellationToken);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        var buffer = new byte[8192];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var head = Encoding.ASCII.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 ", head, StringComparison.Ordinal);
        return (int.Parse(head.AsSpan(9, 3), System.Globalization.CultureInfo.InvariantCulture), head);
    }
}
