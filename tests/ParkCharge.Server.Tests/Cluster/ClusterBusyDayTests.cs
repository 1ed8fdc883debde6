using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

using Orleans.Configuration;

using ParkCharge.Simulator.Clock;
using ParkCharge.Simulator.Scenarios.BusyDay;
using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>
/// Issue 18's first test: one site's busy morning (the binding benchmark's generator: chargers on 1.6 and 2.0.1
/// going offline and delivering queued transaction messages late, misreads, cars swapping bays, …) played through a
/// three-node cluster behind a real HAProxy — each charger's WebSocket and each camera's pushes through the balancer
/// or straight to one of the nodes — and, at the same time on the same clock, through one node without a cluster.
/// Both give the same parking sessions, charging sessions, bindings and final bills, read through the public API.
/// Each charger and camera sends the same messages in the same order to both; only the interleaving of different
/// sources may differ, which binding is designed not to care about within its window.
/// Not compared: a charging session's <c>DeliveredLate</c> flag, which says a message was received over ten minutes after
/// it happened — on a clock 400 times faster that is 1.5 real seconds, within the jitter of a loaded machine, so the
/// flag on a message queued just under ten minutes differs between any two runs, with or without a cluster.
/// </summary>
/// <remarks>
/// The nodes run in this process (Kestrel on loopback, each node its own Orleans silo on its own port, one PostgreSQL
/// database) so that they can share the accelerated clock the day is played on; ClusterFailoverTests and the others run
/// real <c>serve</c> processes.
/// </remarks>
public sealed class ClusterBusyDayTests(PostgresServer postgres)
{
    private const double Speed = 400;

    private const string Tariffs = """
        {
          "parking": [ { "id": "standard", "vat": 19, "freeFirst": "15m", "dailyCap": 24.00,
            "bands": [ { "name": "day", "from": "07:00", "to": "20:00", "pricePerUnit": 0.80, "unit": "15m" },
                       { "name": "night", "from": "20:00", "to": "07:00", "pricePerUnit": 1.50, "unit": "1h" } ] } ],
          "charging": [ { "id": "ac", "elements": [ { "priceComponents": [ { "type": "ENERGY", "price": 0.49, "vat": 19 }, { "type": "FLAT", "price": 0.50, "vat": 19 } ] } ] } ],
          "evBayRules": { "chargingStartGrace": "5m", "idleFeePerMinute": 0.20, "idleCap": 12.00, "idleVat": 19 }
        }
        """;

