using System.Text.RegularExpressions;

using ParkCharge.Server.Sandbox;
using ParkCharge.Testing;

namespace ParkCharge.Server.Tests.Sandbox;

/// <summary><c>parkcharge simulate</c> against a node that runs on real time, as someone else's server does.</summary>
public sealed partial class SimulateCommandTests(PostgresServer postgres)
{
    /// <summary>Traffic at any hour (the run plays the hour before now, whatever the time of day).</summary>
    private static readonly string AnyHour = SandboxScenario.Scenario
        .Replace("duration: 2h", "duration: 1h", StringComparison.Ordinal)
        .Replace("speed: 1200", "speed: 720", StringComparison.Ordinal)
        .Replace("perHour: 0 }\n  - { from: \"08:00\", perHour: 10 }\n  - { from: \"09:00\", perHour: 0 }", "perHour: 20 }", StringComparison.Ordinal);

    [Fact]
    public async Task Simulate_plays_the_past_hour_compressed_against_a_running_node_and_summarises_what_the_API_shows()
    {
        Assert.Contains("perHour: 20 }", AnyHour, StringComparison.Ordinal);
        using var files = new SandboxScenario(AnyHour);
        await using var node = await TestNode.StartAsync(StoreEngine.Sqlite, postgres);
        var output = new StringWriter();

        var exit = await SimulateCommand.RunAsync(node.BaseUri.ToString(), files.Path, TestNode.AdminKey, speed: null, seed: null, skipSite: false, output, TestContext.Current.CancellationToken);

        var text = output.ToString();
        Assert.True(exit == SimulateCommand.Ok, text);
        Assert.Contains("The server's view:", text, StringComparison.Ordinal);
        var sessions = int.Parse(ParkingSessions().Match(text).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sessions > 0, text);
        var listed = await SandboxScenario.AllAsync(node.Http, "/api/v1/parking-sessions?siteId=sim-site");
        Assert.Equal(sessions, listed.Count);

        // No stamp ran ahead of the node's clock: every entry lies in the hour before the run ended.
        Assert.All(listed, s => Assert.InRange(s.GetProperty("enteredAt").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(-62), DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task A_scenario_with_problems_is_refused_with_every_problem_and_exit_code_1()
    {
        using var files = new SandboxScenario(AnyHour.Replace("evShare: 0.6", "evShare: 6", StringComparison.Ordinal).Replace("duration: 1h", "duration: soon", StringComparison.Ordinal));
        var output = new StringWriter();

        var exit = await SimulateCommand.RunAsync("http://127.0.0.1:1", files.Path, "pck_any", null, null, false, output, TestContext.Current.CancellationToken);

        Assert.Equal(SimulateCommand.BadScenario, exit);
        Assert.Contains("evShare", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("duration", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_ends_the_command_with_exit_code_2()
    {
        using var files = new SandboxScenario(AnyHour);
        var output = new StringWriter();

        var exit = await SimulateCommand.RunAsync("http://127.0.0.1:1", files.Path, "pck_any", null, null, false, output, TestContext.Current.CancellationToken);

        Assert.Equal(SimulateCommand.ServerProblem, exit);
        Assert.Contains("cannot be reached", output.ToString(), StringComparison.Ordinal);
    }

    [GeneratedRegex(@"parking sessions\s+(\d+)")]
    private static partial Regex ParkingSessions();
}
