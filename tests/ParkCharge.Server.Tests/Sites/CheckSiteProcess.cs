namespace ParkCharge.Server.Tests.Sites;

/// <summary><c>parkcharge check-site FILE...</c> run as an operator runs it: a process, its output and its exit code.</summary>
internal static class CheckSiteProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] files)
    {
        var (exitCode, output, error) = await ParkChargeProcess.RunAsync(environment, ["check-site", .. files]);
        return (exitCode, output + error);
    }
}