    /// <remarks>
    /// Explicit (<c>ParkCharge.Server.Tests -method "*ClusterBusyDay*" -explicit on</c>), not part of ./test.sh: at 400
    /// simulated seconds a real one, a real second of delay on a loaded machine is nearly seven simulated minutes, longer
    /// than a binding window, and two runs of the same day then decide a few bindings differently (seen under load 30+:
    /// one binding of 49 Bound by the bay camera on one node, Review on the cluster) whether or not a cluster is involved.
    /// It has not yet been seen to pass whole on this machine (every run was under load 30-45: parking and charging
    /// sessions agreed in the runs that got that far, the last failed on that one binding); slower speeds fit no 60-second budget.
    /// </remarks>
    [Fact(Explicit = true)]
    public async Task A_busy_morning_through_three_nodes_behind_a_balancer_gives_the_same_sessions_bindings_and_bills_as_one_node()
    {
        var ct = TestContext.Current.CancellationToken;
        var whole = BusyDayGenerator.Generate(new BusyDayOptions { Seed = 1, EvBays = 40, ArrivalsFrom = TimeSpan.FromHours(7), ArrivalsUntil = TimeSpan.FromHours(9.5) });
        var day = whole.Until(whole.Options.FirstDay.AddHours(10), TimeSpan.FromMinutes(20));
        var clock = new AcceleratedClock(day.Messages.First(m => m.Observation.ReceivedAt > whole.Options.FirstDay.AddHours(1)).Observation.ReceivedAt.AddSeconds(-30), Speed, start: false);
        var timeout = new Dictionary<string, string?> { ["ParkCharge:Ocpp:CallTimeoutSeconds"] = (30 * Speed).ToString(CultureInfo.InvariantCulture) };

        await using var single = await TestNode.StartAsync(StoreEngine.Postgres, postgres, timeout, b => b.Services.AddSingleton<TimeProvider>(clock));
        var database = await postgres.CreateDatabaseAsync();
        var nodes = new List<TestNode>();
        try
        {
            foreach (var name in new[] { "node-a", "node-b", "node-c" })
            {
                nodes.Add(await TestNode.StartAsync(
                    new StoreOptions { PostgresConnectionString = database, DataDirectory = TestStores.NewFolder(name) },
                    new Dictionary<string, string?>(timeout)
                    {
                        ["ParkCharge:NodeId"] = name,
                        ["ParkCharge:Cluster:Enabled"] = "true",
                        ["ParkCharge:Cluster:SiloPort"] = ProcessCluster.FreePort().ToString(CultureInfo.InvariantCulture),
                    },
                    b =>
                    {
                        b.Services.AddSingleton<TimeProvider>(clock);
                        OrleansOnRealTime(b.Services, Speed);
                    }));
            }

            var folder = TestStores.NewFolder("haproxy");
            await using var proxy = await HaProxy.StartAsync([.. nodes.Select((n, i) => ($"node{i}", n.BaseUri))], folder);

            // A quarter of the chargers and cameras through the balancer, the others straight to node a, b or c.
            var entries = new[] { proxy.Uri }.Concat(nodes.Select(n => n.BaseUri)).ToList();
            var toCluster = new BusyDayNodePlayer(day, proxy.Uri, TestNode.AdminKey, clock, NullLogger.Instance)
            {
                ServerFor = source => entries[source.Sum(c => c) % entries.Count],
                Tariffs = Tariffs,
            };
            var toSingle = new BusyDayNodePlayer(day, single.BaseUri, TestNode.AdminKey, clock, NullLogger.Instance) { Tariffs = Tariffs };
            clock.Start();

            await Task.WhenAll(toSingle.PlayAsync(ct), toCluster.PlayAsync(ct));

            Assert.Equal(0, toSingle.Refused);
            Assert.Equal(0, toCluster.Refused);
            Assert.Equal(toSingle.Sent, toCluster.Sent);
            var site = day.Site.Id.Value;
            var expected = await WhatTheApiShowsAsync(single.Http, site, ct);
            Assert.InRange(expected.Charging.Count, 30, 400);
            Assert.True(expected.Bills.Count >= 10, $"only {expected.Bills.Count} final bills");
            Assert.DoesNotContain(expected.Bindings, b => b.Contains("|Waiting|", StringComparison.Ordinal));
            var diverged = new List<string>();
            foreach (var node in nodes)
            {
                var seen = await WhatTheApiShowsAsync(node.Http, site, ct);
                var (one, three, set) = SetApartExitsDecidedByArrivalOrder(expected, seen);
                diverged.AddRange(set);
                Same("parking sessions", one.Parking, three.Parking);
                Same("charging sessions", one.Charging, three.Charging);
                Same("bindings", one.Bindings, three.Bindings);
                Same("final bills", one.Bills, three.Bills);
            }

            foreach (var line in diverged.Distinct(StringComparer.Ordinal))
            {
                TestContext.Current.TestOutputHelper?.WriteLine("exit decided by arrival order (set apart): " + line);
            }

            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{toCluster.Sent} messages and pushes each; {expected.Parking.Count} parking sessions, {expected.Charging.Count} charging sessions, {expected.Bindings.Count} bindings, {expected.Bills.Count} final bills agree"));
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Orleans takes its timers and timeouts from the node's <see cref="TimeProvider"/>, the accelerated clock here: each of
    /// its options' durations (probe and response timeouts, membership refresh, activation collection, …) is stretched by
    /// the clock's speed, so that in real time the silos behave as they do on a real clock.
    /// </summary>
    private static void OrleansOnRealTime(IServiceCollection services, double speed)
    {
        Assembly[] orleans = [typeof(ClusterMembershipOptions).Assembly, typeof(SiloMessagingOptions).Assembly, typeof(GrainCollectionOptions).Assembly, typeof(ClusterOptions).Assembly];
        var types = orleans.Distinct()
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetConstructor(Type.EmptyTypes) is not null)
            .ToList();
        foreach (var type in types)
        {
            services.AddSingleton(typeof(IPostConfigureOptions<>).MakeGenericType(type), Activator.CreateInstance(typeof(Stretched<>).MakeGenericType(type), speed)!);
        }
    }

    private sealed class Stretched<T>(double speed) : IPostConfigureOptions<T>
        where T : class
    {
        public void PostConfigure(string? name, T options)
        {
            foreach (var property in typeof(T).GetProperties().Where(p => p.PropertyType == typeof(TimeSpan) && p is { CanRead: true, CanWrite: true } && p.Name is not ("MinProbeTimeout" or "MaxProbeTimeout")))
            {
                var value = (TimeSpan)property.GetValue(options)!;
                // (Not the bounds the probe timeout is checked against: they are set from it.)
                if (value > TimeSpan.Zero && value.Ticks < TimeSpan.MaxValue.Ticks / 1000)
                {
                    property.SetValue(options, TimeSpan.FromTicks((long)(value.Ticks * speed)));
                }
            }
        }
    }

    /// <summary>
    /// A finding of this test, set apart rather than hidden: an exit read one OCR error from the plate of a stay inside
    /// closes that stay (<c>MatchedBySimilarity</c>) unless the car is charging at that moment, in which case it becomes an
    /// exit without entry (ParkingRules.Exit, "another car, not that one leaving"). Whether the car is still charging is
    /// what the engine knows when the read is decided: when its charger's stop is decided first the stay is closed, when
    /// the read comes first it is not, and the decision is not taken again when the stop arrives. The charger and the
    /// camera are different sources, so on any two runs (one node or three) a read and a stop a few simulated seconds
    /// apart can be decided in either order. Only that pair — the same exit read, <c>ExitWithoutEntry</c> on one side and
    /// <c>MatchedBySimilarity</c> on the other — and the stays and bills it touches are set apart; every other difference fails.
    /// </summary>
    private static (Seen One, Seen Three, List<string> SetApart) SetApartExitsDecidedByArrivalOrder(Seen one, Seen three)
    {
        static string Key(string line) => line[..line.IndexOf('|', StringComparison.Ordinal)];
        static string[] Fields(string line) => line.Split('|');
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var setApart = new List<string>();
        foreach (var (a, b) in new[] { (one.Parking, three.Parking), (three.Parking, one.Parking) })
        {
            foreach (var orphan in a.Except(b, StringComparer.Ordinal).Where(l => Fields(l) is [_, "Closed", _, "ExitRead", _, _, var anomalies] && anomalies.Contains("ExitWithoutEntry", StringComparison.Ordinal)))
            {
                var exit = Fields(orphan)[2];
                if (b.Except(a, StringComparer.Ordinal).FirstOrDefault(l => Fields(l) is [_, "Closed", var at, "ExitRead", _, _, var anomalies] && at == exit && anomalies.Contains("MatchedBySimilarity", StringComparison.Ordinal)) is { } matched)
                {
                    keys.Add(Key(orphan));
                    keys.Add(Key(matched));
                    setApart.Add($"{orphan}  <->  {matched}");
                }
            }
        }

        Seen Without(Seen seen) => seen with
        {
            Parking = [.. seen.Parking.Where(l => !keys.Contains(Key(l)))],
            Bills = [.. seen.Bills.Where(l => !keys.Contains(Key(l)))],
            Bindings = [.. seen.Bindings.Where(l => !keys.Contains(Fields(l)[3]))],
        };

        return (Without(one), Without(three), setApart);
    }

    private static void Same(string what, List<string> expected, List<string> actual)
    {
        var missing = expected.Except(actual, StringComparer.Ordinal).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0 && extra.Count == 0 && expected.Count == actual.Count,
            $"{what} differ ({expected.Count} on one node, {actual.Count} on the cluster)\none node only:\n  {string.Join("\n  ", missing)}\ncluster only:\n  {string.Join("\n  ", extra)}");
    }

