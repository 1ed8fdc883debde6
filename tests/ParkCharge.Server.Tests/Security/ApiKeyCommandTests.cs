using System.Net;

using ParkCharge.Storage;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Security;

/// <summary><c>parkcharge api-key create|list|revoke</c> as an operator runs it, on the data folder a node then serves.</summary>
public sealed class ApiKeyCommandTests
{
    [Fact]
    public async Task A_key_created_on_the_command_line_works_once_the_node_serves_that_store_and_a_revoked_one_does_not()
    {
        var data = TestStores.NewFolder("cli");

        var (created, createOutput) = await RunAsync("api-key", "create", "--role", "operator", "--name", "night shift", "--allow", "127.0.0.1", "--data", data);
        var (_, spareOutput) = await RunAsync("api-key", "create", "--role", "integrator", "--name", "spare", "--data", data);
        var key = createOutput.Trim().Split('\n')[^1].Trim();
        var spareKey = spareOutput.Trim().Split('\n')[^1].Trim();
        var spareId = spareOutput.Split(' ')[1];
        var (revoked, revokeOutput) = await RunAsync("api-key", "revoke", spareId, "--data", data);
        var (listed, listOutput) = await RunAsync("api-key", "list", "--data", data);
        var (invalid, invalidOutput) = await RunAsync("api-key", "create", "--role", "root", "--name", "x", "--allow", "10.0.0.1/8", "--data", data);

        Assert.Equal([0, 0, 0, 1], [created, revoked, listed, invalid]);
        Assert.StartsWith("pck_", key, StringComparison.Ordinal);
        Assert.Contains($"Revoked {spareId}.", revokeOutput, StringComparison.Ordinal);
        Assert.Contains("operator", listOutput, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1/32", listOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(key, listOutput, StringComparison.Ordinal);
        Assert.Contains("--role:", invalidOutput, StringComparison.Ordinal);
        Assert.Contains("--allow:", invalidOutput, StringComparison.Ordinal);

        await using var node = await TestNode.StartAsync(new StoreOptions { DataDirectory = data });
        using var operatorClient = node.ClientWith(key);
        using var spareClient = node.ClientWith(spareKey);
        using var read = await operatorClient.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
        using var refused = await spareClient.GetAsync("/api/v1/chargers", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>The command on the SQLite store of the data folder, whatever PostgreSQL the test run has.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var (exitCode, output, error) = await ParkChargeProcess.RunAsync(new Dictionary<string, string?> { ["PARKCHARGE_POSTGRES"] = null }, arguments);
        return (exitCode, output + error);
    }
}
