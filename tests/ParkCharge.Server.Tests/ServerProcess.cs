using System.Diagnostics;
using System.Text.RegularExpressions;

using ParkCharge.Testing;

namespace ParkCharge.Server.Tests;

/// <summary>
/// <c>parkcharge serve</c> as a real operating-system process, for what an in-process host cannot
/// show: the command line, the start-up banner, and a crash (SIGKILL) in the middle of work.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _nextLine = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Exited += (_, _) =>
        {
            _listening.TrySetException(new InvalidOperationException($"parkcharge exited with {_process.ExitCode} before it listened:\n{Output}"));
            Volatile.Read(ref _nextLine).TrySetResult();
        };
        _process.EnableRaisingEvents = true;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    public int Id => _process.Id;

    /// <summary>Completes when the process prints its next line (or ends): the moment to look at its output or its API again.</summary>
    public Task NextLine => Volatile.Read(ref _nextLine).Task;

    /// <summary>Waits until the process has printed <paramref name="text"/>; fails when it does not within <see cref="Eventually.Patience"/>.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        if (!await Eventually.UntilAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal)), printed => printed, () => NextLine))
        {
            Assert.Fail($"parkcharge never printed '{text}':\n{Output}");
        }
    }

    /// <summary>Starts <c>parkcharge serve</c> with the arguments, in <paramref name="workingDirectory"/>, and waits until it listens.</summary>
    public static Task<(ServerProcess Process, Uri BaseUri)> StartAsync(string workingDirectory, IDictionary<string, string> environment, params string[] arguments) =>
        StartCommandAsync("serve", workingDirectory, environment, arguments);

    /// <summary>Starts <c>parkcharge {command}</c> (a command that runs a node: serve, demo) and waits until it listens.</summary>
    public static async Task<(ServerProcess Process, Uri BaseUri)> StartCommandAsync(string command, string workingDirectory, IDictionary<string, string> environment, params string[] arguments)
    {
        var start = ParkChargeProcess.StartInfo(environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)), [command, .. arguments], workingDirectory);
        var server = new ServerProcess(Process.Start(start)!);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var uri = await server._listening.Task.WaitAsync(timeout.Token);
        return (server, uri);
    }

    /// <summary>Kills the process outright (SIGKILL): no shutdown code runs, as in a power cut of the process.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Ctrl+C (SIGINT), as a user stops it; returns the exit code, or null if it did not stop in time.</summary>
    public async Task<int?> InterruptAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
            return _process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        Interlocked.Exchange(ref _nextLine, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

        if (ApiLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"^\s*API:\s+(https?://\S+?)/api/v1")]
    private static partial Regex ApiLine();
}
