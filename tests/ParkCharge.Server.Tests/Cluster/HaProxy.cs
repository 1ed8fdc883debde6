using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>
/// A real HAProxy (Debian's package; test.sh installs it) in front of the nodes of a <see cref="ProcessCluster"/>
/// on a free loopback port, configured as docs/operators.md "Running a cluster" shows: HTTP and WebSocket
/// traffic balanced by least connections, long tunnel timeouts for the chargers' sockets, and a health check of
/// each node on <c>/healthz</c> so that a dead node is taken out within a second or so.
/// </summary>
internal sealed class HaProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HaProxy(Process process, Uri uri)
    {
        _process = process;
        Uri = uri;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public Uri Uri { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public Uri OcppUri(string charger) => new($"ws://{Uri.Authority}/ocpp/{charger}");

    /// <summary>The configuration the tests run (and docs/operators.md shows), for nodes on loopback.</summary>
    public static string Configuration(int port, IEnumerable<(string Name, Uri Uri)> nodes)
    {
        var text = new StringBuilder($"""
            global
                maxconn 4096

            defaults
                mode http
                option redispatch
                retries 3
                timeout connect 1s
                timeout client 1h
                timeout server 1h
                timeout tunnel 1h
                timeout http-request 10s
                timeout check 5s

            frontend parkcharge
                bind 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}
                default_backend nodes

            backend nodes
                balance leastconn
                option httpchk GET /healthz
                default-server inter 1s fall 2 rise 2

            """);
        foreach (var (name, uri) in nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"    server {name} {uri.Host}:{uri.Port} check\n");
        }

        return text.ToString();
    }

    public static Task<HaProxy> StartAsync(ProcessCluster cluster, string folder) =>
        StartAsync([.. cluster.Nodes.Select(n => (n.Name, n.Uri))], folder);

    /// <summary>A proxy in front of the nodes (name and HTTP root each), its configuration written into <paramref name="folder"/>.</summary>
    public static async Task<HaProxy> StartAsync(IReadOnlyList<(string Name, Uri Uri)> nodes, string folder)
    {
        var port = ProcessCluster.FreePort();
        var config = Path.Combine(folder, "haproxy.cfg");
        await File.WriteAllTextAsync(config, Configuration(port, nodes));
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/haproxy") ? "/usr/sbin/haproxy" : "haproxy", ["-db", "-f", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var proxy = new HaProxy(Process.Start(start)!, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}"));
        try
        {
            await proxy.WaitUntilServingAsync(nodes.Count, port);
            return proxy;
        }
        catch
        {
            await proxy.DisposeAsync(); // a proxy that did not come up is not left running
            throw;
        }
    }

    private async Task WaitUntilServingAsync(int nodes, int port)
    {
        var patience = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < patience)
            {
                await Task.Delay(50);
            }
        }

        // Until its first health checks pass, HAProxy holds every node as up: wait until each node answers through it.
        using var http = new HttpClient { BaseAddress = Uri };
        var answered = 0;
        while (answered < nodes * 2)
        {
            using var health = await http.GetAsync("/healthz");
            answered = health.IsSuccessStatusCode ? answered + 1 : 0;
            if (DateTime.UtcNow > patience)
            {
                throw new InvalidOperationException($"/healthz through haproxy answered {(int)health.StatusCode}:\n{Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
