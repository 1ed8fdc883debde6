using System.Net;
using System.Text;

namespace ParkCharge.Server.Tests.Hostile;

/// <summary>
/// What a request can put into the node's log, with <c>parkcharge serve</c> as a real process started the
/// way the README and the systemd unit start it: from a working directory without appsettings.json.
/// </summary>
public sealed class RequestLogTests
{
    private const string CameraKey = "a-camera-key-nobody-may-read-0123";

    /// <summary>ASP.NET Core's request log explicitly on: the strongest case (without appsettings.json it is off).</summary>
    private static readonly Dictionary<string, string> RequestLogOn = new() { ["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Information" };

    [Fact]
    public async Task A_camera_key_in_the_query_never_reaches_the_log_even_with_request_logging_on_and_no_appsettings() =>
        await ServeAsync(RequestLogOn, async (server, http) =>
        {
            using var push = await http.PostAsync($"/api/v1/anpr/hikvision/gate?key={CameraKey}&channel=1",
                new StringContent("<EventNotificationAlert/>", Encoding.UTF8, "application/xml"), TestContext.Current.CancellationToken);

            await server.WaitForOutputAsync("Request finished");
            Assert.DoesNotContain(CameraKey, server.Output, StringComparison.Ordinal);
            Assert.Contains("key=[redacted]&channel=1", server.Output, StringComparison.Ordinal);
        });

    [Fact]
    public async Task Without_appsettings_a_node_does_not_log_every_request_url() =>
        await ServeAsync([], async (server, http) =>
        {
            using var push = await http.PostAsync($"/api/v1/anpr/hikvision/gate?key={CameraKey}",
                new StringContent("<EventNotificationAlert/>", Encoding.UTF8, "application/xml"), TestContext.Current.CancellationToken);
            using var health = await http.GetAsync("/healthz", TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.DoesNotContain("Request starting", server.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(CameraKey, server.Output, StringComparison.Ordinal);
        });

    [Fact]
    public async Task A_request_with_newlines_and_terminal_escapes_cannot_forge_log_lines() =>
        await ServeAsync(RequestLogOn, async (server, http) =>
        {
            // A decoded path carries a newline and an ANSI escape; the forged line would read like the node's own.
            using var response = await http.GetAsync("/api/v1/anpr/hikvision/x%0Afail:%20ParkCharge.Forged%5B0%5D%1B%5B31m", TestContext.Current.CancellationToken);

            await server.WaitForOutputAsync("Request finished");
            var lines = server.Output.Split('\n');
            Assert.DoesNotContain(lines, l => l.StartsWith("fail: ParkCharge.Forged", StringComparison.Ordinal));
            Assert.DoesNotContain('\u001b', server.Output);
            Assert.Contains(@"x\nfail: ParkCharge.Forged[0]\u001b[31m", server.Output, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        });

    /// <summary>Runs <c>parkcharge serve</c> in an empty working directory with <paramref name="environment"/>, and the test against it.</summary>
    private static async Task ServeAsync(Dictionary<string, string> environment, Func<ServerProcess, HttpClient, Task> test)
    {
        var workDir = Directory.CreateTempSubdirectory("parkcharge-log-").FullName;
        try
        {
            var (server, uri) = await ServerProcess.StartAsync(workDir, environment, "--urls", "http://127.0.0.1:0");
            await using (server)
            {
                using var http = new HttpClient { BaseAddress = uri };
                await test(server, http);
            }
        }
        finally
        {
            Directory.Delete(workDir, recursive: true);
        }
    }
}