    /// <summary>
    /// The site's parking sessions, charging sessions, bindings and final bills as lines of text, sorted, with every id
    /// a node makes up (parking and charging session ids, 1.6 transaction ids) replaced by what identifies the thing in
    /// the day itself: a stay by its plate and entry, a charging session by its charger, connector and start.
    /// </summary>
    private static async Task<Seen> WhatTheApiShowsAsync(HttpClient http, string site, CancellationToken ct)
    {
        var parking = new Dictionary<string, string>(StringComparer.Ordinal);
        var parkingLines = new List<string>();
        foreach (var s in await AllAsync(http, $"/api/v1/parking-sessions?siteId={site}", ct))
        {
            var key = $"{s.GetProperty("plate").GetString()}@{Text(s, "enteredAt")}";
            parking[s.GetProperty("id").GetString()!] = key;
            parkingLines.Add($"{key}|{Text(s, "status")}|{Text(s, "exitedAt")}|{Text(s, "closedBy")}|{Text(s, "entryLane")}|{Text(s, "exitLane")}|{string.Join(",", s.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal))}");
        }

        var charging = new Dictionary<string, string>(StringComparer.Ordinal);
        var chargingLines = new List<string>();
        foreach (var s in await AllAsync(http, $"/api/v1/charging-sessions?siteId={site}", ct))
        {
            // A 1.6 transaction id is the node's number (the order of starts at the site decides it); 2.0.1's is the charger's.
            var key = Text(s, "transactionId").All(char.IsAsciiDigit)
                ? $"{Text(s, "chargerId")}/{Text(s, "connectorId")}@{Text(s, "startedAt")}/{Text(s, "meterStartWh")}"
                : $"{Text(s, "chargerId")}/{Text(s, "evseId")}/{Text(s, "connectorId")}#{Text(s, "transactionId")}";
            charging[s.GetProperty("id").GetString()!] = key;
            chargingLines.Add($"{key}|{Text(s, "status")}|{Text(s, "stoppedAt")}|{Text(s, "stopReason")}|{Text(s, "meterStartWh")}|{Text(s, "meterStopWh")}|{Text(s, "energyWh")}|{Text(s, "energyMethod")}|{string.Join(",", s.GetProperty("anomalies").EnumerateArray().Select(a => a.GetString()).Where(a => a != "DeliveredLate").Order(StringComparer.Ordinal))}");
        }

        var bindingLines = new List<string>();
        foreach (var b in await AllAsync(http, $"/api/v1/bindings?siteId={site}&status=Waiting,Bound,Provisional,Review", ct))
        {
            var stay = b.GetProperty("parkingSessionId").GetString() is { } id ? parking.GetValueOrDefault(id, "unknown stay " + id) : "";
            bindingLines.Add($"{charging.GetValueOrDefault(b.GetProperty("chargingSessionId").GetString()!, "unknown")}|{Text(b, "status")}|{Text(b, "plate")}|{stay}|{Text(b, "method")}|{Text(b, "tentative")}");
        }

        var billLines = new List<string>();
        foreach (var (id, key) in parking)
        {
            using var document = JsonDocument.Parse(await GetAsync(http, $"/api/v1/parking-sessions/{id}/bill", ct));
            var bill = document.RootElement.GetProperty("bill");
            if (Text(bill, "status") != "Final")
            {
                continue; // an estimate runs until now: compared once final
            }

            var text = new StringBuilder($"{key}|{Text(document.RootElement, "status")}|{Text(bill, "until")}|{Text(document.RootElement, "balanceDue")}");
            foreach (var line in bill.GetProperty("lines").EnumerateArray())
            {
                var session = line.TryGetProperty("chargingSessionId", out var c) && c.GetString() is { } cid ? charging.GetValueOrDefault(cid, "unknown") : "";
                text.Append(CultureInfo.InvariantCulture, $"\n    {Text(line, "kind")} {Text(line, "rule")} {Text(line, "from")}–{Text(line, "to")} {Text(line, "quantity")} {Text(line, "unit")} × {Text(line, "unitPrice")} = {Text(line, "amountExclVat")} + {Text(line, "vat")} {session}");
            }

            billLines.Add(text.ToString());
        }

        return new Seen([.. parkingLines.Order(StringComparer.Ordinal)], [.. chargingLines.Order(StringComparer.Ordinal)], [.. bindingLines.Order(StringComparer.Ordinal)], [.. billLines.Order(StringComparer.Ordinal)]);
    }

    private static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Null => "",
            JsonValueKind.String => value.GetString()!,
            _ => value.GetRawText(),
        } : "";

    /// <summary>Every item of a paged list, page after page (500 at a time).</summary>
    private static async Task<List<JsonElement>> AllAsync(HttpClient http, string path, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await GetAsync(http, $"{path}&limit=500{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}", ct));
            items.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.Clone()));
            cursor = page.RootElement.GetProperty("next").GetString();
        }
        while (cursor is not null);
        return items;
    }

    /// <summary>A GET with the admin key that must succeed; over the key's rate limit (a bill per stay is many calls) it waits as told.</summary>
    private static async Task<string> GetAsync(HttpClient http, string path, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if ((int)response.StatusCode == 429 && attempt < 30)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), ct);
                continue;
            }

            Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
            return body;
        }
    }

    private sealed record Seen(List<string> Parking, List<string> Charging, List<string> Bindings, List<string> Bills);
}
