using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace ParkCharge.Server.Tests.Hosting;

/// <summary>The README's first command: <c>parkcharge serve</c> on its embedded defaults.</summary>
public sealed partial class ServeCommandTests
{
    [Fact]
    public async Task Serve_on_embedded_defaults_keeps_its_data_in_a_sqlite_file_and_prints_the_urls_and_a_key_once()
    {
        var workDir = Directory.CreateTempSubdirectory("parkcharge-serve-").FullName;
        try
        {
            string key;
            var (first, uri) = await ServerProcess.StartAsync(workDir, new Dictionary<string, string>(), "--urls", "http://127.0.0.1:0");
            await using (first)
            {
                await first.WaitForOutputAsync("Admin API key");
                var output = first.Output;
                Assert.Contains($"ws://{uri.Authority}/ocpp/{{chargePointId}}", output, StringComparison.Ordinal);
                Assert.Contains($"{uri}api/v1", output, StringComparison.Ordinal);
                key = ApiKey().Match(output).Groups[1].Value;
                Assert.StartsWith("pck_", key, StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(workDir, "data", "parkcharge.db")));

                using var http = new HttpClient { BaseAddress = uri };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            var (second, secondUri) = await ServerProcess.StartAsync(workDir, new Dictionary<string, string>(), "--urls", "http://127.0.0.1:0");
            await using (second)
            {
                await second.WaitForOutputAsync("Stop with Ctrl+C");
                Assert.DoesNotContain("Admin API key", second.Output, StringComparison.Ordinal);
                using var http = new HttpClient { BaseAddress = secondUri };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
                using var response = await http.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [GeneratedRegex(@"Admin API key \(shown once; keep it\): (\S+)")]
    private static partial Regex ApiKey();
}
