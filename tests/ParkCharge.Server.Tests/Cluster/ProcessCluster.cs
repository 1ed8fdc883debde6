using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>
/// Several <c>parkcharge serve --postgres ... --cluster</c> processes on loopback, sharing one new PostgreSQL
/// database: a ParkCharge cluster as an operator runs it, each node with its own node id, HTTP port and silo port.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public const string Key = "pck_cluster-test-key";

    private readonly string _folder = TestStores.NewFolder("cluster");
    private readonly List<ClusterNode> _nodes = [];

    private readonly string[] _arguments;

    private ProcessCluster(string postgres, string[] arguments)
    {
        Postgres = postgres;
        _arguments = arguments;
    }

    public string Postgres { get; }

    /// <summary>A folder of the cluster's own (under the temporary folder, deleted with it).</summary>
    public string Folder => _folder;

    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    public ClusterNode this[int index] => _nodes[index];

    /// <summary>
    /// A new database and <paramref name="count"/> nodes on it, started one after the other (each waits until it
    /// listens), each with the extra command-line <paramref name="arguments"/>.
    /// </summary>
    public static async Task<ProcessCluster> StartAsync(PostgresServer postgres, int count, params string[] arguments)
    {
        var cluster = new ProcessCluster(await postgres.CreateDatabaseAsync(), arguments);
        try
        {
            for (var i = 0; i < count; i++)
            {
                await cluster.AddNodeAsync($"node-{(char)('a' + i)}");
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task<ClusterNode> AddNodeAsync(string name)
    {
        var siloPort = FreePort();
        var workDir = Directory.CreateDirectory(Path.Combine(_folder, name)).FullName;
        var (process, uri) = await ServerProcess.StartAsync(workDir, new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key },
            [
                "--urls", "http://127.0.0.1:0", "--auto-register", "--postgres", Postgres, "--cluster", "--data", workDir,
                "--ParkCharge:NodeId", name, "--ParkCharge:Cluster:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture), .. _arguments,
            ]);
        var node = new ClusterNode(name, process, uri);
        _nodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A node's files may still be closing; the folder is under the temporary folder.
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One node of a <see cref="ProcessCluster"/>: its process, its HTTP API with the admin key, its OCPP endpoint.</summary>
internal sealed class ClusterNode(string name, ServerProcess process, Uri uri) : IAsyncDisposable
{
    public string Name { get; } = name;

    public ServerProcess Process { get; } = process;

    public Uri Uri { get; } = uri;

    public HttpClient Http { get; } = new() { BaseAddress = uri, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", ProcessCluster.Key) } };

    public Uri OcppUri(string charger) => new($"ws://{Uri.Authority}/ocpp/{charger}");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
