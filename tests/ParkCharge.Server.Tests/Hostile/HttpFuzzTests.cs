using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using CsCheck;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Hostile;

public sealed class SqliteHttpFuzzTests(PostgresServer postgres) : HttpFuzzTests(StoreEngine.Sqlite, postgres);

public sealed class PostgresHttpFuzzTests(PostgresServer postgres) : HttpFuzzTests(StoreEngine.Postgres, postgres);

/// <summary>
/// Issue 12's HTTP fuzz suite. The operations come from the node's own OpenAPI document (<c>/openapi/v1.json</c>):
/// for every POST, PUT and PATCH (and every GET with query parameters) bodies and values are generated from
/// their schemas — well-shaped with hostile values, wrong types, deep nesting, huge strings, lone surrogates,
/// absurd dates and numbers — and sent through real HTTP to a running node. No answer may be a 5xx, none may
/// take longer than a few seconds, and after every batch a valid request still succeeds.
/// <para>
/// The suite runs a fixed number of requests (a few seconds); a longer run is
/// <c>PARKCHARGE_FUZZ_ITERATIONS=20000 dotnet test --project tests/ParkCharge.Server.Tests -- --filter-class '*HttpFuzzTests'</c>
/// (README, "Tests"). CsCheck prints the seed of a failure: <c>CsCheck_Seed=... </c> replays it.
/// </para>
/// </summary>
public abstract class HttpFuzzTests(StoreEngine engine, PostgresServer postgres) : IAsyncLifetime
{
    private const string GateKey = Garage.GateKey;
    private const string HikKey = Garage.HikKey;

