using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using ParkCharge.Core.Charging;
using ParkCharge.Ocpp.V16;
using ParkCharge.Server.Tests.Commands;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Cluster;

/// <summary>
/// Three real nodes in cluster mode on one PostgreSQL database: a command issued on any node reaches the charger
/// over the socket another node holds, and follows the charger when it reconnects to a third.
/// </summary>
public sealed class ClusterCommandTests(PostgresServer postgres)
{
    [Fact]
    public async Task A_command_issued_on_one_node_reaches_the_charger_on_another_and_follows_it_when_it_reconnects_elsewhere()
    {
        await using var cluster = await ProcessCluster.StartAsync(postgres, 3);
        var (a, b, c) = (cluster[0], cluster[1], cluster[2]);

        // The site's engine runs on one of the three nodes: whichever it is, at least one of the two commands is
        // decided on one node and sent over a socket another node holds, and each is issued on a third (a).
        var onC = new ChargerScript();
        Assert.Equal("Accepted", await ResetAsync(issuer: a, holder: c, onC, "CL-1"));

        var onB = new ChargerScript();
        Assert.Equal("Accepted", await ResetAsync(issuer: a, holder: b, onB, "CL-1"));

        Assert.Single(onC.All, call => call.Action == "Reset");
        Assert.Single(onB.All, call => call.Action == "Reset");
    }

    /// <summary>Connects the charger to <paramref name="holder"/>, issues a reset on <paramref name="issuer"/> and returns the command's final status.</summary>
    private static async Task<string> ResetAsync(ClusterNode issuer, ClusterNode holder, ChargerScript script, string charger)
    {
        await using var connection = await TestCharger.ConnectAsync(holder.OcppUri(charger), OcppVersion.Ocpp16, handler: script);
        var boot = await connection.CallAsync(V16Actions.BootNotification, new BootNotificationRequest { ChargePointVendor = "Test", ChargePointModel = "Cluster" });
        Assert.Equal(RegistrationStatus.Accepted, boot.Status);

        using var response = await issuer.Http.PostAsJsonAsync("/api/v1/commands", new { type = "reset", chargerId = charger }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("id").GetString()!;

        await script.NextAsync("Reset");
        string? status = null;
        var patience = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < patience)
        {
            using var command = JsonDocument.Parse(await issuer.Http.GetStringAsync($"/api/v1/commands/{id}", TestContext.Current.CancellationToken));
            status = command.RootElement.GetProperty("status").GetString();
            if (status is not ("Pending" or "Sent"))
            {
                break;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }

        return status!;
    }
}
