using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Core.Privacy;
using ParkCharge.Server.Tests.Security;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Privacy;

public sealed class SqlitePrivacyApiTests(PostgresServer postgres) : PrivacyApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresPrivacyApiTests(PostgresServer postgres) : PrivacyApiTests(StoreEngine.Postgres, postgres);

/// <summary>
/// A data subject's requests through a real node (camera pushes and payments over HTTP, a clock that the
/// test moves): the export of everything held about a plate, its erasure with the legal holds listed,
/// who may ask, and the retention pass the node runs on its own.
/// </summary>
public abstract class PrivacyApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateInKey = "gate-in-camera-key-0123456789";
    private const string GateOutKey = "gate-out-camera-key-0123456789";

    private const string Site = $$"""
        {
          "id": "garage", "name": "Garage", "timeZone": "Europe/Berlin", "currency": "EUR", "ordinaryBays": 10,
          "settings": { "retention": { "settledStays": "8d", "pictures": "1d" } },
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "gate-in", "key": "{{GateInKey}}" } ] },
                     { "id": "out", "direction": "exit", "cameras": [ { "id": "gate-out", "key": "{{GateOutKey}}" } ] } ],
          "tariffs": { "parking": [ { "id": "standard", "vat": 19, "bands": [ { "name": "all", "from": "00:00", "to": "00:00", "pricePerUnit": 1.00, "unit": "1h" } ] } ] }
        }
        """;

    private static readonly DateTimeOffset Nine = new(2026, 3, 3, 8, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Nine);
    private TestNode _node = null!;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(engine, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(_time));
        using var put = await _node.Http.PutAsync("/api/v1/sites/garage", new StringContent(Site, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Erasure_of_a_plate_with_a_paid_and_an_unpaid_stay_pseudonymises_the_paid_one_and_lists_the_unpaid_one_with_its_reason()
    {
        var paid = await StayAsync("M-PR 42", TimeSpan.FromHours(2), pay: true);
        var unpaid = await StayAsync("M-PR 42", TimeSpan.FromHours(3), pay: false);
        var neighbour = await StayAsync("M-PR 421", TimeSpan.FromHours(1), pay: true); // the plate with one more digit: another vehicle

        using var before = await GetJsonAsync("/api/v1/privacy/plates/m-pr%2042");
        using var erasure = await _node.Http.PostAsync("/api/v1/privacy/plates/M-PR%2042/erasure", null, TestContext.Current.CancellationToken);
        using var after = await GetJsonAsync("/api/v1/privacy/plates/MPR42");

        Assert.Equal([paid, unpaid], before.RootElement.GetProperty("stays").EnumerateArray().Select(s => s.GetProperty("columns").GetProperty("id").GetString()));
        Assert.Equal(2, before.RootElement.GetProperty("bills").GetArrayLength());
        Assert.Single(before.RootElement.GetProperty("payments").EnumerateArray());
        Assert.True(before.RootElement.GetProperty("observations").GetArrayLength() >= 4, "the entry and exit reads of both stays");
        Assert.Equal(HttpStatusCode.OK, erasure.StatusCode);
        using var answer = JsonDocument.Parse(await erasure.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(1, answer.RootElement.GetProperty("staysPseudonymised").GetInt32());
        var held = Assert.Single(answer.RootElement.GetProperty("held").EnumerateArray());
        Assert.Equal(unpaid, held.GetProperty("parkingSessionId").GetString());
        Assert.StartsWith("unpaid bill", held.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal([unpaid], after.RootElement.GetProperty("stays").EnumerateArray().Select(s => s.GetProperty("columns").GetProperty("id").GetString()));

        using var stay = await GetJsonAsync($"/api/v1/parking-sessions/{paid}");
        Assert.True(Pseudonyms.IsPseudonym(stay.RootElement.GetProperty("plate").GetString()));
        using var other = await GetJsonAsync($"/api/v1/parking-sessions/{neighbour}");
        Assert.Equal("MPR421", other.RootElement.GetProperty("plate").GetString());

        // Audited without the plate: the API audit has the request, privacy_requests the key and a keyed hash.
        await using var connection = await _node.App.Services.GetRequiredService<Store>().Database.OpenAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["/api/v1/privacy/plates/[plate]/erasure"], await TextsAsync(connection, "SELECT path FROM api_audit WHERE path LIKE '%privacy%'"));
        Assert.Equal(["access", "erasure", "access"], await TextsAsync(connection, "SELECT kind FROM privacy_requests ORDER BY id"));
        Assert.DoesNotContain(await TextsAsync(connection, "SELECT outcome || plate_hash FROM privacy_requests"), t => t.Contains("MPR42", StringComparison.Ordinal) || t.Contains("M-PR 42", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Only_an_admin_key_may_ask_and_a_plate_without_letters_or_digits_is_a_problem()
    {
        var (_, operatorKey) = await _node.CreateKeyAsync("operator");
        using var asOperator = _node.ClientWith(operatorKey);

        using var export = await asOperator.GetAsync("/api/v1/privacy/plates/MPR42", TestContext.Current.CancellationToken);
        using var erasure = await asOperator.PostAsync("/api/v1/privacy/plates/MPR42/erasure", null, TestContext.Current.CancellationToken);
        using var nothing = await _node.Http.GetAsync("/api/v1/privacy/plates/---", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (export.StatusCode, erasure.StatusCode));
        Assert.Equal(HttpStatusCode.BadRequest, nothing.StatusCode);
        Assert.True((await nothing.ProblemAsync()).GetProperty("errors").TryGetProperty("plate", out _));
    }

    [Fact]
    public async Task The_node_pseudonymises_a_paid_stay_once_its_period_is_over_and_keeps_a_recent_one()
    {
        var old = await StayAsync("K-OL 7", TimeSpan.FromHours(1), pay: true);
        _time.Advance(TimeSpan.FromDays(8));
        var recent = await StayAsync("K-RE 8", TimeSpan.FromHours(1), pay: true);

        _time.Advance(TimeSpan.FromHours(2)); // past the node's first pass (10 minutes after start)

        var plate = await _node.EventuallyAsync(async () => await PlateOfAsync(old), Pseudonyms.IsPseudonym);
        Assert.True(Pseudonyms.IsPseudonym(plate));
        Assert.Equal("KRE8", await PlateOfAsync(recent));
    }

    /// <summary>A stay: entry read now, exit read after <paramref name="stay"/>, paid in full or not; the clock moves on a day.</summary>
    private async Task<string> StayAsync(string plate, TimeSpan stay, bool pay)
    {
        await ReadAsync(GateInKey, "gate-in", plate);
        _time.Advance(stay);
        await ReadAsync(GateOutKey, "gate-out", plate);
        using var page = await GetJsonAsync($"/api/v1/parking-sessions?siteId=garage&plate={Uri.EscapeDataString(plate)}");
        var session = page.RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
        if (pay)
        {
            using var bill = await GetJsonAsync($"/api/v1/parking-sessions/{session}/bill");
            using var payment = await _node.Http.PostAsJsonAsync(
                $"/api/v1/parking-sessions/{session}/payments",
                new { amount = bill.RootElement.GetProperty("balanceDue").GetDecimal(), currency = "EUR", method = "card" },
                TestContext.Current.CancellationToken);
            Assert.True(payment.IsSuccessStatusCode, await payment.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        _time.Advance(TimeSpan.FromDays(1) - stay);
        return session;
    }

    private async Task<string?> PlateOfAsync(string session)
    {
        using var stay = await GetJsonAsync($"/api/v1/parking-sessions/{session}");
        return stay.RootElement.GetProperty("plate").GetString();
    }

    private async Task ReadAsync(string key, string camera, string plate)
    {
        using var client = _node.ClientWith(key);
        using var response = await client.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera, plate, confidence = 0.95, capturedAt = _time.GetUtcNow() }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await _node.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body);
    }

    private static async Task<List<string>> TextsAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var texts = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }
}
