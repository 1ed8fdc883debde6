using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

using YamlDotNet.RepresentationModel;

namespace ParkCharge.Server.Tests.Operations;

/// <summary>
/// The container image the .NET SDK builds (<c>dotnet publish -t:PublishContainer</c>, no Docker daemon) and the
/// deployment examples in docs/: a non-root user, the data folder in a volume the user owns, the port, the command.
/// Building the archive needs the base image's manifest from mcr.microsoft.com: that test runs where the registry
/// is reachable and <c>PARKCHARGE_CONTAINER_TEST=1</c> is set (README, "Container image"); the configuration the
/// SDK computes for the image is checked everywhere.
/// </summary>
public sealed class ContainerImageTests
{
    private static readonly string Project = Path.Combine(Repository.Root, "src", "ParkCharge.Server");

    [Fact]
    public async Task The_image_runs_parkcharge_serve_as_a_numeric_non_root_user_listening_on_8180_with_its_data_folder_in_that_users_home()
    {
        var (exit, output, error) = await RunAsync("dotnet", "msbuild", Project, "-t:ComputeContainerConfig", "-nologo",
            "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage", "-getProperty:ContainerRepository", "-getProperty:ContainerWorkingDirectory",
            "-getItem:ContainerAppCommand", "-getItem:ContainerAppCommandArgs", "-getItem:ContainerPort", "-getItem:ContainerEnvironmentVariable");
        Assert.True(exit == 0, output + error);
        using var config = JsonDocument.Parse(output);
        var properties = config.RootElement.GetProperty("Properties");
        var items = config.RootElement.GetProperty("Items");
        var user = properties.GetProperty("ContainerUser").GetString()!;
        var environment = items.GetProperty("ContainerEnvironmentVariable").EnumerateArray()
            .ToDictionary(e => e.GetProperty("Identity").GetString()!, e => e.GetProperty("Value").GetString()!);

        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"the image's user is '{user}': it must be a numeric user other than root");
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", properties.GetProperty("ContainerBaseImage").GetString(), StringComparison.Ordinal);
        Assert.Equal(["dotnet", "/app/parkcharge.dll", "serve"], items.GetProperty("ContainerAppCommand").EnumerateArray().Concat(items.GetProperty("ContainerAppCommandArgs").EnumerateArray()).Select(i => i.GetProperty("Identity").GetString()));
        Assert.Equal("8180", Assert.Single(items.GetProperty("ContainerPort").EnumerateArray()).GetProperty("Identity").GetString());
        Assert.Equal("http://+:8180", environment["ASPNETCORE_URLS"]); // every interface: the node's own default is loopback only
        Assert.Equal(ImageDataFolder, environment["ParkCharge__DataDirectory"]);
    }

    [Fact]
    public async Task The_compose_example_keeps_the_data_folder_in_a_volume_the_image_user_owns_and_the_systemd_unit_sets_the_working_directory()
    {
        var compose = new YamlStream();
        compose.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "examples", "compose", "docker-compose.yml"), TestContext.Current.CancellationToken)));
        var services = (YamlMappingNode)((YamlMappingNode)compose.Documents[0].RootNode)["services"];
        var node = (YamlMappingNode)services["parkcharge"];
        var volumes = ((YamlSequenceNode)node["volumes"]).Select(v => ((YamlScalarNode)v).Value!).ToList();
        var environment = ((YamlMappingNode)node["environment"]).ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value!);

        // The image's data folder lies inside a mounted volume (named volumes take the owner of the image's folder: the user's home).
        Assert.Contains(volumes, v => v.Split(':') is [var name, var target, ..] && !name.StartsWith('.') && ImageDataFolder.StartsWith(target + "/", StringComparison.Ordinal) && target == "/home/app");
        Assert.Contains("8180:8180", ((YamlSequenceNode)node["ports"]).Select(p => ((YamlScalarNode)p).Value));
        Assert.StartsWith("Host=db;", environment["PARKCHARGE_POSTGRES"], StringComparison.Ordinal);
        Assert.Equal("true", environment["ParkCharge__Metrics__Enabled"]);
        Assert.True(services.Children.ContainsKey("db"));

        var unit = (await File.ReadAllLinesAsync(Path.Combine(Repository.Root, "docs", "examples", "parkcharge.service"), TestContext.Current.CancellationToken))
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#')).Select(l => l.Split('=', 2)).GroupBy(p => p[0]).ToDictionary(g => g.Key, g => g.Select(p => p[1]).ToList());
        var executable = unit["ExecStart"].Single().Split(' ')[0];
        Assert.Equal(Path.GetDirectoryName(executable), unit["WorkingDirectory"].Single()); // where appsettings.json is
        Assert.Contains("--data /var/lib/parkcharge", unit["ExecStart"].Single(), StringComparison.Ordinal);
        Assert.Equal("parkcharge", unit["StateDirectory"].Single());
        Assert.NotEqual("root", unit["User"].Single());
    }

    [Fact]
    public async Task The_sdk_builds_the_container_archive_without_a_docker_daemon_and_its_config_has_a_non_root_user()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("PARKCHARGE_CONTAINER_TEST") == "1",
            "Needs mcr.microsoft.com (the base image's manifest); run in CI with PARKCHARGE_CONTAINER_TEST=1 (README, \"Container image\").");
        var folder = Directory.CreateTempSubdirectory("parkcharge-container-");
        try
        {
            var archive = Path.Combine(folder.FullName, "parkcharge.tar.gz");
            var (exit, output, error) = await RunAsync("dotnet", "publish", Project, "-c", "Release", "-t:PublishContainer", "-nologo",
                $"-p:ContainerArchiveOutputPath={archive}", "-o", Path.Combine(folder.FullName, "publish"));
            Assert.True(exit == 0, output + error);

            var config = await ImageConfigAsync(archive);
            var user = config.GetProperty("config").GetProperty("User").GetString();
            Assert.True(int.TryParse(user, out var uid) && uid > 0, $"the image's user is '{user}'");
            Assert.True(config.GetProperty("config").GetProperty("ExposedPorts").TryGetProperty("8180/tcp", out _));
            Assert.Contains("ParkCharge__DataDirectory=" + ImageDataFolder, config.GetProperty("config").GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>Where the image keeps its data folder: inside the home of its user, a volume's mount point.</summary>
    private const string ImageDataFolder = "/home/app/data";

    /// <summary>The image configuration in a docker-archive or OCI archive: manifest.json (or index.json) names it.</summary>
    private static async Task<JsonElement> ImageConfigAsync(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var gzip = new GZipStream(File.OpenRead(archive), CompressionMode.Decompress))
        await using (var tar = new TarReader(gzip))
        {
            while (await tar.GetNextEntryAsync() is { } entry)
            {
                if (entry.DataStream is { } data && (entry.Name.EndsWith(".json", StringComparison.Ordinal) || entry.Name.StartsWith("blobs/", StringComparison.Ordinal)) && entry.Length < 1_000_000)
                {
                    using var copy = new MemoryStream();
                    await data.CopyToAsync(copy);
                    files[entry.Name.TrimStart('.', '/')] = copy.ToArray();
                }
            }
        }

        if (files.TryGetValue("manifest.json", out var manifest))
        {
            var configName = JsonDocument.Parse(manifest).RootElement[0].GetProperty("Config").GetString()!;
            return JsonDocument.Parse(files[configName]).RootElement.Clone();
        }

        // OCI layout: index.json -> manifest -> config, each a blob by digest.
        var index = JsonDocument.Parse(files["index.json"]).RootElement;
        var manifestBlob = JsonDocument.Parse(files[Blob(index.GetProperty("manifests")[0].GetProperty("digest").GetString()!)]).RootElement;
        return JsonDocument.Parse(files[Blob(manifestBlob.GetProperty("config").GetProperty("digest").GetString()!)]).RootElement.Clone();

        static string Blob(string digest) => "blobs/" + digest.Replace(':', '/');
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output, await error);
    }
}
