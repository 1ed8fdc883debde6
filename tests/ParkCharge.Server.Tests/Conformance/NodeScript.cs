using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;

namespace ParkCharge.Server.Tests.Conformance;

/// <summary>
/// One of the Node.js conformance scripts (tests/conformance), run as a real process. It reports on
/// stdout: <c>RESULT {json}</c>, <c>CALL Action {json}</c>, <c>READY</c>, <c>SURVIVED</c>,
/// <c>FAIL why</c>; closing its stdin ends it.
/// </summary>
internal sealed class NodeScript : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _all = [];
    private readonly List<string> _stdout = [];
    private TaskCompletionSource _added = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeScript(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                return;
            }

            lock (_all)
            {
                _all.Add(e.Data);
                _stdout.Add(e.Data);
                _added.TrySetResult();
                _added = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_all)
                {
                    _all.Add("stderr: " + e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything the script printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_all)
            {
                return string.Join('\n', _all);
            }
        }
    }

    public static NodeScript Start(string script, params string[] arguments)
    {
        if (!Directory.Exists(Path.Combine(Repository.Conformance, "node_modules", "ocpp-rpc")))
        {
            throw new InvalidOperationException("The conformance tests need their npm packages: run ./test.sh (or npm ci in tests/conformance).");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = Repository.Conformance,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new NodeScript(Process.Start(start)!);
    }

    /// <summary>Reads lines until one starts with <paramref name="prefix"/>; fails on FAIL or when the script ends first.</summary>
    public async Task<string> WaitForAsync(string prefix, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(cts.Token))
            {
                if (line.StartsWith("FAIL", StringComparison.Ordinal))
                {
                    Assert.Fail($"The conformance script failed: {line}\n{Output}");
                }

                if (line.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return line[prefix.Length..].Trim();
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"No '{prefix}' from the conformance script within the time limit.\n{Output}");
        }

        Assert.Fail($"The conformance script ended without '{prefix}'.\n{Output}");
        return "";
    }

    /// <summary>Every line the script printed on stdout so far, in order.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_all)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>Writes one line to the script's stdin (the scripts that take commands read one JSON per line).</summary>
    public async Task SendAsync(string line)
    {
        await _process.StandardInput.WriteLineAsync(line);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>
    /// Waits until some stdout line, printed before or after the call, satisfies <paramref name="match"/>, and
    /// returns it; fails with everything printed when none does in time (default 60 s) or the script ends.
    /// Unlike <see cref="WaitForAsync"/> it consumes nothing, so several waits may look at the same lines.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            Task added;
            lock (_all)
            {
                if (_stdout.FirstOrDefault(match) is { } line)
                {
                    return line;
                }

                added = _added.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || _process.HasExited && !added.IsCompleted)
            {
                Assert.Fail($"No line {what ?? "matching"} from the script in time.\n{Output}");
            }

            try
            {
                await added.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                // Looked at once more, then failed above.
            }
        }
    }

    public async Task<JsonElement> WaitForResultAsync() => JsonDocument.Parse(await WaitForAsync("RESULT ")).RootElement.Clone();

    /// <summary>Closes stdin (the script then disconnects) and returns its exit code.</summary>
    public async Task<int> EndAsync()
    {
        _process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