    private static readonly int Iterations =
        int.TryParse(Environment.GetEnvironmentVariable("PARKCHARGE_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 300;

    /// <summary>How long one answer may take: a hang, not a slow machine, is what fails.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private TestNode _node = null!;
    private HttpClient _client = null!;
    private HttpClient _cameras = null!;
    private readonly List<string> _ids = ["garage", "CP-1", "B1", "gate-in", "gate-out", "key_000000000000"];

    public async ValueTask InitializeAsync()
    {
        // No rate limits (the suite sends hundreds of requests a second); webhooks may target loopback only, where
        // nothing listens on the discard port, so whatever the fuzzer makes of a subscription nothing leaves the machine.
        _node = await TestNode.StartAsync(engine, postgres, new Dictionary<string, string?>
        {
            ["ParkCharge:RateLimits:Enabled"] = "false",
            ["ParkCharge:Webhooks:AllowedPrivateTargets:0"] = "127.0.0.1",
        });
        _client = new HttpClient { BaseAddress = _node.BaseUri, Timeout = Patience };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestNode.AdminKey);
        _cameras = new HttpClient { BaseAddress = _node.BaseUri, Timeout = Patience };
        // The fullest sample is a site the node accepts: its mutations start from something valid.
        using (var full = await _client.PutAsync("/api/v1/sites/garage", new StringContent(GarageWithEverySection, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken))
        {
            Assert.True(full.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"{(int)full.StatusCode}: {await full.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        }

        await Garage.ConfigureAsync(_client);
        Assert.Equal(HttpStatusCode.OK, await ValidPushAsync("FZ0001"));
        using var sessions = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/parking-sessions", TestContext.Current.CancellationToken));
        _ids.AddRange(sessions.RootElement.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()!));
        using var hook = await _client.PostAsJsonAsync("/api/v1/webhooks", new { url = "http://127.0.0.1:9/hook", active = false }, TestContext.Current.CancellationToken);
        _ids.Add((await hook.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        _cameras.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task No_generated_request_to_any_operation_of_the_openapi_document_gets_a_5xx_or_hangs()
    {
        var operations = await OperationsAsync();
        Assert.Contains(operations, o => o.Method == HttpMethod.Post && o.Path == "/api/v1/parking-sessions/{id}/payments");
        Assert.Contains(operations, o => o.Method == HttpMethod.Put && o.Path == "/api/v1/sites/{id}");
        Assert.Contains(operations, o => o.Method == HttpMethod.Patch);
        Assert.Contains(operations, o => o.Path.StartsWith("/api/v1/anpr", StringComparison.Ordinal));

        var requests = Gen.Int[0, operations.Count - 1].SelectMany(i => Request(operations[i]));
        var sent = 0;
        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        await requests.SampleAsync(async request =>
        {
            var (status, took) = await SendAsync(request);
            var seen = $"{request.Method} {request.Path.Split('?')[0]} -> {status}";
            answers[seen] = answers.GetValueOrDefault(seen) + 1;
            Assert.True(status < 500, $"{request}: {status}");
            Assert.True(took < Patience, $"{request}: took {took.TotalSeconds:0.0} s");
            if (++sent % 50 == 0)
            {
                await StillServesAsync();
            }
        }, iter: Iterations, threads: 1);

        await StillServesAsync();
        TestContext.Current.TestOutputHelper?.WriteLine($"{sent} requests to {operations.Count} operations; answers by status: " +
            string.Join(", ", answers.GroupBy(a => a.Key[^3..]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Sum(a => a.Value)}")));
    }

    // --- operations from the OpenAPI document ----------------------------------------------------------------

    private sealed record Operation(HttpMethod Method, string Path, JsonNode? Body, IReadOnlyList<(string Name, JsonNode Schema)> Query, JsonObject Components);

    private sealed record FuzzRequest(HttpMethod Method, string Path, string? ContentType, byte[]? Body, IReadOnlyList<(string Name, string Value)> Headers)
    {
        public override string ToString() =>
            $"{Method} {Path} {ContentType} {(Body is null ? "" : Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 300)))}{(Body?.Length > 300 ? $"... ({Body.Length} bytes)" : "")}";
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = JsonNode.Parse(await _client.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        var components = document["components"]?["schemas"]?.AsObject() ?? [];
        var operations = new List<Operation>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var verb = new HttpMethod(method.ToUpperInvariant());
                var body = operation?["requestBody"]?["content"]?["application/json"]?["schema"];
                var query = (operation?["parameters"]?.AsArray() ?? []).Where(p => p?["in"]?.GetValue<string>() == "query")
                    .Select(p => (p!["name"]!.GetValue<string>(), p["schema"] ?? new JsonObject())).ToList();
                var writes = verb == HttpMethod.Post || verb == HttpMethod.Put || verb == HttpMethod.Patch;

                // The event stream is endless by design: it is not a request that should end.
                if (writes || (verb == HttpMethod.Get && query.Count > 0 && !path.EndsWith("/stream", StringComparison.Ordinal)))
                {
                    operations.Add(new Operation(verb, path, body, query, components));
                }
            }
        }

        return operations;
    }

    private Gen<FuzzRequest> Request(Operation operation)
    {
        var path = PathValue.Array[4].Select(values => ReplaceParameters(operation.Path, values));
        var query = operation.Query.Count == 0
            ? Gen.Const("")
            : Combine([.. operation.Query.Select(q => Gen.Frequency((1, Gen.Const((string?)null)), (3, QueryValue(q.Schema).Select(v => (string?)v))))])
                .Select(vs => string.Join("&", operation.Query.Zip(vs).Where(p => p.Second is not null).Select(p => $"{p.First.Name}={Uri.EscapeDataString(p.Second!)}")));

        Gen<(string? Type, byte[]? Body)> body;
        if (operation.Path.StartsWith("/api/v1/anpr", StringComparison.Ordinal))
        {
            body = CameraBody;
        }
        else if (operation.Method == HttpMethod.Get)
        {
            body = Gen.Const(((string?)null, (byte[]?)null));
        }
        else if (operation.Body is { } schema)
        {
            body = Gen.Frequency(
                (6, Gen.Int[0, 2].SelectMany(level => Shaped(schema, operation.Components, 0, level)).Select(j => ("application/json", Encoding.UTF8.GetBytes(j)))),
                (1, Malformed.Select(j => ("application/json", Encoding.UTF8.GetBytes(j)))))
                .Select(b => ((string?)b.Item1, (byte[]?)b.Item2));
        }
        else
        {
            // Site documents and tariffs are read as text (YAML or JSON): a valid document with hostile values put in.
            body = Gen.Frequency((4, MutatedSite), (1, Malformed)).Select(j => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j)));
        }

        var headers = operation.Path switch
        {
            var p when p.StartsWith("/api/v1/anpr/hikvision", StringComparison.Ordinal) => Gen.Const<IReadOnlyList<(string, string)>>([("X-Camera-Key", HikKey)]),
            var p when p.StartsWith("/api/v1/anpr", StringComparison.Ordinal) => Gen.Const<IReadOnlyList<(string, string)>>([("X-Camera-Key", GateKey)]),
            _ => Gen.Frequency(
                (4, Gen.Const<IReadOnlyList<(string, string)>>([])),
                (1, HostileString.Select(k => (IReadOnlyList<(string, string)>)[("Idempotency-Key", new string([.. k.Where(c => c is >= ' ' and <= '~')]))]))),
        };

        return Gen.Select(path, query, body, headers).Select((p, q, b, h) =>
            new FuzzRequest(operation.Method, q.Length == 0 ? p : $"{p}?{q}", b.Type, b.Body, h));
    }

    private static Gen<string?[]> Combine(Gen<string?>[] values) =>
        values.Aggregate(Gen.Const(Array.Empty<string?>()), (all, next) => Gen.Select(all, next).Select((a, v) => (string?[])[.. a, v]));

    private static string ReplaceParameters(string path, string[] values)
    {
        var i = 0;
        var result = new StringBuilder();
        foreach (var segment in path.Split('/'))
        {
            result.Append(result.Length == 0 && segment.Length == 0 ? "" : "/");
            result.Append(segment.StartsWith('{') ? Uri.EscapeDataString(values[i++ % values.Length]) : segment);
        }

        return result.ToString();
    }

    private Gen<string> PathValue => Gen.Frequency((3, Gen.Int[0, _ids.Count - 1].Select(i => _ids[i])), (1, HostileString.Where(s => s.Length is > 0 and < 2_000)));

    // --- values ----------------------------------------------------------------------------------------------

    private static readonly Gen<string> HostileString = Gen.OneOf(
        Gen.Const("\ud800"), Gen.Const("\udfff\ud800"), Gen.Const("\u0000\u001b[31m\r\n"), Gen.Const(""), Gen.Const(" "),
        Gen.Const("0001-01-01T00:00:00Z"), Gen.Const("9999-12-31T23:59:59+14:00"), Gen.Const("-1"), Gen.Const("1e400"),
        Gen.Const("../../etc/passwd"), Gen.Const("%00"), Gen.Const("'; DROP TABLE api_keys; --"), Gen.Const("${PATH}"), Gen.Const("*"),
        Gen.Const("garage"), Gen.Const("CP-1"), Gen.Const("EUR"), Gen.Const("remoteStart"), Gen.Const("reset"), Gen.Const("W"), Gen.Const("Active"),
        Gen.Int[1, 70_000].Select(n => new string('Z', n)),
        Gen.String[0, 40]);

    /// <summary>Values a real client would send (ids that exist, words the API knows), so that requests also get past validation into the engine.</summary>
    private Gen<string> Plausible => Gen.OneOf(
        Gen.Int[0, _ids.Count - 1].Select(i => _ids[i]),
        Gen.OneOf(new[]
        {
            "EUR", "card", "cash", "AB123CD", "FZ0001", "typo", "operator's correction", "remoteStart", "remoteStop", "setChargingLimit",
            "clearChargingLimit", "unlockConnector", "reset", "changeAvailability", "W", "A", "soft", "hard", "operative", "inoperative",
            "Active", "Paused", "charging.*", "*", "integrator", "operator", "camera", "10.0.0.0/8", "http://127.0.0.1:9/hook", "Central",
        }.Select(Gen.Const).ToArray()));

    private static readonly Gen<string> PlausibleNumber = Gen.OneOf(
        Gen.Int[0, 100].Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Int[1, 10_000].Select(c => (c / 100m).ToString(CultureInfo.InvariantCulture)));

    private static readonly Gen<string> PlausibleTime =
        Gen.Int[-72 * 60, 60].Select(m => DateTimeOffset.UtcNow.AddMinutes(m).ToString("O", CultureInfo.InvariantCulture));

    private static readonly Gen<string> HostileNumber = Gen.OneOf(
        Gen.Const("-1"), Gen.Const("0"), Gen.Const("2147483647"), Gen.Const("2147483648"), Gen.Const("-9223372036854775808"),
        Gen.Const("9223372036854775808"), Gen.Const("79228162514264337593543950335"), Gen.Const("1e308"), Gen.Const("-1e308"),
        Gen.Const("1e400"), Gen.Const("0.0000000000000000000000000001"), Gen.Const("12.345"),
        Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture)), Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "1"));

    private static readonly Gen<string> HostileTime = Gen.OneOf(
        Gen.Const("0001-01-01T00:00:00Z"), Gen.Const("9999-12-31T23:59:59Z"), Gen.Const("9999-12-31T23:59:59-14:00"), Gen.Const("0001-01-01T00:00:00+14:00"),
        Gen.Const("1969-12-31T23:59:59Z"), Gen.Const("2026-02-30T00:00:00Z"), Gen.Const("yesterday"),
        Gen.Long[-62_135_596_800L, 253_402_300_799L].Select(s => DateTimeOffset.FromUnixTimeSeconds(s).ToString("O", CultureInfo.InvariantCulture)));

    private static readonly Gen<string> Malformed = Gen.OneOf(
        Gen.Const(""), Gen.Const("{"), Gen.Const("null"), Gen.Const("[]"), Gen.Const("\"x\""), Gen.Const("{\"a\":1,\"a\":2}"),
        Gen.Int[1, 5_000].Select(n => new string('[', n) + new string(']', n)),
        Gen.Int[1, 2_000].Select(n => string.Concat(Enumerable.Repeat("{\"a\":", n)) + "1" + new string('}', n)),
        Gen.Byte.Array[0, 500].Select(b => Encoding.Latin1.GetString(b)));

    /// <summary>A JSON string literal (what JsonSerializer writes, so a lone surrogate becomes an escape).</summary>
    private static string Literal(string text) => JsonSerializer.Serialize(text);

    /// <summary>
    /// A value shaped by <paramref name="schema"/> (resolved through $ref). <paramref name="level"/> says how hostile:
    /// 0 every field present with plausible values (to get past validation into the engine), 1 now and then a
    /// hostile value, a missing field or another type, 2 mostly so.
    /// </summary>
    private Gen<string> Shaped(JsonNode schema, JsonObject components, int depth, int level)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            schema = components[reference.Split('/')[^1]] ?? new JsonObject();
        }

        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => schema["properties"] is not null ? ["object"] : ["string", "number", "object"],
        };
        var type = types.FirstOrDefault(t => t != "null") ?? "string";
        var format = schema["format"]?.GetValue<string>();

