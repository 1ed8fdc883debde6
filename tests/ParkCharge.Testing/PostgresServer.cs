using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

using Npgsql;

using Xunit;

namespace ParkCharge.Testing;

/// <summary>
/// A real PostgreSQL server for the tests of one assembly. <c>./test.sh</c> starts one and passes its
/// connection string in <c>PARKCHARGE_TEST_POSTGRES</c>; without it (a developer running
/// <c>dotnet test</c>), a private throw-away cluster is started from the installed PostgreSQL binaries.
/// Each test store gets its own database.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "PARKCHARGE_TEST_POSTGRES";

    private string? _dataDirectory;
    private string? _binDirectory;
    private int _databases;

    /// <summary>A connection string to the <c>postgres</c> database with rights to create databases.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            AdminConnectionString = configured;
            return;
        }

        _binDirectory = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed. Run ./test.sh (it installs it), or set " + EnvironmentVariable + " to a server's connection string.");
        _dataDirectory = Directory.CreateTempSubdirectory("parkcharge-pg-").FullName;
        var port = FreePort();
        if (Environment.UserName == "root")
        {
            // initdb refuses to run as root; the Debian package creates the postgres user.
            await RunAsync("chown", $"-R postgres {_dataDirectory}");
        }

        await RunPostgresToolAsync("initdb", $"-D {_dataDirectory}/data -A trust -U postgres --no-sync -E UTF8");
        await RunPostgresToolAsync("pg_ctl", $"-D {_dataDirectory}/data -w -l {_dataDirectory}/server.log start -o \"-p {port} -k {_dataDirectory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\"");
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"parkcharge_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        name = name[..Math.Min(name.Length, 63)];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataDirectory is null)
        {
            return;
        }

        try
        {
            await RunPostgresToolAsync("pg_ctl", $"-D {_dataDirectory}/data -m immediate -w stop");
        }
        finally
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private async Task RunPostgresToolAsync(string tool, string arguments)
    {
        var path = Path.Combine(_binDirectory!, tool);
        if (Environment.UserName == "root")
        {
            await RunAsync("runuser", $"-u postgres -- {path} {arguments}");
        }
        else
        {
            await RunAsync(path, arguments);
        }
    }

    private static async Task RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    private static string? FindBinaries()
    {
        var versions = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "initdb")))
                .OrderByDescending(x => x.Version)
                .Select(x => x.Dir)
            : [];
        return versions.FirstOrDefault();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
