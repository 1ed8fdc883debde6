using System.Net;
using System.Net.Http.Json;

using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Tests.Events;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>Webhooks in a cluster: every node could deliver a subscription, one at a time does (the lease in its row).</summary>
public sealed class ClusterWebhookTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_subscription_is_delivered_by_one_node_at_a_time_so_each_event_arrives_once()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var cluster = await ProcessCluster.StartAsync(postgres, 3, "--ParkCharge:Webhooks:AllowedPrivateTargets:0", "127.0.0.1");
        await using var receiver = await WebhookReceiver.StartAsync(TimeProvider.System);
        using (var created = await cluster[0].Http.PostAsJsonAsync("/api/v1/webhooks", new { url = receiver.Url.ToString(), eventTypes = new[] { "charger.booted" } }, ct))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        // The nodes share the data protection keys, as docs/operators.md asks: each of them can sign the deliveries.
        var keys = Path.Combine(cluster.Folder, cluster[0].Name, "keys");
        foreach (var node in cluster.Nodes.Skip(1))
        {
            var theirs = Directory.CreateDirectory(Path.Combine(cluster.Folder, node.Name, "keys")).FullName;
            foreach (var key in Directory.GetFiles(keys, "*.xml"))
            {
                File.Copy(key, Path.Combine(theirs, Path.GetFileName(key)), overwrite: true);
            }
        }

        // Chargers boot on every node; each node hears of the events (its own commits, the others' pushes) and wakes its deliverer.
        var chargers = Enumerable.Range(1, 6).Select(i => $"CL-WH-{i}").ToList();
        for (var i = 0; i < chargers.Count; i++)
        {
            await using var charger = await TestCharger.ConnectAsync(cluster[i % 3].OcppUri(chargers[i]), Core.Charging.OcppVersion.Ocpp16);
            await charger.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Cluster" });
        }

        var patience = DateTime.UtcNow.AddSeconds(60);
        while (!chargers.All(c => receiver.Accepted.Any(d => Text(d).Contains(c, StringComparison.Ordinal))))
        {
            Assert.True(DateTime.UtcNow < patience, $"not every boot was delivered: {receiver.Accepted.Count} deliveries");
            await Task.Delay(100, ct);
        }

        // One more event, delivered after all of those: a second deliverer would have repeated some by now.
        await using (var last = await TestCharger.ConnectAsync(cluster[2].OcppUri("CL-WH-LAST"), Core.Charging.OcppVersion.Ocpp16))
        {
            await last.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Cluster" });
        }

        while (!receiver.Accepted.Any(d => Text(d).Contains("CL-WH-LAST", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < patience.AddSeconds(30), "the last boot was not delivered");
            await Task.Delay(100, ct);
        }

        var ids = receiver.Received.Select(d => d.Envelope.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        Assert.Equal(chargers.Count + 1, ids.Count);
    }

    private static string Text(ReceivedDelivery delivery) => System.Text.Encoding.UTF8.GetString(delivery.Body);
}