        Gen<string> shaped = type switch
        {
            "object" when depth < 4 && schema["properties"] is JsonObject properties => ObjectOf(properties, components, depth, level),
            "array" when depth < 4 => Shaped(schema["items"] ?? new JsonObject(), components, depth + 1, level).Array[level == 0 ? 1 : 0, 8].Select(items => "[" + string.Join(",", items) + "]"),
            "integer" or "number" => Hostile(PlausibleNumber, HostileNumber, level),
            "boolean" => Gen.OneOf(Gen.Const("true"), Gen.Const("false")),
            "string" when format == "date-time" => Hostile(PlausibleTime, HostileTime, level).Select(Literal),
            "string" => Hostile(Plausible, HostileString, level).Select(Literal),
            _ => Gen.Const("{}"),
        };
        var other = Gen.OneOf(Gen.Const("null"), Gen.Const("{}"), Gen.Const("[]"), Gen.Const("true"), HostileNumber, HostileString.Select(Literal));
        return level switch
        {
            0 => shaped,
            1 => Gen.Frequency((20, shaped), (1, other)),
            _ => Gen.Frequency((8, shaped), (1, other)),
        };
    }

    private static Gen<string> Hostile(Gen<string> plausible, Gen<string> hostile, int level) => level switch
    {
        0 => plausible,
        1 => Gen.Frequency((8, plausible), (1, hostile)),
        _ => Gen.Frequency((1, plausible), (2, hostile)),
    };

    private Gen<string> ObjectOf(JsonObject properties, JsonObject components, int depth, int level)
    {
        var members = properties.Select(p =>
            {
                var member = Shaped(p.Value!, components, depth + 1, level).Select(v => (string?)$"{Literal(p.Key)}:{v}");
                return level == 0 ? member : Gen.Frequency((1, Gen.Const((string?)null)), (level == 2 ? 4 : 12, member));
            })
            .ToArray();
        return members.Aggregate(Gen.Const(new List<string>()), (all, next) => Gen.Select(all, next).Select((list, m) =>
        {
            var copy = new List<string>(list);
            if (m is not null)
            {
                copy.Add(m);
            }

            return copy;
        })).Select(list => "{" + string.Join(",", list) + "}");
    }

    /// <summary>The garage with every optional section set (settings with retention and cost on the charger, camera health, inferred stays), so their values are fuzzed too.</summary>
    private static readonly string GarageWithEverySection = Garage.Document.TrimEnd()[..^1] + """
        , "settings": { "bindingWindow": "2m", "sightingGap": "10s", "minConfidence": 0.7, "reentryWindow": "5m", "maxStay": "72h", "iceLimit": "15m",
                        "entryGrace": "10m", "idleGrace": "10m", "storeImages": false, "maxClockAhead": "2m", "meterEventInterval": "1m", "chargerCost": "off",
                        "retention": { "settledStays": "8d", "unpaidStays": "365d", "pictures": "72h", "messageLog": "30d", "deliveryLog": "14d", "auditLog": "1095d", "pseudonymKey": "30d" } },
          "cameraHealth": { "openingHours": { "from": "06:00", "to": "23:00" }, "silentAfter": "1h", "silentAmidTraffic": 6, "silentAmidCharges": 3,
                            "minimumSilence": "10m", "maxClockOffset": "1m", "degradedShare": 0.5, "qualityWindow": 20 },
          "inferredStays": { "enabled": true, "lookBack": "12h", "openLimit": "24h", "leftBayGrace": "30m", "billInferredEntry": true } }
        """;

    private static readonly string[] SiteSamples =
    [
        Garage.Document,
        """{ "parking": [ { "id": "standard", "vat": 19, "bands": [ { "name": "day", "pricePerUnit": 2.00, "unit": "1h", "from": "08:00", "to": "20:00" } ] } ], "permits": [ { "plate": "AB123CD", "validFrom": "2026-01-01T00:00:00Z", "validTo": "2027-01-01T00:00:00Z" } ] }""",
        GarageWithEverySection,
    ];


    /// <summary>A site or tariffs document with one to three values replaced by hostile JSON.</summary>
    private static readonly Gen<string> MutatedSite = Gen.Int[0, SiteSamples.Length - 1].SelectMany(i => JsonMutations.Of(
        SiteSamples[i],
        Gen.OneOf(HostileString.Select(Literal), HostileNumber, HostileTime.Select(Literal), Malformed.Where(m => m.Length > 0 && m[0] is '[' or '{')),
        max: 3));

    private static Gen<string> QueryValue(JsonNode schema)
    {
        var type = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null"),
            JsonValue value => value.GetValue<string>(),
            _ => null,
        };
        return (type, schema["format"]?.GetValue<string>()) switch
        {
            ("string", "date-time") => Gen.Frequency((3, HostileTime), (1, HostileString.Where(s => s.Length < 2_000))),
            ("integer" or "number", _) => Gen.Frequency((3, HostileNumber), (1, HostileString.Where(s => s.Length < 2_000))),
            ("boolean", _) => Gen.OneOf(Gen.Const("true"), Gen.Const("false"), Gen.Const("maybe")),
            _ => HostileString.Where(s => s.Length < 2_000),
        };
    }

    /// <summary>Capture times of camera pushes: plausible ones, and every hostile time (year 1 and 9999 get a 400 at the camera edge).</summary>
    private static readonly Gen<string> CaptureTime = Gen.OneOf(PlausibleTime, HostileTime, Gen.Const("yesterday"), Gen.Const("2026-02-30T00:00:00Z"), Gen.Const(""));

    private static readonly Gen<(string? Type, byte[]? Body)> CameraBody = Gen.OneOf(
        Gen.Select(Gen.Const("gate-in"), HostileString, CaptureTime, HostileNumber)
            .Select((camera, plate, time, confidence) => $"{{\"cameraId\":{Literal(camera)},\"plate\":{Literal(plate)},\"capturedAt\":{Literal(time)},\"confidence\":{confidence}}}")
            .Select(j => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j))),
        Gen.Select(HostileString, CaptureTime).Select((plate, time) =>
            $"<EventNotificationAlert><eventType>ANPR</eventType><dateTime>{System.Security.SecurityElement.Escape(time)}</dateTime><ANPR><licensePlate>{System.Security.SecurityElement.Escape(plate)}</licensePlate></ANPR></EventNotificationAlert>")
            .Select(x => ((string?)"application/xml", (byte[]?)Encoding.UTF8.GetBytes(x))),
        // The vendors' own shapes (AXIS, Dahua, Milesight, OpenALPR) with hostile values, local times among them.
        Gen.Select(HostileString, CaptureTime, HostileNumber, Gen.Int[0, 3]).Select((plate, time, number, vendor) => vendor switch
            {
                0 => $"{{\"carState\":\"new\",\"carID\":{number},\"plateUTF8\":{Literal(plate)},\"datetime\":{Literal(time)},\"plateConfidence\":{Literal(number)}}}",
                1 => $"{{\"Picture\":{{\"Plate\":{{\"PlateNumber\":{Literal(plate)},\"Confidence\":{number}}},\"SnapInfo\":{{\"AccurateTime\":{Literal(time.Replace('T', ' ').TrimEnd('Z'))},\"TimeZone\":{number}}}}}}}",
                2 => $"{{\"plate\":{Literal(plate)},\"time\":{Literal(time.Replace('T', ' ').TrimEnd('Z'))},\"direction\":\"Approach\",\"confidence\":{Literal(number)}}}",
                _ => $"{{\"data_type\":\"alpr_group\",\"camera_id\":\"gate-in\",\"best_plate_number\":{Literal(plate)},\"epoch_start\":{number},\"uuids\":[{Literal(plate)}],\"travel_direction\":{number}}}",
            })
            .Select(j => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j))),
        Malformed.Select(m => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(m))),
        Gen.Int[1, 3_000].Select(n => ((string?)"application/xml", (byte[]?)Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<a>", n)) + string.Concat(Enumerable.Repeat("</a>", n))))));

    // --- sending and checking ----------------------------------------------------------------------------------

    private async Task<(int Status, TimeSpan Took)> SendAsync(FuzzRequest request)
    {
        using var message = new HttpRequestMessage(request.Method, request.Path);
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            message.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(request.ContentType!);
        }

        foreach (var (name, value) in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }

        // A connection of its own per request: the node closes a connection after some refusals (431, a 413
        // before the body), and a pooled connection reused in that instant would fail on the client's side.
        message.Headers.ConnectionClose = true;

        // Camera pushes carry the camera's key only (with an admin key as Bearer too, the Bearer key would be the one checked).
        var client = request.Path.StartsWith("/api/v1/anpr", StringComparison.Ordinal) ? _cameras : _client;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            using var response = await client.SendAsync(message, TestContext.Current.CancellationToken);
            await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
            return ((int)response.StatusCode, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        catch (TaskCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return (0, Patience);
        }
    }

    /// <summary>Valid requests still succeed: the site document put back (the fuzzer may have changed it legitimately), a read, a camera push.</summary>
    private async Task StillServesAsync()
    {
        await Garage.ConfigureAsync(_client);
        using var sites = await _client.GetAsync("/api/v1/sites/garage", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, sites.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ValidPushAsync($"FZ{Random.Shared.Next(10_000, 99_999)}"));
    }

    private async Task<HttpStatusCode> ValidPushAsync(string plate)
    {
        using var push = await Garage.EnterAsync(_node.BaseUri, plate, capturedAt: DateTimeOffset.UtcNow);
        return push.StatusCode;
    }
}
