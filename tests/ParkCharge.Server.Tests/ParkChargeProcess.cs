using System.Diagnostics;

namespace ParkCharge.Server.Tests;

/// <summary>The <c>parkcharge</c> executable run as an operator runs it: a process, its output, its errors and its exit code.</summary>
internal static class ParkChargeProcess
{
    /// <summary>
    /// How the tests start <c>parkcharge</c> (<see cref="RunAsync"/>, and <see cref="ServerProcess"/> for the
    /// commands that keep running): the test's build of it, with <paramref name="environment"/> on top of the
    /// test's own (a null value removes a variable).
    /// </summary>
    public static ProcessStartInfo StartInfo(IEnumerable<KeyValuePair<string, string?>> environment, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "parkcharge.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        return start;
    }

    /// <summary>Runs a command to its end (at most a minute) and returns its exit code, standard output and standard error.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(environment, arguments))!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
