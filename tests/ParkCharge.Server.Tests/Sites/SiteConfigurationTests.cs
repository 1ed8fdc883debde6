using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sites;

/// <summary>Sites configured through the API and from site files at start.</summary>
public sealed class SiteConfigurationTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Document = """
        {
          "id": "garage",
          "name": "Garage",
          "timeZone": "Europe/Berlin",
          "currency": "EUR",
          "ordinaryBays": 12,
          "settings": { "minConfidence": 0.8, "reentryWindow": "5m" },
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "cam-in", "format": "generic", "key": "camera-in-key-0123456789" } ] } ],
          "chargers": [ { "id": "CP-1", "password": "charger-password-0123", "securityProfile": 1 } ],
          "evBays": [ { "id": "B1", "charger": "CP-1", "connector": 1 } ],
          "bayCameras": [ { "id": "cam-b1", "format": "platerecognizer", "key": "camera-b1-key-0123456789", "bays": [ "B1" ] } ]
        }
        """;

    private TestNode _node = null!;

    public async ValueTask InitializeAsync() => _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_site_document_put_through_the_api_configures_the_site_and_registers_its_chargers()
    {
        using var created = await PutAsync("garage", Document);
        using var again = await PutAsync("garage", Document);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var site = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));
        var document = site.RootElement.GetProperty("document");
        Assert.Equal("Garage", document.GetProperty("name").GetString());
        Assert.Equal(0.8, document.GetProperty("settings").GetProperty("minConfidence").GetDouble());
        var camera = document.GetProperty("lanes")[0].GetProperty("cameras")[0];
        Assert.False(camera.TryGetProperty("key", out _));
        Assert.Matches("^hmac-sha256:[0-9a-f]{64}$", camera.GetProperty("keyHash").GetString());
        Assert.DoesNotContain("charger-password", site.RootElement.GetRawText(), StringComparison.Ordinal);
        using var charger = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-1", TestContext.Current.CancellationToken));
        Assert.Equal(("garage", true), (charger.RootElement.GetProperty("siteId").GetString(), charger.RootElement.GetProperty("hasPassword").GetBoolean()));
    }

    [Fact]
    public async Task A_document_read_back_from_the_api_can_be_put_again_and_keeps_the_chargers_password()
    {
        using var created = await PutAsync("garage", Document);
        using var site = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));

        using var again = await PutAsync("garage", site.RootElement.GetProperty("document").GetRawText());

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        using var charger = JsonDocument.Parse(await _node.Http.GetStringAsync("/api/v1/chargers/CP-1", TestContext.Current.CancellationToken));
        Assert.True(charger.RootElement.GetProperty("hasPassword").GetBoolean());
    }

    [Fact]
    public async Task A_bad_document_is_refused_with_every_problem_named_by_its_path()
    {
        var bad = Document.Replace("\"generic\"", "\"vivotek\"", StringComparison.Ordinal).Replace("Europe/Berlin", "Europe/Berln", StringComparison.Ordinal);

        using var response = await PutAsync("garage", bad);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("timeZone:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("lanes[0].cameras[0].format:", StringComparison.Ordinal));
        using var missing = await _node.Http.GetAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_api_does_not_read_the_servers_environment_into_a_document()
    {
        Environment.SetEnvironmentVariable("PARKCHARGE_TEST_SECRET", "do-not-leak-0123456789");
        var sneaky = Document.Replace("camera-in-key-0123456789", "${PARKCHARGE_TEST_SECRET}", StringComparison.Ordinal);

        using var response = await PutAsync("garage", sneaky);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("do-not-leak", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_camera_id_already_used_at_another_site_is_a_conflict()
    {
        using var first = await PutAsync("garage", Document);
        var other = Document.Replace("\"garage\"", "\"annex\"", StringComparison.Ordinal).Replace("\"CP-1\"", "\"CP-2\"", StringComparison.Ordinal);

        using var second = await PutAsync("annex", other);

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("cam-in", await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_site_file_given_to_serve_is_loaded_at_start_and_a_broken_one_stops_the_start_with_its_errors()
    {
        var work = Directory.CreateTempSubdirectory("parkcharge-sitefile-").FullName;
        try
        {
            var good = Path.Combine(work, "garage.site.json");
            await File.WriteAllTextAsync(good, Document.Replace("camera-in-key-0123456789", "${CAM_IN_KEY}", StringComparison.Ordinal), TestContext.Current.CancellationToken);
            var environment = new Dictionary<string, string> { ["PARKCHARGE_API_KEY"] = TestNode.AdminKey, ["CAM_IN_KEY"] = "camera-in-key-from-env-01" };
            var (server, uri) = await ServerProcess.StartAsync(work, environment, "--urls", "http://127.0.0.1:0", "--site", good);
            await using (server)
            {
                using var http = new HttpClient { BaseAddress = uri };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestNode.AdminKey);
                using var site = JsonDocument.Parse(await http.GetStringAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken));
                Assert.Equal("Garage", site.RootElement.GetProperty("name").GetString());
                using var push = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anpr/reads")
                {
                    Content = new StringContent($$"""{"cameraId":"cam-in","plate":"BCD1234","confidence":0.9,"capturedAt":"{{DateTimeOffset.UtcNow.AddHours(-1):yyyy-MM-dd'T'HH:mm:ss'Z'}}"}""", Encoding.UTF8, "application/json"),
                };
                push.Headers.Add("X-Camera-Key", "camera-in-key-from-env-01");
                using var pushed = await new HttpClient { BaseAddress = uri }.SendAsync(push, TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, pushed.StatusCode);
            }

            var broken = Path.Combine(work, "broken.site.yaml");
            await File.WriteAllTextAsync(broken, "id: Broken Site\nname: x\ntimeZone: Mars/Olympus\ncurrency: EUR\n", TestContext.Current.CancellationToken);
            var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerProcess.StartAsync(work, environment, "--urls", "http://127.0.0.1:0", "--site", broken));
            Assert.Contains("broken.site.yaml cannot be used", failure.Message, StringComparison.Ordinal);
            Assert.Contains("timeZone:", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Tariffs_set_through_the_api_survive_a_restart_that_loads_a_site_file_without_tariffs()
    {
        var work = Directory.CreateTempSubdirectory("parkcharge-sitefile-").FullName;
        try
        {
            var file = Path.Combine(work, "garage.site.json");
            await File.WriteAllTextAsync(file, Document, TestContext.Current.CancellationToken);
            var settings = new Dictionary<string, string?> { ["ParkCharge:SiteFiles:0"] = file };
            const string tariffsJson = """{ "parking": [ { "id": "flat", "bands": [ { "pricePerUnit": 2.00 } ] } ], "permits": [ { "plate": "b-cd 1234" } ] }""";
            string before;
            StoreOptions store;
            await using (var first = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, settings))
            {
                store = first.StoreOptions;
                using var put = await first.Http.PutAsync("/api/v1/sites/garage/tariffs", new StringContent(tariffsJson, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.OK, put.StatusCode);
                before = await first.Http.GetStringAsync("/api/v1/sites/garage/tariffs", TestContext.Current.CancellationToken);
            }

            await using var second = await TestNode.StartAsync(store, settings);
            var after = await second.Http.GetStringAsync("/api/v1/sites/garage/tariffs", TestContext.Current.CancellationToken);

            Assert.Equal(before, after);
            Assert.Contains("\"BCD1234\"", after, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private async Task<HttpResponseMessage> PutAsync(string site, string document) =>
        await _node.Http.PutAsync($"/api/v1/sites/{site}", new StringContent(document, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
}
