using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.Rpc;
using ParkCharge.Ocpp.V16;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>
/// A node of a three-node cluster killed (SIGKILL) behind a real HAProxy while chargers stream messages and
/// cameras push reads through it: nothing acknowledged is lost, every site answers again, every charger is back.
/// Outcomes are asserted, not timings; the times seen are written to the test's output.
/// </summary>
public sealed class ClusterFailoverTests(PostgresServer postgres)
{
    private const int Sites = 6;
    private const int ChargersPerSite = 2;
    private const string Password = "charger-password-0123";
    private const string PlateLetters = "ACEFHJKLMNPRTVWXY3479";

    [Fact]
    public Task Killing_a_node_loses_nothing_acknowledged_and_its_chargers_and_sites_come_back_through_the_balancer() =>
        FailoverAsync(async cluster => (cluster[1], await SitesOfAsync(cluster[1])));

    [Fact]
    public Task Killing_the_node_that_runs_the_most_sites_loses_nothing_acknowledged_and_its_sites_answer_on_the_others() =>
        FailoverAsync(async cluster =>
        {
            var counted = new List<(ClusterNode Node, int Sites)>();
            foreach (var node in cluster.Nodes)
            {
                counted.Add((node, await SitesOfAsync(node)));
            }

            var most = counted.MaxBy(c => c.Sites);
            Assert.True(most.Sites > 0, "no node runs a site engine");
            return most;
        });

    private async Task FailoverAsync(Func<ProcessCluster, Task<(ClusterNode Node, int Sites)>> choose)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await ProcessCluster.StartAsync(postgres, 3, "--ParkCharge:Metrics:Enabled", "true");
        await using var proxy = await HaProxy.StartAsync(cluster, cluster.Folder);
        for (var s = 1; s <= Sites; s++)
        {
            using var put = await cluster[0].Http.PutAsync($"/api/v1/sites/{SiteId(s)}", new StringContent(SiteDocument(s), Encoding.UTF8, "application/json"), ct);
            Assert.True(put.IsSuccessStatusCode, $"site {SiteId(s)}: {(int)put.StatusCode} {await put.Content.ReadAsStringAsync(ct)}");
        }

