using System.Diagnostics;

using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Tests.Events;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>Events between the nodes of a cluster: the live stream of every node shows what any node committed, pushed, not polled.</summary>
public sealed class ClusterEventTests(PostgresServer postgres)
{
    [Fact]
    public async Task An_event_committed_on_one_node_is_pushed_to_the_live_streams_of_every_other_node()
    {
        // The nodes poll the store for other nodes' events once an hour only: an event another node committed reaches
        // a stream in time only when that node pushes it.
        await using var cluster = await ProcessCluster.StartAsync(postgres, 3, "--ParkCharge:Events:PollInterval", "01:00:00");
        var ct = TestContext.Current.CancellationToken;

        // Each node registers in the node directory every 3 s and learns the others from it: give them two rounds.
        await Task.Delay(TimeSpan.FromSeconds(7), ct);

        var streams = new List<SseClient>();
        try
        {
            foreach (var node in cluster.Nodes)
            {
                var stream = await SseClient.OpenAsync(node.Http, "?site=default");
                streams.Add(stream);
                await stream.NextAsync(ct); // the opening comment: the stream stands at the end of the site now
            }

            // The charger's messages land on b; the site's engine (wherever it runs) commits the events on its node, so
            // at least two of the three streams are on nodes that did not commit them.
            await using var charger = await TestCharger.ConnectAsync(cluster[1].OcppUri("CL-EV-1"), Core.Charging.OcppVersion.Ocpp16);
            await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Cluster" });
            var booted = Stopwatch.StartNew();

            var seen = new List<string>();
            foreach (var (node, stream) in cluster.Nodes.Zip(streams))
            {
                // Heartbeats keep the stream alive: without the push, only this deadline would end the wait.
                var events = await stream.EventsUntilAsync(e => e.Any(m => m.Data!.Contains("\"charger.booted\"", StringComparison.Ordinal)))
                    .WaitAsync(TimeSpan.FromSeconds(30), ct);
                Assert.Contains(events, m => m.Data!.Contains("CL-EV-1", StringComparison.Ordinal));
                seen.Add($"{node.Name} after {booted.ElapsedMilliseconds} ms");
            }

            TestContext.Current.TestOutputHelper?.WriteLine("charger.booted seen on " + string.Join(", ", seen));
        }
        finally
        {
            foreach (var stream in streams)
            {
                stream.Dispose();
            }
        }
    }
}
