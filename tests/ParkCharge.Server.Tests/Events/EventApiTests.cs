using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using Json.Schema;

using ParkCharge.Ocpp.V16;
using ParkCharge.Testing;

using static ParkCharge.Server.Tests.Events.EventScenario;

namespace ParkCharge.Server.Tests.Events;

public sealed class SqliteEventApiTests(PostgresServer postgres) : EventApiTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresEventApiTests(PostgresServer postgres) : EventApiTests(StoreEngine.Postgres, postgres);

/// <summary>The outbox read through the API, and the event catalogue: types, schemas, documentation.</summary>
public abstract class EventApiTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    /// <summary>The types issue 6 asks for that exist so far (billing and command events come with those features).</summary>
    private static readonly string[] RequiredTypes =
    [
        "parking.session_opened", "parking.session_closed", "bay.vehicle_arrived", "bay.vehicle_left", "bay.ice_detected",
        "bay.idle_started", "charging.started", "charging.stopped", "charging.meter_updated", "charger.connected",
        "charger.disconnected", "charger.fault", "binding.created", "binding.changed", "binding.review_needed",
    ];

    private EventScenario _s = null!;

    public async ValueTask InitializeAsync() => _s = await StartAsync(engine, postgres);

    public async ValueTask DisposeAsync() => await _s.DisposeAsync();

    [Fact]
    public async Task A_sites_events_are_listed_in_sequence_order_with_stable_ids_a_page_at_a_time()
    {
        await _s.ExitAsync(await _s.EnterAsync());
        var plate = await _s.EnterAsync();

        using var first = JsonDocument.Parse(await _s.Http.GetStringAsync($"/api/v1/events?site={Site}&limit=2", TestContext.Current.CancellationToken));
        var next = first.RootElement.GetProperty("next").GetString();
        using var second = JsonDocument.Parse(await _s.Http.GetStringAsync($"/api/v1/events?site={Site}&limit=2&after={next}", TestContext.Current.CancellationToken));
        var all = await _s.EventsAsync(Site);
        var again = await _s.EventsAsync(Site);

        Assert.Equal([1L, 2L], first.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal([3L, 4L], second.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(all.Select(e => e.GetProperty("id").GetString()), again.Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(all.Count, all.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        var opened = all.Last(e => e.GetProperty("type").GetString() == "parking.session_opened");
        Assert.Equal((1, Site), (opened.GetProperty("version").GetInt32(), opened.GetProperty("site").GetString()));
        Assert.Equal(plate, opened.GetProperty("data").GetProperty("session").GetProperty("plate").GetString());
        Assert.Equal(["parking.session_closed"], (await _s.EventsAsync(Site, type: "parking.*")).Select(e => e.GetProperty("type").GetString()).Where(t => t!.EndsWith("closed", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Reading_events_without_a_site_or_with_a_bad_filter_is_refused_with_a_problem()
    {
        using var noSite = await _s.Http.GetAsync("/api/v1/events", TestContext.Current.CancellationToken);
        using var badType = await _s.Http.GetAsync($"/api/v1/events?site={Site}&type=Charging!", TestContext.Current.CancellationToken);
        using var unknownSchema = await _s.Http.GetAsync("/api/v1/events/types/charging.begun/schema", TestContext.Current.CancellationToken);

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (noSite.StatusCode, badType.StatusCode, unknownSchema.StatusCode));
        Assert.Contains("\"site\"", await noSite.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_published_event_matches_the_schema_the_catalogue_gives_for_its_type()
    {
        await using (var charger = await _s.ConnectChargerAsync())
        {
            var start = await charger.CallAsync(V16Actions.StartTransaction, new StartTransactionRequest { ConnectorId = 1, IdTag = "RFID-1", MeterStart = 1000, Timestamp = _s.Time.GetUtcNow() });
            await charger.CallAsync(V16Actions.MeterValues, new MeterValuesRequest
            {
                ConnectorId = 1,
                TransactionId = start.TransactionId,
                MeterValue = [new MeterValue { Timestamp = _s.Time.GetUtcNow(), SampledValue = [new SampledValue { Value = "1500" }] }],
            });
            await charger.CallAsync(V16Actions.StopTransaction, new StopTransactionRequest { TransactionId = start.TransactionId, MeterStop = 2500, Timestamp = _s.Time.GetUtcNow() });
        }

        await _s.ExitAsync(await _s.EnterAsync());
        await _s.ExitAsync("NEVERSEEN1"); // an exit without an entry: an anomaly
        var events = await _s.EventsAsync(Site);
        var schemas = new Dictionary<string, JsonSchema>();

        foreach (var e in events)
        {
            var type = e.GetProperty("type").GetString()!;
            if (!schemas.TryGetValue(type, out var schema))
            {
                var text = await _s.Http.GetStringAsync($"/api/v1/events/types/{type}/schema", TestContext.Current.CancellationToken);
                schemas[type] = schema = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
            }

            var result = schema.Evaluate(e, new EvaluationOptions { RequireFormatValidation = true, OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, $"{type} #{e.GetProperty("sequence")} does not match its schema: {JsonSerializer.Serialize(result.Details?.Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}"))}\n{e}");
        }

        Assert.Superset(new HashSet<string> { "charger.connected", "charging.started", "charging.meter_updated", "charging.stopped", "parking.session_opened", "parking.session_closed", "parking.anomaly" }, schemas.Keys.ToHashSet());
    }

    [Fact]
    public async Task The_catalogue_lists_every_type_with_a_description_and_a_fully_typed_schema_and_docs_events_md_documents_each()
    {
        using var catalogue = JsonDocument.Parse(await _s.Http.GetStringAsync("/api/v1/events/types", TestContext.Current.CancellationToken));
        var types = catalogue.RootElement.EnumerateArray().ToList();
        var names = types.Select(t => t.GetProperty("type").GetString()!).ToList();
        var docs = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "docs", "events.md"), TestContext.Current.CancellationToken);

        Assert.Superset(RequiredTypes.ToHashSet(), names.ToHashSet());
        foreach (var type in types)
        {
            var name = type.GetProperty("type").GetString()!;
            Assert.False(string.IsNullOrWhiteSpace(type.GetProperty("description").GetString()), $"{name} has no description.");
            Assert.True(docs.Contains($"`{name}`", StringComparison.Ordinal), $"docs/events.md does not document {name}.");
            var schema = JsonNode.Parse(await _s.Http.GetStringAsync(type.GetProperty("schema").GetString(), TestContext.Current.CancellationToken))!;
            Assert.Equal(name, schema["properties"]!["type"]!["const"]!.GetValue<string>());
            Assert.Empty(Untyped(schema["properties"]!["data"]!, "data"));
        }
    }

    /// <summary>Paths of schema parts that accept anything (<c>true</c> or <c>{}</c>): fields the schema does not describe.</summary>
    private static IEnumerable<string> Untyped(JsonNode node, string path)
    {
        if (node is JsonValue || node is JsonObject { Count: 0 })
        {
            yield return path;
            yield break;
        }

        if (node["properties"] is JsonObject properties)
        {
            foreach (var (name, child) in properties)
            {
                foreach (var untyped in Untyped(child!, $"{path}.{name}"))
                {
                    yield return untyped;
                }
            }
        }

        if (node["items"] is { } items)
        {
            foreach (var untyped in Untyped(items, path + "[]"))
            {
                yield return untyped;
            }
        }
    }
}