        var clock = Stopwatch.StartNew();
        var chargers = Enumerable.Range(1, Sites).SelectMany(s => Enumerable.Range(1, ChargersPerSite).Select(c => new Source(SiteId(s), $"{SiteId(s).ToUpperInvariant()}-CP{c}", clock))).ToList();
        var cameras = Enumerable.Range(1, Sites).Select(s => new Source(SiteId(s), $"{SiteId(s)}-in", clock)).ToList();
        using var stop = new CancellationTokenSource();
        var running = chargers.Select(c => Task.Run(() => RunChargerAsync(proxy, c, stop.Token), ct))
            .Concat(cameras.Select(c => Task.Run(() => RunCameraAsync(proxy, c, stop.Token), ct))).ToList();
        var all = chargers.Concat(cameras).ToList();
        try
        {
            // Everyone is at work through the balancer, then a node dies.
            await UntilAsync(() => all.All(s => s.Acknowledged.Count >= 3), "every charger and camera acknowledged three times", all);
            var (victim, victimSites) = await choose(cluster);
            var killedAt = clock.Elapsed;
            foreach (var source in all)
            {
                source.Killed();
            }

            await victim.Process.KillAsync();

            // Every charger and camera acknowledged twice more since (the dead node's chargers reconnected and booted).
            await UntilAsync(() => all.All(s => s.AcknowledgedSinceKill >= 2), "everyone is back", all);
            await stop.CancelAsync();
            await Task.WhenAll(running);

            var survivor = cluster.Nodes.First(n => n != victim);
            foreach (var charger in chargers)
            {
                var logged = await LoggedInfosAsync(survivor, charger.Id);
                Assert.All(charger.Acknowledged, m => Assert.Contains(m, logged));
            }

            foreach (var site in cameras.GroupBy(c => c.Site))
            {
                var opened = await OpenedPlatesAsync(survivor, site.Key);
                Assert.All(site.SelectMany(c => c.Acknowledged), plate => Assert.Contains(plate, opened));
            }

            // Every site answers on the survivors (the dead node's sites are running elsewhere).
            foreach (var node in cluster.Nodes.Where(n => n != victim))
            {
                for (var s = 1; s <= Sites; s++)
                {
                    using var site = await node.Http.GetAsync($"/api/v1/parking-sessions?site={SiteId(s)}&limit=1", ct);
                    Assert.Equal(HttpStatusCode.OK, site.StatusCode);
                }
            }

            // Each site's camera pushes through any node: its first read acknowledged after the kill is the site answering again.
            var sitesBack = cameras.Max(c => c.FirstAckAfterKill!.Value) - killedAt;
            var reconnected = chargers.Where(c => c.BootedAfterKill is not null).ToList();
            var chargersBack = reconnected.Select(c => c.BootedAfterKill!.Value - killedAt).DefaultIfEmpty().Max();
            TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"killed {victim.Name} (ran {victimSites} of {Sites} site engines): every site answering again after {sitesBack.TotalSeconds:F1} s, " +
                $"its {reconnected.Count} chargers all reconnected and booted after {chargersBack.TotalSeconds:F1} s; acknowledged {chargers.Sum(c => c.Acknowledged.Count)} charger messages, {cameras.Sum(c => c.Acknowledged.Count)} reads"));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static string SiteId(int s) => $"f{s.ToString(CultureInfo.InvariantCulture)}";

    private static string SiteDocument(int s) => $$"""
        {
          "id": "{{SiteId(s)}}",
          "name": "Failover {{s}}",
          "timeZone": "Europe/Berlin",
          "currency": "EUR",
          "ordinaryBays": 500,
          "lanes": [ { "id": "in", "direction": "entry", "cameras": [ { "id": "{{SiteId(s)}}-in", "format": "generic", "key": "{{CameraKey(SiteId(s))}}" } ] } ],
          "chargers": [ {{string.Join(", ", Enumerable.Range(1, ChargersPerSite).Select(c => $$"""{ "id": "{{SiteId(s).ToUpperInvariant()}}-CP{{c}}", "password": "{{Password}}", "securityProfile": 1 }"""))}} ]
        }
        """;

    private static string CameraKey(string site) => $"{site}-camera-key-0123456789";

    /// <summary>The sites whose engines run on the node (its engine queue gauge has one series per running engine).</summary>
    private static async Task<int> SitesOfAsync(ClusterNode node)
    {
        var scrape = await node.Http.GetStringAsync("/metrics");
        return scrape.Split('\n').Count(l => l.StartsWith("parkcharge_engine_queue_depth{", StringComparison.Ordinal) && l.Contains("site=\"f", StringComparison.Ordinal));
    }

    /// <summary>A charger: connects through the balancer, boots, sends numbered status notifications; reconnects whenever its connection is lost.</summary>
    private static async Task RunChargerAsync(HaProxy proxy, Source charger, CancellationToken stop)
    {
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            TestCharger? connection = null;
            try
            {
                connection = await TestCharger.ConnectAsync(proxy.OcppUri(charger.Id), OcppVersion.Ocpp16, Password);
                var boot = await connection.Rpc.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Failover" }, stop);
                if (boot is not { Status: RpcCallStatus.Completed, Response.Status: RegistrationStatus.Accepted })
                {
                    throw new InvalidOperationException($"boot ended {boot.Status}");
                }

                charger.Booted();
                while (!stop.IsCancellationRequested)
                {
                    var info = $"m{(++n).ToString(CultureInfo.InvariantCulture)}";
                    var sent = await connection.Rpc.CallAsync(V16Actions.StatusNotification, new StatusNotificationRequest
                    {
                        ConnectorId = 1,
                        ErrorCode = ChargePointErrorCode.NoError,
                        Status = n % 2 == 0 ? ChargePointStatus.Available : ChargePointStatus.Preparing,
                        Info = info,
                        Timestamp = DateTimeOffset.UtcNow,
                    }, stop);
                    if (sent.Status == RpcCallStatus.Completed)
                    {
                        charger.Acknowledge(info);
                    }
                    else if (sent.Status != RpcCallStatus.Rejected)
                    {
                        break; // the connection is gone: connect again through the balancer
                    }

                    await Task.Delay(50, stop);
                }
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
            finally
            {
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                }
            }
        }
    }

    /// <summary>A gate camera: pushes a new plate through the balancer again and again; retries what was not answered 200.</summary>
    private static async Task RunCameraAsync(HaProxy proxy, Source camera, CancellationToken stop)
    {
        using var http = new HttpClient { BaseAddress = proxy.Uri, Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CameraKey(camera.Site));
        var random = new Random(camera.Id.GetHashCode(StringComparison.Ordinal));
        var plate = NextPlate();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var response = await http.PostAsJsonAsync("/api/v1/anpr/reads", new { cameraId = camera.Id, plate, confidence = 0.95, capturedAt = DateTimeOffset.UtcNow }, stop);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    camera.Acknowledge(plate);
                    plate = NextPlate();
                }

                await Task.Delay(100, stop);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await Task.Delay(100, CancellationToken.None);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        // Random plates of letters and digits that OCR does not confuse: plates a character apart would be taken for misreads of one.
        string NextPlate() => new([.. Enumerable.Range(0, 7).Select(_ => PlateLetters[random.Next(PlateLetters.Length)])]);
    }

    private static async Task UntilAsync(Func<bool> done, string what, IReadOnlyList<Source> sources)
    {
        var patience = DateTime.UtcNow.AddSeconds(120);
        while (!done())
        {
            if (DateTime.UtcNow > patience)
            {
                Assert.Fail($"not seen in time: {what}; {string.Join(", ", sources.Select(s => $"{s.Id}: {s.Acknowledged.Count} acks, {s.AcknowledgedSinceKill} since the kill"))}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The <c>info</c> of every status notification in the charger's status timeline: a projection written in the
    /// same transaction as the log, so it holds every status that was answered. (Not the message log: its frames are
    /// written without holding up answers, and a killed node may lose its last few — docs/operators.md says so.)
    /// </summary>
    private static async Task<HashSet<string>> LoggedInfosAsync(ClusterNode node, string charger)
    {
        using var timeline = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/chargers/{charger}/status-history?from=2000-01-01T00:00:00Z&limit=10000"));
        return [.. timeline.RootElement.EnumerateArray().Select(e => e.GetProperty("info").GetString()).OfType<string>()];
    }

    /// <summary>The plates of every parking session the site opened (its <c>parking.session_opened</c> events, all pages).</summary>
    private static async Task<string> OpenedPlatesAsync(ClusterNode node, string site)
    {
        var text = new StringBuilder();
        var after = 0L;
        while (true)
        {
            using var page = JsonDocument.Parse(await node.Http.GetStringAsync($"/api/v1/events?site={site}&after={after}&limit=500&type=parking.session_opened"));
            foreach (var e in page.RootElement.GetProperty("items").EnumerateArray())
            {
                text.Append(e.GetProperty("data").GetRawText()).Append('\n');
            }

            if (page.RootElement.GetProperty("next").GetString() is not { } next)
            {
                return text.ToString();
            }

            after = long.Parse(next, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>A charger or a camera of the test: what was acknowledged to it, and when it was back after the kill.</summary>
    private sealed class Source(string site, string id, Stopwatch clock)
    {
        private volatile bool _killed;
        private int _sinceKill;

        public string Site { get; } = site;

        public string Id { get; } = id;

        public ConcurrentQueue<string> Acknowledged { get; } = new();

        public int AcknowledgedSinceKill => Volatile.Read(ref _sinceKill);

        public TimeSpan? FirstAckAfterKill { get; private set; }

        public TimeSpan? BootedAfterKill { get; private set; }

        public void Killed() => _killed = true;

        public void Booted()
        {
            if (_killed)
            {
                BootedAfterKill ??= Now;
            }
        }

        public void Acknowledge(string what)
        {
            Acknowledged.Enqueue(what);
            if (_killed)
            {
                FirstAckAfterKill ??= Now;
                Interlocked.Increment(ref _sinceKill);
            }
        }

        private TimeSpan Now => clock.Elapsed;
    }
}
