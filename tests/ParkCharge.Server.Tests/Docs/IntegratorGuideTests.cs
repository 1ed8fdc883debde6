using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

using ParkCharge.Server.Webhooks;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Docs;

/// <summary>
/// docs/integrators.md's examples, run rather than trusted: each block marked <c>&lt;!-- example: ... --&gt;</c>
/// is a request sent to a real node, a body checked against the node's own OpenAPI document, or a webhook
/// receiver run against deliveries signed by the node's signing code. The C# receiver is kept in this
/// file (the region between <c>begin-snippet</c> and <c>end-snippet</c>) and the guide must show it as it is here.
/// </summary>
public sealed partial class IntegratorGuideTests(PostgresServer postgres) : IAsyncLifetime
{
    private const string Secret = "whsec_the-subscription-secret-0123456789";

    /// <summary>The guide's examples carry dates of 2026 and 2027: the node runs on a clock in mid-2026.</summary>
    private static readonly DateTimeOffset GuideTime = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private TestNode _node = null!;
    private JsonElement _openApi;

    public async ValueTask InitializeAsync()
    {
        _node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres, configure: b => b.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(GuideTime)));
        using var document = JsonDocument.Parse(await _node.Http.GetStringAsync("/openapi/v1.json", Ct));
        _openApi = document.RootElement.Clone();
    }

    public async ValueTask DisposeAsync() => await _node.DisposeAsync();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_guide_marks_its_examples_for_these_tests()
    {
        var kinds = Guide.Examples.Select(e => e.Kind).ToList();

        Assert.True(kinds.Count(k => k == "request") >= 3, "the guide has lost its request examples' marks");
        Assert.True(kinds.Count(k => k == "schema") >= 4, "the guide has lost its body examples' marks");
        Assert.Equal(["csharp", "js", "python"], Guide.Examples.Where(e => e.Kind == "receiver").Select(e => e.Arguments[0]));
    }

    [Fact]
    public async Task Every_request_example_is_answered_by_a_real_node_with_the_status_the_guide_gives()
    {
        foreach (var example in Guide.Examples.Where(e => e.Kind == "request"))
        {
            var (method, path, status) = (example.Arguments[0], example.Arguments[1], int.Parse(example.Arguments[2], System.Globalization.CultureInfo.InvariantCulture));
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent(example.Code, Encoding.UTF8, "application/json") };
            using var response = await _node.Http.SendAsync(request, Ct);

            Assert.True(status == (int)response.StatusCode, $"{method} {path} (line {example.Line}): {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        }
    }

    [Fact]
    public async Task The_price_calculator_example_costs_what_the_guide_says()
    {
        var example = Guide.Examples.Single(e => e.Kind == "request" && e.Arguments[1] == "/api/v1/tariffs/price");

        using var response = await _node.Http.PostAsync("/api/v1/tariffs/price", new StringContent(example.Code, Encoding.UTF8, "application/json"), Ct);
        var priced = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Contains("`total_cost: {excl_vat: 4.00, incl_vat: 4.40}`", Guide.Text, StringComparison.Ordinal);
        Assert.Equal((4.00m, 4.40m), (priced.GetProperty("total_cost").GetProperty("excl_vat").GetDecimal(), priced.GetProperty("total_cost").GetProperty("incl_vat").GetDecimal()));
    }

    [Fact]
    public void Every_body_example_names_only_fields_the_api_has()
    {
        var problems = new List<string>();
        foreach (var example in Guide.Examples.Where(e => e.Kind == "schema"))
        {
            var schema = _openApi.GetProperty("components").GetProperty("schemas").GetProperty(example.Arguments[0]);
            foreach (var (json, i) in JsonValues(example.Code).Select((j, i) => (j, i)))
            {
                Check(json, schema, $"{example.Arguments[0]} (line {example.Line}, value {i + 1})", problems);
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task The_csharp_receiver_is_the_one_tested_here_and_accepts_exactly_the_genuine_deliveries()
    {
        var example = Guide.Examples.Single(e => e.Kind == "receiver" && e.Arguments[0] == "csharp");
        Assert.Equal(Snippet("webhook-receiver-csharp"), example.Code);

        var stored = new List<string>();
        await using var app = await CSharpReceiverAsync(stored);
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        var answers = new List<int>();
        foreach (var delivery in Deliveries())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/parkcharge/events") { Content = new ByteArrayContent(delivery.Body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            request.Headers.Add("ParkCharge-Timestamp", delivery.Timestamp);
            request.Headers.Add("ParkCharge-Signature", delivery.Signature);
            using var response = await http.SendAsync(request, Ct);
            answers.Add((int)response.StatusCode);
        }

        AssertOutcomes(answers, stored, accepted: 200);
    }

    [Fact]
    public async Task The_node_js_receiver_accepts_exactly_the_genuine_deliveries()
    {
        var (answers, stored) = await RunReceiverAsync("node", "js", """
            const express = { raw: () => (req, res, next) => next() };
            let handler;
            const app = { post: (path, ...handlers) => { handler = handlers[handlers.length - 1]; } };
            const [secret, file] = process.argv.slice(2);
            const stored = [];
            const storeOnce = async (id) => { if (!stored.includes(id)) stored.push(id); };
            {{receiver}}
            (async () => {
              const answers = [];
              for (const d of JSON.parse(require("node:fs").readFileSync(file, "utf8"))) {
                const headers = { "parkcharge-timestamp": d.timestamp, "parkcharge-signature": d.signature };
                let status = 0;
                await handler({ get: name => headers[name.toLowerCase()], body: Buffer.from(d.body, "base64") }, { sendStatus: s => { status = s; } });
                answers.push(status);
              }
              console.log(JSON.stringify({ answers, stored }));
            })();
            """);

        AssertOutcomes(answers, stored, accepted: 204);
    }

    [Fact]
    public async Task The_python_receiver_accepts_exactly_the_genuine_deliveries()
    {
        if (!OnPath("python3"))
        {
            Assert.Skip("python3 is not installed here (./test.sh does not need it); the Python receiver was not run.");
        }

        var (answers, stored) = await RunReceiverAsync("python3", "python", """
            import base64, json, sys, types
            class Abort(Exception):
                def __init__(self, status): self.status = status
            class Request: pass
            request = Request()
            def abort(status): raise Abort(status)
            sys.modules["flask"] = types.SimpleNamespace(request=request, abort=abort)
            routes = {}
            class App:
                def post(self, path):
                    def register(f): routes[path] = f; return f
                    return register
            app = App()
            secret, file = sys.argv[1], sys.argv[2]
            stored = []
            def store_once(id, event):
                if id not in stored: stored.append(id)
            {{receiver}}
            answers = []
            for d in json.load(open(file)):
                request.headers = {"ParkCharge-Timestamp": d["timestamp"], "ParkCharge-Signature": d["signature"]}
                body = base64.b64decode(d["body"])
                request.get_data = lambda body=body: body
                try:
                    answers.append(routes["/parkcharge/events"]()[1])
                except Abort as a:
                    answers.append(a.status)
            print(json.dumps({"answers": answers, "stored": stored}))
            """);

        AssertOutcomes(answers, stored, accepted: 204);
    }

    /// <summary>The guide's C# receiver, as it appears there, in a real ASP.NET Core app on loopback.</summary>
    private static async Task<WebApplication> CSharpReceiverAsync(List<string> stored)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var secret = Secret;
        Task StoreOnceAsync(string id, JsonElement envelope)
        {
            lock (stored)
            {
                if (!stored.Contains(id))
                {
                    stored.Add(id);
                }
            }

            return Task.CompletedTask;
        }

        // begin-snippet: webhook-receiver-csharp
        app.MapPost("/parkcharge/events", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            string timestamp = request.Headers["ParkCharge-Timestamp"].ToString();
            string signature = request.Headers["ParkCharge-Signature"].ToString();

            if (!long.TryParse(timestamp, out var seconds) || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300)
                return Results.Unauthorized();                                  // too old (or from the future): a replay
            var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
            if (!signature.Split(',').Any(s => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s.Trim()), Encoding.ASCII.GetBytes(expected))))
                return Results.Unauthorized();

            var envelope = JsonDocument.Parse(body).RootElement;               // { id, type, site, sequence, data, ... }
            await StoreOnceAsync(envelope.GetProperty("id").GetString()!, envelope); // insert ... on conflict (id) do nothing
            return Results.Ok();
        });
        // end-snippet

        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Deliveries as a node signs them (<see cref="WebhookSignature"/>), genuine and not: the first, a repeat
    /// of it, a second event signed during a secret rotation (two signatures, the second right), then a
    /// tampered body, one a quarter of an hour old, one from the future, one signed with another secret.
    /// </summary>
    private static List<(string Timestamp, string Signature, byte[] Body)> Deliveries()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        byte[] Envelope(string id) => Encoding.UTF8.GetBytes($$$"""{"id":"{{{id}}}","type":"charging.started","version":1,"site":"main-street","sequence":7,"eventTime":"2026-06-01T08:00:00+00:00","recordedAt":"2026-06-01T08:00:01+00:00","data":{"note":"café ✓"}}""");
        (string, string, byte[]) Signed(byte[] body, long at, string secret = Secret) =>
            (at.ToString(System.Globalization.CultureInfo.InvariantCulture), WebhookSignature.Sign(secret, at, body), body);

        var first = Envelope("evt-1");
        var second = Envelope("evt-2");
        var tampered = Envelope("evt-3");
        var (timestamp, signature, _) = Signed(tampered, now);
        tampered[^3] = (byte)'X';
        var rotated = Signed(second, now);
        return
        [
            Signed(first, now),
            Signed(first, now),
            (rotated.Item1, $"{WebhookSignature.Sign("the-old-secret-0123456789", now, second)}, {rotated.Item2}", second),
            (timestamp, signature, tampered),
            Signed(Envelope("evt-4"), now - 900),
            Signed(Envelope("evt-5"), now + 900),
            Signed(Envelope("evt-6"), now, "whsec_someone-else-0123456789"),
        ];
    }

    private static void AssertOutcomes(List<int> answers, List<string> stored, int accepted)
    {
        Assert.Equal([accepted, accepted, accepted, 401, 401, 401, 401], answers);
        Assert.Equal(["evt-1", "evt-2"], stored);
    }

    /// <summary>Runs the guide's receiver in <paramref name="language"/> inside <paramref name="harness"/> (its <c>{{receiver}}</c>) against <see cref="Deliveries"/>.</summary>
    private static async Task<(List<int> Answers, List<string> Stored)> RunReceiverAsync(string program, string language, string harness)
    {
        var example = Guide.Examples.Single(e => e.Kind == "receiver" && e.Arguments[0] == language);
        var folder = TestStores.NewFolder("guide-" + language);
        var script = Path.Combine(folder, language == "js" ? "receiver.js" : "receiver.py");
        var indent = harness.Split('\n').First(l => l.Contains("{{receiver}}", StringComparison.Ordinal)).IndexOf('{', StringComparison.Ordinal);
        await File.WriteAllTextAsync(script, harness.Replace("{{receiver}}", example.Code.ReplaceLineEndings("\n" + new string(' ', indent)).TrimStart(), StringComparison.Ordinal), Ct);
        var deliveries = Path.Combine(folder, "deliveries.json");
        await File.WriteAllTextAsync(deliveries, JsonSerializer.Serialize(Deliveries().Select(d => new { timestamp = d.Timestamp, signature = d.Signature, body = Convert.ToBase64String(d.Body) })), Ct);

        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var argument in (string[])[script, Secret, deliveries])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        Assert.True(process.ExitCode == 0, $"the {language} receiver failed:\n{await error}");
        using var result = JsonDocument.Parse(await output);
        return ([.. result.RootElement.GetProperty("answers").EnumerateArray().Select(a => a.GetInt32())],
                [.. result.RootElement.GetProperty("stored").EnumerateArray().Select(s => s.GetString()!)]);
    }

    /// <summary>Every property of <paramref name="example"/> is one the schema has, all the way down.</summary>
    private void Check(JsonElement example, JsonElement schema, string path, List<string> problems)
    {
        schema = Resolve(schema);
        switch (example.ValueKind)
        {
            case JsonValueKind.Object when schema.TryGetProperty("properties", out var properties):
                foreach (var property in example.EnumerateObject())
                {
                    if (properties.TryGetProperty(property.Name, out var propertySchema))
                    {
                        Check(property.Value, propertySchema, $"{path}.{property.Name}", problems);
                    }
                    else if (!schema.TryGetProperty("additionalProperties", out _))
                    {
                        problems.Add($"{path}: '{property.Name}' is not a field of the API's schema (it has {string.Join(", ", properties.EnumerateObject().Select(p => p.Name))})");
                    }
                }

                break;
            case JsonValueKind.Array when schema.TryGetProperty("items", out var items):
                foreach (var item in example.EnumerateArray())
                {
                    Check(item, items, path + "[]", problems);
                }

                break;
        }
    }

    /// <summary>A schema with its <c>$ref</c> followed (also inside <c>anyOf</c>/<c>oneOf</c>, as nullable references are written).</summary>
    private JsonElement Resolve(JsonElement schema)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Resolve(_openApi.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]));
        }

        foreach (var combinator in (string[])["anyOf", "oneOf", "allOf"])
        {
            if (schema.TryGetProperty(combinator, out var options)
                && options.EnumerateArray().FirstOrDefault(o => o.TryGetProperty("$ref", out _) || o.TryGetProperty("properties", out _)) is { ValueKind: JsonValueKind.Object } option)
            {
                return Resolve(option);
            }
        }

        return schema;
    }

    /// <summary>One JSON value, or several one per line (the guide lists command requests so).</summary>
    private static List<JsonElement> JsonValues(string code)
    {
        var values = new List<JsonElement>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(code), new JsonReaderOptions { AllowMultipleValues = true });
        while (JsonDocument.TryParseValue(ref reader, out var document))
        {
            using (document)
            {
                values.Add(document.RootElement.Clone());
            }
        }

        return values;
    }

    /// <summary>The region of this file between <c>// begin-snippet: name</c> and <c>// end-snippet</c>, without its indentation.</summary>
    private static string Snippet(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(Repository.Root, "tests", "ParkCharge.Server.Tests", "Docs", "IntegratorGuideTests.cs"));
        var region = lines.SkipWhile(l => l.Trim() != $"// begin-snippet: {name}").Skip(1).TakeWhile(l => l.Trim() != "// end-snippet").ToList();
        var indent = region.Where(l => l.Trim().Length > 0).Min(l => l.Length - l.TrimStart().Length);
        return string.Join('\n', region.Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, program)));
}
