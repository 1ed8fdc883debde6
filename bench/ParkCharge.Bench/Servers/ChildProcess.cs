using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ParkCharge.Bench.Servers;

/// <summary>
/// A server process the bench started: its output is drained continuously (a full pipe would stall
/// it), the first URL it prints is caught, its log warnings and errors are counted, and it is killed
/// when disposed, when the bench is stopped with Ctrl+C or SIGTERM, and when the bench fails.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    private readonly Process _process;
    private readonly Regex _urlPattern;
    private readonly TaskCompletionSource<Uri> _url = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Queue<string> _tail = new();
    private readonly ConcurrentDictionary<string, int> _logProblems = new(StringComparer.Ordinal);
    private string? _pendingLevel;

    static ChildProcess()
    {
        // Last resort: whatever way the bench ends, its servers end with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
    }

    private ChildProcess(string name, Process process, Regex urlPattern)
    {
        Name = name;
        _process = process;
        _urlPattern = urlPattern;
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Warnings and errors the server logged, by their first line ("warn: Category[id]") and message.</summary>
    public IReadOnlyDictionary<string, int> LogProblems => _logProblems;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string?> environment, Regex urlPattern)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, urlPattern);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._url.TrySetException(new InvalidOperationException(
            $"{name} exited with code {process.ExitCode} before it was ready. Its last output:{Environment.NewLine}{child.Tail()}"));
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The first URL the process printed that matches the pattern (its listening address).</summary>
    public async Task<Uri> WaitForUrlAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            return await _url.Task.WaitAsync(timeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} printed no listening address within {timeout.TotalSeconds:0} s. Its last output:{Environment.NewLine}{Tail()}");
        }
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Running.TryRemove(_process.Id, out _);
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not gone in 10 s after SIGKILL (then nothing more can be done from here).
        }

        _process.Dispose();
    }

    /// <summary>Kills every server still running; for Ctrl+C, SIGTERM and process exit.</summary>
    public static void KillAll()
    {
        foreach (var (pid, process) in Running)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // It exited already.
            }

            Running.TryRemove(pid, out _);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > 40)
            {
                _tail.Dequeue();
            }
        }

        if (!_url.Task.IsCompleted && _urlPattern.Match(line) is { Success: true } match)
        {
            _url.TrySetResult(new Uri(match.Groups["url"].Value));
        }

        // The console logger writes "warn: Category[id]" and the message on the next, indented line.
        if (_pendingLevel is { } level)
        {
            _pendingLevel = null;
            _logProblems.AddOrUpdate($"{level} {Shorten(line.Trim())}", 1, static (_, n) => n + 1);
        }
        else if (line.StartsWith("warn:", StringComparison.Ordinal) || line.StartsWith("fail:", StringComparison.Ordinal)
            || line.StartsWith("crit:", StringComparison.Ordinal))
        {
            _pendingLevel = line.Trim();
        }
    }

    /// <summary>Log messages carry charger ids, message ids and times: without their digits, alike messages count together.</summary>
    private static string Shorten(string message)
    {
        message = Digits().Replace(message, "#");
        return message.Length <= 160 ? message : message[..160] + "…";
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
