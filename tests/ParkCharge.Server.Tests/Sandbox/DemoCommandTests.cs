using System.Net.Http.Headers;
using System.Text.Json;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sandbox;

/// <summary><c>parkcharge demo</c> as a user starts it: a real process, checked through its API, stopped with Ctrl+C.</summary>
public sealed class DemoCommandTests
{
    private const string Key = "pck_demo-test-admin-key-0123456789";

    [Fact]
    public async Task The_demo_runs_a_car_park_the_API_shows_working_and_stops_cleanly_on_ctrl_c()
    {
        var workDir = Directory.CreateTempSubdirectory("parkcharge-demo-test-").FullName;
        try
        {
            var (demo, uri) = await ServerProcess.StartCommandAsync(
                "demo", workDir, new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key },
                "--urls", "http://127.0.0.1:0", "--speed", "600", "--duration", "4h", "--data", Path.Combine(workDir, "data-demo"));
            await using (demo)
            {
                using var http = new HttpClient { BaseAddress = uri };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                var seen = await WaitForWorkingCarParkAsync(http, demo);

                Assert.True(seen.Closed > 0 && seen.Bound > 0 && seen.ChargersBooted == 6, $"the car park did not get going: {seen}\n{demo.Output}");
                Assert.Contains($"Dashboard:      {uri}dashboard/", demo.Output, StringComparison.Ordinal);
                Assert.Contains($"Admin API key:  {Key}", demo.Output, StringComparison.Ordinal);

                var exit = await demo.InterruptAsync(TimeSpan.FromSeconds(30));
                Assert.True(exit == 0, $"exit {exit}\n{demo.Output}");
                Assert.Contains("The demo stopped.", demo.Output, StringComparison.Ordinal);
                Assert.Contains("vehicles in", demo.Output, StringComparison.Ordinal);
                Assert.Contains("The server's view:", demo.Output, StringComparison.Ordinal);
                Assert.True(File.Exists(Path.Combine(workDir, "data-demo", "parkcharge.db")), "--data keeps the store");
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [Fact]
    public async Task Ctrl_c_while_the_demo_is_still_setting_up_its_site_stops_it_cleanly_too()
    {
        var workDir = Directory.CreateTempSubdirectory("parkcharge-demo-early-test-").FullName;
        try
        {
            // Interrupted as soon as the node listens: the site, its chargers and cameras are still being set up.
            var (demo, _) = await ServerProcess.StartCommandAsync(
                "demo", workDir, new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key },
                "--urls", "http://127.0.0.1:0", "--speed", "600", "--duration", "4h", "--data", Path.Combine(workDir, "data-demo"));
            await using (demo)
            {
                var exit = await demo.InterruptAsync(TimeSpan.FromSeconds(30));
                Assert.True(exit == 0, $"exit {exit}\n{demo.Output}");
                Assert.Contains("The demo stopped.", demo.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("Unhandled exception", demo.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("ObjectDisposedException", demo.Output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_proxy_demo_puts_the_node_in_front_of_a_simulated_backend_that_sees_every_charger_and_the_car_park_still_works()
    {
        var workDir = Directory.CreateTempSubdirectory("parkcharge-demo-proxy-test-").FullName;
        try
        {
            var (demo, uri) = await ServerProcess.StartCommandAsync(
                "demo", workDir, new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = Key },
                "--urls", "http://127.0.0.1:0", "--speed", "600", "--duration", "4h", "--data", Path.Combine(workDir, "data-demo"), "--proxy");
            await using (demo)
            {
                using var http = new HttpClient { BaseAddress = uri };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                var seen = await WaitForWorkingCarParkAsync(http, demo);
                Assert.True(seen.Closed > 0 && seen.Bound > 0 && seen.ChargersBooted == 6, $"the car park did not get going behind the proxy: {seen}\n{demo.Output}");

                // The simulated backend has every charger, with the sessions it issued the ids of.
                var backend = System.Text.RegularExpressions.Regex.Match(demo.Output, @"its own dashboard: (http://127\.0\.0\.1:\d+)/dashboard/");
                Assert.True(backend.Success, demo.Output);
                using var backendHttp = new HttpClient { BaseAddress = new Uri(backend.Groups[1].Value) };
                backendHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
                using var backendChargers = JsonDocument.Parse(await backendHttp.GetStringAsync("/api/v1/chargers"));
                Assert.Equal(6, backendChargers.RootElement.GetArrayLength());
                using var upstreams = JsonDocument.Parse(await http.GetStringAsync("/api/v1/chargers/CP-01/upstreams"));
                Assert.Equal("cpo", upstreams.RootElement[0].GetProperty("name").GetString());

                var exit = await demo.InterruptAsync(TimeSpan.FromSeconds(30));
                Assert.True(exit == 0, $"exit {exit}\n{demo.Output}");
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }

    private static async Task<Seen> WaitForWorkingCarParkAsync(HttpClient http, ServerProcess demo)
    {
        var mostConnected = 0;
        return await Eventually.UntilAsync(
            async () =>
            {
                Assert.DoesNotContain("Unhandled exception", demo.Output, StringComparison.Ordinal);
                using var chargers = JsonDocument.Parse(await http.GetStringAsync("/api/v1/chargers"));
                var booted = chargers.RootElement.EnumerateArray().Count(c => c.GetProperty("lastBootAt").ValueKind != JsonValueKind.Null);
                mostConnected = Math.Max(mostConnected, chargers.RootElement.EnumerateArray().Count(c => c.GetProperty("connection").GetProperty("connected").GetBoolean()));
                var closed = (await SandboxScenario.AllAsync(http, "/api/v1/parking-sessions?siteId=demo&status=Closed")).Count;
                var bound = (await SandboxScenario.AllAsync(http, "/api/v1/bindings?siteId=demo&status=Bound")).Count;
                return new Seen(closed, bound, booted, mostConnected);
            },
            seen => seen.Closed > 0 && seen.Bound > 0 && seen.ChargersBooted == 6 && seen.MostConnected > 0,
            () => demo.NextLine, // the demo prints its progress every few seconds
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(500));
    }

    private sealed record Seen(int Closed, int Bound, int ChargersBooted, int MostConnected);
}
